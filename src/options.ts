import os from "node:os";
import path from "node:path";
import type { LoaderPoolOptions } from "./loader/loader-pool.js";
import type { ScoringSettings } from "./loader/module-graph.js";
import { isSecurityLevel, LEVEL_DEFAULTS, SECURITY_LEVELS, type SecurityLevel } from "./security-levels.js";

/** What a tool handler learns about the invocation that called it. */
export interface ToolCallContext {
  folder: string;
  file: string;
  funcName: string;
  context: unknown;
  /** The `meta` the platform passed with the call: host data for its tools, never seen by the sandbox. */
  meta?: unknown;
}

export type ToolHandler = (name: string, args: unknown, ctx: ToolCallContext) => unknown | Promise<unknown>;

/** Layer 3: the rule-based scorer for exfiltration-shaped code. */
export interface ScoringGateOptions {
  /** Score (0-100) from which a module is refused with SCORING_BLOCKED. Default 70. */
  blockThreshold?: number;
  /** Score from which a module runs but carries a "scoring" warning. Default 40. */
  warnThreshold?: number;
  /** Told the score of every new module version, with the decision. */
  onScore?: ScoringSettings["onScore"];
  /** Replaces the built-in score: gets the source, the file and the built-in report. */
  customScorer?: ScoringSettings["customScorer"];
}

export interface RuntimeOptions {
  /** Wall-clock limit for one invocation, async work and tool calls included (ms). */
  timeout?: number;
  /** Heap limit of each worker (MiB); a tenant that exceeds it ends as MEMORY_LIMIT_EXCEEDED. */
  memoryLimitMb?: number;
  minThreads?: number;
  maxThreads?: number;
  /** Invocations that may wait for a worker before `run` rejects with QUEUE_FULL. */
  maxQueue?: number;
  /** Invocations of one tenant (one folder) that may run at once; the rest wait in the tenant's own queue. */
  maxConcurrentPerTenant?: number;
  maxToolCalls?: number;
  /** Largest JSON of one tool call's arguments (bytes); larger calls fail with TOOL_ERROR before leaving the sandbox. */
  maxToolArgBytes?: number;
  toolHandler?: ToolHandler;
  securityLevel?: SecurityLevel;
  /** Largest serialized return value (bytes). */
  maxOutputBytes?: number;
  /** Console output kept per invocation (bytes); the rest is dropped behind a marker. */
  maxLogBytes?: number;
  /** Loop iterations per invocation; off unless the security level or this option sets it. */
  maxIterations?: number;
  /** Extra time after `timeout` before a worker that cannot be interrupted is terminated (ms). */
  hardStopGraceMs?: number;
  /** Layer 3 scoring gate: off by default, on at STRICT; true for the defaults, false to turn it off. */
  scoringGate?: boolean | ScoringGateOptions;
  /** Directory with one folder per tenant: folders must be inside it, and `watch` covers all of them. */
  root?: string;
  /** Hot reload: watch tenant folders (chokidar) and serve from memory; the last good version of a module keeps serving. */
  watch?: boolean;
  /**
   * Where the worker pool lives. "process" (default): in a sandbox process of its own, so that nothing a
   * tenant does can abort the host process. "thread": in this process (faster; an out-of-memory abort V8
   * cannot turn into a clean worker exit then ends the host too).
   */
  isolation?: "process" | "thread";
  /** Largest module file in bytes (at most the security level's limit): a bigger file is refused before it is read. */
  maxModuleBytes?: number;
  /** Spare hardened realms each worker keeps ready, so a realm that cannot be reused is replaced off the call path. */
  readyContexts?: number;
  /**
   * The user and group sandbox processes run as when the host runs as root (default: nobody / nogroup).
   * Never root; the runtime refuses to start if it cannot switch to them.
   */
  sandboxUser?: { uid: number; gid: number };
  /** Longest one module file may take to validate and transform on a loader thread (ms); past it the file is refused. */
  loaderTimeout?: number;
  /** Heap limit of each loader thread (MiB); a file that needs more to validate is refused. */
  loaderMemoryLimitMb?: number;
}

export interface ResolvedOptions {
  timeout: number;
  memoryLimitMb: number;
  minThreads: number;
  maxThreads: number;
  maxQueue: number;
  maxConcurrentPerTenant: number;
  maxToolCalls: number;
  maxToolArgBytes: number;
  toolHandler?: ToolHandler;
  securityLevel: SecurityLevel;
  maxOutputBytes: number;
  maxLogBytes: number;
  maxIterations?: number;
  hardStopGraceMs: number;
  readyContexts: number;
  maxModuleBytes: number;
  root?: string;
  watch: boolean;
  scoring?: ScoringSettings;
  isolation: "process" | "thread";
  sandboxUser?: { uid: number; gid: number };
  /** The loader threads that validate and transform tenant text off the main thread. */
  loader: LoaderPoolOptions;
}

const KNOWN = new Set<string>([
  "loaderTimeout",
  "loaderMemoryLimitMb",
  "timeout",
  "memoryLimitMb",
  "minThreads",
  "maxThreads",
  "maxQueue",
  "maxConcurrentPerTenant",
  "maxToolCalls",
  "maxToolArgBytes",
  "toolHandler",
  "securityLevel",
  "maxOutputBytes",
  "maxLogBytes",
  "maxIterations",
  "hardStopGraceMs",
  "readyContexts",
  "root",
  "watch",
  "scoringGate",
  "isolation",
  "maxModuleBytes",
  "sandboxUser",
]);

function integer(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`tenantbox: option "${name}" must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  return typeof value;
}

/** The default pool size: one worker per CPU the process may use. */
export function defaultThreads(): number {
  return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
}

/** Checks every option and fills defaults; throws a TypeError naming the bad option. */
export function resolveOptions(options: RuntimeOptions = {}): ResolvedOptions {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError("tenantbox: options must be an object");
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TypeError(`tenantbox: unknown option "${key}"`);
  }
  const cpus = defaultThreads();
  const securityLevel = options.securityLevel ?? "STANDARD";
  if (!isSecurityLevel(securityLevel)) {
    throw new TypeError(`tenantbox: option "securityLevel" must be one of ${SECURITY_LEVELS.join(", ")}, got ${describe(securityLevel)}`);
  }
  const maxThreads = options.maxThreads === undefined ? cpus : integer("maxThreads", options.maxThreads, 1, 256);
  const minThreads =
    options.minThreads === undefined ? maxThreads : integer("minThreads", options.minThreads, 0, maxThreads);
  if (options.toolHandler !== undefined && typeof options.toolHandler !== "function") {
    throw new TypeError(`tenantbox: option "toolHandler" must be a function, got ${describe(options.toolHandler)}`);
  }
  const levelIterations = LEVEL_DEFAULTS[securityLevel].maxIterations;
  const resolved: ResolvedOptions = {
    timeout: options.timeout === undefined ? 5000 : integer("timeout", options.timeout, 1, 3_600_000),
    memoryLimitMb: options.memoryLimitMb === undefined ? 64 : integer("memoryLimitMb", options.memoryLimitMb, 16, 65_536),
    minThreads,
    maxThreads,
    maxQueue: options.maxQueue === undefined ? 1024 : integer("maxQueue", options.maxQueue, 0, 10_000_000),
    maxConcurrentPerTenant:
      options.maxConcurrentPerTenant === undefined
        ? maxThreads
        : integer("maxConcurrentPerTenant", options.maxConcurrentPerTenant, 1, 1_000_000),
    maxToolCalls: options.maxToolCalls === undefined ? 100 : integer("maxToolCalls", options.maxToolCalls, 0, 1_000_000),
    securityLevel,
    maxToolArgBytes:
      options.maxToolArgBytes === undefined ? 1024 * 1024 : integer("maxToolArgBytes", options.maxToolArgBytes, 16, 512 * 1024 * 1024),
    maxOutputBytes:
      options.maxOutputBytes === undefined ? 1024 * 1024 : integer("maxOutputBytes", options.maxOutputBytes, 16, 512 * 1024 * 1024),
    maxLogBytes: options.maxLogBytes === undefined ? 64 * 1024 : integer("maxLogBytes", options.maxLogBytes, 0, 64 * 1024 * 1024),
    hardStopGraceMs:
      options.hardStopGraceMs === undefined ? 500 : integer("hardStopGraceMs", options.hardStopGraceMs, 50, 600_000),
    readyContexts: options.readyContexts === undefined ? 2 : integer("readyContexts", options.readyContexts, 0, 64),
    maxModuleBytes:
      options.maxModuleBytes === undefined
        ? LEVEL_DEFAULTS[securityLevel].maxModuleBytes
        : integer("maxModuleBytes", options.maxModuleBytes, 1, LEVEL_DEFAULTS[securityLevel].maxModuleBytes),
    watch: options.watch ?? false,
    isolation: options.isolation ?? "process",
    loader: {
      // Two at least, so that one tenant's slow file never holds back every other tenant's new code.
      threads: Math.max(2, Math.min(4, Math.floor(cpus / 2))),
      timeoutMs: options.loaderTimeout === undefined ? 10_000 : integer("loaderTimeout", options.loaderTimeout, 100, 600_000),
      memoryLimitMb: options.loaderMemoryLimitMb === undefined ? 512 : integer("loaderMemoryLimitMb", options.loaderMemoryLimitMb, 64, 65_536),
    },
  };
  if (resolved.isolation !== "process" && resolved.isolation !== "thread") {
    throw new TypeError(`tenantbox: option "isolation" must be "process" or "thread", got ${describe(options.isolation)}`);
  }
  if (typeof resolved.watch !== "boolean") throw new TypeError(`tenantbox: option "watch" must be a boolean, got ${describe(options.watch)}`);
  const gate = options.scoringGate ?? securityLevel === "STRICT";
  if (gate !== false) {
    if (gate !== true && (typeof gate !== "object" || gate === null)) {
      throw new TypeError(`tenantbox: option "scoringGate" must be a boolean or an object, got ${describe(gate)}`);
    }
    const g = gate === true ? {} : gate;
    for (const key of Object.keys(g)) {
      if (!["blockThreshold", "warnThreshold", "onScore", "customScorer"].includes(key)) throw new TypeError(`tenantbox: unknown scoringGate option "${key}"`);
    }
    const scoring: ScoringSettings = {
      blockThreshold: g.blockThreshold === undefined ? 70 : integer("scoringGate.blockThreshold", g.blockThreshold, 0, 100),
      warnThreshold: g.warnThreshold === undefined ? 40 : integer("scoringGate.warnThreshold", g.warnThreshold, 0, 100),
    };
    if (g.onScore !== undefined) {
      if (typeof g.onScore !== "function") throw new TypeError(`tenantbox: option "scoringGate.onScore" must be a function`);
      scoring.onScore = g.onScore;
    }
    if (g.customScorer !== undefined) {
      if (typeof g.customScorer !== "function") throw new TypeError(`tenantbox: option "scoringGate.customScorer" must be a function`);
      scoring.customScorer = g.customScorer;
    }
    resolved.scoring = scoring;
  }
  if (options.root !== undefined) {
    if (typeof options.root !== "string" || !path.isAbsolute(options.root)) {
      throw new TypeError(`tenantbox: option "root" must be an absolute path, got ${describe(options.root)}`);
    }
    resolved.root = options.root;
  }
  if (options.toolHandler) resolved.toolHandler = options.toolHandler;
  if (options.sandboxUser !== undefined) {
    const user = options.sandboxUser as unknown;
    if (user === null || typeof user !== "object" || Array.isArray(user)) {
      throw new TypeError(`tenantbox: option "sandboxUser" must be an object { uid, gid }, got ${describe(user)}`);
    }
    const { uid, gid } = user as { uid?: unknown; gid?: unknown };
    // 0 is root: a sandbox process must never run as it.
    resolved.sandboxUser = { uid: integer("sandboxUser.uid", uid, 1, 4_294_967_294), gid: integer("sandboxUser.gid", gid, 1, 4_294_967_294) };
  }
  const maxIterations =
    options.maxIterations === undefined ? levelIterations : integer("maxIterations", options.maxIterations, 1, Number.MAX_SAFE_INTEGER);
  if (maxIterations !== undefined) resolved.maxIterations = maxIterations;
  return resolved;
}
