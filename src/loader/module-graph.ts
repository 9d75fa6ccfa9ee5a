import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { RuntimeError } from "../errors.js";
import { LEVEL_DEFAULTS, type SecurityLevel } from "../security-levels.js";
import type { TaskModule } from "../runner/protocol.js";
import { fileIssue, type ValidationIssue } from "./issues.js";
import { FileReadRefused, readRegularFile } from "./read-regular-file.js";
import { resolveSpecifier, ResolveFailure, realInside } from "./resolve.js";
import { transformModule } from "./transform.js";
import { checkModule, TOO_DEEP } from "./validate.js";
import { INLINE_SCRIPT_ID, scriptBodyIssues, unwrapIssue, wrapInlineScript } from "./inline-script.js";
import { staticExports, type StaticExports } from "./exports.js";
import { scoreModule, type ScoreReport } from "./scoring.js";

export interface ModuleGraph {
  entry: string;
  /** Exactly what a task carries: handed to the worker as is, call after call. */
  modules: TaskModule[];
  /** Bytes of the tenant's own source in the graph (before the transform): what code-size quotas count. */
  sourceBytes: number;
}

interface CachedVersion {
  format: TaskModule["format"];
  hash: string;
  source: string;
  /** Bytes of the file as written. */
  bytes: number;
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
  format: TaskModule["format"];
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
  /** Hot reload: serve a file's last good version when its newest one is refused; else refuse the run. */
  watched?: boolean;
  /** Told once per new version of a file: loaded, or rejected. */
  onEvent?: (event: ModuleEvent) => void;
  /** The scoring gate; off when absent. */
  scoring?: ScoringSettings;
  /** Largest module file (bytes); the security level's limit when absent or larger. */
  maxModuleBytes?: number;
}

const MAX_CACHED_FILES = 5000;
const MAX_CACHED_SCRIPTS = 256;
const MAX_GRAPH_MODULES = 2000;
const MAX_SPECIFIERS_PER_MODULE = 500;
const MAX_SPECIFIERS_PER_GRAPH = 5000;
/** Every call ships its graph's sources to the sandbox: bound what one call can make the host copy. */
const MAX_GRAPH_BYTES = 16 * 1024 * 1024;

function signatureOf(stat: fs.BigIntStats): string {
  return `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
}

/** A file's version stamp (inode, size, mtime and ctime in ns), or undefined when it does not exist. */
export function fileSignature(file: string): string | undefined {
  try {
    return signatureOf(fs.statSync(file, { bigint: true }));
  } catch {
    return undefined;
  }
}

/** A version that did not make it: refused, with the reasons. */
function refused(base: Pick<CachedVersion, "specifiers" | "warnings" | "exports">, issues: ValidationIssue[], format: TaskModule["format"] = "cjs"): CachedVersion {
  return { ...base, format, hash: "", source: "", bytes: 0, rejection: issues };
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
  /** Inline scripts by content hash: the same script sent again is not parsed again. */
  private readonly scripts = new Map<string, CachedVersion>();

  constructor(private readonly options: GraphOptions) {}

  /**
   * `trusted`: a watcher that finished its first scan covers the folder, so known files' versions are served
   * without a stat (the watcher calls refresh() and forget() when they change).
   */
  load(realFolder: string, entryRealPath: string, trusted: boolean): ModuleGraph {
    const entry = toId(realFolder, entryRealPath);
    const modules: TaskModule[] = [];
    const seen = new Set<string>();
    const queue = [entryRealPath];
    let specifierCount = 0;
    let graphBytes = 0;
    let sourceBytes = 0;
    while (queue.length) {
      const realPath = queue.shift()!;
      if (seen.has(realPath)) continue;
      seen.add(realPath);
      if (seen.size > MAX_GRAPH_MODULES) {
        throw new RuntimeError("VALIDATION_ERROR", `module graph has more than ${MAX_GRAPH_MODULES} modules`);
      }
      const id = toId(realFolder, realPath);
      const version = this.serving(this.state(realFolder, realPath, id, trusted));
      refuseUnrunnable(id, version);
      graphBytes += version.source.length;
      sourceBytes += version.bytes;
      if (graphBytes > MAX_GRAPH_BYTES) {
        throw new RuntimeError("VALIDATION_ERROR", `module graph is larger than ${MAX_GRAPH_BYTES} bytes of source`);
      }
      const deps: TaskModule["deps"] = {};
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
      modules.push({ id, format: version.format, hash: version.hash, source: version.source, deps });
    }
    return { entry, modules, sourceBytes };
  }

  /**
   * An inline script (a function body) as a one-module graph: its default export is an async function
   * running the body. It cannot require or import anything.
   */
  inline(code: string): ModuleGraph {
    const key = createHash("sha256").update(code).digest("base64url");
    let version = this.scripts.get(key);
    if (version) this.scripts.delete(key);
    else version = this.compileScript(code);
    this.scripts.set(key, version);
    if (this.scripts.size > MAX_CACHED_SCRIPTS) this.scripts.delete(this.scripts.keys().next().value!);
    refuseUnrunnable(INLINE_SCRIPT_ID, version);
    const deps: TaskModule["deps"] = {};
    for (const specifier of version.specifiers) deps[specifier] = { error: "an inline script cannot require or import modules" };
    return {
      entry: INLINE_SCRIPT_ID,
      modules: [{ id: INLINE_SCRIPT_ID, format: version.format, hash: version.hash, source: version.source, deps }],
      sourceBytes: version.bytes,
    };
  }

  private compileScript(code: string): CachedVersion {
    const base = { specifiers: [] as string[], warnings: [] as ValidationIssue[], exports: { names: [], complete: false } as StaticExports };
    const early = scriptBodyIssues(code, this.options.securityLevel);
    if (early.some((issue) => issue.severity === "error")) return refused(base, early);
    const version = this.compileVersion(wrapInlineScript(code), INLINE_SCRIPT_ID, base);
    version.bytes = Buffer.byteLength(code, "utf8");
    version.warnings = version.warnings.map(unwrapIssue);
    if (version.rejection) version.rejection = version.rejection.map(unwrapIssue);
    return version;
  }

  /** The version of a file to serve: its current one, or (watched) its last good one. */
  private serving(state: FileState): CachedVersion {
    return state.current.rejection && this.options.watched && state.lastGood ? state.lastGood : state.current;
  }

  /** Describes one file for listings, loading it if needed. */
  inspect(realFolder: string, realPath: string, trusted: boolean): ModuleInfo {
    const file = toId(realFolder, realPath);
    let state: FileState;
    try {
      state = this.state(realFolder, realPath, file, trusted);
    } catch (error) {
      const issues = error instanceof RuntimeError && Array.isArray(error.details?.issues) ? (error.details.issues as ValidationIssue[]) : [];
      return { file, hash: "", format: "cjs", exports: [], exportsComplete: true, valid: false, issues, loadedAt: Date.now(), rejected: { issues, at: Date.now() } };
    }
    const serving = this.serving(state);
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

  /** Re-reads a file the watcher reported as changed (a trusted folder never re-reads on its own). */
  refresh(realFolder: string, realPath: string): void {
    try {
      this.state(realFolder, realPath, toId(realFolder, realPath), false);
    } catch {
      // A file that vanished or cannot be read is forgotten by state(); the next load reports it.
    }
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

  private state(realFolder: string, realPath: string, id: string, trusted: boolean): FileState {
    // Trusted: a known file's settled version is served as is; only refresh() reads the disk again.
    const known = this.cache.get(realPath);
    if (known && trusted) {
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
    const version = this.read(realFolder, realPath, id, stat);
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

  private read(realFolder: string, realPath: string, id: string, stat: fs.BigIntStats): CachedVersion {
    const { securityLevel } = this.options;
    const maxBytes = Math.min(LEVEL_DEFAULTS[securityLevel].maxModuleBytes, this.options.maxModuleBytes ?? Infinity);
    const base = { specifiers: [] as string[], warnings: [] as ValidationIssue[], exports: { names: [], complete: false } as StaticExports };
    if (stat.size > BigInt(maxBytes)) {
      // Refused before reading: a huge file (JSON included) never enters memory.
      return refused(base, [fileIssue("max-module-size", `module is ${stat.size} bytes; the limit is ${maxBytes}`)]);
    }
    let code: string;
    try {
      code = readRegularFile(realPath, maxBytes, realFolder);
    } catch (error) {
      // Swapped for a FIFO, a symlink, a bigger file or a path through a swapped directory since the stat: refused.
      if (error instanceof FileReadRefused) return refused(base, [fileIssue(error.reason === "too-large" ? "max-module-size" : "not-a-file", `module ${error.message}`)]);
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
        return refused(base, [fileIssue("syntax", `invalid JSON: ${(error as Error).message}`)], "json");
      }
      return { ...base, format: "json", hash: hashOf(id, code), source: code, bytes: Buffer.byteLength(code, "utf8"), exports: { names: ["default"], complete: true } };
    }
    const checked = checkModule(code, extension, securityLevel);
    if (!checked.result.valid || !checked.parsed) return refused(base, checked.result.issues);
    let transformed: ReturnType<typeof transformModule>;
    try {
      transformed = transformModule(checked.parsed);
    } catch (error) {
      if (error instanceof RangeError) return refused(base, [TOO_DEEP]);
      throw error;
    }
    if (transformed.specifiers.length > MAX_SPECIFIERS_PER_MODULE) {
      const count = transformed.specifiers.length;
      return refused(base, [fileIssue("max-specifiers", `module requires or imports ${count} different modules; the limit is ${MAX_SPECIFIERS_PER_MODULE}`)]);
    }
    const version: CachedVersion = {
      ...base,
      format: checked.parsed.format,
      hash: hashOf(id, transformed.wrapper),
      source: transformed.wrapper,
      bytes: Buffer.byteLength(code, "utf8"),
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
      const warning = fileIssue("scoring", `exfiltration-shaped code scored ${report.score}`, "warning");
      if (report.signals[0]) warning.location = report.signals[0].location;
      version.warnings = [...version.warnings, warning];
    }
  }
}

/** A version that failed validation or that the scoring gate blocked does not run. */
function refuseUnrunnable(id: string, version: CachedVersion): void {
  if (version.rejection) {
    throw new RuntimeError("VALIDATION_ERROR", `${id}: ${describeIssues(version.rejection)}`, { file: id, issues: version.rejection });
  }
  if (version.blocked) {
    throw new RuntimeError("SCORING_BLOCKED", `${id}: scored ${version.blocked.score} for exfiltration-shaped code`, {
      file: id,
      score: version.blocked.score,
      signals: version.blocked.signals,
    });
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
 * The real path of a run's entry file inside an already-resolved tenant folder: the file must be relative
 * and stay inside the folder after symlinks are followed.
 */
export function entryIn(realFolder: string, file: string): string {
  const candidate = path.resolve(realFolder, file);
  if (candidate !== realFolder && !candidate.startsWith(realFolder + path.sep)) {
    throw new RuntimeError("INVALID_REQUEST", `file "${file}" is outside the tenant folder`);
  }
  try {
    return realInside(realFolder, candidate, file);
  } catch (error) {
    if (error instanceof ResolveFailure) throw new RuntimeError("MODULE_NOT_FOUND", error.message, { file });
    throw error;
  }
}

