import type { HostCall } from "../bridge.js";
import type { Primordials } from "./primordials.js";

/**
 * The globals Node code expects, built from realm objects before the realm is frozen:
 *
 * - `global`, the global object itself;
 * - `crypto` (Web Crypto): getRandomValues and randomUUID from the host's CSPRNG through op "random" (a
 *   byte count in, hex text out), subtle.digest through the invocation's `crypto` built-in;
 * - `performance.now()`, in milliseconds since the invocation began (no finer clock: a timing channel);
 * - lazy globals (builtins.ts LAZY_GLOBALS: process, Buffer, EventTarget, ...): getters that read the
 *   invocation's own instance of a built-in module, so nothing one invocation does to them reaches another.
 *   Assigning one (`global.Buffer = ...`) shadows it for the rest of the invocation.
 */
export function installNodeGlobals(
  g: typeof globalThis,
  P: Primordials,
  host: HostCall,
  lazyGlobalsJson: string,
  /** The invocation's built-in instance (module id, export name or ""), or undefined when it has none. */
  builtin: (id: string, exportName: string) => unknown,
  /** When the current invocation began (Date.now()), or 0 between invocations. */
  startedAt: () => number,
  /** The current invocation's assigned globals (fresh per invocation), or null between invocations. */
  overrides: () => Record<string, unknown> | null,
) {
  const define = (name: string, value: unknown) => P.ObjectDefineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });
  define("global", g);

  const lazy = P.JSONParse(lazyGlobalsJson) as Record<string, [string, string]>;
  const names = P.ObjectKeys(lazy);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const [id, exportName] = lazy[name]!;
    P.ObjectDefineProperty(g, name, {
      get: function () {
        const assigned = overrides();
        if (assigned !== null && P.ObjectHasOwn(assigned, name)) return assigned[name];
        return builtin(id, exportName);
      },
      set: function (value: unknown) {
        const assigned = overrides();
        if (assigned !== null) assigned[name] = value;
      },
      enumerable: false,
      configurable: true,
    });
  }

  const MAX_RANDOM_BYTES = 65536;
  const typedArrayProto = P.ObjectGetPrototypeOf(P.Uint8Array.prototype) as object;
  const descriptor = (key: string) => Object.getOwnPropertyDescriptor(typedArrayProto, key)!.get!;
  const bufferOf = P.uncurry(descriptor("buffer") as (this: unknown) => ArrayBuffer);
  const offsetOf = P.uncurry(descriptor("byteOffset") as (this: unknown) => number);
  const lengthOf = P.uncurry(descriptor("byteLength") as (this: unknown) => number);
  const tagOf = P.uncurry(Object.getOwnPropertyDescriptor(typedArrayProto, Symbol.toStringTag)!.get as (this: unknown) => string | undefined);
  const INTEGER_ARRAYS = ["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "BigInt64Array", "BigUint64Array"];

  function domError(name: string, message: string): Error {
    const error = new P.Error(message);
    P.ObjectDefineProperty(error, "name", { value: name, writable: true, configurable: true, enumerable: false });
    return error;
  }

  function getRandomValues<T>(array: T): T {
    const tag = tagOf(array);
    let integer = false;
    for (let i = 0; i < INTEGER_ARRAYS.length; i++) if (INTEGER_ARRAYS[i] === tag) integer = true;
    if (!integer) throw domError("TypeMismatchError", "The data argument must be an integer-type TypedArray");
    const length = lengthOf(array);
    if (length > MAX_RANDOM_BYTES) throw domError("QuotaExceededError", "The ArrayBufferView's byte length (" + length + ") exceeds the number of bytes of entropy available via this API (65536)");
    if (length === 0) return array;
    const hex = host("random", length);
    if (typeof hex !== "string" || hex.length !== length * 2) throw domError("OperationError", "no randomness is available outside an invocation");
    const bytes = new P.Uint8Array(bufferOf(array), offsetOf(array), length);
    for (let i = 0; i < length; i++) {
      const hi = P.StringPrototypeCharCodeAt(hex, i * 2);
      const lo = P.StringPrototypeCharCodeAt(hex, i * 2 + 1);
      bytes[i] = ((hi > 57 ? hi - 87 : hi - 48) << 4) | (lo > 57 ? lo - 87 : lo - 48);
    }
    return array;
  }

  function randomUUID(): string {
    const bytes = getRandomValues(new P.Uint8Array(16));
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    let out = "";
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) out += "-";
      out += (bytes[i]! < 16 ? "0" : "") + bytes[i]!.toString(16);
    }
    return out;
  }

  const DIGESTS: Record<string, string> = { "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512" };
  const subtle = {
    digest: function digest(algorithm: unknown, data: unknown): Promise<ArrayBuffer> {
      try {
        const name = P.String(typeof algorithm === "object" && algorithm !== null ? (algorithm as { name?: unknown }).name : algorithm);
        let hash: string | undefined;
        const keys = P.ObjectKeys(DIGESTS);
        for (let i = 0; i < keys.length; i++) if (P.StringPrototypeToLowerCase(keys[i]!) === P.StringPrototypeToLowerCase(name)) hash = DIGESTS[keys[i]!];
        if (hash === undefined) throw domError("NotSupportedError", "Unrecognized algorithm name: " + name);
        const crypto = builtin("node:crypto", "") as { createHash(name: string): { update(d: unknown): { digest(): Uint8Array } } } | undefined;
        if (crypto === undefined) throw domError("NotSupportedError", "crypto.subtle.digest needs the crypto module; name `crypto` in the module that calls it");
        const digest = crypto.createHash(hash).update(data).digest();
        const out = new P.Uint8Array(lengthOf(digest));
        for (let i = 0; i < out.length; i++) out[i] = digest[i]!;
        return P.PromiseResolve(bufferOf(out)) as Promise<ArrayBuffer>;
      } catch (error) {
        return P.PromiseReject(error);
      }
    },
  };
  define("crypto", { getRandomValues, randomUUID, subtle });

  define("performance", {
    now: function now() {
      const start = startedAt();
      return start === 0 ? 0 : P.DateNow() - start;
    },
    get timeOrigin() {
      return startedAt();
    },
  });
}
