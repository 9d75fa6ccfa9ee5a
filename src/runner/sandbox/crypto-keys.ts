import type { HostCall, KeyInfo, KeyReply, KeyRef } from "../bridge.js";
import type { Primordials } from "./primordials.js";

/**
 * The realm's asymmetric keys: the engine under Node's KeyObject, createSign, sign, verify (builtins/crypto.cjs,
 * through the realm built-in `node:internal/keys`) and under crypto.subtle's RSA, ECDSA and EdDSA keys
 * (node-globals.ts). The work is done by the worker (op "key", runner/crypto-keys.ts) on strings only; a key
 * is a handle, an empty frozen object, whose DER and facts this engine keeps out of the tenant's reach.
 *
 * Returns a factory: each invocation that uses keys gets its own engine (the realm built-in is instantiated
 * per invocation), with its own table of handles, so no key of one call is usable in the next.
 */
/** Lower-case hex (the worker's answers) as bytes; an odd length reads as if it had a leading 0. */
export function bytesOfHex(P: Primordials, hex: string): Uint8Array {
  const odd = hex.length % 2;
  const bytes = new P.Uint8Array((hex.length + odd) >> 1);
  for (let i = 0; i < bytes.length; i++) {
    const at = i * 2 - odd;
    const hi = at < 0 ? 48 : P.StringPrototypeCharCodeAt(hex, at);
    const lo = P.StringPrototypeCharCodeAt(hex, at + 1);
    bytes[i] = ((hi > 57 ? hi - 87 : hi - 48) << 4) | (lo > 57 ? lo - 87 : lo - 48);
  }
  return bytes;
}

export function createKeyEngine(
  P: Primordials,
  host: HostCall,
  /** The invocation's clock (main.ts pace): the encoding loops below read it, as the realm's encoders do. */
  pace: () => void,
) {
  const typedArrayProto = P.ObjectGetPrototypeOf(P.Uint8Array.prototype) as object;
  const getter = (key: string | symbol) => (Object.getOwnPropertyDescriptor(typedArrayProto, key)!.get as (this: unknown) => unknown);
  const bufferOf = P.uncurry(getter("buffer") as (this: unknown) => ArrayBuffer);
  const offsetOf = P.uncurry(getter("byteOffset") as (this: unknown) => number);
  const lengthOf = P.uncurry(getter("byteLength") as (this: unknown) => number);
  const fromCharCode = P.StringFromCharCode;
  const HEX_DIGITS = "0123456789abcdef";
  /** Data a sign or verify takes (runner/crypto-keys.ts MAX_DATA_BYTES). */
  const MAX_DATA_BYTES = 16 * 1024 * 1024;
  const MAX_KEY_TEXT = 64 * 1024;

  function keyError(message: string, code: string, Ctor: ErrorConstructor = P.Error): Error {
    const error = new Ctor(message);
    P.ObjectDefineProperty(error, "code", { value: code, writable: true, configurable: true, enumerable: true });
    return error;
  }

  /** A typed array's own bytes, read natively (no getter of the tenant's runs), as a view. */
  function viewOf(data: unknown, what: string): Uint8Array {
    if (P.TypedArrayTag(data) === undefined) throw keyError("The \"" + what + "\" argument must be an instance of Buffer, TypedArray or DataView.", "ERR_INVALID_ARG_TYPE", P.TypeError);
    return new P.Uint8Array(bufferOf(data), offsetOf(data), lengthOf(data));
  }

  /**
   * Key material or a signature as hex, refused by its size before it is encoded: hexOf is a loop without
   * guards, and 100 MiB of "DER" ran in it until the hard stop.
   */
  function boundedHex(data: unknown, what: string): string {
    const view = viewOf(data, what);
    if (view.length > MAX_KEY_TEXT / 2) throw keyError("key material of more than " + MAX_KEY_TEXT / 2 + " bytes is not available in the sandbox", "ERR_OUT_OF_RANGE", P.RangeError);
    return hexOf(view);
  }

  /** Data as a latin1 string, 8 KiB at a time, reading the clock at each (16 MiB took ~85 ms unpaced). */
  function latin1(bytes: Uint8Array): string {
    let out = "";
    for (let at = 0; at < bytes.length; at += 8192) {
      pace();
      const end = at + 8192 < bytes.length ? at + 8192 : bytes.length;
      out += P.apply(fromCharCode, undefined, new P.Uint8Array(bytes.buffer, bytes.byteOffset + at, end - at) as unknown as number[]);
    }
    return out;
  }

  function hexOf(bytes: Uint8Array): string {
    let out = "";
    for (let i = 0; i < bytes.length; i++) out += HEX_DIGITS[bytes[i]! >> 4]! + HEX_DIGITS[bytes[i]! & 15]!;
    return out;
  }

  /** One op "key" call: the answer, or the worker's error as a realm Error with Node's code. */
  function call(request: Record<string, unknown>, data?: string): Record<string, unknown> {
    const answer = host("key", P.JSONStringify(request), data);
    if (typeof answer !== "string") throw keyError("keys are available only during an invocation", "ERR_CRYPTO_OPERATION_FAILED");
    const reply = P.JSONParse(answer) as KeyReply & { error?: string; code?: string };
    if (typeof reply.error === "string") throw keyError(reply.error, reply.code!);
    return reply as unknown as Record<string, unknown>;
  }

  function textArgument(value: unknown, what: string): string {
    if (typeof value !== "string") throw keyError("The \"" + what + "\" argument must be a string", "ERR_INVALID_ARG_TYPE", P.TypeError);
    if (value.length > MAX_KEY_TEXT) throw keyError("key material of more than " + MAX_KEY_TEXT + " characters is not available in the sandbox", "ERR_OUT_OF_RANGE", P.RangeError);
    return value;
  }

  interface Options {
    padding?: number;
    saltLength?: number;
    dsaEncoding?: string;
  }
  /** Sign options, read once each into a primitive. */
  function optionsOf(options: unknown, request: Record<string, unknown>): void {
    if (typeof options !== "object" || options === null) return;
    const { padding, saltLength, dsaEncoding } = options as Options;
    if (padding !== undefined) request.padding = padding === 6 ? 6 : padding === 1 ? 1 : P.String(padding);
    if (saltLength !== undefined) {
      if (typeof saltLength !== "number" || !(saltLength >= -2 && saltLength <= 1024) || saltLength !== P.MathFloor(saltLength)) throw keyError("The value of \"options.saltLength\" is out of range.", "ERR_OUT_OF_RANGE", P.RangeError);
      request.saltLength = saltLength;
    }
    if (dsaEncoding !== undefined) {
      if (dsaEncoding !== "der" && dsaEncoding !== "ieee-p1363") throw keyError("The property 'options.dsaEncoding' is invalid.", "ERR_INVALID_ARG_VALUE", P.TypeError);
      request.dsaEncoding = dsaEncoding;
    }
  }

  return function newEngine() {
    const handles = new P.WeakMap<object, KeyInfo>();

    function handleFor(info: KeyInfo): object {
      const handle = P.ObjectFreeze(P.ObjectCreate(null) as object);
      P.WeakMapSet(handles, handle, info);
      return handle;
    }

    function infoOf(handle: unknown): KeyInfo {
      const info = typeof handle === "object" && handle !== null ? (P.WeakMapGet(handles, handle) as KeyInfo | undefined) : undefined;
      if (info === undefined) throw keyError("the key does not belong to this invocation", "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE", P.TypeError);
      return info;
    }

    function ref(info: KeyInfo): KeyRef {
      return { kind: info.kind, der: info.der };
    }

    function keyFrom(reply: unknown): object {
      const info = reply as KeyInfo;
      const details = P.ObjectFreeze(info.details);
      return handleFor({ kind: info.kind, der: info.der, asymmetricKeyType: info.asymmetricKeyType, details });
    }

    function digestOf(digest: unknown): string {
      if (digest === null || digest === undefined) return "";
      if (typeof digest !== "string") throw keyError("The \"algorithm\" argument must be of type string", "ERR_INVALID_ARG_TYPE", P.TypeError);
      return digest;
    }

    function dataOf(data: unknown, what: string): string {
      const view = viewOf(data, what);
      if (view.length > MAX_DATA_BYTES) throw keyError("data of more than " + MAX_DATA_BYTES + " bytes is not signed or verified in the sandbox", "ERR_OUT_OF_RANGE", P.RangeError);
      return latin1(view);
    }

    return P.ObjectFreeze({
      /**
       * A key: kind "public" or "private"; format "pem" (text), "der" (bytes, type spki/pkcs1/pkcs8/sec1),
       * "jwk" (JSON text of the JWK's string members) or "raw" (bytes, type the curve name). A public key may be
       * made from private material, as Node's createPublicKey does.
       */
      importKey(kind: unknown, format: unknown, type: unknown, material: unknown): object {
        const request: Record<string, unknown> = { op: "import", kind: kind === "private" ? "private" : "public", format: P.String(format) };
        if (type !== undefined) request.type = P.String(type);
        request.key = format === "der" || format === "raw" ? boundedHex(material, "key") : textArgument(material, "key");
        return keyFrom(call(request).key);
      },
      /** Whether a value is one of this invocation's key handles. */
      isKey(handle: unknown): boolean {
        return typeof handle === "object" && handle !== null && P.WeakMapHas(handles, handle);
      },
      /** type ("public"/"private"), asymmetricKeyType, details (frozen; publicExponent as hex). */
      describe(handle: unknown): { type: string; asymmetricKeyType: string; details: KeyInfo["details"] } {
        const info = infoOf(handle);
        return P.ObjectFreeze({ type: info.kind, asymmetricKeyType: info.asymmetricKeyType, details: info.details });
      },
      /** The public key of a key (itself when public). */
      publicOf(handle: unknown): object {
        const info = infoOf(handle);
        if (info.kind === "public") return handle as object;
        return keyFrom(call({ op: "import", kind: "public", format: "der", type: "pkcs8", key: info.der }).key);
      },
      /** format "pem" -> PEM text, "der" -> bytes, "jwk" -> JSON text, "raw" -> bytes (public EC and EdDSA keys). */
      exportKey(handle: unknown, format: unknown, type: unknown): string | Uint8Array {
        const info = infoOf(handle);
        const text = call({ op: "export", key: ref(info), format: P.String(format), type: type === undefined ? (info.kind === "public" ? "spki" : "pkcs8") : P.String(type) }).text as string;
        return format === "der" || format === "raw" ? bytesOfHex(P, text) : text;
      },
      equals(a: unknown, b: unknown): boolean {
        const x = infoOf(a);
        const y = infoOf(b);
        return x.kind === y.kind && x.der === y.der;
      },
      sign(handle: unknown, digest: unknown, data: unknown, options: unknown): Uint8Array {
        const info = infoOf(handle);
        if (info.kind !== "private") throw keyError("Invalid key object type public, expected private.", "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE", P.TypeError);
        const request: Record<string, unknown> = { op: "sign", key: ref(info), digest: digestOf(digest) };
        optionsOf(options, request);
        return bytesOfHex(P, call(request, dataOf(data, "data")).signature as string);
      },
      verify(handle: unknown, digest: unknown, data: unknown, signature: unknown, options: unknown): boolean {
        const info = infoOf(handle);
        // A signature longer than any key's is a false one, found so before it is encoded.
        const request: Record<string, unknown> = { op: "verify", key: ref(info), digest: digestOf(digest) };
        const view = viewOf(signature, "signature");
        if (view.length > MAX_KEY_TEXT / 2) return false;
        request.signature = hexOf(view);
        optionsOf(options, request);
        return call(request, dataOf(data, "data")).valid === true;
      },
      /** A new key pair: type rsa/rsa-pss (modulusLength, publicExponent), ec (namedCurve), ed25519, ed448. */
      generate(type: unknown, modulusLength: unknown, publicExponent: unknown, namedCurve: unknown): { publicKey: object; privateKey: object } {
        const request: Record<string, unknown> = { op: "generate", type: P.String(type) };
        if (modulusLength !== undefined) request.modulusLength = typeof modulusLength === "number" ? modulusLength : P.String(modulusLength);
        if (publicExponent !== undefined) request.publicExponent = typeof publicExponent === "number" ? publicExponent : P.String(publicExponent);
        if (namedCurve !== undefined) request.namedCurve = P.String(namedCurve);
        const reply = call(request);
        return P.ObjectFreeze({ publicKey: keyFrom(reply.publicKey), privateKey: keyFrom(reply.privateKey) });
      },
    });
  };
}

export type KeyEngine = ReturnType<ReturnType<typeof createKeyEngine>>;
