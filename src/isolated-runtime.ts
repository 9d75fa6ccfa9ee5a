import { EventEmitter } from "node:events";
import path from "node:path";
import { RuntimeError, type ErrorInfo } from "./errors.js";
import type { ValidationResult } from "./loader/issues.js";
import type { ModuleGraph, ModuleInfo } from "./loader/module-graph.js";
import { Registry, type RegistryEventName, type RegistryEvents } from "./registry/registry.js";
import type { HookTarget } from "./registry/manifest.js";
import { countsIterations, INVOCATION_LIMITS, LIMITS, PER_CALL_LIMITS, type CallLimits, type LimitSpec, type OptionLimitName, type PerCallLimitName } from "./limits.js";
import { resolveOptions, type ResolvedOptions, type RuntimeOptions } from "./options.js";
import { envJson } from "./process-env.js";
import { WorkerPool } from "./runner/pool.js";
import { ProcessPool } from "./runner/process-pool.js";
import type { OsLayers } from "./runner/sandbox-os.js";
import { valueShapeRefusal, type InvocationLimits, type InvocationOutcome, type LogEntry, type PoolTask } from "./runner/protocol.js";
import type { PoolOptions, SandboxPool } from "./runner/sandbox-pool.js";
import { ToolDispatch, type ToolCallContext } from "./runner/tool-dispatch.js";
import { cancelledBeforeStart, Scheduler } from "./runner/scheduler.js";
import { redactPaths } from "./redact-host-paths.js";
import { mapLimited } from "./map-limited.js";
import { isSecurityLevel, type SecurityLevel } from "./security-levels.js";
import { JsonText } from "./runner/json-text.js";
import { isJsonText } from "./json-syntax.js";
import { MAX_ENTRY_FILE_LENGTH } from "./loader/resolve.js";

export type { CallLimits };

export interface RunRequest extends CallLimits {
  /** Absolute path of the tenant's folder: the module's whole world. */
  folder: string;
  /** Module path relative to `folder`. */
  file: string;
  /** Export to call; "default" calls the default export. */
  funcName: string;
  args?: unknown[];
  /** Read-only data the function sees as the global `context`. */
  context?: unknown;
  /**
   * `args` and `context` as their JSON texts (an array's, and the context's), made once for several calls:
   * an event's payload for each of its handlers, serialized once instead of once per handler on the host's
   * main thread. When given, `args` and `context` are not read.
   */
  serialized?: { args: JsonText; context: JsonText };
  /** This call's `process.env` (strings); default: the runtime's `env` option. */
  env?: Record<string, string>;
  /** Host data handed to the tool handler with each of this call's tool calls; never enters the sandbox. */
  meta?: unknown;
  /** Cancels the call when aborted (a client that went away): CANCELLED (see `execute`). */
  signal?: AbortSignal;
  /**
   * The value as its JSON text, a `JsonText` (`value.text`), never parsed on this thread: for a caller that
   * passes it on (an HTTP reply, as the service does). Parsing a tenant's value costs the host's main thread in
   * ways no bound fully covers (SECURITY.md, "Known limits").
   */
  rawValue?: boolean;
}

/** An inline script: a function body (top-level `await` and `return`, `callTool`), validated and guarded like a module. */
export interface CodeRequest extends CallLimits {
  code: string;
  /**
   * Absolute path of the tenant's folder: it identifies the tenant for fair queueing and for tools. Nothing is
   * read from it; a script cannot require or import modules.
   */
  folder?: string;
  context?: unknown;
  /** This call's `process.env` (strings); default: the runtime's `env` option. */
  env?: Record<string, string>;
  meta?: unknown;
  /** Cancels the call when aborted: CANCELLED (see `execute`). */
  signal?: AbortSignal;
  /** The value as its JSON text (see RunRequest). */
  rawValue?: boolean;
}

/** What the runtime is doing now: invocations on workers, waiting, and how many can run at once. */
export interface RuntimeLoad {
  running: number;
  queued: number;
  capacity: number;
  /** Workers started now (sandbox processes or threads), busy or idle. */
  workers: number;
}

export interface ExecuteStats {
  /** Time inside the worker, from taking a context to the result (compiling a version new to the worker included). */
  durationMs: number;
  /**
   * Time loading the module graph before the call was queued: a few microseconds for versions already
   * loaded; a new or changed file's validation and transform on a loader thread, hops included.
   */
  loadMs: number;
  /** Time from the call to the result, queueing and loading included. */
  totalMs: number;
  toolCalls: number;
  logBytes: number;
  /** Invocations the realm had served, this one included: 1 means a freshly built realm. */
  realmUses: number;
}

/** What `execute()` reports: after `if (!result.success)`, `result.error` is there (a discriminated union). */
export type ExecuteResult = ExecuteSuccess | ExecuteFailure;

export interface ExecuteSuccess {
  success: true;
  /** Absent when the function returned undefined. */
  value?: unknown;
  error?: undefined;
  logs: LogEntry[];
  stats: ExecuteStats;
}

export interface ExecuteFailure {
  success: false;
  value?: undefined;
  error: ErrorInfo;
  logs: LogEntry[];
  stats: ExecuteStats;
}

export interface EmitOptions extends CallLimits {
  folder: string;
  context?: unknown;
  /** The handlers' `process.env` (strings); default: the runtime's `env` option. */
  env?: Record<string, string>;
  meta?: unknown;
  /** Handlers that run at once (default: all of them). */
  concurrency?: number;
  /** Cancels the handlers still waiting or running when aborted (each one's result: CANCELLED). */
  signal?: AbortSignal;
}

interface HookCommon {
  file: string;
  funcName: string;
  logs: LogEntry[];
  durationMs: number;
  toolCalls: number;
}

/** One handler's outcome in `emit()`, in manifest order: after `if (!hook.success)`, `hook.error` is there. */
export type HookResult = (HookCommon & { success: true; value?: unknown; error?: undefined }) | (HookCommon & { success: false; value?: undefined; error: ErrorInfo });

export type RuntimeEvents = RegistryEvents;
export type RuntimeEventName = RegistryEventName;

export interface ValidateOptions {
  /** "module" (default): a module file; "script": an inline script as executeCode runs it. */
  kind?: "module" | "script";
  filename?: string;
  securityLevel?: SecurityLevel;
  /** The tenant's folder, when the text is a tenant's: it shares the loader threads fairly with other tenants. */
  folder?: string;
}

const MAX_FUNC_NAME = 256;
/**
 * The longest folder a request may name (PATH_MAX: a longer one is no folder). The caller's spelling keys maps on
 * the host's main thread (the invocation and loader schedulers' tenants, the registry's folder spellings), and
 * V8 hashes a string of more than 16,383 characters by its length alone: runCode() names a tenant by a folder it
 * never looks up on disk, and 4,000 queued calls with distinct 17,000-character folders took 56 s of the main
 * thread (16,000 characters: 0.6 s for 2,000), each dispatch slower than the last (red team dec10, hash collisions C2).
 */
const MAX_FOLDER_LENGTH = 4096;
const FOLDER_TOO_LONG = `folder must be at most ${MAX_FOLDER_LENGTH} characters`;
const folderTooLong = (folder: string): boolean => folder.length > MAX_FOLDER_LENGTH;
/** How much of an unexpected error's message a tenant may see (INTERNAL_ERROR while loading). */
const MAX_INTERNAL_MESSAGE = 200;

/** The scheduler's key for inline scripts that name no tenant folder. */
const NO_FOLDER = "";

function invalid(message: string): RuntimeError {
  return new RuntimeError("INVALID_REQUEST", message);
}

/** The fields each kind of request takes (besides the per-call limits): any other is refused, as the constructor's and the HTTP API's unknown keys are. */
const RUN_FIELDS: ReadonlySet<string> = new Set(["folder", "file", "funcName", "args", "context", "serialized", "env", "meta", "signal", "rawValue", ...PER_CALL_LIMITS]);
const CODE_FIELDS: ReadonlySet<string> = new Set(["code", "folder", "context", "env", "meta", "signal", "rawValue", ...PER_CALL_LIMITS]);
const EMIT_FIELDS: ReadonlySet<string> = new Set(["folder", "context", "env", "meta", "concurrency", "signal", ...PER_CALL_LIMITS]);

/**
 * INVALID_REQUEST for a field the request does not take: a typo (`arg:` for `args:`, `timout:`) ran the call
 * without it, silently. Own enumerable keys only: a handful per call.
 */
function refuseUnknownFields(request: object, fields: ReadonlySet<string>, what: string): void {
  for (const key in request) {
    if (!Object.hasOwn(request, key) || fields.has(key)) continue;
    throw invalid(`${what} has no field "${key.slice(0, 64)}"; its fields are ${[...fields].join(", ")}`);
  }
}

/** What a value that is not JSON (a compromised sandbox process's) reads as. */
const NOT_JSON = Symbol("not JSON");

function parsedOrNotJson(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return NOT_JSON;
  }
}

/** A request's `signal`: absent, or an AbortSignal (INVALID_REQUEST otherwise). */
function signalOf(signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) throw invalid("signal must be an AbortSignal");
  return signal;
}

/**
 * The call's limits (LIMITS rows with `perCall`, in table order): absent means the runtime's own (no
 * limit for one that is not a runtime option); more than the runtime's is capped to it.
 */
function narrowLimits(request: CallLimits, options: ResolvedOptions): Record<PerCallLimitName, number> {
  const narrowed = {} as Record<PerCallLimitName, number>;
  for (const name of PER_CALL_LIMITS) {
    const spec: LimitSpec = LIMITS[name];
    const { min } = LIMITS[name].perCall;
    const max = spec.option === false ? undefined : options[name as OptionLimitName];
    const value = request[name];
    if (value !== undefined && (typeof value !== "number" || !Number.isInteger(value) || value < min)) throw invalid(`${name} must be an integer >= ${min}`);
    narrowed[name] = Math.min(value ?? Infinity, max ?? Infinity);
  }
  return narrowed;
}

/** One handler's HookResult from its execute() report. */
export function hookResult({ file, funcName }: HookTarget, result: ExecuteResult): HookResult {
  const common = { file, funcName, logs: result.logs, durationMs: result.stats.totalMs, toolCalls: result.stats.toolCalls };
  if (!result.success) return { ...common, success: false, error: result.error };
  return "value" in result ? { ...common, success: true, value: result.value } : { ...common, success: true };
}

/** One handler's HookResult when execute() rejected (QUEUE_FULL, CLOSED): it did not run. */
export function refusedHook({ file, funcName }: HookTarget, error: unknown): HookResult {
  const info = error instanceof RuntimeError ? error.toInfo() : { code: "INTERNAL_ERROR" as const, name: "RuntimeError", message: "handler failed" };
  return { file, funcName, success: false, error: info, logs: [], durationMs: 0, toolCalls: 0 };
}

function valueOf(result: ExecuteResult): unknown {
  if (!result.success) throw RuntimeError.from(result.error);
  return result.value;
}

/** Arguments given as JSON text: an array's (the caller serialized it; the realm parses it). */
function isArrayText(args: unknown): args is JsonText {
  return isText(args) && args.text.startsWith("[") && args.text.endsWith("]");
}

/** A JsonText whose text is a string (a JavaScript caller may have made one of anything). */
function isText(value: unknown): value is JsonText {
  return value instanceof JsonText && typeof value.text === "string";
}

function toJson(value: unknown, what: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    // The engine's own words for a structure too deep for its stack are about the stack, not the value.
    // A host value's toJSON may throw anything (`throw null`).
    const message = error instanceof Error ? error.message : String(error);
    const why = error instanceof RangeError && /call stack/i.test(message) ? "it is nested too deeply" : message;
    throw invalid(`${what} is not JSON-serializable: ${why}`);
  }
  return json === undefined ? "null" : json;
}

/**
 * Runs exported functions of untrusted module files, each call in a fresh hardened context on a worker pool.
 * See the README for the contract; every failure is a RuntimeError with a code.
 */
export class IsolatedRuntime {
  readonly options: Readonly<ResolvedOptions>;
  private readonly registry: Registry;
  private readonly events = new EventEmitter();
  private readonly pool: SandboxPool;
  private readonly scheduler: Scheduler;
  private readonly tools: ToolDispatch;
  private nextInvocationId = 1;
  private closing: Promise<void> | undefined;

  constructor(options: RuntimeOptions = {}) {
    this.options = Object.freeze(resolveOptions(options));
    this.registry = new Registry({
      securityLevel: this.options.securityLevel,
      countIterations: countsIterations(this.options.maxIterations),
      maxModuleBytes: this.options.maxModuleBytes,
      ...(this.options.scoring ? { scoring: this.options.scoring } : {}),
      ...(this.options.root !== undefined ? { root: this.options.root } : {}),
      watch: this.options.watch,
      loader: this.options.loader,
      emit: (event, payload) => {
        // A listener that throws must not break loading or a call.
        try {
          this.events.emit(event, payload);
        } catch {
          /* the platform's listener failed; nothing of ours to undo */
        }
      },
    });
    // Fair by default: a tenant that arrives while others' calls hold every worker starts on a spare one
    // (scheduler.ts); one spare per four workers, kept started like the rest. Calls parked on a tool call
    // leave their core to others: up to parkedWorkers more workers, started when first needed.
    const { minThreads, maxThreads, parkedWorkers: parkLanes } = this.options;
    const spareLanes = Math.ceil(maxThreads / 4);
    this.scheduler = new Scheduler(maxThreads, this.options.maxQueue, this.options.maxConcurrentPerTenant, spareLanes, parkLanes);
    this.tools = new ToolDispatch(this.options.toolHandler);
    const poolOptions: PoolOptions = {
      minThreads: minThreads === maxThreads ? maxThreads + spareLanes : minThreads,
      maxThreads: maxThreads + spareLanes + parkLanes,
      memoryLimitMb: this.options.memoryLimitMb,
      readyContexts: this.options.readyContexts,
      hardStopGraceMs: this.options.hardStopGraceMs,
      idleWorkerMs: this.options.idleWorkerMs,
      ...(this.options.sandboxUser ? { sandboxUser: this.options.sandboxUser } : {}),
      processPerTenant: this.options.processPerTenant,
      onToolRequest: (request, reply, cpuMs) => void this.tools.handle(request, reply, cpuMs),
    };
    this.pool = this.options.isolation === "thread" ? new WorkerPool(poolOptions) : new ProcessPool(poolOptions);
  }

  /**
   * What the operating-system layer enforces on this runtime's sandbox processes (SECURITY.md, "The
   * operating-system layer"); undefined with `isolation: "thread"`.
   */
  osLayers(): OsLayers | undefined {
    return this.pool instanceof ProcessPool ? this.pool.osLayers : undefined;
  }

  /** Calls the function and resolves with its (awaited) value; rejects with RuntimeError. */
  async run(request: RunRequest): Promise<unknown> {
    return valueOf(await this.execute(request));
  }

  /** Like run, but resolves to a report with logs and stats; rejects only for CLOSED and QUEUE_FULL. */
  execute(request: RunRequest): Promise<ExecuteResult> {
    return this.invoke(() => {
      this.checkRunRequest(request);
      return { request, funcName: request.funcName, args: request.args, graph: () => this.registry.graph(request.folder, request.file) };
    });
  }

  /** Runs an inline script and resolves with its (awaited) return value; rejects with RuntimeError. */
  async runCode(request: CodeRequest): Promise<unknown> {
    return valueOf(await this.executeCode(request));
  }

  /** Like runCode, but resolves to a report with logs and stats; rejects only for CLOSED and QUEUE_FULL. */
  executeCode(request: CodeRequest): Promise<ExecuteResult> {
    return this.invoke(() => {
      if (!request || typeof request !== "object") throw invalid("runCode() needs a request object");
      refuseUnknownFields(request, CODE_FIELDS, "a runCode() request");
      if (typeof request.code !== "string") throw invalid("code must be a string");
      if (request.folder !== undefined && (typeof request.folder !== "string" || !path.isAbsolute(request.folder))) {
        throw invalid("folder must be an absolute path");
      }
      // Never looked up on disk here, so no ENAMETOOLONG bounds it: it keys the schedulers' tenant maps (folderTooLong).
      if (request.folder !== undefined && folderTooLong(request.folder)) throw invalid(FOLDER_TOO_LONG);
      return { request, funcName: "default", args: undefined, graph: () => this.registry.inline(request.code, request.folder ?? NO_FOLDER) };
    });
  }

  /** Invocations running and waiting now, and the pool's capacity (for metrics and load shedding). */
  load(): RuntimeLoad {
    return { ...this.scheduler.load(), workers: this.pool.workers };
  }

  /** The shared path of execute and executeCode: check, load, queue fairly, run, report. */
  private async invoke(
    check: () => { request: RunRequest | CodeRequest; funcName: string; args: unknown[] | undefined; graph: () => Promise<ModuleGraph> },
  ): Promise<ExecuteResult> {
    const started = performance.now();
    let loadMs = 0;
    const report = (error: RuntimeError): ExecuteResult => ({
      success: false,
      error: error.toInfo(),
      logs: [],
      stats: { durationMs: 0, loadMs, totalMs: performance.now() - started, toolCalls: 0, logBytes: 0, realmUses: 0 },
    });
    if (this.closing) throw new RuntimeError("CLOSED", "the runtime is closed");
    let task: PoolTask;
    let request: RunRequest | CodeRequest;
    let signal: AbortSignal | undefined;
    try {
      const checked = check();
      request = checked.request;
      signal = signalOf(request.signal);
      if (signal?.aborted) throw cancelledBeforeStart();
      const loading = performance.now();
      task = await this.prepare(checked.request, checked.funcName, checked.args, checked.graph).finally(() => (loadMs = performance.now() - loading)).catch((error: unknown) => {
        // Loading a tenant's files answers with a typed error whatever they hold: anything else is a bug of
        // ours that their input found (a stack overflow on a deep package.json was one), not a rejection
        // of execute(), and its message keeps no host path.
        if (error instanceof RuntimeError) throw error;
        const message = error instanceof Error ? error.message : String(error);
        throw new RuntimeError("INTERNAL_ERROR", `loading the module failed unexpectedly: ${redactPaths(message, MAX_INTERNAL_MESSAGE)}`);
      });
    } catch (error) {
      if (error instanceof RuntimeError) return report(error);
      throw error;
    }
    const folder = request.folder ?? NO_FOLDER;
    const toolContext: ToolCallContext = {
      folder,
      file: "file" in request ? request.file : "",
      funcName: task.funcName,
      context: request.context,
    };
    if (request.meta !== undefined) toolContext.meta = request.meta;
    this.tools.begin(task.invocationId, toolContext);
    try {
      // The folder identifies the tenant for fair queueing.
      let outcome: InvocationOutcome;
      try {
        outcome = await this.scheduler.submit(
          folder,
          (lane) => {
            this.tools.running(task.invocationId, lane);
            return this.pool.run(task, folder, signal);
          },
          signal,
        );
      } catch (error) {
        // A call cancelled while it waited is a report like any other end; QUEUE_FULL and CLOSED reject.
        if (error instanceof RuntimeError && error.code === "CANCELLED") return report(error);
        throw error;
      }
      const common = { logs: outcome.logs, stats: { ...outcome.stats, loadMs, totalMs: performance.now() - started } };
      if (!outcome.ok) return { ...common, success: false, error: outcome.error! };
      if (outcome.value === undefined) return { ...common, success: true };
      // Checked in the sandbox process already: here for one that is compromised (invariant 8), which must not
      // make the host parse an expensive value, nor put anything but JSON into a reply.
      const refusal = valueShapeRefusal(outcome.value, task.limits.maxOutputBytes);
      if (refusal !== undefined) return { ...common, success: false, error: { code: "OUTPUT_TOO_LARGE", name: "RuntimeError", message: refusal } };
      // Handed on unparsed (rawValue): nothing here builds it, but it must be JSON.
      const value = request.rawValue === true ? (isJsonText(outcome.value) ? new JsonText(outcome.value) : NOT_JSON) : parsedOrNotJson(outcome.value);
      if (value === NOT_JSON) return { ...common, success: false, error: { code: "INTERNAL_ERROR", name: "RuntimeError", message: "the sandbox process answered a value that is not JSON" } };
      return { ...common, success: true, value };
    } finally {
      this.tools.end(task.invocationId);
    }
  }

  /** Listens to registry events: module:loaded, module:rejected, module:removed, manifest:loaded, manifest:rejected, reload. */
  on<E extends RuntimeEventName>(event: E, listener: (payload: RuntimeEvents[E]) => void): this {
    this.events.on(event, listener);
    return this;
  }

  once<E extends RuntimeEventName>(event: E, listener: (payload: RuntimeEvents[E]) => void): this {
    this.events.once(event, listener);
    return this;
  }

  off<E extends RuntimeEventName>(event: E, listener: (payload: RuntimeEvents[E]) => void): this {
    this.events.off(event, listener);
    return this;
  }

  /** Resolves when the folder watchers started so far are watching (with `watch`); at once otherwise. */
  ready(): Promise<void> {
    return this.registry.ready();
  }

  /** Every module of a tenant folder: file, version hash, format, exports, validation, last rejection. */
  async modules(folder: string): Promise<ModuleInfo[]> {
    this.checkFolder(folder);
    return this.registry.modules(folder);
  }

  /** The folder's hooks manifest as the registry validated it. */
  async hooks(folder: string): Promise<{ events: Record<string, string[]>; schedules: Record<string, string[]>; issues: ValidationResult["issues"]; valid: boolean }> {
    this.checkFolder(folder);
    const manifest = await this.registry.manifest(folder);
    // fromEntries defines own keys, so an event named "__proto__" is an event, not a prototype.
    const listed = (lists: Map<string, HookTarget[]>): Record<string, string[]> =>
      Object.fromEntries([...lists].map(([key, targets]) => [key, targets.map((t) => `${t.file}#${t.funcName}`)]));
    return { events: listed(manifest.hooks), schedules: listed(manifest.schedules), issues: manifest.issues, valid: manifest.valid };
  }

  /** The folder's schedules in force: each 5-field cron expression (UTC) with its handlers, in manifest order. */
  async schedules(folder: string): Promise<{ cron: string; handlers: HookTarget[] }[]> {
    this.checkFolder(folder);
    return [...(await this.registry.manifest(folder)).schedules].map(([cron, targets]) => ({ cron, handlers: targets.map(({ file, funcName }) => ({ file, funcName })) }));
  }

  /**
   * Runs every handler the folder's tenantbox.json declares for `event`, each in its own invocation,
   * concurrently; resolves to one result per handler in manifest order (`[]` when there is none).
   */
  async emit(event: string, payload: unknown, options: EmitOptions): Promise<HookResult[]> {
    if (typeof event !== "string" || event.length === 0) throw invalid("event must be a non-empty string");
    if (!options || typeof options !== "object") throw invalid("emit() needs { folder }");
    refuseUnknownFields(options, EMIT_FIELDS, "emit()'s options");
    const { folder, context, concurrency, ...rest } = options;
    if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) throw invalid("concurrency must be a positive integer");
    const targets = await this.handlers(event, folder);
    // The payload and context once for all the handlers, not once each on the main thread (the service's sync
    // events do the same: 32 handlers of a 750 KB payload spent ~150 ms stringifying it). What cannot be
    // serialized is left to each handler's call, which refuses it as its own result.
    let serialized: RunRequest["serialized"];
    if (targets.length > 1) {
      try {
        serialized = { args: new JsonText(toJson([payload], "args")), context: new JsonText(toJson(context ?? {}, "context")) };
      } catch {
        serialized = undefined;
      }
    }
    return mapLimited(targets, concurrency ?? targets.length, async (target) => {
      try {
        return hookResult(target, await this.execute({ ...rest, ...target, folder, ...(serialized ? { serialized } : { args: [payload], context }) }));
      } catch (error) {
        // QUEUE_FULL or CLOSED for this handler only: the others still report.
        return refusedHook(target, error);
      }
    });
  }

  /** The handlers the folder's manifest declares for `event`, in order (a snapshot: `[]` when there is none). */
  async handlers(event: string, folder: string): Promise<HookTarget[]> {
    this.checkFolder(folder);
    return ((await this.registry.manifest(folder)).hooks.get(event) ?? []).map(({ file, funcName }) => ({ file, funcName }));
  }

  /** Static checks only (layers 0 and 1), on a loader thread: nothing runs. */
  async validate(code: string, options: ValidateOptions = {}): Promise<ValidationResult> {
    if (typeof code !== "string") throw new TypeError("tenantbox: validate(code) needs a string");
    const level = options.securityLevel ?? this.options.securityLevel;
    if (!isSecurityLevel(level)) throw new TypeError(`tenantbox: unknown security level ${String(level)}`);
    if (options.kind !== undefined && options.kind !== "module" && options.kind !== "script") throw new TypeError(`tenantbox: validate kind must be "module" or "script"`);
    if (this.closing) throw new RuntimeError("CLOSED", "the runtime is closed");
    // It names the tenant for the loader threads' fair queue, a map keyed by its spelling (folderTooLong).
    if (typeof options.folder === "string" && folderTooLong(options.folder)) throw invalid(FOLDER_TOO_LONG);
    const extension = path.extname(options.filename ?? "module.js").toLowerCase();
    return this.registry.check(code, options.kind ?? "module", extension, level, options.folder ?? NO_FOLDER);
  }

  /** Stops taking work, lets admitted and queued invocations finish (each within its timeout), ends the workers. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.registry.close();
      await this.scheduler.close();
      await this.pool.destroy();
    })();
    return this.closing;
  }

  /** The runtime is open and `folder` is an absolute path (a folder's registry calls need both). */
  private checkFolder(folder: unknown): asserts folder is string {
    if (this.closing) throw new RuntimeError("CLOSED", "the runtime is closed");
    if (typeof folder !== "string" || !path.isAbsolute(folder)) throw invalid("folder must be an absolute path");
    if (folderTooLong(folder)) throw invalid(FOLDER_TOO_LONG);
  }

  private checkRunRequest(request: RunRequest): void {
    if (!request || typeof request !== "object") throw invalid("run() needs a request object");
    refuseUnknownFields(request, RUN_FIELDS, "a run() request");
    const { folder, file, funcName } = request;
    if (typeof folder !== "string" || !path.isAbsolute(folder)) throw invalid("folder must be an absolute path");
    if (folderTooLong(folder)) throw invalid(FOLDER_TOO_LONG);
    if (typeof file !== "string" || file.length === 0) throw invalid("file must be a non-empty relative path");
    // Its spelling keys the host's graph caches: past 16,383 characters V8 hashes it by its length alone (resolve.ts).
    if (file.length > MAX_ENTRY_FILE_LENGTH) throw invalid(`file must be at most ${MAX_ENTRY_FILE_LENGTH} characters`);
    if (file.includes("\0") || folder.includes("\0")) throw invalid("paths must not contain NUL characters");
    if (path.isAbsolute(file)) throw invalid("file must be relative to folder");
    if (typeof funcName !== "string" || funcName.length === 0 || funcName.length > MAX_FUNC_NAME) {
      throw invalid(`funcName must be a non-empty string of at most ${MAX_FUNC_NAME} characters`);
    }
  }

  private async prepare(
    request: CallLimits & { context?: unknown; env?: unknown; serialized?: { args: JsonText; context: JsonText } },
    funcName: string,
    args: unknown,
    loadGraph: () => Promise<ModuleGraph>,
  ): Promise<PoolTask> {
    const { serialized } = request;
    if (serialized !== undefined && !(typeof serialized === "object" && serialized !== null && isArrayText(serialized.args) && isText(serialized.context))) throw invalid("serialized must hold args (an array's JSON text) and context (JSON text)");
    if (serialized === undefined && args !== undefined && !Array.isArray(args)) throw invalid("args must be an array");
    const narrowed = narrowLimits(request, this.options);
    const { maxCodeBytes } = narrowed;
    // Ids are stop-flag values (int32) and never 0.
    this.nextInvocationId = this.nextInvocationId >= 0x7fffffff ? 1 : this.nextInvocationId + 1;
    // Taken before loading: other calls take theirs while this one's graph is compiled.
    const invocationId = this.nextInvocationId;
    const argsJson = serialized ? serialized.args.text : toJson(args ?? [], "args");
    // No context is an empty one: `context.userId` reads undefined instead of throwing.
    const contextJson = serialized ? serialized.context.text : toJson(request.context ?? {}, "context");
    const env = request.env === undefined ? this.options.envJson : envJson(request.env);
    if (typeof env !== "string") throw invalid(env.problem);
    const graph = await loadGraph();
    if (graph.sourceBytes > maxCodeBytes) {
      throw new RuntimeError("CODE_TOO_LARGE", `the code to run is ${graph.sourceBytes} bytes; the limit is ${maxCodeBytes}`, {
        bytes: graph.sourceBytes,
        limit: maxCodeBytes,
      });
    }
    return {
      invocationId,
      modules: graph.modules,
      entry: graph.entry,
      funcName,
      args: argsJson,
      context: contextJson,
      env,
      securityLevel: this.options.securityLevel,
      limits: this.invocationLimits(narrowed),
      hasToolHandler: this.tools.available,
    };
  }

  /** What the invocation carries to its worker: the call's narrowed limits, else the runtime's; one that is off is unbounded. */
  private invocationLimits(narrowed: Record<PerCallLimitName, number>): InvocationLimits {
    const limits = {
      // Buffers sit outside the heap limit; an invocation may allocate up to 4x the heap limit of them in total.
      maxBufferBytes: this.options.memoryLimitMb * 4 * 1024 * 1024,
    } as InvocationLimits;
    for (const name of INVOCATION_LIMITS) {
      limits[name] = (name in narrowed ? narrowed[name as PerCallLimitName] : this.options[name]) ?? Number.MAX_SAFE_INTEGER;
    }
    return limits;
  }
}
