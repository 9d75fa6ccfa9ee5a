import fs from "node:fs";
import path from "node:path";
import { RuntimeError } from "../errors.js";
import { clipText, fileIssue, limitIssues, MAX_QUOTED_TEXT, type ValidationIssue, type ValidationResult } from "../loader/issues.js";
import { ByteBoundedCache } from "../loader/byte-bounded-cache.js";
import { graphBytes, ModuleGraphLoader, type ModuleEvent, type ModuleGraph, type ModuleInfo, type ScoringSettings } from "../loader/module-graph.js";
import { entryIn, MODULE_EXTENSIONS, realFolderOf, toId } from "../loader/resolve.js";
import type { LoaderPoolOptions } from "../loader/loader-pool.js";
import { fileSignature, HOST_FS_BUDGET, SlowPaths, StatMemo } from "../loader/stat-memo.js";
import type { SecurityLevel } from "../security-levels.js";
import { FolderWatcher, type FileChange } from "./folder-watcher.js";
import { MANIFEST_FILE, readManifestFile, type HookTarget, type Manifest, type ParsedManifest } from "./manifest.js";

const MODULE_FILE = new Set<string>(MODULE_EXTENSIONS);
const MAX_LISTED_FILES = 5000;
/** Directory entries one listing may visit. */
const MAX_VISITED_ENTRIES = 20_000;
/**
 * What the module graphs watched folders keep hold in all, by the caller's spelling of the entry file (least
 * recently used out; sources are the versions' and not counted here). 1,024 graphs a folder were kept whatever
 * each held: graphs of 1,200 modules requiring a library's main 3,800 characters deep hold ~5 MB each (a fresh id
 * per dependency), 1,024 of them ~5 GB (review dec11).
 */
const MAX_WATCHED_GRAPH_BYTES = 128 * 1024 * 1024;
/** Generations of folders' contents, across folders: a cached graph's key names its folder's, never reused. */
let generations = 0;
/** Spellings of folders the registry maps to their state under watch (all forgotten past it). */
const MAX_FOLDER_SPELLINGS = 10_000;
/** The longest stretch a listing keeps the main thread (ms). */
const LISTING_SLICE_MS = 4;
/**
 * Characters of issue messages and export names one listing holds in all (each issue counted with
 * ISSUE_OVERHEAD, each name with NAME_OVERHEAD, a refused file's issues twice): past it a file's issues are
 * counted, not listed, and its exports left out. Each file's were bounded (100 issues) or not at all (export
 * names), the whole listing not: 5,000 files of 101 `eval(x);` lines (4.4 MB on disk) listed 163 MB, which the
 * service serialized on its main thread, 0.6-1.4 s per GET /v1/modules (red team dec11, L1).
 */
const MAX_LISTING_DETAIL = 2 * 1024 * 1024;
const ISSUE_OVERHEAD = 64;
const NAME_OVERHEAD = 3;
const byName = new Intl.Collator().compare;
/** Distinct handler files a manifest may name: each is checked on the host whenever the manifest is judged. */
const MAX_HANDLER_FILES = 64;
/** Distinct places of raw activity a sweep goes to; past them, the tenant folders holding them, swept whole (withPlace). */
const MAX_SWEEP_PLACES = 256;

/** Events the registry reports (the runtime re-emits them to its listeners). */
export interface RegistryEvents {
  "module:loaded": { tenant: string; folder: string; file: string; hash: string };
  "module:rejected": { tenant: string; folder: string; file: string; issues: ValidationIssue[]; servingHash?: string };
  "module:removed": { tenant: string; folder: string; file: string };
  "manifest:loaded": { tenant: string; folder: string; file: string; events: string[] };
  "manifest:rejected": { tenant: string; folder: string; file: string; issues: ValidationIssue[] };
  reload: { tenant: string; folder: string; files: string[] };
}
export type RegistryEventName = keyof RegistryEvents;

export interface RegistryOptions {
  securityLevel: SecurityLevel;
  /** maxIterations is on: loops are compiled to count every iteration. */
  countIterations: boolean;
  scoring?: ScoringSettings;
  /** Largest module file (bytes), below the security level's own limit. */
  maxModuleBytes?: number;
  /** Directory holding one folder per tenant; with it, folders must be inside it and watching covers them all. */
  root?: string;
  /** Watch folders and keep their compiled modules in memory (hot reload); else check stat on every call. */
  watch: boolean;
  /** The loader threads that compile tenant text. */
  loader: LoaderPoolOptions;
  emit<E extends RegistryEventName>(event: E, payload: RegistryEvents[E]): void;
}

export interface ManifestState {
  /** The hooks in force: the newest valid manifest, or under watch the last valid one. */
  hooks: Map<string, HookTarget[]>;
  /** The schedules in force (cron expression -> handlers), from the same manifest as the hooks. */
  schedules: Map<string, HookTarget[]>;
  issues: ValidationIssue[];
  valid: boolean;
}

interface FolderState {
  realFolder: string;
  tenant: string;
  /**
   * Changes with every invalidation (unique across folders and folder states): a graph loaded across one (its
   * versions compiled meanwhile) is not cached, and graphs cached under an earlier one are not found again.
   */
  generation: number;
  manifest?: ManifestState;
  parsedManifest?: { signature: string | undefined; result: ParsedManifest | undefined };
  lastGoodManifest?: Manifest;
  /** The last manifest verdict reported, so events fire on changes only. */
  verdict?: string;
  watched: boolean;
  /** The folder's change batches, applied one after another. */
  applying?: Promise<void>;
  /** Settles once the watcher covers the folder and what was loaded meanwhile was read again. */
  watching?: Promise<void>;
}

/**
 * Knows every module of every folder it serves: versions (content hashes), formats, exports, validation
 * results, the last rejected version. Without watching, every call re-checks the files' stat; with
 * watching, chokidar reports changes, the folder's modules are re-validated at once (rejections and
 * removals become events), and the hot path touches no file at all.
 */
export class Registry {
  private readonly loader: ModuleGraphLoader;
  private readonly folders = new Map<string, FolderState>();
  /** Watched folders' module graphs (graphKey), bounded in bytes across folders. */
  private readonly graphs = new ByteBoundedCache<ModuleGraph>(MAX_WATCHED_GRAPH_BYTES);
  private readonly byUserFolder = new Map<string, FolderState>();
  private readonly watcher: FolderWatcher | undefined;
  private readonly realRoot: string | undefined;
  private rootReady: Promise<void> = Promise.resolve();
  private sweepTimer: NodeJS.Timeout | undefined;
  /** Where raw activity happened since the last sweep; undefined: somewhere unknown, every folder is swept. */
  private sweepPlaces: Set<string> | undefined = new Set();
  /** Whether sweepPlaces holds tenant folders (swept whole) instead of the places themselves (withPlace). */
  private sweepCoarse = false;
  /** Folders' change batches being applied (close() waits for them). */
  private readonly applying = new Set<Promise<void>>();

  constructor(private readonly options: RegistryOptions) {
    this.loader = new ModuleGraphLoader({
      securityLevel: options.securityLevel,
      countIterations: options.countIterations,
      ...(options.scoring ? { scoring: options.scoring } : {}),
      ...(options.maxModuleBytes !== undefined ? { maxModuleBytes: options.maxModuleBytes } : {}),
      watched: options.watch,
      loader: options.loader,
      onEvent: (event) => this.onModuleEvent(event),
    });
    if (options.root !== undefined) {
      let realRoot: string | undefined;
      try {
        realRoot = fs.realpathSync.native(options.root);
        if (!fs.statSync(realRoot).isDirectory()) realRoot = undefined;
      } catch {
        // reported below
      }
      if (realRoot === undefined) throw new TypeError(`tenantbox: option "root" must be an existing directory, got ${JSON.stringify(options.root)}`);
      // The file system's root holds no tenant folders (every check "inside the root" is a prefix of root + "/",
      // which "/" has not: every folder was refused as outside it).
      if (path.dirname(realRoot) === realRoot) throw new TypeError(`tenantbox: option "root" must be a directory of tenant folders, not the file system's root, got ${JSON.stringify(options.root)}`);
      this.realRoot = realRoot;
    }
    if (options.watch) {
      this.watcher = new FolderWatcher(
        (changes) => this.onChanges(changes),
        (where) => this.scheduleSweep(where),
        (where) => this.onBlindSpot(where),
      );
      if (this.realRoot) this.rootReady = this.watcher.add(this.realRoot);
    }
  }

  /** Resolves once the watchers started so far have finished their initial scan. */
  async ready(): Promise<void> {
    await this.rootReady;
    const watcher = this.watcher;
    if (watcher) await Promise.all([...this.folders.values()].map((f) => f.watching ?? watcher.add(this.watchDir(f.realFolder))));
  }

  /** The module graph for a run: validated, transformed, from memory when the folder is watched. */
  async graph(folder: string, file: string): Promise<ModuleGraph> {
    const state = this.folder(folder);
    if (state.watched) {
      const cached = this.graphs.get(graphKey(state, file));
      if (cached) return cached;
    }
    const generation = state.generation;
    const graph = await this.loader.load(state.realFolder, file, state.watched);
    if (state.watched && state.generation === generation && !graph.unwatched) {
      // Keyed by the caller's spelling of the file (a request's: "a.js", "./a.js", "q/../a.js", ...): bounded in
      // bytes (the key counted too), or a tenant's endless spellings of one module grew the host's heap.
      this.graphs.set(graphKey(state, file), graph, graphBytes(graph, false));
    }
    return graph;
  }

  /** An inline script as a one-module graph (compiled on a loader thread; the folder names the tenant). */
  inline(code: string, tenant: string): Promise<ModuleGraph> {
    return this.loader.inline(code, tenant);
  }

  /** Layers 0 and 1 of some text, on a loader thread: nothing is kept, nothing runs. */
  check(code: string, kind: "module" | "script", extension: string, securityLevel: SecurityLevel, tenant: string): Promise<ValidationResult> {
    return this.loader.check(code, kind, extension, securityLevel, tenant);
  }

  /** Every module file of a folder (node_modules and dot-files excluded), as the registry knows it. */
  async modules(folder: string): Promise<ModuleInfo[]> {
    const state = this.folder(folder);
    const manifest = path.join(state.realFolder, MANIFEST_FILE);
    const files = await this.loader.listFiles(state.realFolder, { maxFiles: MAX_LISTED_FILES, maxEntries: MAX_VISITED_ENTRIES, sorted: false });
    const out: ModuleInfo[] = [];
    // Known versions answer at once, so the loop would never leave the main thread: 5,000 of them held it
    // 100-450 ms. It lets the event loop turn every few milliseconds.
    let slice = performance.now();
    let room = MAX_LISTING_DETAIL;
    for (const realPath of files) {
      if (realPath === manifest) continue;
      const info = await this.loader.inspect(state.realFolder, realPath, state.watched);
      const detail = listingDetail(info);
      room -= detail;
      out.push(room >= 0 ? info : withoutDetail(info, detail));
      if (performance.now() - slice > LISTING_SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        slice = performance.now();
      }
    }
    // localeCompare's order, with one collator (localeCompare makes one per comparison: 5,000 names took ~30 ms).
    return out.sort((a, b) => byName(a.file, b.file));
  }

  /**
   * The hooks manifest of a folder, validated against the folder's modules. Watched: from memory,
   * recomputed after every change in the folder. Not watched: the file is re-read when its stat changes,
   * and its handlers are checked against the modules on every call (they may have changed on their own).
   */
  async manifest(folder: string): Promise<ManifestState> {
    const state = this.folder(folder);
    if (state.watched && state.manifest) return state.manifest;
    const file = path.join(state.realFolder, MANIFEST_FILE);
    const signature = fileSignature(file);
    let parsed = state.parsedManifest;
    if (!parsed || parsed.signature !== signature) {
      parsed = { signature, result: signature === undefined ? undefined : readManifestFile(file, state.realFolder) };
      state.parsedManifest = parsed;
    }
    const judged = await this.judgeManifest(state, parsed.result);
    // A change applied while this one was judged has already cleared the folder's state: keep that.
    if (state.parsedManifest === parsed) state.manifest = judged;
    return judged;
  }

  /** The manifest in force, its issues (schema and handlers), and events when the verdict changes. */
  private async judgeManifest(state: FolderState, parsed: ParsedManifest | undefined): Promise<ManifestState> {
    if (!parsed) {
      // No manifest (any more): no hooks, and nothing of an older manifest comes back later.
      state.verdict = undefined;
      state.lastGoodManifest = undefined;
      return { hooks: new Map(), schedules: new Map(), issues: [], valid: true };
    }
    const issues = [...parsed.issues];
    if (parsed.manifest) issues.push(...(await this.checkTargets(state, parsed.manifest)));
    issues.splice(0, issues.length, ...limitIssues(issues));
    const valid = !issues.some((i) => i.severity === "error");
    const base = { tenant: state.tenant, folder: state.realFolder, file: MANIFEST_FILE };
    const verdict = JSON.stringify([valid, issues]) + (parsed.manifest ? handlersText(parsed.manifest) : "null");
    const changed = verdict !== state.verdict;
    state.verdict = verdict;
    if (valid && parsed.manifest) {
      state.lastGoodManifest = parsed.manifest;
      if (changed) this.options.emit("manifest:loaded", { ...base, events: [...parsed.manifest.hooks.keys()] });
      return { hooks: parsed.manifest.hooks, schedules: parsed.manifest.schedules, issues, valid };
    }
    if (changed) this.options.emit("manifest:rejected", { ...base, issues });
    // The last valid manifest keeps serving (its handlers still report their own errors when they run);
    // a folder that never had a valid manifest serves nothing.
    const good = state.lastGoodManifest;
    return { hooks: good ? good.hooks : new Map(), schedules: good ? good.schedules : new Map(), issues, valid };
  }

  /**
   * Every handler must name a module that exists, validates, and exports the function. Unwatched, this runs on
   * every emit: the files are looked at once each, then the handlers (up to 8,192) are judged in one pass with
   * no await between them (a loop that awaited each handler cost 2.4-3.4 ms of the main thread per emit).
   */
  private async checkTargets(state: FolderState, manifest: Manifest): Promise<ValidationIssue[]> {
    const issues: ValidationIssue[] = [];
    const lists = [...[...manifest.hooks].map(([key, targets]) => ["hooks", key, targets] as const), ...[...manifest.schedules].map(([key, targets]) => ["schedules", key, targets] as const)];
    // One look per distinct file, in the order handlers name them, at most MAX_HANDLER_FILES of them, within
    // the host's file-system budget.
    const files = new Set<string>();
    for (const [, , targets] of lists) for (const target of targets) files.add(target.file);
    const infos = new Map<string, ModuleInfo | string>();
    const memo = new StatMemo(HOST_FS_BUDGET);
    let unchecked = false;
    for (const file of files) {
      if (infos.size >= MAX_HANDLER_FILES) break;
      try {
        infos.set(file, await this.loader.inspect(state.realFolder, entryIn(state.realFolder, file, memo), state.watched, memo));
      } catch (error) {
        if (error instanceof SlowPaths) {
          unchecked = true;
          break;
        }
        infos.set(file, error instanceof RuntimeError ? error.message : "cannot be loaded");
      }
    }
    for (const [field, event, targets] of lists) {
      for (const target of targets) {
        const { file, funcName } = target;
        const info = infos.get(file);
        if (info === undefined) continue;
        let message: string | undefined;
        let severity: ValidationIssue["severity"] | undefined;
        if (typeof info === "string") message = info;
        else if (!info.valid) message = `the module does not validate${firstError(info.issues)}`;
        else if (!info.exports.includes(funcName)) {
          // Exports that reading cannot list (module.exports = someObject) are checked when the hook runs.
          if (info.exportsComplete) message = `the module does not export "${funcName}"`;
          else [message, severity] = [`cannot tell statically whether the module exports "${funcName}"`, "warning"];
        }
        if (message !== undefined) issues.push(fileIssue("manifest", `${field}["${event}"]: ${file}#${funcName}: ${message}`, severity, manifest.locate(field, event, target)));
      }
    }
    if (unchecked) issues.push(fileIssue("manifest", "handler files were not all checked: the folder's paths are slow to look up", "warning", manifest.locate()));
    else if (files.size > infos.size) {
      issues.push(fileIssue("manifest", `handlers name more than ${MAX_HANDLER_FILES} different files`, "error", manifest.locate()));
    }
    return issues;
  }

  /**
   * Folders the watcher has a blind spot in (a watch the system refused: ENOSPC once the user's inotify
   * watches are used up, which one tenant's thousands of files or directories can do to every other tenant):
   * they are checked on every call, as without watch, for the rest of the runtime's life (a refused watch is
   * never retried). `all`: a failure that names no folder, after which no folder is trusted.
   */
  private readonly blind = { all: false, folders: new Set<string>() };

  private onBlindSpot(where: string | undefined): void {
    const root = this.realRoot;
    if (where === undefined || (root !== undefined && !where.startsWith(root + path.sep))) this.blind.all = true;
    else if (root !== undefined) this.blind.folders.add(path.join(root, path.relative(root, where).split(path.sep)[0]!));
    else this.blind.folders.add(where);
    if (this.blind.folders.size > 10_000) this.blind.all = true;
    for (const state of this.folders.values()) {
      if (!this.isBlind(state.realFolder) || !state.watched) continue;
      state.watched = false;
      invalidate(state);
    }
  }

  /**
   * Whether the root's watcher reports changes in the folder: not when the folder's real path lies in a
   * dot-directory of the root (the watcher ignores dot-entries below the directory it watches), as a folder
   * deployed by a link swap does (`<root>/acme -> .releases/acme-42`). Such a folder is checked on every call.
   */
  private watcherCovers(realFolder: string): boolean {
    if (this.realRoot === undefined) return true;
    return !path.relative(this.realRoot, realFolder).split(path.sep).some((segment) => segment.startsWith(".") && segment !== "." && segment !== "..");
  }

  /** Whether a folder may have changes the watcher cannot report (it, a folder inside it, or one around it, has a blind spot). */
  private isBlind(realFolder: string): boolean {
    if (this.blind.all) return true;
    for (const blind of this.blind.folders) {
      if (blind === realFolder || blind.startsWith(realFolder + path.sep) || realFolder.startsWith(blind + path.sep)) return true;
    }
    return false;
  }

  private realStore: string | undefined;

  /** The version store's real path (compileCacheDir), once it exists. */
  private realStoreDir(): string | undefined {
    if (this.realStore === undefined && this.options.loader.storeDir !== undefined) {
      try {
        this.realStore = fs.realpathSync.native(this.options.loader.storeDir);
      } catch {
        // Not made yet (the loader pool makes it at start): nothing in it to read.
      }
    }
    return this.realStore;
  }

  private folder(folder: string): FolderState {
    // Watched folders skip even the realpath: the watcher forgets the mapping when anything changes.
    const known = this.byUserFolder.get(folder);
    if (known?.watched) return known;
    const realFolder = realFolderOf(folder);
    if (this.realRoot && !realFolder.startsWith(this.realRoot + path.sep)) {
      throw new RuntimeError("INVALID_REQUEST", "folder is not inside the runtime's root");
    }
    let state = this.folders.get(realFolder);
    if (!state) {
      // A tenant whose folder holds the version store could read its key and sign versions that skip the
      // rules and the guards (red team, F1): such a folder is refused before anything of it loads.
      const store = this.realStoreDir();
      if (store !== undefined && (store === realFolder || store.startsWith(realFolder + path.sep))) {
        throw new RuntimeError("INVALID_REQUEST", "the runtime's compileCacheDir is inside this folder: move it out of every tenant folder");
      }
      const tenant = this.realRoot ? path.relative(this.realRoot, realFolder).split(path.sep).join("/") : path.basename(realFolder);
      state = { realFolder, tenant, generation: ++generations, watched: false };
      this.folders.set(realFolder, state);
      if (this.watcher) {
        // Until the watcher has scanned the folder, calls keep checking stat (no change can be missed).
        const current = state;
        current.watching = this.watcher.add(this.watchDir(realFolder)).then(async () => {
          // Whatever was loaded while the watcher scanned may have changed unreported: read it again.
          await Promise.all(this.loader.knownFiles(current.realFolder).map((file) => this.loader.refresh(current.realFolder, file)));
          invalidate(current);
          current.watched = !this.isBlind(current.realFolder) && this.watcherCovers(current.realFolder);
        });
      }
    }
    if (this.watcher) {
      // The caller's spellings of folders, bounded as the graphs are: forgotten all at once (they are found again).
      if (this.byUserFolder.size >= MAX_FOLDER_SPELLINGS) this.byUserFolder.clear();
      this.byUserFolder.set(folder, state);
    }
    return state;
  }

  private watchDir(realFolder: string): string {
    return this.realRoot ?? realFolder;
  }

  private folderOf(realPath: string): FolderState | undefined {
    return this.foldersHolding(realPath)[0];
  }

  /**
   * The known folders that hold a path (nested tenant folders: each of them), innermost first: its ancestors
   * looked up one by one, never every folder compared with it (one tenant's batch of 10,000 changes against
   * 3,000 known folders was 30 million comparisons, a second of the host's main thread).
   */
  private foldersHolding(realPath: string): FolderState[] {
    const found: FolderState[] = [];
    for (let dir = path.dirname(realPath); ; ) {
      const state = this.folders.get(dir);
      if (state) found.push(state);
      const up = path.dirname(dir);
      if (up === dir) return found;
      dir = up;
    }
  }

  private onModuleEvent(event: ModuleEvent): void {
    const state = this.folderOf(event.realPath);
    if (!state) return;
    const base = { tenant: state.tenant, folder: state.realFolder, file: event.file };
    if (event.type === "loaded") this.options.emit("module:loaded", { ...base, hash: event.hash });
    else {
      const payload: RegistryEvents["module:rejected"] = { ...base, issues: event.issues };
      if (event.servingHash) payload.servingHash = event.servingHash;
      this.options.emit("module:rejected", payload);
    }
  }

  /** A settled batch of file changes: drop cached graphs, re-validate what changed, report it. */
  /** Sorts a batch by folder; each folder applies its changes in order, independently of the others. */
  private onChanges(changes: FileChange[]): void {
    // Any change may re-point a caller's folder string (a tenant folder or symlink swapped under the
    // root): every mapping is resolved again on its next call.
    this.byUserFolder.clear();
    const touched = new Map<FolderState, Set<string>>();
    const touch = (state: FolderState, file: string) => {
      let files = touched.get(state);
      if (!files) touched.set(state, (files = new Set()));
      files.add(file);
    };
    for (const change of changes) {
      // Nested tenant folders: a change inside the inner one is a change of the outer one too.
      const holding = this.foldersHolding(change.path);
      for (const state of holding) touch(state, change.path);
      if (holding.length > 0 || !this.realRoot || !change.path.startsWith(this.realRoot + path.sep)) continue;
      // Under the root every tenant folder is served, used before or not: its changes are reported too.
      const parts = path.relative(this.realRoot, change.path).split(path.sep);
      const tenantDir = path.join(this.realRoot, parts[0]!);
      const existing = this.folders.get(tenantDir);
      if (existing) touch(existing, change.path);
      else if (parts.length > 1) {
        try {
          touch(this.folder(tenantDir), change.path);
        } catch {
          // The folder went away again: nothing to report.
        }
      }
    }
    for (const [state, files] of touched) {
      // One tenant's slow batch (many files to compile) never holds back another tenant's reload.
      const applied = (state.applying ?? Promise.resolve()).then(() => this.applyFolderChanges(state, files)).catch(() => {});
      state.applying = applied;
      this.applying.add(applied);
      void applied.then(() => {
        this.applying.delete(applied);
        if (state.applying === applied) state.applying = undefined;
      });
    }
  }

  private async applyFolderChanges(state: FolderState, files: Set<string>): Promise<void> {
    invalidate(state);
    const reported: string[] = [];
    for (const file of files) {
      const rel = toId(state.realFolder, file);
      if (rel.startsWith("..")) continue;
      reported.push(rel);
      if (!MODULE_FILE.has(path.extname(file).toLowerCase())) continue;
      if (!fs.existsSync(file)) {
        this.loader.forget(file);
        this.options.emit("module:removed", { tenant: state.tenant, folder: state.realFolder, file: rel });
        continue;
      }
      if (rel.split("/").includes("node_modules") || rel === MANIFEST_FILE) {
        this.loader.forget(file);
        continue;
      }
      // Loads the new version now: a refused one is reported at once, and the last good one keeps serving.
      await this.loader.refresh(state.realFolder, file);
    }
    // Calls made while the new versions compiled may have cached graphs of the old ones: drop them.
    invalidate(state);
    await this.manifest(state.realFolder);
    this.options.emit("reload", { tenant: state.tenant, folder: state.realFolder, files: reported.sort() });
  }

  /**
   * Raw file-system activity: chokidar drops an add that is still settling when the file vanishes again,
   * and then reports nothing. So after any activity, the files the loader holds where it happened (the
   * entry itself, or under it when it is a directory) are checked for existence. Only those: every known file
   * of every tenant, on every sweep, held the main thread 350 ms per write with 300 tenants of 30 files, and
   * every known file of the folder 40 ms (140 at worst) per write in a folder of 4,000.
   */
  private scheduleSweep(where: string | undefined): void {
    if (this.sweepPlaces) this.sweepPlaces = this.withPlace(this.sweepPlaces, where);
    if (this.sweepTimer) return;
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = undefined;
      const places = this.sweepPlaces;
      this.sweepPlaces = new Set();
      this.sweepCoarse = false;
      const folders = places ? this.foldersAt(places) : new Map([...this.folders.values()].map((state) => [state, true] as const));
      for (const [state, whole] of folders) {
        for (const file of this.loader.knownFiles(state.realFolder)) {
          if (!whole && !placeHolds(places!, file, state.realFolder)) continue;
          if (fs.existsSync(file)) continue;
          this.loader.forget(file);
          invalidate(state);
          this.options.emit("module:removed", { tenant: state.tenant, folder: state.realFolder, file: toId(state.realFolder, file) });
        }
      }
    }, 150);
    this.sweepTimer.unref();
  }

  /**
   * The places of the next sweep with one more (undefined: every folder). Past MAX_SWEEP_PLACES, each place
   * becomes its tenant folder (the root's entry it lies in; without a root, the outermost known folder holding
   * it), swept whole: one tenant's burst of writes (a deploy of 300 files) sweeps that tenant's folder, not
   * every known file of every tenant. Only past MAX_SWEEP_PLACES tenant folders, or for a place in none, is
   * every folder swept.
   */
  private withPlace(places: Set<string>, where: string | undefined): Set<string> | undefined {
    if (where === undefined) return undefined;
    const place = this.sweepCoarse ? this.tenantPlace(where) : where;
    if (place === undefined) return undefined;
    if (places.has(place)) return places;
    if (places.size < MAX_SWEEP_PLACES) return places.add(place);
    if (this.sweepCoarse) return undefined;
    const coarse = new Set<string>();
    for (const fine of [...places, place]) {
      const tenant = this.tenantPlace(fine);
      if (tenant === undefined) return undefined;
      coarse.add(tenant);
    }
    if (coarse.size > MAX_SWEEP_PLACES) return undefined;
    this.sweepCoarse = true;
    return coarse;
  }

  /** The tenant folder a place lies in (or is), as a place that sweeps it whole; undefined: none (the root itself, or outside it). */
  private tenantPlace(place: string): string | undefined {
    const root = this.realRoot;
    if (root !== undefined) return place.startsWith(root + path.sep) ? path.join(root, path.relative(root, place).split(path.sep)[0]!) : undefined;
    const outermost = this.foldersHolding(place).at(-1)?.realFolder;
    return outermost ?? (this.folders.has(place) ? place : undefined);
  }

  /**
   * The known folders activity happened in (false: only the files at or under a place are swept), or at or
   * above (true: the whole folder, as when it was removed or replaced).
   */
  private foldersAt(places: Set<string>): Map<FolderState, boolean> {
    const found = new Map<FolderState, boolean>();
    for (const place of places) {
      const itself = this.folders.get(place);
      if (itself) found.set(itself, true);
      const holding = this.foldersHolding(place);
      for (const state of holding) if (!found.has(state)) found.set(state, false);
      if (itself || holding.length > 0) continue;
      const prefix = place + path.sep;
      for (const [realFolder, state] of this.folders) if (realFolder.startsWith(prefix)) found.set(state, true);
    }
    return found;
  }

  async close(): Promise<void> {
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    await this.watcher?.close();
    await Promise.all(this.applying);
    await this.loader.close();
  }
}

/** A manifest's handlers as text, made once per parsed manifest: part of the verdict compared on every judgement. */
const handlersTexts = new WeakMap<Manifest, string>();
function handlersText(manifest: Manifest): string {
  let text = handlersTexts.get(manifest);
  if (text === undefined) handlersTexts.set(manifest, (text = JSON.stringify([[...manifest.hooks], [...manifest.schedules]])));
  return text;
}

/** Whether a file is a place of activity or lies under one, inside its folder (its ancestors looked up). */
function placeHolds(places: Set<string>, file: string, realFolder: string): boolean {
  for (let at = file; at.length > realFolder.length; at = path.dirname(at)) if (places.has(at)) return true;
  return false;
}

/** A watched folder's cached graph's key: its folder, the folder's generation, the caller's spelling of the file. */
function graphKey(state: FolderState, file: string): string {
  return `${state.realFolder}\0${state.generation}\0${file}`;
}

/** Drops what a folder's cache derived from its files: graphs and the manifest verdict. */
function invalidate(state: FolderState): void {
  // The folder's cached graphs are not found again (graphKey): they age out of the cache.
  state.generation = ++generations;
  state.manifest = undefined;
  state.parsedManifest = undefined;
}

/**
 * Why a handler's module was refused, in a manifest issue: its first error (a directory named like a module, a
 * syntax error), so that emit, hooks() and /v1/modules say what `check` would, and a reason no file listing
 * shows (a directory) is said at all.
 */
function firstError(issues: readonly ValidationIssue[]): string {
  const found = issues.find((issue) => issue.severity === "error");
  return found === undefined ? "" : ` (${found.location.line}:${found.location.column} ${found.rule}: ${clipText(found.message, MAX_QUOTED_TEXT)})`;
}

/** What a listing's entry holds of a file's own text: its issues' messages (a refused file's twice) and export names. */
function listingDetail(info: ModuleInfo): number {
  let chars = 0;
  const issueLists = info.rejected && info.rejected.issues !== info.issues ? [info.issues, info.rejected.issues] : info.rejected ? [info.issues, info.issues] : [info.issues];
  for (const issues of issueLists) for (const issue of issues) chars += issue.message.length + ISSUE_OVERHEAD;
  for (const name of info.exports) chars += name.length + NAME_OVERHEAD;
  return chars;
}

/** The entry once the listing's MAX_LISTING_DETAIL is used up: its issues counted (valid stays as it is), no exports listed. */
function withoutDetail(info: ModuleInfo, detail: number): ModuleInfo {
  const counted = (issues: ValidationIssue[]): ValidationIssue[] =>
    issues.length === 0
      ? issues
      : [fileIssue("max-issues", `this file's issues are not listed: a listing holds at most ${MAX_LISTING_DETAIL} characters of issues and exports (this file's: ${detail}); check the file on its own`, issues.some((issue) => issue.severity === "error") ? "error" : "warning")];
  const issues = counted(info.issues);
  const out: ModuleInfo = { ...info, issues, exports: [], exportsComplete: info.exports.length === 0 && info.exportsComplete };
  if (info.rejected) out.rejected = { issues: info.rejected.issues === info.issues ? issues : counted(info.rejected.issues), at: info.rejected.at };
  return out;
}
