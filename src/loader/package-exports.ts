/**
 * A package.json's `exports` and `imports` maps, matched as Node matches them (subpaths, `*` patterns,
 * nested conditions in the package's own key order, arrays of fallbacks, null for "not exported").
 *
 * Which conditions count (CONDITIONS): Node's own ("node", then "require" or "import" by who loads it,
 * "module-sync" for both (Node 22.10+: require() of an ES module is synchronous), "default"), as the realm has Node's globals and the built-in modules library
 * code needs (builtins.ts). Browser and worker builds come only when nothing else matches: measured on
 * popular packages, they reach for `self`, `window` and DOM globals more often than Node builds reach for
 * a built-in the realm lacks (and those load as placeholders in library code: builtins.ts).
 */
export type ResolutionKind = "require" | "import";

const CONDITIONS: Record<ResolutionKind, ReadonlySet<string>[]> = {
  require: [new Set(["node", "require", "module-sync", "default"]), new Set(["node", "require", "module-sync", "default", "worker", "browser"])],
  import: [new Set(["node", "import", "module-sync", "default"]), new Set(["node", "import", "module-sync", "default", "worker", "browser"])],
};

/**
 * A map's keys read once per parsed package.json (these run on the host's main thread, once per
 * resolution: a 1 MiB map of 44,000 pattern keys scanned on every require stalled the host for seconds):
 * whether it is a subpath map, and its patterns, longest prefix first as Node orders them. Patterns past
 * MAX_PATTERNS, or past MAX_PATTERN_CHARS of keys in all, are not used.
 */
interface MapIndex {
  subpaths: boolean;
  patterns: { key: string; prefix: string; suffix: string }[];
}
const MAX_PATTERNS = 256;
/**
 * The characters of all the patterns' keys a map may use: each specifier is compared with every pattern's
 * prefix and suffix. 256 patterns of 3,900-character prefixes, nearly matched by 1,200 specifiers as long,
 * cost the host's main thread 8 ms per specifier, 10 s per graph (fifth red-team round). Real maps have a
 * few patterns of a few dozen characters.
 */
const MAX_PATTERN_CHARS = 16 * 1024;
/** What a target may expand to ("*" replaced by the matched part): about a path's length, not 80 million characters. */
const MAX_TARGET_LENGTH = 4096;
const indexes = new WeakMap<object, MapIndex>();

function indexOf(map: Record<string, unknown>): MapIndex {
  let index = indexes.get(map);
  if (!index) {
    const keys = Object.keys(map);
    const patterns: MapIndex["patterns"] = [];
    let chars = 0;
    for (const key of keys) {
      const star = key.indexOf("*");
      if (star < 0 || key.indexOf("*", star + 1) >= 0) continue;
      chars += key.length;
      if (chars > MAX_PATTERN_CHARS) break;
      patterns.push({ key, prefix: key.slice(0, star), suffix: key.slice(star + 1) });
      if (patterns.length === MAX_PATTERNS) break;
    }
    // The longest pattern prefix wins, then the longer key (Node's PATTERN_KEY_COMPARE).
    patterns.sort((a, b) => b.prefix.length - a.prefix.length || b.key.length - a.key.length);
    index = { subpaths: keys.some((key) => key.startsWith(".")), patterns };
    indexes.set(map, index);
  }
  return index;
}

/**
 * Nodes one target of a map may have (strings, nulls, array entries, conditions, at any depth): matching
 * walks a target's fallbacks and conditions one by one on the host's main thread, for every new specifier,
 * so its breadth bounds the work. A fallback array of 125,000 entries that resolve nothing ({} or
 * {"x": 0}) in front of one that does cost 14 ms per specifier, seconds per graph (third red-team round).
 * Real maps give a target a handful of conditions and at most two or three fallbacks.
 */
export const MAX_TARGET_NODES = 256;

/** A parsed map, checked once: roughly its size as JSON (what a cache charges for it), or why it is refused. */
export interface MapCheck {
  bytes: number;
  refused?: string;
}

/**
 * Checks a parsed `exports` (isExports) or `imports` map once, when its package.json is parsed: every
 * target within MAX_TARGET_NODES. A map over it is refused as a whole, as Node refuses an invalid one.
 * Linear in the map's size (which its package.json's size bounds); matching afterwards visits at most
 * MAX_TARGET_NODES nodes per condition set.
 */
export function checkPackageMap(map: unknown, isExports: boolean): MapCheck {
  const field = isExports ? "exports" : "imports";
  let bytes = 0;
  const targets: unknown[] = [];
  if (isExports && (typeof map === "string" || Array.isArray(map) || (isRecord(map) && !indexOf(map).subpaths))) targets.push(map);
  else if (isRecord(map)) {
    for (const key of Object.keys(map)) {
      bytes += key.length + 4;
      targets.push(map[key]);
    }
  }
  for (const start of targets) {
    let nodes = 1;
    const stack = [start];
    while (stack.length) {
      const value = stack.pop();
      bytes += 2;
      if (typeof value === "string") bytes += value.length + 1;
      if (!isRecord(value) && !Array.isArray(value)) continue;
      const keys = Array.isArray(value) ? undefined : Object.keys(value);
      nodes += keys ? keys.length : (value as unknown[]).length;
      if (nodes > MAX_TARGET_NODES) return { bytes, refused: `its "${field}" map has a target of more than ${MAX_TARGET_NODES} fallbacks and conditions` };
      if (!keys) for (const entry of value as unknown[]) stack.push(entry);
      else {
        for (const key of keys) {
          bytes += key.length + 4;
          stack.push((value as Record<string, unknown>)[key]);
        }
      }
    }
  }
  return { bytes };
}

/**
 * The target a map gives `subpath` ("." or "./x" for exports, "#x" for imports), or undefined when it gives
 * none. `map` passed checkPackageMap when its package.json was parsed: the walk is bounded by MAX_TARGET_NODES.
 */
export function matchPackageMap(map: unknown, subpath: string, kind: ResolutionKind, isExports: boolean): string | undefined {
  if (isExports && (typeof map === "string" || Array.isArray(map) || (isRecord(map) && !indexOf(map).subpaths))) {
    map = { ".": map };
  }
  if (!isRecord(map)) return undefined;
  for (const conditions of CONDITIONS[kind]) {
    const found = matchIn(map, subpath, conditions);
    if (found !== undefined) return found ?? undefined;
  }
  return undefined;
}

function matchIn(map: Record<string, unknown>, subpath: string, conditions: ReadonlySet<string>): string | null | undefined {
  if (Object.hasOwn(map, subpath) && !subpath.includes("*")) return target(map[subpath], "", conditions);
  for (const { key, prefix, suffix } of indexOf(map).patterns) {
    // Lengths first; then whole-string comparisons (memcmp-fast), not startsWith/endsWith (a character at a time).
    if (subpath.length < key.length - 1 || subpath === prefix || subpath.slice(0, prefix.length) !== prefix || subpath.slice(subpath.length - suffix.length) !== suffix) continue;
    return target(map[key], subpath.slice(prefix.length, subpath.length - suffix.length), conditions);
  }
  return undefined;
}

/** A target: a string (with `*` replaced), the first array entry that resolves, or a conditions object. null: excluded. */
function target(value: unknown, star: string, conditions: ReadonlySet<string>, depth = 0): string | null | undefined {
  if (depth > 32) return undefined;
  if (typeof value === "string") {
    // Measured before it is built: the expansion of many "*" by a long match is refused, not allocated.
    const stars = value.length - value.replaceAll("*", "").length;
    if (value.length - stars + stars * star.length > MAX_TARGET_LENGTH) return undefined;
    return value.split("*").join(star);
  }
  if (value === null) return null;
  if (Array.isArray(value)) {
    for (const entry of value) {
      const found = target(entry, star, conditions, depth + 1);
      if (typeof found === "string") return found;
    }
    return undefined;
  }
  if (isRecord(value)) {
    for (const [condition, next] of Object.entries(value)) {
      if (!conditions.has(condition)) continue;
      const found = target(next, star, conditions, depth + 1);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
