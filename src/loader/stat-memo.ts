import fs from "node:fs";
import { realPathOf } from "./real-path.js";

/** A file or directory's stamp: inode, size, mtime and ctime (ns); "-" when it does not exist. */
export type Stamp = string;

export function stampOf(stat: fs.BigIntStats): Stamp {
  return `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
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
}

/**
 * The file-system calls of one graph load, each path asked once (a graph whose specifiers spell the same
 * paths a thousand ways costs one stat per distinct path), and timed against a budget when the load runs
 * on the host's main thread. A kernel path walk cannot be interrupted, but its cost is bounded by the
 * path's limits (PATH_MAX, 40 symlinks): a budget overrun is noticed after one such call at most.
 */
export class StatMemo {
  private readonly stats = new Map<string, fs.BigIntStats | null>();
  private readonly reals = new Map<string, string | null>();
  private spentMs = 0;
  private ops = 0;

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
    if (took > this.budget.opMs || this.spentMs > this.budget.totalMs + this.ops * this.budget.perOpMs) throw new SlowPaths();
    return result;
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

  /** Every path stat'ed, with its stamp: what a walk depended on. */
  stamps(): [string, Stamp][] {
    return [...this.stats].map(([p, stat]) => [p, stat ? stampOf(stat) : "-"]);
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
