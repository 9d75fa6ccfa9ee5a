import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { sliceEnd } from "../text-slices.js";
import { JsonText } from "../runner/json-text.js";

/**
 * JSON of `body` with every JsonText (a tenant's value, as the sandbox serialized it) written in as it is: a
 * placeholder string stands in its place while the rest is serialized, then the text replaces it. The
 * placeholder holds a random token of this process, so no tenant string can be taken for one.
 */
export function withRawValues(body: unknown): string {
  return rawPieces(body).join("");
}

/**
 * The same JSON as pieces, in order: the body's own text between the values, and each value's text whole.
 * Joined they are withRawValues(body); nothing is copied into one string.
 */
export function rawPieces(body: unknown): string[] {
  const raws: string[] = [];
  const text = JSON.stringify(body, (_key, value: unknown) => (value instanceof JsonText ? RAW_MARK + (raws.push(value.text) - 1) : value));
  if (raws.length === 0) return [text];
  const pieces: string[] = [];
  let from = 0;
  for (const match of text.matchAll(RAW_PLACEHOLDER)) {
    pieces.push(text.slice(from, match.index), raws[Number(match[1])]!);
    from = match.index + match[0].length;
  }
  pieces.push(text.slice(from));
  return pieces;
}

/**
 * Bodies up to this many characters are sent as one string. A larger one (an event's 32 handlers may each
 * return an enterprise tenant's 5 MB) is streamed a slice at a time: joined and encoded in one go, 157 MB
 * held the host's main thread for 250-320 ms (red team dec07), and took twice its size in memory at once.
 */
export const STREAM_ABOVE_CHARS = 1024 * 1024;
/** Characters one streamed slice encodes: about a millisecond of the main thread. */
const SLICE_CHARS = 1024 * 1024;

/** What a reply sends for `body`: its JSON text, or a stream of its UTF-8 slices when it is large. */
export function rawBody(body: unknown): string | Readable {
  const pieces = rawPieces(body);
  let chars = 0;
  for (const piece of pieces) chars += piece.length;
  if (chars <= STREAM_ABOVE_CHARS) return pieces.join("");
  return Readable.from(utf8Slices(pieces), { objectMode: false });
}

/** Each piece as UTF-8 buffers of at most SLICE_CHARS characters, never cutting a surrogate pair. */
function* utf8Slices(pieces: string[]): Generator<Buffer> {
  for (const piece of pieces) {
    for (let at = 0; at < piece.length; ) {
      const end = sliceEnd(piece, at, SLICE_CHARS);
      yield Buffer.from(piece.slice(at, end), "utf8");
      at = end;
    }
  }
}

const RAW_MARK = `\u0000tenantbox-raw-${randomUUID()}-`;
/** RAW_MARK and its index as JSON.stringify writes them: a JSON string, its NUL escaped. */
const RAW_PLACEHOLDER = new RegExp(`${JSON.stringify(RAW_MARK).slice(0, -1).replace(/\\/g, "\\\\")}(\\d+)"`, "g");
