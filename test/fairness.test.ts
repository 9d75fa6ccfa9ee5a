import { afterAll, describe, expect, it } from "vitest";
import { cleanupTenants, makeRuntime, makeTenant } from "./helpers.js";

afterAll(() => cleanupTenants());

describe("fair queueing across tenants", () => {
  it("a tenant flooding the runtime with loops waits behind itself: another tenant's calls still run promptly", async () => {
    const runtime = makeRuntime({ maxThreads: 2, minThreads: 2, maxConcurrentPerTenant: 1, timeout: 400 });
    try {
      const noisy = makeTenant({ "a.js": "exports.spin = () => { for (;;) {} };\n" });
      const quiet = makeTenant({ "b.js": "exports.ping = (x) => x;\n" });
      await runtime.run({ folder: quiet, file: "b.js", funcName: "ping", args: [0] });
      // 10 loops of 400 ms each: one at a time for tenant A, so about 4 s of work queued in front of nobody else.
      const flood = Array.from({ length: 10 }, () => runtime.execute({ folder: noisy, file: "a.js", funcName: "spin" }));
      const started = performance.now();
      for (let i = 0; i < 5; i++) {
        await expect(runtime.run({ folder: quiet, file: "b.js", funcName: "ping", args: [i] })).resolves.toBe(i);
      }
      const quietMs = performance.now() - started;
      // FIFO would put B behind A's loops (seconds); fair queueing leaves B a worker. Generous bound.
      expect(quietMs).toBeLessThan(1500);
      const results = await Promise.all(flood);
      expect(results.every((r) => r.error?.code === "TIMEOUT")).toBe(true);
    } finally {
      await runtime.close();
    }
  });

  it("a tenant's own calls keep their order and the queue limit still applies", async () => {
    const runtime = makeRuntime({ maxThreads: 1, minThreads: 1, maxConcurrentPerTenant: 1, maxQueue: 3 });
    try {
      const folder = makeTenant({ "a.js": "exports.id = async (x) => { await new Promise((r) => setTimeout(r, 20)); return x; };\n" });
      const order: number[] = [];
      const calls = [0, 1, 2, 3].map((i) => runtime.run({ folder, file: "a.js", funcName: "id", args: [i] }).then((v) => order.push(v as number)));
      await expect(runtime.run({ folder, file: "a.js", funcName: "id", args: [9] })).rejects.toMatchObject({ code: "QUEUE_FULL" });
      await Promise.all(calls);
      expect(order).toEqual([0, 1, 2, 3]);
    } finally {
      await runtime.close();
    }
  });
});

describe("fair by default", () => {
  it("a tenant arriving while another's endless loops hold every worker starts at once on a spare worker", async () => {
    // Default maxConcurrentPerTenant (every worker): tenant A alone may use them all (work-conserving).
    const runtime = makeRuntime({ maxThreads: 2, minThreads: 2, timeout: 2500 });
    try {
      const noisy = makeTenant({ "a.js": "exports.spin = () => { for (;;) {} };\n" });
      const quiet = makeTenant({ "b.js": "exports.ping = (x) => x;\n" });
      await runtime.run({ folder: quiet, file: "b.js", funcName: "ping", args: [0] });
      await runtime.execute({ folder: noisy, file: "a.js", funcName: "spin", timeout: 50 });
      const flood = Array.from({ length: 2 }, () => runtime.execute({ folder: noisy, file: "a.js", funcName: "spin" }));
      await new Promise((r) => setTimeout(r, 100));
      expect(runtime.load()).toMatchObject({ running: 2, capacity: 2 }); // A holds both workers
      const started = performance.now();
      for (let i = 0; i < 5; i++) {
        await expect(runtime.run({ folder: quiet, file: "b.js", funcName: "ping", args: [i] })).resolves.toBe(i);
      }
      // Without the spare lane B would wait for a 2.5 s loop to end. Generous bound for a busy machine.
      expect(performance.now() - started).toBeLessThan(1500);
      const results = await Promise.all(flood);
      expect(results.every((r) => r.error?.code === "TIMEOUT")).toBe(true);
    } finally {
      await runtime.close();
    }
  });
});

/** One worker (and its spare), a long timeout, and the given tool handler: room for parked calls. */
function parkingRuntime(toolHandler: (name: string) => Promise<unknown>, options: Parameters<typeof makeRuntime>[0] = {}) {
  return makeRuntime({ maxThreads: 1, minThreads: 1, timeout: 10_000, toolHandler, ...options });
}

describe("calls parked on a tool call", () => {
  it("leave their worker's core to other calls: with one worker, a second call runs while the first waits on its tool", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const calls: string[] = [];
    const runtime = parkingRuntime(async (name) => {
      calls.push(name);
      if (name === "db:slow") await gate;
      return name;
    });
    try {
      const folder = makeTenant({
        "slow.js": "exports.f = async () => callTool('db:slow');\n",
        "fast.js": "exports.f = async () => callTool('db:fast');\n",
      });
      const slow = runtime.run({ folder, file: "slow.js", funcName: "f" });
      while (calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      // The only worker's call waits on db:slow; a second call starts on a park lane and ends first.
      await expect(runtime.run({ folder, file: "fast.js", funcName: "f" })).resolves.toBe("db:fast");
      release();
      await expect(slow).resolves.toBe("db:slow");
      expect(calls).toEqual(["db:slow", "db:fast"]);
    } finally {
      await runtime.close();
    }
  });

  it("take their core back before they go on: a tenant's calls never work past its limits at once", async () => {
    const runtime = parkingRuntime(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return 1;
      },
      { maxConcurrentPerTenant: 1 },
    );
    try {
      const folder = makeTenant({
        "work.js": "exports.f = async () => { await callTool('db:slow'); const start = Date.now(); while (Date.now() - start < 150) {} return [start, Date.now()]; };\n",
      });
      const spans = (await Promise.all(Array.from({ length: 4 }, () => runtime.run({ folder, file: "work.js", funcName: "f" })))) as [number, number][];
      spans.sort((a, b) => a[0] - b[0]);
      // Each call parks on its tool; the next starts meanwhile; but only one at a time works after its answer.
      for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    } finally {
      await runtime.close();
    }
  });

  it("the workers a burst of parked calls started end once idle for idleWorkerMs; minThreads stay", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let waiting = 0;
    const runtime = parkingRuntime(
      async () => {
        waiting++;
        await gate;
        return 1;
      },
      { idleWorkerMs: 300 },
    );
    try {
      const folder = makeTenant({ "wait.js": "exports.f = async () => callTool('db:slow');\n" });
      await runtime.ready();
      // Kept started: minThreads, and the spare (maxThreads 1 has one).
      const kept = runtime.load().workers;
      expect(kept).toBe(2);
      const burst = Array.from({ length: 3 }, () => runtime.run({ folder, file: "wait.js", funcName: "f" }));
      while (waiting < 3) await new Promise((resolve) => setTimeout(resolve, 5));
      // Three calls waiting on the tool at once: the regular and spare workers and one started for a parked call.
      expect(runtime.load().workers).toBe(3);
      release();
      expect(await Promise.all(burst)).toEqual([1, 1, 1]);
      const deadline = Date.now() + 5000;
      while (runtime.load().workers > kept && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(runtime.load().workers).toBe(kept);
      await expect(runtime.run({ folder, file: "wait.js", funcName: "f" })).resolves.toBe(1);
    } finally {
      await runtime.close();
    }
  });
});
