import { LEVEL_DEFAULTS, type SecurityLevel } from "./security-levels.js";

/**
 * What a limit's default and bounds may depend on: the machine, the security level, and the limits
 * resolved before it (rows are resolved in table order, so a row may depend only on rows above it).
 */
export interface LimitContext {
  cpus: number;
  securityLevel: SecurityLevel;
  resolved: Readonly<Record<string, number | undefined>>;
}

type Computed = (ctx: LimitContext) => number;

export interface LimitSpec {
  /** The value when the option is not given; computed when it depends on the context; undefined: off (no limit). */
  default: number | undefined | ((ctx: LimitContext) => number | undefined);
  /** The default as the README states it, when it is computed (for a number it is derived from `unit`). */
  shown?: string;
  /** Smallest and largest value the option accepts. */
  min: number;
  max: number | Computed;
  unit: "ms" | "bytes" | "MiB" | "count";
  /** false: not a runtime option, only a per-call limit. */
  option?: false;
  /** A call may ask for less (never more): the smallest value it may ask for. Absent: no per-call override. */
  perCall?: { min: number };
  /** Travels with every invocation to its worker (InvocationTask.limits in runner/protocol.ts). */
  invocation?: true;
  /** Its default may be off (undefined): no limit unless a level or the option sets one. */
  canBeOff?: true;
  /** One line: what it bounds, and what happens past it. */
  meaning: string;
}

const KiB = 1024;
const MiB = 1024 * 1024;

/**
 * Every numeric limit of the runtime, once: options validation (options.ts), per-call narrowing
 * (isolated-runtime.ts), what crosses to the worker (runner/protocol.ts) and the README's tables follow
 * from it (test/docs.test.ts checks the README). A new limit is one row here, plus its enforcement.
 */
export const LIMITS = {
  timeout: {
    default: 5000,
    min: 1,
    max: 3_600_000,
    unit: "ms",
    perCall: { min: 1 },
    invocation: true,
    meaning: "wall-clock limit of one invocation, async work and tool calls included; beyond it TIMEOUT",
  },
  memoryLimitMb: { default: 64, min: 16, max: 65_536, unit: "MiB", meaning: "heap limit of each worker; beyond it MEMORY_LIMIT_EXCEEDED" },
  maxThreads: { default: (ctx) => ctx.cpus, shown: "CPU count", min: 1, max: 256, unit: "count", meaning: "workers in the pool" },
  minThreads: {
    default: (ctx) => ctx.resolved.maxThreads!,
    shown: "`maxThreads`",
    min: 0,
    max: (ctx) => ctx.resolved.maxThreads!,
    unit: "count",
    meaning: "workers kept started",
  },
  maxQueue: { default: 1024, min: 0, max: 10_000_000, unit: "count", meaning: "invocations that may wait for a free worker; beyond it QUEUE_FULL" },
  maxConcurrentPerTenant: {
    default: (ctx) => ctx.resolved.maxThreads!,
    shown: "`maxThreads`",
    min: 1,
    max: 1_000_000,
    unit: "count",
    meaning: "invocations of one tenant (one folder) running at once; the rest wait in the tenant's queue",
  },
  idleWorkerMs: {
    default: 60_000,
    min: 100,
    max: 86_400_000,
    unit: "ms",
    meaning: "a worker beyond minThreads that has been idle this long is stopped (those a burst started, parked or not, go away after it)",
  },
  parkedWorkers: {
    default: (ctx) => 2 * ctx.resolved.maxThreads!,
    shown: "2 x `maxThreads`",
    min: 0,
    max: 4096,
    unit: "count",
    meaning: "workers beyond maxThreads for calls parked on a tool call: while it waits, a call uses no core and counts against neither maxThreads nor maxConcurrentPerTenant; started when first needed",
  },
  maxToolCalls: {
    default: 100,
    min: 0,
    max: 1_000_000,
    unit: "count",
    perCall: { min: 0 },
    invocation: true,
    meaning: "tool calls per invocation; beyond it MAX_TOOL_CALLS",
  },
  maxToolArgBytes: {
    default: 1 * MiB,
    min: 16,
    max: 512 * MiB,
    unit: "bytes",
    invocation: true,
    meaning: "largest JSON of one tool call's arguments; beyond it TOOL_ERROR, before it leaves the sandbox",
  },
  maxOutputBytes: {
    default: 1 * MiB,
    min: 16,
    max: 512 * MiB,
    unit: "bytes",
    perCall: { min: 1 },
    invocation: true,
    meaning: "largest serialized return value; beyond it OUTPUT_TOO_LARGE",
  },
  maxLogBytes: {
    default: 64 * KiB,
    min: 0,
    max: 64 * MiB,
    unit: "bytes",
    invocation: true,
    meaning: "console output kept per invocation; the rest is dropped behind a marker line",
  },
  maxIterations: {
    default: (ctx) => LEVEL_DEFAULTS[ctx.securityLevel].maxIterations,
    shown: "off (level default)",
    canBeOff: true,
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    unit: "count",
    invocation: true,
    meaning: "loop iterations per invocation, counted exactly; beyond it MAX_ITERATIONS (undefined: off)",
  },
  hardStopGraceMs: {
    default: 500,
    min: 50,
    max: 600_000,
    unit: "ms",
    meaning: "after the timeout, how long a worker that cannot be interrupted gets before it is ended",
  },
  readyContexts: { default: 2, min: 0, max: 64, unit: "count", meaning: "spare hardened realms each worker keeps ready" },
  maxModuleBytes: {
    default: (ctx) => LEVEL_DEFAULTS[ctx.securityLevel].maxModuleBytes,
    shown: "the level's",
    min: 1,
    max: (ctx) => LEVEL_DEFAULTS[ctx.securityLevel].maxModuleBytes,
    unit: "bytes",
    meaning: "largest module file; a bigger file is refused before it is read",
  },
  loaderTimeout: {
    default: 10_000,
    min: 100,
    max: 600_000,
    unit: "ms",
    meaning: "longest one file may take to validate and transform on a loader thread; past it VALIDATION_ERROR",
  },
  loaderMemoryLimitMb: { default: 512, min: 64, max: 65_536, unit: "MiB", meaning: "heap limit of each loader thread; past it VALIDATION_ERROR" },
  maxCodeBytes: {
    default: undefined,
    shown: "none",
    canBeOff: true,
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    unit: "bytes",
    option: false,
    perCall: { min: 1 },
    meaning: "source bytes of the call's whole module graph, as written; beyond it CODE_TOO_LARGE",
  },
} as const satisfies Record<string, LimitSpec>;

type Rows = typeof LIMITS;
export type LimitName = keyof Rows;
/** Limits that are runtime options (all but the per-call-only ones). */
export type OptionLimitName = { [K in LimitName]: Rows[K] extends { option: false } ? never : K }[LimitName];
/** Limits a call may lower. */
export type PerCallLimitName = { [K in LimitName]: Rows[K] extends { perCall: object } ? K : never }[LimitName];
/** Limits each invocation carries to its worker. */
export type InvocationLimitName = { [K in LimitName]: Rows[K] extends { invocation: true } ? K : never }[LimitName];

const names = Object.keys(LIMITS) as LimitName[];
export const OPTION_LIMITS = names.filter((name): name is OptionLimitName => (LIMITS[name] as LimitSpec).option !== false);
export const PER_CALL_LIMITS = names.filter((name): name is PerCallLimitName => (LIMITS[name] as LimitSpec).perCall !== undefined);
export const INVOCATION_LIMITS = names.filter((name): name is InvocationLimitName => (LIMITS[name] as LimitSpec).invocation === true);

/** Limits of one call, each at most the runtime's own (a platform's per-tenant quotas). */
export type CallLimits = { [K in PerCallLimitName]?: number };

/** The option limits after resolution: each a number, absent where the limit is off. */
export type ResolvedLimits = { [K in OptionLimitName as Rows[K] extends { canBeOff: true } ? never : K]: number } & {
  [K in OptionLimitName as Rows[K] extends { canBeOff: true } ? K : never]?: number;
};

/** A limit's default as the README states it: "5000", "1 MiB", "64 KiB", or the row's `shown` text. */
export function shownDefault(name: LimitName): string {
  const spec: LimitSpec = LIMITS[name];
  if (spec.shown !== undefined) return spec.shown;
  const value = spec.default as number;
  if (spec.unit === "bytes" && value >= MiB && value % MiB === 0) return `${value / MiB} MiB`;
  if (spec.unit === "bytes" && value >= KiB && value % KiB === 0) return `${value / KiB} KiB`;
  return String(value);
}

/**
 * Whether loops are compiled to count iterations (loader/transform.ts): maxIterations is on. Off is
 * `undefined` in the options and Number.MAX_SAFE_INTEGER in an invocation's limits; a limit of
 * Number.MAX_SAFE_INTEGER bounds nothing either, so it counts as off everywhere.
 */
export function countsIterations(maxIterations: number | undefined): boolean {
  return maxIterations !== undefined && maxIterations < Number.MAX_SAFE_INTEGER;
}
