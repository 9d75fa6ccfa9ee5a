import type { Primordials } from "./primordials.js";

/**
 * Freezes the realm's intrinsics so that one invocation cannot leave state behind for the next one:
 * every object reachable from the global and from the anonymous intrinsics (iterator prototypes,
 * generator and async function prototypes, %TypedArray%, ...) is frozen, the legacy RegExp statics that
 * remember the last match are cleared after each invocation, and the global's own built-in properties
 * become read-only.
 * Returns what resetGlobal() needs to verify the global afterwards.
 */
export function hardenRealm(
  g: typeof globalThis,
  P: Primordials,
  hidden: unknown[],
  trustedGetters: WeakMap<object, true>,
  /** Globals that stay writable (not configurable): the realm sets each one's value anew for every invocation. */
  perInvocation: readonly string[] = [],
) {
  const ReflectOwnKeys = Reflect.ownKeys;
  const ReflectDeleteProperty = Reflect.deleteProperty;
  const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const ObjectIsExtensible = Object.isExtensible;

  // RegExp.$1, RegExp.lastMatch, RegExp.input and friends hold the realm's last match (and whatever was
  // written to RegExp.input): libraries still read them (showdown), so they stay, and a match of the empty
  // pattern on "" clears every one of them to "" after each invocation (resetGlobal). The pattern and exec
  // are taken now, before anything of a tenant's runs.
  const emptyPattern = /(?:)/;
  const regExpExec = g.RegExp.prototype.exec;
  const clearRegExpStatics = () => P.apply(regExpExec, emptyPattern, [""]);

  // The "override mistake": with Error.prototype frozen, `this.name = "MyError"` in a subclass would throw.
  // These properties become accessors whose setter defines an own property on the receiver instead.
  // The original values live on only in their getters' closures, where the freeze walk below cannot see
  // them: they are frozen with the rest through `overridden` (an extensible Object.prototype.hasOwnProperty,
  // shared by every invocation, let one tenant plant a `call` that ran inside the next tenant's calls).
  const overridden: unknown[] = [];
  const enable = (object: object, names: PropertyKey[]) => {
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const desc = ObjectGetOwnPropertyDescriptor(object, name);
      if (!desc || !("value" in desc) || !desc.configurable) continue;
      const value = desc.value;
      overridden[overridden.length] = value;
      const get = function () {
        return value;
      };
      // The convention libraries that read intrinsics by descriptor follow (get-intrinsic, behind util's
      // polyfill and the es-abstract family): a getter with `originalValue` stands for a data property.
      P.ObjectDefineProperty(get, "originalValue", { value, writable: false, enumerable: false, configurable: false });
      P.WeakMapSet(trustedGetters, get, true);
      P.ObjectDefineProperty(object, name, {
        get,
        set: function (this: object, next: unknown) {
          if (this === object) throw new P.TypeError("Cannot assign to read only property '" + P.String(name) + "' of a shared intrinsic");
          P.ObjectDefineProperty(this, name, { value: next, writable: true, enumerable: true, configurable: true });
        },
        enumerable: desc.enumerable,
        configurable: false,
      });
    }
  };
  // Every method of the prototypes libraries' own objects inherit from: they assign statics named like
  // Function.prototype's methods (`lodash.bind = bind`, bluebird's Promise.bind), prototype methods named
  // like the wrappers' (`SafeString.prototype.valueOf = ...`), and methods over an instance's own
  // (core-js-pure's `store.get = store.get` on a WeakMap; `list.push = ...` on an array, which sloppy code
  // saw silently ignored). A getter V8 inlines costs a hot loop of Map and Array methods nothing.
  //
  // Not the properties V8 guards with its protectors: rewriting one turns a fast path off for the whole
  // process (spread, map, slice and Map iteration ran 4-30x slower): symbol-keyed ones (Symbol.iterator,
  // RegExp's Symbol.replace...), Array's constructor (species), Promise's then, the iterators of Map and Set
  // (spread of map.values()), RegExp.prototype's methods, and %IteratorPrototype%'s. With these left alone,
  // spread, map, slice, Map and Set iteration, split, replace and await run as fast as they did with only
  // the first list below (test/sandbox.test.ts checks they stay data properties). Promise's and RegExp's
  // constructors were accessors before this list, and stay so (their species protectors were off already;
  // no measurable cost to await, then, split or replace).
  const methodsOf = (object: object, skip: readonly string[]) => {
    const keys = ReflectOwnKeys(object);
    const methods: PropertyKey[] = [];
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      let skipped = typeof key !== "string";
      for (let k = 0; k < skip.length && !skipped; k++) skipped = skip[k] === key;
      if (skipped) continue;
      const desc = ObjectGetOwnPropertyDescriptor(object, key);
      if (desc && typeof desc.value === "function") methods[methods.length] = key;
    }
    return methods;
  };
  const withMethods: [object, readonly string[]][] = [
    [g.Object.prototype, []],
    [g.Function.prototype, []],
    [g.Array.prototype, ["constructor"]],
    [g.String.prototype, []],
    [g.Number.prototype, []],
    [g.Boolean.prototype, []],
    [g.Symbol.prototype, []],
    [g.Date.prototype, []],
    [g.Promise.prototype, ["then"]],
    [g.Map.prototype, ["entries", "keys", "values"]],
    [g.Set.prototype, ["entries", "keys", "values"]],
    [g.WeakMap.prototype, []],
    [g.WeakSet.prototype, []],
    [g.ArrayBuffer.prototype, []],
    [g.DataView.prototype, []],
  ];
  for (let i = 0; i < withMethods.length; i++) enable(withMethods[i]![0], methodsOf(withMethods[i]![0], withMethods[i]![1]));
  enable(g.RegExp.prototype, ["toString", "valueOf", "constructor", "toJSON", "toLocaleString"]);
  const errors = [g.Error, g.TypeError, g.RangeError, g.SyntaxError, g.ReferenceError, g.EvalError, g.URIError, g.AggregateError];
  for (let i = 0; i < errors.length; i++) enable(errors[i]!.prototype, ["name", "message", "toString", "constructor"]);
  // Typed array subclasses (the buffer package's Buffer) define their own toString, slice, fill, ...
  enable(P.ObjectGetPrototypeOf(g.Uint8Array.prototype) as object, ReflectOwnKeys(P.ObjectGetPrototypeOf(g.Uint8Array.prototype) as object));

  // Intrinsics no global property names.
  const anonymous: unknown[] = [];
  const add = (value: unknown) => {
    anonymous[anonymous.length] = value;
  };
  const proto = P.ObjectGetPrototypeOf;
  add(proto(function* () {}));
  add(proto(async function () {}));
  add(proto(async function* () {}));
  add(proto(proto(async function* () {}).prototype));
  add(proto(proto(proto(async function* () {}).prototype)));
  add(proto([][Symbol.iterator]()));
  add(proto(new g.Map()[Symbol.iterator]()));
  add(proto(new g.Set()[Symbol.iterator]()));
  add(proto(""[Symbol.iterator]()));
  add(proto(/a/[Symbol.matchAll]("")));
  add(proto(g.Int8Array));
  add(proto(proto([][Symbol.iterator]())));
  const G = g as unknown as {
    Iterator?: { from(it: unknown): { map(fn: (x: unknown) => unknown): unknown } };
    Intl?: { Segmenter?: new () => { segment(s: string): Iterable<unknown> } };
  };
  if (G.Iterator !== undefined) {
    add(proto(G.Iterator.from([]).map((x: unknown) => x)));
    add(proto(G.Iterator.from({ next: () => ({ done: true, value: undefined }) })));
  }
  if (G.Intl?.Segmenter !== undefined) {
    const segments = new G.Intl.Segmenter().segment("");
    add(proto(segments));
    add(proto(segments[Symbol.iterator]()));
  }
  add(ObjectGetOwnPropertyDescriptor(g.Function.prototype, "caller")?.get);
  add((function () {
    return arguments;
  })());
  // The `stack` accessor pair V8 shares between all error objects of the realm.
  const stackAccessor = ObjectGetOwnPropertyDescriptor(new g.Error(), "stack");
  if (stackAccessor) {
    add(stackAccessor.get);
    add(stackAccessor.set);
  }
  for (let i = 0; i < hidden.length; i++) add(hidden[i]);

  // Error.stackTraceLimit stays writable (libraries set it to 0 around hot error paths, and V8 reads it as a
  // data property): Error itself is made non-extensible with every other property fixed, and the limit goes
  // back to 10 after each invocation (resetGlobal).
  const ErrorCtor = g.Error as unknown as Record<PropertyKey, unknown>;
  const errorKeys = ReflectOwnKeys(ErrorCtor);
  for (let i = 0; i < errorKeys.length; i++) {
    const key = errorKeys[i]!;
    if (key === "stackTraceLimit") continue;
    const desc = ObjectGetOwnPropertyDescriptor(ErrorCtor, key)!;
    if ("value" in desc) desc.writable = false;
    desc.configurable = false;
    P.ObjectDefineProperty(ErrorCtor, key, desc);
  }
  P.ObjectDefineProperty(ErrorCtor, "stackTraceLimit", { value: 10, writable: true, enumerable: true, configurable: false });
  P.ObjectPreventExtensions(ErrorCtor);

  // Walk and freeze everything reachable from the roots.
  const seen = new P.WeakMap<object, true>();
  const stack: unknown[] = [];
  const globalKeys = ReflectOwnKeys(g);
  for (let i = 0; i < globalKeys.length; i++) {
    const desc = ObjectGetOwnPropertyDescriptor(g, globalKeys[i]!)!;
    stack[stack.length] = desc.value;
    stack[stack.length] = desc.get;
    stack[stack.length] = desc.set;
  }
  for (let i = 0; i < anonymous.length; i++) stack[stack.length] = anonymous[i];
  for (let i = 0; i < overridden.length; i++) stack[stack.length] = overridden[i];
  stack[stack.length] = proto(g);
  while (stack.length) {
    const value = stack[stack.length - 1];
    stack.length--;
    if ((typeof value !== "object" && typeof value !== "function") || value === null || value === g) continue;
    if (P.WeakMapHas(seen, value)) continue;
    P.WeakMapSet(seen, value, true);
    if (value !== ErrorCtor) P.ObjectFreeze(value);
    stack[stack.length] = proto(value);
    const keys = ReflectOwnKeys(value);
    for (let i = 0; i < keys.length; i++) {
      const desc = ObjectGetOwnPropertyDescriptor(value, keys[i]!);
      if (!desc) continue;
      stack[stack.length] = desc.value;
      stack[stack.length] = desc.get;
      stack[stack.length] = desc.set;
    }
  }

  // The global itself stays extensible (tenants may add globals for one call); its built-ins are fixed.
  const baseline = P.ObjectCreate(null) as Record<PropertyKey, true>;
  for (let i = 0; i < globalKeys.length; i++) {
    const key = globalKeys[i]!;
    const desc = ObjectGetOwnPropertyDescriptor(g, key)!;
    let writable = false;
    for (let j = 0; j < perInvocation.length; j++) if (perInvocation[j] === key) writable = true;
    if ("value" in desc) P.ObjectDefineProperty(g, key, { value: desc.value, writable, enumerable: desc.enumerable, configurable: false });
    else P.ObjectDefineProperty(g, key, { get: desc.get, set: desc.set, enumerable: desc.enumerable, configurable: false });
    baseline[key as string] = true;
  }
  const baselineCount = globalKeys.length;
  const globalProto = proto(g);

  /**
   * Globals an invocation may add and still leave the realm for the next one. resetGlobal runs after the
   * call, outside its time limit: a million globals added in 0.4 s took seconds to delete one by one, and
   * the call that had answered in time ended at the hard stop. Beyond this many the realm is dropped instead
   * (and the keys are read at all only after a short call: main.ts end()).
   */
  const MAX_ADDED_GLOBALS = 4096;

  /** Deletes what the last invocation added to the global; false if the global can no longer be trusted. */
  function resetGlobal(): boolean {
    ErrorCtor.stackTraceLimit = 10;
    clearRegExpStatics();
    const keys = ReflectOwnKeys(g);
    if (keys.length > baselineCount + MAX_ADDED_GLOBALS) return false;
    let kept = 0;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (baseline[key as string] === true) {
        kept++;
        continue;
      }
      if (!ReflectDeleteProperty(g, key)) return false;
    }
    return kept === baselineCount && ObjectIsExtensible(g) && proto(g) === globalProto;
  }

  return { resetGlobal };
}
