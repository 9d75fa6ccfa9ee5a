import type { Primordials } from "./primordials.js";

/**
 * The realm's `process` (the global and `require("process")`): a fresh object per invocation, built here from
 * realm objects, with what library code reads (env, nextTick, version, platform, cwd, hrtime, ...) and
 * nothing that reaches the host: no pid, no binding, no getBuiltinModule, no exit. `env` is the invocation's
 * own copy of the caller's env option (JSON text parsed here).
 */
export function createProcess(
  P: Primordials,
  envJson: string,
  nodeVersion: string,
  startedAt: number,
  log: (level: string, text: string) => void,
  queue: (fn: () => void) => void,
  /** The bytes this invocation allocated outside the heap so far (array buffers: what main.ts charges). */
  chargedBytes: () => number,
) {
  const env = P.JSONParse(envJson) as Record<string, string>;
  const unavailable = function (name: string) {
    return function () {
      throw new P.Error("process." + name + "() is not available in the sandbox");
    };
  };
  const hrtime = function hrtime(previous?: [number, number]) {
    // Milliseconds, not nanoseconds: a fine clock is a timing side channel, and the realm has no finer one.
    const ms = P.DateNow() - startedAt;
    let seconds = P.MathFloor(ms / 1000);
    let nanos = (ms - seconds * 1000) * 1e6;
    if (P.ArrayIsArray(previous)) {
      seconds -= P.Number(previous[0]);
      nanos -= P.Number(previous[1]);
      if (nanos < 0) {
        seconds--;
        nanos += 1e9;
      }
    }
    return [seconds, nanos];
  };
  hrtime.bigint = function bigint() {
    return BigInt(P.DateNow() - startedAt) * 1000000n;
  };
  // What the realm knows of its memory: the invocation's own allocations outside the heap (array buffers), as
  // charged against its limit. The sandbox process's heap and resident size are not shown: the process serves
  // other tenants' calls too, and its figures would tell of them (and of the host's allocator); they are 0.
  const memoryUsage = function memoryUsage() {
    const outside = chargedBytes();
    return { rss: outside, heapTotal: 0, heapUsed: 0, external: outside, arrayBuffers: outside };
  };
  memoryUsage.rss = function rss() {
    return chargedBytes();
  };
  // The invocation's own time as CPU time (user, in microseconds at the realm's millisecond grain; system 0):
  // the process's own counters would tell of the calls it served before.
  const cpuUsage = function cpuUsage(previous?: { user?: unknown; system?: unknown }) {
    const user = (P.DateNow() - startedAt) * 1000;
    if (!previous) return { user, system: 0 };
    if (typeof previous !== "object") throw invalidArg('The "prevValue" argument must be of type object.' + received(previous));
    const before = [previous.user, previous.system];
    const names = ["prevValue.user", "prevValue.system"];
    for (let i = 0; i < 2; i++) {
      const value = before[i];
      if (typeof value !== "number") throw invalidArg('The "' + names[i] + '" property must be of type number.' + received(value));
      if (!(value >= 0 && value < 9007199254740992)) {
        const error = new P.RangeError("The property '" + names[i] + "' is invalid. Received " + P.String(value));
        (error as { code?: string }).code = "ERR_INVALID_ARG_VALUE";
        throw error;
      }
    }
    return { user: user - (before[0] as number), system: 0 - (before[1] as number) };
  };
  const invalidArg = (message: string) => {
    const error = new P.TypeError(message);
    (error as { code?: string }).code = "ERR_INVALID_ARG_TYPE";
    return error;
  };
  const received = (value: unknown) =>
    value === null ? " Received null" : value === undefined ? " Received undefined" : typeof value === "object" ? " Received an instance of Object" : " Received type " + typeof value + " (" + P.String(value) + ")";
  const process: Record<string, unknown> = {
    title: "tenantbox",
    version: nodeVersion,
    versions: { node: P.StringPrototypeSlice(nodeVersion, 1) },
    release: { name: "node" },
    platform: "linux",
    // Fixed, as os.arch() is (builtins/os.cjs): the realm is a neutral machine, whatever the host is.
    arch: "x64",
    env,
    argv: ["node"],
    argv0: "node",
    execArgv: [],
    execPath: "/usr/bin/node",
    exitCode: undefined,
    features: {},
    config: { variables: {} },
    cwd: function cwd() {
      return "/";
    },
    chdir: unavailable("chdir"),
    umask: function umask() {
      return 0o22;
    },
    uptime: function uptime() {
      return (P.DateNow() - startedAt) / 1000;
    },
    hrtime,
    memoryUsage,
    cpuUsage,
    nextTick: function nextTick(fn: unknown, ...args: unknown[]) {
      if (typeof fn !== "function") throw new P.TypeError('The "callback" argument must be of type function');
      queue(function () {
        P.apply(fn as (...a: unknown[]) => unknown, undefined, args);
      });
    },
    emitWarning: function emitWarning(warning: unknown) {
      log("warn", "Warning: " + (typeof warning === "string" ? warning : P.String(warning && (warning as { message?: unknown }).message)));
    },
    stdout: { isTTY: false, write: (text: unknown) => (log("log", P.String(text)), true) },
    stderr: { isTTY: false, write: (text: unknown) => (log("error", P.String(text)), true) },
    exit: unavailable("exit"),
    abort: unavailable("abort"),
    kill: unavailable("kill"),
  };
  // Events on process never fire here (no signals, no exit): listeners are accepted and ignored.
  const self = function () {
    return process;
  };
  const names = ["on", "once", "off", "addListener", "removeListener", "removeAllListeners", "prependListener", "prependOnceListener", "setMaxListeners"];
  for (let i = 0; i < names.length; i++) process[names[i]!] = self;
  process.emit = function emit() {
    return false;
  };
  process.listeners = function listeners() {
    return [];
  };
  process.listenerCount = function listenerCount() {
    return 0;
  };
  return process;
}
