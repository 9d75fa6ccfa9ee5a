// Node's zlib, the deflate family, from pako (a maintained pure-JS port of zlib): deflate, inflate, raw
// and gzip forms, sync, with callbacks and as streams (the classes Deflate to Unzip and their create
// functions: a stream compresses what it was given when it ends; nothing is flushed in pieces). Brotli and
// zstd are not there. What the output allocates is charged like any buffer of the invocation, so a
// decompression bomb ends at its memory limit.
const pako = require("pako");
const { Buffer } = require("buffer");
const { Transform } = require("stream");
const errors = require("./shared/node-errors.cjs");

// Node 24's zlib.constants, all of them (brotli's and zstd's too: libraries read them to configure what they
// would ask of those; asking still fails).
const constants = Object.freeze({
  Z_NO_FLUSH: 0, Z_PARTIAL_FLUSH: 1, Z_SYNC_FLUSH: 2, Z_FULL_FLUSH: 3, Z_FINISH: 4, Z_BLOCK: 5, Z_OK: 0,
  Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3, Z_MEM_ERROR: -4,
  Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6, Z_NO_COMPRESSION: 0, Z_BEST_SPEED: 1, Z_BEST_COMPRESSION: 9,
  Z_DEFAULT_COMPRESSION: -1, Z_FILTERED: 1, Z_HUFFMAN_ONLY: 2, Z_RLE: 3, Z_FIXED: 4, Z_DEFAULT_STRATEGY: 0,
  ZLIB_VERNUM: 4897, DEFLATE: 1, INFLATE: 2, GZIP: 3, GUNZIP: 4, DEFLATERAW: 5, INFLATERAW: 6, UNZIP: 7,
  BROTLI_DECODE: 8, BROTLI_ENCODE: 9, ZSTD_DECOMPRESS: 11, ZSTD_COMPRESS: 10, Z_MIN_WINDOWBITS: 8,
  Z_MAX_WINDOWBITS: 15, Z_DEFAULT_WINDOWBITS: 15, Z_MIN_CHUNK: 64, Z_MAX_CHUNK: Infinity, Z_DEFAULT_CHUNK: 16384,
  Z_MIN_MEMLEVEL: 1, Z_MAX_MEMLEVEL: 9, Z_DEFAULT_MEMLEVEL: 8, Z_MIN_LEVEL: -1, Z_MAX_LEVEL: 9, Z_DEFAULT_LEVEL: -1,
  BROTLI_OPERATION_PROCESS: 0, BROTLI_OPERATION_FLUSH: 1, BROTLI_OPERATION_FINISH: 2,
  BROTLI_OPERATION_EMIT_METADATA: 3, BROTLI_PARAM_MODE: 0, BROTLI_MODE_GENERIC: 0, BROTLI_MODE_TEXT: 1,
  BROTLI_MODE_FONT: 2, BROTLI_DEFAULT_MODE: 0, BROTLI_PARAM_QUALITY: 1, BROTLI_MIN_QUALITY: 0,
  BROTLI_MAX_QUALITY: 11, BROTLI_DEFAULT_QUALITY: 11, BROTLI_PARAM_LGWIN: 2, BROTLI_MIN_WINDOW_BITS: 10,
  BROTLI_MAX_WINDOW_BITS: 24, BROTLI_LARGE_MAX_WINDOW_BITS: 30, BROTLI_DEFAULT_WINDOW: 22, BROTLI_PARAM_LGBLOCK: 3,
  BROTLI_MIN_INPUT_BLOCK_BITS: 16, BROTLI_MAX_INPUT_BLOCK_BITS: 24, BROTLI_PARAM_DISABLE_LITERAL_CONTEXT_MODELING: 4,
  BROTLI_PARAM_SIZE_HINT: 5, BROTLI_PARAM_LARGE_WINDOW: 6, BROTLI_PARAM_NPOSTFIX: 7, BROTLI_PARAM_NDIRECT: 8,
  BROTLI_DECODER_RESULT_ERROR: 0, BROTLI_DECODER_RESULT_SUCCESS: 1, BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT: 2,
  BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT: 3, BROTLI_DECODER_PARAM_DISABLE_RING_BUFFER_REALLOCATION: 0,
  BROTLI_DECODER_PARAM_LARGE_WINDOW: 1, BROTLI_DECODER_NO_ERROR: 0, BROTLI_DECODER_SUCCESS: 1,
  BROTLI_DECODER_NEEDS_MORE_INPUT: 2, BROTLI_DECODER_NEEDS_MORE_OUTPUT: 3,
  BROTLI_DECODER_ERROR_FORMAT_EXUBERANT_NIBBLE: -1, BROTLI_DECODER_ERROR_FORMAT_RESERVED: -2,
  BROTLI_DECODER_ERROR_FORMAT_EXUBERANT_META_NIBBLE: -3, BROTLI_DECODER_ERROR_FORMAT_SIMPLE_HUFFMAN_ALPHABET: -4,
  BROTLI_DECODER_ERROR_FORMAT_SIMPLE_HUFFMAN_SAME: -5, BROTLI_DECODER_ERROR_FORMAT_CL_SPACE: -6,
  BROTLI_DECODER_ERROR_FORMAT_HUFFMAN_SPACE: -7, BROTLI_DECODER_ERROR_FORMAT_CONTEXT_MAP_REPEAT: -8,
  BROTLI_DECODER_ERROR_FORMAT_BLOCK_LENGTH_1: -9, BROTLI_DECODER_ERROR_FORMAT_BLOCK_LENGTH_2: -10,
  BROTLI_DECODER_ERROR_FORMAT_TRANSFORM: -11, BROTLI_DECODER_ERROR_FORMAT_DICTIONARY: -12,
  BROTLI_DECODER_ERROR_FORMAT_WINDOW_BITS: -13, BROTLI_DECODER_ERROR_FORMAT_PADDING_1: -14,
  BROTLI_DECODER_ERROR_FORMAT_PADDING_2: -15, BROTLI_DECODER_ERROR_FORMAT_DISTANCE: -16,
  BROTLI_DECODER_ERROR_DICTIONARY_NOT_SET: -19, BROTLI_DECODER_ERROR_INVALID_ARGUMENTS: -20,
  BROTLI_DECODER_ERROR_ALLOC_CONTEXT_MODES: -21, BROTLI_DECODER_ERROR_ALLOC_TREE_GROUPS: -22,
  BROTLI_DECODER_ERROR_ALLOC_CONTEXT_MAP: -25, BROTLI_DECODER_ERROR_ALLOC_RING_BUFFER_1: -26,
  BROTLI_DECODER_ERROR_ALLOC_RING_BUFFER_2: -27, BROTLI_DECODER_ERROR_ALLOC_BLOCK_TYPE_TREES: -30,
  BROTLI_DECODER_ERROR_UNREACHABLE: -31, ZSTD_e_continue: 0, ZSTD_e_flush: 1, ZSTD_e_end: 2, ZSTD_fast: 1,
  ZSTD_dfast: 2, ZSTD_greedy: 3, ZSTD_lazy: 4, ZSTD_lazy2: 5, ZSTD_btlazy2: 6, ZSTD_btopt: 7, ZSTD_btultra: 8,
  ZSTD_btultra2: 9, ZSTD_c_compressionLevel: 100, ZSTD_c_windowLog: 101, ZSTD_c_hashLog: 102, ZSTD_c_chainLog: 103,
  ZSTD_c_searchLog: 104, ZSTD_c_minMatch: 105, ZSTD_c_targetLength: 106, ZSTD_c_strategy: 107,
  ZSTD_c_enableLongDistanceMatching: 160, ZSTD_c_ldmHashLog: 161, ZSTD_c_ldmMinMatch: 162,
  ZSTD_c_ldmBucketSizeLog: 163, ZSTD_c_ldmHashRateLog: 164, ZSTD_c_contentSizeFlag: 200, ZSTD_c_checksumFlag: 201,
  ZSTD_c_dictIDFlag: 202, ZSTD_c_nbWorkers: 400, ZSTD_c_jobSize: 401, ZSTD_c_overlapLog: 402,
  ZSTD_d_windowLogMax: 100, ZSTD_CLEVEL_DEFAULT: 3, ZSTD_error_no_error: 0, ZSTD_error_GENERIC: 1,
  ZSTD_error_prefix_unknown: 10, ZSTD_error_version_unsupported: 12, ZSTD_error_frameParameter_unsupported: 14,
  ZSTD_error_frameParameter_windowTooLarge: 16, ZSTD_error_corruption_detected: 20, ZSTD_error_checksum_wrong: 22,
  ZSTD_error_literals_headerWrong: 24, ZSTD_error_dictionary_corrupted: 30, ZSTD_error_dictionary_wrong: 32,
  ZSTD_error_dictionaryCreation_failed: 34, ZSTD_error_parameter_unsupported: 40,
  ZSTD_error_parameter_combination_unsupported: 41, ZSTD_error_parameter_outOfBound: 42,
  ZSTD_error_tableLog_tooLarge: 44, ZSTD_error_maxSymbolValue_tooLarge: 46, ZSTD_error_maxSymbolValue_tooSmall: 48,
  ZSTD_error_stabilityCondition_notRespected: 50, ZSTD_error_stage_wrong: 60, ZSTD_error_init_missing: 62,
  ZSTD_error_memory_allocation: 64, ZSTD_error_workSpace_tooSmall: 66, ZSTD_error_dstSize_tooSmall: 70,
  ZSTD_error_srcSize_wrong: 72, ZSTD_error_dstBuffer_null: 74, ZSTD_error_noForwardProgress_destFull: 80,
  ZSTD_error_noForwardProgress_inputEmpty: 82,
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
 * What Node's zlib streams have of the native binding, for libraries that drive it themselves (pngjs's sync
 * inflate: `_handle.writeSync(flush, in, inOff, inLen, out, outOff, outLen)`, its answer in `_writeState` as
 * [availOutAfter, availInAfter]). As the streams here, it keeps the input until Z_FINISH and works on all of it
 * then; the output is handed out a buffer at a time. A failure goes to `onerror` (the stream's, as Node's).
 */
function ZlibHandle(owner, syncFn, opts) {
  this._owner = owner;
  this._syncFn = syncFn;
  this._opts = opts;
  this._input = [];
  this._pending = null;
  this._pendingOffset = 0;
}
ZlibHandle.prototype.writeSync = function (flushFlag, input, inOff, inLen, out, outOff, outLen) {
  const state = this._owner._writeState;
  if (input && inLen > 0) this._input.push(Buffer.from(bytes(input).subarray(inOff, inOff + inLen)));
  if (flushFlag === constants.Z_FINISH && this._pending === null && this._input !== null) {
    const all = Buffer.concat(this._input);
    this._input = null;
    try {
      this._pending = this._syncFn(all, this._opts);
    } catch (error) {
      state[0] = outLen;
      state[1] = 0;
      this.onerror(error);
      return;
    }
  }
  let copied = 0;
  if (this._pending !== null) {
    copied = Math.min(outLen, this._pending.length - this._pendingOffset);
    this._pending.copy(out, outOff, this._pendingOffset, this._pendingOffset + copied);
    this._pendingOffset += copied;
  }
  state[0] = outLen - copied;
  state[1] = 0;
};
ZlibHandle.prototype.write = function (flushFlag, input, inOff, inLen, out, outOff, outLen) {
  this.writeSync(flushFlag, input, inOff, inLen, out, outOff, outLen);
  const handle = this;
  queueMicrotask(function () {
    if (typeof handle.callback === "function") handle.callback();
  });
};
ZlibHandle.prototype.reset = function () {
  this._input = [];
  this._pending = null;
  this._pendingOffset = 0;
};
ZlibHandle.prototype.close = function () {
  this._input = null;
  this._pending = null;
};
ZlibHandle.prototype.onerror = function (error) {
  const owner = this._owner;
  owner._hadError = true;
  owner._zlibError = error;
  owner.destroy(error);
};

/** Node's check of options.chunkSize: a finite number of at least Z_MIN_CHUNK, the default when absent or NaN. */
function chunkSizeOf(opts) {
  const value = opts ? opts.chunkSize : undefined;
  if (value === undefined || (typeof value === "number" && Number.isNaN(value))) return constants.Z_DEFAULT_CHUNK;
  if (typeof value !== "number") throw errors.invalidArgType("options.chunkSize", "of type number", value);
  if (!Number.isFinite(value)) throw errors.outOfRange("options.chunkSize", "a finite number", value);
  if (value < constants.Z_MIN_CHUNK) throw errors.outOfRange("options.chunkSize", ">= " + constants.Z_MIN_CHUNK, value);
  return value;
}

/** Node's processChunkSync: the chunk through the handle, the output joined (maxOutputLength as Node's). */
function processChunkSync(self, chunk, flushFlag) {
  const data = typeof chunk === "string" ? Buffer.from(chunk) : bytes(chunk);
  const handle = self._handle;
  if (!handle) throw errors.codeError(Error, "zlib binding closed", "ERR_ZLIB_BINDING_CLOSED");
  const state = self._writeState;
  const buffers = [];
  let total = 0;
  let inOff = 0;
  let availIn = data.length;
  for (;;) {
    const availOutBefore = self._chunkSize - self._outOffset;
    handle.writeSync(flushFlag, data, inOff, availIn, self._outBuffer, self._outOffset, availOutBefore);
    if (self._zlibError) throw self._zlibError;
    const have = availOutBefore - state[0];
    if (have > 0) {
      buffers.push(Buffer.from(self._outBuffer.subarray(self._outOffset, self._outOffset + have)));
      total += have;
      if (total > self._maxOutputLength) {
        throw errors.codeError(RangeError, "Cannot create a Buffer larger than " + self._maxOutputLength + " bytes", "ERR_BUFFER_TOO_LARGE");
      }
      self._outOffset += have;
    }
    if (state[0] === 0 || self._outOffset >= self._chunkSize) {
      self._outOffset = 0;
      self._outBuffer = Buffer.allocUnsafe(self._chunkSize);
    }
    inOff += availIn - state[1];
    availIn = state[1];
    if (state[0] !== 0) break;
  }
  self.bytesWritten += data.length;
  return Buffer.concat(buffers, total);
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
      // Node's own fields, for what drives the binding itself (ZlibHandle above).
      const chunkSize = chunkSizeOf(opts);
      this._writeState = new Uint32Array(2);
      this._handle = new ZlibHandle(this, syncFn, opts);
      this._outBuffer = Buffer.allocUnsafe(chunkSize);
      this._outOffset = 0;
      this._chunkSize = chunkSize;
      this._defaultFlushFlag = constants.Z_NO_FLUSH;
      this._finishFlushFlag = constants.Z_FINISH;
      this._defaultFullFlushFlag = constants.Z_FULL_FLUSH;
      this._maxOutputLength = opts && typeof opts.maxOutputLength === "number" ? opts.maxOutputLength : 4294967296;
      this._hadError = false;
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
    if (this._handle) this._handle.reset();
  };
  // Node's: with no callback the chunk is worked through the handle at once and the output returned.
  Z.prototype._processChunk = function (chunk, flushFlag, cb) {
    if (typeof cb !== "function") return processChunkSync(this, chunk, flushFlag);
    let out;
    try {
      out = processChunkSync(this, chunk, flushFlag);
    } catch (error) {
      queueMicrotask(function () {
        cb(error);
      });
      return;
    }
    if (out.length > 0) this.push(out);
    queueMicrotask(cb);
  };
  Z.prototype.close = function (callback) {
    if (typeof callback === "function") this.once("close", callback);
    if (this._handle) {
      this._handle.close();
      this._handle = null;
    }
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
// Node's legacy names on the module: the Z_ constants, read-only and not enumerable; `codes` both ways.
for (const key of Object.keys(constants)) {
  if (key.startsWith("Z_")) Object.defineProperty(module.exports, key, { value: constants[key], writable: false, enumerable: false, configurable: false });
}
const codes = {};
for (const key of ["Z_OK", "Z_STREAM_END", "Z_NEED_DICT", "Z_ERRNO", "Z_STREAM_ERROR", "Z_DATA_ERROR", "Z_MEM_ERROR", "Z_BUF_ERROR", "Z_VERSION_ERROR"]) {
  codes[key] = constants[key];
  codes[constants[key]] = key;
}
module.exports.codes = Object.freeze(codes);
