/**
 * The realm boundary: every crossing between a tenant realm and the worker that runs it, in one file.
 *
 * A call travels in two hops:
 *
 *   runtime (host process, main thread) --protocol.ts--> worker (sandbox process or worker thread)
 *   worker --this file--> realm (a node:vm context holding tenant code)
 *
 * The first hop is data between trusted processes and threads (protocol.ts: tasks, outcomes, tool
 * requests and replies, and the IPC and thread messages that carry them; the runtime answers tool
 * requests in tool-dispatch.ts). This hop is the security boundary of DESIGN.md's invariants 1 and 2.
 * "Host" in this file is the host realm: the worker's own JavaScript realm, outside the tenant's.
 *
 * The realm holds exactly one host function (`HostCall`), which takes and returns primitives only and
 * never throws into the realm; everything structured crosses as a JSON string parsed on the other side
 * (in the realm, by the realm's own captured `JSON.parse`). The worker enters the realm in exactly two
 * ways: the bootstrap's handle (`SandboxHandle`: begin, define, end), called while no tenant code runs,
 * and the realm-global entry (`REALM_ENTRY` with a `RealmEntryOp`: run, pump).
 *
 * Code under sandbox/ is stringified into the realm (sandbox/source.ts), so it uses this file with
 * `import type` only; the one value it repeats, the entry's name, is checked against REALM_ENTRY by type.
 *
 *   crossing                    direction        payload
 *   bootstrap(host, stopFlags)  worker -> realm  SandboxBootstrap; returns the SandboxHandle
 *   handle.begin(setup, ...)    worker -> realm  InvocationSetup as JSON; the call's args, context and env as their own JSON strings
 *   handle.define(i, wrapper)   worker -> realm  a module wrapper, evaluated in the realm from a cached compiled script
 *   handle.end()                worker -> realm  answers whether the global verified clean
 *   handle.adopt(wrapper)       worker -> realm  during op "compile": generated code's wrapper (loader/code-generation.ts)
 *   __tenantbox("run"|"pump")   worker -> realm  REALM_ENTRY, RealmEntryOp (a script run in the realm)
 *   host(op, a, b)              realm -> worker  HostOps: one row per operation (HostCall in the realm,
 *                                                HostOpHandlers in the worker, so a missing side does not compile)
 *   events (op "next")          worker -> realm  SandboxEvent as JSON, taken while the realm pumps
 */
import type { ErrorCode } from "../errors.js";
import type { InvocationLimits } from "./protocol.js";

/**
 * Operations the realm asks of the worker through its one host function, with their arguments and result.
 * Arguments are what a well-behaved realm sends; the worker still checks every one (tenant code may have
 * broken the realm's own wiring before it calls). A detached realm (no invocation) gets `undefined` for all.
 */
export interface HostOps {
  /** A console line, formatted in the realm; kept under the invocation's maxLogBytes. */
  log: { args: [level: string, message: string]; result: undefined };
  /** Starts a host timer; its id, or -1 when the invocation has too many. Firing queues a timer event. */
  timer: { args: [delayMs: number, repeat: 0 | 1]; result: number };
  clearTimer: { args: [id: number]; result: undefined };
  /** A tool call (arguments as JSON, "" for undefined): its call id, or a refusal (ToolRefusal as JSON). Its reply comes as an event. */
  tool: { args: [name: string, argsJson: string]; result: number | string };
  /** The next queued event (SandboxEvent as JSON), or undefined when there is none. */
  next: { args: []; result: string | undefined };
  /** The function's value, serialized in the realm (absent: undefined). */
  done: { args: [valueJson?: string]; result: undefined };
  /** The invocation failed: FailReport as JSON. */
  fail: { args: [reportJson: string]; result: undefined };
  /** A limit tripped in the realm: an error code and its message. The outcome is this error, whatever the tenant catches. */
  fatal: { args: [code: ErrorCode, message: string]; result: undefined };
  /** WHATWG URL parsing by the host's parser: UrlParts as JSON, or "" when the input is not a URL. */
  url: { args: [input: string, base: string]; result: string };
  /** A stack frame's "line:column" in a module's wrapper, as "line:column" in the tenant's own file (loader/tenant-positions.ts). */
  position: { args: [moduleId: string, where: string]; result: string };
  /**
   * Code generation (loader/code-generation.ts): the text a Function(...) call builds in; "" when it compiled
   * (the wrapper was handed over through handle.adopt before the answer), else why it was refused.
   */
  compile: { args: [source: string]; result: string };
  /** Bytes from the host's CSPRNG (crypto.getRandomValues): a count from 1 to 65536 in, lowercase hex out. */
  random: { args: [bytes: number]; result: string };
  /**
   * Asymmetric cryptography by the worker's own crypto (crypto-keys.ts): a KeyRequest as JSON, and for sign
   * and verify the data as a latin1 string (one character per byte); a KeyReply as JSON out.
   */
  key: { args: [requestJson: string, data?: string]; result: string };
}

export type HostOp = keyof HostOps;

/** A primitive, the only kind of value that crosses the host function (invariant 1). */
export type Primitive = string | number | undefined;

/**
 * The one host function the realm holds: primitives in, primitives out, never throws into the realm.
 * `undefined` is always a possible answer (the realm is detached, or the worker refused the arguments).
 */
export type HostCall = <K extends HostOp>(op: K, ...args: HostOps[K]["args"]) => HostOps[K]["result"] | undefined;

/**
 * The host function as the worker implements it (realm-pool.ts attaches one per invocation): what the
 * realm passed, unchecked (`op` need not even be a string), in; a primitive out. dispatchHostCall routes it.
 */
export type HostHandler = (op: unknown, a: unknown, b: unknown) => Primitive;

/** The worker's side of every operation: gets the arguments unchecked (they come from the realm) and answers with primitives only. */
export type HostOpHandlers<Self> = { readonly [K in HostOp]: (self: Self, a: unknown, b: unknown) => HostOps[K]["result"] };

/**
 * Dispatches one host call to its handler. Unknown operations (and names like "constructor" or
 * "__proto__") answer undefined: only the table's own rows are operations.
 */
export function dispatchHostCall<Self>(handlers: HostOpHandlers<Self>, self: Self, op: unknown, a: unknown, b: unknown): Primitive {
  if (typeof op !== "string" || !Object.hasOwn(handlers, op)) return undefined;
  return handlers[op as HostOp](self, a, b);
}

/** Events the worker queues for the realm; "pump" makes the realm take them with op "next". */
export type SandboxEvent =
  /** A host timer fired: run its callback. */
  | { kind: "timer"; id: number }
  /** A tool call's reply: `payload` is the result as JSON ("" for undefined) or the error message. */
  | { kind: "toolReply"; id: number; ok: boolean; payload: string; code: string };

/** Why the worker refused a tool call outright (op "tool"): the promise rejects with this code and message. */
export interface ToolRefusal {
  code: Extract<ErrorCode, "TOOL_ERROR" | "MAX_TOOL_CALLS">;
  message: string;
}

/** How the realm reports a failure (op "fail"): the thrown value read into plain data, inside the realm. */
export interface FailReport {
  code: string;
  name: string;
  message: string;
  details?: Record<string, unknown>;
}

/** A key as the realm holds it (op "key"): its kind and DER (SPKI or PKCS#8) as hex, checked again at every use. */
export interface KeyRef {
  kind: "public" | "private";
  der: string;
}

/** What op "key" answers about a key: the realm keeps it, and tells Node's asymmetricKeyDetails from it. */
export interface KeyInfo extends KeyRef {
  asymmetricKeyType: string;
  /** publicExponent as hex. */
  details: { modulusLength?: number; publicExponent?: string; namedCurve?: string; hashAlgorithm?: string; mgf1HashAlgorithm?: string; saltLength?: number };
}

/** Signature options (Node's): padding 1 (PKCS#1 v1.5) or 6 (PSS), PSS salt length, ECDSA signature encoding. */
export interface SignOptions {
  padding?: 1 | 6;
  saltLength?: number;
  dsaEncoding?: "der" | "ieee-p1363";
}

/** Op "key"'s requests. Key material: PEM text, DER as hex, a JWK as JSON text, or a raw public key as hex (type: its curve). */
export type KeyRequest =
  | { op: "import"; kind: "public" | "private"; format: "pem" | "der" | "jwk" | "raw"; type?: string; key: string }
  | { op: "export"; key: KeyRef; format: "pem" | "der" | "jwk" | "raw"; type?: string }
  /** Data is the call's second argument; digest "" for Ed25519/Ed448. */
  | ({ op: "sign"; key: KeyRef; digest: string } & SignOptions)
  | ({ op: "verify"; key: KeyRef; digest: string; signature: string } & SignOptions)
  | { op: "generate"; type: string; modulusLength?: number; publicExponent?: number; namedCurve?: string };

/** Op "key"'s answers: one member per request kind; `error` with Node's error code when it failed. */
export type KeyReply =
  | { key: KeyInfo }
  | { text: string }
  | { signature: string }
  | { valid: boolean }
  | { publicKey: KeyInfo; privateKey: KeyInfo }
  | { error: string; code: string };

/** The parts of a parsed URL, in the order the host reads them off its URL object. */
export const URL_PARTS = ["href", "origin", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash"] as const;
export type UrlParts = Record<(typeof URL_PARTS)[number], string>;

/** A module as the realm's module system knows it (InvocationSetup.modules). */
export interface ModuleSpec {
  id: string;
  format: "esm" | "cjs" | "json";
  /** JSON text for json modules. */
  json?: string;
  /** The file name its script was compiled under (not json): how the stack formatter knows its frames. */
  script?: string;
  deps: Record<string, { id: string } | { error: string }>;
}

/**
 * What the worker sends (handle.begin) before an invocation's code runs, as one JSON string. The call's
 * args, context and env are JSON texts already: they go beside it as strings, not escaped into it again.
 */
export interface InvocationSetup {
  entry: string;
  funcName: string;
  /** The worker's Node version ("v24.1.0"): process.version. */
  nodeVersion: string;
  /** The limits the realm enforces itself (the worker sends all of the task's; the realm reads these). */
  limits: Pick<InvocationLimits, "maxIterations" | "maxOutputBytes" | "maxToolArgBytes" | "maxBufferBytes">;
  /** Date.now() value after which the invocation is out of time. */
  deadline: number;
  /** Slot in the shared stop flags, and the value that means "stop" for this invocation. */
  stopSlot: number;
  stopId: number;
  modules: ModuleSpec[];
}

/** The realm's handle, returned by its bootstrap; the worker calls it only while no tenant code runs. */
export interface SandboxHandle {
  /** Starts an invocation: `setupJson` is an InvocationSetup; args (a JSON array), context and env (a JSON object of strings) are JSON texts. */
  begin(setupJson: string, argsJson: string, contextJson: string, envJson: string): void;
  /** Gives the realm module `index` of the setup's list: a wrapper evaluated in the realm from a cached compiled script. */
  define(index: number, wrapper: (...args: unknown[]) => unknown): void;
  /** Ends the invocation; true when the global is back to its baseline and the realm may serve again. */
  end(): boolean;
  /** During op "compile" only: the generated function's wrapper, evaluated in the realm from a cached compiled script. */
  adopt(wrapper: (...args: unknown[]) => unknown): void;
}

/**
 * The globals a realm is created without: the one list of them. The realm deletes them at its start (they
 * arrive as JSON text); the validator's no-host-globals rule flags code that reaches for the ones a tenant
 * could expect (loader/rules.ts). `console` is replaced by the sandbox's own; `Proxy` has its own rule.
 */
export const REMOVED_GLOBALS = ["WebAssembly", "SharedArrayBuffer", "Atomics", "FinalizationRegistry", "Proxy", "console"] as const;

/**
 * The bootstrap script evaluates to this: given the host function, the stop flags, REMOVED_GLOBALS and the
 * lazy globals (loader/builtins.ts LAZY_GLOBALS), both as JSON, builds the realm.
 */
export type SandboxBootstrap = (host: HostCall, stopFlags: Int32Array, removedGlobals: string, lazyGlobals: string) => SandboxHandle;

/** The realm-global function through which tenant code is entered, and its operations. */
export const REALM_ENTRY = "__tenantbox";
export type RealmEntryOp = "run" | "pump";
