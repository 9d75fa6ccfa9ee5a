import type { Primordials } from "./primordials.js";

/**
 * ArrayBuffers live outside the V8 heap, so the worker's heap limit does not see them: without this, one
 * invocation could allocate gigabytes with `new Uint8Array(2 ** 30)`. The buffer constructors are replaced
 * by wrappers (same prototypes, same statics, subclassable) that charge every allocation to the current
 * invocation before it happens, and the methods that allocate without going through a constructor are
 * wrapped too. Runs before the realm is frozen.
 */
export function installBufferAccounting(g: typeof globalThis, P: Primordials, charge: (bytes: number) => void, step: () => void) {
  const proto = P.ObjectGetPrototypeOf;
  const construct = Reflect.construct;
  const setPrototypeOf = Object.setPrototypeOf;
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const ownKeys = Reflect.ownKeys;

  function toIndex(value: unknown): number {
    const n = P.Number(value);
    return n > 0 && n === n ? P.MathFloor(n) : 0;
  }

  /**
   * `prepare` turns the caller's arguments into ones the engine cannot read differently a second time
   * (numbers instead of objects with valueOf, a plain array instead of an array-like with a length getter)
   * and returns the bytes the allocation will take; the charge happens before the engine allocates.
   */
  function replaceConstructor(name: string, prepare: (args: unknown[]) => { args: unknown[]; bytes: number }) {
    const Original = (g as unknown as Record<string, new (...args: unknown[]) => object>)[name]!;
    const Safe = function (this: unknown, ...args: unknown[]) {
      if (new.target === undefined) throw new P.TypeError("Constructor " + name + " requires 'new'");
      const prepared = prepare(args);
      if (prepared.bytes > 0) charge(prepared.bytes);
      return construct(Original, prepared.args, new.target === Safe ? Original : new.target);
    };
    installWrapper(g as unknown as Record<string, unknown>, name, Original, Safe);
    setPrototypeOf(Safe, proto(Original));
  }

  /**
   * Puts `Safe` where `Original` was on `holder`: same statics, name, length and prototype, and instances
   * report `Safe` as their constructor (so species-created copies go through it as well).
   */
  function installWrapper(holder: Record<string, unknown>, name: string, Original: { prototype: object; length: number }, Safe: object) {
    const keys = ownKeys(Original);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key === "prototype" || key === "length" || key === "name") continue;
      P.ObjectDefineProperty(Safe, key, getOwnPropertyDescriptor(Original, key)!);
    }
    P.ObjectDefineProperty(Safe, "name", { value: name, configurable: true });
    P.ObjectDefineProperty(Safe, "length", { value: Original.length, configurable: true });
    P.ObjectDefineProperty(Safe, "prototype", { value: Original.prototype, writable: false, configurable: false });
    P.ObjectDefineProperty(Original.prototype, "constructor", { value: Safe, writable: true, configurable: true, enumerable: false });
    P.ObjectDefineProperty(holder, name, { value: Safe, writable: true, configurable: true, enumerable: false });
  }

  replaceConstructor("ArrayBuffer", (args) => {
    const length = toIndex(args[0]);
    const options = args[1] as { maxByteLength?: unknown } | undefined;
    if (options && typeof options === "object" && options.maxByteLength !== undefined) {
      const max = toIndex(options.maxByteLength);
      return { args: [length, { maxByteLength: max }], bytes: max > length ? max : length };
    }
    return { args: [length], bytes: length };
  });

  // Brand checks through captured getters: a subclass cannot lie about its length.
  const typedArrayLength = getOwnPropertyDescriptor(proto(g.Uint8Array.prototype), "length")!.get!;
  const typedArrayByteLength = getOwnPropertyDescriptor(proto(g.Uint8Array.prototype), "byteLength")!.get!;
  const arrayBufferByteLength = getOwnPropertyDescriptor(g.ArrayBuffer.prototype, "byteLength")!.get!;
  const ArrayFrom = g.Array.from;
  const isArrayBuffer = (value: object) => {
    try {
      P.apply(arrayBufferByteLength, value, []);
      return true;
    } catch {
      return false;
    }
  };
  const typedLength = (value: object): number => {
    try {
      return P.apply(typedArrayLength, value, []) as number;
    } catch {
      return -1;
    }
  };

  const typed = ["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float16Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"];
  for (let i = 0; i < typed.length; i++) {
    const name = typed[i]!;
    const Original = (g as unknown as Record<string, { BYTES_PER_ELEMENT: number } | undefined>)[name];
    if (!Original) continue;
    const size = Original.BYTES_PER_ELEMENT;
    replaceConstructor(name, (args) => {
      const first = args[0];
      if (typeof first !== "object" || first === null) {
        const length = toIndex(first);
        return { args: [length], bytes: length * size };
      }
      // A view on an existing buffer: no new memory.
      if (isArrayBuffer(first)) return { args, bytes: 0 };
      const fromTyped = typedLength(first);
      if (fromTyped >= 0) return { args: [first], bytes: fromTyped * size };
      // An iterable or array-like: copy it into a plain array first (on the heap, under the heap limit),
      // so its length is known and cannot change between our look and the engine's. What its length says is
      // charged first: { length: 2 ** 32 - 1 } or an Array of that many holes was 4 Gi steps of a copy no guard
      // interrupts (the hard stop), where the engine's own constructor refuses at once.
      const source = first as { length?: unknown; [Symbol.iterator]?: unknown };
      if (typeof source[Symbol.iterator] !== "function") {
        const length = toIndex(source.length);
        charge(length * size);
        const list: unknown[] = [];
        for (let i = 0; i < length; i++) step(), (list[i] = (source as Record<number, unknown>)[i]);
        return { args: [list], bytes: 0 };
      }
      const said = toIndex(source.length);
      if (said > 0) charge(said * size);
      const list = P.apply(ArrayFrom, g.Array, [first]) as unknown[];
      return { args: [list], bytes: list.length > said ? (list.length - said) * size : 0 };
    });
  }

  // Intl objects keep ICU data outside the heap too: each one is charged a flat cost, and segmenting a
  // string its length.
  const IntlObject = (g as unknown as { Intl?: Record<string, unknown> }).Intl;
  const INTL_OBJECT_BYTES = 16 * 1024;
  if (IntlObject) {
    const names = ["Collator", "DateTimeFormat", "DisplayNames", "DurationFormat", "ListFormat", "Locale", "NumberFormat", "PluralRules", "RelativeTimeFormat", "Segmenter"];
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const Original = IntlObject[name] as (new (...args: unknown[]) => object) & ((...args: unknown[]) => object);
      if (typeof Original !== "function") continue;
      const Safe = function (this: unknown, ...args: unknown[]) {
        charge(INTL_OBJECT_BYTES);
        return new.target === undefined ? P.apply(Original, undefined, args) : construct(Original, args, new.target === Safe ? Original : new.target);
      };
      installWrapper(IntlObject, name, Original, Safe);
    }
    const Segmenter = IntlObject.Segmenter as { prototype: Record<string, unknown> } | undefined;
    const originalSegment = Segmenter?.prototype.segment as ((input: unknown) => unknown) | undefined;
    if (Segmenter && typeof originalSegment === "function") {
      P.ObjectDefineProperty(Segmenter.prototype, "segment", {
        value: function segment(this: object, input: unknown) {
          if (typeof input === "symbol") throw new P.TypeError("Cannot convert a Symbol value to a string");
          const text = P.String(input);
          charge(text.length * 8);
          return P.apply(originalSegment, this, [text]);
        },
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
  }

  // One huge string (up to V8's 1 GiB) can be allocated and dropped before the collector ever compares
  // the heap with its limit. The usual ways to ask for one in a single call are charged when they are big.
  const BIG_STRING = 1 << 20;
  const MAX_STRING = 0x1fffffe8;
  const StringPrototype = g.String.prototype as unknown as Record<string, unknown>;
  const sized = [
    // name, index of the length-like argument, result length from (receiver length, converted argument)
    ["repeat", (self: number, n: number) => self * n],
    ["padStart", (_self: number, n: number) => n],
    ["padEnd", (_self: number, n: number) => n],
  ] as const;
  for (let i = 0; i < sized.length; i++) {
    const name = sized[i]![0];
    const resultLength = sized[i]![1];
    const method = StringPrototype[name] as (...args: unknown[]) => unknown;
    P.ObjectDefineProperty(StringPrototype, name, {
      value: {
        // One named parameter: length 1, as the built-ins.
        [name](this: unknown, count: unknown, ...rest: unknown[]) {
          if (this === null || this === undefined) throw new P.TypeError("String.prototype." + name + " called on null or undefined");
          if (typeof this === "symbol") throw new P.TypeError("Cannot convert a Symbol value to a string");
          const self = P.String(this);
          // Converted once: what is charged is what the engine gets (no valueOf read twice).
          const n = P.Number(count);
          const length = resultLength(self.length, n);
          // Out-of-range counts are the built-in's to refuse, with its own RangeError.
          if (length > BIG_STRING && length <= MAX_STRING && n === n && n !== 1 / 0) charge(length * 2);
          return P.apply(method, self, [n, ...rest]);
        },
      }[name],
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }

  // Methods that copy: with a species of undefined they allocate through the intrinsic constructor, and
  // toReversed/toSorted/with always do. Each is charged the receiver's size up front (a copy made through
  // a charging species constructor is then charged twice: conservative, never under).
  const TypedArrayPrototype = proto(g.Uint8Array.prototype) as Record<string, unknown>;
  const chargeSelf = ["toReversed", "toSorted", "with", "slice", "map", "filter"];
  for (let i = 0; i < chargeSelf.length; i++) {
    const method = TypedArrayPrototype[chargeSelf[i]!] as ((...args: unknown[]) => unknown) | undefined;
    if (typeof method !== "function") continue;
    P.ObjectDefineProperty(TypedArrayPrototype, chargeSelf[i]!, {
      value: {
        [chargeSelf[i]!](this: object, ...args: unknown[]) {
          charge(P.apply(typedArrayByteLength, this, []) as number);
          return P.apply(method, this, args);
        },
      }[chargeSelf[i]!],
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
  const ArrayBufferPrototype = g.ArrayBuffer.prototype as unknown as Record<string, unknown>;
  const bufferSlice = ArrayBufferPrototype.slice as (...args: unknown[]) => unknown;
  P.ObjectDefineProperty(ArrayBufferPrototype, "slice", {
    value: function slice(this: object, ...args: unknown[]) {
      charge(P.apply(arrayBufferByteLength, this, []) as number);
      return P.apply(bufferSlice, this, args);
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
  const transfers = ["transfer", "transferToFixedLength"];
  for (let i = 0; i < transfers.length; i++) {
    const method = ArrayBufferPrototype[transfers[i]!] as ((...args: unknown[]) => unknown) | undefined;
    if (typeof method !== "function") continue;
    P.ObjectDefineProperty(ArrayBufferPrototype, transfers[i]!, {
      value: {
        [transfers[i]!](this: ArrayBuffer, newLength?: unknown) {
          const length = newLength === undefined ? (P.apply(arrayBufferByteLength, this, []) as number) : toIndex(newLength);
          charge(length);
          return P.apply(method, this, [length]);
        },
      }[transfers[i]!],
      writable: true,
      configurable: true,
      enumerable: false,
    });
  }
}
