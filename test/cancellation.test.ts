import { afterAll, describe, expect, it } from "vitest";
import { cleanupTenants, makeRuntime, makeTenant } from "./helpers.js";

/*
 * A call's `signal` (RunRequest, CodeRequest, EmitOptions): aborted, a call still waiting for a worker
 * leaves the queue and a running one is stopped with its worker; either way the result is CANCELLED, the
 * worker's place is free at once, and the runtime goes on serving.
 */
afterAll(() => cleanupTenants());

const FILES = {
  "m.js": [
    "exports.spin = () => { for (;;) {} };",
    "exports.wait = () => new Promise(() => {});",
    "exports.mark = async (name) => { await callTool('ran', name); return name; };",
    "exports.ok = () => 'ok';",
    "exports.busy = (ms) => { const end = Date.now() + ms; while (Date.now() < end); return 'busy done'; };",
    "",
  ].join("\n"),
  "tenantbox.json": JSON.stringify({ hooks: { "order.created": ["m.js#spin", "m.js#wait"] } }),
};

const abortAfter = (ms: number) => AbortSignal.timeout(ms);

for (const isolation of ["process", "thread"] as const) {
  describe(`cancelling a call (isolation: ${isolation})`, () => {
    it("a running call that runs no guard's way out (a loop, a promise that never settles) ends CANCELLED soon after the abort", async () => {
      const rt = makeRuntime({ isolation, maxThreads: 1, timeout: 20_000 });
      try {
        const folder = makeTenant(FILES);
        for (const funcName of ["spin", "wait"]) {
          const started = performance.now();
          const result = await rt.execute({ folder, file: "m.js", funcName, signal: abortAfter(300) });
          const took = performance.now() - started;
          expect(result.success).toBe(false);
          expect(result.error?.code).toBe("CANCELLED");
          // Long before its 20 s timeout (generous for a busy machine).
          expect(took).toBeLessThan(8000);
        }
        // The worker's place was given back: the next call runs.
        await expect(rt.run({ folder, file: "m.js", funcName: "ok" })).resolves.toBe("ok");
      } finally {
        await rt.close();
      }
    });
  });
}

describe("cancelling a call that waits (process isolation)", () => {
  it("ends it in its process, which serves on; one that runs no guard's way out is killed after the grace", async () => {
    const rt = makeRuntime({ isolation: "process", maxThreads: 1, minThreads: 1, timeout: 20_000 });
    // The pool's processes by pid (internal: whether a cancel cost a new process).
    const pids = () => [...(rt as unknown as { pool: { all: Set<{ child: { pid: number } }> } }).pool.all].map((p) => p.child.pid).sort();
    try {
      const folder = makeTenant(FILES);
      await rt.run({ folder, file: "m.js", funcName: "ok" });
      const before = pids();
      const waiting = await rt.execute({ folder, file: "m.js", funcName: "wait", signal: abortAfter(200) });
      expect(waiting.error?.code).toBe("CANCELLED");
      await expect(rt.run({ folder, file: "m.js", funcName: "ok" })).resolves.toBe("ok");
      expect(pids()).toEqual(before);
      const spinning = await rt.execute({ folder, file: "m.js", funcName: "spin", signal: abortAfter(200) });
      expect(spinning.error?.code).toBe("CANCELLED");
      await expect(rt.run({ folder, file: "m.js", funcName: "ok" })).resolves.toBe("ok");
      expect(pids()).not.toEqual(before);
    } finally {
      await rt.close();
    }
  });
});

describe("cancelling a call that waits (thread isolation)", () => {
  it("ends it in its worker thread, notified through its stop flag, which serves on; a spinning one ends through its guards (red team)", async () => {
    // A grace far longer than the test waits: a thread terminated at its end would show as a new thread id.
    const rt = makeRuntime({ isolation: "thread", maxThreads: 1, minThreads: 1, timeout: 20_000, hardStopGraceMs: 15_000, toolHandler: () => new Promise(() => {}) });
    const threadIds = () => (rt as unknown as { pool: { piscina: { threads: { threadId: number }[] } } }).pool.piscina.threads.map((t) => t.threadId).sort();
    try {
      const folder = makeTenant(FILES);
      await rt.run({ folder, file: "m.js", funcName: "ok" });
      const before = threadIds();
      for (const funcName of ["wait", "mark", "spin"]) {
        const started = performance.now();
        const result = await rt.execute({ folder, file: "m.js", funcName, args: ["x"], signal: abortAfter(200) });
        expect(result.error?.code, funcName).toBe("CANCELLED");
        expect(result.error?.details?.hardStop, funcName).toBeUndefined();
        expect(performance.now() - started, funcName).toBeLessThan(8000);
        await expect(rt.run({ folder, file: "m.js", funcName: "ok" })).resolves.toBe("ok");
        expect(threadIds(), funcName).toEqual(before);
      }
    } finally {
      await rt.close();
    }
  });
});

describe("a call cancelled as it ends (review finding)", () => {
  it("the process it was killed in is never handed the next call, which runs (another tenant's, here)", async () => {
    const rt = makeRuntime({ isolation: "process", maxThreads: 1, minThreads: 1, timeout: 5000 });
    try {
      const folder = makeTenant(FILES);
      const other = makeTenant(FILES);
      await rt.run({ folder, file: "m.js", funcName: "ok" });
      const block = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
      for (let round = 0; round < 4; round++) {
        const caller = new AbortController();
        const a = rt.execute({ folder, file: "m.js", funcName: "busy", args: [50], signal: caller.signal });
        const b = rt.execute({ folder: other, file: "m.js", funcName: "ok" });
        while (rt.load().running === 0) await new Promise((resolve) => setTimeout(resolve, 1));
        await new Promise((resolve) => setTimeout(resolve, 5));
        // The host's thread is held while A finishes: its result waits in the socket when A is cancelled.
        block(300);
        caller.abort();
        const [ra, rb] = await Promise.all([a, b]);
        expect(ra.success || ra.error?.code === "CANCELLED").toBe(true);
        expect(rb.error, JSON.stringify(rb.error)).toBeUndefined();
        expect(rb.value).toBe("ok");
      }
    } finally {
      await rt.close();
    }
  });
});

describe("cancelling calls that have not started", () => {
  it("a queued call leaves the queue and never runs; an aborted signal runs nothing", async () => {
    const ran: unknown[] = [];
    const rt = makeRuntime({ maxThreads: 1, timeout: 20_000, toolHandler: (_name, args) => (ran.push(args), null) });
    try {
      const folder = makeTenant(FILES);
      const holder = new AbortController();
      const busy = rt.execute({ folder, file: "m.js", funcName: "spin", signal: holder.signal });
      while (rt.load().running === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const queued = new AbortController();
      const waiting = rt.execute({ folder, file: "m.js", funcName: "mark", args: ["queued"], signal: queued.signal });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(rt.load().queued).toBe(1);
      queued.abort();
      const cancelled = await waiting;
      expect(cancelled.success).toBe(false);
      expect(cancelled.error).toMatchObject({ code: "CANCELLED", message: expect.stringMatching(/waited for a worker/) });
      expect(rt.load().queued).toBe(0);
      holder.abort();
      expect((await busy).error?.code).toBe("CANCELLED");
      // Already aborted: nothing runs.
      const early = await rt.execute({ folder, file: "m.js", funcName: "mark", args: ["early"], signal: AbortSignal.abort() });
      expect(early.error?.code).toBe("CANCELLED");
      await expect(rt.run({ folder, file: "m.js", funcName: "mark", args: ["after"] })).resolves.toBe("after");
      expect(ran).toEqual(["after"]);
    } finally {
      await rt.close();
    }
  });

  it("emit() passes the signal to every handler; a signal that is not an AbortSignal is INVALID_REQUEST", async () => {
    const rt = makeRuntime({ maxThreads: 2, timeout: 20_000 });
    try {
      const folder = makeTenant(FILES);
      const results = await rt.emit("order.created", {}, { folder, signal: abortAfter(300) });
      expect(results.map((r) => r.error?.code)).toEqual(["CANCELLED", "CANCELLED"]);
      const bad = await rt.execute({ folder, file: "m.js", funcName: "ok", signal: { aborted: false } as unknown as AbortSignal });
      expect(bad.error).toMatchObject({ code: "INVALID_REQUEST", message: "signal must be an AbortSignal" });
    } finally {
      await rt.close();
    }
  });
});
