// Node's stream/web, and the web stream globals: the WHATWG reference implementation (web-streams-polyfill),
// plus TextEncoderStream and TextDecoderStream, which it lacks, on its TransformStream.
const streams = require("web-streams-polyfill");
const { invalidArgType } = require("./shared/node-errors.cjs");

class TextEncoderStream extends streams.TransformStream {
  constructor() {
    const encoder = new TextEncoder();
    // A lone high surrogate at a chunk's end waits for the next chunk, as the spec's encoder does.
    let pending = "";
    super({
      transform(chunk, controller) {
        let text = pending + String(chunk);
        pending = "";
        const last = text.charCodeAt(text.length - 1);
        if (last >= 0xd800 && last <= 0xdbff) {
          pending = text.slice(-1);
          text = text.slice(0, -1);
        }
        if (text.length > 0) controller.enqueue(encoder.encode(text));
      },
      flush(controller) {
        if (pending !== "") controller.enqueue(encoder.encode(pending));
      },
    });
  }
  get encoding() {
    return "utf-8";
  }
}

class TextDecoderStream extends streams.TransformStream {
  #decoder;
  constructor(label, options) {
    const decoder = new TextDecoder(label, options);
    super({
      transform(chunk, controller) {
        const text = decoder.decode(chunk, { stream: true });
        if (text !== "") controller.enqueue(text);
      },
      flush(controller) {
        const text = decoder.decode();
        if (text !== "") controller.enqueue(text);
      },
    });
    this.#decoder = decoder;
  }
  get encoding() {
    return this.#decoder.encoding;
  }
  get fatal() {
    return this.#decoder.fatal;
  }
  get ignoreBOM() {
    return this.#decoder.ignoreBOM;
  }
}

// CompressionStream and DecompressionStream: deflate, deflate-raw and gzip through pako (zlib's algorithm, as
// zlib.cjs). Their classes are made when the module's CompressionStream or DecompressionStream is first read (a
// call that does not use them does not pay for them), pako when the first one is constructed. Chunks are
// compressed as they come (Node's zlib writes with no flush: the same bytes); decompressed output is handed on for
// each chunk. Brotli is not there, as in zlib.
let compression;
function compressionClasses() {
  if (compression !== undefined) return compression;
  const COMPRESSION_FORMATS = ["deflate", "deflate-raw", "gzip", "brotli"];
  function compressionFormat(format, constructor) {
    if (!COMPRESSION_FORMATS.includes(format)) {
      const error = new TypeError("Failed to construct '" + constructor + "': 1st argument '" + String(format) + "' is not a valid enum value of type CompressionFormat.");
      error.code = "ERR_INVALID_ARG_VALUE";
      throw error;
    }
    if (format === "brotli") throw new TypeError(constructor + ": brotli is not available in the sandbox (deflate, deflate-raw and gzip are)");
    return format;
  }

  function chunkBytes(chunk) {
    if (typeof chunk === "string") return new TextEncoder().encode(chunk);
    if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
    if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    throw invalidArgType("chunk", "of type string or an instance of Buffer, TypedArray, or DataView", chunk);
  }

  // What zlib says for the statuses a stream fails with, and Node's error for it: a TypeError without a message
  // whose cause is zlib's error (Node's web stream adapter wraps it so).
  const ZLIB_STATUS = { "-2": ["Z_STREAM_ERROR", "stream error"], "-3": ["Z_DATA_ERROR", "invalid data"], "-4": ["Z_MEM_ERROR", "out of memory"], "-5": ["Z_BUF_ERROR", "unexpected end of file"], 2: ["Z_NEED_DICT", "Missing dictionary"] };
  function zlibFailure(status, message) {
    const [code, text] = ZLIB_STATUS[status] || ["Z_DATA_ERROR", "invalid data"];
    const cause = new Error(message || text);
    cause.errno = status;
    cause.code = code;
    const error = new TypeError(undefined, { cause });
    error.code = code;
    return error;
  }
  function trailingJunk() {
    const error = new TypeError("Trailing junk found after the end of the compressed stream");
    error.code = "ERR_TRAILING_JUNK_AFTER_STREAM_END";
    return error;
  }

  /** A TransformStream over one pako engine (`compress`: Deflate, else Inflate) for `format`. */
  function codecStream(format, compress) {
    const pako = require("pako");
    const raw = format === "deflate-raw";
    const engine = compress ? new pako.Deflate({ raw, gzip: format === "gzip" }) : new pako.Inflate(raw ? { raw } : { windowBits: format === "gzip" ? 31 : 15 });
    let out = [];
    engine.onData = (chunk) => out.push(chunk);
    const emit = (controller) => {
      for (const chunk of out) controller.enqueue(chunk);
      out = [];
    };
    const check = () => {
      if (engine.err) throw zlibFailure(engine.err, engine.msg);
      if (!compress && engine.ended && engine.strm.avail_in > 0) throw trailingJunk();
    };
    return new streams.TransformStream({
      transform(chunk, controller) {
        const bytes = chunkBytes(chunk);
        if (!compress && engine.ended) {
          if (bytes.length > 0) throw trailingJunk();
          return;
        }
        // Inflate with a sync flush: what a chunk decompresses to is handed on now, not when 16 KiB are there.
        engine.push(bytes, compress ? 0 : 2);
        check();
        emit(controller);
      },
      flush(controller) {
        if (compress) engine.push(new Uint8Array(0), true);
        else if (!engine.ended) {
          engine.push(new Uint8Array(0), true);
          check();
          if (!engine.ended) throw zlibFailure(-5);
        }
        check();
        emit(controller);
      },
    });
  }

  /** CompressionStream and DecompressionStream: a pair of streams over the codec, named as Node names them. */
  function codecStreamClass(name, compress) {
    const Class = class {
      #stream;
      constructor(format) {
        this.#stream = codecStream(compressionFormat(format, name), compress);
      }
      get readable() {
        return this.#stream.readable;
      }
      get writable() {
        return this.#stream.writable;
      }
    };
    Object.defineProperty(Class, "name", { value: name, configurable: true });
    Object.defineProperty(Class.prototype, Symbol.toStringTag, { value: name, configurable: true });
    return Class;
  }
  const CompressionStream = codecStreamClass("CompressionStream", true);
  const DecompressionStream = codecStreamClass("DecompressionStream", false);
  compression = { CompressionStream, DecompressionStream };
  return compression;
}

module.exports = Object.assign({}, streams, { TextEncoderStream, TextDecoderStream });
for (const name of ["CompressionStream", "DecompressionStream"]) {
  Object.defineProperty(module.exports, name, {
    get() {
      return compressionClasses()[name];
    },
    set(value) {
      Object.defineProperty(module.exports, name, { value, writable: true, enumerable: true, configurable: true });
    },
    enumerable: true,
    configurable: true,
  });
}
