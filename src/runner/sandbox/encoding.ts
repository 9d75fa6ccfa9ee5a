import type { Primordials } from "./primordials.js";
import { singleByteEncodings } from "./single-byte-encodings.js";

/** TextEncoder/TextDecoder (UTF-8) and atob/btoa, written in the sandbox realm. */
export function installEncoding(g: typeof globalThis, P: Primordials, chargeBuffer: (bytes: number) => void, step: () => void) {
  // These loops are the realm's own code, without the guards the transform gives tenant code: each takes a
  // step (main.ts: the invocation's clock every 65,536, one count for every loop and call), so a 64 MB decode
  // ends at the time limit as a tenant loop does, not at the hard stop (8 MB of UTF-16 took 1.2 s, past a 1 s
  // limit, and was answered); a count per call let a loop of calls just under it read the clock only through
  // its own guard, every 127 calls (btoa of 196,607 characters: 0.1 s late).
  const define = (name: string, value: unknown) =>
    P.ObjectDefineProperty(g, name, { value, writable: true, configurable: true, enumerable: false });

  function utf8Encode(input: string): Uint8Array {
    const bytes: number[] = [];
    // A step per code point, not a check of i, which skips the second half of a surrogate pair (of all-astral
    // text an index check never matched: 16 Mi units of emoji ran to the hard stop).
    for (let i = 0; i < input.length; i++) {
      step();
      let cp = P.StringPrototypeCodePointAt(input, i)!;
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
      if (cp > 0xffff) i++;
      if (cp < 0x80) bytes[bytes.length] = cp;
      else if (cp < 0x800) {
        bytes[bytes.length] = 0xc0 | (cp >> 6);
        bytes[bytes.length] = 0x80 | (cp & 63);
      } else if (cp < 0x10000) {
        bytes[bytes.length] = 0xe0 | (cp >> 12);
        bytes[bytes.length] = 0x80 | ((cp >> 6) & 63);
        bytes[bytes.length] = 0x80 | (cp & 63);
      } else {
        bytes[bytes.length] = 0xf0 | (cp >> 18);
        bytes[bytes.length] = 0x80 | ((cp >> 12) & 63);
        bytes[bytes.length] = 0x80 | ((cp >> 6) & 63);
        bytes[bytes.length] = 0x80 | (cp & 63);
      }
    }
    chargeBuffer(bytes.length);
    const out = new P.Uint8Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) {
      step();
      out[i] = bytes[i]!;
    }
    return out;
  }

  /** Node's error for what a fatal decoder cannot decode. */
  function invalidData(encoding: string): Error {
    const error = new P.TypeError("The encoded data was not valid for encoding " + encoding);
    (error as { code?: string }).code = "ERR_ENCODING_INVALID_ENCODED_DATA";
    return error;
  }

  /**
   * UTF-8 as the WHATWG decoder reads it: a malformed sequence is one U+FFFD for its longest valid start (its
   * "maximal subpart": E9 80 then FF is two, not three), the byte that broke it read again.
   */
  function utf8Decode(bytes: Uint8Array, fatal: boolean, stream = false): string {
    let out = "";
    utf8Tail = 0;
    let needed = 0;
    let seen = 0;
    let cp = 0;
    let lower = 0x80;
    let upper = 0xbf;
    const bad = () => {
      if (fatal) throw invalidData("utf-8");
      out += "\ufffd";
    };
    for (let i = 0; i < bytes.length; i++) {
      step();
      const b = bytes[i]!;
      if (needed === 0) {
        if (b < 0x80) out += P.StringFromCharCode(b);
        else if (b >= 0xc2 && b <= 0xdf) {
          needed = 1;
          cp = b & 0x1f;
        } else if (b >= 0xe0 && b <= 0xef) {
          if (b === 0xe0) lower = 0xa0;
          if (b === 0xed) upper = 0x9f;
          needed = 2;
          cp = b & 0xf;
        } else if (b >= 0xf0 && b <= 0xf4) {
          if (b === 0xf0) lower = 0x90;
          if (b === 0xf4) upper = 0x8f;
          needed = 3;
          cp = b & 7;
        } else bad();
        continue;
      }
      if (b < lower || b > upper) {
        needed = seen = cp = 0;
        lower = 0x80;
        upper = 0xbf;
        bad();
        // Read again as the start of what follows (at most once: it is a lead byte now).
        i--;
        continue;
      }
      lower = 0x80;
      upper = 0xbf;
      cp = (cp << 6) | (b & 0x3f);
      if (++seen !== needed) continue;
      if (cp > 0xffff) {
        cp -= 0x10000;
        out += P.StringFromCharCode(0xd800 + (cp >> 10), 0xdc00 + (cp & 1023));
      } else out += P.StringFromCharCode(cp);
      needed = seen = cp = 0;
    }
    // A sequence valid so far that the bytes end inside: kept for the next chunk of a stream.
    if (needed !== 0) {
      if (stream) utf8Tail = seen + 1;
      else bad();
    }
    return out;
  }
  /** How many bytes at the end of the last streamed utf8Decode begin a character not complete yet. */
  let utf8Tail = 0;

  class TextEncoder {
    get encoding() {
      return "utf-8";
    }
    encode(input: unknown = "") {
      return utf8Encode(P.String(input));
    }
    /** As many whole code points of `source` as fit into `destination`, as UTF-8: what was read (UTF-16 units) and written. */
    encodeInto(source: unknown, destination: unknown) {
      if (P.TypedArrayTag(destination) !== "Uint8Array") throw new P.TypeError('The "dest" argument must be an instance of Uint8Array.');
      const input = P.String(source);
      const out = destination as Uint8Array;
      const room = P.TypedArrayLength(out);
      let read = 0;
      let written = 0;
      while (read < input.length) {
        step();
        let cp = P.StringPrototypeCodePointAt(input, read)!;
        if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
        const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (written + size > room) break;
        if (size === 1) out[written] = cp;
        else if (size === 2) {
          out[written] = 0xc0 | (cp >> 6);
          out[written + 1] = 0x80 | (cp & 63);
        } else if (size === 3) {
          out[written] = 0xe0 | (cp >> 12);
          out[written + 1] = 0x80 | ((cp >> 6) & 63);
          out[written + 2] = 0x80 | (cp & 63);
        } else {
          out[written] = 0xf0 | (cp >> 18);
          out[written + 1] = 0x80 | ((cp >> 12) & 63);
          out[written + 2] = 0x80 | ((cp >> 6) & 63);
          out[written + 3] = 0x80 | (cp & 63);
        }
        written += size;
        read += size === 4 ? 2 : 1;
      }
      return { read, written };
    }
  }

  /** The `i`th UTF-16 code unit of `bytes`. */
  const utf16Unit = (bytes: Uint8Array, i: number, bigEndian: boolean) =>
    bigEndian ? (bytes[2 * i]! << 8) | bytes[2 * i + 1]! : (bytes[2 * i + 1]! << 8) | bytes[2 * i]!;

  /**
   * UTF-16, little- or big-endian: surrogate pairs joined, an unpaired surrogate or a lone trailing byte
   * U+FFFD (a TypeError when fatal), as the WHATWG decoder does.
   */
  function utf16Decode(bytes: Uint8Array, bigEndian: boolean, fatal: boolean): string {
    let out = "";
    const units = bytes.length >> 1;
    const unit = (i: number) => utf16Unit(bytes, i, bigEndian);
    const bad = () => {
      if (fatal) throw invalidData("utf-16" + (bigEndian ? "be" : "le"));
      out += "\ufffd";
    };
    // A step per unit read, not a check of i, which skips a pair's low surrogate (see utf8Encode).
    for (let i = 0; i < units; i++) {
      step();
      const c = unit(i);
      if (c >= 0xd800 && c <= 0xdbff) {
        const next = i + 1 < units ? unit(i + 1) : -1;
        if (next >= 0xdc00 && next <= 0xdfff) {
          out += P.StringFromCharCode(c, next);
          i++;
        } else bad();
      } else if (c >= 0xdc00 && c <= 0xdfff) bad();
      else out += P.StringFromCharCode(c);
    }
    if (bytes.length % 2 === 1) bad();
    return out;
  }

  /** How many bytes at the end of UTF-16 `bytes` begin a character not complete yet (kept for a stream's next chunk). */
  function utf16Tail(bytes: Uint8Array, bigEndian: boolean): number {
    const n = bytes.length;
    let tail = n % 2;
    const units = (n - tail) >> 1;
    if (units > 0) {
      const last = utf16Unit(bytes, units - 1, bigEndian);
      if (last >= 0xd800 && last <= 0xdbff) tail += 2;
    }
    return tail;
  }

  // windows-1252 (the WHATWG decoder behind latin1, iso-8859-1, ascii and us-ascii): bytes 0x80-0x9F.
  const CP1252 = [0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178];
  function windows1252Decode(bytes: Uint8Array): string {
    let out = "";
    for (let i = 0; i < bytes.length; i++) {
      step();
      const b = bytes[i]!;
      out += P.StringFromCharCode(b >= 0x80 && b < 0xa0 ? CP1252[b - 0x80]! : b);
    }
    return out;
  }

  /**
   * A single-byte encoding other than windows-1252 (single-byte-encodings.ts): `high` holds the characters of the
   * bytes 0x80-0xFF, U+FFFD for a byte that maps to none (an error when fatal).
   */
  function singleByteDecode(bytes: Uint8Array, high: string, name: string, fatal: boolean): string {
    let out = "";
    for (let i = 0; i < bytes.length; i++) {
      step();
      const b = bytes[i]!;
      if (b < 0x80) out += P.StringFromCharCode(b);
      else {
        const c = high[b - 0x80]!;
        if (fatal && c === "\ufffd") throw invalidData(name);
        out += c;
      }
    }
    return out;
  }
  /** The single-byte encodings' labels -> [name, high], read from their tables the first time one is asked for. */
  let singleByteLabels: Record<string, [string, string]> | undefined;
  function singleByteEncoding(label: string): [string, string] | undefined {
    if (singleByteLabels === undefined) {
      const labels = P.ObjectCreate(null) as Record<string, [string, string]>;
      const tables = singleByteEncodings();
      const names = P.ObjectKeys(tables);
      for (let i = 0; i < names.length; i++) {
        const [list, high] = tables[names[i]!]!;
        const each = P.StringPrototypeSplit(list, " ");
        for (let k = 0; k < each.length; k++) labels[each[k]!] = [names[i]!, high];
      }
      singleByteLabels = labels;
    }
    return P.ObjectHasOwn(singleByteLabels, label) ? singleByteLabels[label] : undefined;
  }

  /** WHATWG labels of the encodings the realm decodes -> their names. */
  const LABELS: Record<string, string> = {
    "unicode-1-1-utf-8": "utf-8",
    "unicode11utf8": "utf-8",
    "unicode20utf8": "utf-8",
    "utf-8": "utf-8",
    utf8: "utf-8",
    "x-unicode20utf8": "utf-8",
    csunicode: "utf-16le",
    "iso-10646-ucs-2": "utf-16le",
    "ucs-2": "utf-16le",
    ucs2: "utf-16le",
    unicode: "utf-16le",
    unicodefeff: "utf-16le",
    "utf-16": "utf-16le",
    "utf-16le": "utf-16le",
    unicodefffe: "utf-16be",
    "utf-16be": "utf-16be",
    "ansi_x3.4-1968": "windows-1252",
    ascii: "windows-1252",
    cp1252: "windows-1252",
    cp819: "windows-1252",
    csisolatin1: "windows-1252",
    ibm819: "windows-1252",
    "iso-8859-1": "windows-1252",
    "iso-ir-100": "windows-1252",
    "iso8859-1": "windows-1252",
    iso88591: "windows-1252",
    "iso_8859-1": "windows-1252",
    "iso_8859-1:1987": "windows-1252",
    l1: "windows-1252",
    latin1: "windows-1252",
    "us-ascii": "windows-1252",
    "windows-1252": "windows-1252",
    "x-cp1252": "windows-1252",
  };
  /** A label without the ASCII whitespace around it, lower-cased (WHATWG "get an encoding"). */
  function labelOf(label: unknown): string {
    const text = P.String(label);
    let start = 0;
    let end = text.length;
    const space = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
    // Tenant text of any length: the clock is read here too.
    while (start < end && space(P.StringPrototypeCharCodeAt(text, start))) {
      step();
      start++;
    }
    while (end > start && space(P.StringPrototypeCharCodeAt(text, end - 1))) {
      step();
      end--;
    }
    return P.StringPrototypeToLowerCase(P.StringPrototypeSlice(text, start, end));
  }

  class TextDecoder {
    #fatal: boolean;
    #ignoreBOM: boolean;
    #encoding: string;
    /** A single-byte encoding's characters of 0x80-0xFF (but windows-1252's, which decodes on its own). */
    #high: string | undefined;
    /** Bytes of a character a streamed chunk ended inside, and whether the stream's start (its BOM) is behind. */
    #pending: Uint8Array | undefined;
    #started = false;
    constructor(label: unknown = "utf-8", options?: { fatal?: unknown; ignoreBOM?: unknown }) {
      const name = labelOf(label);
      let encoding = P.ObjectHasOwn(LABELS, name) ? LABELS[name] : undefined;
      if (encoding === undefined) {
        const single = singleByteEncoding(name);
        if (single === undefined) {
          // The WHATWG "replacement" encoding's labels: Node names that encoding in its refusal.
          const shown = name === "csiso2022kr" || name === "hz-gb-2312" || name === "iso-2022-cn" || name === "iso-2022-cn-ext" || name === "iso-2022-kr" ? "replacement" : name;
          const error = new P.RangeError('The "' + shown + '" encoding is not supported');
          (error as { code?: string }).code = "ERR_ENCODING_NOT_SUPPORTED";
          throw error;
        }
        encoding = single[0];
        this.#high = single[1];
      }
      this.#encoding = encoding;
      this.#fatal = !!(options && options.fatal);
      this.#ignoreBOM = !!(options && options.ignoreBOM);
    }
    get encoding() {
      return this.#encoding;
    }
    get fatal() {
      return this.#fatal;
    }
    get ignoreBOM() {
      return this.#ignoreBOM;
    }
    decode(input?: ArrayBuffer | ArrayBufferView, options?: { stream?: unknown }) {
      const stream = !!(options && options.stream);
      let bytes: Uint8Array;
      if (input === undefined) bytes = new P.Uint8Array(0);
      else if (input instanceof P.ArrayBuffer) bytes = new P.Uint8Array(input);
      else if (input && typeof input === "object" && "buffer" in input && input.buffer instanceof P.ArrayBuffer) {
        bytes = new P.Uint8Array(input.buffer, input.byteOffset, input.byteLength);
      } else throw new P.TypeError("The input must be an ArrayBuffer or a view of one");
      const pending = this.#pending;
      if (pending !== undefined) {
        // Copied natively (the realm's frozen TypedArray set): a big chunk costs no unguarded loop here.
        const joined = new P.Uint8Array(pending.length + bytes.length);
        joined.set(pending);
        joined.set(bytes, pending.length);
        bytes = joined;
        this.#pending = undefined;
      }
      const encoding = this.#encoding;
      const high = this.#high;
      let text: string;
      let tail = 0;
      if (encoding === "utf-8") {
        text = utf8Decode(bytes, this.#fatal, stream);
        tail = utf8Tail;
      } else if (high !== undefined) text = singleByteDecode(bytes, high, encoding, this.#fatal);
      else if (encoding === "windows-1252") text = windows1252Decode(bytes);
      else {
        if (stream) tail = utf16Tail(bytes, encoding === "utf-16be");
        text = utf16Decode(tail > 0 ? bytes.subarray(0, bytes.length - tail) : bytes, encoding === "utf-16be", this.#fatal);
      }
      // What a streamed chunk ended inside waits for the next chunk (UTF-8 read it already, without a character).
      if (tail > 0) this.#pending = new P.Uint8Array(bytes.subarray(bytes.length - tail));
      // The BOM only at the start of a stream (each call that does not stream is a stream of its own).
      if (!this.#started && text.length > 0) {
        if (!this.#ignoreBOM && P.StringPrototypeCharCodeAt(text, 0) === 0xfeff) text = P.StringPrototypeSlice(text, 1);
        this.#started = true;
      }
      if (!stream) this.#started = false;
      return text;
    }
  }

  const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  function btoa(input: unknown) {
    const s = P.String(input);
    let out = "";
    for (let i = 0; i < s.length; i += 3) {
      step();
      const a = P.StringPrototypeCharCodeAt(s, i);
      const b = i + 1 < s.length ? P.StringPrototypeCharCodeAt(s, i + 1) : -1;
      const c = i + 2 < s.length ? P.StringPrototypeCharCodeAt(s, i + 2) : -1;
      if (a > 255 || b > 255 || c > 255) throw new P.Error("Invalid character");
      const n = (a << 16) | ((b < 0 ? 0 : b) << 8) | (c < 0 ? 0 : c);
      out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
      out += b < 0 ? "=" : ALPHABET[(n >> 6) & 63]!;
      out += c < 0 ? "=" : ALPHABET[n & 63]!;
    }
    return out;
  }

  function atob(input: unknown) {
    let s = P.StringPrototypeReplace(P.String(input), /[\t\n\f\r ]/g, "");
    if (s.length % 4 === 0) s = P.StringPrototypeReplace(s, /==?$/, "");
    if (s.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(s)) throw new P.Error("The string to be decoded is not correctly encoded.");
    let out = "";
    let buffer = 0;
    let bits = 0;
    for (let i = 0; i < s.length; i++) {
      step();
      buffer = (buffer << 6) | P.StringPrototypeIndexOf(ALPHABET, s[i]!);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out += P.StringFromCharCode((buffer >> bits) & 255);
      }
    }
    return out;
  }

  define("TextEncoder", TextEncoder);
  define("TextDecoder", TextDecoder);
  define("btoa", btoa);
  define("atob", atob);
}
