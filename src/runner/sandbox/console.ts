import type { HostCall } from "../bridge.js";
import type { Primordials } from "./primordials.js";

/**
 * A console whose every line goes to the current invocation's capped log, formatted here in the sandbox. Its
 * `log` is the realm's one way into the log (process.stdout.write and emitWarning use it too).
 */
export function installConsole(g: typeof globalThis, P: Primordials, host: HostCall, pace: () => void) {
  const MAX_DEPTH = 4;
  const MAX_ITEMS = 100;
  const MAX_LINE = 16 * 1024;

  /** A line into the log, cut at MAX_LINE (and a mark) here, so that the sandbox's host side never measures or copies more. */
  function log(level: string, line: string): void {
    host("log", level, line.length > MAX_LINE ? P.StringPrototypeSlice(line, 0, MAX_LINE) + "…" : line);
  }

  // Values inspected for one line: shared references are no cycle, so 100 items at each of 4 levels made
  // 100,000,000 of them for one console.log (the realm's own recursion, without guards: the hard stop).
  // Each one adds at least a character, so past MAX_LINE of them the line is cut anyway.
  let inspected = 0;

  function inspect(value: unknown, depth: number, seen: unknown[]): string {
    if (++inspected > MAX_LINE) return "…";
    switch (typeof value) {
      case "string": {
        // The line keeps MAX_LINE characters (one more marks it cut): a longer string is not copied whole (100 references to one
        // 16 MiB string were 100 copies of it).
        const text = value.length > MAX_LINE ? P.StringPrototypeSlice(value, 0, MAX_LINE + 1) : value;
        return depth === 0 ? text : P.JSONStringify(text);
      }
      case "number":
      case "boolean":
      case "undefined":
        return P.String(value);
      case "bigint":
        return P.String(value) + "n";
      case "symbol":
        return P.String(value);
      case "function": {
        const name = (value as { name?: unknown }).name;
        return "[Function" + (typeof name === "string" && name ? ": " + name : " (anonymous)") + "]";
      }
    }
    if (value === null) return "null";
    // One object can cost the realm's own code as much as its size (Object.keys of a million keys: 0.3 s),
    // and one line may show it up to MAX_LINE times: the clock is read at every object.
    pace();
    for (let i = 0; i < seen.length; i++) if (seen[i] === value) return "[Circular]";
    if (value instanceof P.Error) {
      const e = value as Error;
      return P.String(e.name) + ": " + P.String(e.message);
    }
    if (value instanceof P.Date) return P.String((value as Date).toISOString());
    if (value instanceof P.RegExp) return P.String(value);
    // A String object has an element per character: Object.keys of one of 16 Mi characters ran to the hard stop.
    // The brand check throws for every other object (a TypeError with its stack: ~10 us), so arrays and typed
    // arrays, which cannot be String objects, skip it (16,384 shared arrays took 160-215 ms of one call).
    let boxed: string | undefined;
    if (!P.ArrayIsArray(value) && P.TypedArrayTag(value) === undefined) {
      try {
        boxed = P.StringPrototypeValueOf(value);
      } catch {
        boxed = undefined;
      }
    }
    if (boxed !== undefined) return "[String: " + P.JSONStringify(boxed.length > MAX_LINE ? P.StringPrototypeSlice(boxed, 0, MAX_LINE + 1) : boxed) + "]";
    if (depth >= MAX_DEPTH) return P.ArrayIsArray(value) ? "[Array]" : "[Object]";
    seen[seen.length] = value;
    const parts: string[] = [];
    let out: string;
    if (P.ArrayIsArray(value)) {
      const n = P.MathMin(value.length, MAX_ITEMS);
      for (let i = 0; i < n; i++) parts[parts.length] = inspect(value[i], depth + 1, seen);
      if (value.length > n) parts[parts.length] = "... " + (value.length - n) + " more items";
      out = "[ " + P.ArrayPrototypeJoin(parts, ", ") + " ]";
    } else if (P.TypedArrayTag(value) !== undefined) {
      // Shown by index like an array, with its length: Object.keys of a typed array makes a string per element
      // (a 4 MiB Uint8Array: 0.4 s of one call; 32 MiB: the process out of memory).
      const length = P.TypedArrayLength(value);
      const n = P.MathMin(length, MAX_ITEMS);
      for (let i = 0; i < n; i++) parts[parts.length] = inspect((value as Uint8Array)[i], depth + 1, seen);
      if (length > n) parts[parts.length] = "... " + (length - n) + " more items";
      out = P.TypedArrayTag(value) + "(" + length + ") [ " + P.ArrayPrototypeJoin(parts, ", ") + " ]";
    } else if (value instanceof P.Map || value instanceof P.Set) {
      // The first MAX_ITEMS entries and the size: a walk of every entry cost a call 30 ms for 2 million, unguarded.
      const isMap = value instanceof P.Map;
      const size = isMap ? P.MapPrototypeGetSize(value as Map<unknown, unknown>) : P.SetPrototypeGetSize(value as Set<unknown>);
      if (isMap) {
        const entries = P.MapPrototypeEntries(value as Map<unknown, unknown>);
        for (let step = P.MapIteratorNext(entries); !step.done && parts.length < MAX_ITEMS; step = P.MapIteratorNext(entries)) {
          parts[parts.length] = inspect(step.value[0], depth + 1, seen) + " => " + inspect(step.value[1], depth + 1, seen);
        }
      } else {
        const values = P.SetPrototypeValues(value as Set<unknown>);
        for (let step = P.SetIteratorNext(values); !step.done && parts.length < MAX_ITEMS; step = P.SetIteratorNext(values)) {
          parts[parts.length] = inspect(step.value, depth + 1, seen);
        }
      }
      if (size > parts.length) parts[parts.length] = "... " + (size - parts.length) + " more items";
      out = (isMap ? "Map(" : "Set(") + size + ") { " + P.ArrayPrototypeJoin(parts, ", ") + " }";
    } else {
      const keys = P.ObjectKeys(value as object);
      const n = P.MathMin(keys.length, MAX_ITEMS);
      for (let i = 0; i < n; i++) {
        const key = keys[i]!;
        parts[parts.length] = key + ": " + inspect((value as Record<string, unknown>)[key], depth + 1, seen);
      }
      if (keys.length > n) parts[parts.length] = "... " + (keys.length - n) + " more properties";
      out = parts.length ? "{ " + P.ArrayPrototypeJoin(parts, ", ") + " }" : "{}";
    }
    seen.length--;
    return out;
  }

  function format(args: unknown[]): string {
    // A getter's own console.log formats a line of its own; the outer line keeps its count.
    const outer = inspected;
    inspected = 0;
    const parts: string[] = [];
    for (let i = 0; i < args.length; i++) {
      let text: string;
      try {
        text = inspect(args[i], 0, []);
      } catch {
        text = "[unprintable]";
      }
      parts[parts.length] = text;
    }
    inspected = outer;
    return P.ArrayPrototypeJoin(parts, " ");
  }

  const emit = (level: string) =>
    function (...args: unknown[]) {
      log(level, format(args));
    };
  let counts = P.ObjectCreate(null) as Record<string, number>;
  let timers = P.ObjectCreate(null) as Record<string, number>;
  const console = {
    log: emit("log"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    debug: emit("debug"),
    trace: emit("debug"),
    dir: emit("log"),
    table: emit("log"),
    assert(condition: unknown, ...args: unknown[]) {
      if (!condition) log("error", "Assertion failed" + (args.length ? ": " + format(args) : ""));
    },
    count(label: unknown = "default") {
      const key = P.String(label);
      counts[key] = (counts[key] ?? 0) + 1;
      log("info", key + ": " + counts[key]);
    },
    time(label: unknown = "default") {
      timers[P.String(label)] = P.Date.now();
    },
    timeEnd(label: unknown = "default") {
      const key = P.String(label);
      const start = timers[key];
      if (start !== undefined) log("info", key + ": " + (P.Date.now() - start) + "ms");
    },
  };
  P.ObjectDefineProperty(g, "console", { value: console, writable: true, configurable: true, enumerable: false });
  return {
    log,
    /** Forgets count() and time() labels: they belong to one invocation. */
    reset() {
      counts = P.ObjectCreate(null);
      timers = P.ObjectCreate(null);
    },
  };
}
