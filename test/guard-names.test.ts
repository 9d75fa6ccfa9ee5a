import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { compileModule } from "../src/loader/compile.js";

/**
 * The guards' budget object and functions are named anew by each compile (transform.ts, Guards): code the
 * rules never saw (a parser reading some text differently from the engine) could once write
 * `__tenantbox_b.l = 1e15` and run unguarded; it cannot name this compile's budget.
 */
const GUARD_NAME = /__tenantbox_(?:b|enter|loop|tick|c)_([0-9a-f]{8})/g;
const module = "exports.count = function (n) { let i = 0; while (i < n) i++; return i; };\n";

function suffixes(source: string): Set<string> {
  return new Set([...source.matchAll(GUARD_NAME)].map((m) => m[1]!));
}

/** Runs a CommonJS wrapper as the sandbox does (guards from the one-shot take), with a loop budget. */
function run(wrapper: string, loops: number, tick: () => void = stop): (n: number) => number {
  const budget = { l: loops, n: 1e9 };
  const mod = { exports: {} as { count: (n: number) => number } };
  // The realm's cleaner of caught values (sandbox/caught.ts), which the transform calls in every catch clause.
  const fn = vm.runInNewContext(wrapper.slice(0, wrapper.lastIndexOf("})") + 2), { __tenantbox_caught: (value: unknown) => value });
  fn(mod.exports, () => ({}), mod, "m.js", ".", () => [budget, stop, stop, Function, null, tick]);
  return mod.exports.count;
}

function stop(): never {
  throw new Error("guard tripped");
}

describe("the guards' names", () => {
  it("each compile draws its own suffix; the module's hash stays the same", () => {
    const a = compileModule(module, "m.js", "STANDARD", false, { countIterations: true });
    const b = compileModule(module, "m.js", "STANDARD", false, { countIterations: true });
    expect(suffixes(a.source).size).toBe(1);
    expect(suffixes(b.source).size).toBe(1);
    expect([...suffixes(a.source)][0]).not.toBe([...suffixes(b.source)][0]);
    expect(a.hash).toBe(b.hash);
    expect(a.source.replace(GUARD_NAME, "")).toBe(b.source.replace(GUARD_NAME, ""));
    expect(run(a.source, 1_000)(10)).toBe(10);
    expect(() => run(a.source, 1_000)(5_000)).toThrow("guard tripped");
  });

  it("code inserted past the rules cannot reach the budget by the names the runtime once used", () => {
    const { source } = compileModule(module, "m.js", "STANDARD", false, { countIterations: true });
    // What a parser differential used to let through: a write to the budget, in the module's body.
    const at = source.indexOf("exports.count");
    const forged = source.slice(0, at) + "__tenantbox_b.l = 1e15; " + source.slice(at);
    expect(() => run(forged, 1_000)).toThrow(/__tenantbox_b is not defined/);
  });

  it("uncounted loops (maxIterations off) keep their counter under this compile's name too, and a tick that threw is called again", () => {
    const { source } = compileModule(module, "m.js", "STANDARD", false, { countIterations: false });
    expect(suffixes(source).size).toBe(1);
    expect(source).not.toContain(".l < 0");
    let ticks = 0;
    expect(run(source, 0, () => void ticks++)(5_000)).toBe(5_000);
    // The clock after the call's first 64 iterations, then every 1024: at 64, 1088, 2112, 3136 and 4160.
    expect(ticks).toBe(5);
    // A write to the old-style name reaches no counter of this compile: the tick still comes.
    const at = source.indexOf("exports.count");
    ticks = 0;
    expect(run(source.slice(0, at) + "var __tenantbox_c = -1e15; " + source.slice(at), 0, () => void ticks++)(2_048)).toBe(2_048);
    expect(ticks).toBe(2); // at 64 and 1088
    // Once the tick has thrown, the function's next iteration calls it again (the limit stays tripped).
    const catching = "exports.count = function (n) { let caught = 0; for (;;) { try { for (;;) {} } catch (e) { if (++caught === n) return caught; } } };\n";
    let calls = 0;
    const tripped = () => {
      calls++;
      throw new Error("tripped");
    };
    expect(() => run(compileModule(catching, "m.js", "STANDARD", false, { countIterations: false }).source, 0, tripped)(3)).toThrow("tripped");
    expect(calls).toBe(2);
  });
});
