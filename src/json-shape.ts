/** What JSON text may hold before the host's main thread parses it (jsonShapeProblem). */
export interface JsonShapeLimits {
  /** Arrays and objects nested in one another. */
  maxDepth: number;
  /** Arrays, objects and the items and properties in them. */
  maxValues?: number;
  /** Arrays and objects. */
  maxContainers?: number;
  /** Object layouts: the distinct steps (a key after the keys before it) objects' properties were added in. */
  maxShapes?: number;
}

export type JsonShapeProblem = "depth" | "values" | "containers" | "shapes" | "keys";

/**
 * The longest object key V8 hashes by its characters (String::kMaxHashCalcLength). A longer string's hash is
 * its length alone, so keys of one length past it all collide where JSON.parse interns them: in the isolate's
 * string table, which keeps them until a full collection. Each such key is compared with every one of its
 * length interned before it, character by character (red team dec10: 100 tool calls of 60 keys of 17,000
 * characters, 1 MiB each, held the host's main thread 5-10 s per call, each parse slower than the last, up to
 * 1.3 s for one).
 */
export const MAX_JSON_KEY_LENGTH = 16_383;

/** 1 for the characters the scan acts on outside strings: `"` `,` `[` `]` `{` `}`. */
const STRUCTURAL = new Uint8Array(0x7e);
for (const c of '",[]{}') STRUCTURAL[c.charCodeAt(0)] = 1;

/**
 * Distinct next keys one layout may lead to before each further one counts every time it occurs. V8 keeps at
 * most about 1,536 transitions on one hidden class; past them, every object taking a step it has not kept gets
 * a hidden class of its own, however often the same step repeats (review: 1,600 distinct one-key objects and
 * then 63,900 copies of the last took 33-68 ms to parse, where 1,000 took 7-18).
 */
const FANOUT = 1000;

/** The key hash's seed: a tenant cannot pick keys whose layouts collide and so count as one. */
const SEED = (Math.random() * 2 ** 32) >>> 0;

/** The closing quote of the string whose text begins at `start`: one not escaped (an even run of backslashes before it); -1 if none. */
function stringEnd(json: string, start: number): number {
  let end = start - 1;
  for (;;) {
    end = json.indexOf('"', end + 1);
    if (end < 0) return -1;
    let slashes = 0;
    while (json.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
    if ((slashes & 1) === 0) return end;
  }
}

/** Whether the string between `start` and `end` (its quotes excluded) is longer than MAX_JSON_KEY_LENGTH as JSON.parse makes it: an escape is one character (\uXXXX: six written). */
function keyTooLong(json: string, start: number, end: number): boolean {
  if (end - start <= MAX_JSON_KEY_LENGTH) return false;
  let decoded = end - start;
  for (let k = json.indexOf("\\", start); k >= 0 && k < end; k = json.indexOf("\\", k)) {
    const written = json.charCodeAt(k + 1) === 0x75 ? 6 : 2;
    decoded -= written - 1;
    k += written;
  }
  return decoded > MAX_JSON_KEY_LENGTH;
}

/**
 * Whether JSON text holds an object key longer than MAX_JSON_KEY_LENGTH (one linear pass, strings skipped,
 * escapes honoured): for the texts the host's main thread parses that no other shape limit fits, a tenant's
 * package.json and tenantbox.json (review dec10: they reached JSON.parse unchecked, and each parse of such keys
 * was slower than the one before, as in red team dec10 H2). Text that is not JSON passes or fails here as it may.
 */
export function hasOverlongJsonKey(json: string): boolean {
  return jsonShapeProblem(json, { maxDepth: Infinity }) === "keys";
}

/**
 * What makes JSON text costly to parse on the host's main thread, found in one linear pass over its text
 * (strings skipped, escapes honoured) before anything parses it:
 * - nesting: JSON.parse of two million nested arrays took 450 ms, and a walk of what it builds, JSON.stringify
 *   included, overflows the stack past a few thousand levels;
 * - values: each array, object and item costs JSON.parse 20-60 ns (1 MiB of empty arrays, flat, took 20-50 ms
 *   where a 1 MiB string takes 1-2);
 * - layouts: every object whose keys come in a sequence not seen before makes V8 build a hidden class for each
 *   new key, about 0.55 us each (1 MiB of one-key objects with distinct keys took 52-89 ms), or, past its
 *   limits of fast properties and transitions, intern each new key into a dictionary, 0.2-0.4 us (one object of
 *   130,000 distinct keys took 26-62 ms). Each new step (a key after the keys before it) is counted, whatever
 *   the object's size; rows of one layout take the same steps, and count them once. Array-index keys ("17")
 *   are elements, not properties: not counted;
 * - keys of more than MAX_JSON_KEY_LENGTH characters: V8 hashes them by length alone.
 * Text that is not JSON passes or fails here as it may; its parse decides.
 */
export function jsonShapeProblem(json: string, limits: JsonShapeLimits): JsonShapeProblem | undefined {
  const { maxDepth } = limits;
  const maxValues = limits.maxValues ?? Infinity;
  const maxContainers = limits.maxContainers ?? Infinity;
  const maxShapes = limits.maxShapes ?? Infinity;
  const countShapes = maxShapes !== Infinity;
  let depth = 0;
  // Separators and openings outside strings: about one per value.
  let values = 0;
  let containers = 0;
  let shapes = 0;
  // Layouts: per open container, the layout an object's keys so far lead to (0: none yet), or -1 for an
  // array. A layout is the pair (the layout before, the key's hash).
  const layout: number[] = [];
  const transitions = countShapes ? new Map<number, number>() : undefined;
  const lastHash: number[] = [];
  const lastNext: number[] = [];
  /** Per layout, the distinct next keys it has led to (FANOUT). */
  const fanout: number[] = [];
  let expectKey = false;
  /** The innermost open container is an object (its next string after a comma is a key). Tracked whatever is counted: every key's length is checked. */
  let inObject = false;
  const length = json.length;
  for (let i = 0; i < length; i++) {
    const c = json.charCodeAt(i);
    // Most characters are none of the six that matter: one table look-up passes them.
    if (c > 0x7d || STRUCTURAL[c] === 0) continue;
    if (c === 0x22) {
      const start = i + 1;
      const end = stringEnd(json, start);
      if (end < 0) return undefined;
      i = end;
      if (!expectKey) continue;
      expectKey = false;
      if (keyTooLong(json, start, end)) return "keys";
      if (!countShapes) continue;
      let hash = SEED;
      // An array index: digits, no leading zero, below 2 ** 32 - 1 (ten digits at most, checked by value).
      let index = end > start && end - start <= 10 && (json.charCodeAt(start) !== 0x30 || end - start === 1);
      for (let k = start; k < end; k++) {
        const d = json.charCodeAt(k);
        if (d < 0x30 || d > 0x39) index = false;
        hash = Math.imul(hash ^ d, 0x01000193);
      }
      if (index && (end - start < 10 || Number(json.slice(start, end)) < 2 ** 32 - 1)) continue;
      hash >>>= 0;
      const top = layout.length - 1;
      const from = layout[top]!;
      // Rows of one layout take the same step from each layout: the last one taken is tried first.
      if (lastHash[from] === hash) {
        layout[top] = lastNext[from]!;
        continue;
      }
      const edge = from * 2 ** 32 + hash;
      let next = transitions!.get(edge);
      if (next === undefined) {
        if (++shapes > maxShapes) return "shapes";
        next = shapes;
        // Past FANOUT steps from one layout, a step is not kept: it counts again at each occurrence.
        if ((fanout[from] = (fanout[from] ?? 0) + 1) <= FANOUT) transitions!.set(edge, next);
        else {
          layout[top] = next;
          continue;
        }
      }
      lastHash[from] = hash;
      lastNext[from] = next;
      layout[top] = next;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return "depth";
      if (++values > maxValues) return "values";
      if (++containers > maxContainers) return "containers";
      // Which strings are keys is tracked whatever is counted: every key's length is checked.
      layout.push(c === 0x7b ? 0 : -1);
      inObject = expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      layout.pop();
      expectKey = false;
      inObject = layout.length > 0 && layout[layout.length - 1]! >= 0;
    } else if (c === 0x2c) {
      if (++values > maxValues) return "values";
      expectKey = inObject;
    }
  }
  return undefined;
}
