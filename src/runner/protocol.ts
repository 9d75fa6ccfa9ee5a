/**
 * The runtime <-> worker hop: what crosses between the runtime (the host process's main thread) and a
 * worker (a sandbox process, or a piscina worker thread), in one file. Tenant-bound parts are JSON
 * strings already. The next hop, worker <-> realm, is the security boundary and is described in bridge.ts;
 * a worker a tenant broke into is still held to this one (DESIGN.md invariant 4: process-pool.ts checks a
 * result's size, and tool calls only for the invocation the process runs).
 *
 *   runtime -> worker   InvocationTask (thread: piscina's task; process: a "run" message, SentTask)
 *   worker -> runtime   InvocationOutcome (thread: the task's result; process: a "result" message)
 *   worker -> runtime   ToolRequest (thread: on the worker's tool port, ToolPortMessage; process: a "tool" message)
 *   runtime -> worker   ToolReply (thread: on the tool port; process: a "tool-reply" message)
 *   at start            thread: WorkerSettings (workerData); process: "init", answered by "ready"
 *   process only        "need" when the process evicted a module it was sent
 *
 * A sandbox process's messages travel as length-prefixed JSON frames (frame-channel.ts) and are checked
 * field by field on arrival (worker-messages.ts); a worker thread's travel on piscina and MessagePorts.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ErrorInfo } from "../errors.js";
import { jsonShapeProblem, MAX_JSON_KEY_LENGTH } from "../json-shape.js";
import type { InvocationLimitName } from "../limits.js";
import type { SecurityLevel } from "../security-levels.js";

/** A module as it travels to a worker: compiled there once per hash, instantiated fresh per call. */
export interface TaskModule {
  id: string;
  format: "esm" | "cjs" | "json";
  hash: string;
  source: string;
  deps: Record<string, { id: string } | { error: string }>;
}

/** One invocation, as the host hands it to a worker. Everything tenant-bound is already a JSON string. */
export interface InvocationTask {
  invocationId: number;
  modules: TaskModule[];
  entry: string;
  funcName: string;
  args: string;
  context: string;
  /** The realm process's env, as a JSON object of strings. */
  env: string;
  /** The runtime's level: whether and how generated code (new Function) is compiled. */
  securityLevel: SecurityLevel;
  /** Index in the shared stop flags: the host stores invocationId there when the deadline passes. */
  stopSlot: number;
  limits: InvocationLimits;
  hasToolHandler: boolean;
}

/**
 * The limits an invocation carries to its worker: the rows of LIMITS (limits.ts) marked `invocation`,
 * narrowed for the call (a limit that is off is Number.MAX_SAFE_INTEGER), and the memory it may allocate
 * outside the heap.
 */
export type InvocationLimits = Record<InvocationLimitName, number> & {
  /** ArrayBuffer bytes the invocation may allocate in total (they live outside the worker's heap limit). */
  maxBufferBytes: number;
};

/** An invocation as the runtime hands it to its pool (the pool picks the stop slot). */
export type PoolTask = Omit<InvocationTask, "stopSlot">;

export interface LogEntry {
  level: string;
  message: string;
}

/** The levels the sandbox's console writes (sandbox/console.ts): a log entry has one of them. */
export const LOG_LEVELS: ReadonlySet<string> = new Set(["log", "info", "warn", "error", "debug"]);

export interface InvocationStats {
  durationMs: number;
  toolCalls: number;
  logBytes: number;
  /** How many invocations the realm has served, this one included (1: a fresh realm). */
  realmUses: number;
}

export interface InvocationOutcome {
  ok: boolean;
  /** JSON text of the value; absent when the value is undefined. */
  value?: string;
  error?: ErrorInfo;
  logs: LogEntry[];
  stats: InvocationStats;
}

/** Runtime -> worker thread, at its start (piscina's workerData). */
export interface WorkerSettings {
  readyContexts: number;
  /** Shared with the runtime's main thread, which stores an invocation's id in its slot when it must stop. */
  stopFlags: SharedArrayBuffer;
}

/** Worker thread -> runtime: the port a worker's tool calls travel on, sent once per worker. */
export interface ToolPortMessage {
  type: "tenantbox:tool-port";
  port: import("node:worker_threads").MessagePort;
}

/**
 * How deeply a tool call's arguments may nest, checked before the host parses them (tool-dispatch.ts) and,
 * for an early answer, in the sandbox process (invocation.ts): twice what a stored document may nest
 * (service/document-rules.ts). JSON.parse of 1 MiB of arrays nested 2,000 deep took 40-100 ms of the host's
 * main thread per call.
 */
export const MAX_TOOL_ARG_DEPTH = 128;

/** The refusal of arguments nested past MAX_TOOL_ARG_DEPTH (TOOL_ERROR, like arguments past maxToolArgBytes). */
export const TOO_DEEP_TOOL_ARGS = `tool arguments are nested more than ${MAX_TOOL_ARG_DEPTH} levels deep`;

/**
 * How many values (arrays, objects and their items) one tool call's arguments may hold. JSON.parse costs the
 * host's main thread 20-60 ns per value, whatever the nesting: a flat array of 350,000 empty arrays is under
 * 1 MiB, two levels deep, and took 47-69 ms per tool call, up to 100 times per invocation. At this bound one
 * call's arguments cost a few milliseconds at most.
 */
export const MAX_TOOL_ARG_VALUES = 65_536;

/**
 * How many object layouts (json-shape.ts: each new step of a sequence of keys) tool arguments or a return value
 * may hold. Each costs JSON.parse 0.2-0.55 us on the host's main thread (a hidden class, or a new key interned
 * into a dictionary): 1 MiB of one-key objects with distinct keys took 52-89 ms per parse, 100 tool calls a
 * call. At this bound a parse spends 2-5 ms on them (1 MiB built to reach it: 10 ms in all, the rest zeros);
 * rows that share their keys are one layout, and keys that are array indexes are none. A bigger map crosses
 * as a list of entries.
 */
export const MAX_JSON_LAYOUTS = 8192;

/** The refusal of arguments holding more than MAX_TOOL_ARG_VALUES values (TOOL_ERROR). */
export const TOO_MANY_TOOL_ARG_VALUES = `tool arguments hold more than ${MAX_TOOL_ARG_VALUES} values (each array and object, and each item and property in them)`;

/** The refusal of arguments holding more than MAX_JSON_LAYOUTS object layouts (TOOL_ERROR). */
export const TOO_MANY_TOOL_ARG_LAYOUTS = `tool arguments hold more than ${MAX_JSON_LAYOUTS} distinct object layouts (objects whose keys differ from one another's: send a big map as a list of entries)`;

/** The refusal of arguments holding a key V8 hashes by its length alone (TOOL_ERROR). */
export const TOOL_ARG_KEY_TOO_LONG = `tool arguments hold an object key longer than ${MAX_JSON_KEY_LENGTH} characters`;

/** Why the host will not parse these tool arguments (nesting, number of values, layouts, key lengths), or undefined. */
export function toolArgsShapeRefusal(args: string): string | undefined {
  const problem = jsonShapeProblem(args, { maxDepth: MAX_TOOL_ARG_DEPTH, maxValues: MAX_TOOL_ARG_VALUES, maxShapes: MAX_JSON_LAYOUTS });
  if (problem === "depth") return TOO_DEEP_TOOL_ARGS;
  if (problem === "values") return TOO_MANY_TOOL_ARG_VALUES;
  if (problem === "shapes") return TOO_MANY_TOOL_ARG_LAYOUTS;
  if (problem === "keys") return TOOL_ARG_KEY_TOO_LONG;
  return undefined;
}

/**
 * How deeply a return value may nest: more than the realm's serializer reaches (2,000 levels cross, 3,000
 * overflow its stack), less than where a walk of what the host parses (the service's reply, a caller's
 * JSON.stringify) overflows the host's (past 4,096 at the top of its stack). Only a compromised process
 * sends more.
 */
export const MAX_VALUE_DEPTH = 3000;

/** Arrays and objects a return value may hold: one per 16 bytes of maxOutputBytes (65,536 at 1 MiB). */
export const valueContainersWithin = (maxOutputBytes: number): number => Math.max(1024, Math.floor(maxOutputBytes / 16));

/**
 * Why the host will not parse this return value (OUTPUT_TOO_LARGE), or undefined: checked where the value is
 * made (the sandbox process) and again on the host before it parses it. A value within maxOutputBytes is
 * otherwise parsed as it is: 1 MiB of rows costs a few milliseconds.
 */
export function valueShapeRefusal(json: string, maxOutputBytes: number): string | undefined {
  const maxContainers = valueContainersWithin(maxOutputBytes);
  const problem = jsonShapeProblem(json, { maxDepth: MAX_VALUE_DEPTH, maxContainers, maxShapes: MAX_JSON_LAYOUTS });
  if (problem === "depth") return `return value is nested more than ${MAX_VALUE_DEPTH} levels deep`;
  if (problem === "containers") return `return value holds more than ${maxContainers} arrays and objects (one per 16 bytes of maxOutputBytes)`;
  if (problem === "shapes") return `return value holds more than ${MAX_JSON_LAYOUTS} distinct object layouts (objects whose keys differ from one another's: return a big map as a list of entries)`;
  if (problem === "keys") return `return value holds an object key longer than ${MAX_JSON_KEY_LENGTH} characters`;
  return undefined;
}

export interface ToolRequest {
  invocationId: number;
  callId: number;
  name: string;
  /** JSON text of the arguments; "" for undefined. */
  args: string;
}

export interface ToolReply {
  invocationId: number;
  callId: number;
  ok: boolean;
  /** JSON text of the result ("" for undefined), or the error message. */
  payload: string;
  code: string;
}

/** A module as a run message carries it: without its source when the process already holds that version. */
export type SentModule = Omit<TaskModule, "source"> & { source?: string };

/**
 * A task as it crosses to a sandbox process: its graph's module list (SentModule[] as JSON, no sources) is not in
 * the run message but a blob the process keeps under `graph` (GRAPH_KEY_PREFIX and a number), sent to each process
 * once. In every run message, a graph of long specifiers that fail (a `{ error }` each) made the host's main thread
 * serialize up to ~16 MB per call, 250-600 ms (red team dec11, G1).
 */
export type SentTask = Omit<PoolTask, "modules"> & { graph: string };

/** A dependency in a graph's blob: a module of the same list by its index, else as TaskModule has it. */
export type GraphDep = { i: number } | TaskModule["deps"][string];
/** A module as a graph's blob lists it (JSON of SentGraphModule[]): no source, dependencies by index. */
export type SentGraphModule = Omit<TaskModule, "source" | "deps"> & { deps: Record<string, GraphDep> };

/** What a graph's blob key starts with: never a version hash (hex), whose blobs are sources. */
export const GRAPH_KEY_PREFIX = "graph:";
/**
 * Characters of graphs' module lists a sandbox process keeps (least recently used out; a list of 2,000 modules
 * with a few dependencies each is about 0.3 MB): a longer list is not kept, and the runtime sends it with each run
 * (a blob, encoded a slice at a time). What is kept is heap the next call, maybe another tenant's, does not get
 * (worker-process.ts counts it as it counts compiled scripts before it promises a call its memory limit).
 */
export const MAX_KEPT_GRAPH_CHARS = 4 * 1024 * 1024;

/** Runtime -> sandbox process (IPC). */
export type HostToWorkerMessage =
  | { t: "init"; readyContexts: number; heapHeadroomMb: number }
  | { t: "run"; id: number; task: SentTask }
  | { t: "tool-reply"; reply: ToolReply }
  /** The caller cancelled the invocation: end it now, as at its deadline (the runtime reports CANCELLED). */
  | { t: "cancel"; invocationId: number };

/** Sandbox process -> runtime (IPC). */
export type WorkerProcessMessage =
  | { t: "ready" }
  /** `retire`: this process holds too much to promise the next call its whole memory limit. */
  | { t: "result"; id: number; outcome: InvocationOutcome; retire?: boolean }
  /** The run's modules sent without source that this process no longer holds (evicted): send them again. */
  | { t: "need"; id: number; hashes: string[] }
  | { t: "tool"; request: ToolRequest };


/** An outcome the pool itself decides (the sandbox never answered): no logs, no stats. */
export function failedOutcome(code: ErrorInfo["code"], message: string, details?: Record<string, unknown>): InvocationOutcome {
  const error: ErrorInfo = { code, name: "RuntimeError", message };
  if (details) error.details = details;
  return { ok: false, error, logs: [], stats: { durationMs: 0, toolCalls: 0, logBytes: 0, realmUses: 0 } };
}

/** What a call cancelled while it ran ends with (the pools'): CANCELLED. */
export function cancelledOutcome(details?: Record<string, unknown>): InvocationOutcome {
  return failedOutcome("CANCELLED", "the call was cancelled while it ran: its signal was aborted", details);
}

/** A cancelled call's outcome once its worker answered: CANCELLED, unless it had finished with a value (that stands). */
export function unlessCancelled(cancelled: boolean, outcome: InvocationOutcome): InvocationOutcome {
  return cancelled && !outcome.ok ? cancelledOutcome() : outcome;
}

/**
 * A built entry next to the running one in dist/: `name.js` for the ESM build, `name.cjs` for CommonJS (or the
 * `extension` asked for). Run from the sources (a test importing src/), the built one in dist/: a thread
 * cannot start from TypeScript.
 */
export function siblingEntry(name: string, extension?: ".cjs"): string {
  const self = fileURLToPath(import.meta.url);
  if (path.extname(self) === ".ts") return path.join(path.dirname(self), "..", "..", "dist", `${name}${extension ?? ".js"}`);
  return path.join(path.dirname(self), name + (extension ?? path.extname(self)));
}
