import type { CAUGHT } from "../../loader/transform.js";
import type { Primordials } from "./primordials.js";

/**
 * What a tenant's code catches is of its realm (invariant 1), even when it was thrown from a frame of the
 * worker's. At the very edge of the stack, reading an error's `stack` runs Node's own stack formatter (a
 * function of the worker's realm, called by V8 for the realm's errors too) and overflows there: the
 * RangeError is the worker's, and its `.constructor.constructor` is the worker's Function (red team dec09,
 * F3: `Function("return process")()` from a hook, at the default security level). A native import() at the
 * edge does the same. The engine hands a thrown value to code in these ways, and each goes through `clean`:
 *  - a catch clause: the transform hands every binding to the global `__tenantbox_caught` first;
 *  - a rejection handler: whatever threw it (an async function, a `then` callback, an executor), the reason
 *    reaches code through `then` (`catch`, `finally`, and the combinators call it) or through `await`, which
 *    throws it into a catch clause. `Promise.prototype.then` cleans the reason before a rejection handler gets it;
 *  - a promise capability's reject, when the capability is the tenant's (a species constructor's for `then`,
 *    the `this` of Promise.try and the combinators): the engine calls it with a rejection passed on or with
 *    what a handler, a callback, an iterator or a getter threw (red team dec09b, G4). `then` cleans what its
 *    handlers throw and what it passes on; the statics give such a constructor a reject that cleans first;
 *  - a field of a SuppressedError V8 built (`using` disposal, DisposableStack): the error that reaches one of
 *    the ways above is cleaned in place, at any depth of its `error` and `suppressed` fields (G1).
 * A value of another realm becomes a RangeError of this one with its message.
 */
export function installCaught(
  g: typeof globalThis,
  P: Primordials,
  /** One step of the realm's own per-item loops (main.ts): reads the clock now and then. */
  step: () => void,
) {
  const ObjectPrototype = g.Object.prototype;
  const getPrototypeOf = Object.getPrototypeOf;
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const defineProperty = Object.defineProperty;
  const RangeErrorCtor = g.RangeError;
  const SuppressedErrorProto = (g as unknown as { SuppressedError?: { prototype: object } }).SuppressedError?.prototype;

  /** Whether an object's prototype chain ends at another realm's Object.prototype (not at this one's, nor at null right away). */
  const foreign = (value: unknown): boolean => {
    if (value === null || (typeof value !== "object" && typeof value !== "function")) return false;
    let last = value as object;
    for (let proto = getPrototypeOf(last) as object | null; proto !== null; proto = getPrototypeOf(proto) as object | null) last = proto;
    if (last === ObjectPrototype || last === value) return false;
    // Another realm's Object.prototype: its constructor's prototype chain comes back to it.
    const ctor = getOwnPropertyDescriptor(last, "constructor");
    if (!ctor || typeof ctor.value !== "function") return false;
    const fnProto = getPrototypeOf(ctor.value) as object | null;
    return fnProto !== null && getPrototypeOf(fnProto) === last;
  };
  const ours = (value: unknown): unknown => {
    if (!foreign(value)) return value;
    const message = getOwnPropertyDescriptor(value as object, "message");
    return new RangeErrorCtor(message && typeof message.value === "string" ? message.value : "Maximum call stack size exceeded");
  };
  const isSuppressed = (value: unknown): boolean =>
    SuppressedErrorProto !== undefined && value !== null && typeof value === "object" && getPrototypeOf(value) === SuppressedErrorProto;
  const SetCtor = g.Set;
  const setHas = g.Set.prototype.has;
  const setAdd = g.Set.prototype.add;
  const fields = ["error", "suppressed"] as const;
  /**
   * V8 wraps what a disposal threw in SuppressedErrors, and they nest through both fields: through
   * `suppressed` when several disposals throw, and through `error` when a disposer itself disposed and threw
   * the SuppressedError V8 made there, which no catch clause saw (red team dec09b: the worker's RangeError two
   * levels down reached a hook's `e.error.error`). So every SuppressedError reachable through those fields is
   * cleaned in place, each once per walk (tenant code can make cycles of them), the clock read as the realm's
   * own loops read it (a tree of 500,000 is tenant-made work, and each catch walks it again).
   */
  const cleanTree = (root: object): void => {
    const seen = new SetCtor();
    const todo: object[] = [root];
    let left = 1;
    while (left > 0) {
      const current = todo[--left]!;
      if (P.apply(setHas, seen, [current])) continue;
      P.apply(setAdd, seen, [current]);
      step();
      for (let i = 0; i < 2; i++) {
        const desc = getOwnPropertyDescriptor(current, fields[i]!);
        if (!desc || !("value" in desc)) continue;
        const field = ours(desc.value);
        if (field !== desc.value && desc.configurable) defineProperty(current, fields[i]!, { value: field, writable: true, enumerable: false, configurable: true });
        if (isSuppressed(field)) todo[left++] = field as object;
      }
    }
  };
  const clean = (value: unknown): unknown => {
    const cleaned = ours(value);
    if (isSuppressed(cleaned)) cleanTree(cleaned as object);
    return cleaned;
  };
  P.ObjectFreeze(clean);
  P.ObjectDefineProperty(g, "__tenantbox_caught" satisfies typeof CAUGHT, { value: clean, writable: false, enumerable: false, configurable: false });

  // A rejection handler gets a cleaned reason. A data property still (harden.ts keeps `then` one), and a
  // function that says it is native code (libraries test that before they trust the engine's promises, and
  // so does test/hostile state-leaks): a Proxy of the engine's `then` with an apply trap only. Its handler is
  // the bootstrap's; every other operation reaches the engine's function untouched (no tenant code runs).
  //
  // What the engine does with a reaction's outcome is not always the engine's: the promise `then` makes is
  // built by the species constructor (`p.constructor = C`, any constructor), whose executor hands the engine
  // the tenant's own resolve and reject, and the engine calls that reject with the source's reason when
  // there is no rejection handler, and with whatever a handler threw (red team dec09b, G4: the worker's
  // RangeError reached such a reject). So both handlers are wrapped: whatever either throws is cleaned, and
  // a missing rejection handler is one that throws the cleaned reason (the same rejection, of this realm).
  const then = g.Promise.prototype.then;
  const wrapped = new P.Proxy(then, {
    apply(target: typeof then, self: unknown, args: unknown[]) {
      const onFulfilled = args[0];
      const onRejected = args[1];
      const fulfilled =
        typeof onFulfilled === "function"
          ? function (value: unknown) {
              try {
                return P.apply(onFulfilled as (value: unknown) => unknown, undefined, [value]);
              } catch (error) {
                throw clean(error);
              }
            }
          : onFulfilled;
      const rejected =
        typeof onRejected === "function"
          ? function (reason: unknown) {
              const cleaned = clean(reason);
              try {
                return P.apply(onRejected as (reason: unknown) => unknown, undefined, [cleaned]);
              } catch (error) {
                throw clean(error);
              }
            }
          : function (reason: unknown) {
              throw clean(reason);
            };
      return P.apply(target, self, [fulfilled, rejected]);
    },
  });
  P.ObjectDefineProperty(g.Promise.prototype, "then", { value: wrapped });

  // The combinators and Promise.try, called on another constructor (`Promise.try.call(C, fn)`), make their
  // promise with it, and the engine calls its reject with what the tenant's code threw on the way (the
  // callback of try; the iterator, a `resolve` getter, a `then` lookup of the others): no handler between.
  // Called on anything but the realm's Promise, they get a constructor that builds C's promise with a
  // reject that cleans first, and C's `resolve` (read once, as the engine reads it) called on C itself.
  const PromiseCtor = g.Promise;
  const construct = Reflect.construct;
  const cleaningConstructor = (C: unknown): unknown => {
    if (C === PromiseCtor || typeof C !== "function") return C;
    const Cleaning = function (executor: unknown) {
      return construct(C as new (...a: unknown[]) => object, [
        function (resolve: unknown, reject: unknown) {
          const cleaningReject =
            typeof reject === "function"
              ? function (reason: unknown) {
                  return P.apply(reject as (reason: unknown) => unknown, undefined, [clean(reason)]);
                }
              : reject;
          return P.apply(executor as (...a: unknown[]) => unknown, undefined, [resolve, cleaningReject]);
        },
      ]);
    };
    defineProperty(Cleaning, "resolve", {
      get() {
        const resolve = (C as { resolve?: unknown }).resolve;
        return typeof resolve === "function"
          ? function (value: unknown) {
              return P.apply(resolve as (value: unknown) => unknown, C, [value]);
            }
          : resolve;
      },
    });
    return Cleaning;
  };
  const statics = ["try", "all", "allSettled", "any", "race"];
  for (let i = 0; i < statics.length; i++) {
    const original = getOwnPropertyDescriptor(PromiseCtor, statics[i]!)?.value as ((...a: unknown[]) => unknown) | undefined;
    if (typeof original !== "function") continue;
    const combinator = new P.Proxy(original, {
      apply(target: (...a: unknown[]) => unknown, self: unknown, args: unknown[]) {
        return P.apply(target, cleaningConstructor(self), args);
      },
    });
    P.ObjectDefineProperty(PromiseCtor, statics[i]!, { value: combinator });
  }
}
