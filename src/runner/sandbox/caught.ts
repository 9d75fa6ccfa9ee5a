import type { CAUGHT } from "../../loader/transform.js";
import type { Primordials } from "./primordials.js";

/**
 * What a tenant's code catches is of its realm (invariant 1), even when it was thrown from a frame of the
 * worker's. At the very edge of the stack, reading an error's `stack` runs Node's own stack formatter (a
 * function of the worker's realm, called by V8 for the realm's errors too) and overflows there: the
 * RangeError is the worker's, and its `.constructor.constructor` is the worker's Function (red team dec09,
 * F3: `Function("return process")()` from a hook, at the default security level). A native import() at the
 * edge does the same. Such a value reaches tenant code in two ways only, and both go through `clean`:
 *  - a catch clause: the transform hands every binding to the global `__tenantbox_caught` first;
 *  - a rejection: whatever threw it (an async function, a `then` callback, an executor), the reason reaches
 *    code through `then` (`catch`, `finally`, and the combinators call it) or through `await`, which throws
 *    it into a catch clause. `Promise.prototype.then` cleans the reason before a rejection handler gets it.
 * A value of another realm becomes a RangeError of this one with its message; a SuppressedError V8 built
 * around such values (`using` disposal, DisposableStack), at any depth of nesting, gets them cleaned in place.
 */
export function installCaught(g: typeof globalThis, P: Primordials) {
  const ObjectPrototype = g.Object.prototype;
  const getPrototypeOf = Object.getPrototypeOf;
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const defineProperty = Object.defineProperty;
  const RangeErrorCtor = g.RangeError;
  const SuppressedErrorProto = (g as unknown as { SuppressedError?: { prototype: object } }).SuppressedError?.prototype;
  /** SuppressedErrors one caught value may hold (nested or chained) that are looked through. */
  const MAX_SUPPRESSED = 10_000;

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
  const isSuppressed = (value: unknown): value is object =>
    SuppressedErrorProto !== undefined && value !== null && typeof value === "object" && getPrototypeOf(value) === SuppressedErrorProto;
  const clean = (value: unknown): unknown => {
    const cleaned = ours(value);
    // V8 wraps what a disposal threw in SuppressedErrors: in `suppressed` (the chain of one stack's disposals)
    // and in `error` too (a disposal that threw a SuppressedError of its own, as a nested DisposableStack's
    // dispose() does), so every SuppressedError reachable through either field is cleaned, not the chain
    // through `suppressed` only. Bounded (a tenant's own SuppressedErrors may form a cycle; this loop has no
    // guard): past MAX_SUPPRESSED, or a field that cannot be replaced, the whole value becomes a RangeError.
    if (!isSuppressed(cleaned)) return cleaned;
    const pending: object[] = [cleaned];
    for (let visited = 0; pending.length > 0; visited++) {
      if (visited === MAX_SUPPRESSED) return new RangeErrorCtor("a disposal's errors are nested too deeply to be handed over");
      const current = pending[pending.length - 1]!;
      pending.length--;
      for (let i = 0; i < 2; i++) {
        const key = i === 0 ? "error" : "suppressed";
        const desc = getOwnPropertyDescriptor(current, key);
        if (!desc || !("value" in desc)) continue;
        const field = ours(desc.value);
        if (field !== desc.value) {
          if (!desc.configurable) return new RangeErrorCtor("Maximum call stack size exceeded");
          defineProperty(current, key, { value: field, writable: true, enumerable: false, configurable: true });
        } else if (isSuppressed(field)) pending[pending.length] = field;
      }
    }
    return cleaned;
  };
  P.ObjectFreeze(clean);
  P.ObjectDefineProperty(g, "__tenantbox_caught" satisfies typeof CAUGHT, { value: clean, writable: false, enumerable: false, configurable: false });

  // A rejection handler gets a cleaned reason. A data property still (harden.ts keeps `then` one), and a
  // function that says it is native code (libraries test that before they trust the engine's promises, and
  // so does test/hostile state-leaks): a Proxy of the engine's `then` with an apply trap only. Its handler is
  // the bootstrap's; every other operation reaches the engine's function untouched (no tenant code runs).
  const then = g.Promise.prototype.then;
  const wrapped = new P.Proxy(then, {
    apply(target: typeof then, self: unknown, args: unknown[]) {
      const onRejected = args[1];
      const handler =
        typeof onRejected === "function"
          ? function (reason: unknown) {
              return P.apply(onRejected as (reason: unknown) => unknown, undefined, [clean(reason)]);
            }
          : onRejected;
      return P.apply(target, self, [args[0], handler]);
    },
  });
  P.ObjectDefineProperty(g.Promise.prototype, "then", { value: wrapped });
}
