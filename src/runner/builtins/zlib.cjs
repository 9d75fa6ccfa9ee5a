// Node's zlib, the deflate family, from pako (a maintained pure-JS port of zlib): deflate, inflate, raw
// and gzip forms, sync, with callbacks and as streams (the classes Deflate to Unzip and their create
// functions: a stream compresses what it was given when it ends; nothing is flushed in pieces). Brotli and
// zstd are not there. What the output allocates is charged like any buffer of the invocation, so a
// decompression bomb ends at its memory limit.
const pako = require("pako");
const { Buffer } = require("buffer");
const { Transform } = require("stream");
const errors = require("./shared/node-errors.cjs");

const constants = Object.freeze({
  Z_NO_FLUSH: 0, Z_PARTIAL_FLUSH: 1, Z_SYNC_FLUSH: 2, Z_FULL_FLUSH: 3, Z_FINISH: 4, Z_BLOCK: 5,
  Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3, Z_BUF_ERROR: -5,
  Z_NO_COMPRESSION: 0, Z_BEST_SPEED: 1, Z_BEST_COMPRESSION: 9, Z_DEFAULT_COMPRESSION: -1,
  Z_FILTERED: 1, Z_HUFFMAN_ONLY: 2, Z_RLE: 3, Z_FIXED: 4, Z_DEFAULT_STRATEGY: 0,
  Z_DEFAULT_WINDOWBITS: 15, Z_DEFAULT_MEMLEVEL: 8, Z_DEFAULT_CHUNK: 16384,
});

function bytes(data) {
  if (typeof data === "string") return Buffer.from(data);
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new TypeError('The "buffer" argument must be of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer');
}

function options(opts) {
  const o = opts || {};
  const out = {};
  if (o.level !== undefined) out.level = o.level;
  if (o.windowBits !== undefined) out.windowBits = o.windowBits;
  if (o.memLevel !== undefined) out.memLevel = o.memLevel;
  if (o.strategy !== undefined) out.strategy = o.strategy;
  if (o.dictionary !== undefined) out.dictionary = o.dictionary;
  if (o.maxOutputLength !== undefined) out.maxOutputLength = o.maxOutputLength;
  return out;
}

function zlibError(error) {
  const wrapped = new Error(typeof error === "string" ? error : (error && error.message) || "zlib: invalid data");
  wrapped.code = "Z_DATA_ERROR";
  wrapped.errno = -3;
  return wrapped;
}

// What Node's zlib says for the statuses an inflate ends with.
const INFLATE_ERRORS = {
  "-5": ["Z_BUF_ERROR", "unexpected end of file"],
  "2": ["Z_NEED_DICT", "Missing dictionary"],
  "-3": ["Z_DATA_ERROR", "invalid data"],
  "-2": ["Z_STREAM_ERROR", "stream error"],
  "-4": ["Z_MEM_ERROR", "out of memory"],
};

/**
 * One inflate, with the window a format needs given explicitly (pako would otherwise accept gzip where zlib
 * is asked for, and the reverse) and Node's maxOutputLength: past it, a RangeError ERR_BUFFER_TOO_LARGE
 * before more output is kept.
 */
function inflated(data, o, format) {
  const settings = Object.assign({}, o);
  if (format === "raw") settings.raw = true;
  else settings.windowBits = (o.windowBits || 15) + (format === "gzip" ? 16 : format === "any" ? 32 : 0);
  const max = typeof o.maxOutputLength === "number" ? o.maxOutputLength : Infinity;
  const inflator = new pako.Inflate(settings);
  let total = 0;
  inflator.onData = function (chunk) {
    total += chunk.length;
    if (total > max) {
      const error = new RangeError("Cannot create a Buffer larger than " + max + " bytes");
      error.code = "ERR_BUFFER_TOO_LARGE";
      throw error;
    }
    this.chunks.push(chunk);
  };
  inflator.push(data, true);
  if (inflator.err) {
    const known = INFLATE_ERRORS[String(inflator.err)];
    const error = new Error(inflator.err === -3 && inflator.msg ? inflator.msg : known ? known[1] : String(inflator.msg || "zlib error"));
    error.code = known ? known[0] : "Z_DATA_ERROR";
    error.errno = inflator.err;
    throw error;
  }
  return inflator.result;
}

function sync(run) {
  return function (data, opts) {
    let out;
    try {
      out = run(bytes(data), options(opts));
    } catch (error) {
      throw error instanceof Error ? error : zlibError(error);
    }
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  };
}

const deflateSync = sync((d, o) => pako.deflate(d, o));
const inflateSync = sync((d, o) => inflated(d, o, "zlib"));
const deflateRawSync = sync((d, o) => pako.deflateRaw(d, o));
const inflateRawSync = sync((d, o) => inflated(d, o, "raw"));
const gzipSync = sync((d, o) => pako.gzip(d, o));
const gunzipSync = sync((d, o) => inflated(d, o, "gzip"));
// unzip: gzip or zlib, by the header.
const unzipSync = sync((d, o) => inflated(d, o, "any"));

function callback(syncFn) {
  return function (data, opts, cb) {
    if (typeof opts === "function") {
      cb = opts;
      opts = undefined;
    }
    if (typeof cb !== "function") throw new TypeError('The "callback" argument must be of type function');
    let result;
    let failure = null;
    try {
      result = syncFn(data, opts);
    } catch (error) {
      failure = error;
    }
    queueMicrotask(function () {
      if (failure) cb(failure);
      else cb(null, result);
    });
  };
}

/**
 * Node's stream classes (Deflate, Inflate, DeflateRaw, InflateRaw, Gzip, Gunzip, Unzip): Transforms that keep
 * what they are given and compress it when they end. Constructors as Node's (callable without `new`), with
 * `_transform` and `_flush` on the prototype, so a subclass can extend them and call `super._transform`
 * (crc32-stream's DeflateCRC32Stream, through archiver, zip-stream and exceljs).
 */
function streamClass(name, syncFn) {
  const Z = {
    [name]: function (opts) {
      if (!(this instanceof Z)) return new Z(opts);
      Transform.call(this, opts);
      this._zlibOptions = opts;
      this._zlibChunks = [];
      this.bytesWritten = 0;
    },
  }[name];
  Object.setPrototypeOf(Z.prototype, Transform.prototype);
  Object.setPrototypeOf(Z, Transform);
  Z.prototype._transform = function (chunk, encoding, done) {
    const data = typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk;
    this._zlibChunks.push(data);
    this.bytesWritten += data.length;
    done();
  };
  Z.prototype._flush = function (done) {
    let out;
    try {
      out = syncFn(Buffer.concat(this._zlibChunks), this._zlibOptions);
    } catch (error) {
      done(error);
      return;
    }
    this._zlibChunks = [];
    done(null, out);
  };
  // Nothing is compressed before the end: a flush has nothing to push, and says so when asked.
  Z.prototype.flush = function (kind, callback) {
    const cb = typeof kind === "function" ? kind : callback;
    if (typeof cb === "function") queueMicrotask(cb);
  };
  Z.prototype.params = function (level, strategy, callback) {
    this._zlibOptions = Object.assign({}, this._zlibOptions, { level, strategy });
    if (typeof callback === "function") queueMicrotask(callback);
  };
  Z.prototype.reset = function () {
    this._zlibChunks = [];
  };
  Z.prototype.close = function (callback) {
    if (typeof callback === "function") this.once("close", callback);
    this.destroy();
  };
  return Z;
}

const Deflate = streamClass("Deflate", deflateSync);
const Inflate = streamClass("Inflate", inflateSync);
const DeflateRaw = streamClass("DeflateRaw", deflateRawSync);
const InflateRaw = streamClass("InflateRaw", inflateRawSync);
const Gzip = streamClass("Gzip", gzipSync);
const Gunzip = streamClass("Gunzip", gunzipSync);
const Unzip = streamClass("Unzip", unzipSync);
const create = (Z) => (opts) => new Z(opts);

// CRC-32 (IEEE, zlib's crc32): the table is made at the first call, not at every instantiation of the module.
let crcTable;
function crc32(data, value = 0) {
  let view;
  if (typeof data === "string") view = Buffer.from(data);
  else if (ArrayBuffer.isView(data)) view = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else throw errors.invalidArgType("data", "of type string or an instance of Buffer, TypedArray, or DataView", data);
  errors.validateUint32(value, "value");
  if (crcTable === undefined) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let crc = ~value;
  for (let i = 0; i < view.length; i++) crc = crcTable[(crc ^ view[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

function brotliUnavailable() {
  throw new Error("zlib: brotli and zstd are not available in the sandbox (deflate, inflate, gzip and gunzip are)");
}

module.exports = {
  constants,
  crc32,
  deflateSync, inflateSync, deflateRawSync, inflateRawSync, gzipSync, gunzipSync, unzipSync,
  deflate: callback(deflateSync), inflate: callback(inflateSync), deflateRaw: callback(deflateRawSync),
  inflateRaw: callback(inflateRawSync), gzip: callback(gzipSync), gunzip: callback(gunzipSync), unzip: callback(unzipSync),
  Deflate, Inflate, DeflateRaw, InflateRaw, Gzip, Gunzip, Unzip,
  createDeflate: create(Deflate), createInflate: create(Inflate), createDeflateRaw: create(DeflateRaw),
  createInflateRaw: create(InflateRaw), createGzip: create(Gzip), createGunzip: create(Gunzip), createUnzip: create(Unzip),
  brotliCompressSync: brotliUnavailable, brotliDecompressSync: brotliUnavailable, brotliCompress: brotliUnavailable,
  brotliDecompress: brotliUnavailable, createBrotliCompress: brotliUnavailable, createBrotliDecompress: brotliUnavailable,
};
for (const key of Object.keys(constants)) module.exports[key] = constants[key];
