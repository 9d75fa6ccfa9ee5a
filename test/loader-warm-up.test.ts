import { describe, expect, it } from "vitest";
import { compile } from "../src/loader/compile.js";
import { LoaderPool } from "../src/loader/loader-pool.js";
import { BACKGROUND_WARM_UP_ROUNDS, warmUpInputs, warmUpOnStart, warmUpShare } from "../src/loader/warm-up.js";

/*
 * A loader thread warms up on built-in samples when it starts (warm-up.ts): a sample that did not validate
 * would warm only the parser and leave the rules' verdict, the transform and the export reader cold.
 */
describe("the loader's warm-up samples", () => {
  it("validate cleanly and go through the whole pipeline, CommonJS and ES module", () => {
    const inputs = [0, 1, 2, 3, 4].flatMap((round) => warmUpInputs(round));
    expect(new Set(inputs.map((input) => input.id))).toEqual(new Set(["warm-up/rules.js", "warm-up/handler.mjs"]));
    for (const input of inputs) {
      const version = compile(input);
      expect(version.rejection).toBeUndefined();
      expect(version.warnings).toEqual([]);
      expect(version.source).toContain("__tenantbox_b");
      expect(version.exports.names.length).toBeGreaterThan(0);
    }
    const commonJs = inputs.find((input) => input.id.endsWith(".js"))!;
    // About the size of the modules whose first call is measured (bench/workloads.mjs: 10 KB).
    expect(commonJs.code.length).toBeGreaterThan(8000);
    expect(compile(commonJs).format).toBe("cjs");
    expect(compile(inputs.find((input) => input.id.endsWith(".mjs"))!).format).toBe("esm");
  });
});

describe("which loader threads warm up", () => {
  it("the first ones the pool starts, as many as it has threads; replacements start cold", () => {
    const share = warmUpShare(2);
    expect([warmUpOnStart(share), warmUpOnStart(share), warmUpOnStart(share)]).toEqual([true, true, false]);
    // A thread started without a share (not by the pool) does not warm up.
    expect(warmUpOnStart(undefined)).toBe(false);
  });
});

describe("the pool's background rounds", () => {
  it("run while nothing is loaded, all of them, then stop; a file loaded meanwhile compiles; close() ends them", async () => {
    const pool = new LoaderPool({ threads: 1, timeoutMs: 10_000, memoryLimitMb: 256 });
    try {
      expect(pool.warmUpRoundsLeft).toBe(BACKGROUND_WARM_UP_ROUNDS);
      const deadline = Date.now() + 30_000;
      let compiledBetween = false;
      while (pool.warmUpRoundsLeft > 0 && Date.now() < deadline) {
        if (!compiledBetween && pool.warmUpRoundsLeft < BACKGROUND_WARM_UP_ROUNDS) {
          // A file while the rounds run: compiled as ever, the rounds go on after it.
          const version = await pool.compile("t", { kind: "module", id: "a.js", code: "exports.f = () => 1;", securityLevel: "STANDARD", scoring: false, countIterations: false });
          expect(version.rejection).toBeUndefined();
          expect(version.exports.names).toEqual(["f"]);
          compiledBetween = true;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(compiledBetween).toBe(true);
      expect(pool.warmUpRoundsLeft).toBe(0);
    } finally {
      await pool.close();
    }
    // Closed while its rounds are still to come: none starts after close().
    const closed = new LoaderPool({ threads: 1, timeoutMs: 10_000, memoryLimitMb: 256 });
    await closed.close();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(closed.warmUpRoundsLeft).toBe(BACKGROUND_WARM_UP_ROUNDS);
  }, 60_000);
});
