import fs from "node:fs";
import path from "node:path";
import { realPathOf } from "./real-path.js";

/** A file or directory's stamp: inode, size, mtime and ctime (ns); "-" when it does not exist. */
export type Stamp = string;

export function stampOf(stat: fs.BigIntStats): Stamp {
  return `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
}

/** A file's stamp now, or undefined when it does not exist. */
export function fileSignature(file: string): Stamp | undefined {
  try {
    return stampOf(fs.statSync(file, { bigint: true }));
  } catch {
    return undefined;
  }
}

/**
 * Thrown when a graph load's file-system work on the host's main thread went past its budget: the
 * tenant's paths are slow to look up (symlink chains, deep trees, a slow disk), and the load moves to a
 * loader thread (invariant 8).
 */
export class SlowPaths extends Error {
  constructor() {
    super("the tenant's paths are slow to look up");
  }
}

export interface FsBudget {
  /** Longest one file-system call may take (ms). */
  opMs: number;
  /** Longest all of one load's calls may take together (ms), plus `perOpMs` for each call: a big graph makes many fast calls, a slow path few slow ones. */
  totalMs: number;
  perOpMs: number;
  /** Past this, however many calls it took (a tenant's 25,000 probes of missing files, each fast). */
  maxTotalMs: number;
  /**
   * The host's own work between the calls (resolving specifiers, building their errors), file-system calls
   * included: thousands of specifiers that probe the same few memoized paths cost CPU, not I/O.
   */
  workMs: number;
}

/** The most tenant text (a package.json) a load parses on the host's main thread: date-fns's is 199 KB. */
export const MAIN_THREAD_PARSE_BYTES = 256 * 1024;

/**
 * The file-system work one graph load may do on the host's main thread (invariant 8): past it, the tenant's
 * paths are slow to look up, and its graphs are loaded on a loader thread for a while.
 */
export const HOST_FS_BUDGET: FsBudget = { opMs: 2, totalMs: 10, perOpMs: 0.02, maxTotalMs: 20, workMs: 10 };

/**
 * The file-system calls of one graph load, each path asked once (a graph whose specifiers spell the same
 * paths a thousand ways costs one stat per distinct path), and timed against a budget when the load runs
 * on the host's main thread. A kernel path walk cannot be interrupted, but its cost is bounded by the
 * path's limits (PATH_MAX, 40 symlinks): a budget overrun is noticed after one such call at most.
 */
export class StatMemo {
  private readonly stats = new Map<string, fs.BigIntStats | null>();
  private readonly reals = new Map<string, string | null>();
  /** What the load's answer depends on: module files, and the directories and package.json files resolution read. */
  private readonly depends = new Map<string, Stamp>();
  private spentMs = 0;
  private ops = 0;
  private workMs = 0;

  constructor(private readonly budget?: FsBudget) {}

  /** Runs `call`, charging its time to the budget. */
  timed<T>(call: () => T): T {
    if (!this.budget) return call();
    let started = performance.now();
    let result = call();
    let took = performance.now() - started;
    if (took > this.budget.opMs) {
      // Once more: a garbage collection or a busy core can stretch any one call; a slow path stays slow.
      started = performance.now();
      result = call();
      took = performance.now() - started;
    }
    this.spentMs += took;
    this.ops++;
    if (took > this.budget.opMs || this.overBudget()) throw new SlowPaths();
    return result;
  }

  /** Spent more than the budget allows so far (a base, an allowance per file-system call, a ceiling). */
  private overBudget(): boolean {
    const budget = this.budget!;
    return this.spentMs > Math.min(budget.maxTotalMs, budget.totalMs + this.ops * budget.perOpMs);
  }

  /**
   * Charges `ms` of the load's own work on tenant text (parsing a package.json: up to 1 MiB, tens of
   * milliseconds) to the same budget: CPU spent on the main thread stalls it like a slow path does.
   * Not a file-system call, so it earns no per-call allowance; called after its result is kept.
   */
  charge(ms: number): void {
    if (!this.budget) return;
    this.spentMs += ms;
    if (this.overBudget()) throw new SlowPaths();
  }

  /**
   * Before `bytes` of tenant text are parsed: past MAIN_THREAD_PARSE_BYTES, the load moves to a loader thread
   * (charged after the fact, a 1 MiB package.json of distinct one-key objects held the main thread 53-71 ms).
   */
  beforeParse(bytes: number): void {
    if (this.budget && bytes > MAIN_THREAD_PARSE_BYTES) throw new SlowPaths();
  }

  /** Charges `ms` of the load's resolution work (wall time on the main thread, its file-system calls included) to `budget.workMs`. */
  chargeWork(ms: number): void {
    if (!this.budget) return;
    this.workMs += ms;
    if (this.workMs > this.budget.workMs) throw new SlowPaths();
  }

  stat(p: string): fs.BigIntStats | null {
    let stat = this.stats.get(p);
    if (stat === undefined) {
      stat = this.timed(() => {
        try {
          return fs.statSync(p, { bigint: true });
        } catch {
          return null;
        }
      });
      this.stats.set(p, stat);
    }
    return stat;
  }

  stamp(p: string): Stamp {
    const stat = this.stat(p);
    return stat ? stampOf(stat) : "-";
  }

  private volatile = false;

  /** The load followed a symbolic link whose target no stamp covers: its answer must not be cached. */
  markVolatile(): void {
    this.volatile = true;
  }

  get isVolatile(): boolean {
    return this.volatile;
  }

  /** Notes that the load's answer depends on `p` having this stamp. */
  depend(p: string, stamp: Stamp): void {
    this.depends.set(p, stamp);
  }

  /**
   * What the load depended on, with stamps: far fewer than what it stat'ed (a missing file's answer depends
   * on its directory's stamp, not on a stat of every spelling probed).
   */
  dependencies(): [string, Stamp][] {
    return [...this.depends];
  }

  /**
   * Whether `candidate` (below the real directory `realRoot`) is a real path: true when no component below
   * the root is a symbolic link, null when one does not exist, undefined when one is a link (resolve it).
   * The last component's lstat is its stat too (it is no link), and is kept as such.
   */
  plainPathBelow(realRoot: string, candidate: string): true | null | undefined {
    let at = realRoot.length;
    while (at < candidate.length) {
      const next = candidate.indexOf(path.sep, at + 1);
      const prefix = next < 0 ? candidate : candidate.slice(0, next);
      const stat = this.timed(() => {
        try {
          return fs.lstatSync(prefix, { bigint: true });
        } catch {
          return null;
        }
      });
      if (!stat) return null;
      if (stat.isSymbolicLink()) return undefined;
      if (next < 0) {
        this.stats.set(candidate, stat);
        return true;
      }
      at = next;
    }
    return true;
  }

  /** The real path, or null when it does not resolve. */
  realPath(p: string): string | null {
    let real = this.reals.get(p);
    if (real === undefined) {
      real = this.timed(() => {
        try {
          return realPathOf(p);
        } catch {
          return null;
        }
      });
      this.reals.set(p, real);
    }
    return real;
  }
}
