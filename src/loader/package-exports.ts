/**
 * A package.json's `exports` and `imports` maps, matched as Node matches them (subpaths, `*` patterns,
 * nested conditions in the package's own key order, arrays of fallbacks, null for "not exported").
 *
 * Which conditions count (CONDITIONS): Node's own ("node", then "require" or "import" by who loads it,
 * "module-sync" for imports, "default"), as the realm has Node's globals and the built-in modules library
 * code needs (builtins.ts). Browser and worker builds come only when nothing else matches: measured on
 * popular packages, they reach for `self`, `window` and DOM globals more often than Node builds reach for
 * a built-in the realm lacks (and those load as placeholders in library code: builtins.ts).
 */
export type ResolutionKind = "require" | "import";

const CONDITIONS: Record<ResolutionKind, ReadonlySet<string>[]> = {
  require: [new Set(["node", "require", "default"]), new Set(["node", "require", "default", "worker", "browser"])],
  import: [new Set(["node", "import", "module-sync", "default"]), new Set(["node", "import", "module-sync", "default", "worker", "browser"])],
};

/**
 * A map's keys read once per parsed package.json (these run on the host's main thread, once per
 * resolution: a 1 MiB map of 44,000 pattern keys scanned on every require stalled the host for seconds):
 * whether it is a subpath map, and its patterns, longest prefix first as Node orders them. Patterns past
 * MAX_PATTERNS are not used.
 */
interface MapIndex {
  subpaths: boolean;
  patterns: { key: string; prefix: string; suffix: string }[];
}
const MAX_PATTERNS = 256;
/** What a target may expand to ("*" replaced by the matched part): about a path's length, not 80 million characters. */
const MAX_TARGET_LENGTH = 4096;
const indexes = new WeakMap<object, MapIndex>();

function indexOf(map: Record<string, unknown>): MapIndex {
  let index = indexes.get(map);
  if (!index) {
    const keys = Object.keys(map);
    const patterns: MapIndex["patterns"] = [];
    for (const key of keys) {
      const star = key.indexOf("*");
      if (star < 0 || key.indexOf("*", star + 1) >= 0) continue;
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

/** The target a map gives `subpath` ("." or "./x" for exports, "#x" for imports), or undefined when it gives none. */
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
    if (!subpath.startsWith(prefix) || subpath === prefix || subpath.length < key.length - 1 || !subpath.endsWith(suffix)) continue;
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
