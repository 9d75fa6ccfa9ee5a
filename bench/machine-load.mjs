// How busy the machine was with work other than the bench: CPU time of the whole machine (from
// /proc/stat, Linux only) minus the bench's own processes' CPU time, over the run's wall time.
import fs from "node:fs";
import os from "node:os";

function machineBusySeconds() {
  try {
    const line = fs.readFileSync("/proc/stat", "utf8").split("\n").find((l) => l.startsWith("cpu "));
    const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return (user + nice + system + irq + softirq + steal) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}

export function startLoadMeter() {
  const busy0 = machineBusySeconds();
  const wall0 = performance.now();
  const load1 = os.loadavg()[0];
  return {
    /** `benchCpuSeconds`: CPU time of the bench's processes (the parent's own is added here). */
    stop(benchCpuSeconds) {
      const ownCpu = benchCpuSeconds + (process.cpuUsage().user + process.cpuUsage().system) / 1e6;
      const wall = (performance.now() - wall0) / 1000;
      const other = (machineBusySeconds() - busy0 - ownCpu) / wall;
      return { loadAverageAtStart: load1, otherCores: Math.max(0, other), benchCores: ownCpu / wall };
    },
  };
}
