// Node's crypto, the part pure JavaScript can do: hashes and HMACs (@noble/hashes), random bytes and ids
// (the realm's crypto.getRandomValues, fed by the host's CSPRNG), and the Web Crypto object itself.
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

// Secret keys only: the realm has no asymmetric crypto (createSign, generateKeyPair, ... are absent).
class KeyObject {
  constructor(type, bytes) {
    if (type !== "secret") throw new TypeError("only secret keys are available in the sandbox");
    this.type = type;
    this._bytes = bytes;
  }
  get symmetricKeySize() {
    return this._bytes.length;
  }
  export() {
    return Buffer.from(this._bytes);
  }
  equals(other) {
    return other instanceof KeyObject && timingSafeEqual(this._bytes, other._bytes);
  }
}

function asymmetricKeysUnavailable() {
  throw new Error("asymmetric keys are not available in the sandbox (secret keys and HMAC are)");
}

function createSecretKey(key, encoding) {
  return new KeyObject("secret", Buffer.from(toBytes(key, encoding)));
}

function toBytes(data, encoding) {
  if (data instanceof KeyObject) return data._bytes;
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
  createPublicKey: asymmetricKeysUnavailable,
  createPrivateKey: asymmetricKeysUnavailable,
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
