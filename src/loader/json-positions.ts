import { fileIssue, locate, type ValidationIssue } from "./issues.js";

/**
 * Where things are in a JSON text, for messages a person reads: the first character that makes it invalid
 * (V8's JSON.parse names no position for "Unexpected token"), and where the values a few levels deep start
 * (a manifest's schema issue points at the offending key, not at 1:1). One linear pass with an explicit
 * stack, so hostile nesting costs neither recursion nor quadratic path copies.
 */

export type JsonPath = readonly (string | number)[];

export interface JsonScan {
  /** Offset of the first character that makes the text invalid JSON; undefined when it is valid. */
  errorOffset?: number;
  /** Where the value at `path` starts (an object member: at its key), for values at most `depth` levels deep. */
  startOf(path: JsonPath): number | undefined;
}

/**
 * A recorded value: where it starts, and its members (by key or index) when it is a container within the
 * recorded depth. A tree, not one map by the whole path's text: that text repeats every key above the member,
 * and a 256 KiB manifest of one 20,000-character key over an array of 100,000 elements made 100,000 keys of
 * 20 KB each (2 GB), all of one hash (V8 hashes a string of more than 16,383 characters by its length): the
 * host's main thread went quadratic for hours (red team dec10). Here each key is parsed once and kept once.
 */
interface Place {
  start?: number;
  members?: Map<string | number, Place>;
}

function memberOf(place: Place, key: string | number): Place {
  place.members ??= new Map();
  let member = place.members.get(key);
  if (!member) {
    member = {};
    place.members.set(key, member);
  }
  return member;
}

interface Frame {
  array: boolean;
  /** null below the recorded depth: nothing there is recorded. */
  place: Place | null;
  /** How many levels deep the container is (the top-level value: 0). */
  level: number;
  count: number;
}

const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

export function scanJson(text: string, depth = 0): JsonScan {
  const root: Place = {};
  const startOf = (path: JsonPath): number | undefined => {
    let place: Place | undefined = root;
    for (const key of path) place = place?.members?.get(key);
    return path.length === 0 ? undefined : place?.start;
  };
  const stack: Frame[] = [];
  const n = text.length;
  let i = 0;
  const skipSpace = (): void => {
    while (i < n && SPACE.has(text.charCodeAt(i))) i++;
  };
  /** Past a string starting at i; false (i at the fault) when it is not one. */
  const skipString = (): boolean => {
    if (text.charCodeAt(i) !== 0x22) return false;
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        ESCAPE.lastIndex = i;
        if (!ESCAPE.test(text)) {
          i++; // at the character that cannot follow the backslash, as V8 reports it
          return false;
        }
        i = ESCAPE.lastIndex;
      } else i++;
    }
    return false;
  };
  const skipScalar = (): boolean => {
    const c = text.charCodeAt(i);
    if (c === 0x22) return skipString();
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return true;
      }
    }
    return skipNumber();
  };
  const isDigit = (at: number): boolean => text.charCodeAt(at) >= 0x30 && text.charCodeAt(at) <= 0x39;
  /** -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?, failing at the character where a digit was due (as V8 does). */
  const skipNumber = (): boolean => {
    if (text.charCodeAt(i) === 0x2d) i++;
    if (!isDigit(i)) return false;
    if (text.charCodeAt(i) === 0x30) i++;
    else while (isDigit(i)) i++;
    if (text.charCodeAt(i) === 0x2e) {
      i++;
      if (!isDigit(i)) return false;
      while (isDigit(i)) i++;
    }
    if (text.charCodeAt(i) === 0x65 || text.charCodeAt(i) === 0x45) {
      i++;
      if (text.charCodeAt(i) === 0x2b || text.charCodeAt(i) === 0x2d) i++;
      if (!isDigit(i)) return false;
      while (isDigit(i)) i++;
    }
    return true;
  };
  /** The current value's place (null when it is not recorded) and level. */
  let place: Place | null = root;
  let level = 0;
  /** Where the current member starts: its key in an object, the value itself in an array. */
  let memberStart = 0;
  /** Moves to the next member's value: past the key and colon in an object. */
  const beginMember = (frame: Frame): boolean => {
    skipSpace();
    memberStart = i;
    level = frame.level + 1;
    const recorded = frame.place !== null && frame.level < depth ? frame.place : null;
    if (frame.array) {
      place = recorded && memberOf(recorded, frame.count);
      return true;
    }
    const keyStart = i;
    if (!skipString()) return false;
    place = recorded && memberOf(recorded, JSON.parse(text.slice(keyStart, i)) as string);
    skipSpace();
    if (text.charCodeAt(i) !== 0x3a) return false;
    i++;
    return true;
  };
  const fault = (): JsonScan => ({ errorOffset: Math.min(i, n), startOf });
  for (;;) {
    skipSpace();
    if (place && level > 0) place.start = memberStart;
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) {
      const frame: Frame = { array: c === 0x5b, place, level, count: 0 };
      i++;
      skipSpace();
      if (text.charCodeAt(i) !== (frame.array ? 0x5d : 0x7d)) {
        stack.push(frame);
        if (!beginMember(frame)) return fault();
        continue;
      }
      i++;
    } else if (!skipScalar()) return fault();
    // After a value: close what it ends, or move on to the next member.
    for (;;) {
      skipSpace();
      const frame = stack.at(-1);
      if (!frame) return i < n ? fault() : { startOf };
      const next = text.charCodeAt(i);
      if (next === (frame.array ? 0x5d : 0x7d)) {
        i++;
        stack.pop();
        continue;
      }
      if (next !== 0x2c) return fault();
      i++;
      frame.count++;
      if (!beginMember(frame)) return fault();
      break;
    }
  }
}

/** Line and column (both 1-based) of offsets in one text: the line starts found once, then a binary search. */
export function lineLocator(text: string): (offset: number) => { line: number; column: number } {
  const lineStarts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  return (offset) => {
    let [lo, hi] = [0, lineStarts.length - 1];
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };
}

/** Where JSON.parse failed on `text`: line and column (1-based) of the first character that makes it invalid. */
export function jsonErrorLocation(text: string): { line: number; column: number } {
  return locate(text, scanJson(text).errorOffset ?? text.length);
}

/** JSON.parse's message without the position it may append (" in JSON at position N (line L column C)"). */
export function jsonErrorMessage(error: unknown): string {
  return String((error as Error)?.message ?? error).replace(/ in JSON at position \d+(?: \(line \d+ column \d+\))?$/, "");
}

/**
 * A JSON text without the UTF-8 byte order mark it may start with (editors on Windows write one): Node's
 * `require` and `import` of a .json file skip it, so a module's JSON data and the hooks manifest do too.
 */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The issue of a JSON module that does not parse: JSON.parse's reason, at the place the text goes wrong. */
export function invalidJsonIssue(text: string, error: unknown): ValidationIssue {
  return fileIssue("syntax", `invalid JSON: ${jsonErrorMessage(error)}`, "error", jsonErrorLocation(text));
}

/** An object key written twice in one object: JSON.parse keeps the last value and drops the first without a word. */
export interface DuplicateJsonKey {
  /** The object's path and the key (array indexes as numbers). */
  path: (string | number)[];
  /** Where the second (and each later) spelling of the key starts. */
  offset: number;
}

/**
 * Every key written more than once in the same object of `text`, which must be valid JSON (call it after
 * JSON.parse succeeded), up to `max` of them. One linear pass with an explicit stack: for files a person
 * writes (a config), where a key given twice (`"tier"` in one tenant, `"tenants"` at the top) would otherwise
 * keep the last one silently.
 */
export function duplicateJsonKeys(text: string, max = 20): DuplicateJsonKey[] {
  const found: DuplicateJsonKey[] = [];
  interface Open {
    keys: Set<string> | null;
    index: number;
    /** The member being read: its key in an object, its index in an array. */
    member: string | number;
  }
  const stack: Open[] = [];
  const n = text.length;
  /** Whether the next string is an object's key (after its "{" or a ","). */
  let expectingKey = false;
  for (let i = 0; i < n && found.length < max; ) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // A string: a key when an object is open and a key is due (after "{" or ","), else a value.
      const start = i;
      let escaped = false;
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) {
          escaped = true;
          i += 2;
        } else if (d === 0x22) break;
        else i++;
      }
      i++;
      const top = stack.at(-1);
      if (top?.keys && expectingKey) {
        // Only a key with an escape needs decoding (a "t\u0069er" is "tier").
        const key = escaped ? (JSON.parse(text.slice(start, i)) as string) : text.slice(start + 1, i - 1);
        if (top.keys.has(key)) found.push({ path: [...stack.slice(0, -1).map((open) => open.member), key], offset: start });
        else top.keys.add(key);
        top.member = key;
        expectingKey = false;
      }
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      stack.push({ keys: c === 0x7b ? new Set() : null, index: 0, member: 0 });
      expectingKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
    } else if (c === 0x2c) {
      const top = stack.at(-1)!;
      if (top.keys) expectingKey = true;
      else top.member = ++top.index;
    }
    i++;
  }
  return found;
}
