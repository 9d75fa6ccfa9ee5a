import { randomBytes } from "node:crypto";
import vm from "node:vm";
import { countsIterations } from "../limits.js";
import { ERRORS, isErrorCode, type ErrorCode, type ErrorInfo } from "../errors.js";
import type { CompileCache } from "./compile-cache.js";
import {
  dispatchHostCall,
  REALM_ENTRY,
  URL_PARTS,
  type FailReport,
  type HostOpHandlers,
  type KeyReply,
  type InvocationSetup,
  type RealmEntryOp,
  type SandboxEvent,
  type ToolRefusal,
  type UrlParts,
} from "./bridge.js";
import { LEVEL_DEFAULTS } from "../security-levels.js";
import { GeneratedCode, MAX_GENERATED_BYTES, MAX_GENERATED_FUNCTION_BYTES, MAX_GENERATED_FUNCTIONS } from "./generated-code.js";
import type { Realm } from "./realm-pool.js";
import { LOG_LEVELS, toolArgsShapeRefusal, valueShapeRefusal, type InvocationOutcome, type InvocationTask, type LogEntry, type ToolReply, type ToolRequest } from "./protocol.js";
import { keyOperation } from "./crypto-keys.js";
import { tenantScriptName } from "./tenant-script-name.js";

/** The scripts that enter the realm (bridge.ts, RealmEntryOp). */
const enterScript = (op: RealmEntryOp) => new vm.Script(`${REALM_ENTRY}(${JSON.stringify(op)})`, { filename: `tenantbox:${op}` });
const RUN = enterScript("run");
const PUMP = enterScript("pump");
const MAX_TIMERS = 1000;
/** Generated code this worker compiled (shared by its invocations: keyed by text and level). */
const generatedCode = new GeneratedCode();
const MAX_PENDING_TOOLS = 64;
/** Module wrappers a realm keeps (it serves 10,000 invocations at most): oldest out. */
const MAX_WRAPPERS_PER_REALM = 256;
const LOG_ENTRY_OVERHEAD = 16;
const TRUNCATED = "[tenantbox: log truncated at maxLogBytes]";

export type ToolSender = (request: ToolRequest) => void;

/**
 * The host side of one invocation inside a worker: wires a realm to the invocation's timers, tool calls,
 * logs and limits, enters the sandbox, and ends with one outcome. Time is enforced by the guards the
 * transform put into tenant code (they read the stop flag the host thread sets at the deadline, and the
 * clock), by this worker's deadline timer while the invocation waits, and by the host terminating the
 * worker as the last resort.
 */
export class Invocation {
  private readonly started = performance.now();
  private readonly deadline: number;
  private readonly logs: LogEntry[] = [];
  private logBytes = 0;
  private logTruncated = false;
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private nextTimerId = 1;
  private toolCalls = 0;
  private readonly pendingTools = new Set<number>();
  /** Events for the realm, as SandboxEvent JSON, taken by op "next" while the realm pumps. */
  private readonly events: string[] = [];
  private pumpScheduled = false;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private outcome: { ok: true; value?: string } | { ok: false; error: ErrorInfo } | undefined;
  private finished = false;
  private aborted = false;
  private resolve!: (outcome: InvocationOutcome) => void;

  constructor(
    private readonly task: InvocationTask,
    private readonly realm: Realm,
    private readonly compiled: CompileCache,
    private readonly sendTool: ToolSender,
    /** Gets the realm back when the invocation ends, with whether it may serve again. */
    private readonly release: (realm: Realm, clean: boolean) => void,
  ) {
    this.deadline = this.started + task.limits.timeout;
  }

  run(): Promise<InvocationOutcome> {
    const done = new Promise<InvocationOutcome>((resolve) => (this.resolve = resolve));
    const { task, realm } = this;
    realm.attach((op, a, b) => (this.finished ? undefined : dispatchHostCall(Invocation.hostOps, this, op, a, b)));
    try {
      const setup: InvocationSetup = {
        entry: task.entry,
        funcName: task.funcName,
        nodeVersion: process.version,
        limits: task.limits,
        deadline: Date.now() + task.limits.timeout,
        stopSlot: task.stopSlot,
        stopId: task.invocationId,
        modules: task.modules.map((m) =>
          m.format === "json" ? { id: m.id, format: m.format, deps: m.deps, json: m.source } : { id: m.id, format: m.format, deps: m.deps, script: tenantScriptName(m.id) },
        ),
      };
      // Setup runs bootstrap code only: no tenant code is running in this realm.
      realm.handle.begin(JSON.stringify(setup), task.args, task.context, task.env);
      for (let i = 0; i < task.modules.length; i++) {
        const m = task.modules[i]!;
        if (m.format === "json") continue;
        realm.handle.define(i, this.wrapperIn(realm, m.hash, tenantScriptName(m.id), m.source));
      }
    } catch (error) {
      const message = error instanceof SyntaxError ? `module failed to compile: ${error.message}` : "sandbox setup failed";
      this.aborted = true;
      this.finish({ ok: false, error: { code: "VALIDATION_ERROR", name: "SyntaxError", message } });
      return done;
    }
    this.enter(RUN);
    // Most calls settle inside RUN (the realm drains its microtasks there): only one still waiting needs a deadline timer.
    if (!this.finished) this.deadlineTimer = setTimeout(() => this.timeout(), Math.max(0, this.deadline - performance.now()));
    return done;
  }

  /**
   * A module's wrapper function in this realm. A strict wrapper is made once per realm and called again by
   * later invocations (each call is a fresh module instance): its functions then share their type feedback
   * and optimized code across calls, where a wrapper made per call started them cold every time (measured:
   * a 10 ms loop ran 1.5-2 ms slower). Nothing can reach a strict wrapper (no arguments.callee, no caller)
   * and it is frozen besides; a sloppy one can be reached, so it is made anew for every invocation.
   */
  private wrapperIn(realm: Realm, hash: string, filename: string, source: string): (...args: unknown[]) => unknown {
    // The compile cache first, even when the realm holds the wrapper: the lookup keeps the version recent
    // there, and what it holds is what the runtime is told it need not send again (worker-process.ts).
    const { script, strict } = this.compiled.get(hash, filename, source);
    const kept = realm.wrappers.get(hash);
    if (kept) {
      // Most recently used last: the realm's map drops its oldest.
      realm.wrappers.delete(hash);
      realm.wrappers.set(hash, kept);
      return kept;
    }
    const wrapper = script.runInContext(realm.global) as (...args: unknown[]) => unknown;
    if (!strict) return wrapper;
    Object.freeze(wrapper.prototype);
    Object.freeze(wrapper);
    realm.wrappers.set(hash, wrapper);
    if (realm.wrappers.size > MAX_WRAPPERS_PER_REALM) realm.wrappers.delete(realm.wrappers.keys().next().value!);
    return wrapper;
  }

  /** A tool reply for this invocation arrived from the host thread. */
  toolReply(reply: ToolReply): void {
    if (this.finished || !this.pendingTools.delete(reply.callId)) return;
    this.queue({ kind: "toolReply", id: reply.callId, ok: reply.ok, payload: reply.payload, code: reply.code });
  }

  private queue(event: SandboxEvent): void {
    this.events.push(JSON.stringify(event));
    this.schedulePump();
  }

  private enter(script: vm.Script): void {
    if (this.finished) return;
    if (performance.now() >= this.deadline) return this.timeout();
    try {
      // No vm timeout here: its watchdog thread costs ~0.13 ms per call. The guards stop tenant code.
      script.runInContext(this.realm.global);
    } catch {
      // Something escaped the sandbox's own handlers (e.g. a stack overflow inside them). Never inspect it.
      this.aborted = true;
      return this.finish({ ok: false, error: { code: "RUNTIME_ERROR", name: "Error", message: "the invocation aborted with an uncaught error" } });
    }
    if (this.outcome) this.finish(this.outcome);
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.finished) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.enter(PUMP);
    });
  }

  /** The caller cancelled it (runtime's "cancel"): it ends now as at its deadline, if it waits on something. */
  cancel(): void {
    if (!this.finished) this.timeout();
  }

  private timeout(): void {
    // An outcome decided before the clock ran out (a value, an error, a tripped limit) stands.
    if (this.outcome) return this.finish(this.outcome);
    this.finish({ ok: false, error: { code: "TIMEOUT", name: "RuntimeError", message: this.timeoutMessage() } });
  }

  private fatal(code: ErrorCode, message: string): void {
    // Limits are final: whatever the tenant catches, the outcome is this error.
    if (code === "TIMEOUT") message = this.timeoutMessage();
    if (!this.outcome || this.outcome.ok) this.outcome = { ok: false, error: { code, name: "RuntimeError", message } };
  }

  /**
   * Past the deadline, or work of `expectedMs` would end past it: the outcome becomes TIMEOUT (final), for
   * host work that no guard interrupts.
   */
  private outOfTime(expectedMs = 0): boolean {
    if (performance.now() + expectedMs < this.deadline) return false;
    this.fatal("TIMEOUT", "");
    return true;
  }

  private timeoutMessage(): string {
    return `invocation exceeded its ${this.task.limits.timeout} ms timeout`;
  }

  /**
   * The worker's side of every host operation (bridge.ts, HostOps). Arguments come from the realm: each is
   * checked before it is used, and every answer is a primitive.
   */
  private static readonly hostOps: HostOpHandlers<Invocation> = {
    log(self, level, message) {
      if (typeof level === "string" && LOG_LEVELS.has(level) && typeof message === "string") self.log(level, message);
      return undefined;
    },
    timer: (self, delay, repeat) => (typeof delay === "number" ? self.addTimer(delay, repeat === 1) : -1),
    clearTimer(self, id) {
      if (typeof id === "number") self.clearTimer(id);
      return undefined;
    },
    tool: (self, name, args) => (typeof name === "string" && typeof args === "string" ? self.startTool(name, args) : refuse("TOOL_ERROR", "invalid tool call")),
    next: (self) => self.events.shift(),
    done(self, json) {
      if (!self.outcome) self.complete(typeof json === "string" ? json : undefined);
      return undefined;
    },
    fail(self, report) {
      if (!self.outcome && typeof report === "string") self.outcome = { ok: false, error: self.readError(report) };
      return undefined;
    },
    fatal(self, code, message) {
      if (typeof message === "string" && isErrorCode(code)) self.fatal(code, message);
      return undefined;
    },
    url: (_self, input, base) => (typeof input === "string" && typeof base === "string" ? parseUrl(input, base) : ""),
    position: (self, id, where) => (typeof id === "string" && typeof where === "string" ? self.tenantPosition(id, where) : ""),
    compile: (self, source) => (typeof source === "string" ? self.compileGenerated(source) : "invalid code generation request"),
    key(self, request, data) {
      // Past the deadline no key operation starts (the costliest takes ~60 ms): a loop of them that catches
      // the refusal spins on cheap answers until the guards stop it, and the outcome is TIMEOUT whatever it catches.
      if (self.outOfTime()) return JSON.stringify({ error: "the invocation is out of time", code: "ERR_CRYPTO_OPERATION_FAILED" } satisfies KeyReply);
      return keyOperation(request, data);
    },
    random: (_self, bytes) => (typeof bytes === "number" && Number.isInteger(bytes) && bytes >= 1 && bytes <= 65536 ? randomBytes(bytes).toString("hex") : ""),
  };

  private tenantPosition(id: string, where: string): string {
    const [line, column] = where.split(":").map(Number) as [number, number];
    const module = this.task.modules.find((m) => m.id === id);
    if (!module || !Number.isSafeInteger(line) || !Number.isSafeInteger(column)) return where;
    const found = this.compiled.position(module.hash, line, column);
    return found.line + ":" + found.column;
  }

  private generatedCount = 0;
  private generatedBytes = 0;

  /** Op "compile": generated code, checked and guarded like library code, handed to the realm (handle.adopt); "" or why not. */
  private compileGenerated(source: string): string {
    this.generatedCount++;
    this.generatedBytes += source.length;
    if (this.generatedCount > MAX_GENERATED_FUNCTIONS || this.generatedBytes > MAX_GENERATED_BYTES) {
      return `an invocation may generate at most ${MAX_GENERATED_FUNCTIONS} functions and ${MAX_GENERATED_BYTES} bytes of code`;
    }
    // Refused before it is hashed: one Function() call's bound, and the level's module size (never larger).
    const maxBytes = Math.min(MAX_GENERATED_FUNCTION_BYTES, LEVEL_DEFAULTS[this.task.securityLevel].maxModuleBytes);
    if (source.length > maxBytes) return `generated code is larger than ${maxBytes} bytes, the most one Function() call compiles`;
    // A compile is a step no guard interrupts, and a loop of them reads the clock only every 127 iterations
    // (200 KB each: 20 s): each one reads it here, before and after. One that would end past the deadline
    // (this worker's recent rate) is not started: on a slow machine a 200 KB compile begun just before the
    // deadline ran 300-400 ms past it, to the hard stop under load.
    const wrapper = generatedCode.compile(source, this.task.securityLevel, countsIterations(this.task.limits.maxIterations), this.realm.global, (ms) => this.outOfTime(ms), this);
    if (this.outOfTime()) return "invocation timed out";
    if (typeof wrapper !== "function") return wrapper.error;
    this.realm.handle.adopt(wrapper);
    return "";
  }

  private complete(json: string | undefined): void {
    if (json !== undefined && Buffer.byteLength(json, "utf8") > this.task.limits.maxOutputBytes) {
      this.fatal("OUTPUT_TOO_LARGE", `return value is larger than maxOutputBytes (${this.task.limits.maxOutputBytes})`);
      return;
    }
    // The host checks again before it parses (a compromised process), but an honest one answers typed here.
    const refusal = json === undefined ? undefined : valueShapeRefusal(json, this.task.limits.maxOutputBytes);
    if (refusal !== undefined) {
      this.fatal("OUTPUT_TOO_LARGE", refusal);
      return;
    }
    this.outcome = json === undefined ? { ok: true } : { ok: true, value: json };
  }

  private readError(json: string): ErrorInfo {
    try {
      // A FailReport (bridge.ts) by contract; read as unknown data all the same.
      const raw = JSON.parse(json) as { [K in keyof FailReport]?: unknown };
      const code: ErrorCode = isErrorCode(raw.code) ? raw.code : "RUNTIME_ERROR";
      // The tenant's own exception keeps its name (TypeError, MyError); the runtime's errors are RuntimeError.
      const tenantName = typeof raw.name === "string" ? raw.name.slice(0, 200) : "Error";
      if (code === "TIMEOUT") return { code, name: "RuntimeError", message: this.timeoutMessage() };
      const info: ErrorInfo = {
        code,
        name: code === "RUNTIME_ERROR" ? tenantName : ERRORS[code].name,
        message: typeof raw.message === "string" ? raw.message : "",
      };
      if (raw.details && typeof raw.details === "object") info.details = raw.details as Record<string, unknown>;
      return info;
    } catch {
      return { code: "RUNTIME_ERROR", name: "Error", message: "the invocation failed" };
    }
  }

  private log(level: string, message: string): void {
    if (this.logTruncated) return;
    // Every entry costs its overhead too: a million empty lines must not be free.
    const bytes = Buffer.byteLength(message, "utf8") + LOG_ENTRY_OVERHEAD;
    const room = this.task.limits.maxLogBytes - this.logBytes;
    if (bytes <= room) {
      this.logBytes += bytes;
      this.logs.push({ level, message });
      return;
    }
    this.logTruncated = true;
    if (room > LOG_ENTRY_OVERHEAD) {
      const kept = Buffer.from(message, "utf8").subarray(0, room - LOG_ENTRY_OVERHEAD).toString("utf8").replace(/\uFFFD$/, "");
      this.logBytes += Buffer.byteLength(kept, "utf8") + LOG_ENTRY_OVERHEAD;
      this.logs.push({ level, message: kept });
    }
    this.logs.push({ level: "warn", message: TRUNCATED });
  }

  private addTimer(delay: number, repeat: boolean): number {
    if (this.timers.size >= MAX_TIMERS) return -1;
    const id = this.nextTimerId++;
    const ms = Number.isFinite(delay) ? Math.min(Math.max(0, delay), 2_147_483_647) : 0;
    const fire = () => {
      if (!repeat) this.timers.delete(id);
      this.queue({ kind: "timer", id });
    };
    this.timers.set(id, repeat ? setInterval(fire, Math.max(1, ms)) : setTimeout(fire, ms));
    return id;
  }

  private clearTimer(id: number): void {
    const handle = this.timers.get(id);
    if (!handle) return;
    clearTimeout(handle);
    this.timers.delete(id);
  }

  private startTool(name: string, args: string): number | string {
    if (!this.task.hasToolHandler) return refuse("TOOL_ERROR", "no tools are available to this invocation (the platform gives modules tools with the runtime's toolHandler option)");
    // Checked in the sandbox too; here it protects the host thread whatever the sandbox did.
    // In bytes, as the limit is documented ("€" is three of them): the realm's check counts characters.
    if (args.length > this.task.limits.maxToolArgBytes || Buffer.byteLength(args, "utf8") > this.task.limits.maxToolArgBytes) {
      return refuse("TOOL_ERROR", `tool arguments are larger than maxToolArgBytes (${this.task.limits.maxToolArgBytes})`);
    }
    const shape = toolArgsShapeRefusal(args);
    if (shape !== undefined) return refuse("TOOL_ERROR", shape);
    if (this.pendingTools.size >= MAX_PENDING_TOOLS) return refuse("TOOL_ERROR", `more than ${MAX_PENDING_TOOLS} tool calls pending at once`);
    if (this.toolCalls >= this.task.limits.maxToolCalls) {
      const message = `more than maxToolCalls (${this.task.limits.maxToolCalls}) tool calls`;
      this.fatal("MAX_TOOL_CALLS", message);
      return refuse("MAX_TOOL_CALLS", message);
    }
    const callId = ++this.toolCalls;
    this.pendingTools.add(callId);
    this.sendTool({ invocationId: this.task.invocationId, callId, name, args });
    return callId;
  }

  private finish(outcome: { ok: true; value?: string } | { ok: false; error: ErrorInfo }): void {
    if (this.finished) return;
    this.finished = true;
    // DESIGN.md invariants 5 and 6: nothing the tenant started outlives the invocation.
    for (const handle of this.timers.values()) clearTimeout(handle);
    this.timers.clear();
    this.pendingTools.clear();
    this.events.length = 0;
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    const reusable = !this.aborted && (outcome.ok || ERRORS[outcome.error.code].realmReusable);
    // end() resets the global; a realm is reused only if that verifies and the invocation ended normally.
    let clean = false;
    try {
      clean = this.realm.handle.end() && reusable;
    } catch {
      clean = false;
    }
    this.release(this.realm, clean);
    const result: InvocationOutcome = {
      ok: outcome.ok,
      logs: this.logs,
      stats: {
        durationMs: performance.now() - this.started,
        toolCalls: this.toolCalls,
        logBytes: this.logBytes,
        realmUses: this.realm.uses,
      },
    };
    if (outcome.ok) {
      if (outcome.value !== undefined) result.value = outcome.value;
    } else result.error = outcome.error;
    this.resolve(result);
  }
}

/** A tool call the worker refuses outright (op "tool"): the realm rejects the call's promise with it. */
function refuse(code: ToolRefusal["code"], message: string): string {
  const refusal: ToolRefusal = { code, message };
  return JSON.stringify(refusal);
}

/** Op "url": the host's WHATWG parser, its parts as JSON (UrlParts), or "" for an invalid URL. */
function parseUrl(input: string, base: string): string {
  try {
    const url = base === "" ? new URL(input) : new URL(input, base);
    const parts = {} as UrlParts;
    for (const key of URL_PARTS) parts[key] = url[key];
    return JSON.stringify(parts);
  } catch {
    return "";
  }
}
