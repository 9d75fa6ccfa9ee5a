import type { HostCall } from "../bridge.js";
import type { KeyEngine } from "./crypto-keys.js";
import type { Primordials } from "./primordials.js";
import { readKeyUsages } from "./key-usages.js";
import { createSubtleKeys } from "./subtle-keys.js";

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

  const DIGEST_NAMES = ["SHA-1", "SHA-256", "SHA-384", "SHA-512"];
  /** An algorithm's name, given as a string or as `{ name }` (Web Crypto takes both). */
  const algorithmName = (algorithm: unknown) => P.String(typeof algorithm === "object" && algorithm !== null ? (algorithm as { name?: unknown }).name : algorithm);
  /** The Web Crypto name of a digest ("SHA-256", or { name: "sha-256" }), or a NotSupportedError. */
  function digestName(algorithm: unknown): string {
    const name = algorithmName(algorithm);
    for (let i = 0; i < DIGEST_NAMES.length; i++) if (P.StringPrototypeToLowerCase(DIGEST_NAMES[i]!) === P.StringPrototypeToLowerCase(name)) return DIGEST_NAMES[i]!;
    throw domError("NotSupportedError", "Unrecognized algorithm name: " + name);
  }
  const ownDescriptor = Object.getOwnPropertyDescriptor;
  type Hashing = { digest(name: string, data: Uint8Array): Uint8Array; hmac(name: string, key: Uint8Array, data: Uint8Array): Uint8Array };
  /**
   * The crypto built-in's own digest and HMAC, as it was made (builtins/crypto.cjs): not its exports, which a
   * tenant may have replaced.
   */
  function hashing(method: string): Hashing {
    const crypto = builtin("node:crypto", "");
    const own = crypto === undefined || crypto === null ? undefined : ownDescriptor(crypto, "__tenantboxSubtle");
    if (own === undefined || own.configurable !== false || typeof own.value !== "object") {
      throw domError("NotSupportedError", "crypto.subtle." + method + " needs the crypto module; name `crypto` in the module that calls it");
    }
    return own.value as Hashing;
  }
  const typedArrayCopy = (bytes: Uint8Array) => new P.Uint8Array(bytes);
  const DataViewCtor = g.DataView;
  const dataViewBuffer = P.uncurry(ownDescriptor(g.DataView.prototype, "buffer")!.get! as (this: unknown) => ArrayBuffer);
  const dataViewOffset = P.uncurry(ownDescriptor(g.DataView.prototype, "byteOffset")!.get! as (this: unknown) => number);
  const dataViewLength = P.uncurry(ownDescriptor(g.DataView.prototype, "byteLength")!.get! as (this: unknown) => number);
  /**
   * BufferSource (ArrayBuffer or a view) as a view of its bytes, found natively (no tenant getter is read):
   * for work that reads them at once, the key engine's (which refuses a size before reading: copying 40 MiB
   * first took 30-40 ms per call).
   */
  function viewOf(data: unknown): Uint8Array {
    if (data instanceof P.ArrayBuffer) return new P.Uint8Array(data as ArrayBuffer);
    if (tagOf(data) !== undefined) return new P.Uint8Array(bufferOf(data), offsetOf(data), lengthOf(data));
    if (data instanceof DataViewCtor) return new P.Uint8Array(dataViewBuffer(data), dataViewOffset(data), dataViewLength(data));
    throw new P.TypeError("The data must be an ArrayBuffer or an ArrayBufferView");
  }
  /** BufferSource as a copy of its bytes: what is kept (a key's) or handed on. */
  const bytesOf = (data: unknown): Uint8Array => typedArrayCopy(viewOf(data));
  /** A copy of bytes as a fresh ArrayBuffer of this realm. */
  const arrayBufferOf = (bytes: Uint8Array): ArrayBuffer => bufferOf(typedArrayCopy(bytes));
  const settle = <T>(run: () => T): Promise<T> => {
    try {
      return P.PromiseResolve(run()) as Promise<T>;
    } catch (error) {
      return P.PromiseReject(error) as Promise<T>;
    }
  };

  // Secret keys for HMAC, the Web Crypto way (jose signs and verifies HS256 tokens with them): what a key
  // is (its bytes, hash and usages) is kept here, out of the tenant's reach, as long as the key object
  // lives; the key's own `algorithm` and `usages` are frozen copies for the tenant to read.
  interface HmacKey {
    bytes: Uint8Array;
    hash: string;
    /** Frozen: the key's public `usages` too. */
    usages: readonly string[];
    extractable: boolean;
  }
  const keys = new P.WeakMap<object, HmacKey>();
  const CryptoKey = function CryptoKey() {
    throw new P.TypeError("Illegal constructor");
  } as unknown as { prototype: object };
  P.ObjectDefineProperty(CryptoKey.prototype, Symbol.toStringTag, { value: "CryptoKey", configurable: true });
  const HMAC_USAGES = ["sign", "verify"];
  function hmacKey(bytes: Uint8Array, hash: string, extractable: unknown, usages: unknown): object {
    const list = readKeyUsages(P, domError, usages, HMAC_USAGES, "an HMAC key", false);
    if (bytes.length === 0) throw domError("DataError", "Zero-length key is not supported");
    const key = P.ObjectCreate(CryptoKey.prototype) as Record<string, unknown>;
    P.ObjectDefineProperty(key, "type", { value: "secret", enumerable: true });
    P.ObjectDefineProperty(key, "extractable", { value: extractable === true, enumerable: true });
    P.ObjectDefineProperty(key, "algorithm", { value: P.ObjectFreeze({ name: "HMAC", hash: P.ObjectFreeze({ name: hash }), length: bytes.length * 8 }), enumerable: true });
    P.ObjectDefineProperty(key, "usages", { value: list, enumerable: true });
    P.ObjectFreeze(key);
    P.WeakMapSet(keys, key, { bytes, hash, usages: list, extractable: extractable === true });
    return key;
  }
  const asymmetric = createSubtleKeys(
    P,
    () => builtin("node:internal/keys", "") as KeyEngine | undefined,
    CryptoKey.prototype,
    domError,
    viewOf,
    arrayBufferOf,
    digestName,
  );
  function keyOf(key: unknown): HmacKey {
    const found = typeof key === "object" && key !== null ? (P.WeakMapGet(keys, key) as HmacKey | undefined) : undefined;
    if (found === undefined) throw new P.TypeError("key is not a CryptoKey");
    return found;
  }
  /** Refuses any algorithm but HMAC. */
  function onlyHmac(algorithm: unknown): void {
    const name = algorithmName(algorithm);
    if (P.StringPrototypeToLowerCase(name) !== "hmac") {
      throw domError("NotSupportedError", "Unrecognized algorithm name: " + name + " (the sandbox has HMAC, RSASSA-PKCS1-v1_5, RSA-PSS, ECDSA, Ed25519 and Ed448 keys)");
    }
  }
  function hmacOf(algorithm: unknown, key: unknown, usage: string): HmacKey {
    onlyHmac(algorithm);
    const found = keyOf(key);
    let allowed = false;
    for (let i = 0; i < found.usages.length; i++) if (found.usages[i] === usage) allowed = true;
    if (!allowed) throw domError("InvalidAccessError", "The key does not allow " + usage);
    return found;
  }
  function unsupported(method: string) {
    return function () {
      return P.PromiseReject(domError("NotSupportedError", "crypto.subtle." + method + " is not available in the sandbox (digest; importKey, exportKey, generateKey, sign, verify with HMAC, RSASSA-PKCS1-v1_5, RSA-PSS, ECDSA, Ed25519 and Ed448 keys)"));
    };
  }
  function hmacAlgorithm(algorithm: unknown): { hash: string; length: unknown } {
    onlyHmac(algorithm);
    const options = (typeof algorithm === "object" && algorithm !== null ? algorithm : {}) as { hash?: unknown; length?: unknown };
    return { hash: digestName(options.hash), length: options.length };
  }

  const subtle = {
    digest: function digest(algorithm: unknown, data: unknown): Promise<ArrayBuffer> {
      return settle(() => arrayBufferOf(hashing("digest").digest(digestName(algorithm), bytesOf(data))));
    },
    importKey: function importKey(format: unknown, keyData: unknown, algorithm: unknown, extractable: unknown, usages: unknown): Promise<object> {
      return settle(() => {
        const name = asymmetric.nameOf(algorithm);
        if (name !== undefined) return asymmetric.importKey(name, format, keyData, algorithm, extractable, usages);
        const { hash } = hmacAlgorithm(algorithm);
        if (format === "raw") return hmacKey(bytesOf(keyData), hash, extractable, usages);
        if (format === "jwk" && typeof keyData === "object" && keyData !== null && (keyData as { kty?: unknown }).kty === "oct") {
          const jwk = keyData as { k?: unknown; ext?: unknown };
          if (jwk.ext === false && extractable === true) throw domError("DataError", "JWK \"ext\" Parameter and extractable mismatch");
          const buffer = builtin("node:buffer", "Buffer") as { from(s: string, e: string): Uint8Array } | undefined;
          if (buffer === undefined) throw domError("NotSupportedError", "a JWK key needs the buffer module; name `Buffer` in the module that calls it");
          return hmacKey(bytesOf(buffer.from(P.String(jwk.k), "base64url")), hash, extractable, usages);
        }
        throw domError("NotSupportedError", "HMAC keys are imported from 'raw' bytes or an 'oct' JWK");
      });
    },
    exportKey: function exportKey(format: unknown, key: unknown): Promise<ArrayBuffer | object> {
      return settle(() => {
        if (asymmetric.isKey(key)) return asymmetric.exportKey(format, key);
        const found = keyOf(key);
        if (!found.extractable) throw domError("InvalidAccessError", "key is not extractable");
        if (format !== "raw") throw domError("NotSupportedError", "HMAC keys are exported as 'raw' bytes");
        return arrayBufferOf(found.bytes);
      });
    },
    generateKey: function generateKey(algorithm: unknown, extractable: unknown, usages: unknown): Promise<object> {
      return settle(() => {
        const name = asymmetric.nameOf(algorithm);
        if (name !== undefined) return asymmetric.generateKey(name, algorithm, extractable, usages);
        const { hash, length } = hmacAlgorithm(algorithm);
        const bits = typeof length === "number" ? length : hash === "SHA-384" || hash === "SHA-512" ? 1024 : 512;
        if (!(bits > 0 && bits <= 4096 && bits % 8 === 0)) throw domError("OperationError", "HMAC key length must be a multiple of 8 up to 4096 bits");
        return hmacKey(getRandomValues(new P.Uint8Array(bits / 8)), hash, extractable, usages);
      });
    },
    sign: function sign(algorithm: unknown, key: unknown, data: unknown): Promise<ArrayBuffer> {
      return settle(() => {
        if (asymmetric.isKey(key)) return asymmetric.sign(algorithm, key, data);
        const found = hmacOf(algorithm, key, "sign");
        return arrayBufferOf(hashing("sign").hmac(found.hash, found.bytes, bytesOf(data)));
      });
    },
    verify: function verify(algorithm: unknown, key: unknown, signature: unknown, data: unknown): Promise<boolean> {
      return settle(() => {
        if (asymmetric.isKey(key)) return asymmetric.verify(algorithm, key, signature, data);
        const found = hmacOf(algorithm, key, "verify");
        const expected = hashing("verify").hmac(found.hash, found.bytes, bytesOf(data));
        const given = bytesOf(signature);
        if (given.length !== expected.length) return false;
        let diff = 0;
        for (let i = 0; i < given.length; i++) diff |= given[i]! ^ expected[i]!;
        return diff === 0;
      });
    },
    encrypt: unsupported("encrypt"),
    decrypt: unsupported("decrypt"),
    deriveBits: unsupported("deriveBits"),
    deriveKey: unsupported("deriveKey"),
    wrapKey: unsupported("wrapKey"),
    unwrapKey: unsupported("unwrapKey"),
  };
  define("CryptoKey", CryptoKey);
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
