import path from "node:path";
import { watch, type FSWatcher } from "chokidar";

export interface FileChange {
  event: "add" | "change" | "unlink" | "addDir" | "unlinkDir";
  path: string;
}

/**
 * Watches directories with chokidar and hands over changes in settled batches: a file is reported only
 * once its size has stopped changing (no partial writes), and a burst of changes (an editor's save, an
 * rsync of a whole folder) arrives as one batch after a short quiet period.
 */
export class FolderWatcher {
  private readonly watchers = new Map<string, { watcher: FSWatcher; ready: Promise<void> }>();
  /** Changes not yet handed over, the newest per path (a path rewritten a thousand times is one change). */
  private pending = new Map<string, FileChange>();
  /** When the oldest pending change arrived: a batch waits at most maxWaitMs for quiet. */
  private pendingSince = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly onBatch: (changes: FileChange[]) => void,
    /**
     * Any raw activity, before settling: lets the owner notice what settling may swallow. With where it
     * happened (the entry's path, else the watched directory's), when the system said.
     */
    private readonly onActivity: (where: string | undefined) => void,
    /**
     * A path the watcher could not watch (its error's path, when it names one): changes under it go unreported.
     * ENOSPC is the one a tenant can cause: the system's inotify watches are one per file and directory, for
     * every process of the host's user, and a tenant's 200,000 files use them up.
     */
    private readonly onBlindSpot: (path: string | undefined) => void,
    private readonly quietMs = 40,
    private readonly settleMs = 60,
    private readonly maxWaitMs = 250,
    private readonly maxPending = 10_000,
  ) {}

  /** Starts watching `dir` (recursively); resolves when the initial scan is done. Idempotent. */
  add(dir: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    const existing = this.watchers.get(dir);
    if (existing) return existing.ready;
    const watcher = watch(dir, {
      ignoreInitial: true,
      followSymlinks: false,
      awaitWriteFinish: { stabilityThreshold: this.settleMs, pollInterval: 10 },
      atomic: true,
      depth: 32,
      ignored: (file: string) => /(^|[\\/])\.(?!\.)[^\\/]*$/.test(file.slice(dir.length)),
    });
    const ready = new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
    watcher.on("all", (event, file) => {
      if (event === "add" || event === "change" || event === "unlink" || event === "addDir" || event === "unlinkDir") {
        if (this.pending.size === 0) this.pendingSince = performance.now();
        this.pending.delete(file);
        this.pending.set(file, { event, path: file });
        this.schedule();
      }
    });
    // chokidar's raw event: (event, an entry's name or null, { watchedPath }). It watches directories and files:
    // a directory's event names the entry in it, a file's names the file itself (its base name), and an entry
    // named as its directory stands for the directory (at worst all of it is swept).
    watcher.on("raw", (_event: string, name: unknown, details: unknown) => {
      const watched = (details as { watchedPath?: unknown } | null | undefined)?.watchedPath;
      if (typeof watched !== "string") return this.onActivity(undefined);
      this.onActivity(typeof name === "string" && name !== "" && name !== path.basename(watched) ? path.resolve(watched, name) : watched);
    });
    // A watcher error (a watch the system refused, a permission) must not take the host down, and must not
    // leave a folder trusted whose changes can no longer be reported: its owner checks it on every call instead.
    watcher.on("error", (error: unknown) => {
      const where = (error as { path?: unknown } | null)?.path;
      this.onBlindSpot(typeof where === "string" ? where : undefined);
    });
    this.watchers.set(dir, { watcher, ready });
    return ready;
  }

  has(dir: string): boolean {
    return this.watchers.has(dir);
  }

  /**
   * A batch goes after a quiet period, or at the latest maxWaitMs after its first change: one tenant
   * rewriting files without pause (the watcher is shared) must not hold back every other tenant's reload.
   */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    const waited = performance.now() - this.pendingSince;
    const delay = this.pending.size >= this.maxPending ? 0 : Math.max(0, Math.min(this.quietMs, this.maxWaitMs - waited));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const batch = [...this.pending.values()];
      this.pending = new Map();
      if (batch.length) this.onBatch(batch);
    }, delay);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.all([...this.watchers.values()].map(({ watcher }) => watcher.close()));
    this.watchers.clear();
  }
}
