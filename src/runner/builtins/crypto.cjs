// Node's crypto: hashes and HMACs in pure JavaScript (@noble/hashes), random bytes and ids (the realm's
// crypto.getRandomValues, fed by the host's CSPRNG), asymmetric keys, signatures and key pairs (RSA, RSA-PSS,
// ECDSA, Ed25519/Ed448) by the realm's key engine, and the Web Crypto object itself.
const { Buffer } = require("buffer");
const { sha1, md5, ripemd160 } = require("@noble/hashes/legacy");
const { sha224, sha256, sha384, sha512, sha512_224, sha512_256 } = require("@noble/hashes/sha2");
const { hmac } = require("@noble/hashes/hmac");

const webcrypto = globalThis.crypto;
// Node's digests by the names OpenSSL gives them (createHash, createHmac, hash, pbkdf2, hkdf), in lower case:
// the canonical name first, then its aliases. SHA-3, SHAKE and BLAKE2 are evaluated the first time one is
// asked for (a call that hashes with SHA-256 does not instantiate them).
const sha3 = () => require("@noble/hashes/sha3");
const blake2 = () => require("@noble/hashes/blake2");
const DIGESTS_BY_NAME = [
  ["md5", () => md5, "rsa-md5", "md5withrsaencryption", "ssl3-md5"],
  ["sha1", () => sha1, "sha-1", "rsa-sha1", "sha1withrsaencryption", "ssl3-sha1", "rsa-sha1-2"],
  ["sha224", () => sha224, "sha-224", "sha2-224", "rsa-sha224", "sha224withrsaencryption"],
  ["sha256", () => sha256, "sha-256", "sha2-256", "rsa-sha256", "sha256withrsaencryption"],
  ["sha384", () => sha384, "sha-384", "sha2-384", "rsa-sha384", "sha384withrsaencryption"],
  ["sha512", () => sha512, "sha-512", "sha2-512", "rsa-sha512", "sha512withrsaencryption"],
  ["sha512-224", () => sha512_224, "sha-512/224", "sha2-512/224", "rsa-sha512/224", "sha512-224withrsaencryption"],
  ["sha512-256", () => sha512_256, "sha-512/256", "sha2-512/256", "rsa-sha512/256", "sha512-256withrsaencryption"],
  ["sha3-224", () => sha3().sha3_224, "rsa-sha3-224", "id-rsassa-pkcs1-v1_5-with-sha3-224"],
  ["sha3-256", () => sha3().sha3_256, "rsa-sha3-256", "id-rsassa-pkcs1-v1_5-with-sha3-256"],
  ["sha3-384", () => sha3().sha3_384, "rsa-sha3-384", "id-rsassa-pkcs1-v1_5-with-sha3-384"],
  ["sha3-512", () => sha3().sha3_512, "rsa-sha3-512", "id-rsassa-pkcs1-v1_5-with-sha3-512"],
  ["ripemd160", () => ripemd160, "ripemd", "ripemd-160", "rmd160", "rsa-ripemd160", "ripemd160withrsa"],
  ["blake2b512", () => blake2().blake2b, "blake2b-512"],
  ["blake2s256", () => blake2().blake2s, "blake2s-256"],
  ["shake128", () => sha3().shake128, "shake-128"],
  ["shake256", () => sha3().shake256, "shake-256"],
];
/** Extendable-output functions: createHash takes their outputLength; HMAC does not take them. */
const XOFS = ["shake128", "shake256"];
const DIGEST_NAMES = new Map();
for (let i = 0; i < DIGESTS_BY_NAME.length; i++) {
  const entry = DIGESTS_BY_NAME[i];
  for (let k = 0; k < entry.length; k++) if (k !== 1) DIGEST_NAMES.set(entry[k], entry);
}
/** What getHashes() answers: Node's names for the digests above (Node's own list without MD5-SHA1 and SM3). */
const HASH_NAMES = ["RSA-MD5", "RSA-RIPEMD160", "RSA-SHA1", "RSA-SHA1-2", "RSA-SHA224", "RSA-SHA256", "RSA-SHA3-224", "RSA-SHA3-256", "RSA-SHA3-384", "RSA-SHA3-512", "RSA-SHA384", "RSA-SHA512", "RSA-SHA512/224", "RSA-SHA512/256", "blake2b512", "blake2s256", "id-rsassa-pkcs1-v1_5-with-sha3-224", "id-rsassa-pkcs1-v1_5-with-sha3-256", "id-rsassa-pkcs1-v1_5-with-sha3-384", "id-rsassa-pkcs1-v1_5-with-sha3-512", "md5", "md5WithRSAEncryption", "ripemd", "ripemd160", "ripemd160WithRSA", "rmd160", "sha1", "sha1WithRSAEncryption", "sha224", "sha224WithRSAEncryption", "sha256", "sha256WithRSAEncryption", "sha3-224", "sha3-256", "sha3-384", "sha3-512", "sha384", "sha384WithRSAEncryption", "sha512", "sha512-224", "sha512-224WithRSAEncryption", "sha512-256", "sha512-256WithRSAEncryption", "sha512WithRSAEncryption", "shake128", "shake256", "ssl3-md5", "ssl3-sha1"];

/** The digest's entry ([canonical name, getter, ...aliases]), or undefined. */
function digestEntry(algorithm) {
  return typeof algorithm === "string" ? DIGEST_NAMES.get(algorithm.toLowerCase()) : undefined;
}

function hashFunction(algorithm) {
  const entry = digestEntry(algorithm);
  if (entry === undefined) {
    const error = new Error("Digest method not supported: " + String(algorithm));
    error.code = "ERR_CRYPTO_INVALID_DIGEST";
    throw error;
  }
  return entry[1]();
}

/** A digest for HMAC and key derivation (pbkdf2, hkdf): Node's TypeError "Invalid digest" otherwise. */
function macDigest(digest) {
  if (typeof digest !== "string") throw codeError(TypeError, 'The "digest" argument must be of type string. Received ' + typeof digest, "ERR_INVALID_ARG_TYPE");
  const entry = digestEntry(digest);
  if (entry === undefined) throw codeError(TypeError, "Invalid digest: " + digest, "ERR_CRYPTO_INVALID_DIGEST");
  // OpenSSL's refusal, as Node passes it on.
  if (XOFS.includes(entry[0])) throw new Error("error:1C8000B7:Provider routines::xof digests not allowed");
  return entry[1]();
}

// Keys: secret ones here (their bytes), asymmetric ones as handles of the realm's key engine
// (sandbox/crypto-keys.ts: the worker's own crypto does the work, on strings only). A key object's state
// is kept in this module's table, not on the object: a tenant cannot swap one key's material for another's.
// Made the first time this invocation uses an asymmetric key: a call that only hashes does not pay for it.
let keyEngine;
function engine() {
  if (keyEngine === undefined) keyEngine = require("node:internal/keys");
  return keyEngine;
}
const STATE = new WeakMap();
/** Key material the engine takes (sandbox/crypto-keys.ts MAX_KEY_TEXT). */
const MAX_PEM_BYTES = 64 * 1024;

function codeError(Ctor, message, code) {
  const error = new Ctor(message);
  error.code = code;
  return error;
}

function stateOf(key) {
  const state = typeof key === "object" && key !== null ? STATE.get(key) : undefined;
  if (state === undefined) throw codeError(TypeError, 'The "key" argument must be an instance of KeyObject.', "ERR_INVALID_ARG_TYPE");
  return state;
}

class KeyObject {
  constructor(type, handle) {
    if (type === "secret") {
      if (!(handle instanceof Uint8Array)) throw codeError(TypeError, 'The "handle" argument must be of type object.', "ERR_INVALID_ARG_TYPE");
      STATE.set(this, { type, bytes: handle });
    } else if (type === "public" || type === "private") {
      if (!engine().isKey(handle)) throw codeError(TypeError, 'The "handle" argument must be of type object.', "ERR_INVALID_ARG_TYPE");
      STATE.set(this, { type, handle });
    } else throw codeError(TypeError, "The argument 'type' is invalid. Received " + String(type), "ERR_INVALID_ARG_VALUE");
  }
  get type() {
    return stateOf(this).type;
  }
  get symmetricKeySize() {
    const state = stateOf(this);
    return state.bytes === undefined ? undefined : state.bytes.length;
  }
  get asymmetricKeyType() {
    const state = stateOf(this);
    return state.handle === undefined ? undefined : engine().describe(state.handle).asymmetricKeyType;
  }
  get asymmetricKeyDetails() {
    const state = stateOf(this);
    if (state.handle === undefined) return undefined;
    const found = engine().describe(state.handle).details;
    const details = {};
    if (found.modulusLength !== undefined) details.modulusLength = found.modulusLength;
    if (found.publicExponent !== undefined) details.publicExponent = BigInt("0x" + found.publicExponent);
    for (const name of ["hashAlgorithm", "mgf1HashAlgorithm", "saltLength", "namedCurve"]) if (found[name] !== undefined) details[name] = found[name];
    return details;
  }
  export(options) {
    const state = stateOf(this);
    if (state.bytes !== undefined) {
      if (options !== undefined && options !== null && options.format === "jwk") return { kty: "oct", k: Buffer.from(state.bytes).toString("base64url") };
      return Buffer.from(state.bytes);
    }
    if (typeof options !== "object" || options === null) throw codeError(TypeError, 'The "options" argument must be of type object.', "ERR_INVALID_ARG_TYPE");
    const { format, type, cipher, passphrase } = options;
    if (cipher !== undefined || passphrase !== undefined) throw codeError(Error, "encrypted private keys are not available in the sandbox", "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM");
    if (format === "jwk") return JSON.parse(engine().exportKey(state.handle, "jwk"));
    if (format !== undefined && format !== "pem" && format !== "der") throw codeError(TypeError, "The property 'options.format' must be one of: 'pem', 'der', 'jwk'. Received " + String(format), "ERR_INVALID_ARG_VALUE");
    const exported = engine().exportKey(state.handle, format === undefined ? "pem" : format, type);
    return format === "der" ? Buffer.from(exported.buffer, exported.byteOffset, exported.byteLength) : exported;
  }
  equals(other) {
    const mine = stateOf(this);
    const theirs = stateOf(other);
    if (mine.type !== theirs.type) return false;
    if (mine.bytes !== undefined) return mine.bytes.length === theirs.bytes.length && timingSafeEqual(mine.bytes, theirs.bytes);
    return engine().equals(mine.handle, theirs.handle);
  }
}
Object.defineProperty(KeyObject.prototype, Symbol.toStringTag, { value: "KeyObject", configurable: true });

function createSecretKey(key, encoding) {
  return new KeyObject("secret", Buffer.from(toBytes(key, encoding)));
}

/** Bytes given as key material: a string in its encoding, or any buffer source. */
function materialBytes(data, encoding) {
  if (typeof data === "string") return Buffer.from(data, encoding || "utf8");
  if (data instanceof Uint8Array || ArrayBuffer.isView(data) || data instanceof ArrayBuffer) return toBytes(data);
  throw codeError(TypeError, 'The "key.key" property must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey.', "ERR_INVALID_ARG_TYPE");
}

/** A JWK's string members, the only ones a key reads, as JSON text. */
function jwkText(jwk) {
  if (typeof jwk !== "object" || jwk === null) throw codeError(TypeError, 'The "key.key" property must be of type object.', "ERR_INVALID_ARG_TYPE");
  const out = {};
  for (const name of ["kty", "crv", "x", "y", "d", "n", "e", "p", "q", "dp", "dq", "qi"]) {
    const value = jwk[name];
    if (typeof value === "string") out[name] = value;
  }
  return JSON.stringify(out);
}

// What a key argument is used for (Node's contexts): making a public or private key, or signing (private) or verifying (either).
const CREATE_PUBLIC = 0;
const CREATE_PRIVATE = 1;
const CONSUME_PRIVATE = 2;
const CONSUME_PUBLIC = 3;

/** An asymmetric key's handle from what Node takes: a KeyObject, PEM text or bytes, or { key, format, type, encoding }. */
function keyHandle(input, context) {
  const kind = context === CREATE_PRIVATE || context === CONSUME_PRIVATE ? "private" : "public";
  const state = typeof input === "object" && input !== null ? STATE.get(input) : undefined;
  if (state !== undefined) return keyObjectHandle(state, context);
  if (typeof input === "string" || input instanceof Uint8Array || ArrayBuffer.isView(input) || input instanceof ArrayBuffer) {
    return engine().importKey(kind, "pem", undefined, pemText(materialBytes(input)));
  }
  if (typeof input !== "object" || input === null) {
    throw codeError(TypeError, 'The "key" argument must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, KeyObject, or CryptoKey.', "ERR_INVALID_ARG_TYPE");
  }
  const { key, format, type, encoding } = input;
  const inner = typeof key === "object" && key !== null ? STATE.get(key) : undefined;
  if (inner !== undefined) return keyObjectHandle(inner, context);
  if (format === "jwk") return engine().importKey(kind, "jwk", undefined, jwkText(key));
  if (format === "der") {
    if (type === undefined) throw codeError(TypeError, "The property 'key.type' is invalid. Received undefined", "ERR_INVALID_ARG_VALUE");
    return engine().importKey(kind, "der", type, materialBytes(key, encoding));
  }
  if (format !== undefined && format !== "pem") throw codeError(TypeError, "The property 'key.format' is invalid. Received " + String(format), "ERR_INVALID_ARG_VALUE");
  return engine().importKey(kind, "pem", undefined, pemText(materialBytes(key, encoding)));
}

/** PEM bytes as the engine takes them (latin1 text), refused by their size first: not a 100 MiB string made to be refused. */
function pemText(bytes) {
  // The view's length first (copying 40 MiB to refuse it cost 30 ms a call), then the copy's, which a
  // subclass's length getter cannot misstate.
  if (bytes.length > MAX_PEM_BYTES) throw pemTooLarge();
  const copy = Buffer.from(bytes);
  if (copy.length > MAX_PEM_BYTES) throw pemTooLarge();
  return copy.toString("latin1");
}

const pemTooLarge = () => codeError(RangeError, "key material of more than " + MAX_PEM_BYTES + " characters is not available in the sandbox", "ERR_OUT_OF_RANGE");

function keyObjectHandle(state, context) {
  if (context === CREATE_PRIVATE) throw codeError(TypeError, 'The "key" argument must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, or object. Received an instance of KeyObject', "ERR_INVALID_ARG_TYPE");
  if (state.handle === undefined) throw codeError(TypeError, "Invalid key object type secret, expected " + (context === CONSUME_PUBLIC ? "public" : "private") + ".", "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE");
  if (state.type !== "private" && (context === CONSUME_PRIVATE || context === CREATE_PUBLIC)) {
    throw codeError(TypeError, "Invalid key object type " + state.type + ", expected private.", "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE");
  }
  return context === CREATE_PUBLIC ? engine().publicOf(state.handle) : state.handle;
}

function keyObjectOf(handle) {
  return new KeyObject(engine().describe(handle).type, handle);
}

function createPublicKey(key) {
  return keyObjectOf(keyHandle(key, CREATE_PUBLIC));
}

function createPrivateKey(key) {
  return keyObjectOf(keyHandle(key, CREATE_PRIVATE));
}

const DIGESTS = ["sha1", "sha224", "sha256", "sha384", "sha512", "sha3-256", "sha3-384", "sha3-512"];
/** Node's (OpenSSL's) names of a signature's digest: "RSA-SHA256", "sha256", "SHA-256", "sha256WithRSAEncryption", "ecdsa-with-SHA256". */
function signatureDigest(algorithm) {
  if (algorithm === null || algorithm === undefined) return "";
  if (typeof algorithm !== "string") throw codeError(TypeError, 'The "algorithm" argument must be of type string.', "ERR_INVALID_ARG_TYPE");
  let name = algorithm.toLowerCase();
  if (name.startsWith("rsa-")) name = name.slice(4);
  else if (name.startsWith("ecdsa-with-")) name = name.slice(11);
  else if (name.endsWith("withrsaencryption")) name = name.slice(0, -17);
  if (/^sha-(1|224|256|384|512)$/.test(name)) name = "sha" + name.slice(4);
  if (!DIGESTS.includes(name)) throw codeError(TypeError, "Invalid digest: " + algorithm, "ERR_CRYPTO_INVALID_DIGEST");
  return name;
}

/** A signature's options from the key argument ({ key, padding, saltLength, dsaEncoding }). */
function signatureOptions(key) {
  if (typeof key !== "object" || key === null || STATE.has(key) || ArrayBuffer.isView(key) || key instanceof ArrayBuffer) return undefined;
  return { padding: key.padding, saltLength: key.saltLength, dsaEncoding: key.dsaEncoding };
}

function bufferOut(bytes, encoding) {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return encoding === undefined || encoding === "buffer" ? buffer : buffer.toString(encoding);
}

/** Chunks written to a Sign or Verify, as one Uint8Array. */
class Collected {
  constructor() {
    this.chunks = [];
    this.length = 0;
  }
  add(data, encoding) {
    const bytes = toBytes(data, encoding);
    this.chunks.push(Uint8Array.from(bytes));
    this.length += bytes.length;
  }
  bytes() {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}

const SIGNATURE_DATA = new WeakMap();
// Sign and Verify collect the data the same way; only the last step differs.
function startSignature(self, algorithm) {
  SIGNATURE_DATA.set(self, { digest: signatureDigest(algorithm), data: new Collected(), done: false });
}
function addToSignature(self, what, data, encoding) {
  const state = SIGNATURE_DATA.get(self);
  if (state === undefined || state.done) throw codeError(Error, what + " already finished", "ERR_CRYPTO_SIGN_KEY_REQUIRED");
  state.data.add(data, encoding);
  return self;
}

class Sign {
  constructor(algorithm) {
    startSignature(this, algorithm);
  }
  update(data, encoding) {
    return addToSignature(this, "Sign", data, encoding);
  }
  sign(privateKey, outputEncoding) {
    const state = SIGNATURE_DATA.get(this);
    if (state === undefined || state.done) throw codeError(Error, "Sign already finished", "ERR_CRYPTO_SIGN_KEY_REQUIRED");
    if (privateKey === undefined || privateKey === null) throw codeError(Error, "No key provided to sign", "ERR_CRYPTO_SIGN_KEY_REQUIRED");
    const signature = engine().sign(keyHandle(privateKey, CONSUME_PRIVATE), state.digest, state.data.bytes(), signatureOptions(privateKey));
    state.done = true;
    return bufferOut(signature, outputEncoding);
  }
}

class Verify {
  constructor(algorithm) {
    startSignature(this, algorithm);
  }
  update(data, encoding) {
    return addToSignature(this, "Verify", data, encoding);
  }
  verify(publicKey, signature, signatureEncoding) {
    const state = SIGNATURE_DATA.get(this);
    if (state === undefined || state.done) throw codeError(Error, "Verify already finished", "ERR_CRYPTO_SIGN_KEY_REQUIRED");
    const handle = keyHandle(publicKey, CONSUME_PUBLIC);
    const valid = engine().verify(handle, state.digest, state.data.bytes(), toBytes(signature, signatureEncoding), signatureOptions(publicKey));
    state.done = true;
    return valid;
  }
}

function createSign(algorithm) {
  return new Sign(algorithm);
}

function createVerify(algorithm) {
  return new Verify(algorithm);
}

function later(callback, run) {
  if (typeof callback !== "function") return run();
  let result;
  let failure = null;
  try {
    result = run();
  } catch (error) {
    failure = error;
  }
  queueMicrotask(function () {
    if (failure !== null) callback(failure);
    else callback(null, result);
  });
  return undefined;
}

/** Data or a signature for the one-shot sign and verify: bytes only, as Node takes them (no strings). */
function bufferSource(value, name) {
  if (value instanceof Uint8Array || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return toBytes(value);
  throw codeError(TypeError, 'The "' + name + '" argument must be an instance of Buffer, TypedArray, or DataView.', "ERR_INVALID_ARG_TYPE");
}

function sign(algorithm, data, key, callback) {
  return later(callback, function () {
    const digest = signatureDigest(algorithm);
    return Buffer.from(bufferOut(engine().sign(keyHandle(key, CONSUME_PRIVATE), digest, bufferSource(data, "data"), signatureOptions(key))));
  });
}

function verify(algorithm, data, key, signature, callback) {
  return later(callback, function () {
    const digest = signatureDigest(algorithm);
    return engine().verify(keyHandle(key, CONSUME_PUBLIC), digest, bufferSource(data, "data"), bufferSource(signature, "signature"), signatureOptions(key));
  });
}

const CURVE_NAMES = { "P-256": "prime256v1", "P-384": "secp384r1", "P-521": "secp521r1", prime256v1: "prime256v1", secp256r1: "prime256v1", secp384r1: "secp384r1", secp521r1: "secp521r1", secp256k1: "secp256k1" };

function generateKeyPairSync(type, options) {
  if (typeof type !== "string") throw codeError(TypeError, 'The "type" argument must be of type string.', "ERR_INVALID_ARG_TYPE");
  const given = typeof options === "object" && options !== null ? options : {};
  const curve = given.namedCurve;
  const namedCurve = typeof curve === "string" && Object.prototype.hasOwnProperty.call(CURVE_NAMES, curve) ? CURVE_NAMES[curve] : curve;
  const pair = engine().generate(type, given.modulusLength, given.publicExponent, namedCurve);
  const publicKey = keyObjectOf(pair.publicKey);
  const privateKey = keyObjectOf(pair.privateKey);
  const encoded = (key, encoding) => (typeof encoding === "object" && encoding !== null ? key.export(encoding) : key);
  return { publicKey: encoded(publicKey, given.publicKeyEncoding), privateKey: encoded(privateKey, given.privateKeyEncoding) };
}

function generateKeyPair(type, options, callback) {
  if (typeof options === "function") {
    callback = options;
    options = undefined;
  }
  if (typeof callback !== "function") throw codeError(TypeError, 'The "callback" argument must be of type function.', "ERR_INVALID_ARG_TYPE");
  later(function (error, pair) {
    if (error) callback(error);
    else callback(null, pair.publicKey, pair.privateKey);
  }, function () {
    return generateKeyPairSync(type, options);
  });
}

const constants = Object.freeze({
  RSA_PKCS1_PADDING: 1,
  RSA_NO_PADDING: 3,
  RSA_PKCS1_OAEP_PADDING: 4,
  RSA_X931_PADDING: 5,
  RSA_PKCS1_PSS_PADDING: 6,
  RSA_PSS_SALTLEN_DIGEST: -1,
  RSA_PSS_SALTLEN_MAX_SIGN: -2,
  RSA_PSS_SALTLEN_AUTO: -2,
  POINT_CONVERSION_COMPRESSED: 2,
  POINT_CONVERSION_UNCOMPRESSED: 4,
  POINT_CONVERSION_HYBRID: 6,
});

function toBytes(data, encoding) {
  const key = typeof data === "object" && data !== null ? STATE.get(data) : undefined;
  if (key !== undefined) {
    if (key.bytes === undefined) throw codeError(TypeError, "Invalid key object type " + key.type + ", expected secret.", "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE");
    return key.bytes;
  }
  if (typeof data === "string") return Buffer.from(data, encoding || "utf8");
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new TypeError('The "data" argument must be a string, Buffer, TypedArray or DataView');
}

function output(bytes, encoding) {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return encoding === undefined || encoding === "buffer" ? buffer : buffer.toString(encoding);
}

class Hash {
  constructor(state) {
    this._state = state;
    this._done = false;
  }
  update(data, encoding) {
    if (this._done) throw new Error("Digest already called");
    this._state.update(toBytes(data, encoding));
    return this;
  }
  digest(encoding) {
    if (this._done) throw new Error("Digest already called");
    this._done = true;
    return output(this._state.digest(), encoding);
  }
  copy() {
    return new Hash(this._state.clone());
  }
}

function createHash(algorithm, options) {
  const fn = hashFunction(algorithm);
  const outputLength = options !== null && typeof options === "object" ? options.outputLength : undefined;
  if (outputLength === undefined) return new Hash(fn.create());
  if (typeof outputLength !== "number" || !Number.isInteger(outputLength) || outputLength < 0 || outputLength > 2147483647) throw codeError(RangeError, 'The value of "options.outputLength" is out of range. It must be >= 0 && <= 2147483647. Received ' + String(outputLength), "ERR_OUT_OF_RANGE");
  if (XOFS.includes(digestEntry(algorithm)[0])) return new Hash(fn.create({ dkLen: outputLength }));
  if (outputLength !== fn.outputLen) throw codeError(Error, "error:030000B2:digital envelope routines::not XOF or invalid length", "ERR_OSSL_EVP_NOT_XOF_OR_INVALID_LENGTH");
  return new Hash(fn.create());
}

function createHmac(algorithm, key) {
  const entry = digestEntry(algorithm);
  if (entry !== undefined && XOFS.includes(entry[0])) throw new Error("error:00000000:lib(0)::reason(0)");
  return new Hash(hmac.create(hashFunction(algorithm), toBytes(key)));
}

function hash(algorithm, data, encoding) {
  return createHash(algorithm).update(data).digest(encoding === undefined ? "hex" : encoding);
}

function randomBytes(size, callback) {
  if (typeof size !== "number" || !(size >= 0) || size > 2147483647) throw new RangeError('The "size" argument must be a number between 0 and 2**31-1');
  const bytes = Buffer.alloc(size);
  randomFillSync(bytes);
  if (typeof callback === "function") {
    queueMicrotask(function () {
      callback(null, bytes);
    });
    return undefined;
  }
  return bytes;
}

function randomFillSync(target, offset, size) {
  const view = toBytes(target);
  const start = offset === undefined ? 0 : offset;
  const end = size === undefined ? view.length : start + size;
  // getRandomValues gives at most 65536 bytes a call.
  for (let at = start; at < end; at += 65536) webcrypto.getRandomValues(view.subarray(at, Math.min(end, at + 65536)));
  return target;
}

function randomFill(target, offset, size, callback) {
  const done = [offset, size, callback].find(function (x) {
    return typeof x === "function";
  });
  randomFillSync(target, typeof offset === "number" ? offset : undefined, typeof size === "number" ? size : undefined);
  queueMicrotask(function () {
    done(null, target);
  });
}

function randomInt(min, max, callback) {
  if (max === undefined || typeof max === "function") {
    callback = max;
    max = min;
    min = 0;
  }
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || max <= min) throw new RangeError("randomInt needs safe integers min < max");
  const range = max - min;
  const words = new Uint32Array(2);
  let value;
  do {
    webcrypto.getRandomValues(words);
    value = (words[0] * 2 ** 21 + (words[1] >>> 11)) % 2 ** 53;
  } while (value >= 2 ** 53 - (2 ** 53 % range));
  const result = min + (value % range);
  if (typeof callback === "function") {
    queueMicrotask(function () {
      callback(null, result);
    });
    return undefined;
  }
  return result;
}

// Key derivation as Node's crypto has it: PBKDF2, HKDF and scrypt (@noble/hashes, in the realm, under the
// call's limits like any code). The callback forms call back in a later microtask, as randomBytes does.
function int32Argument(value, name, min) {
  if (typeof value !== "number") throw codeError(TypeError, 'The "' + name + '" argument must be of type number. Received ' + typeof value, "ERR_INVALID_ARG_TYPE");
  if (!Number.isInteger(value)) throw codeError(RangeError, 'The value of "' + name + '" is out of range. It must be an integer. Received ' + String(value), "ERR_OUT_OF_RANGE");
  if (value < min || value > 2147483647) throw codeError(RangeError, 'The value of "' + name + '" is out of range. It must be >= ' + min + " && <= 2147483647. Received " + String(value), "ERR_OUT_OF_RANGE");
  return value;
}
function callbackArgument(callback) {
  if (typeof callback !== "function") throw codeError(TypeError, 'The "callback" argument must be of type function. Received ' + typeof callback, "ERR_INVALID_ARG_TYPE");
  return callback;
}

function pbkdf2Sync(password, salt, iterations, keylen, digest) {
  const passwordBytes = toBytes(password);
  const saltBytes = toBytes(salt);
  int32Argument(iterations, "iterations", 1);
  int32Argument(keylen, "keylen", 0);
  const fn = macDigest(digest);
  // OpenSSL derives no empty key (Node: "Deriving bits failed").
  if (keylen === 0) throw new Error("Deriving bits failed");
  return output(require("@noble/hashes/pbkdf2").pbkdf2(fn, passwordBytes, saltBytes, { c: iterations, dkLen: keylen }));
}
function pbkdf2(password, salt, iterations, keylen, digest, callback) {
  if (typeof digest === "function" && callback === undefined) {
    callback = digest;
    digest = undefined;
  }
  callbackArgument(callback);
  const passwordBytes = toBytes(password);
  const saltBytes = toBytes(salt);
  int32Argument(iterations, "iterations", 1);
  int32Argument(keylen, "keylen", 0);
  macDigest(digest);
  // The callback was checked: the result or the error in a later microtask.
  later(callback, function () {
    return pbkdf2Sync(passwordBytes, saltBytes, iterations, keylen, digest);
  });
}

function hkdfSync(digest, ikm, salt, info, keylen) {
  const fn = macDigest(digest);
  const ikmBytes = toBytes(ikm);
  const saltBytes = toBytes(salt);
  const infoBytes = toBytes(info);
  if (infoBytes.length > 1024) throw codeError(RangeError, 'The value of "info" is out of range. It must be must not contain more than 1024 bytes. Received ' + infoBytes.length, "ERR_OUT_OF_RANGE");
  int32Argument(keylen, "length", 0);
  if (keylen > 255 * fn.outputLen) throw codeError(RangeError, "Invalid key length", "ERR_CRYPTO_INVALID_KEYLEN");
  if (keylen === 0) throw new Error("Deriving bits failed");
  const bytes = require("@noble/hashes/hkdf").hkdf(fn, ikmBytes, saltBytes, infoBytes, keylen);
  // Node answers an ArrayBuffer of exactly the key.
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
}
function hkdf(digest, ikm, salt, info, keylen, callback) {
  callbackArgument(callback);
  const fn = macDigest(digest);
  const args = [toBytes(ikm), toBytes(salt), toBytes(info)];
  int32Argument(keylen, "length", 0);
  if (args[2].length > 1024) throw codeError(RangeError, 'The value of "info" is out of range. It must be must not contain more than 1024 bytes. Received ' + args[2].length, "ERR_OUT_OF_RANGE");
  if (keylen > 255 * fn.outputLen) throw codeError(RangeError, "Invalid key length", "ERR_CRYPTO_INVALID_KEYLEN");
  // The callback was checked: the result or the error in a later microtask.
  later(callback, function () {
    return hkdfSync(digest, args[0], args[1], args[2], keylen);
  });
}

/** scrypt's parameters as Node reads them (N or cost, r or blockSize, p or parallelization, maxmem: 32 MiB by default). */
function scryptParameters(options) {
  const o = options === undefined || options === null ? {} : options;
  if (typeof o !== "object") throw codeError(TypeError, 'The "options" argument must be of type object. Received ' + typeof o, "ERR_INVALID_ARG_TYPE");
  const pick = function (a, b, fallback) {
    if (o[a] !== undefined && o[b] !== undefined) throw codeError(TypeError, 'Option "' + a + '" cannot be used in combination with option "' + b + '"', "ERR_INCOMPATIBLE_OPTION_PAIR");
    const value = o[a] !== undefined ? o[a] : o[b] !== undefined ? o[b] : fallback;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) throw codeError(RangeError, 'The value of "' + (o[a] !== undefined ? a : b) + '" is out of range. Received ' + String(value), "ERR_OUT_OF_RANGE");
    return value;
  };
  const N = pick("N", "cost", 16384);
  const r = pick("r", "blockSize", 8);
  const p = pick("p", "parallelization", 1);
  const maxmem = o.maxmem === undefined ? 32 * 1024 * 1024 : o.maxmem;
  if (typeof maxmem !== "number" || !Number.isSafeInteger(maxmem) || maxmem < 0) throw codeError(RangeError, 'The value of "maxmem" is out of range. Received ' + String(maxmem), "ERR_OUT_OF_RANGE");
  const invalid = function (why) {
    return codeError(RangeError, "Invalid scrypt params: " + why, "ERR_CRYPTO_INVALID_SCRYPT_PARAMS");
  };
  if (N < 2 || (N & (N - 1)) !== 0 || r < 1 || p < 1) throw invalid("error:030000AC:digital envelope routines::invalid parameters");
  // OpenSSL's measure of the memory it needs: B (p * 128 * r bytes) and V (128 * r * (N + 2)).
  if (p * 128 * r + 128 * r * (N + 2) > maxmem) throw invalid("error:030000AC:digital envelope routines::memory limit exceeded");
  return { N: N, r: r, p: p, maxmem: maxmem };
}
function scryptSync(password, salt, keylen, options) {
  const passwordBytes = toBytes(password);
  const saltBytes = toBytes(salt);
  int32Argument(keylen, "keylen", 0);
  const params = scryptParameters(options);
  if (keylen === 0) return Buffer.alloc(0);
  return output(require("@noble/hashes/scrypt").scrypt(passwordBytes, saltBytes, { N: params.N, r: params.r, p: params.p, dkLen: keylen, maxmem: Number.MAX_SAFE_INTEGER }));
}
function scrypt(password, salt, keylen, options, callback) {
  if (typeof options === "function" && callback === undefined) {
    callback = options;
    options = undefined;
  }
  callbackArgument(callback);
  const passwordBytes = toBytes(password);
  const saltBytes = toBytes(salt);
  int32Argument(keylen, "keylen", 0);
  scryptParameters(options);
  // The callback was checked: the result or the error in a later microtask.
  later(callback, function () {
    return scryptSync(passwordBytes, saltBytes, keylen, options);
  });
}

function timingSafeEqual(a, b) {
  const x = toBytes(a);
  const y = toBytes(b);
  if (x.length !== y.length) throw new RangeError("Input buffers must have the same byte length");
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

module.exports = {
  createHash,
  createHmac,
  hash,
  getHashes: function getHashes() {
    return HASH_NAMES.slice();
  },
  pbkdf2,
  pbkdf2Sync,
  hkdf,
  hkdfSync,
  scrypt,
  scryptSync,
  randomBytes,
  pseudoRandomBytes: randomBytes,
  randomFillSync,
  randomFill,
  randomInt,
  randomUUID: function randomUUID() {
    return webcrypto.randomUUID();
  },
  getRandomValues: function getRandomValues(array) {
    return webcrypto.getRandomValues(array);
  },
  timingSafeEqual,
  KeyObject,
  createSecretKey,
  createPublicKey,
  createPrivateKey,
  createSign,
  createVerify,
  Sign,
  Verify,
  sign,
  verify,
  generateKeyPair,
  generateKeyPairSync,
  getCurves: function getCurves() {
    return ["prime256v1", "secp256k1", "secp384r1", "secp521r1"];
  },
  constants,
  webcrypto,
  subtle: webcrypto.subtle,
};

// For the realm's crypto.subtle (sandbox/node-globals.ts): digests and HMACs from the functions above as
// this module was made, before any tenant code could replace its exports (crypto.createHmac = ...): a key
// crypto.subtle keeps is never handed to a function the tenant wrote, and verify cannot be made to lie.
const SUBTLE_HASHES = { "SHA-1": sha1, "SHA-256": sha256, "SHA-384": sha384, "SHA-512": sha512 };
Object.defineProperty(module.exports, "__tenantboxSubtle", {
  value: Object.freeze({
    digest: function digest(name, data) {
      return SUBTLE_HASHES[name](data);
    },
    hmac: function hmacOf(name, key, data) {
      return hmac(SUBTLE_HASHES[name], key, data);
    },
  }),
  enumerable: false,
  writable: false,
  configurable: false,
});
