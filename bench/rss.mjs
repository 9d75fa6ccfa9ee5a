// Peak resident set size of this process (main thread and every worker thread) plus its child processes
// (tenantbox's sandbox process, when the runtime isolates its pool in one). Two figures:
// - sampled: the largest total RSS seen, sampling every 50 ms (can miss a short spike);
// - high-water: this process's kernel maxRSS plus each child's own kernel peak (VmHWM), so it never
//   misses a spike, but it adds peaks that may not have happened at the same moment.
// Child processes are found through /proc (Linux); elsewhere only this process is counted.
import fs from "node:fs";

const MB = 2 ** 20;

/** pid -> ppid of every process, from /proc/<pid>/stat (field 4, after the parenthesised name). */
function parentMap() {
  const parents = new Map();
  let entries;
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return parents;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // the process ended meanwhile
    }
  }
  return parents;
}

export function descendantsOf(root) {
  const parents = parentMap();
  const found = [];
  let frontier = [root];
  while (frontier.length) {
    const next = [];
    for (const [pid, ppid] of parents) if (frontier.includes(ppid)) next.push(pid);
    found.push(...next);
    frontier = next;
  }
  return found;
}

/** { rss, hwm } of a process in bytes, from /proc/<pid>/status; undefined once it has ended. */
function memoryOf(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
  } catch {
    return undefined;
  }
}

export function startRssSampler(intervalMs = 50, rescanEvery = 10) {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  let children = [];
  const childPeaks = new Map();
  let tick = 0;
  const sample = () => {
    if (tick++ % rescanEvery === 0) children = descendantsOf(process.pid);
    let total = process.memoryUsage().rss;
    for (const pid of children) {
      const memory = memoryOf(pid);
      if (!memory) continue;
      total += memory.rss;
      childPeaks.set(pid, Math.max(childPeaks.get(pid) ?? 0, memory.hwm));
    }
    if (total > peak) peak = total;
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    /** Call before closing the engine, while its child processes still exist, then `stop()` after. */
    sampleNow: sample,
    stop() {
      clearInterval(timer);
      sample();
      const childHighWater = [...childPeaks.values()].reduce((sum, bytes) => sum + bytes, 0);
      return {
        baselineMb: baseline / MB,
        peakMb: peak / MB,
        highWaterMb: (process.resourceUsage().maxRSS * 1024 + childHighWater) / MB,
        childProcesses: childPeaks.size,
      };
    },
  };
}
