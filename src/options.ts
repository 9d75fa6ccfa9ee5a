import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LoaderPoolOptions } from "./loader/loader-pool.js";
import type { ScoringSettings } from "./loader/module-graph.js";
import { LIMITS, OPTION_LIMITS, type LimitContext, type LimitSpec, type OptionLimitName, type ResolvedLimits } from "./limits.js";
import { DEFAULT_ENV, envJson } from "./process-env.js";
import type { ToolHandler } from "./runner/tool-dispatch.js";
import { isSecurityLevel, SECURITY_LEVELS, type SecurityLevel } from "./security-levels.js";

export type { ToolCallContext, ToolHandler } from "./runner/tool-dispatch.js";

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

/**
 * Options of `new IsolatedRuntime(options)`. The numeric limits (timeout, memoryLimitMb, maxThreads,
 * maxToolCalls, maxOutputBytes, ...) are the rows of LIMITS in limits.ts: default, bounds, unit, meaning.
 */
export interface RuntimeOptions extends Partial<Record<OptionLimitName, number>> {
  toolHandler?: ToolHandler;
  securityLevel?: SecurityLevel;
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
  /**
   * The user and group sandbox processes run as when the host runs as root (default: nobody / nogroup).
   * Never root; the runtime refuses to start if it cannot switch to them.
   */
  sandboxUser?: { uid: number; gid: number };
  /**
   * A sandbox process serves one tenant (folder) for its whole life: after an escape from the realm, the
   * process is the attacker's, and it never runs another tenant's call. Costs a process start (~40-70 ms)
   * whenever a worker passes from one tenant to another; off by default.
   */
  processPerTenant?: boolean;
  /** The `process.env` tenant code sees, for every call that does not bring its own; default { NODE_ENV: "production" }. */
  env?: Record<string, string>;
  /**
   * A directory (absolute path) where loader threads keep the versions they validated and transformed, signed,
   * for other processes and restarts to reuse (loader/version-store.ts); off by default. Created 0700; one
   * other users may write, or another user owns, is refused.
   */
  compileCacheDir?: string;
}

/** The options that are not limits; with OPTION_LIMITS, every option there is. */
const OTHER_OPTIONS = ["toolHandler", "securityLevel", "scoringGate", "root", "watch", "isolation", "sandboxUser", "processPerTenant", "env", "compileCacheDir"] as const satisfies readonly (keyof RuntimeOptions)[];
// Every option is a limit or listed above: a new option without validation is a compile error.
const everyOptionKnown: Exclude<keyof RuntimeOptions, OptionLimitName | (typeof OTHER_OPTIONS)[number]> extends never ? true : never = true;
void everyOptionKnown;

export interface ResolvedOptions extends ResolvedLimits {
  toolHandler?: ToolHandler;
  securityLevel: SecurityLevel;
  root?: string;
  watch: boolean;
  scoring?: ScoringSettings;
  isolation: "process" | "thread";
  sandboxUser?: { uid: number; gid: number };
  processPerTenant: boolean;
  /** The default realm env, as JSON text (process-env.ts). */
  envJson: string;
  /** The loader threads that validate and transform tenant text off the main thread. */
  loader: LoaderPoolOptions;
}

const KNOWN = new Set<string>([...OPTION_LIMITS, ...OTHER_OPTIONS]);

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
  if (options.toolHandler !== undefined && typeof options.toolHandler !== "function") {
    throw new TypeError(`tenantbox: option "toolHandler" must be a function, got ${describe(options.toolHandler)}`);
  }
  const limits = resolveLimits(options, { cpus, securityLevel, resolved: {} });
  const resolved: ResolvedOptions = {
    ...limits,
    securityLevel,
    watch: options.watch ?? false,
    processPerTenant: options.processPerTenant ?? false,
    isolation: options.isolation ?? "process",
    envJson: JSON.stringify(DEFAULT_ENV),
    loader: {
      // Two at least, so that one tenant's slow file never holds back every other tenant's new code.
      threads: Math.max(2, Math.min(4, Math.floor(cpus / 2))),
      timeoutMs: limits.loaderTimeout,
      memoryLimitMb: limits.loaderMemoryLimitMb,
    },
  };
  if (resolved.isolation !== "process" && resolved.isolation !== "thread") {
    throw new TypeError(`tenantbox: option "isolation" must be "process" or "thread", got ${describe(options.isolation)}`);
  }
  if (typeof resolved.watch !== "boolean") throw new TypeError(`tenantbox: option "watch" must be a boolean, got ${describe(options.watch)}`);
  if (typeof resolved.processPerTenant !== "boolean") {
    throw new TypeError(`tenantbox: option "processPerTenant" must be a boolean, got ${describe(options.processPerTenant)}`);
  }
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
  if (options.compileCacheDir !== undefined) {
    if (typeof options.compileCacheDir !== "string" || !path.isAbsolute(options.compileCacheDir)) {
      throw new TypeError(`tenantbox: option "compileCacheDir" must be an absolute path, got ${describe(options.compileCacheDir)}`);
    }
    resolved.loader.storeDir = options.compileCacheDir;
  }
  if (options.root !== undefined) {
    if (typeof options.root !== "string" || !path.isAbsolute(options.root)) {
      throw new TypeError(`tenantbox: option "root" must be an absolute path, got ${describe(options.root)}`);
    }
    resolved.root = options.root;
    // Inside the root, some tenant's folder could hold it and read its key (the registry checks real paths too).
    // By spelling, and by real path (a symbolic link on the way into the root, or to it): checked before the
    // directory and its key are made, which a tenant folder would otherwise hold until its calls were refused.
    const store = resolved.loader.storeDir;
    if (store !== undefined && (within(store, options.root) || within(realPathSoFar(store), realPathSoFar(options.root)))) {
      throw new TypeError(`tenantbox: option "compileCacheDir" must be outside "root" (tenants could read its key)`);
    }
  }
  if (options.toolHandler) resolved.toolHandler = options.toolHandler;
  if (options.env !== undefined) {
    const json = envJson(options.env);
    if (typeof json !== "string") throw new TypeError(`tenantbox: option "env": ${json.problem}`);
    resolved.envJson = json;
  }
  if (options.sandboxUser !== undefined) {
    const user = options.sandboxUser as unknown;
    if (user === null || typeof user !== "object" || Array.isArray(user)) {
      throw new TypeError(`tenantbox: option "sandboxUser" must be an object { uid, gid }, got ${describe(user)}`);
    }
    const { uid, gid } = user as { uid?: unknown; gid?: unknown };
    // 0 is root: a sandbox process must never run as it.
    resolved.sandboxUser = { uid: integer("sandboxUser.uid", uid, 1, 4_294_967_294), gid: integer("sandboxUser.gid", gid, 1, 4_294_967_294) };
  }
  return resolved;
}

/** Every option limit, in LIMITS order: its default when absent, else an integer within its bounds. */
function resolveLimits(options: RuntimeOptions, ctx: LimitContext): ResolvedLimits {
  const resolved: Record<string, number | undefined> = {};
  ctx = { ...ctx, resolved };
  for (const name of OPTION_LIMITS) {
    const spec: LimitSpec = LIMITS[name];
    const given = options[name];
    const value =
      given === undefined
        ? typeof spec.default === "function"
          ? spec.default(ctx)
          : spec.default
        : integer(name, given, spec.min, typeof spec.max === "function" ? spec.max(ctx) : spec.max);
    // An absent limit that is off stays absent (maxIterations), as callers test with `=== undefined` or `in`.
    if (value !== undefined) resolved[name] = value;
  }
  return resolved as ResolvedLimits;
}

/** Whether `inner` is `outer` or inside it (both absolute). */
function within(inner: string, outer: string): boolean {
  const [a, b] = [path.resolve(inner), path.resolve(outer)];
  return a === b || a.startsWith(b.endsWith(path.sep) ? b : b + path.sep);
}

/** The real path of `file`'s longest existing ancestor, with the rest of its spelling after it (nothing need exist). */
function realPathSoFar(file: string): string {
  let existing = path.resolve(file);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync.native(existing), ...rest);
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return path.resolve(file);
      rest.unshift(path.basename(existing));
      existing = parent;
    }
  }
}
