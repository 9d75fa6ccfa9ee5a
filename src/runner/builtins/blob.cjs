// Blob and File as Node has them (globals, and require("buffer").Blob/.File): immutable bytes with a MIME
// type. The bytes are one copy made at construction, kept in a private field: nothing can change them.
const concatBytes = require("./shared/concat-bytes.cjs");
const enumerableMembers = require("./shared/enumerable-members.cjs");
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function partBytes(part) {
  if (part instanceof ArrayBuffer) return new Uint8Array(part);
  if (ArrayBuffer.isView(part)) return new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
  return encoder.encode(String(part));
}

// The type as the spec keeps it: lower case, or "" when it has a character outside U+0020-U+007E.
function normalizedType(type) {
  const text = type === undefined ? "" : String(type);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return "";
  }
  return text.toLowerCase();
}

// slice()'s relative indices: negative from the end, clamped to [0, size].
function relative(index, size, fallback) {
  if (index === undefined) return fallback;
  const n = Math.trunc(Number(index)) || 0;
  return n < 0 ? Math.max(size + n, 0) : Math.min(n, size);
}

class Blob {
  #bytes;
  #type;
  constructor(sources, options) {
    if (sources === undefined) sources = [];
    if (sources === null || typeof sources !== "object" || typeof sources[Symbol.iterator] !== "function") {
      throw new TypeError('The "sources" argument must be a sequence');
    }
    const parts = [];
    for (const source of sources) parts.push(typeof source === "object" && source !== null && #bytes in source ? source.#bytes : partBytes(source));
    this.#bytes = concatBytes(parts);
    this.#type = normalizedType(options === null || options === undefined ? undefined : options.type);
  }
  get size() {
    return this.#bytes.length;
  }
  get type() {
    return this.#type;
  }
  slice(start, end, contentType) {
    const size = this.#bytes.length;
    const from = relative(start, size, 0);
    const to = relative(end, size, size);
    return new Blob([this.#bytes.subarray(from, Math.max(from, to))], { type: contentType });
  }
  arrayBuffer() {
    return Promise.resolve(this.#bytes.slice().buffer);
  }
  bytes() {
    return Promise.resolve(this.#bytes.slice());
  }
  text() {
    return Promise.resolve(decoder.decode(this.#bytes));
  }
  stream() {
    const bytes = this.#bytes.slice();
    return new ReadableStream({
      start(controller) {
        if (bytes.length > 0) controller.enqueue(bytes);
        controller.close();
      },
    });
  }
}
Object.defineProperty(Blob.prototype, Symbol.toStringTag, { value: "Blob", configurable: true });

class File extends Blob {
  #name;
  #lastModified;
  constructor(bits, name, options) {
    if (arguments.length < 2) throw new TypeError('The "fileBits" and "fileName" arguments are required');
    super(bits, options);
    const lastModified = options === null || options === undefined || options.lastModified === undefined ? Date.now() : Number(options.lastModified);
    this.#name = String(name);
    this.#lastModified = lastModified;
  }
  get name() {
    return this.#name;
  }
  get lastModified() {
    return this.#lastModified;
  }
}
Object.defineProperty(File.prototype, Symbol.toStringTag, { value: "File", configurable: true });

enumerableMembers(Blob);
enumerableMembers(File);

module.exports = { Blob, File };
