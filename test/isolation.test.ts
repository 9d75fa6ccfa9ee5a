import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupTenants, expectCode, expectUsable, IsolatedRuntime, makeRuntime, makeTenant } from "./helpers.js";

/*
 * Regressions for the second red-team review. The first cases would abort the test process itself if the
 * worker pool lived in it: V8 ends the whole process on some out-of-memory paths of a worker.
 */

let runtime: InstanceType<typeof IsolatedRuntime>;
beforeAll(() => {
  // A long timeout: the memory cases must hit the heap limit first, however busy the machine (under CI load a
  // growing array once took longer than 1 s to fill 32 MB). Cases that want a timeout pass their own.
  runtime = makeRuntime({ maxThreads: 1, securityLevel: "PERMISSIVE", timeout: 10_000, memoryLimitMb: 32, toolHandler: () => "ok" });
});
afterAll(async () => {
  await runtime?.close();
  cleanupTenants();
});

describe("the host process survives what V8 cannot stop cleanly", () => {
  it("a growing array and a giant fill end as MEMORY_LIMIT_EXCEEDED, and the runtime keeps serving", async () => {
    const folder = makeTenant({
      "bomb.mjs": "export function push() { const a = []; for (;;) a.push(1); }\nexport function fill() { return new Array(1e9).fill(0).length; }\n",
    });
    await expectCode(runtime, { folder, file: "bomb.mjs", funcName: "push" }, "MEMORY_LIMIT_EXCEEDED");
    await expectUsable(runtime);
    await expectCode(runtime, { folder, file: "bomb.mjs", funcName: "fill" }, "MEMORY_LIMIT_EXCEEDED");
    await expectUsable(runtime);
  });

  it("Intl objects are charged: an unbounded pile of formatters is MEMORY_LIMIT_EXCEEDED", async () => {
    const folder = makeTenant({
      "intl.mjs": "export function f() { const keep = []; for (;;) keep.push(new Intl.DateTimeFormat('de', { dateStyle: 'full' })); }\n",
    });
    await expectCode(runtime, { folder, file: "intl.mjs", funcName: "f" }, "MEMORY_LIMIT_EXCEEDED");
  });

  it("tool arguments over maxToolArgBytes fail in the sandbox, before they reach the host", async () => {
    const folder = makeTenant({
      "t.mjs": "export async function f() { try { await callTool('t', 'x'.repeat(2e6)); return 'sent'; } catch (e) { return e.code; } }\n",
    });
    await expect(runtime.run({ folder, file: "t.mjs", funcName: "f" })).resolves.toBe("TOOL_ERROR");
  });
});

describe("guards and the stack formatter", () => {
  it("a generator whose default parameters recurse still hits a guard: TIMEOUT without a hard stop", async () => {
    const folder = makeTenant({
      "g.mjs": "function* g(a = class { static { try { g().next(); } catch {} try { g().next(); } catch {} } }) {}\nexport function f() { g().next(); return 1; }\n",
    });
    const report = await runtime.execute({ folder, file: "g.mjs", funcName: "f", timeout: 1000 });
    expect(report.error?.code).toBe("TIMEOUT");
    expect(report.error?.details?.hardStop).toBeUndefined();
  });

  it("a getter read while a stack is formatted never runs tenant code on host frames", async () => {
    const folder = makeTenant({
      "s.mjs": "export function f() { let leaked = ''; class E extends Error { get name() { leaked = new Error('x').stack; return 'E'; } } const e = new E('m'); e.stack; return leaked; }\n",
    });
    const leaked = (await runtime.run({ folder, file: "s.mjs", funcName: "f" })) as string;
    expect(leaked).not.toMatch(/node:|tenantbox:|dist\/|runInContext/);
  });
});

describe("loader edge cases", () => {
  it("export default of a parenthesised expression compiles", async () => {
    const folder = makeTenant({ "d.mjs": "export default ({ a: 1 });\nexport function f() { return 2; }\n", "u.mjs": "import d from './d.mjs';\nexport function f() { return d.a; }\n" });
    await expect(runtime.run({ folder, file: "u.mjs", funcName: "f" })).resolves.toBe(1);
  });

  it("a package whose main points at itself is MODULE_NOT_FOUND, not a crash of the loader", async () => {
    const folder = makeTenant({
      "loop/package.json": JSON.stringify({ main: "." }),
      "r.cjs": "exports.f = () => { try { require('./loop'); return 'loaded'; } catch (e) { return e.code; } };\n",
    });
    await expect(runtime.run({ folder, file: "r.cjs", funcName: "f" })).resolves.toBe("MODULE_NOT_FOUND");
  });
});

describe("sandbox processes never outlive the host", () => {
  it("a call stuck in a regex dies with its host process", async () => {
    const folder = makeTenant({ "r.js": "exports.f = () => /^(a+)+$/.test('a'.repeat(60) + '!');\n" });
    const dist = path.join(fileURLToPath(new URL("..", import.meta.url)), "dist", "index.js");
    const script = path.join(folder, "host.mjs");
    fs.writeFileSync(
      script,
      `import { execSync } from "node:child_process";
import { IsolatedRuntime } from ${JSON.stringify(dist)};
const rt = new IsolatedRuntime({ maxThreads: 1, timeout: 10000, securityLevel: "PERMISSIVE" });
void rt.run({ folder: ${JSON.stringify(folder)}, file: "r.js", funcName: "f" });
setTimeout(() => {
  const kids = execSync("ps -o pid= --ppid " + process.pid).toString().trim().split(/\\s+/).filter(Boolean);
  process.stdout.write(kids.join(",") + "\\n", () => process.kill(process.pid, "SIGKILL"));
}, 800);
`,
    );
    // The host kills itself with SIGKILL: no exit handler of its own can run.
    const out = spawnSync(process.execPath, [script], { encoding: "utf8", timeout: 20_000 }).stdout.trim();
    const pids = out.split(",").filter(Boolean).map(Number);
    expect(pids.length).toBeGreaterThan(0);
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + 5000;
    while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(pids.filter(alive)).toEqual([]);
  });
});

describe("isolation option", () => {
  it("thread isolation runs the same calls in this process", async () => {
    const threaded = new IsolatedRuntime({ isolation: "thread", maxThreads: 1, minThreads: 1 });
    try {
      const folder = makeTenant({ "a.js": "exports.f = (x) => x + 1;\n" });
      await expect(threaded.run({ folder, file: "a.js", funcName: "f", args: [1] })).resolves.toBe(2);
    } finally {
      await threaded.close();
    }
    expect(() => new IsolatedRuntime({ isolation: "vm" as never })).toThrow(/isolation/);
  });
});
