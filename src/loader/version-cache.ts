import fs from "node:fs";
import path from "node:path";
import { RuntimeError } from "../errors.js";
import { LEVEL_DEFAULTS, type SecurityLevel } from "../security-levels.js";
import type { TaskModule } from "../runner/protocol.js";
import { ByteBoundedCache } from "./byte-bounded-cache.js";
import { refusedVersion, type CompiledVersion } from "./compile.js";
import type { KnownFile } from "./graph-walk.js";
import { clipText, fileIssue, undecodableNameIssue, type ValidationIssue } from "./issues.js";
import type { LoaderPool } from "./loader-pool.js";
import { depthBelow, MAX_TENANT_PATH_DEPTH } from "./real-path.js";
import { FileReadRefused, readRegularFile } from "./read-regular-file.js";
import type { ScoreReport } from "./scoring.js";
import { SlowPaths, stampOf, StatMemo } from "./stat-memo.js";
import { toId } from "./resolve.js";

/** A compiled version as the host keeps it: the scoring gate's verdict is the host's (its callbacks run here). */
export interface CachedVersion extends CompiledVersion {
  /** Set when the scoring gate blocks this version: it validates, but it does not run. */
  blocked?: ScoreReport;
}

/** What the loader knows about one file: the version on disk now, and the last one that validated. */
export interface FileState {
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

export interface VersionCacheOptions {
  securityLevel: SecurityLevel;
  /** The runtime has maxIterations on: loops are compiled to count every iteration (transform.ts). */
  countIterations: boolean;
  /** Hot reload: serve a file's last good version when its newest one is refused; else refuse the run. */
  watched?: boolean;
  /** Told once per new version of a file: loaded, or rejected. */
  onEvent?: (event: ModuleEvent) => void;
  /** The scoring gate; off when absent. */
  scoring?: ScoringSettings;
  /** Largest module file (bytes); the security level's limit when absent or larger. */
  maxModuleBytes?: number;
}

/** Compiled versions kept on the host, in bytes (a version counts its transformed source and its issues). */
const MAX_CACHED_BYTES = 128 * 1024 * 1024;
/** A `limit` verdict may come from a busy machine, not the file: it is tried again after this long. */
const LIMIT_VERDICT_MS = 30_000;

/** A module id or path as a message quotes it: paths may be 4 KB long. */
export function shownId(id: string): string {
  return clipText(id, 256);
}

/** Roughly what a version holds on the host heap (strings count two bytes a character at worst). */
export function bytesOf(version: CachedVersion): number {
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
 * Every version of every module file the host knows, by real path: the one on disk now and the last one that
 * validated, checked against the file's stamp on every use (a changed file is never stale, an unchanged one
 * never compiled again), bounded in bytes. New versions are compiled on loader threads; loaded and rejected
 * versions are reported once each.
 */
export class VersionCache {
  /** Never evicted: a file whose last good version still serves while its newest one is refused. */
  private readonly cache = new ByteBoundedCache<FileState>(MAX_CACHED_BYTES, (state) => Boolean(state.current.rejection && state.lastGood));
  /** Files being compiled now, by real path and stamp: concurrent calls wait for the same compile. */
  private readonly compiling = new Map<string, Promise<FileState>>();
  private seq = 0;

  constructor(
    private readonly options: VersionCacheOptions,
    private readonly pool: LoaderPool,
  ) {}

  /** The order in which compiles start. */
  nextSeq(): number {
    return ++this.seq;
  }

  /** A file's state as kept (counts as a use). */
  get(realPath: string): FileState | undefined {
    return this.cache.get(realPath);
  }

  /** What the host holds of these files (an entry's last walk), for a graph walked on a loader thread. */
  known(realPaths: readonly string[]): Record<string, KnownFile> {
    const known: Record<string, KnownFile> = {};
    for (const realPath of realPaths) {
      const state = this.cache.peek(realPath);
      if (!state) continue;
      const serving = this.serving(state);
      const file: KnownFile = { stamp: state.signature, unrunnable: Boolean(serving.rejection || serving.blocked), format: serving.format };
      if (serving !== state.current) file.specifiers = serving.specifiers;
      known[realPath] = file;
    }
    return known;
  }

  /** The version of a file to serve: its current one, or its last good one while the current one is refused. */
  serving(state: FileState): CachedVersion {
    // Watched or not, one bad deploy does not break a tenant's calls: its last good version keeps serving.
    return state.current.rejection && state.lastGood ? state.lastGood : state.current;
  }

  /** Describes one file for listings, loading it if needed. */
  async inspect(realFolder: string, realPath: string, trusted: boolean, memo = new StatMemo()): Promise<ModuleInfo> {
    const file = toId(realFolder, realPath);
    let state: FileState;
    try {
      state = await this.of(realFolder, realPath, file, trusted, memo);
    } catch (error) {
      if (error instanceof SlowPaths) throw error;
      const issues = error instanceof RuntimeError && Array.isArray(error.details?.issues) ? (error.details.issues as ValidationIssue[]) : [unloadable(file, error)];
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
      await this.of(realFolder, realPath, toId(realFolder, realPath), false, new StatMemo());
    } catch {
      // A file that vanished or cannot be read is forgotten by state(); the next load reports it.
    }
  }

  /** Files this loader holds under a folder. */
  knownFiles(realFolder: string): string[] {
    const prefix = realFolder + path.sep;
    const files = new Set<string>();
    for (const realPath of this.cache.keys()) if (realPath.startsWith(prefix)) files.add(realPath);
    // Being compiled counts as known: its text may be older than the disk by the time it is kept.
    for (const key of this.compiling.keys()) {
      const realPath = key.slice(0, key.indexOf("\0"));
      if (realPath.startsWith(prefix)) files.add(realPath);
    }
    return [...files];
  }

  /**
   * The state of a file: trusted (a watcher covers it) known versions as they are; otherwise its stamp is
   * checked, and a new version read, compiled on a loader thread and kept (concurrent calls share one compile).
   */
  async of(realFolder: string, realPath: string, id: string, trusted: boolean, memo: StatMemo): Promise<FileState> {
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
    memo.depend(realPath, signature);
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
    const seq = this.nextSeq();
    return this.adopt(realPath, id, signature, seq, await this.read(realFolder, realPath, id, stat));
  }

  /** Keeps a new version of a file (unless a newer one was kept meanwhile) and reports it: loaded, or rejected. */
  adopt(realPath: string, id: string, signature: string, seq: number, version: CachedVersion): FileState {
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
      if (lastGood) event.servingHash = lastGood.hash;
      this.options.onEvent?.(event);
    } else {
      this.options.onEvent?.({ type: "loaded", realPath, file: id, hash: version.hash });
    }
    return state;
  }

  maxModuleBytes(): number {
    return Math.min(LEVEL_DEFAULTS[this.options.securityLevel].maxModuleBytes, this.options.maxModuleBytes ?? Infinity);
  }

  private async read(realFolder: string, realPath: string, id: string, stat: fs.BigIntStats): Promise<CachedVersion> {
    const { securityLevel, countIterations } = this.options;
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
    const version: CachedVersion = await this.pool.compile(realFolder, { kind: "module", code, id, securityLevel, scoring: Boolean(this.options.scoring), countIterations });
    this.applyScoring(version, code, id);
    return version;
  }

  /** Layer 3: the thresholds and the platform's callbacks on the score a loader thread computed. */
  applyScoring(version: CachedVersion, code: string, file: string): void {
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

/** The folder watcher ignores dot-entries and stops at its depth: a file there is never trusted unseen. */
export function watcherSees(realFolder: string, realPath: string): boolean {
  if (depthBelow(realFolder, realPath) >= MAX_TENANT_PATH_DEPTH) return false;
  return !realPath.slice(realFolder.length).includes(path.sep + ".");
}

/** A `limit` refusal (a deadline or heap limit on a loader thread) is not kept as the file's verdict for long. */
function expired(state: FileState): boolean {
  return isLimitRefusal(state.current) && Date.now() - (state.rejectedAt ?? 0) > LIMIT_VERDICT_MS;
}

export function isLimitRefusal(version: CachedVersion): boolean {
  return version.rejection !== undefined && version.rejection.length === 1 && version.rejection[0]!.rule === "limit";
}

/**
 * Why a listed file could not be loaded, when no validation issue says it: a listing's entry always gives a
 * reason. Only the runtime's own messages (which name tenant paths only) or an error code: never a host path.
 */
function unloadable(file: string, error: unknown): ValidationIssue {
  if (file.includes("\uFFFD")) return undecodableNameIssue();
  const reason = error instanceof RuntimeError ? error.message : ((error as NodeJS.ErrnoException).code ?? "unknown error");
  return fileIssue("read-error", `cannot read file: ${clipText(reason, 200)}`);
}
