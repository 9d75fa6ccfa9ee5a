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

/** The target a map gives `subpath` ("." or "./x" for exports, "#x" for imports), or undefined when it gives none. */
export function matchPackageMap(map: unknown, subpath: string, kind: ResolutionKind, isExports: boolean): string | undefined {
  if (isExports && (typeof map === "string" || Array.isArray(map) || (isRecord(map) && !Object.keys(map).some((key) => key.startsWith("."))))) {
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
  // The longest pattern prefix wins (Node's PATTERN_KEY_COMPARE).
  let best: string | undefined;
  let bestMatch = "";
  for (const key of Object.keys(map)) {
    const star = key.indexOf("*");
    if (star < 0 || key.indexOf("*", star + 1) >= 0) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (!subpath.startsWith(prefix) || subpath === prefix || subpath.length < key.length - 1 || !subpath.endsWith(suffix)) continue;
    if (best === undefined || prefix.length > best.indexOf("*") || (prefix.length === best.indexOf("*") && key.length > best.length)) {
      best = key;
      bestMatch = subpath.slice(prefix.length, subpath.length - suffix.length);
    }
  }
  return best === undefined ? undefined : target(map[best], bestMatch, conditions);
}

/** A target: a string (with `*` replaced), the first array entry that resolves, or a conditions object. null: excluded. */
function target(value: unknown, star: string, conditions: ReadonlySet<string>, depth = 0): string | null | undefined {
  if (depth > 32) return undefined;
  if (typeof value === "string") return value.split("*").join(star);
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
