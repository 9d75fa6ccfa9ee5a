import { bytesOfHex, type KeyEngine } from "./crypto-keys.js";
import type { Primordials } from "./primordials.js";
import { readKeyUsages } from "./key-usages.js";

/**
 * crypto.subtle's asymmetric keys: RSASSA-PKCS1-v1_5, RSA-PSS, ECDSA (P-256, P-384, P-521), Ed25519 and Ed448,
 * imported from spki, pkcs8, jwk (and raw public EC/EdDSA keys), exported the same ways, signed and verified
 * with, generated. The work is the invocation's key engine's (crypto-keys.ts); a CryptoKey here is a frozen
 * object whose handle, algorithm and usages this closure keeps, as node-globals.ts does for HMAC keys.
 */
export function createSubtleKeys(
  P: Primordials,
  /** The invocation's key engine, or undefined between invocations. */
  engineOf: () => KeyEngine | undefined,
  CryptoKeyPrototype: object,
  domError: (name: string, message: string) => Error,
  /** A BufferSource's bytes as a view (node-globals.ts viewOf): every use here is read at once by the key engine. */
  viewOf: (data: unknown) => Uint8Array,
  arrayBufferOf: (bytes: Uint8Array) => ArrayBuffer,
  /** "SHA-256" from a digest algorithm's name or { name }, or a NotSupportedError. */
  digestName: (algorithm: unknown) => string,
) {
  const NAMES = ["RSASSA-PKCS1-v1_5", "RSA-PSS", "ECDSA", "Ed25519", "Ed448"];
  const CURVES: Record<string, string> = { "P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1" };
  const lower = P.StringPrototypeToLowerCase;

  interface AsymmetricKey {
    handle: object;
    name: string;
    type: string;
    hash: string;
    namedCurve: string;
    usages: readonly string[];
    extractable: boolean;
  }
  const keys = new P.WeakMap<object, AsymmetricKey>();

  /** The Web Crypto name of an asymmetric signature algorithm, or undefined for any other. */
  function nameOf(algorithm: unknown): string | undefined {
    const given = P.String(typeof algorithm === "object" && algorithm !== null ? (algorithm as { name?: unknown }).name : algorithm);
    for (let i = 0; i < NAMES.length; i++) if (lower(NAMES[i]!) === lower(given)) return NAMES[i];
    return undefined;
  }

  function member(algorithm: unknown, name: string): unknown {
    return typeof algorithm === "object" && algorithm !== null ? (algorithm as Record<string, unknown>)[name] : undefined;
  }

  function engine(): KeyEngine {
    const found = engineOf();
    if (found === undefined) throw domError("OperationError", "keys are available only during an invocation");
    return found;
  }

  /** The engine's error (Node's code and message) as the Web Crypto error of `name`. */
  function rethrow(name: string, run: () => object): object {
    try {
      return run();
    } catch (error) {
      const message = typeof error === "object" && error !== null ? (error as { message?: unknown }).message : undefined;
      throw domError(name, typeof message === "string" ? message : "Invalid keyData");
    }
  }

  /** "sha256" for "SHA-256". */
  const nodeDigest = (name: string) => "sha" + P.StringPrototypeSlice(name, 4);

  /** A key's usages (key-usages.ts); only a private key's may not be empty. */
  function usageList(usages: unknown, allowed: readonly string[], type: string): string[] {
    return readKeyUsages(P, domError, usages, allowed, "a " + type + " key", type !== "private");
  }

  /** A CryptoKey over an engine handle, checked against the algorithm it was asked for. */
  function cryptoKey(found: KeyEngine, handle: object, name: string, hash: string, namedCurve: string, extractable: unknown, usages: unknown): object {
    const facts = found.describe(handle);
    const type = facts.type;
    const keyType = facts.asymmetricKeyType;
    if (name === "RSASSA-PKCS1-v1_5" || name === "RSA-PSS") {
      if (!(keyType === "rsa" || (name === "RSA-PSS" && keyType === "rsa-pss"))) throw domError("DataError", "Invalid key type " + keyType + " for " + name);
    } else if (name === "ECDSA") {
      if (keyType !== "ec" || facts.details.namedCurve !== CURVES[namedCurve]) throw domError("DataError", "Named curve mismatch");
    } else if (keyType !== lower(name)) throw domError("DataError", "Invalid key type " + keyType + " for " + name);
    const list = usageList(usages, type === "public" ? ["verify"] : ["sign"], type);
    let algorithm: object;
    if (name === "ECDSA") algorithm = P.ObjectFreeze({ name, namedCurve });
    else if (name === "RSASSA-PKCS1-v1_5" || name === "RSA-PSS") {
      const exponent = P.String(facts.details.publicExponent);
      const shape = { name, modulusLength: facts.details.modulusLength, publicExponent: undefined as unknown, hash: P.ObjectFreeze({ name: hash }) };
      // A fresh copy at every read: a typed array cannot be frozen, and a tenant must not change the key's.
      P.ObjectDefineProperty(shape, "publicExponent", { get: () => bytesOfHex(P, exponent), enumerable: true, configurable: false });
      algorithm = P.ObjectFreeze(shape);
    } else algorithm = P.ObjectFreeze({ name });
    const key = P.ObjectCreate(CryptoKeyPrototype) as Record<string, unknown>;
    P.ObjectDefineProperty(key, "type", { value: type, enumerable: true });
    P.ObjectDefineProperty(key, "extractable", { value: extractable === true, enumerable: true });
    P.ObjectDefineProperty(key, "algorithm", { value: algorithm, enumerable: true });
    P.ObjectDefineProperty(key, "usages", { value: list, enumerable: true });
    P.ObjectFreeze(key);
    P.WeakMapSet(keys, key, { handle, name, type, hash, namedCurve, usages: list, extractable: extractable === true });
    return key;
  }

  /** The hash (RSA) or curve (ECDSA) an import or generation names. */
  function parameters(name: string, algorithm: unknown): { hash: string; namedCurve: string } {
    let hash = "";
    let namedCurve = "";
    if (name === "RSASSA-PKCS1-v1_5" || name === "RSA-PSS") hash = digestName(member(algorithm, "hash"));
    if (name === "ECDSA") {
      namedCurve = P.String(member(algorithm, "namedCurve"));
      if (!P.ObjectHasOwn(CURVES, namedCurve)) throw domError("NotSupportedError", "Unrecognized namedCurve: " + namedCurve);
    }
    return { hash, namedCurve };
  }

  const JWK_MEMBERS = ["kty", "crv", "x", "y", "d", "n", "e", "p", "q", "dp", "dq", "qi"];
  const JWK_TYPES: Record<string, string> = { "RSASSA-PKCS1-v1_5": "RSA", "RSA-PSS": "RSA", ECDSA: "EC", Ed25519: "OKP", Ed448: "OKP" };
  const bits = (hash: string) => P.StringPrototypeSlice(hash, 4);
  function jwkAlg(name: string, hash: string): string | undefined {
    if (name === "RSASSA-PKCS1-v1_5") return hash === "SHA-1" ? "RS1" : "RS" + bits(hash);
    if (name === "RSA-PSS") return hash === "SHA-1" ? "PS1" : "PS" + bits(hash);
    return undefined;
  }

  /** A JWK import: its string members, read once each, checked against the algorithm as Web Crypto does. */
  function jwkMaterial(jwk: unknown, name: string, hash: string, namedCurve: string, extractable: unknown): { text: string; isPrivate: boolean } {
    if (typeof jwk !== "object" || jwk === null) throw domError("DataError", "Invalid keyData");
    const read = P.ObjectCreate(null) as Record<string, unknown>;
    for (let i = 0; i < JWK_MEMBERS.length; i++) {
      const value = (jwk as Record<string, unknown>)[JWK_MEMBERS[i]!];
      if (typeof value === "string") read[JWK_MEMBERS[i]!] = value;
    }
    const { ext, alg } = jwk as { ext?: unknown; alg?: unknown };
    if (read.kty !== JWK_TYPES[name]) throw domError("DataError", "Invalid JWK \"kty\" Parameter");
    if (ext === false && extractable === true) throw domError("DataError", "JWK \"ext\" Parameter and extractable mismatch");
    const expectedAlg = jwkAlg(name, hash);
    if (alg !== undefined && expectedAlg !== undefined && alg !== expectedAlg) throw domError("DataError", "JWK \"alg\" does not match the requested algorithm");
    if (name === "ECDSA" && read.crv !== namedCurve) throw domError("DataError", "JWK \"crv\" does not match the requested algorithm");
    if ((name === "Ed25519" || name === "Ed448") && read.crv !== name) throw domError("DataError", "JWK \"crv\" Parameter and algorithm name mismatch");
    return { text: P.JSONStringify(read), isPrivate: typeof read.d === "string" };
  }

  function recordOf(key: unknown): AsymmetricKey | undefined {
    return typeof key === "object" && key !== null ? (P.WeakMapGet(keys, key) as AsymmetricKey | undefined) : undefined;
  }

  /** A key's record, for use: its handle must be the current invocation's (the engine refuses any other). */
  function usable(key: unknown): AsymmetricKey {
    const found = recordOf(key)!;
    if (!engine().isKey(found.handle)) throw domError("InvalidAccessError", "the key belongs to an invocation that has ended");
    return found;
  }

  function signing(algorithm: unknown, key: AsymmetricKey, usage: string): { digest: string; options: object } {
    if (nameOf(algorithm) !== key.name) throw domError("InvalidAccessError", "The requested operation is not valid for the provided key");
    let allowed = false;
    for (let i = 0; i < key.usages.length; i++) if (key.usages[i] === usage) allowed = true;
    if (!allowed) throw domError("InvalidAccessError", "The requested operation is not valid for the provided key");
    if (key.name === "RSASSA-PKCS1-v1_5") return { digest: nodeDigest(key.hash), options: { padding: 1 } };
    if (key.name === "RSA-PSS") {
      const saltLength = member(algorithm, "saltLength");
      if (typeof saltLength !== "number") throw new P.TypeError("Failed to read the 'saltLength' property from 'RsaPssParams'");
      return { digest: nodeDigest(key.hash), options: { padding: 6, saltLength } };
    }
    if (key.name === "ECDSA") return { digest: nodeDigest(digestName(member(algorithm, "hash"))), options: { dsaEncoding: "ieee-p1363" } };
    return { digest: "", options: {} };
  }

  return {
    /** The algorithm's name when it is one of these (else node-globals.ts's HMAC or NotSupportedError), read once. */
    nameOf,
    isKey(key: unknown): boolean {
      return recordOf(key) !== undefined;
    },
    importKey(name: string, format: unknown, keyData: unknown, algorithm: unknown, extractable: unknown, usages: unknown): object {
      const { hash, namedCurve } = parameters(name, algorithm);
      const found = engine();
      let handle: object;
      if (format === "spki") handle = rethrow("DataError", () => found.importKey("public", "der", "spki", viewOf(keyData)));
      else if (format === "pkcs8") handle = rethrow("DataError", () => found.importKey("private", "der", "pkcs8", viewOf(keyData)));
      else if (format === "jwk") {
        const jwk = jwkMaterial(keyData, name, hash, namedCurve, extractable);
        handle = rethrow("DataError", () => found.importKey(jwk.isPrivate ? "private" : "public", "jwk", undefined, jwk.text));
      } else if (format === "raw" && (name === "ECDSA" || name === "Ed25519" || name === "Ed448")) {
        handle = rethrow("DataError", () => found.importKey("public", "raw", name === "ECDSA" ? namedCurve : name, viewOf(keyData)));
      } else throw domError("NotSupportedError", "Unable to import a " + name + " key with format " + P.String(format));
      return cryptoKey(found, handle, name, hash, namedCurve, extractable, usages);
    },
    exportKey(format: unknown, key: unknown): ArrayBuffer | object {
      const found = usable(key);
      if (!found.extractable) throw domError("InvalidAccessError", "key is not extractable");
      if (format === "jwk") {
        const jwk = P.JSONParse(engine().exportKey(found.handle, "jwk", undefined) as string) as Record<string, unknown>;
        const alg = jwkAlg(found.name, found.hash);
        if (alg !== undefined) jwk.alg = alg;
        const ops: string[] = [];
        for (let i = 0; i < found.usages.length; i++) ops[i] = found.usages[i]!;
        jwk.key_ops = ops;
        jwk.ext = true;
        return jwk;
      }
      if ((format === "spki" && found.type === "public") || (format === "pkcs8" && found.type === "private")) {
        return arrayBufferOf(engine().exportKey(found.handle, "der", format) as Uint8Array);
      }
      if (format === "raw" && found.type === "public" && found.name !== "RSASSA-PKCS1-v1_5" && found.name !== "RSA-PSS") {
        return arrayBufferOf(engine().exportKey(found.handle, "raw", undefined) as Uint8Array);
      }
      throw domError("InvalidAccessError", "Unable to export a " + found.type + " " + found.name + " key as " + P.String(format));
    },
    generateKey(name: string, algorithm: unknown, extractable: unknown, usages: unknown): object {
      const { hash, namedCurve } = parameters(name, algorithm);
      const list = usageList(usages, ["sign", "verify"], "key pair");
      const publicUsages: string[] = [];
      const privateUsages: string[] = [];
      for (let i = 0; i < list.length; i++) {
        if (list[i] === "verify") publicUsages[publicUsages.length] = "verify";
        else privateUsages[privateUsages.length] = "sign";
      }
      if (privateUsages.length === 0) throw domError("SyntaxError", "Usages cannot be empty when creating a key.");
      const found = engine();
      let pair: { publicKey: object; privateKey: object };
      if (name === "RSASSA-PKCS1-v1_5" || name === "RSA-PSS") {
        const exponent = member(algorithm, "publicExponent");
        const bytes = viewOf(exponent);
        // An unsigned 32-bit value, as Node's Web Crypto takes it, refused by its length before the loop below
        // (no guards in it: a 100 MiB exponent ran ~400 ms of it).
        if (bytes.length > 4) throw domError("OperationError", "The publicExponent must be equivalent to an unsigned 32-bit value");
        let e = 0;
        for (let i = 0; i < bytes.length; i++) e = e * 256 + bytes[i]!;
        pair = rethrow("OperationError", () => found.generate("rsa", member(algorithm, "modulusLength"), e, undefined)) as typeof pair;
      } else if (name === "ECDSA") pair = found.generate("ec", undefined, undefined, CURVES[namedCurve]);
      else pair = found.generate(lower(name), undefined, undefined, undefined);
      return P.ObjectFreeze({
        publicKey: cryptoKey(found, pair.publicKey, name, hash, namedCurve, true, publicUsages),
        privateKey: cryptoKey(found, pair.privateKey, name, hash, namedCurve, extractable, privateUsages),
      });
    },
    sign(algorithm: unknown, key: unknown, data: unknown): ArrayBuffer {
      const found = usable(key);
      const { digest, options } = signing(algorithm, found, "sign");
      return arrayBufferOf(engine().sign(found.handle, digest, viewOf(data), options));
    },
    verify(algorithm: unknown, key: unknown, signature: unknown, data: unknown): boolean {
      const found = usable(key);
      const { digest, options } = signing(algorithm, found, "verify");
      const bytes = viewOf(data);
      const given = viewOf(signature);
      try {
        return engine().verify(found.handle, digest, bytes, given, options);
      } catch (error) {
        // A signature OpenSSL cannot even parse is a false one; anything else stays an error.
        const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
        if (typeof code === "string" && P.StringPrototypeSlice(code, 0, 8) === "ERR_OSSL") return false;
        throw error;
      }
    },
  };
}
