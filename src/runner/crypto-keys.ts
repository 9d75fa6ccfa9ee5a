import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type JsonWebKey, type KeyObject } from "node:crypto";
import type { KeyInfo, KeyReply, KeyRequest } from "./bridge.js";

/**
 * Op "key" (bridge.ts): the realm's asymmetric cryptography, done by this process's own crypto (OpenSSL),
 * outside the realm. Stateless: every request carries the key it needs (DER as hex, as an earlier "import"
 * answered it), every answer is JSON text (KeyReply). What comes in is checked before it is used, because
 * tenant code may have broken the realm's own wiring before it calls: a request that is not what the realm
 * sends is refused, never interpreted. The work is bounded: keys of at most 8192 bits (RSA) or a named curve,
 * at most MAX_KEY_TEXT characters of key material, MAX_DATA_BYTES of data, no passphrases (an encrypted key's
 * KDF would cost what its iteration count says), RSA key generation only up to MAX_GENERATED_RSA_BITS.
 */

/** Key material in a request (PEM text, DER as hex, JWK as JSON): an 8192-bit RSA private key as a JWK is ~6.5 KiB. */
export const MAX_KEY_TEXT = 64 * 1024;
/** The data one sign or verify takes (a latin1 string, one character per byte). */
export const MAX_DATA_BYTES = 16 * 1024 * 1024;
export const MAX_RSA_BITS = 8192;
/** A public exponent's bits: OpenSSL's own bound for large moduli, here for all (a verify costs what e's size says). */
const MAX_EXPONENT_BITS = 64;
/** RSA key generation runs on this thread, synchronously: ~50 ms at 2048 bits, up to seconds at 4096. */
export const MAX_GENERATED_RSA_BITS = 2048;
const CURVES: ReadonlySet<string> = new Set(["prime256v1", "secp384r1", "secp521r1", "secp256k1"]);
const KEY_TYPES: ReadonlySet<string> = new Set(["rsa", "rsa-pss", "ec", "ed25519", "ed448"]);
const DIGESTS: ReadonlySet<string> = new Set(["sha1", "sha224", "sha256", "sha384", "sha512", "sha3-256", "sha3-384", "sha3-512"]);
const JWK_FIELDS = ["kty", "crv", "x", "y", "d", "n", "e", "p", "q", "dp", "dq", "qi"] as const;
const HEX = /^(?:[0-9a-f]{2})*$/;
const NOT_LATIN1 = /[^\x00-\xff]/;

class KeyError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The answer to one request, as JSON text; never throws. */
export function keyOperation(request: unknown, payload: unknown): string {
  let reply: KeyReply;
  try {
    reply = run(request, payload);
  } catch (error) {
    const code = error instanceof KeyError ? error.code : typeof (error as { code?: unknown })?.code === "string" ? String((error as { code: string }).code) : "ERR_CRYPTO_OPERATION_FAILED";
    const message = error instanceof Error ? error.message : "the key operation failed";
    reply = { error: message.slice(0, 300), code: /^ERR_[A-Z0-9_]{1,80}$/.test(code) ? code : "ERR_CRYPTO_OPERATION_FAILED" };
  }
  return JSON.stringify(reply);
}

function refuse(message: string, code = "ERR_INVALID_ARG_VALUE"): never {
  throw new KeyError(message, code);
}

function run(raw: unknown, payload: unknown): KeyReply {
  if (typeof raw !== "string" || raw.length > 4 * MAX_KEY_TEXT) refuse("invalid key request");
  const request = JSON.parse(raw) as KeyRequest;
  if (typeof request !== "object" || request === null) refuse("invalid key request");
  switch (request.op) {
    case "import": {
      const kind = oneOf(request.kind, ["public", "private"], "kind");
      return { key: describe(readKey(kind, request)) };
    }
    case "export":
      return { text: exportKey(keyOf(request.key), request.format, request.type) };
    case "sign": {
      const key = keyOf(request.key);
      if (key.type !== "private") refuse("a private key is needed to sign", "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE");
      return { signature: sign(digestOf(request.digest), dataOf(payload), { key, ...signOptions(request) }).toString("hex") };
    }
    case "verify": {
      const key = keyOf(request.key);
      const signature = hexOf(request.signature, MAX_KEY_TEXT);
      return { valid: verify(digestOf(request.digest), dataOf(payload), { key, ...signOptions(request) }, signature) };
    }
    case "generate":
      return generate(request);
    default:
      refuse("invalid key request");
  }
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) refuse(`invalid ${what}`);
  return value as T;
}

function hexOf(value: unknown, maxChars: number): Buffer {
  if (typeof value !== "string" || value.length > maxChars || !HEX.test(value)) refuse("invalid key material");
  return Buffer.from(value, "hex");
}

function dataOf(payload: unknown): Buffer {
  if (payload === undefined) return Buffer.alloc(0);
  if (typeof payload !== "string" || payload.length > MAX_DATA_BYTES) refuse(`the data to sign or verify must be at most ${MAX_DATA_BYTES} bytes`, "ERR_OUT_OF_RANGE");
  if (NOT_LATIN1.test(payload)) refuse("invalid data");
  return Buffer.from(payload, "latin1");
}

function digestOf(value: unknown): string | null {
  if (value === "" || value === null || value === undefined) return null;
  if (typeof value !== "string" || !DIGESTS.has(value)) refuse(`Invalid digest: ${typeof value === "string" ? value.slice(0, 40) : typeof value}`, "ERR_CRYPTO_INVALID_DIGEST");
  return value;
}

function signOptions(request: { padding?: unknown; saltLength?: unknown; dsaEncoding?: unknown }) {
  const options: { padding?: number; saltLength?: number; dsaEncoding?: "der" | "ieee-p1363" } = {};
  if (request.padding !== undefined) options.padding = oneOf(String(request.padding), ["1", "6"], "padding") === "6" ? 6 : 1;
  if (request.saltLength !== undefined) {
    if (!Number.isInteger(request.saltLength) || (request.saltLength as number) < -2 || (request.saltLength as number) > 1024) refuse("invalid saltLength", "ERR_OUT_OF_RANGE");
    options.saltLength = request.saltLength as number;
  }
  if (request.dsaEncoding !== undefined) options.dsaEncoding = oneOf<"der" | "ieee-p1363">(request.dsaEncoding, ["der", "ieee-p1363"], "dsaEncoding");
  return options;
}

/** A key from an import request: PEM text, DER (hex) of a given structure, a JWK (JSON text), or a raw public key. */
function readKey(kind: "public" | "private", request: Extract<KeyRequest, { op: "import" }>): KeyObject {
  const create = kind === "public" ? createPublicKey : createPrivateKey;
  const material = request.key;
  if (typeof material !== "string" || material.length > MAX_KEY_TEXT) refuse(`key material must be a string of at most ${MAX_KEY_TEXT} characters`, "ERR_OUT_OF_RANGE");
  let key: KeyObject;
  switch (request.format) {
    case "pem":
      // No passphrase is ever passed: an encrypted key's KDF is the tenant's to size. Refused by name, too.
      if (/-----BEGIN ENCRYPTED|Proc-Type:\s*4,ENCRYPTED/.test(material)) refuse("encrypted private keys are not available in the sandbox", "ERR_MISSING_PASSPHRASE");
      key = create({ key: material, format: "pem" });
      break;
    case "der": {
      const type = oneOf(request.type, kind === "public" ? ["spki", "pkcs1", "pkcs8", "sec1"] : ["pkcs8", "pkcs1", "sec1"], "key type");
      if (type === "pkcs8" && kind === "private" && isEncryptedPkcs8(hexOf(material, MAX_KEY_TEXT))) refuse("encrypted private keys are not available in the sandbox", "ERR_MISSING_PASSPHRASE");
      key = create({ key: hexOf(material, MAX_KEY_TEXT), format: "der", type: type as "pkcs1" });
      break;
    }
    case "jwk":
      key = create({ key: jwkOf(material), format: "jwk" });
      break;
    case "raw":
      if (kind !== "public") refuse("raw keys are public keys");
      key = createPublicKey({ key: rawJwk(hexOf(material, MAX_KEY_TEXT), request.type), format: "jwk" });
      break;
    default:
      refuse("invalid key format");
  }
  check(key);
  return key;
}

/** EncryptedPrivateKeyInfo starts SEQUENCE { SEQUENCE { OID ... } }, PrivateKeyInfo SEQUENCE { INTEGER ... }. */
function isEncryptedPkcs8(der: Buffer): boolean {
  let at = 1;
  if (der[0] !== 0x30 || der.length < 4) return false;
  const first = der[at]!;
  at += first & 0x80 ? 1 + (first & 0x7f) : 1;
  return der[at] === 0x30;
}

/** A JWK as the realm sends it: a JSON object of string members (only those a key has) and nothing else. */
function jwkOf(text: string): JsonWebKey {
  const parsed = JSON.parse(text) as unknown;
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) refuse("invalid JWK");
  const jwk: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (!(JWK_FIELDS as readonly string[]).includes(name) || typeof value !== "string") refuse("invalid JWK");
    jwk[name] = value;
  }
  if (jwk.kty !== "RSA" && jwk.kty !== "EC" && jwk.kty !== "OKP") refuse('Invalid JWK "kty" Parameter', "ERR_CRYPTO_INVALID_JWK");
  return jwk as JsonWebKey;
}

const RAW_CURVES: Record<string, { kty: "EC" | "OKP"; length: number }> = {
  "P-256": { kty: "EC", length: 32 },
  "P-384": { kty: "EC", length: 48 },
  "P-521": { kty: "EC", length: 66 },
  Ed25519: { kty: "OKP", length: 32 },
  Ed448: { kty: "OKP", length: 57 },
};

/** A raw public key (an uncompressed EC point, or an Ed25519/Ed448 public key) as a JWK. */
function rawJwk(bytes: Buffer, curve: unknown): JsonWebKey {
  if (typeof curve !== "string" || !Object.hasOwn(RAW_CURVES, curve)) refuse("invalid curve");
  const { kty, length } = RAW_CURVES[curve]!;
  if (kty === "OKP") {
    if (bytes.length !== length) refuse("Invalid keyData", "ERR_CRYPTO_INVALID_KEYLEN");
    return { kty, crv: curve, x: bytes.toString("base64url") };
  }
  if (bytes.length !== 1 + 2 * length || bytes[0] !== 4) refuse("Invalid keyData (only uncompressed points are available)", "ERR_CRYPTO_INVALID_KEYLEN");
  return { kty, crv: curve, x: bytes.subarray(1, 1 + length).toString("base64url"), y: bytes.subarray(1 + length).toString("base64url") };
}

/** Refuses what the sandbox does not do: other key types, curves, and sizes past the bounds. */
function check(key: KeyObject): void {
  const type = key.asymmetricKeyType;
  if (type === undefined || !KEY_TYPES.has(type)) refuse(`${type ?? "this"} keys are not available in the sandbox (rsa, rsa-pss, ec, ed25519 and ed448 are)`, "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE");
  const details = key.asymmetricKeyDetails ?? {};
  if (type === "rsa" || type === "rsa-pss") {
    if (!(typeof details.modulusLength === "number" && details.modulusLength <= MAX_RSA_BITS)) refuse(`RSA keys of more than ${MAX_RSA_BITS} bits are not available in the sandbox`, "ERR_OUT_OF_RANGE");
    if (!(typeof details.publicExponent === "bigint" && details.publicExponent < 1n << BigInt(MAX_EXPONENT_BITS))) refuse(`RSA public exponents of more than ${MAX_EXPONENT_BITS} bits are not available in the sandbox`, "ERR_OUT_OF_RANGE");
  }
  if (type === "ec" && !(typeof details.namedCurve === "string" && CURVES.has(details.namedCurve))) refuse("this curve is not available in the sandbox (P-256, P-384, P-521 and secp256k1 are)", "ERR_CRYPTO_INVALID_CURVE");
}

/** A key as the realm keeps it: its DER (SPKI or PKCS#8) and what Node tells about it. */
function describe(key: KeyObject): KeyInfo {
  const kind = key.type as "public" | "private";
  const der = key.export({ format: "der", type: kind === "public" ? "spki" : "pkcs8" }).toString("hex");
  const details = key.asymmetricKeyDetails ?? {};
  const info: KeyInfo = { kind, der, asymmetricKeyType: key.asymmetricKeyType!, details: {} };
  if (details.modulusLength !== undefined) info.details.modulusLength = details.modulusLength;
  if (details.publicExponent !== undefined) info.details.publicExponent = details.publicExponent.toString(16);
  for (const name of ["namedCurve", "hashAlgorithm", "mgf1HashAlgorithm"] as const) if (details[name] !== undefined) info.details[name] = details[name];
  if (details.saltLength !== undefined) info.details.saltLength = details.saltLength;
  return info;
}

/** A key from a request's { kind, der }: the realm's own earlier answer, checked all the same. */
function keyOf(ref: unknown): KeyObject {
  if (typeof ref !== "object" || ref === null) refuse("invalid key");
  const { kind, der } = ref as { kind?: unknown; der?: unknown };
  const bytes = hexOf(der, MAX_KEY_TEXT);
  const key = oneOf(kind, ["public", "private"], "key kind") === "public" ? createPublicKey({ key: bytes, format: "der", type: "spki" }) : createPrivateKey({ key: bytes, format: "der", type: "pkcs8" });
  check(key);
  return key;
}

function exportKey(key: KeyObject, format: unknown, type: unknown): string {
  switch (oneOf(format, ["pem", "der", "jwk", "raw"], "export format")) {
    case "jwk":
      return JSON.stringify(key.export({ format: "jwk" }));
    case "raw": {
      if (key.type !== "public") refuse("only public keys are exported raw", "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE");
      const jwk = key.export({ format: "jwk" });
      if (jwk.kty === "OKP") return Buffer.from(jwk.x!, "base64url").toString("hex");
      if (jwk.kty === "EC") return "04" + Buffer.from(jwk.x!, "base64url").toString("hex") + Buffer.from(jwk.y!, "base64url").toString("hex");
      return refuse("RSA keys have no raw format", "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE");
    }
    case "pem":
      return key.export({ format: "pem", type: exportType(key, type) as "pkcs1" }) as string;
    case "der":
      return (key.export({ format: "der", type: exportType(key, type) as "pkcs1" }) as Buffer).toString("hex");
  }
}

function exportType(key: KeyObject, type: unknown): string {
  return oneOf(type, key.type === "public" ? ["spki", "pkcs1"] : ["pkcs8", "pkcs1", "sec1"], "export type");
}

function generate(request: Extract<KeyRequest, { op: "generate" }>): KeyReply {
  const type = oneOf(request.type, ["rsa", "rsa-pss", "ec", "ed25519", "ed448"], "key type");
  let pair: { publicKey: KeyObject; privateKey: KeyObject };
  if (type === "rsa" || type === "rsa-pss") {
    const bits = request.modulusLength;
    if (!Number.isInteger(bits) || (bits as number) < 512 || (bits as number) > MAX_GENERATED_RSA_BITS) {
      refuse(`RSA keys are generated in the sandbox with 512 to ${MAX_GENERATED_RSA_BITS} bits (import larger ones)`, "ERR_OUT_OF_RANGE");
    }
    const exponent = request.publicExponent ?? 65537;
    if (exponent !== 3 && exponent !== 65537) refuse("the public exponent must be 3 or 65537", "ERR_OUT_OF_RANGE");
    pair = generateKeyPairSync(type as "rsa", { modulusLength: bits as number, publicExponent: exponent });
  } else if (type === "ec") {
    const curve = oneOf(request.namedCurve, ["prime256v1", "secp384r1", "secp521r1", "secp256k1"], "curve");
    pair = generateKeyPairSync("ec", { namedCurve: curve });
  } else pair = generateKeyPairSync(type as "ed25519");
  return { publicKey: describe(pair.publicKey), privateKey: describe(pair.privateKey) };
}
