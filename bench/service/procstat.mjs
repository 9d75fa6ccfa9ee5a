// CPU time and RSS of this process's child processes (the runtime's sandbox process), from /proc (Linux;
// elsewhere every figure is 0). CPU of a child that has exited is kept as last seen.
import fs from "node:fs";
import { descendantsOf } from "../rss.mjs";

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** { cpuMs, rssMb } of one process, or undefined once it has ended. */
function stat(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state): utime is field 14, stime 15, rss (pages) 24.
    const cpuMs = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    const rssMb = (Number(fields[21]) * 4096) / 2 ** 20;
    return { cpuMs, rssMb };
  } catch {
    return undefined;
  }
}

/**
 * Tracks child processes' CPU: `cpuMs()` is the total CPU of every child seen so far (ended ones included).
 * `exclude(pid)` leaves a child (and its own children) out: the bench's HTTP client.
 */
export function childTracker() {
  const lastCpu = new Map();
  const excluded = new Set();
  const skipped = new Set();
  const scan = () => {
    let rssMb = 0;
    let count = 0;
    for (const pid of [...excluded]) for (const child of descendantsOf(pid)) skipped.add(child);
    for (const pid of excluded) skipped.add(pid);
    for (const pid of descendantsOf(process.pid)) {
      const s = stat(pid);
      if (!s) continue;
      lastCpu.set(pid, s.cpuMs);
      if (skipped.has(pid)) continue;
      rssMb += s.rssMb;
      count++;
    }
    return { rssMb, count };
  };
  const sum = (all) => {
    scan();
    let total = 0;
    for (const [pid, ms] of lastCpu) if (all || !skipped.has(pid)) total += ms;
    return total;
  };
  return {
    /** Live children's RSS now (MB) and how many there are, excluded ones left out. */
    scan,
    exclude: (pid) => excluded.add(pid),
    /** CPU ms of every child seen so far, excluded ones left out. */
    cpuMs: () => sum(false),
    /** CPU ms of every child seen so far, excluded ones included. */
    allCpuMs: () => sum(true),
  };
}

