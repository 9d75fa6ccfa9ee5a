import type { HostCall } from "../bridge.js";
import type { Primordials } from "./primordials.js";

/**
 * The realm's replacement for `Function`, given to library code (loader/code-generation.ts): it builds the
 * text the Function constructor would compile, asks the worker to compile it (op "compile": validated,
 * guarded, evaluated in this realm), takes the wrapper the worker hands back through the bootstrap handle
 * (`adopt`), and instantiates it with the current invocation's guards. Refusals are EvalErrors, as a
 * disabled Function's are. It is frozen: nothing one invocation does to it reaches another.
 */
export function createCodeGeneration(P: Primordials, host: HostCall, EvalErrorCtor: typeof EvalError, guards: () => unknown[] | null) {
  let adopted: ((...args: unknown[]) => unknown) | null = null;

  function noRequire(): never {
    throw new EvalErrorCtor("generated code cannot require modules");
  }

  const makeFunction = function Function(...args: unknown[]) {
    const n = args.length;
    let params = "";
    for (let i = 0; i < n - 1; i++) params += (i === 0 ? "" : ",") + P.String(args[i]);
    const body = n === 0 ? "" : P.String(args[n - 1]);
    const source = "(function anonymous(" + params + "\n) {\n" + body + "\n})";
    adopted = null;
    const answer = host("compile", source);
    const wrapper = adopted as ((...a: unknown[]) => unknown) | null;
    adopted = null;
    const current = guards();
    if (answer !== "" || wrapper === null || current === null) {
      throw new EvalErrorCtor(typeof answer === "string" && answer !== "" ? answer : "code generation from strings is not available here");
    }
    const module = { exports: undefined as unknown };
    let taken = false;
    const take = function () {
      if (taken) return null;
      taken = true;
      return current;
    };
    P.apply(wrapper, undefined, [{}, noRequire, module, "anonymous", ".", take]);
    return module.exports;
  };
  // `x instanceof Function` and `Function.prototype.call` keep working in library code.
  P.ObjectDefineProperty(makeFunction, "prototype", { value: P.ObjectGetPrototypeOf(makeFunction), writable: false });
  P.ObjectFreeze(makeFunction);

  /**
   * The scope of a `with` in generated code: every string key the object has (own and inherited) except the
   * runtime's `__tenantbox` names, forwarded to the object; no prototype, no Symbol.unscopables.
   */
  const getOwnPropertyNames = Object.getOwnPropertyNames;
  /**
   * Objects whose elements cost nothing to make and one name each to list (an array from fill, a typed array,
   * a String of a long string): getOwnPropertyNames of 16 Mi of them is one call no guard interrupts (the hard
   * stop). No element name can be a variable, so a big one is refused instead of listed.
   */
  const MAX_WITH_ELEMENTS = 65536;
  function elementCount(object: object): number {
    if (P.ArrayIsArray(object)) return (object as unknown[]).length;
    if (P.TypedArrayTag(object) !== undefined) return P.TypedArrayLength(object);
    try {
      return P.StringPrototypeValueOf(object).length;
    } catch {
      return 0;
    }
  }
  const scopeOf = function (target: unknown): object {
    if (target === null || target === undefined) throw new P.TypeError("Cannot convert undefined or null to object");
    const object = P.Object(target) as Record<string, unknown>;
    const scope = P.ObjectCreate(null) as object;
    // Runtime code runs no guard of its own: an object with millions of names still meets the time limit.
    const enter = (guards() ?? [])[1] as (() => void) | undefined;
    for (let current: object | null = object; current !== null; current = P.ObjectGetPrototypeOf(current) as object | null) {
      if (elementCount(current) > MAX_WITH_ELEMENTS) throw new P.RangeError("with over an object of more than " + MAX_WITH_ELEMENTS + " elements is not supported");
      const names = getOwnPropertyNames(current);
      for (let i = 0; i < names.length; i++) {
        if ((i & 1023) === 1023 && enter !== undefined) enter();
        const name = names[i]!;
        if (P.StringPrototypeSlice(name, 0, 11) === "__tenantbox" || P.ObjectHasOwn(scope, name)) continue;
        P.ObjectDefineProperty(scope, name, {
          get: () => object[name],
          set: (value: unknown) => {
            object[name] = value;
          },
          enumerable: false,
          configurable: false,
        });
      }
    }
    // Reachable as `this` of a function called through the with binding: nothing may be added to it (a
    // forged `__tenantbox_b` on the scope would shadow the guards' budget).
    P.ObjectPreventExtensions(scope);
    return scope;
  };
  P.ObjectFreeze(scopeOf);

  /** What library code's `Function` references go through (loader/code-generation.ts): the realm's constructor becomes the replacement. */
  const realmFunction = P.ObjectGetPrototypeOf(makeFunction).constructor as unknown;
  const route = function (value: unknown): unknown {
    return value === realmFunction ? makeFunction : value;
  };
  P.ObjectFreeze(route);

  return {
    makeFunction,
    route,
    scopeOf,
    /** Called by the worker (handle.adopt) while op "compile" runs: the compiled wrapper, evaluated in this realm. */
    adopt(wrapper: (...args: unknown[]) => unknown) {
      adopted = wrapper;
    },
  };
}
