import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { RuntimeError } from "../errors.js";
import { LEVEL_DEFAULTS, type SecurityLevel } from "../security-levels.js";
import type { TaskModule } from "../runner/protocol.js";
import { ByteBoundedCache } from "./byte-bounded-cache.js";
import { refusedVersion, type CompiledVersion } from "./compile.js";
import { clipText, fileIssue, MAX_ISSUE_MESSAGE, type ValidationIssue, type ValidationResult } from "./issues.js";
import { LoaderPool, type LoaderPoolOptions } from "./loader-pool.js";
import { FileReadRefused, readRegularFile } from "./read-regular-file.js";
import type { GraphWalkInput, KnownFile } from "./graph-walk.js";
import { depthBelow, MAX_TENANT_PATH_DEPTH } from "./real-path.js";
import { ResolutionCache } from "./resolution-cache.js";
import { checkEntryPath, entryIn, ResolveFailure } from "./resolve.js";
import { SlowPaths, stampOf, StatMemo, type FsBudget } from "./stat-memo.js";
import { INLINE_SCRIPT_ID } from "./inline-script.js";
import type { ScoreReport } from "./scoring.js";

export interface ModuleGraph {
  entry: string;
  /** Exactly what a task carries: handed to the worker as is, call after call. */
  modules: TaskModule[];
  /** Bytes of the tenant's own source in the graph (before the transform): what code-size quotas count. */
  sourceBytes: number;
  /** Set when a module lies where the folder watcher does not look (a dot-directory, past its depth): never cache the graph. */
  unwatched?: true;
}

/** A compiled version as the host keeps it: the scoring gate's verdict is the host's (its callbacks run here). */
interface CachedVersion extends CompiledVersion {
  /** Set when the scoring gate blocks this version: it validates, but it does not run. */
  blocked?: ScoreReport;
}

/** What the loader knows about one file: the version on disk now, and the last one that validated. */
interface FileState {
  signature: string;
  /** When its compile started, in the loader's order: an older compile finishing late never replaces a newer one. */
  seq: number;
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
  /** The loader threads that compile tenant text. */
  loader: LoaderPoolOptions;
}

/** Compiled versions kept on the host, in bytes (a version counts its transformed source and its issues). */
const MAX_CACHED_BYTES = 128 * 1024 * 1024;
const MAX_CACHED_SCRIPT_BYTES = 16 * 1024 * 1024;
const MAX_CACHED_GRAPH_BYTES = 64 * 1024 * 1024;
const MAX_GRAPH_MODULES = 2000;
const MAX_SPECIFIERS_PER_GRAPH = 5000;
/** Every call ships its graph's sources to the sandbox: bound what one call can make the host copy. */
const MAX_GRAPH_BYTES = 16 * 1024 * 1024;

/**
 * The file-system work one call may do on the host's main thread (invariant 8): past it, the tenant's
 * paths are slow to look up, and its graphs are loaded on a loader thread for a while.
 */
const HOST_FS_BUDGET: FsBudget = { opMs: 2, totalMs: 10, perOpMs: 0.02 };
const SLOW_FOLDER_MS = 60_000;
/** A `limit` verdict may come from a busy machine, not the file: it is tried again after this long. */
const LIMIT_VERDICT_MS = 30_000;

/** A file's version stamp (inode, size, mtime and ctime in ns), or undefined when it does not exist. */
export function fileSignature(file: string): string | undefined {
  try {
    return stampOf(fs.statSync(file, { bigint: true }));
  } catch {
    return undefined;
  }
}

/** A module id or path as a message quotes it: paths may be 4 KB long. */
function shownId(id: string): string {
  return clipText(id, 256);
}

/** What a graph holds: its transformed source (bounded per call) and the tenant's own bytes (code quotas). */
class GraphSize {
  private graphBytes = 0;
  sourceBytes = 0;

  add(version: CachedVersion): void {
    this.graphBytes += version.source.length;
    this.sourceBytes += version.bytes;
    if (this.graphBytes > MAX_GRAPH_BYTES) {
      throw new RuntimeError("VALIDATION_ERROR", `module graph is larger than ${MAX_GRAPH_BYTES} bytes of source`);
    }
  }
}

function toId(realFolder: string, realPath: string): string {
  return path.relative(realFolder, realPath).split(path.sep).join("/");
}

/** Roughly what a version holds on the host heap (strings count two bytes a character at worst). */
function bytesOf(version: CachedVersion): number {
  let bytes = 512 + version.source.length * 2;
  for (const issue of version.warnings) bytes += 128 + issue.message.length * 2;
  for (const issue of version.rejection ?? []) bytes += 128 + issue.message.length * 2;
  for (const specifier of version.specifiers) bytes += 32 + specifier.length * 2;
  return bytes;
}

function bytesOfState(state: FileState): number {
  return bytesOf(state.current) + (state.lastGood && state.lastGood !== state.current ? bytesOf(state.lastGood) : 0);
}

/**
 * Loads a module and everything it statically requires or imports, validated and transformed, from a
 * per-file cache that is checked against the file's stat on every call: a changed file is never stale,
 * an unchanged one is never re-parsed. Compiling happens on loader threads (LoaderPool); what stays on
 * the host's thread per call is a memoized stat per file and directory and cached resolutions.
 */
export class ModuleGraphLoader {
  /** Never evicted: a file whose last good version still serves while its newest one is refused. */
  private readonly cache = new ByteBoundedCache<FileState>(MAX_CACHED_BYTES, (state) => Boolean(state.current.rejection && state.lastGood));
  /** Inline scripts by content hash: the same script sent again is not parsed again. */
  private readonly scripts = new ByteBoundedCache<CachedVersion>(MAX_CACHED_SCRIPT_BYTES);
  /** Files being compiled now, by real path and stamp: concurrent calls wait for the same compile. */
  private readonly compiling = new Map<string, Promise<FileState>>();
  private readonly resolutions = new ResolutionCache();
  /**
   * Whole graphs by folder and entry, each with the stamps of every file and directory its walk looked at:
   * an unchanged graph costs a call one stat per such path, no resolution and no re-assembly.
   */
  private readonly graphs = new ByteBoundedCache<{ entryRealPath: string; stamps: [string, string][]; graph: ModuleGraph }>(MAX_CACHED_GRAPH_BYTES);
  /** Folders whose paths were slow to look up, until when their graphs load on a loader thread. */
  private readonly slowFolders = new Map<string, number>();
  private seq = 0;
  private readonly pool: LoaderPool;

  constructor(private readonly options: GraphOptions) {
    this.pool = new LoaderPool(options.loader);
  }

  /**
   * The graph of `file` (relative to the folder). `trusted`: a watcher that finished its first scan covers the
   * folder, so known files' versions are served without a stat (the watcher calls refresh() and forget()
   * when they change). On the host's main thread within HOST_FS_BUDGET; a folder that goes past it has its
   * graphs walked on a loader thread for SLOW_FOLDER_MS.
   */
  async load(realFolder: string, file: string, trusted: boolean): Promise<ModuleGraph> {
    const slowUntil = this.slowFolders.get(realFolder);
    if (slowUntil !== undefined && slowUntil > Date.now()) return this.loadOffThread(realFolder, file);
    if (slowUntil !== undefined) this.slowFolders.delete(realFolder);
    const memo = new StatMemo(HOST_FS_BUDGET);
    try {
      const entryRealPath = entryIn(realFolder, file, memo);
      // Watched folders keep their graphs in the registry (the watcher says when they change).
      if (trusted) return await this.walk(realFolder, entryRealPath, trusted, memo);
      const key = `${realFolder}\0${file}`;
      const cached = this.graphs.get(key);
      if (cached && cached.entryRealPath === entryRealPath && cached.stamps.every(([p, stamp]) => memo.stamp(p) === stamp)) return cached.graph;
      const graph = await this.walk(realFolder, entryRealPath, trusted, memo);
      let bytes = 1024;
      for (const module of graph.modules) bytes += 256 + module.source.length * 2;
      const stamps = memo.stamps();
      for (const [p, stamp] of stamps) bytes += 64 + (p.length + stamp.length) * 2;
      this.graphs.set(key, { entryRealPath, stamps, graph }, bytes);
      return graph;
    } catch (error) {
      if (!(error instanceof SlowPaths)) throw error;
      this.slowFolders.set(realFolder, Date.now() + SLOW_FOLDER_MS);
      if (this.slowFolders.size > 10_000) this.slowFolders.delete(this.slowFolders.keys().next().value!);
      return this.loadOffThread(realFolder, file);
    }
  }

  private async walk(realFolder: string, entryRealPath: string, trusted: boolean, memo: StatMemo): Promise<ModuleGraph> {
    const entry = toId(realFolder, entryRealPath);
    const modules: TaskModule[] = [];
    const seen = new Set<string>();
    const queue = [entryRealPath];
    let specifierCount = 0;
    const size = new GraphSize();
    while (queue.length) {
      const realPath = queue.shift()!;
      if (seen.has(realPath)) continue;
      seen.add(realPath);
      if (seen.size > MAX_GRAPH_MODULES) {
        throw new RuntimeError("VALIDATION_ERROR", `module graph has more than ${MAX_GRAPH_MODULES} modules`);
      }
      const id = toId(realFolder, realPath);
      const version = this.serving(await this.state(realFolder, realPath, id, trusted, memo));
      refuseUnrunnable(id, version);
      size.add(version);
      const deps: TaskModule["deps"] = {};
      specifierCount += version.specifiers.length;
      // Each specifier costs a cache look-up on the host thread: bound them.
      if (specifierCount > MAX_SPECIFIERS_PER_GRAPH) {
        throw new RuntimeError("VALIDATION_ERROR", `module graph has more than ${MAX_SPECIFIERS_PER_GRAPH} require/import specifiers`);
      }
      for (const specifier of version.specifiers) {
        try {
          const depReal = this.resolutions.resolve(realFolder, realPath, specifier, memo);
          deps[specifier] = { id: toId(realFolder, depReal) };
          queue.push(depReal);
        } catch (error) {
          if (!(error instanceof ResolveFailure)) throw error;
          deps[specifier] = { error: error.message };
        }
      }
      modules.push({ id, format: version.format, hash: version.hash, source: version.source, deps });
    }
    const graph: ModuleGraph = { entry, modules, sourceBytes: size.sourceBytes };
    if ([...seen].some((realPath) => !watcherSees(realFolder, realPath))) graph.unwatched = true;
    return graph;
  }

  /** The same walk on a loader thread: stats, resolutions, reads and compiles there; versions and verdicts here. */
  private async loadOffThread(realFolder: string, file: string): Promise<ModuleGraph> {
    checkEntryPath(realFolder, file);
    const known: Record<string, KnownFile> = {};
    for (const realPath of this.knownFiles(realFolder)) {
      const state = this.cache.peek(realPath);
      if (!state) continue;
      const serving = this.serving(state);
      known[realPath] = { stamp: state.signature, specifiers: serving.specifiers, unrunnable: Boolean(serving.rejection || serving.blocked) };
    }
    const input: GraphWalkInput = {
      realFolder,
      entryFile: file,
      known,
      securityLevel: this.options.securityLevel,
      scoring: Boolean(this.options.scoring),
      maxModuleBytes: this.maxModuleBytes(),
      withCode: Boolean(this.options.scoring?.customScorer),
      limits: { maxModules: MAX_GRAPH_MODULES, maxSpecifiers: MAX_SPECIFIERS_PER_GRAPH },
    };
    const walked = await this.pool.walk(realFolder, input);
    if (!walked.ok) {
      const missing = walked.realPath ? toId(realFolder, walked.realPath) : undefined;
      const message = missing !== undefined && walked.code === "MODULE_NOT_FOUND" ? `cannot find module "${shownId(missing)}"` : walked.message;
      throw new RuntimeError(walked.code, message, { file: missing ?? file });
    }
    const modules: TaskModule[] = [];
    const size = new GraphSize();
    for (const module of walked.modules) {
      const id = toId(realFolder, module.realPath);
      let state = this.cache.get(module.realPath);
      if (module.version) {
        const version: CachedVersion = module.version;
        if (module.code !== undefined) this.applyScoring(version, module.code, id);
        else if (this.options.scoring) this.applyScoring(version, "", id);
        state = this.adopt(module.realPath, id, module.stamp, ++this.seq, version);
      } else if (!state) {
        // Evicted between the walk and now (the cache is byte-bounded): rare; the caller may try again.
        throw new RuntimeError("MODULE_NOT_FOUND", `module "${shownId(id)}" changed while it was loaded; try again`, { file: id });
      }
      const version = this.serving(state);
      refuseUnrunnable(id, version);
      size.add(version);
      modules.push({ id, format: version.format, hash: version.hash, source: version.source, deps: module.deps });
    }
    const graph: ModuleGraph = { entry: toId(realFolder, walked.entryRealPath), modules, sourceBytes: size.sourceBytes };
    if (walked.modules.some((module) => !watcherSees(realFolder, module.realPath))) graph.unwatched = true;
    return graph;
  }

  /**
   * An inline script (a function body) as a one-module graph: its default export is an async function
   * running the body. It cannot require or import anything. `tenant` shares the loader threads fairly.
   */
  async inline(code: string, tenant: string): Promise<ModuleGraph> {
    const key = createHash("sha256").update(code).digest("base64url");
    let version = this.scripts.get(key);
    if (!version) {
      version = await this.pool.compile(tenant, { kind: "script", code, id: INLINE_SCRIPT_ID, securityLevel: this.options.securityLevel, scoring: Boolean(this.options.scoring) });
      this.applyScoring(version, code, INLINE_SCRIPT_ID);
      // A limit refusal may be the machine's load, not the script's: not kept.
      if (!isLimitRefusal(version)) this.scripts.set(key, version, bytesOf(version));
    }
    refuseUnrunnable(INLINE_SCRIPT_ID, version);
    const deps: TaskModule["deps"] = {};
    for (const specifier of version.specifiers) deps[specifier] = { error: "an inline script cannot require or import modules" };
    return {
      entry: INLINE_SCRIPT_ID,
      modules: [{ id: INLINE_SCRIPT_ID, format: version.format, hash: version.hash, source: version.source, deps }],
      sourceBytes: version.bytes,
    };
  }

  /** Layers 0 and 1 on a loader thread (validate): nothing is kept, nothing runs. */
  check(code: string, kind: "module" | "script", extension: string, securityLevel: SecurityLevel, tenant: string): Promise<ValidationResult> {
    return this.pool.check(tenant, { code, kind, extension, securityLevel });
  }

  /** The version of a file to serve: its current one, or (watched) its last good one. */
  private serving(state: FileState): CachedVersion {
    return state.current.rejection && this.options.watched && state.lastGood ? state.lastGood : state.current;
  }

  /** Describes one file for listings, loading it if needed. */
  async inspect(realFolder: string, realPath: string, trusted: boolean, memo = new StatMemo()): Promise<ModuleInfo> {
    const file = toId(realFolder, realPath);
    let state: FileState;
    try {
      state = await this.state(realFolder, realPath, file, trusted, memo);
    } catch (error) {
      if (error instanceof SlowPaths) throw error;
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
  async refresh(realFolder: string, realPath: string): Promise<void> {
    try {
      await this.state(realFolder, realPath, toId(realFolder, realPath), false, new StatMemo());
    } catch {
      // A file that vanished or cannot be read is forgotten by state(); the next load reports it.
    }
  }

  /** Files this loader holds under a folder. */
  knownFiles(realFolder: string): string[] {
    const prefix = realFolder + path.sep;
    const files = new Set([...this.cache.keys()].filter((p) => p.startsWith(prefix)));
    // Being compiled counts as known: its text may be older than the disk by the time it is kept.
    for (const key of this.compiling.keys()) {
      const realPath = key.slice(0, key.indexOf("\0"));
      if (realPath.startsWith(prefix)) files.add(realPath);
    }
    return [...files];
  }

  /** Ends the loader threads. */
  close(): Promise<void> {
    return this.pool.close();
  }

  private async state(realFolder: string, realPath: string, id: string, trusted: boolean, memo: StatMemo): Promise<FileState> {
    // Trusted: a known file's settled version is served as is; only refresh() reads the disk again. Files the
    // watcher does not see (dot-directories, below its depth) are checked on every call.
    const known = this.cache.get(realPath);
    if (known && trusted && watcherSees(realFolder, realPath) && !expired(known)) return known;
    const stat = memo.stat(realPath);
    if (!stat) {
      this.cache.delete(realPath);
      throw new RuntimeError("MODULE_NOT_FOUND", `cannot find module "${shownId(id)}"`, { file: id });
    }
    if (!stat.isFile()) throw new RuntimeError("MODULE_NOT_FOUND", `"${shownId(id)}" is not a file`, { file: id });
    const signature = stampOf(stat);
    if (known && known.signature === signature && !expired(known)) return known;
    const key = `${realPath}\0${signature}`;
    let pending = this.compiling.get(key);
    if (!pending) {
      pending = this.newVersion(realFolder, realPath, id, stat, signature).finally(() => this.compiling.delete(key));
      this.compiling.set(key, pending);
    }
    return pending;
  }

  /** Reads and compiles a file's new version, keeps it, and reports it (loaded or rejected). */
  private async newVersion(realFolder: string, realPath: string, id: string, stat: fs.BigIntStats, signature: string): Promise<FileState> {
    const seq = ++this.seq;
    return this.adopt(realPath, id, signature, seq, await this.read(realFolder, realPath, id, stat));
  }

  /** Keeps a new version of a file (unless a newer one was kept meanwhile) and reports it: loaded, or rejected. */
  private adopt(realPath: string, id: string, signature: string, seq: number, version: CachedVersion): FileState {
    const cached = this.cache.peek(realPath);
    const now = Date.now();
    const state: FileState = { signature, seq, current: version, loadedAt: now };
    // A newer version of the file was kept while this one compiled: this one answers its own callers only.
    if (cached && cached.seq > seq) return state;
    const lastGood = version.rejection ? cached?.lastGood ?? (cached && !cached.current.rejection ? cached.current : undefined) : version;
    if (lastGood) state.lastGood = lastGood;
    if (version.rejection) {
      state.rejectedAt = now;
      if (lastGood) state.loadedAt = cached?.loadedAt ?? now;
    }
    this.cache.set(realPath, state, bytesOfState(state));
    if (version.rejection) {
      const event: ModuleEvent = { type: "rejected", realPath, file: id, issues: version.rejection };
      if (this.options.watched && lastGood) event.servingHash = lastGood.hash;
      this.options.onEvent?.(event);
    } else {
      this.options.onEvent?.({ type: "loaded", realPath, file: id, hash: version.hash });
    }
    return state;
  }

  private maxModuleBytes(): number {
    return Math.min(LEVEL_DEFAULTS[this.options.securityLevel].maxModuleBytes, this.options.maxModuleBytes ?? Infinity);
  }

  private async read(realFolder: string, realPath: string, id: string, stat: fs.BigIntStats): Promise<CachedVersion> {
    const { securityLevel } = this.options;
    const maxBytes = this.maxModuleBytes();
    if (stat.size > BigInt(maxBytes)) {
      // Refused before reading: a huge file (JSON included) never enters memory.
      return refusedVersion([fileIssue("max-module-size", `module is ${stat.size} bytes; the limit is ${maxBytes}`)]);
    }
    let code: string;
    try {
      // The path was just stat'ed within the budget: a real path, at most MAX_TENANT_PATH_DEPTH deep.
      code = readRegularFile(realPath, maxBytes, realFolder);
    } catch (error) {
      // Swapped for a FIFO, a symlink, a bigger file or a path through a swapped directory since the stat: refused.
      if (error instanceof FileReadRefused) return refusedVersion([fileIssue(error.reason === "too-large" ? "max-module-size" : "not-a-file", `module ${error.message}`)]);
      throw new RuntimeError("MODULE_NOT_FOUND", `cannot read module "${shownId(id)}"`, { file: id });
    }
    const version: CachedVersion = await this.pool.compile(realFolder, { kind: "module", code, id, securityLevel, scoring: Boolean(this.options.scoring) });
    this.applyScoring(version, code, id);
    return version;
  }

  /** Layer 3: the thresholds and the platform's callbacks on the score a loader thread computed. */
  private applyScoring(version: CachedVersion, code: string, file: string): void {
    const settings = this.options.scoring;
    if (!settings || !version.score || version.rejection) return;
    let report = version.score;
    delete version.score;
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
    throw new RuntimeError("VALIDATION_ERROR", `${shownId(id)}: ${describeIssues(version.rejection)}`, { file: id, issues: version.rejection });
  }
  if (version.blocked) {
    throw new RuntimeError("SCORING_BLOCKED", `${shownId(id)}: scored ${version.blocked.score} for exfiltration-shaped code`, {
      file: id,
      score: version.blocked.score,
      signals: version.blocked.signals,
    });
  }
}

export function describeIssues(issues: readonly ValidationIssue[]): string {
  const errors = issues.filter((issue) => issue.severity === "error");
  const first = errors[0] ?? issues[0];
  if (!first) return "invalid module";
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  return `${first.location.line}:${first.location.column} ${first.rule}: ${clipText(first.message, MAX_ISSUE_MESSAGE)}${more}`;
}

/** The folder watcher ignores dot-entries and stops at its depth: a file there is never trusted unseen. */
function watcherSees(realFolder: string, realPath: string): boolean {
  if (depthBelow(realFolder, realPath) >= MAX_TENANT_PATH_DEPTH) return false;
  return !realPath.slice(realFolder.length).includes(path.sep + ".");
}

/** A `limit` refusal (a deadline or heap limit on a loader thread) is not kept as the file's verdict for long. */
function expired(state: FileState): boolean {
  return isLimitRefusal(state.current) && Date.now() - (state.rejectedAt ?? 0) > LIMIT_VERDICT_MS;
}

function isLimitRefusal(version: CachedVersion): boolean {
  return version.rejection !== undefined && version.rejection.length === 1 && version.rejection[0]!.rule === "limit";
}
