import fs from "node:fs";
import os from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTenants, makeRuntime, makeTenant } from "./helpers.js";

afterAll(() => cleanupTenants());

/** This process's descendants running the sandbox worker (unshare and sh may stand between). */
function sandboxProcesses(): number[] {
  const parent = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      /* gone */
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === process.pid) return true;
    return false;
  };
  return [...parent.keys()].filter((pid) => {
    try {
      return descends(pid) && fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("worker-process");
    } catch {
      return false;
    }
  });
}

describe("long calls yield the CPU to short ones", () => {
  it.runIf(process.platform === "linux")("a call running past 10 ms has its sandbox process lowered in CPU priority, and back after it [Linux only]", async () => {
    const runtime = makeRuntime({ maxThreads: 1, minThreads: 1, timeout: 5000 });
    try {
      const folder = makeTenant({ "spin.js": "exports.spin = (ms) => { const end = Date.now() + ms; while (Date.now() < end) {} return 'done'; };\nexports.quick = () => 1;\n" });
      await runtime.run({ folder, file: "spin.js", funcName: "quick" });
      const call = runtime.run({ folder, file: "spin.js", funcName: "spin", args: [600] });
      await new Promise((r) => setTimeout(r, 300));
      const during = sandboxProcesses().map((pid) => os.getPriority(pid));
      expect(during).toContain(10);
      await expect(call).resolves.toBe("done");
      // Back to normal for the next call (or the process was replaced).
      await runtime.run({ folder, file: "spin.js", funcName: "quick" });
      expect(sandboxProcesses().map((pid) => os.getPriority(pid)).every((nice) => nice === 0)).toBe(true);
    } finally {
      await runtime.close();
    }
  });
});
