import type { Primordials } from "./primordials.js";

/** structuredClone for the values a hook handles: plain data, Date, RegExp, Map, Set, typed arrays, errors, cycles. */
export function installStructuredClone(g: typeof globalThis, P: Primordials, step: () => void) {
  function dataCloneError(what: string): Error {
    const error = new P.Error(what + " could not be cloned.");
    P.ObjectDefineProperty(error, "name", { value: "DataCloneError", configurable: true, writable: true });
    return error;
  }

  function clone(value: unknown, memory: Map<unknown, unknown>): unknown {
    step(); // the realm's own recursion, without guards: a 16 Mi-element array ran to the hard stop
    if (typeof value === "function") throw dataCloneError("function");
    if (typeof value === "symbol") throw dataCloneError("Symbol()");
    if (typeof value !== "object" || value === null) return value;
    if (P.MapPrototypeHas(memory, value)) return P.MapPrototypeGet(memory, value);
    let out: unknown;
    // A String object (whatever its toStringTag says) is cloned as one, never walked key by key: it has an
    // element per character (Object.keys of 16 Mi of them was one call to the hard stop).
    let boxed: string | undefined;
    try {
      boxed = P.StringPrototypeValueOf(value);
    } catch {
      boxed = undefined;
    }
    if (boxed !== undefined) {
      out = P.Object(boxed);
      P.MapPrototypeSet(memory, value, out);
      return out;
    }
    const tag = P.ObjectPrototypeToString(value);
    if (P.ArrayIsArray(value)) {
      const array: unknown[] = [];
      P.MapPrototypeSet(memory, value, array);
      for (let i = 0; i < value.length; i++) array[i] = clone(value[i], memory);
      return array;
    }
    switch (tag) {
      case "[object Date]":
        out = new P.Date((value as Date).getTime());
        break;
      case "[object RegExp]":
        out = new P.RegExp((value as RegExp).source, (value as RegExp).flags);
        break;
      case "[object Map]": {
        const map = new P.Map();
        P.MapPrototypeSet(memory, value, map);
        P.MapPrototypeForEach(value as Map<unknown, unknown>, (v, k) => P.MapPrototypeSet(map, clone(k, memory), clone(v, memory)));
        return map;
      }
      case "[object Set]": {
        const set = new P.Set();
        P.MapPrototypeSet(memory, value, set);
        P.SetPrototypeForEach(value as Set<unknown>, (v) => P.SetPrototypeAdd(set, clone(v, memory)));
        return set;
      }
      case "[object ArrayBuffer]":
        out = (value as ArrayBuffer).slice(0);
        break;
      case "[object Error]": {
        const e = value as Error;
        const copy = new P.Error(P.String(e.message));
        P.ObjectDefineProperty(copy, "name", { value: P.String(e.name), configurable: true, writable: true });
        out = copy;
        break;
      }
      default:
        if (P.ArrayBuffer.isView(value)) {
          const view = value as unknown as { constructor: new (b: ArrayBuffer, o: number, l: number) => unknown; buffer: ArrayBuffer; byteOffset: number; byteLength: number; length?: number; BYTES_PER_ELEMENT?: number };
          const buffer = clone(view.buffer, memory) as ArrayBuffer;
          const Ctor = P.ObjectGetPrototypeOf(value).constructor as typeof view.constructor;
          out = tag === "[object DataView]"
            ? new P.DataView(buffer, view.byteOffset, view.byteLength)
            : new Ctor(buffer, view.byteOffset, view.length!);
          break;
        }
        if (tag !== "[object Object]" && tag !== "[object Arguments]") throw dataCloneError(tag);
        {
          const object: Record<string, unknown> = {};
          P.MapPrototypeSet(memory, value, object);
          const keys = P.ObjectKeys(value as object);
          for (let i = 0; i < keys.length; i++) {
            const v = clone((value as Record<string, unknown>)[keys[i]!], memory);
            P.ObjectDefineProperty(object, keys[i]!, { value: v, writable: true, enumerable: true, configurable: true });
          }
          return object;
        }
    }
    P.MapPrototypeSet(memory, value, out);
    return out;
  }

  P.ObjectDefineProperty(g, "structuredClone", {
    value: function structuredClone(value: unknown) {
      return clone(value, new P.Map());
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
}
