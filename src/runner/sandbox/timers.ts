import type { HostCall } from "../bridge.js";
import type { Primordials } from "./primordials.js";

/**
 * Timers owned by the invocation: the host keeps the real timer and cancels it when the invocation ends;
 * the callback stays here and runs when the host pumps the timer's event into the sandbox.
 */
export function installTimers(g: typeof globalThis, P: Primordials, host: HostCall, uncaught: (error: unknown) => void) {
  interface Entry {
    fn: (...args: unknown[]) => unknown;
    args: unknown[];
    repeat: boolean;
  }
  let entries = P.ObjectCreate(null) as Record<number, Entry | undefined>;

  class Timeout {
    #id: number;
    constructor(id: number) {
      this.#id = id;
    }
    ref() {
      return this;
    }
    unref() {
      return this;
    }
    hasRef() {
      return true;
    }
    refresh() {
      return this;
    }
    [Symbol.toPrimitive]() {
      return this.#id;
    }
    static idOf(handle: unknown): number | undefined {
      if (handle instanceof Timeout) return handle.#id;
      return typeof handle === "number" ? handle : undefined;
    }
  }

  function schedule(repeat: boolean, fn: unknown, delay: unknown, args: unknown[]): Timeout {
    if (typeof fn !== "function") throw new P.TypeError("The callback must be a function (string timers are not allowed)");
    let ms = P.Number(delay);
    if (!P.NumberIsFinite(ms) || ms < 1) ms = repeat ? 1 : 0;
    if (ms > 2147483647) ms = 2147483647;
    const id = host("timer", ms, repeat ? 1 : 0);
    if (typeof id !== "number" || id < 0) throw new P.RangeError("Too many active timers in this invocation");
    const entry: Entry = P.ObjectCreate(null);
    entry.fn = fn as Entry["fn"];
    entry.args = args;
    entry.repeat = repeat;
    entries[id] = entry;
    return new Timeout(id);
  }

  function clear(handle: unknown) {
    const id = Timeout.idOf(handle);
    if (id === undefined || !entries[id]) return;
    entries[id] = undefined;
    host("clearTimer", id);
  }

  /** Runs the callback of a timer whose host timer fired. */
  function fire(id: number) {
    const entry = entries[id];
    if (!entry) return;
    if (!entry.repeat) entries[id] = undefined;
    try {
      P.apply(entry.fn, undefined, entry.args);
    } catch (error) {
      uncaught(error);
    }
  }

  const define = (name: string, value: unknown) =>
    P.ObjectDefineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
  define("setTimeout", function setTimeout(fn: unknown, delay?: unknown, ...args: unknown[]) {
    return schedule(false, fn, delay, args);
  });
  define("setInterval", function setInterval(fn: unknown, delay?: unknown, ...args: unknown[]) {
    return schedule(true, fn, delay, args);
  });
  define("clearTimeout", function clearTimeout(handle: unknown) {
    clear(handle);
  });
  define("clearInterval", function clearInterval(handle: unknown) {
    clear(handle);
  });
  // Node's setImmediate: the next turn, after what is already queued (a 0 ms host timer).
  define("setImmediate", function setImmediate(fn: unknown, ...args: unknown[]) {
    return schedule(false, fn, 0, args);
  });
  define("clearImmediate", function clearImmediate(handle: unknown) {
    clear(handle);
  });
  define("queueMicrotask", function queueMicrotask(fn: unknown) {
    if (typeof fn !== "function") throw new P.TypeError("The callback must be a function");
    P.PromiseThen(P.PromiseResolve(), () => {
      try {
        (fn as () => void)();
      } catch (error) {
        uncaught(error);
      }
    });
  });
  return {
    fire,
    /** Reachable only through handles, so the realm's freeze must be told about it. */
    Timeout,
    /** A new invocation starts with no timers; the host has cancelled the old ones. */
    reset() {
      entries = P.ObjectCreate(null);
    },
  };
}
