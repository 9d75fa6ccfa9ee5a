import type { HostCall } from "../bridge.js";
import type { Primordials } from "./primordials.js";

/**
 * The realm's replacement for `Function`, given to library code (loader/code-generation.ts): it builds the
 * text the Function constructor would compile, asks the worker to compile it (op "compile": validated,
 * guarded, evaluated in this realm), takes the wrapper the worker hands back through the bootstrap handle
 * (`adopt`), and instantiates it with the current invocation's guards. Refusals are EvalErrors, as a
 * disabled Function's are. It is frozen: nothing one invocation does to it reaches another.
 */
export function createCodeGeneration(P: Primordials, host: HostCall, EvalErrorCtor: typeof EvalError, realmEval: unknown, guards: () => unknown[] | null) {
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
    // A subclass's `super(body)` (argparse's `class Action extends Function`, whose instances are callable and
    // forward to their own call() through arguments.callee) gets a function of the subclass, as the Function
    // constructor makes one with new.target's prototype. The function is this call's own: nothing shared changes.
    if (new.target !== undefined && new.target !== makeFunction) {
      const proto = (new.target as { prototype?: unknown }).prototype;
      if ((typeof proto === "object" && proto !== null) || typeof proto === "function") P.ObjectSetPrototypeOf(module.exports as object, proto as object);
    }
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

  /**
   * Indirect eval (`(0, eval)("this")`, `var e = eval; e(text)`, `globalThis.eval(text)` in library code) of a
   * text that is one expression: what `Function("return (" + text + "\n)")` gives, compiled the same way (so
   * no more than library code could already do), and the same value a script of that one expression
   * statement completes with. Not a text a script would read otherwise (one starting with `{`, `function`,
   * `class`, `async function` or `let [`, after white space and comments: a block or a declaration there), nor
   * statements: an EvalError. Direct eval stays refused (it would need the caller's scope).
   */
  // A method, for its name (a function may not be named eval in strict code) and, as eval, no constructor.
  const indirectEval = {
    eval(text: unknown): unknown {
      if (typeof text !== "string") return text;
      // Compiled first: the replacement refuses a text past its size limit, so the scan below stays short.
      const fn = makeFunction("return (" + text + "\n)") as (...a: unknown[]) => unknown;
      let i = 0;
      const n = text.length;
      for (;;) {
        while (i < n && /\s/.test(text[i]!)) i++;
        if (text[i] === "/" && text[i + 1] === "/") {
          while (i < n && text[i] !== "\n" && text[i] !== "\r" && text[i] !== "\u2028" && text[i] !== "\u2029") i++;
        } else if (text[i] === "/" && text[i + 1] === "*") {
          const end = P.StringPrototypeIndexOf(text, "*/", i + 2);
          if (end === -1) break;
          i = end + 2;
        } else break;
      }
      const rest = P.StringPrototypeSlice(text, i, i + 16);
      if (rest[0] === "{" || /^(?:function|class|async\s+function|let\s*\[)(?![\w$])/.test(rest)) {
        throw new EvalErrorCtor("indirect eval of a declaration or a block is not supported here (only of an expression)");
      }
      return P.apply(fn, undefined, []);
    },
  }.eval;
  P.ObjectFreeze(indirectEval);

  /**
   * What library code's `Function` and indirect `eval` references go through (loader/code-generation.ts): the
   * realm's constructor becomes the replacement, the realm's eval the indirect eval above.
   */
  const realmFunction = P.ObjectGetPrototypeOf(makeFunction).constructor as unknown;
  const route = function (value: unknown): unknown {
    if (value === realmFunction) return makeFunction;
    return value === realmEval ? indirectEval : value;
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
