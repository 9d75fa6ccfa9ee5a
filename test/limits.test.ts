import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JsonText } from "../dist/index.js";
import { cleanupTenants, expectCode, expectUsable, IsolatedRuntime, makeRuntime, makeTenant, RuntimeError, runError, sleep } from "./helpers.js";

let runtime: InstanceType<typeof IsolatedRuntime>;

beforeAll(() => {
  runtime = makeRuntime();
});

afterAll(async () => {
  await runtime?.close();
  cleanupTenants();
});

/** Runs and expects one of `codes`, within `maxMs`; returns the error and the elapsed time. */
async function expectEnds(
  rt: InstanceType<typeof IsolatedRuntime>,
  request: Parameters<InstanceType<typeof IsolatedRuntime>["run"]>[0],
  codes: string[],
  maxMs = 5000,
): Promise<{ error: InstanceType<typeof RuntimeError>; ms: number }> {
  const started = Date.now();
  const error = await runError(rt, request);
  const ms = Date.now() - started;
  expect(codes, `got ${error.code}: ${error.message}`).toContain(error.code);
  expect(ms).toBeLessThan(maxMs);
  return { error, ms };
}

describe("time", () => {
  it("a synchronous infinite loop ends as TIMEOUT near the limit, and the runtime still works", async () => {
    const folder = makeTenant({
      "loop.js": "exports.spin = () => { while (true) {} };\nexports.spinFor = () => { for (;;); };\nexports.spinDo = () => { let i = 0; do { i++; } while (i > 0 || true); };",
    });
    for (const funcName of ["spin", "spinFor", "spinDo"]) {
      const { ms } = await expectEnds(runtime, { folder, file: "loop.js", funcName, timeout: 300 }, ["TIMEOUT"]);
      expect(ms).toBeGreaterThanOrEqual(250);
    }
    await expectUsable(runtime);
  });

  it("a loop that catches the timeout and keeps going still ends as TIMEOUT", async () => {
    const folder = makeTenant({
      "loop.js": "exports.f = () => { for (;;) { try { while (true) {} } catch (e) { /* keep spinning */ } } };",
    });
    await expectEnds(runtime, { folder, file: "loop.js", funcName: "f", timeout: 300 }, ["TIMEOUT"]);
    await expectUsable(runtime);
  });

  it("a never-settling promise ends as TIMEOUT", async () => {
    const folder = makeTenant({ "p.js": "exports.f = () => new Promise(() => {});\nexports.g = async () => { await new Promise(() => {}); };" });
    const { ms } = await expectEnds(runtime, { folder, file: "p.js", funcName: "f", timeout: 300 }, ["TIMEOUT"]);
    expect(ms).toBeGreaterThanOrEqual(250);
    await expectEnds(runtime, { folder, file: "p.js", funcName: "g", timeout: 300 }, ["TIMEOUT"]);
    await expectUsable(runtime);
  });

  it("an async loop of timers ends as TIMEOUT", async () => {
    const folder = makeTenant({ "p.js": "exports.f = async () => { for (;;) await new Promise((r) => setTimeout(r, 1)); };" });
    await expectEnds(runtime, { folder, file: "p.js", funcName: "f", timeout: 300 }, ["TIMEOUT"]);
    await expectUsable(runtime);
  });

  it("a microtask loop ends as TIMEOUT or MEMORY_LIMIT_EXCEEDED", async () => {
    const folder = makeTenant({
      "m.js": [
        "exports.promiseLoop = () => { const loop = () => Promise.resolve().then(loop); loop(); return new Promise(() => {}); };",
        "exports.queueLoop = () => { const loop = () => queueMicrotask(loop); loop(); return 'returned'; };",
        "exports.asyncLoop = async () => { for (;;) await null; };",
      ].join("\n"),
    });
    for (const funcName of ["promiseLoop", "queueLoop", "asyncLoop"]) {
      await expectEnds(runtime, { folder, file: "m.js", funcName, timeout: 300 }, ["TIMEOUT", "MEMORY_LIMIT_EXCEEDED"]);
    }
    await expectUsable(runtime);
  });

  it("a microtask loop made only of built-in functions (no tenant frame) ends as TIMEOUT or MEMORY_LIMIT_EXCEEDED", async () => {
    // A thenable whose `then` is a bound Promise.prototype.then that resolves to the thenable again:
    // the loop runs entirely inside V8's promise jobs, with no tenant function to put a guard in.
    const folder = makeTenant({
      "m.js": [
        "exports.f = () => {",
        "  const t = {};",
        "  const p = Promise.resolve(t);",
        "  t.then = Promise.prototype.then.bind(p);",
        "  Promise.resolve(t);",
        "  return 'returned';",
        "};",
      ].join("\n"),
    });
    await expectEnds(runtime, { folder, file: "m.js", funcName: "f", timeout: 300 }, ["TIMEOUT", "MEMORY_LIMIT_EXCEEDED"]);
    await expectUsable(runtime);
  });

  it("recursion with a try/catch retry ends as TIMEOUT", async () => {
    const folder = makeTenant({ "r.js": "function f() { try { f(); } catch (e) { f(); } }\nexports.run = () => { f(); return 'survived'; };" });
    await expectEnds(runtime, { folder, file: "r.js", funcName: "run", timeout: 300 }, ["TIMEOUT"]);
    await expectUsable(runtime);
  });

  it("plain unbounded recursion is a catchable stack overflow (RUNTIME_ERROR), not a dead worker", async () => {
    const folder = makeTenant({
      "r.js": "function f(n) { return f(n + 1) + 1; }\nexports.run = () => f(0);\nexports.caught = () => { try { f(0); } catch (e) { return e instanceof RangeError; } };",
    });
    await expectEnds(runtime, { folder, file: "r.js", funcName: "run", timeout: 1000 }, ["RUNTIME_ERROR"]);
    await expect(runtime.run({ folder, file: "r.js", funcName: "caught" })).resolves.toBe(true);
    await expectUsable(runtime);
  });

  it("catastrophic regular-expression backtracking (ReDoS) ends as TIMEOUT", async () => {
    const folder = makeTenant({
      "re.js": "exports.f = () => new RegExp('^(a+)+$').test('a'.repeat(40) + 'b');",
    });
    await expectEnds(runtime, { folder, file: "re.js", funcName: "f", timeout: 300 }, ["TIMEOUT"]);
    await expectUsable(runtime);
  });

  it("the per-call timeout shortens the runtime's, and cannot lengthen it", async () => {
    const slow = makeRuntime({ timeout: 600, maxThreads: 1 });
    try {
      const folder = makeTenant({ "t.js": "exports.wait = (ms) => new Promise((r) => setTimeout(() => r('waited ' + ms), ms));" });
      await expect(slow.run({ folder, file: "t.js", funcName: "wait", args: [50], timeout: 400 })).resolves.toBe("waited 50");
      const short = await expectEnds(slow, { folder, file: "t.js", funcName: "wait", args: [400], timeout: 150 }, ["TIMEOUT"]);
      expect(short.ms).toBeLessThan(380);
      // Asking for more than the runtime's 600 ms does not allow a 2 s wait.
      const capped = await expectEnds(slow, { folder, file: "t.js", funcName: "wait", args: [2000], timeout: 60_000 }, ["TIMEOUT"]);
      expect(capped.ms).toBeLessThan(1900);
    } finally {
      await slow.close();
    }
  });

  it("many timeouts in a row leave the runtime usable and fast", async () => {
    const folder = makeTenant({ "loop.js": "exports.spin = () => { while (true) {} };" });
    const results = await Promise.all([0, 1, 2, 3].map(() => runError(runtime, { folder, file: "loop.js", funcName: "spin", timeout: 200 })));
    for (const e of results) expect(e.code).toBe("TIMEOUT");
    await expectUsable(runtime);
  });
});

describe("memory", () => {
  it("a heap bomb ends as MEMORY_LIMIT_EXCEEDED and a benign call works afterwards", async () => {
    const small = makeRuntime({ memoryLimitMb: 32, maxThreads: 1, timeout: 8000 });
    try {
      const folder = makeTenant({
        "bomb.js": "exports.f = () => { const a = []; for (let i = 0; ; i++) a.push('x'.repeat(1024) + i); };",
        "bomb2.js": "exports.f = () => { const a = []; while (true) a.push({ i: a.length, s: String(a.length).padStart(64, '0') }); };",
      });
      await expectEnds(small, { folder, file: "bomb.js", funcName: "f" }, ["MEMORY_LIMIT_EXCEEDED"], 15_000);
      await expectUsable(small);
      await expectEnds(small, { folder, file: "bomb2.js", funcName: "f" }, ["MEMORY_LIMIT_EXCEEDED"], 15_000);
      await expectUsable(small);
      // The host itself is fine.
      expect(process.memoryUsage().heapUsed).toBeGreaterThan(0);
    } finally {
      await small.close();
    }
  });
});

describe("array buffers (memory outside the V8 heap)", () => {
  // The worker's heap limit does not see ArrayBuffer memory; the runtime charges it to the invocation.
  // With memoryLimitMb 32 each invocation may allocate a bounded amount; 320 MiB must never succeed.
  const BOMBS = [
    "const MB = 1024 * 1024;",
    "exports.plain = () => { const keep = []; for (let i = 0; i < 20; i++) keep.push(new ArrayBuffer(16 * MB)); return keep.length * 16; };",
    "exports.typed = () => { const keep = []; for (let i = 0; i < 20; i++) keep.push(new Float64Array(2 * MB)); return keep.length * 16; };",
    // TypedArray.prototype.slice allocates through the species constructor; with `constructor` undefined
    // that is the intrinsic %Uint8Array%, not the runtime's charging wrapper.
    "exports.typedSpecies = () => {",
    "  const big = new Uint8Array(16 * MB);",
    "  Object.defineProperty(big, 'constructor', { value: undefined });",
    "  const keep = []; for (let i = 0; i < 20; i++) keep.push(big.slice());",
    "  return keep.reduce((n, b) => n + b.byteLength, 0) / MB;",
    "};",
    "exports.bufferSpecies = () => {",
    "  const big = new ArrayBuffer(16 * MB);",
    "  Object.defineProperty(big, 'constructor', { value: undefined });",
    "  const keep = []; for (let i = 0; i < 20; i++) keep.push(big.slice(0));",
    "  return keep.reduce((n, b) => n + b.byteLength, 0) / MB;",
    "};",
    // A length whose valueOf answers 0 when the runtime checks it and 64 MiB when the engine allocates.
    "exports.valueOfTwice = () => {",
    "  const keep = [];",
    "  for (let i = 0; i < 5; i++) { let calls = 0; keep.push(new ArrayBuffer({ valueOf() { return calls++ === 0 ? 0 : 64 * MB; } })); }",
    "  return keep.reduce((n, b) => n + b.byteLength, 0) / MB;",
    "};",
    "exports.small = () => new Uint8Array(1024).length;",
  ].join("\n");

  let small: InstanceType<typeof IsolatedRuntime>;
  let folder: string;
  beforeAll(() => {
    small = makeRuntime({ memoryLimitMb: 32, maxThreads: 1, timeout: 5000 });
    folder = makeTenant({ "bufs.js": BOMBS });
  });
  afterAll(async () => {
    await small?.close();
  });

  for (const funcName of ["plain", "typed", "typedSpecies", "bufferSpecies", "valueOfTwice"]) {
    it(`${funcName}: trying to allocate 320 MiB of array buffers never gets past the 128 MiB cap`, async () => {
      const report = await small.execute({ folder, file: "bufs.js", funcName });
      if (funcName === "valueOfTwice") {
        // The length is read once: the engine gets the 0 the runtime charged, never the 64 MiB of a second read.
        expect(report.success, JSON.stringify(report.error)).toBe(true);
        expect(report.value).toBe(0);
      } else {
        expect(report.success, `allocated ${String(report.value)} MiB`).toBe(false);
        expect(report.error?.code).toBe("MEMORY_LIMIT_EXCEEDED");
      }
      await expect(small.run({ folder, file: "bufs.js", funcName: "small" })).resolves.toBe(1024);
    });
  }
});

describe("maxIterations", () => {
  it("a loop over maxIterations is MAX_ITERATIONS, even if the tenant catches the error", async () => {
    const guarded = makeRuntime({ maxIterations: 1000, maxThreads: 1 });
    try {
      const folder = makeTenant({
        "i.js": [
          "exports.loop = (n) => { let s = 0; for (let i = 0; i < n; i++) s += i; return s; };",
          "exports.caught = () => { try { for (let i = 0; i < 1e6; i++); } catch (e) { return 'caught ' + e.message; } return 'done'; };",
          "exports.whileCaught = () => { let n = 0; for (let k = 0; k < 3; k++) { try { while (true) n++; } catch (e) {} } return n; };",
        ].join("\n"),
      });
      await expect(guarded.run({ folder, file: "i.js", funcName: "loop", args: [500] })).resolves.toBe(124750);
      // The count is per invocation, not per runtime.
      await expect(guarded.run({ folder, file: "i.js", funcName: "loop", args: [500] })).resolves.toBe(124750);
      await expectCode(guarded, { folder, file: "i.js", funcName: "loop", args: [5000] }, "MAX_ITERATIONS");
      await expectCode(guarded, { folder, file: "i.js", funcName: "caught" }, "MAX_ITERATIONS");
      await expectCode(guarded, { folder, file: "i.js", funcName: "whileCaught" }, "MAX_ITERATIONS");
      await expectUsable(guarded);
    } finally {
      await guarded.close();
    }
  });

  it("without maxIterations (STANDARD) long loops are fine", async () => {
    const folder = makeTenant({ "i.js": "exports.loop = (n) => { let s = 0; for (let i = 0; i < n; i++) s += 1; return s; };" });
    await expect(runtime.run({ folder, file: "i.js", funcName: "loop", args: [2_000_000] })).resolves.toBe(2_000_000);
  });
});

describe("queue and lifecycle", () => {
  it("execute() answers an unexpected failure while loading as INTERNAL_ERROR with no host path, never a rejection", async () => {
    const single = makeRuntime({ maxThreads: 1 });
    try {
      const folder = makeTenant({ "a.js": "exports.f = () => 1;" });
      // Stands in for a bug a tenant's files could hit (a stack overflow on a deep package.json was one).
      (single as unknown as { prepare: () => Promise<never> }).prepare = async () => {
        throw new RangeError("Maximum call stack size exceeded at /srv/host/secret/dist/index.js:7170");
      };
      const report = await single.execute({ folder, file: "a.js", funcName: "f" });
      expect(report.success).toBe(false);
      expect(report.error?.code).toBe("INTERNAL_ERROR");
      expect(report.error?.message).toContain("Maximum call stack size exceeded");
      expect(report.error?.message).not.toContain("/srv/host");
    } finally {
      await single.close();
    }
  });

  it("QUEUE_FULL when no worker is free and maxQueue is 0", async () => {
    const single = makeRuntime({ maxThreads: 1, maxQueue: 0, timeout: 3000 });
    try {
      const folder = makeTenant({ "s.js": "exports.slow = () => new Promise((r) => setTimeout(() => r('slow done'), 400));\nexports.fast = () => 'fast';" });
      const first = single.run({ folder, file: "s.js", funcName: "slow" });
      await sleep(50);
      await expectCode(single, { folder, file: "s.js", funcName: "fast" }, "QUEUE_FULL");
      await expect(first).resolves.toBe("slow done");
      await expect(single.run({ folder, file: "s.js", funcName: "fast" })).resolves.toBe("fast");
    } finally {
      await single.close();
    }
  });

  it("maxQueue 1 queues one call and refuses the next", async () => {
    const single = makeRuntime({ maxThreads: 1, maxQueue: 1, timeout: 3000 });
    try {
      const folder = makeTenant({ "s.js": "exports.slow = () => new Promise((r) => setTimeout(() => r('slow done'), 300));\nexports.fast = () => 'fast';" });
      const first = single.run({ folder, file: "s.js", funcName: "slow" });
      await sleep(30);
      const queued = single.run({ folder, file: "s.js", funcName: "fast" });
      await expectCode(single, { folder, file: "s.js", funcName: "fast" }, "QUEUE_FULL");
      await expect(first).resolves.toBe("slow done");
      await expect(queued).resolves.toBe("fast");
    } finally {
      await single.close();
    }
  });

  it("run after close() rejects with CLOSED; close() is idempotent", async () => {
    const rt = makeRuntime({ maxThreads: 1 });
    const folder = makeTenant({ "a.js": "exports.f = () => 1;" });
    await expect(rt.run({ folder, file: "a.js", funcName: "f" })).resolves.toBe(1);
    await Promise.all([rt.close(), rt.close()]);
    await rt.close();
    await expectCode(rt, { folder, file: "a.js", funcName: "f" }, "CLOSED");
    // execute() may reject with CLOSED or report it; it must not run the function.
    const outcome = await rt.execute({ folder, file: "a.js", funcName: "f" }).then(
      (report) => report.error?.code,
      (error: InstanceType<typeof RuntimeError>) => error.code,
    );
    expect(outcome).toBe("CLOSED");
  });

  it("close() with work in flight settles that work and resolves", async () => {
    const rt = makeRuntime({ maxThreads: 1, timeout: 2000 });
    const folder = makeTenant({ "a.js": "exports.slow = () => new Promise((r) => setTimeout(() => r('finished'), 200));\nexports.spin = () => { for (;;); };" });
    const slow = rt.run({ folder, file: "a.js", funcName: "slow" }).then(
      (v) => `value:${String(v)}`,
      (e: InstanceType<typeof RuntimeError>) => `error:${e.code}`,
    );
    const queued = rt.run({ folder, file: "a.js", funcName: "spin", timeout: 300 }).then(
      (v) => `value:${String(v)}`,
      (e: InstanceType<typeof RuntimeError>) => `error:${e.code}`,
    );
    await sleep(20);
    const started = Date.now();
    await rt.close();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(["value:finished", "error:CLOSED"]).toContain(await slow);
    expect(["error:TIMEOUT", "error:CLOSED"]).toContain(await queued);
  });
});

describe("invalid options throw at construction", () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["an unknown option", { timeOut: 1000 }, /timeOut/],
    ["a bad securityLevel", { securityLevel: "PARANOID" }, /securityLevel/],
    ["a lowercase securityLevel", { securityLevel: "strict" }, /securityLevel/],
    ["a negative timeout", { timeout: -1 }, /timeout/],
    ["a zero timeout", { timeout: 0 }, /timeout/],
    ["a fractional timeout", { timeout: 1.5 }, /timeout/],
    ["a string timeout", { timeout: "1000" }, /timeout/],
    ["a NaN memoryLimitMb", { memoryLimitMb: Number.NaN }, /memoryLimitMb/],
    ["maxThreads 0", { maxThreads: 0 }, /maxThreads/],
    ["a negative maxQueue", { maxQueue: -1 }, /maxQueue/],
    ["a negative maxToolCalls", { maxToolCalls: -5 }, /maxToolCalls/],
    ["a non-function toolHandler", { toolHandler: "handler" }, /toolHandler/],
    ["a negative maxOutputBytes", { maxOutputBytes: -1 }, /maxOutputBytes/],
    ["a negative maxLogBytes", { maxLogBytes: -1 }, /maxLogBytes/],
    ["maxIterations 0", { maxIterations: 0 }, /maxIterations/],
    ["minThreads above maxThreads", { minThreads: 4, maxThreads: 2 }, /minThreads/],
  ];
  for (const [what, options, message] of cases) {
    it(`${what}`, () => {
      expect(() => new IsolatedRuntime(options as never)).toThrow(TypeError);
      expect(() => new IsolatedRuntime(options as never)).toThrow(message);
    });
  }

  it("options that are not an object", () => {
    expect(() => new IsolatedRuntime(null as never)).toThrow();
    expect(() => new IsolatedRuntime("fast" as never)).toThrow();
  });
});

describe("INVALID_REQUEST", () => {
  const folderFor = () => makeTenant({ "a.js": "exports.f = (...args) => args.length;" });

  const bad = (folder: string): [string, unknown][] => [
    ["a relative folder", { folder: "tenants/acme", file: "a.js", funcName: "f" }],
    ["an empty folder", { folder: "", file: "a.js", funcName: "f" }],
    ["a missing folder field", { file: "a.js", funcName: "f" }],
    ["args that are not an array", { folder, file: "a.js", funcName: "f", args: { 0: 1 } }],
    ["args as a string", { folder, file: "a.js", funcName: "f", args: "1,2" }],
    ["BigInt args", { folder, file: "a.js", funcName: "f", args: [10n] }],
    ["circular args", { folder, file: "a.js", funcName: "f", args: [(() => { const o: Record<string, unknown> = {}; o.o = o; return o; })()] }],
    ["a BigInt context", { folder, file: "a.js", funcName: "f", context: { n: 1n } }],
    ["an empty funcName", { folder, file: "a.js", funcName: "" }],
    ["a non-string funcName", { folder, file: "a.js", funcName: 42 }],
    ["an empty file", { folder, file: "", funcName: "f" }],
    ["a non-string file", { folder, file: ["a.js"], funcName: "f" }],
    ["a NUL byte in file", { folder, file: "a.js\0.txt", funcName: "f" }],
    ["a negative per-call timeout", { folder, file: "a.js", funcName: "f", timeout: -5 }],
    ["a string per-call timeout", { folder, file: "a.js", funcName: "f", timeout: "100" }],
    ["a null request", null],
    ["serialized args that are not JsonText", { folder, file: "a.js", funcName: "f", serialized: { args: "[1]", context: new JsonText("{}") } }],
    ["serialized args whose text is not a string", { folder, file: "a.js", funcName: "f", serialized: { args: new JsonText(5 as never), context: new JsonText("{}") } }],
    ["a serialized context whose text is not a string", { folder, file: "a.js", funcName: "f", serialized: { args: new JsonText("[1]"), context: new JsonText({} as never) } }],
    ["serialized without a context", { folder, file: "a.js", funcName: "f", serialized: { args: new JsonText("[1]") } }],
    ["a null serialized", { folder, file: "a.js", funcName: "f", serialized: null }],
  ];

  it("run() rejects with INVALID_REQUEST for each bad request", async () => {
    const folder = folderFor();
    for (const [what, request] of bad(folder)) {
      const error = await runError(runtime, request as never).catch((e: unknown) => {
        throw new Error(`${what}: ${String(e)}`);
      });
      expect(error.code, `${what}: ${error.code} ${error.message}`).toBe("INVALID_REQUEST");
    }
  });

  it("args nested deeper than the engine's stack: INVALID_REQUEST that says so, not the engine's stack message", async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const error = await runError(runtime, { folder: folderFor(), file: "a.js", funcName: "f", args: [deep] });
    expect(error.code).toBe("INVALID_REQUEST");
    expect(error.message).toBe("args is not JSON-serializable: it is nested too deeply");
  });

  it("args or context whose toJSON throws a non-Error (null, a string): INVALID_REQUEST saying what it threw", async () => {
    const folder = folderFor();
    const throwing = (thrown: unknown) => ({ toJSON: () => { throw thrown; } });
    for (const [thrown, said] of [[null, "null"], ["no dates here", "no dates here"], [undefined, "undefined"]] as const) {
      const error = await runError(runtime, { folder, file: "a.js", funcName: "f", args: [throwing(thrown)] });
      expect(error.code, error.message).toBe("INVALID_REQUEST");
      expect(error.message).toBe(`args is not JSON-serializable: ${said}`);
      const context = await runError(runtime, { folder, file: "a.js", funcName: "f", context: throwing(thrown) as never });
      expect(context.code, context.message).toBe("INVALID_REQUEST");
      expect(context.message).toBe(`context is not JSON-serializable: ${said}`);
    }
  });

  it("execute() reports INVALID_REQUEST without rejecting", async () => {
    const folder = folderFor();
    for (const [what, request] of bad(folder)) {
      if (request === null) continue;
      const report = await runtime.execute(request as never);
      expect(report.success, what).toBe(false);
      expect(report.error?.code, what).toBe("INVALID_REQUEST");
      expect(Array.isArray(report.logs), what).toBe(true);
    }
  });

  it("a valid request on the same folder still works", async () => {
    const folder = folderFor();
    await expect(runtime.run({ folder, file: "a.js", funcName: "f", args: [1, 2, 3] })).resolves.toBe(3);
  });
});
