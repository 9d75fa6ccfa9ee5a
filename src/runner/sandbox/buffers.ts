import type { Primordials } from "./primordials.js";

/**
 * ArrayBuffers live outside the V8 heap, so the worker's heap limit does not see them: without this, one
 * invocation could allocate gigabytes with `new Uint8Array(2 ** 30)`. The buffer constructors are replaced
 * by wrappers (same prototypes, same statics, subclassable) that charge every allocation to the current
 * invocation before it happens, and the methods that allocate without going through a constructor are
 * wrapped too. Runs before the realm is frozen.
 */
export function installBufferAccounting(g: typeof globalThis, P: Primordials, charge: (bytes: number) => void) {
  const proto = P.ObjectGetPrototypeOf;
  const construct = Reflect.construct;
  const setPrototypeOf = Object.setPrototypeOf;
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const ownKeys = Reflect.ownKeys;

  function toIndex(value: unknown): number {
    const n = P.Number(value);
    return n > 0 && n === n ? P.MathFloor(n) : 0;
  }

  function replaceConstructor(name: string, bytesBefore: (args: unknown[]) => number) {
    const Original = (g as unknown as Record<string, new (...args: unknown[]) => object>)[name]!;
    const Safe = function (this: unknown, ...args: unknown[]) {
      if (new.target === undefined) throw new P.TypeError("Constructor " + name + " requires 'new'");
      const before = bytesBefore(args);
      if (before > 0) charge(before);
      const created = construct(Original, args, new.target === Safe ? Original : new.target) as { byteLength?: number };
      // Built from an iterable of unknown length: charge what it turned out to be.
      if (before < 0) charge(created.byteLength ?? 0);
      return created;
    };
    const keys = ownKeys(Original);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key === "prototype" || key === "length" || key === "name") continue;
      P.ObjectDefineProperty(Safe, key, getOwnPropertyDescriptor(Original, key)!);
    }
    P.ObjectDefineProperty(Safe, "name", { value: name, configurable: true });
    P.ObjectDefineProperty(Safe, "length", { value: Original.length, configurable: true });
    P.ObjectDefineProperty(Safe, "prototype", { value: Original.prototype, writable: false, configurable: false });
    // instances report the wrapper as their constructor, so species-created arrays are charged as well.
    P.ObjectDefineProperty(Original.prototype, "constructor", { value: Safe, writable: true, configurable: true, enumerable: false });
    setPrototypeOf(Safe, proto(Original));
    P.ObjectDefineProperty(g, name, { value: Safe, writable: true, configurable: true, enumerable: false });
  }

  replaceConstructor(
    "ArrayBuffer",
    (args) => {
      const options = args[1] as { maxByteLength?: unknown } | undefined;
      const max = options && typeof options === "object" ? toIndex(options.maxByteLength) : 0;
      const length = toIndex(args[0]);
      return max > length ? max : length;
    },
  );

  const typed = ["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float16Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"];
  for (let i = 0; i < typed.length; i++) {
    const name = typed[i]!;
    const Original = (g as unknown as Record<string, { BYTES_PER_ELEMENT: number } | undefined>)[name];
    if (!Original) continue;
    const size = Original.BYTES_PER_ELEMENT;
    replaceConstructor(
      name,
      (args) => {
        const first = args[0];
        if (typeof first !== "object" || first === null) return toIndex(first) * size;
        if (first instanceof P.ArrayBuffer) return 0; // a view: no new memory
        const length = (first as { length?: unknown }).length;
        return typeof length === "number" ? toIndex(length) * size : -1;
      },
    );
  }

  // Methods that allocate through the intrinsic constructor rather than species or `new`.
  const TypedArrayPrototype = proto(g.Uint8Array.prototype) as Record<string, unknown>;
  const chargeSelf = ["toReversed", "toSorted", "with"];
  for (let i = 0; i < chargeSelf.length; i++) {
    const method = TypedArrayPrototype[chargeSelf[i]!] as ((...args: unknown[]) => unknown) | undefined;
    if (typeof method !== "function") continue;
    P.ObjectDefineProperty(TypedArrayPrototype, chargeSelf[i]!, {
      value: {
        [chargeSelf[i]!](this: { byteLength: number }, ...args: unknown[]) {
          charge(this.byteLength);
          return P.apply(method, this, args);
        },
      }[chargeSelf[i]!],
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  const ArrayBufferPrototype = g.ArrayBuffer.prototype as unknown as Record<string, unknown>;
  const transfers = ["transfer", "transferToFixedLength"];
  for (let i = 0; i < transfers.length; i++) {
    const method = ArrayBufferPrototype[transfers[i]!] as ((...args: unknown[]) => unknown) | undefined;
    if (typeof method !== "function") continue;
    P.ObjectDefineProperty(ArrayBufferPrototype, transfers[i]!, {
      value: {
        [transfers[i]!](this: ArrayBuffer, newLength?: unknown) {
          charge(newLength === undefined ? this.byteLength : toIndex(newLength));
          return P.apply(method, this, newLength === undefined ? [] : [newLength]);
        },
      }[transfers[i]!],
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
}
