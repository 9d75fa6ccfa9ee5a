import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupTenants, IsolatedRuntime, makeRuntime, makeTenant, runError } from "./helpers.js";

/*
 * Stack frames point at the tenant's own line and column although the transform inserts guards into its
 * lines: the same positions Node reports for the same file run natively. (One known difference: a frame at
 * a direct call of an imported binding, `g(n)`, points at the call's parenthesis, not at `g`: the call is
 * `(0, ns.g)(n)` after the transform, and V8 places such calls at their arguments.)
 */

let runtime: InstanceType<typeof IsolatedRuntime>;
beforeAll(() => {
  runtime = makeRuntime({ maxThreads: 1 });
});
afterAll(async () => {
  await runtime?.close();
  cleanupTenants();
});

/** The "line:column" of every frame of `file` in a stack, in order. */
function positions(stack: string, file: string): string[] {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return [...stack.matchAll(new RegExp(`${escaped}:(\\d+:\\d+)\\)?$`, "gm"))].map((m) => m[1]!);
}

/** The stack Node itself gives for the same function of the same file. */
async function nativeStack(folder: string, file: string, funcName: string, args: unknown[]): Promise<string> {
  const absolute = path.join(folder, file);
  const exports = file.endsWith(".mjs") ? await import(pathToFileURL(absolute).href) : createRequire(absolute)(absolute);
  try {
    await exports[funcName](...args);
  } catch (error) {
    return String((error as Error).stack);
  }
  throw new Error("expected the native call to throw");
}

const CASES: { name: string; file: string; code: string; funcName: string; args?: unknown[] }[] = [
  { name: "a concise arrow with a guard in front of the error", file: "a.js", funcName: "broken", code: "exports.broken = () => { null.x; };\n" },
  {
    name: "loops and recursion on one line",
    file: "b.js",
    funcName: "deep",
    args: [3],
    code: "function deep(n) { for (let i = 0; i < 1; i++) { while (false) {} if (n > 0) return deep(n - 1); } throw new Error('bottom'); }\nexports.deep = deep;\n",
  },
  {
    name: "callbacks, default parameters and class fields",
    file: "c.js",
    funcName: "f",
    code: "class A { v = (() => 1)(); m(x = 2) { return [x].map((y) => { return y.z.w; }); } }\nexports.f = () => { const a = new A(); for (const k of [1]) { if (k) return a.m(); } };\n",
  },
  {
    name: "an ES module with imports, exports split over lines and a loop body without braces",
    file: "d.mjs",
    funcName: "f",
    code: "import { g } from './e.mjs';\nexport\nconst f = () => { let n = 0; for (let i = 0; i < 2; i++) n++; const h = g; return h(n); };\n",
  },
];

describe("stack frames map back through the transform", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const folder = makeTenant({ [c.file]: c.code, "e.mjs": "export function g(n) { if (n) { return null.q; } }\n" });
      const native = await nativeStack(folder, c.file, c.funcName, c.args ?? []);
      const error = await runError(runtime, { folder, file: c.file, funcName: c.funcName, args: c.args ?? [] });
      expect(error.code).toBe("RUNTIME_ERROR");
      const ours = String(error.details?.stack);
      for (const file of [c.file, "e.mjs"]) {
        const expected = positions(native, path.join(folder, file));
        expect(positions(ours, file), ours).toEqual(expected);
      }
      expect(positions(ours, c.file).length).toBeGreaterThan(0);
    });
  }

  it("an inline script's frames are the caller's own columns, line 1 included", async () => {
    const error = await runtime.runCode({ code: "const f = () => { return null.k; };\nfor (let i = 0; i < 1; i++) { if (i === 0) f(); }" }).catch((e: unknown) => e as { details?: { stack?: unknown } });
    const stack = String((error as { details?: { stack?: unknown } }).details?.stack);
    expect(positions(stack, "inline-script.cjs")).toEqual(["1:31", "2:44"]);
  });

  it("a module that throws while it loads: the importing module's frame is its file, never 'null' for a line", async () => {
    const folder = makeTenant({ "a.mjs": 'import { x } from "./b.mjs";\nexport const check = () => x;\n', "b.mjs": 'export const x = 1;\nthrow new Error("boom at load");\n' });
    const error = await runError(runtime, { folder, file: "a.mjs", funcName: "check" });
    const stack = String((error.details as { stack?: unknown } | undefined)?.stack);
    expect(stack).toContain("at b.mjs:2:7");
    expect(stack).not.toContain("null");
  });

  it("a tenant reading error.stack inside the sandbox sees the same positions", async () => {
    const folder = makeTenant({ "s.js": "exports.f = () => { for (;;) { try { null.x; } catch (e) { return e.stack.split('\\n')[1]; } } };\n" });
    await expect(runtime.run({ folder, file: "s.js", funcName: "f" })).resolves.toBe("    at exports.f (s.js:1:43)");
  });
});
