import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { RuntimeError } from "../errors.js";
import { LEVEL_DEFAULTS, type SecurityLevel } from "../security-levels.js";
import type { ValidationIssue } from "./issues.js";
import { resolveSpecifier, ResolveFailure, realInside } from "./resolve.js";
import { transformModule } from "./transform.js";
import { checkModule, TOO_DEEP } from "./validate.js";
import { staticExports, type StaticExports } from "./exports.js";
import { scoreModule, type ScoreReport } from "./scoring.js";

/** One module as the worker needs it: compiled from `wrapper` once per `hash`, run fresh per call. */
export interface ModuleRecord {
  /** Path relative to the tenant folder, with forward slashes: the only name the tenant ever sees. */
  id: string;
  format: "esm" | "cjs" | "json";
  /** Content hash of what runs (wrapper text and its file name): the version. */
  hash: string;
  /** Function-expression source for esm/cjs; the JSON text for json. */
  source: string;
  /** Specifier -> module id, or the reason it cannot load (thrown when the tenant requires it). */
  deps: Record<string, { id: string } | { error: string }>;
  warnings: ValidationIssue[];
}

export interface ModuleGraph {
  entry: string;
  modules: ModuleRecord[];
}

interface CachedVersion {
  format: ModuleRecord["format"];
  hash: string;
  source: string;
  specifiers: string[];
  exports: StaticExports;
  warnings: ValidationIssue[];
  rejection?: ValidationIssue[];
  /** Set when the scoring gate blocks this version: it validates, but it does not run. */
  blocked?: ScoreReport;
}

/** What the loader knows about one file: the version on disk now, and the last one that validated. */
interface FileState {
  signature: string;
  current: CachedVersion;
  lastGood?: CachedVersion;
  loadedAt: number;
  rejectedAt?: number;
}

/** A module as the registry lists it. */
export interface ModuleInfo {
  file: string;
  /** Content hash of the version being served (empty when no version validated yet). */
  hash: string;
  format: ModuleRecord["format"];
  exports: string[];
  /** False when the exports could not all be read statically (e.g. `module.exports = someObject`). */
  exportsComplete: boolean;
  valid: boolean;
  issues: ValidationIssue[];
  loadedAt: number;
  /** Set when the newest version on disk was refused and an older good one keeps serving (or none). */
  rejected?: { issues: ValidationIssue[]; at: number };
}

export type ModuleEvent =
  | { type: "loaded"; realPath: string; file: string; hash: string }
  | { type: "rejected"; realPath: string; file: string; issues: ValidationIssue[]; servingHash?: string };

/** Layer 3 settings as the loader applies them (resolved from the runtime's `scoringGate` option). */
export interface ScoringSettings {
  blockThreshold: number;
  warnThreshold: number;
  onScore?: (report: ScoreReport & { decision: "allow" | "warn" | "block" }) => void;
  customScorer?: (input: { code: string; file: string; report: ScoreReport }) => number | { score: number; signals?: ScoreReport["signals"] };
}

export interface GraphOptions {
  securityLevel: SecurityLevel;
  /**
   * Hot reload: serve a file's last good version when its newest one is refused, and trust known files'
   * versions without a stat (the watcher calls refresh() and forget() when they change); else check stat on
   * every load and refuse a broken file.
   */
  watched?: boolean;
  /** Told once per new version of a file: loaded, or rejected. */
  onEvent?: (event: ModuleEvent) => void;
  /**
   * Whether a file's cached version may be served without a stat: true once a watcher that has finished
   * its initial scan covers the file (it then calls refresh() and forget() on changes).
   */
  trusts?: (realPath: string) => boolean;
  /** The scoring gate; off when absent. */
  scoring?: ScoringSettings;
}

const MAX_CACHED_FILES = 5000;
const MAX_GRAPH_MODULES = 2000;
const MAX_SPECIFIERS_PER_MODULE = 500;
const MAX_SPECIFIERS_PER_GRAPH = 5000;
/** Every call ships its graph's sources to the sandbox: bound what one call can make the host copy. */
const MAX_GRAPH_BYTES = 16 * 1024 * 1024;

function signatureOf(stat: fs.BigIntStats): string {
  return `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
}

function toId(realFolder: string, realPath: string): string {
  return path.relative(realFolder, realPath).split(path.sep).join("/");
}

/**
 * Loads a module and everything it statically requires or imports, validated and transformed, from a
 * per-file cache that is checked against the file's stat on every call: a changed file is never stale,
 * an unchanged one is never re-parsed.
 */
export class ModuleGraphLoader {
  private readonly cache = new Map<string, FileState>();

  constructor(private readonly options: GraphOptions) {}

  load(realFolder: string, entryRealPath: string): ModuleGraph {
    const entry = toId(realFolder, entryRealPath);
    const modules: ModuleRecord[] = [];
    const seen = new Set<string>();
    const queue = [entryRealPath];
    let specifierCount = 0;
    let graphBytes = 0;
    while (queue.length) {
      const realPath = queue.shift()!;
      if (seen.has(realPath)) continue;
      seen.add(realPath);
      if (seen.size > MAX_GRAPH_MODULES) {
        throw new RuntimeError("VALIDATION_ERROR", `module graph has more than ${MAX_GRAPH_MODULES} modules`);
      }
      const id = toId(realFolder, realPath);
      const version = this.version(realPath, id);
      if (version.rejection) {
        throw new RuntimeError("VALIDATION_ERROR", `${id}: ${describeIssues(version.rejection)}`, {
          file: id,
          issues: version.rejection,
        });
      }
      if (version.blocked) {
        throw new RuntimeError("SCORING_BLOCKED", `${id}: scored ${version.blocked.score} for exfiltration-shaped code`, {
          file: id,
          score: version.blocked.score,
          signals: version.blocked.signals,
        });
      }
      graphBytes += version.source.length;
      if (graphBytes > MAX_GRAPH_BYTES) {
        throw new RuntimeError("VALIDATION_ERROR", `module graph is larger than ${MAX_GRAPH_BYTES} bytes of source`);
      }
      const deps: ModuleRecord["deps"] = {};
      specifierCount += version.specifiers.length;
      // Each specifier costs file-system look-ups on the host thread: bound them.
      if (specifierCount > MAX_SPECIFIERS_PER_GRAPH) {
        throw new RuntimeError("VALIDATION_ERROR", `module graph has more than ${MAX_SPECIFIERS_PER_GRAPH} require/import specifiers`);
      }
      for (const specifier of version.specifiers) {
        try {
          const depReal = resolveSpecifier(realFolder, realPath, specifier);
          deps[specifier] = { id: toId(realFolder, depReal) };
          queue.push(depReal);
        } catch (error) {
          if (!(error instanceof ResolveFailure)) throw error;
          deps[specifier] = { error: error.message };
        }
      }
      modules.push({ id, format: version.format, hash: version.hash, source: version.source, deps, warnings: version.warnings });
    }
    return { entry, modules };
  }

  /** The version of a file to serve: its current one, or (keepLastGood) its last good one. */
  private version(realPath: string, id: string): CachedVersion {
    const state = this.state(realPath, id);
    if (state.current.rejection && this.options.watched && state.lastGood) return state.lastGood;
    return state.current;
  }

  /** Describes one file for listings, loading it if needed. */
  inspect(realFolder: string, realPath: string): ModuleInfo {
    const file = toId(realFolder, realPath);
    let state: FileState;
    try {
      state = this.state(realPath, file);
    } catch (error) {
      const issues = error instanceof RuntimeError && Array.isArray(error.details?.issues) ? (error.details.issues as ValidationIssue[]) : [];
      return { file, hash: "", format: "cjs", exports: [], exportsComplete: true, valid: false, issues, loadedAt: Date.now(), rejected: { issues, at: Date.now() } };
    }
    const serving = state.current.rejection && this.options.watched && state.lastGood ? state.lastGood : state.current;
    const info: ModuleInfo = {
      file,
      hash: serving.rejection ? "" : serving.hash,
      format: serving.format,
      exports: serving.exports.names,
      exportsComplete: serving.exports.complete,
      valid: !serving.rejection,
      issues: serving.rejection ?? serving.warnings,
      loadedAt: state.loadedAt,
    };
    if (state.current.rejection) info.rejected = { issues: state.current.rejection, at: state.rejectedAt ?? state.loadedAt };
    return info;
  }

  /** Forgets a file (deleted): nothing of it stays in memory. */
  forget(realPath: string): void {
    this.cache.delete(realPath);
  }

  /** Re-reads a file the watcher reported as changed (watched mode never re-reads on its own). */
  refresh(realFolder: string, realPath: string): ModuleInfo {
    const file = toId(realFolder, realPath);
    try {
      this.state(realPath, file, true);
    } catch {
      // Reported by inspect() below.
    }
    return this.inspect(realFolder, realPath);
  }

  /** Drops the least recently used file, but never one whose last good version is what still serves. */
  private evictOne(): void {
    for (const [key, state] of this.cache) {
      if (state.current.rejection && state.lastGood) continue;
      this.cache.delete(key);
      return;
    }
  }

  /** Files this loader holds under a folder. */
  knownFiles(realFolder: string): string[] {
    const prefix = realFolder + path.sep;
    return [...this.cache.keys()].filter((p) => p.startsWith(prefix));
  }

  private state(realPath: string, id: string, force = false): FileState {
    // Watched: a known file's settled version is served as is; only refresh() reads the disk again.
    const known = this.cache.get(realPath);
    if (known && !force && this.options.trusts?.(realPath)) {
      this.cache.delete(realPath);
      this.cache.set(realPath, known);
      return known;
    }
    let stat: fs.BigIntStats;
    try {
      stat = fs.statSync(realPath, { bigint: true });
    } catch {
      this.cache.delete(realPath);
      throw new RuntimeError("MODULE_NOT_FOUND", `cannot find module "${id}"`, { file: id });
    }
    if (!stat.isFile()) throw new RuntimeError("MODULE_NOT_FOUND", `"${id}" is not a file`, { file: id });
    const signature = signatureOf(stat);
    const cached = this.cache.get(realPath);
    if (cached && cached.signature === signature) {
      // Refresh LRU position.
      this.cache.delete(realPath);
      this.cache.set(realPath, cached);
      return cached;
    }
    const version = this.read(realPath, id, stat);
    const now = Date.now();
    const state: FileState = { signature, current: version, loadedAt: now };
    const lastGood = version.rejection ? cached?.lastGood ?? (cached && !cached.current.rejection ? cached.current : undefined) : version;
    if (lastGood) state.lastGood = lastGood;
    if (version.rejection) {
      state.rejectedAt = now;
      if (lastGood) state.loadedAt = cached?.loadedAt ?? now;
    }
    this.cache.delete(realPath);
    this.cache.set(realPath, state);
    if (this.cache.size > MAX_CACHED_FILES) this.evictOne();
    if (version.rejection) {
      const event: ModuleEvent = { type: "rejected", realPath, file: id, issues: version.rejection };
      if (this.options.watched && lastGood) event.servingHash = lastGood.hash;
      this.options.onEvent?.(event);
    } else {
      this.options.onEvent?.({ type: "loaded", realPath, file: id, hash: version.hash });
    }
    return state;
  }

  private read(realPath: string, id: string, stat: fs.BigIntStats): CachedVersion {
    const { securityLevel } = this.options;
    const maxBytes = LEVEL_DEFAULTS[securityLevel].maxModuleBytes;
    const base = { specifiers: [] as string[], warnings: [] as ValidationIssue[], exports: { names: [], complete: false } as StaticExports };
    if (stat.size > BigInt(maxBytes)) {
      // Refused before reading: a huge file (JSON included) never enters memory.
      const issue: ValidationIssue = {
        rule: "max-module-size",
        message: `module is ${stat.size} bytes; the limit is ${maxBytes}`,
        severity: "error",
        location: { line: 1, column: 0 },
      };
      return { ...base, format: "cjs", hash: "", source: "", rejection: [issue] };
    }
    let code: string;
    try {
      code = fs.readFileSync(realPath, "utf8");
    } catch {
      throw new RuntimeError("MODULE_NOT_FOUND", `cannot read module "${id}"`, { file: id });
    }
    return this.compileVersion(code, id, base);
  }

  private compileVersion(code: string, id: string, base: Pick<CachedVersion, "specifiers" | "warnings" | "exports">): CachedVersion {
    const { securityLevel } = this.options;
    const extension = path.extname(id).toLowerCase();
    if (extension === ".json") {
      try {
        JSON.parse(code);
      } catch (error) {
        const issue: ValidationIssue = {
          rule: "syntax",
          message: `invalid JSON: ${(error as Error).message}`,
          severity: "error",
          location: { line: 1, column: 0 },
        };
        return { ...base, format: "json", hash: "", source: "", rejection: [issue] };
      }
      return { ...base, format: "json", hash: hashOf(id, code), source: code, exports: { names: ["default"], complete: true } };
    }
    const checked = checkModule(code, extension, securityLevel);
    if (!checked.result.valid || !checked.parsed) {
      return { ...base, format: "cjs", hash: "", source: "", rejection: checked.result.issues };
    }
    let transformed: ReturnType<typeof transformModule>;
    try {
      transformed = transformModule(checked.parsed);
    } catch (error) {
      if (error instanceof RangeError) return { ...base, format: "cjs", hash: "", source: "", rejection: [TOO_DEEP] };
      throw error;
    }
    if (transformed.specifiers.length > MAX_SPECIFIERS_PER_MODULE) {
      const issue: ValidationIssue = {
        rule: "max-specifiers",
        message: `module requires or imports ${transformed.specifiers.length} different modules; the limit is ${MAX_SPECIFIERS_PER_MODULE}`,
        severity: "error",
        location: { line: 1, column: 0 },
      };
      return { ...base, format: "cjs", hash: "", source: "", rejection: [issue] };
    }
    const version: CachedVersion = {
      ...base,
      format: checked.parsed.format,
      hash: hashOf(id, transformed.wrapper),
      source: transformed.wrapper,
      specifiers: transformed.specifiers,
      exports: staticExports(checked.parsed),
      warnings: checked.result.issues,
    };
    if (this.options.scoring) this.applyScoring(version, code, id, checked.parsed.ast, checked.parsed.lineShift);
    return version;
  }

  /** Layer 3: scores the version; a warning joins its issues, a block keeps it from running. */
  private applyScoring(version: CachedVersion, code: string, file: string, ast: import("acorn").Program, lineShift: number): void {
    const settings = this.options.scoring!;
    let report = scoreModule(ast, file, lineShift);
    if (settings.customScorer) {
      try {
        const custom = settings.customScorer({ code, file, report });
        report = typeof custom === "number" ? { ...report, score: custom } : { file, score: custom.score, signals: custom.signals ?? report.signals };
      } catch {
        // A scorer that fails must not let code through unscored, nor crash the load: keep the built-in score.
      }
    }
    const decision = report.score >= settings.blockThreshold ? "block" : report.score >= settings.warnThreshold ? "warn" : "allow";
    try {
      settings.onScore?.({ ...report, decision });
    } catch {
      /* the platform's callback failed; the decision stands */
    }
    if (decision === "block") version.blocked = report;
    else if (decision === "warn") {
      version.warnings = [
        ...version.warnings,
        { rule: "scoring", message: `exfiltration-shaped code scored ${report.score}`, severity: "warning", location: report.signals[0]?.location ?? { line: 1, column: 0 } },
      ];
    }
  }
}

function hashOf(id: string, text: string): string {
  return createHash("sha256").update(id).update("\0").update(text).digest("base64url");
}

export function describeIssues(issues: readonly ValidationIssue[]): string {
  const errors = issues.filter((issue) => issue.severity === "error");
  const first = errors[0] ?? issues[0];
  if (!first) return "invalid module";
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  return `${first.location.line}:${first.location.column} ${first.rule}: ${first.message}${more}`;
}

/** The real path of a tenant folder; MODULE_NOT_FOUND when it is not an existing directory. */
export function realFolderOf(folder: string): string {
  try {
    const realFolder = fs.realpathSync.native(folder);
    if (!fs.statSync(realFolder).isDirectory()) throw new Error("not a directory");
    return realFolder;
  } catch {
    throw new RuntimeError("MODULE_NOT_FOUND", "tenant folder does not exist or is not a directory");
  }
}

/**
 * Checks a run request's folder and file and returns their real paths. The folder must be absolute and
 * exist; the file must be relative and stay inside it after symlinks are followed.
 */
export function locateEntry(folder: string, file: string): { realFolder: string; entryRealPath: string } {
  const realFolder = realFolderOf(folder);
  const candidate = path.resolve(realFolder, file);
  if (candidate !== realFolder && !candidate.startsWith(realFolder + path.sep)) {
    throw new RuntimeError("INVALID_REQUEST", `file "${file}" is outside the tenant folder`);
  }
  try {
    return { realFolder, entryRealPath: realInside(realFolder, candidate, file) };
  } catch (error) {
    if (error instanceof ResolveFailure) throw new RuntimeError("MODULE_NOT_FOUND", error.message, { file });
    throw error;
  }
}

