import { describe, expect, it } from "vitest";
import { CompileRate } from "../src/runner/compile-rate.js";

describe("the estimate of how long generated code takes to check", () => {
  it("starts from the given rate and follows the texts compiled here", () => {
    const rate = new CompileRate(0.25);
    expect(rate.msPerKiB).toBe(0.25);
    for (let i = 0; i < 5; i++) rate.record(40, 200 * 1024);
    expect(rate.msPerKiB).toBeCloseTo(0.2);
  });

  it("is not raised for every tenant by one text that was slow to check", () => {
    const rate = new CompileRate(0.25);
    for (let i = 0; i < 5; i++) rate.record(20, 100 * 1024);
    // One text made to be slow (or one compile during a burst of load): 200 ms per KiB.
    rate.record(200 * 64, 64 * 1024);
    // The next tenant's 200 KiB text is still expected to take about 40 ms, not 40 s.
    expect(rate.msPerKiB * 200).toBeCloseTo(40);
  });

  it("moves when most recent texts were slow (the machine is slower)", () => {
    const rate = new CompileRate(0.25);
    for (let i = 0; i < 15; i++) rate.record(20, 100 * 1024);
    for (let i = 0; i < 8; i++) rate.record(200, 100 * 1024);
    expect(rate.msPerKiB).toBeCloseTo(2);
  });

  it("is bounded for every tenant (eight slow invocations of one tenant move the median no further than 4 ms per KiB), not for the invocation's own texts", () => {
    const rate = new CompileRate(0.25);
    for (let i = 0; i < 15; i++) rate.record(20, 100 * 1024);
    for (let i = 0; i < 8; i++) rate.record(100 * 500, 100 * 1024);
    expect(rate.msPerKiB).toBe(4);
    // The last of those invocations still expects its own next text to be as slow as its own were.
    const invocation = {};
    rate.record(100 * 500, 100 * 1024, invocation);
    expect(rate.msPerKiBFor(invocation)).toBe(500);
    expect(rate.msPerKiBFor({})).toBe(4);
  });
});
