import { createHash } from "node:crypto";
import { RuntimeError } from "../errors.js";
import type { SecurityLevel } from "../security-levels.js";
import type { TaskModule } from "../runner/protocol.js";
import { BuiltinCatalog } from "./builtin-catalog.js";
import { builtinDependency, IMPLICIT_BUILTINS } from "./builtins.js";
import { isLibraryModule } from "./library-profile.js";
import { ContextBudget, expandContexts, isRequireContext, leaveOutSoftUnrunnable, type Unrunnable } from "./require-context.js";
import { resolveOnlyDependency, resolvedOnly } from "./resolve-only.js";
import { ByteBoundedCache } from "./byte-bounded-cache.js";
import type { GraphWalkInput } from "./graph-walk.js";
import { INLINE_SCRIPT_ID } from "./inline-script.js";
import { clipText, fileIssue, MAX_ISSUE_MESSAGE, type ValidationIssue, type ValidationResult } from "./issues.js";
import { LoaderPool, type LoaderPoolOptions } from "./loader-pool.js";
import type { WalkLimits } from "./module-files.js";
import { ResolutionCache } from "./resolution-cache.js";
import { checkEntryPath, entryIn, ResolveFailure, toId } from "./resolve.js";
import { HOST_FS_BUDGET, SlowPaths, StatMemo } from "./stat-memo.js";
import { bytesOf, isLimitRefusal, shownId, VersionCache, watcherSees, type CachedVersion, type ModuleInfo, type VersionCacheOptions } from "./version-cache.js";

export interface ModuleGraph {
  entry: string;
  /** Exactly what a task carries: handed to the worker as is, call after call. */
  modules: TaskModule[];
  /** Bytes of the tenant's own source in the graph (before the transform): what code-size quotas count. */
  sourceBytes: number;
  /** Set when a module lies where the folder watcher does not look (a dot-directory, past its depth): never cache the graph. */
  unwatched?: true;
}

export interface GraphOptions extends VersionCacheOptions {
  /** The loader threads that compile tenant text. */
  loader: LoaderPoolOptions;
}

export type { ModuleEvent, ModuleInfo, ScoringSettings } from "./version-cache.js";

const MAX_CACHED_SCRIPT_BYTES = 16 * 1024 * 1024;
const MAX_CACHED_GRAPH_BYTES = 64 * 1024 * 1024;
const MAX_GRAPH_MODULES = 2000;
const MAX_SPECIFIERS_PER_GRAPH = 5000;
/** Every call ships its graph's sources to the sandbox: bound what one call can make the host copy. */
const MAX_GRAPH_BYTES = 16 * 1024 * 1024;

const SLOW_FOLDER_MS = 60_000;
const IMPLICIT_IDS = new Set(Object.values(IMPLICIT_BUILTINS));

/** A graph over one of its structural limits (modules, specifiers, bytes): VALIDATION_ERROR. */
class GraphLimitError extends RuntimeError {
  constructor(message: string, details?: Record<string, unknown>) {
    super("VALIDATION_ERROR", message, details);
  }
}

/** What a graph holds: its transformed source (bounded per call) and the tenant's own bytes (code quotas). */
class GraphSize {
  private graphBytes = 0;
  sourceBytes = 0;

  add(version: CachedVersion): void {
    this.graphBytes += version.source.length;
    this.sourceBytes += version.bytes;
    if (this.graphBytes > MAX_GRAPH_BYTES) throw new GraphLimitError(`module graph is larger than ${MAX_GRAPH_BYTES} bytes of source`);
  }
}

/** A walked graph, marked `unwatched` when one of its files lies where the folder watcher does not look. */
function graphOf(realFolder: string, entry: string, modules: TaskModule[], size: GraphSize, realPaths: Iterable<string>): ModuleGraph {
  const graph: ModuleGraph = { entry, modules, sourceBytes: size.sourceBytes };
  for (const realPath of realPaths) {
    if (!watcherSees(realFolder, realPath)) {
      graph.unwatched = true;
      break;
    }
  }
  return graph;
}

/**
 * Loads a module and everything it statically requires or imports, validated and transformed, from a
 * per-file cache that is checked against the file's stat on every call: a changed file is never stale,
 * an unchanged one is never re-parsed. Compiling happens on loader threads (LoaderPool); what stays on
 * the host's thread per call is a memoized stat per file and directory and cached resolutions.
 */
export class ModuleGraphLoader {
  private readonly versions: VersionCache;
  /** Inline scripts by content hash: the same script sent again is not parsed again. */
  private readonly scripts = new ByteBoundedCache<CachedVersion>(MAX_CACHED_SCRIPT_BYTES);
  private readonly resolutions = new ResolutionCache();
  /**
   * Whole graphs by folder and entry, each with the stamps of every file and directory its walk looked at:
   * an unchanged graph costs a call one stat per such path, no resolution and no re-assembly.
   */
  private readonly graphs = new ByteBoundedCache<{ entryRealPath: string; stamps: [string, string][]; graph?: ModuleGraph; refused?: RuntimeError }>(MAX_CACHED_GRAPH_BYTES);
  /** The modules of each entry's last walk on a loader thread: what the next walk is told the host holds. */
  private readonly lastWalks = new ByteBoundedCache<string[]>(8 * 1024 * 1024);
  /** Folders whose paths were slow to look up, until when their graphs load on a loader thread. */
  private readonly slowFolders = new Map<string, number>();
  private readonly pool: LoaderPool;
  private readonly builtins: BuiltinCatalog;

  constructor(private readonly options: GraphOptions) {
    this.pool = new LoaderPool(options.loader);
    this.builtins = new BuiltinCatalog(this.pool, options.securityLevel, options.countIterations);
    this.versions = new VersionCache(options, this.pool);
  }

  /**
   * The graph of `file` (relative to the folder). `trusted`: a watcher that finished its first scan covers the
   * folder, so known files' versions are served without a stat (the watcher calls refresh() and forget()
   * when they change). On the host's main thread within HOST_FS_BUDGET; a folder that goes past it has its
   * graphs walked on a loader thread for SLOW_FOLDER_MS.
   */
  async load(realFolder: string, file: string, trusted: boolean): Promise<ModuleGraph> {
    const slowUntil = this.slowFolders.get(realFolder);
    if (slowUntil !== undefined && slowUntil > Date.now()) return (!trusted && this.keptIfCheap(realFolder, file)) || this.loadOffThread(realFolder, file, trusted);
    if (slowUntil !== undefined) this.slowFolders.delete(realFolder);
    const memo = new StatMemo(HOST_FS_BUDGET);
    try {
      const entryRealPath = entryIn(realFolder, file, memo);
      // Watched folders keep their graphs in the registry (the watcher says when they change).
      if (trusted) return await this.walk(realFolder, entryRealPath, trusted, memo);
      const key = `${realFolder}\0${file}`;
      const kept = this.kept(key, entryRealPath, memo);
      if (kept) return kept;
      let graph: ModuleGraph;
      try {
        graph = await this.walk(realFolder, entryRealPath, trusted, memo);
      } catch (error) {
        // A graph over its module or specifier limits stays over them until a file it read changes: the
        // next call is refused without walking it again.
        if (error instanceof GraphLimitError) {
          const stamps = memo.dependencies();
          this.graphs.set(key, { entryRealPath, stamps, refused: error }, refusalBytes(stamps));
        }
        throw error;
      }
      if (!memo.isVolatile) this.keep(key, entryRealPath, memo.dependencies(), graph);
      return graph;
    } catch (error) {
      if (!(error instanceof SlowPaths)) throw error;
      this.slowFolders.set(realFolder, Date.now() + SLOW_FOLDER_MS);
      if (this.slowFolders.size > 10_000) this.slowFolders.delete(this.slowFolders.keys().next().value!);
      return this.loadOffThread(realFolder, file, trusted);
    }
  }

  /** The graph kept for `key` if every path it depends on has the same stamp now (a refused one throws). */
  private kept(key: string, entryRealPath: string, memo: StatMemo): ModuleGraph | undefined {
    const cached = this.graphs.get(key);
    if (!cached || cached.entryRealPath !== entryRealPath || !cached.stamps.every(([p, stamp]) => memo.stamp(p) === stamp)) return undefined;
    if (cached.refused) throw cached.refused;
    return cached.graph!;
  }

  /**
   * For a folder whose graphs load on a loader thread: the graph kept from an earlier walk, when checking its
   * stamps stays within the main thread's budget. A folder was slow to walk (thousands of specifiers to
   * resolve, or slow paths); checking a walked graph is a stat per file and directory it depends on. Each
   * loader thread resolves with caches of its own, so without this every call walked again, on whichever
   * thread was free. Anything else (over the budget, a changed file, an error) goes to the loader thread.
   */
  private keptIfCheap(realFolder: string, file: string): ModuleGraph | undefined {
    const memo = new StatMemo(HOST_FS_BUDGET);
    try {
      return this.kept(`${realFolder}\0${file}`, entryIn(realFolder, file, memo), memo);
    } catch (error) {
      // A graph refused for its limits stays refused until what it read changes: not walked again (R1).
      if (error instanceof GraphLimitError) throw error;
      return undefined;
    }
  }

  private keep(key: string, entryRealPath: string, stamps: [string, string][], graph: ModuleGraph): void {
    const bytes = 1024 + graphBytes(graph) + stampsBytes(stamps);
    this.graphs.set(key, { entryRealPath, stamps, graph }, bytes);
  }

  private async walk(realFolder: string, entryRealPath: string, trusted: boolean, memo: StatMemo): Promise<ModuleGraph> {
    const entry = toId(realFolder, entryRealPath);
    const modules: TaskModule[] = [];
    const seen = new Set<string>();
    const queue = [entryRealPath];
    let specifierCount = 0;
    const size = new GraphSize();
    const contextDeps = new Map<string, Set<string>>();
    const unrunnable: Unrunnable[] = [];
    // Modules some specifier other than a context's reached: one that cannot run fails the load at once.
    const reachedHard = new Set<string>([entry]);
    const budget = new ContextBudget(MAX_SPECIFIERS_PER_GRAPH);
    while (queue.length) {
      const realPath = queue.shift()!;
      if (seen.has(realPath)) continue;
      seen.add(realPath);
      if (seen.size > MAX_GRAPH_MODULES) throw new GraphLimitError(`module graph has more than ${MAX_GRAPH_MODULES} modules`);
      const id = toId(realFolder, realPath);
      const version = this.versions.serving(await this.versions.of(realFolder, realPath, id, trusted, memo));
      if (reachedHard.has(id)) refuseUnrunnable(id, version);
      // Refused at the end, unless only a computed require's context reached it (require-context.ts).
      if (setAside(id, version, modules, unrunnable)) continue;
      size.add(version);
      const deps: TaskModule["deps"] = Object.create(null);
      const library = isLibraryModule(id);
      // Timed as a whole (a stat each is timed already): past the budget, the walk moves to a loader thread.
      let started = performance.now();
      // A library's computed require spelled with its directory: the files of that directory it could name.
      let specifiers = version.specifiers;
      if (specifiers.some(isRequireContext)) {
        const expanded = expandContexts(specifiers, { library, realPath, realFolder, memo, budget, specifiersSoFar: specifierCount });
        specifiers = expanded.specifiers;
        contextDeps.set(id, expanded.fromContexts);
      }
      specifierCount += specifiers.length;
      // Each specifier costs a cache look-up on the host thread: bound them.
      if (specifierCount > MAX_SPECIFIERS_PER_GRAPH) throw new GraphLimitError(`module graph has more than ${MAX_SPECIFIERS_PER_GRAPH} require/import specifiers`);
      for (const [index, specifier] of specifiers.entries()) {
        if ((index & 63) === 63) {
          const now = performance.now();
          memo.chargeWork(now - started);
          started = now;
        }
        const only = resolvedOnly(specifier);
        if (only !== undefined) {
          if (!Object.hasOwn(deps, only)) deps[only] = resolveOnlyDependency(() => builtinDependency(only, library) ?? { id: toId(realFolder, this.resolutions.resolve(realFolder, realPath, only, memo, "require")) });
          continue;
        }
        const builtin = builtinDependency(specifier, library);
        if (builtin) {
          deps[specifier] = builtin;
          continue;
        }
        try {
          const depReal = this.resolutions.resolve(realFolder, realPath, specifier, memo, version.format === "esm" ? "import" : "require");
          const depId = toId(realFolder, depReal);
          deps[specifier] = { id: depId };
          if (!contextDeps.get(id)?.has(specifier)) reachedHard.add(depId);
          queue.push(depReal);
        } catch (error) {
          if (!(error instanceof ResolveFailure)) throw error;
          deps[specifier] = { error: error.message };
        }
      }
      memo.chargeWork(performance.now() - started);
      modules.push({ id, format: version.format, hash: version.hash, source: version.source, deps });
    }
    const kept = leaveOutSoftUnrunnable(modules, entry, contextDeps, unrunnable);
    await this.builtins.addTo(kept);
    return graphOf(realFolder, entry, kept, size, seen);
  }

  /** The same walk on a loader thread: stats, resolutions, reads and compiles there; versions and verdicts here. */
  private async loadOffThread(realFolder: string, file: string, trusted: boolean): Promise<ModuleGraph> {
    checkEntryPath(realFolder, file);
    const input: GraphWalkInput = {
      realFolder,
      entryFile: file,
      known: this.versions.known(this.lastWalks.get(`${realFolder}\0${file}`) ?? []),
      securityLevel: this.options.securityLevel,
      scoring: Boolean(this.options.scoring),
      countIterations: this.options.countIterations,
      maxModuleBytes: this.versions.maxModuleBytes(),
      withCode: Boolean(this.options.scoring?.customScorer),
      limits: { maxModules: MAX_GRAPH_MODULES, maxSpecifiers: MAX_SPECIFIERS_PER_GRAPH },
    };
    const walked = await this.pool.walk(realFolder, input);
    if (!walked.ok && walked.limit) {
      // Kept as the main thread's walk keeps it (load): without it every call of a graph over its limits walked
      // it again on a loader thread, ~0.4 s of the host's CPU per call for 1,990 modules (red team dec11, R1).
      const refused = new GraphLimitError(walked.message, { file });
      const { entryRealPath, dependsOn, volatile } = walked.limit;
      if (!trusted && !volatile) this.graphs.set(`${realFolder}\0${file}`, { entryRealPath, stamps: dependsOn, refused }, refusalBytes(dependsOn));
      throw refused;
    }
    if (!walked.ok) {
      const missing = walked.realPath ? toId(realFolder, walked.realPath) : undefined;
      const message = missing !== undefined && walked.code === "MODULE_NOT_FOUND" ? `cannot find module "${shownId(missing)}"` : walked.message;
      throw new RuntimeError(walked.code, message, { file: missing ?? file });
    }
    const paths = walked.modules.map((module) => module.realPath);
    this.lastWalks.set(`${realFolder}\0${file}`, paths, 256 + paths.reduce((bytes, p) => bytes + 32 + p.length * 2, 0));
    const modules: TaskModule[] = [];
    const size = new GraphSize();
    const contextDeps = new Map<string, Set<string>>();
    const unrunnable: Unrunnable[] = [];
    for (const module of walked.modules) {
      const id = toId(realFolder, module.realPath);
      if (module.contextDeps) contextDeps.set(id, new Set(module.contextDeps));
      let state = this.versions.get(module.realPath);
      // A version the host already holds (the walk was not told) is not kept again.
      if (module.version && !(state && state.signature === module.stamp)) {
        const version: CachedVersion = module.version;
        this.versions.applyScoring(version, module.code ?? "", id);
        state = this.versions.adopt(module.realPath, id, module.stamp, this.versions.nextSeq(), version);
      } else if (!state) {
        // Evicted between the walk and now (the cache is byte-bounded): rare; the caller may try again.
        throw new RuntimeError("MODULE_NOT_FOUND", `module "${shownId(id)}" changed while it was loaded; try again`, { file: id });
      }
      const version = this.versions.serving(state);
      // Refused after the walk, unless only a computed require's context reached it (require-context.ts).
      if (setAside(id, version, modules, unrunnable)) continue;
      try {
        size.add(version);
      } catch (error) {
        // Over its bytes: kept as refused too, against what the walk read (R1).
        if (error instanceof GraphLimitError && !trusted && !walked.volatile) this.graphs.set(`${realFolder}\0${file}`, { entryRealPath: walked.entryRealPath, stamps: walked.dependsOn, refused: error }, refusalBytes(walked.dependsOn));
        throw error;
      }
      modules.push({ id, format: version.format, hash: version.hash, source: version.source, deps: module.deps });
    }
    const entryId = toId(realFolder, walked.entryRealPath);
    const kept = leaveOutSoftUnrunnable(modules, entryId, contextDeps, unrunnable);
    await this.builtins.addTo(kept);
    const graph = graphOf(realFolder, entryId, kept, size, paths);
    // Kept as the host's own walks are (watched folders keep theirs in the registry).
    if (!trusted && !walked.volatile) this.keep(`${realFolder}\0${file}`, walked.entryRealPath, walked.dependsOn, graph);
    return graph;
  }

  /**
   * An inline script (a function body) as a one-module graph: its default export is an async function
   * running the body. It cannot require or import anything. `tenant` shares the loader threads fairly.
   */
  async inline(code: string, tenant: string): Promise<ModuleGraph> {
    // Refused before it is hashed or copied to a loader thread: a UTF-8 byte count is never below the length.
    const maxBytes = this.versions.maxModuleBytes();
    if (code.length > maxBytes) {
      throw new RuntimeError("VALIDATION_ERROR", `${INLINE_SCRIPT_ID}: the script is more than ${maxBytes} bytes`, {
        file: INLINE_SCRIPT_ID,
        issues: [fileIssue("max-module-size", `script is more than ${maxBytes} bytes; the limit is ${maxBytes}`)],
      });
    }
    const key = createHash("sha256").update(code).digest("base64url");
    let version = this.scripts.get(key);
    if (!version) {
      version = await this.pool.compile(tenant, { kind: "script", code, id: INLINE_SCRIPT_ID, securityLevel: this.options.securityLevel, scoring: Boolean(this.options.scoring), countIterations: this.options.countIterations });
      this.versions.applyScoring(version, code, INLINE_SCRIPT_ID);
      // A limit refusal may be the machine's load, not the script's: not kept.
      if (!isLimitRefusal(version)) this.scripts.set(key, version, bytesOf(version));
    }
    refuseUnrunnable(INLINE_SCRIPT_ID, version);
    const deps: TaskModule["deps"] = Object.create(null);
    for (const specifier of version.specifiers) deps[specifier] = { error: "an inline script cannot require or import modules" };
    const modules: TaskModule[] = [{ id: INLINE_SCRIPT_ID, format: version.format, hash: version.hash, source: version.source, deps }];
    // Globals such as Buffer still come with the built-ins behind them (the script names them: compile.ts).
    await this.builtins.addTo(modules, version.specifiers.filter((specifier) => IMPLICIT_IDS.has(specifier)));
    return { entry: INLINE_SCRIPT_ID, modules, sourceBytes: version.bytes };
  }

  /** Layers 0 and 1 on a loader thread (validate): nothing is kept, nothing runs. */
  check(code: string, kind: "module" | "script", extension: string, securityLevel: SecurityLevel, tenant: string): Promise<ValidationResult> {
    return this.pool.check(tenant, { code, kind, extension, securityLevel });
  }

  /** Describes one file for listings, loading it if needed. */
  inspect(realFolder: string, realPath: string, trusted: boolean, memo?: StatMemo): Promise<ModuleInfo> {
    return this.versions.inspect(realFolder, realPath, trusted, memo);
  }

  /** Re-reads a file the watcher reported as changed (a trusted folder never re-reads on its own). */
  refresh(realFolder: string, realPath: string): Promise<void> {
    return this.versions.refresh(realFolder, realPath);
  }

  /** Forgets a file (deleted): nothing of it stays in memory. */
  forget(realPath: string): void {
    this.versions.forget(realPath);
  }

  /** A folder's module files, listed on a loader thread (the folder is the tenant there). */
  listFiles(realFolder: string, limits: WalkLimits): Promise<string[]> {
    return this.pool.list(realFolder, realFolder, limits);
  }

  /** Files the loader holds under a folder. */
  knownFiles(realFolder: string): string[] {
    return this.versions.knownFiles(realFolder);
  }

  /** Ends the loader threads. */
  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * What a walked graph holds: each module's id and source (`withSources`: the version's, shared with the version
 * cache) and its dependencies (the id or error made for this walk). Sources alone were counted: a library's main
 * 3,800 characters deep required from 1,200 modules held ~5 MB a graph (a fresh id string each) for ~0.4 MB
 * counted, one graph per spelling of the entry file: the 64 MB cache could hold ~800 MB (review dec11).
 */
export function graphBytes(graph: ModuleGraph, withSources = true): number {
  let bytes = 0;
  for (const module of graph.modules) {
    bytes += 256 + ((withSources ? module.source.length : 0) + module.id.length) * 2;
    const deps = module.deps;
    // A specifier is a property key, interned (one copy however many graphs have it): not counted, or a graph of
    // long failing specifiers counted 3x its source and fitted no cache (every call walked it again).
    for (const specifier in deps) {
      const dep = deps[specifier]!;
      bytes += 64 + ("id" in dep ? dep.id.length : dep.error.length) * 2;
    }
  }
  return bytes;
}

/** What a graph's stamps hold: each path and stamp (two bytes a character) and the pair's arrays. */
function stampsBytes(stamps: readonly [string, string][]): number {
  let bytes = 0;
  for (const [p, stamp] of stamps) bytes += 64 + (p.length + stamp.length) * 2;
  return bytes;
}

/**
 * What a refused graph's entry holds: its stamps, counted as a kept graph's are. Counted as 128 bytes a stamp,
 * one refused graph of 2,000 modules 3,800 characters deep held ~7.6 MB for 257 KB counted: the 64 MB cache
 * could hold ~2 GB of them, one spelling of the entry file each (review dec11).
 */
function refusalBytes(stamps: readonly [string, string][]): number {
  return 1024 + stampsBytes(stamps);
}

/** A version that failed validation or that the scoring gate blocked does not run. */
/** Whether the version cannot run (refused, or blocked by scoring): then it is set aside, with no dependencies of its own. */
function setAside(id: string, version: CachedVersion, modules: TaskModule[], unrunnable: Unrunnable[]): boolean {
  if (!version.rejection && !version.blocked) return false;
  unrunnable.push({ id, why: version.rejection ? describeIssues(version.rejection) : "blocked by scoring", refuse: () => refuseUnrunnable(id, version) as never });
  modules.push({ id, format: version.format, hash: version.hash, source: version.source, deps: {} });
  return true;
}

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



