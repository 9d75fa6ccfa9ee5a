/*
 * Everything in src/runner/sandbox/ runs inside the tenant's realm. Each exported function is stringified
 * into the sandbox bootstrap, so it must not reference anything outside its own body (types excepted).
 */

/**
 * Intrinsics captured before tenant code runs. Tenant code may replace Array.prototype.push or
 * JSON.stringify for itself, but the runtime's own wiring keeps using the originals.
 */
export function capturePrimordials(g: typeof globalThis) {
  const apply = Reflect.apply;
  const PromiseCtor = g.Promise;
  const promiseResolve = g.Promise.resolve;
  const promiseReject = g.Promise.reject;
  const uncurry =
    <T, A extends unknown[], R>(fn: (this: T, ...args: A) => R) =>
    (self: T, ...args: A): R =>
      apply(fn as (...a: unknown[]) => R, self, args);
  const typedArrayPrototype = g.Object.getPrototypeOf(g.Uint8Array.prototype) as object;
  const typedArrayTag = g.Object.getOwnPropertyDescriptor(typedArrayPrototype, Symbol.toStringTag)!.get!;
  const typedArrayLength = g.Object.getOwnPropertyDescriptor(typedArrayPrototype, "length")!.get!;
  const arrayIsArray = g.Array.isArray;
  return {
    apply,
    uncurry,
    /**
     * A lower bound of the characters JSON.stringify writes for a value a replacer is handed (its children are
     * handed on their own): a string's length and quotes, an array's brackets and commas, 4 per element of a
     * typed array (serialized as an object of a key per element, all listed in one call before any is
     * written), 1 for anything else. Replacers keep a running sum of it, so a big value fails early.
     */
    jsonMinChars: (value: unknown): number => {
      if (typeof value === "string") return value.length + 2;
      if (typeof value !== "object" || value === null) return 1;
      if (arrayIsArray(value)) return (value as unknown[]).length + 1;
      const elements = apply(typedArrayTag, value, []) === undefined ? 0 : (apply(typedArrayLength, value, []) as number);
      return elements > 0 ? elements * 4 : 1;
    },
    Object: g.Object,
    ObjectCreate: g.Object.create,
    ObjectDefineProperty: g.Object.defineProperty,
    ObjectFreeze: g.Object.freeze,
    ObjectSeal: g.Object.seal,
    ObjectPreventExtensions: g.Object.preventExtensions,
    ObjectIsFrozen: g.Object.isFrozen,
    ObjectKeys: g.Object.keys,
    ObjectGetOwnPropertyNames: g.Object.getOwnPropertyNames,
    ObjectGetOwnPropertyDescriptor: g.Object.getOwnPropertyDescriptor,
    ObjectGetPrototypeOf: g.Object.getPrototypeOf,
    ObjectSetPrototypeOf: g.Object.setPrototypeOf,
    ObjectHasOwn: g.Object.hasOwn,
    ObjectPrototypeToString: uncurry(g.Object.prototype.toString),
    ArrayIsArray: g.Array.isArray,
    ArrayPrototypeJoin: uncurry(g.Array.prototype.join) as (self: unknown[], sep: string) => string,
    ArrayPrototypeSort: uncurry(g.Array.prototype.sort) as <T>(self: T[]) => T[],
    JSONParse: g.JSON.parse,
    JSONStringify: g.JSON.stringify,
    String: g.String,
    Number: g.Number,
    NumberIsFinite: g.Number.isFinite,
    MathMin: g.Math.min,
    MathMax: g.Math.max,
    MathFloor: g.Math.floor,
    StringFromCharCode: g.String.fromCharCode,
    StringPrototypeSlice: uncurry(g.String.prototype.slice) as (self: string, a: number, b?: number) => string,
    StringPrototypeCharCodeAt: uncurry(g.String.prototype.charCodeAt) as (self: string, i: number) => number,
    StringPrototypeCodePointAt: uncurry(g.String.prototype.codePointAt) as (self: string, i: number) => number | undefined,
    StringPrototypeIndexOf: uncurry(g.String.prototype.indexOf) as (self: string, s: string, from?: number) => number,
    StringPrototypeReplace: uncurry(g.String.prototype.replace) as unknown as (self: string, a: RegExp, b: string) => string,
    StringPrototypeSplit: uncurry(g.String.prototype.split) as unknown as (self: string, sep: string) => string[],
    StringPrototypeToLowerCase: uncurry(g.String.prototype.toLowerCase) as (self: string) => string,
    /** A String object's string (throws for anything else): its elements, one per character, are never listed. */
    StringPrototypeValueOf: uncurry(g.String.prototype.valueOf) as (self: unknown) => string,
    /** A typed array's type name ("Uint8Array"), undefined for anything else: the brand check that reads no property. */
    TypedArrayTag: uncurry(typedArrayTag) as (self: unknown) => string | undefined,
    /** A typed array's length (throws for anything else but a typed array). */
    TypedArrayLength: uncurry(typedArrayLength) as (self: unknown) => number,
    Promise: g.Promise,
    PromiseResolve: (value?: unknown): Promise<unknown> => apply(promiseResolve, PromiseCtor, [value]),
    PromiseReject: (reason: unknown): Promise<never> => apply(promiseReject, PromiseCtor, [reason]),
    PromiseThen: uncurry(g.Promise.prototype.then) as (
      self: Promise<unknown>,
      ok: (v: unknown) => unknown,
      fail?: (e: unknown) => unknown,
    ) => Promise<unknown>,
    WeakMap: g.WeakMap,
    WeakMapGet: uncurry(g.WeakMap.prototype.get) as (self: WeakMap<object, unknown>, k: object) => unknown,
    WeakMapSet: uncurry(g.WeakMap.prototype.set) as (self: WeakMap<object, unknown>, k: object, v: unknown) => unknown,
    WeakMapHas: uncurry(g.WeakMap.prototype.has) as (self: WeakMap<object, unknown>, k: object) => boolean,
    AtomicsLoad: g.Atomics.load,
    DateNow: g.Date.now,
    Error: g.Error,
    TypeError: g.TypeError,
    SyntaxError: g.SyntaxError,
    RangeError: g.RangeError,
    /** For caught.ts's Promise.prototype.then only (the global is deleted before any tenant code runs). */
    Proxy: g.Proxy,
    Uint8Array: g.Uint8Array,
    Int32Array: g.Int32Array,
    ArrayBuffer: g.ArrayBuffer,
    DataView: g.DataView,
    RegExp: g.RegExp,
    Date: g.Date,
    Map: g.Map,
    Set: g.Set,
    MapPrototypeForEach: uncurry(g.Map.prototype.forEach) as (self: Map<unknown, unknown>, cb: (v: unknown, k: unknown) => void) => void,
    SetPrototypeForEach: uncurry(g.Set.prototype.forEach) as (self: Set<unknown>, cb: (v: unknown) => void) => void,
    MapPrototypeSet: uncurry(g.Map.prototype.set) as (self: Map<unknown, unknown>, k: unknown, v: unknown) => unknown,
    SetPrototypeAdd: uncurry(g.Set.prototype.add) as (self: Set<unknown>, v: unknown) => unknown,
    MapPrototypeGet: uncurry(g.Map.prototype.get) as (self: Map<unknown, unknown>, k: unknown) => unknown,
    MapPrototypeHas: uncurry(g.Map.prototype.has) as (self: Map<unknown, unknown>, k: unknown) => boolean,
    MapPrototypeGetSize: uncurry(g.Object.getOwnPropertyDescriptor(g.Map.prototype, "size")!.get!) as (self: Map<unknown, unknown>) => number,
    SetPrototypeGetSize: uncurry(g.Object.getOwnPropertyDescriptor(g.Set.prototype, "size")!.get!) as (self: Set<unknown>) => number,
    MapPrototypeEntries: uncurry(g.Map.prototype.entries) as (self: Map<unknown, unknown>) => Iterator<[unknown, unknown]>,
    SetPrototypeValues: uncurry(g.Set.prototype.values) as (self: Set<unknown>) => Iterator<unknown>,
    MapIteratorNext: uncurry(g.Object.getPrototypeOf(new g.Map().entries()).next) as (self: Iterator<[unknown, unknown]>) => IteratorResult<[unknown, unknown]>,
    SetIteratorNext: uncurry(g.Object.getPrototypeOf(new g.Set().values()).next) as (self: Iterator<unknown>) => IteratorResult<unknown>,
  };
}

export type Primordials = ReturnType<typeof capturePrimordials>;
