import { syncBuiltinESMExports } from "node:module";
import childProcess from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupTenants, expectCode, expectUsable, IsolatedRuntime, makeRuntime, makeTenant } from "../helpers.js";

/*
 * Issue 10, fixes 5 and 9: what a sandbox process's death is blamed on.
 *  - A call handed to a ready process is never run again, even when its process crashes natively (a V8
 *    bug a tenant found must not run twice, nor hold the caller past timeout + grace).
 *  - A call is never blamed for memory another call left behind: a process that keeps more than its
 *    headroom after a call is retired before it serves another one.
 */

// Counts sandbox processes started (the pool's only use of spawn), through the live ESM binding.
const realSpawn = childProcess.spawn;
let spawned = 0;
beforeAll(() => {
  childProcess.spawn = ((...args: Parameters<typeof realSpawn>) => {
    spawned++;
    return realSpawn(...args);
  }) as typeof realSpawn;
  syncBuiltinESMExports();
});
afterAll(() => {
  childProcess.spawn = realSpawn;
  syncBuiltinESMExports();
  cleanupTenants();
});

describe("a native crash after the call started", () => {
  let runtime: InstanceType<typeof IsolatedRuntime>;
  afterAll(async () => runtime?.close());

  it("is answered INTERNAL_ERROR with the signal, within timeout + grace, and is not run again", async () => {
    const timeout = 15_000;
    runtime = makeRuntime({ maxThreads: 1, minThreads: 1, timeout, hardStopGraceMs: 500, securityLevel: "PERMISSIVE" });
    // ~50k nested (?:...)* groups: V8 overflows its native stack compiling the expression (SIGSEGV).
    const folder = makeTenant({
      "crash.js": "exports.crash = () => new RegExp('(?:'.repeat(50000) + 'a' + ')*'.repeat(50000)).test('aaa');\n",
    });
    await expectUsable(runtime);
    const before = spawned;
    const started = Date.now();
    const error = await expectCode(runtime, { folder, file: "crash.js", funcName: "crash" }, "INTERNAL_ERROR");
    expect(Date.now() - started).toBeLessThan(timeout + 500 + 4000);
    expect(error.details).toMatchObject({ signal: "SIGSEGV", reason: "the sandbox process crashed while running this call" });
    // One process ran it; a replacement may start for the next call, never a retry of this one.
    await expectUsable(runtime);
    expect(spawned - before).toBeLessThanOrEqual(1);
  }, 40_000);
});

describe("memory one call leaves behind", () => {
  let runtime: InstanceType<typeof IsolatedRuntime>;
  afterAll(async () => runtime?.close());

  it("is not blamed on the next call: a tenant's own error stays its own", async () => {
    // One process, heap 32 + 32 MiB. The first tenant stamps 30 MiB onto a frozen intrinsic of its realm
    // (a private field through a constructor's return override): the realm is reused, the memory stays.
    runtime = makeRuntime({ maxThreads: 1, minThreads: 1, memoryLimitMb: 32, timeout: 10_000, securityLevel: "PERMISSIVE" });
    const hog = makeTenant({
      "hog.js": `class Base { constructor(o) { return o; } }
class Stamp extends Base { #held; constructor(o, v) { super(o); this.#held = v; } }
exports.hold = (mb) => {
  const chunks = [];
  for (let i = 0; i < mb; i++) chunks.push(new Array(131072).fill(i));
  new Stamp(Object.prototype, chunks);
  return chunks.length;
};
`,
    });
    // The second tenant uses 30 MiB, within its 32 MiB, then throws its own error (code "TIMEOUT", as observed).
    const other = makeTenant({
      "work.js": `exports.work = (mb) => {
  const chunks = [];
  for (let i = 0; i < mb; i++) chunks.push(new Array(131072).fill(i));
  const error = new Error("mine " + chunks.length);
  error.code = "TIMEOUT";
  throw error;
};
`,
    });
    expect(await runtime.run({ folder: hog, file: "hog.js", funcName: "hold", args: [30] })).toBe(30);
    const error = await expectCode(runtime, { folder: other, file: "work.js", funcName: "work", args: [30] }, "RUNTIME_ERROR");
    expect(error.message).toBe("mine 30");
    await expectUsable(runtime);
  }, 40_000);
});

describe("processPerTenant", () => {
  it("a sandbox process another tenant's call ran in is never used for this tenant's", async () => {
    const a = makeTenant({ "a.js": "exports.f = () => 'a';" });
    const b = makeTenant({ "b.js": "exports.f = () => 'b';" });
    const shared = makeRuntime({ maxThreads: 1, minThreads: 1 });
    const dedicated = makeRuntime({ maxThreads: 1, minThreads: 1, processPerTenant: true });
    try {
      for (const runtime of [shared, dedicated]) for (let i = 0; i < 3; i++) await runtime.execute({ folder: a, file: "a.js", funcName: "f" });
      // realmUses counts the calls a realm served: one realm per sandbox process here.
      const afterShared = await shared.execute({ folder: b, file: "b.js", funcName: "f" });
      expect(afterShared.stats.realmUses).toBeGreaterThan(1);
      const afterDedicated = await dedicated.execute({ folder: b, file: "b.js", funcName: "f" });
      expect(afterDedicated.value).toBe("b");
      expect(afterDedicated.stats.realmUses).toBe(1);
      const backToA = await dedicated.execute({ folder: a, file: "a.js", funcName: "f" });
      expect(backToA.value).toBe("a");
      // A fresh process, or A's own (its three calls and this one, kept beside B's by the pool's spare
      // worker): never the process B's call ran in (that would be its second use).
      expect([1, 4]).toContain(backToA.stats.realmUses);
    } finally {
      await shared.close();
      await dedicated.close();
    }
  });
});
