import type { OWN_CONSTRUCTOR } from "../../loader/transform.js";
import type { Primordials } from "./primordials.js";

/**
 * `x.constructor = v` in tenant and library code hands x here first (loader/transform.ts). harden.ts makes
 * most frozen intrinsics' methods accessors whose setter defines an own property on the receiver (the
 * "override mistake" fix), but leaves a few data properties that V8's fast paths watch: Array.prototype's
 * `constructor` and the typed arrays' (species lookups: an accessor there made every typed array's slice and
 * subarray about twice as slow, for the whole process). An object that would inherit one of those gets an
 * own writable `constructor` here (the inherited value, until the assignment replaces it), so that
 * `ta.constructor = fn` (typedarray.prototype.slice's feature test, in traverse and exceljs) and
 * `List.prototype.constructor = List` (an Array subclass) do what they do in an unfrozen realm, instead of
 * throwing on the frozen prototype. Every other object is left alone and the assignment is the language's.
 */
export function installOwnConstructor(g: typeof globalThis, P: Primordials) {
  const getPrototypeOf = Object.getPrototypeOf;
  const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const isExtensible = Object.isExtensible;
  const names = ["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float16Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"];
  const holders: object[] = [g.Array.prototype];
  for (let i = 0; i < names.length; i++) {
    const ctor = (g as unknown as Record<string, unknown>)[names[i]!];
    if (typeof ctor === "function") holders[holders.length] = (ctor as { prototype: object }).prototype;
  }
  const isHolder = (object: object): boolean => {
    for (let i = 0; i < holders.length; i++) if (holders[i] === object) return true;
    return false;
  };
  const own = function (target: unknown): unknown {
    if (target === null || (typeof target !== "object" && typeof target !== "function")) return target;
    if (getOwnPropertyDescriptor(target, "constructor") !== undefined || !isExtensible(target)) return target;
    // The first object of the chain that has the property decides, as the assignment's lookup would.
    for (let proto = getPrototypeOf(target) as object | null; proto !== null; proto = getPrototypeOf(proto) as object | null) {
      const inherited = getOwnPropertyDescriptor(proto, "constructor");
      if (inherited === undefined) continue;
      if ("value" in inherited && !inherited.writable && isHolder(proto)) {
        P.ObjectDefineProperty(target, "constructor", { value: inherited.value, writable: true, enumerable: true, configurable: true });
      }
      break;
    }
    return target;
  };
  P.ObjectFreeze(own);
  P.ObjectDefineProperty(g, "__tenantbox_ownConstructor" satisfies typeof OWN_CONSTRUCTOR, { value: own, writable: false, enumerable: false, configurable: false });
}
