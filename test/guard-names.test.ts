import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { compileModule } from "../src/loader/compile.js";

/**
 * The guards' budget object and functions are named anew by each compile (transform.ts, Guards): code the
 * rules never saw (a parser reading some text differently from the engine) could once write
 * `__tenantbox_b.l = 1e15` and run unguarded; it cannot name this compile's budget.
 */
const GUARD_NAME = /__tenantbox_(?:b|enter|loop)_([0-9a-f]{8})/g;
const module = "exports.count = function (n) { let i = 0; while (i < n) i++; return i; };\n";

function suffixes(source: string): Set<string> {
  return new Set([...source.matchAll(GUARD_NAME)].map((m) => m[1]!));
}

/** Runs a CommonJS wrapper as the sandbox does (guards from the one-shot take), with a loop budget. */
function run(wrapper: string, loops: number): (n: number) => number {
  const budget = { l: loops, n: 1e9 };
  const stop = () => {
    throw new Error("guard tripped");
  };
  const mod = { exports: {} as { count: (n: number) => number } };
  const fn = vm.runInNewContext(wrapper.slice(0, wrapper.lastIndexOf("})") + 2));
  fn(mod.exports, () => ({}), mod, "m.js", ".", () => [budget, stop, stop, Function, null]);
  return mod.exports.count;
}

describe("the guards' names", () => {
  it("each compile draws its own suffix; the module's hash stays the same", () => {
    const a = compileModule(module, "m.js", "STANDARD", false);
    const b = compileModule(module, "m.js", "STANDARD", false);
    expect(suffixes(a.source).size).toBe(1);
    expect(suffixes(b.source).size).toBe(1);
    expect([...suffixes(a.source)][0]).not.toBe([...suffixes(b.source)][0]);
    expect(a.hash).toBe(b.hash);
    expect(a.source.replace(GUARD_NAME, "")).toBe(b.source.replace(GUARD_NAME, ""));
    expect(run(a.source, 1_000)(10)).toBe(10);
    expect(() => run(a.source, 1_000)(5_000)).toThrow("guard tripped");
  });

  it("code inserted past the rules cannot reach the budget by the names the runtime once used", () => {
    const { source } = compileModule(module, "m.js", "STANDARD", false);
    // What a parser differential used to let through: a write to the budget, in the module's body.
    const at = source.indexOf("exports.count");
    const forged = source.slice(0, at) + "__tenantbox_b.l = 1e15; " + source.slice(at);
    expect(() => run(forged, 1_000)).toThrow(/__tenantbox_b is not defined/);
  });
});
