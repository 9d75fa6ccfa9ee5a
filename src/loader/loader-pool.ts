import { Piscina } from "piscina";
import { RuntimeError } from "../errors.js";
import { Scheduler } from "../runner/scheduler.js";
import { siblingEntry } from "../runner/protocol.js";
import { refusedVersion, type CheckInput, type CompiledVersion, type CompileInput } from "./compile.js";
import { fileIssue, type ValidationIssue, type ValidationResult } from "./issues.js";
import type { GraphWalkInput, GraphWalkResult } from "./graph-walk.js";
import type { LoaderTask } from "./loader-thread.js";
import type { WalkLimits } from "./module-files.js";
import { BACKGROUND_WARM_UP_ROUNDS, warmUpShare, type WarmUpShare } from "./warm-up.js";
import { storeShare } from "./version-store.js";
import { openVersionStore, type VersionStoreConfig } from "./version-store-key.js";

export interface LoaderPoolOptions {
  /** Loader threads. */
  threads: number;
  /** Longest one file may take to compile or check (ms); past it the thread is ended and the file refused. */
  timeoutMs: number;
  /** Heap limit of each loader thread (MiB); a file that needs more is refused. */
  memoryLimitMb: number;
  /** The version store's directory (the runtime's compileCacheDir); none when absent. */
  storeDir?: string;
}

/** What a loader thread is started with. */
export interface LoaderThreadData {
  warmUp: WarmUpShare;
  store?: VersionStoreConfig & { share: Int32Array };
}

/**
 * When the pool's rounds of the warm-up begin (ms after it starts): not in the way of a runtime's start (its
 * threads and sandbox processes starting on few cores, the first files it loads).
 */
const WARM_UP_AFTER_MS = 1000;

function startFlag(): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8));
}

/**
 * Invariant 8 (DESIGN.md): the host's main thread never parses, validates or transforms tenant text. Each
 * file is compiled on a loader thread under a deadline and a heap limit; a file that exceeds either is
 * refused with a `limit` issue (VALIDATION_ERROR), and the thread it ended is replaced. Tenants (folders)
 * share the threads round-robin, and one tenant never holds them all when there are several.
 */
export class LoaderPool {
  private readonly piscina: Piscina;
  private readonly scheduler: Scheduler;
  private backgroundRoundsLeft = BACKGROUND_WARM_UP_ROUNDS;
  private warmUpTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: LoaderPoolOptions) {
    // The first threads warm up when they start (warm-up.ts); with a store, every thread reads and writes it.
    const threadData: LoaderThreadData = { warmUp: warmUpShare(options.threads) };
    if (options.storeDir !== undefined) threadData.store = { ...openVersionStore(options.storeDir), share: storeShare() };
    this.piscina = new Piscina({
      filename: siblingEntry("loader-thread"),
      minThreads: 1,
      maxThreads: options.threads,
      maxQueue: Number.MAX_SAFE_INTEGER,
      concurrentTasksPerWorker: 1,
      idleTimeout: 30_000,
      resourceLimits: {
        maxOldGenerationSizeMb: options.memoryLimitMb,
        maxYoungGenerationSizeMb: 32,
        stackSizeMb: 4,
      },
      env: {},
      argv: [],
      execArgv: [],
      workerData: threadData,
    });
    // A thread that ran out of memory or was ended surfaces through its task; the pool must not throw.
    this.piscina.on("error", () => {});
    // The scheduler hands piscina only what can start at once, so a file's deadline counts its own work,
    // never time spent waiting behind other files.
    this.scheduler = new Scheduler(options.threads, Number.MAX_SAFE_INTEGER, Math.max(1, options.threads - 1));
    this.warmUpLater(WARM_UP_AFTER_MS);
  }

  /** Rounds of the pool's warm-up not run yet (warmUpLater). */
  get warmUpRoundsLeft(): number {
    return this.backgroundRoundsLeft;
  }

  /**
   * The rest of the warm-up (warm-up.ts): a round at a time, each a task of its own, only while no file is
   * being loaded or waits to be, so a file that comes waits one round at most. The rounds are the pool's, not
   * each thread's: a thread started to replace one a file's deadline ended costs none.
   */
  private warmUpLater(delayMs: number): void {
    if (this.closed || this.backgroundRoundsLeft <= 0) return;
    this.warmUpTimer = setTimeout(() => {
      const { running, queued } = this.scheduler.load();
      if (running + queued > 0) return this.warmUpLater(20);
      const round = BACKGROUND_WARM_UP_ROUNDS - this.backgroundRoundsLeft--;
      this.piscina.run({ op: "warm-up", round, started: startFlag() } satisfies LoaderTask).then(
        () => this.warmUpLater(0),
        // A pool being destroyed, or a thread that failed: the warm-up is an optimisation, it just stops.
        () => {},
      );
    }, delayMs);
    this.warmUpTimer.unref();
  }

  /** Compiles one version; a file past the deadline or the heap limit comes back refused. */
  async compile(tenant: string, input: CompileInput): Promise<CompiledVersion> {
    try {
      return (await this.run(tenant, { op: "compile", input, started: startFlag() })) as CompiledVersion;
    } catch (error) {
      return refusedVersion([this.limitIssue(error)]);
    }
  }

  /** Layers 0 and 1 only (validate): nothing is kept. */
  async check(tenant: string, input: CheckInput): Promise<ValidationResult> {
    try {
      return (await this.run(tenant, { op: "check", input, started: startFlag() })) as ValidationResult;
    } catch (error) {
      return { valid: false, issues: [this.limitIssue(error)] };
    }
  }

  /**
   * Walks a module graph on a loader thread (a tenant whose paths are slow to look up). Past the deadline
   * or the heap limit: VALIDATION_ERROR.
   */
  async walk(tenant: string, input: GraphWalkInput): Promise<GraphWalkResult> {
    try {
      return (await this.run(tenant, { op: "graph", input, started: startFlag() })) as GraphWalkResult;
    } catch (error) {
      return { ok: false, code: "VALIDATION_ERROR", message: this.limitIssue(error, "loading this module graph").message };
    }
  }

  /**
   * The module files of a folder (module-files.ts), listed on a loader thread: a folder's 20,000 directory
   * entries took 16-97 ms to read. Past the deadline or the heap limit: VALIDATION_ERROR.
   */
  async list(tenant: string, realFolder: string, limits: WalkLimits): Promise<string[]> {
    try {
      return (await this.run(tenant, { op: "list", realFolder, limits, started: startFlag() })) as string[];
    } catch (error) {
      throw new RuntimeError("VALIDATION_ERROR", this.limitIssue(error, "listing this folder").message);
    }
  }

  private run(tenant: string, task: LoaderTask): Promise<unknown> {
    return this.scheduler.submit(tenant, async () => {
      const abort = new AbortController();
      // A thread that replaces one the deadline ended starts cold (loading the parser takes a while): the
      // deadline is checked again until the task has started, so only the file's own work counts.
      let timer: NodeJS.Timeout;
      const arm = (ms: number) => {
        timer = setTimeout(() => {
          const started = task.started[0]!;
          const left = started === 0 ? this.options.timeoutMs : started + this.options.timeoutMs - Date.now();
          if (left > 0) arm(left);
          else abort.abort();
        }, ms);
      };
      arm(this.options.timeoutMs);
      try {
        return await this.piscina.run(task, { signal: abort.signal });
      } finally {
        clearTimeout(timer!);
      }
    });
  }

  /** What a failed loader task means for the file: it took too long, or needed too much memory. */
  private limitIssue(error: unknown, what = "checking this file"): ValidationIssue {
    const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
    if (name === "AbortError") return fileIssue("limit", `${what} took longer than ${this.options.timeoutMs} ms; split it or simplify it`);
    if (code === "ERR_WORKER_OUT_OF_MEMORY") return fileIssue("limit", `${what} needed more than ${this.options.memoryLimitMb} MB; split it or simplify it`);
    if (error instanceof RuntimeError) throw error;
    throw new RuntimeError("INTERNAL_ERROR", "the module loader failed");
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.warmUpTimer);
    await this.scheduler.close();
    await this.piscina.destroy();
  }
}
