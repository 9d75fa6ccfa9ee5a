// The maintained pure-JS Buffer (feross/buffer); its Uint8Arrays are charged like any ArrayBuffer.
// Node's "base64url" encoding (JWTs, webhook signatures) is added here: feross/buffer 6 lacks it. Its
// base64 decoder already reads the URL alphabet, so only encoding needs the URL alphabet without padding.
const mod = require("buffer/");
const { Buffer } = mod;

const isUrl = (encoding) => typeof encoding === "string" && encoding.toLowerCase() === "base64url";
// No regular expression: a tenant's RegExp.$1 stays its own, as with Node's native encoder.
function toUrl(base64) {
  let end = base64.length;
  while (end > 0 && base64.charCodeAt(end - 1) === 61) end--;
  return base64.slice(0, end).split("+").join("-").split("/").join("_");
}

const from = Buffer.from;
Buffer.from = function (value, encodingOrOffset, length) {
  return from.call(this, value, isUrl(encodingOrOffset) ? "base64" : encodingOrOffset, length);
};
const byteLength = Buffer.byteLength;
Buffer.byteLength = function (string, encoding) {
  return byteLength.call(this, string, isUrl(encoding) ? "base64" : encoding);
};
const isEncoding = Buffer.isEncoding;
Buffer.isEncoding = function (encoding) {
  return isUrl(encoding) || isEncoding.call(this, encoding);
};
const toString = Buffer.prototype.toString;
Buffer.prototype.toString = function (encoding, start, end) {
  if (isUrl(encoding)) return toUrl(toString.call(this, "base64", start, end));
  return toString.apply(this, arguments);
};
// feross/buffer made toLocaleString the same function as toString before this wrapper: it is again.
Buffer.prototype.toLocaleString = Buffer.prototype.toString;
const write = Buffer.prototype.write;
Buffer.prototype.write = function (string, offset, length, encoding) {
  const args = Array.prototype.slice.call(arguments);
  for (let i = 1; i < args.length; i++) if (isUrl(args[i])) args[i] = "base64";
  return write.apply(this, args);
};

// Node's per-encoding methods (undocumented, read by busboy and others): `latin1Slice(start, end)` is
// `toString("latin1", start, end)`, `latin1Write(string, offset, length)` is `write(string, offset, length, "latin1")`.
for (const encoding of ["latin1", "utf8", "hex", "base64", "base64url", "ascii", "ucs2"]) {
  Buffer.prototype[encoding + "Slice"] = function (start, end) {
    return this.toString(encoding, start, end);
  };
  Buffer.prototype[encoding + "Write"] = function (string, offset, length) {
    return this.write(string, offset === undefined ? 0 : offset, length === undefined ? this.length - (offset || 0) : length, encoding);
  };
}
// Node spells the unsigned BigInt methods both ways.
for (const name of ["readBigUInt64LE", "readBigUInt64BE", "writeBigUInt64LE", "writeBigUInt64BE"]) {
  if (Buffer.prototype[name]) Buffer.prototype[name.replace("UInt", "Uint")] = Buffer.prototype[name];
}

/** A copy of a typed array's bytes (`offset` and `length` in its elements), as Node's Buffer.copyBytesFrom. */
Buffer.copyBytesFrom = function (view, offset, length) {
  if (!ArrayBuffer.isView(view) || view instanceof DataView) throw new TypeError('The "view" argument must be an instance of TypedArray.');
  const size = view.BYTES_PER_ELEMENT;
  for (const [name, value] of [["offset", offset], ["length", length]]) {
    if (value !== undefined && (typeof value !== "number" || !(value >= 0) || value !== Math.floor(value))) {
      throw new RangeError(`The value of "${name}" is out of range. It must be >= 0 && <= ${Number.MAX_SAFE_INTEGER}. Received ${value}`);
    }
  }
  const start = Math.min(offset === undefined ? 0 : offset, view.length);
  const end = length === undefined ? view.length : Math.min(start + length, view.length);
  return Buffer.from(new Uint8Array(view.buffer, view.byteOffset + start * size, Math.max(0, end - start) * size));
};

const bytesOf = (input) => {
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  throw new TypeError('The "input" argument must be an instance of ArrayBuffer, Buffer, TypedArray, or DataView.');
};

/** Whether every byte is ASCII (below 0x80). */
mod.isAscii = function isAscii(input) {
  const bytes = bytesOf(input);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] > 0x7f) return false;
  return true;
};

/** Whether the bytes are well-formed UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF). */
mod.isUtf8 = function isUtf8(input) {
  const bytes = bytesOf(input);
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need;
    let min;
    let cp;
    if (b >= 0xc2 && b <= 0xdf) (need = 1), (min = 0x80), (cp = b & 0x1f);
    else if (b >= 0xe0 && b <= 0xef) (need = 2), (min = 0x800), (cp = b & 0x0f);
    else if (b >= 0xf0 && b <= 0xf4) (need = 3), (min = 0x10000), (cp = b & 0x07);
    else return false;
    if (i + need >= bytes.length) return false;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
};

/**
 * Node's buffer.transcode between its ICU encodings (utf8, ucs2/utf16le, latin1/binary, ascii), with ICU's
 * answers as Node gives them: what the target cannot hold becomes "?", what the source does not hold (bytes past
 * 0x7f in ascii, malformed UTF-8) U+FFFD; UTF-8 to UTF-16 and back is strict (an error for malformed input);
 * latin1 and ascii widen byte by byte to UTF-16.
 */
const TRANSCODINGS = { utf8: "utf8", "utf-8": "utf8", ucs2: "ucs2", "ucs-2": "ucs2", utf16le: "ucs2", "utf-16le": "ucs2", latin1: "latin1", binary: "latin1", ascii: "ascii" };
function transcodeError(code, errno) {
  const error = new Error("Unable to transcode Buffer [" + code + "]");
  error.code = code;
  error.errno = errno;
  return error;
}
mod.transcode = function transcode(source, fromEncoding, toEncoding) {
  if (!(source instanceof Uint8Array)) throw require("./shared/node-errors.cjs").invalidArgType("source", "an instance of Buffer or Uint8Array", source);
  if (source.length === 0) return Buffer.alloc(0);
  const name = (encoding) => {
    const key = String(encoding).toLowerCase();
    return Object.prototype.hasOwnProperty.call(TRANSCODINGS, key) ? TRANSCODINGS[key] : undefined;
  };
  const from = name(fromEncoding);
  const to = name(toEncoding);
  if (from === undefined || to === undefined) throw transcodeError("U_ILLEGAL_ARGUMENT_ERROR", 1);
  const bytes = source;
  if (to === "ucs2" && from !== "ucs2") {
    if (from !== "utf8") {
      const out = Buffer.alloc(bytes.length * 2);
      for (let i = 0; i < bytes.length; i++) out[2 * i] = bytes[i];
      return out;
    }
    if (!mod.isUtf8(bytes)) throw transcodeError("U_INVALID_CHAR_FOUND", 10);
    return Buffer.from(new TextDecoder().decode(bytes), "utf16le");
  }
  // The source as text (units of UTF-16), then the target's bytes.
  let text;
  if (from === "ucs2") {
    const units = bytes.length >> 1;
    if (to === "utf8") {
      // Strict: a lone surrogate is an error (a trailing odd byte is dropped).
      for (let i = 0; i < units; i++) {
        const c = bytes[2 * i] | (bytes[2 * i + 1] << 8);
        if (c >= 0xd800 && c <= 0xdbff) {
          const next = i + 1 < units ? bytes[2 * i + 2] | (bytes[2 * i + 3] << 8) : 0;
          if (next < 0xdc00 || next > 0xdfff) throw transcodeError("U_INVALID_CHAR_FOUND", 10);
          i++;
        } else if (c >= 0xdc00 && c <= 0xdfff) throw transcodeError("U_INVALID_CHAR_FOUND", 10);
      }
      return Buffer.from(Buffer.from(bytes.buffer, bytes.byteOffset, units * 2).toString("utf16le"), "utf8");
    }
    // Through ICU's UTF-16 decoder: a lone surrogate is U+FFFD; an odd last byte too (one with an unpaired high
    // surrogate before it), but a target of one byte per character drops it.
    const parts = [];
    let chunk = "";
    for (let i = 0; i < units; i++) {
      const c = bytes[2 * i] | (bytes[2 * i + 1] << 8);
      let unit = String.fromCharCode(c);
      if (c >= 0xd800 && c <= 0xdbff) {
        const next = i + 1 < units ? bytes[2 * i + 2] | (bytes[2 * i + 3] << 8) : -1;
        if (next >= 0xdc00 && next <= 0xdfff) {
          unit += String.fromCharCode(next);
          i++;
        } else unit = "\ufffd";
      } else if (c >= 0xdc00 && c <= 0xdfff) unit = "\ufffd";
      chunk += unit;
      if (chunk.length >= 8192) {
        parts.push(chunk);
        chunk = "";
      }
    }
    if (to === "ucs2" && bytes.length % 2 === 1) {
      const last = units > 0 ? bytes[2 * units - 2] | (bytes[2 * units - 1] << 8) : 0;
      // The unpaired high surrogate before the odd byte was already U+FFFD: one replacement for both.
      if (!(last >= 0xd800 && last <= 0xdbff)) chunk += "\ufffd";
    }
    parts.push(chunk);
    text = parts.join("");
  } else if (from === "utf8") text = new TextDecoder().decode(bytes);
  else {
    text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
    // ICU's US-ASCII decoder: a byte past 0x7f is U+FFFD.
    if (from === "ascii" && !mod.isAscii(bytes)) {
      let out = "";
      for (let i = 0; i < text.length; i++) out += text.charCodeAt(i) > 0x7f ? "\ufffd" : text[i];
      text = out;
    }
  }
  if (to === "utf8" || to === "ucs2") return Buffer.from(text, to === "utf8" ? "utf8" : "utf16le");
  // One byte per code point; "?" for what the target has not.
  const max = to === "ascii" ? 0x7f : 0xff;
  const out = Buffer.alloc(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    out[n++] = c > max ? 0x3f : c;
  }
  return out.subarray(0, n);
};

// V8's longest string on 64-bit machines, as Node reports it.
mod.kStringMaxLength = 536870888;
mod.constants = Object.freeze({ MAX_LENGTH: mod.kMaxLength, MAX_STRING_LENGTH: mod.kStringMaxLength });

// What Node's buffer module has beside Buffer: Blob and File (the realm's globals), atob and btoa. Blob and
// File are built when first read: every call that touches Buffer builds this module, few use a Blob.
for (const name of ["Blob", "File"]) {
  Object.defineProperty(mod, name, {
    enumerable: true,
    configurable: true,
    get() {
      return require("node:internal/blob")[name];
    },
  });
}
mod.atob = globalThis.atob;
mod.btoa = globalThis.btoa;

// Node's blob: URL registry (URL.createObjectURL) does not exist in the realm: no URL names a Blob.
mod.resolveObjectURL = function resolveObjectURL(url) {
  `${url}`;
  return undefined;
};

module.exports = mod;
