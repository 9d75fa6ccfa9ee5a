// Node's crypto: hashes and HMACs in pure JavaScript (@noble/hashes), random bytes and ids (the realm's
// crypto.getRandomValues, fed by the host's CSPRNG), asymmetric keys, signatures and key pairs (RSA, RSA-PSS,
// ECDSA, Ed25519/Ed448) by the realm's key engine, and the Web Crypto object itself.
const { Buffer } = require("buffer");
const { sha1, md5 } = require("@noble/hashes/legacy");
const { sha224, sha256, sha384, sha512 } = require("@noble/hashes/sha2");
const { hmac } = require("@noble/hashes/hmac");

const webcrypto = globalThis.crypto;
const HASHES = { sha1, md5, sha224, sha256, sha384, sha512, "sha-1": sha1, "sha-256": sha256, "sha-384": sha384, "sha-512": sha512 };

function hashFunction(algorithm) {
  const fn = typeof algorithm === "string" ? HASHES[algorithm.toLowerCase()] : undefined;
  if (!fn || !Object.prototype.hasOwnProperty.call(HASHES, algorithm.toLowerCase())) {
    const error = new Error("Digest method not supported: " + String(algorithm) + " (available: md5, sha1, sha224, sha256, sha384, sha512)");
    error.code = "ERR_CRYPTO_INVALID_DIGEST";
    throw error;
  }
  return fn;
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

function createHash(algorithm) {
  return new Hash(hashFunction(algorithm).create());
}

function createHmac(algorithm, key) {
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
    return ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"];
  },
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
