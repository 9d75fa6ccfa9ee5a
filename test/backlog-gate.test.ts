import { describe, expect, it } from "vitest";
import { BacklogGate } from "../src/service/delivery/backlog-gate.js";

describe("the queued-events backlog gate (maxQueuedEvents)", () => {
  it("admits no more than the limit when many requests arrive while the backlog is being counted", async () => {
    let counts = 0;
    // A count that takes a while (PostgreSQL, Redis): every request of the burst arrives during it.
    const gate = new BacklogGate(async () => {
      counts++;
      await new Promise((r) => setTimeout(r, 20));
      return 4;
    }, Date.now);
    const answers = await Promise.allSettled(Array.from({ length: 50 }, () => gate.admit("t", 1, 10)));
    expect(answers.filter((a) => a.status === "fulfilled")).toHaveLength(6);
    expect(answers.filter((a) => a.status === "rejected").every((a) => (a as PromiseRejectedResult).reason.code === "TOO_MANY_QUEUED")).toBe(true);
    expect(counts).toBe(1);
  });

  it("counts again after a second, and a count that fails fails only the requests that waited for it", async () => {
    let clock = 0;
    let backlog: number | Error = 3;
    const gate = new BacklogGate(async () => {
      if (backlog instanceof Error) throw backlog;
      return backlog;
    }, () => clock);
    await gate.admit("t", 2, 5);
    await expect(gate.admit("t", 1, 5)).rejects.toMatchObject({ code: "TOO_MANY_QUEUED" });
    clock += 1000;
    backlog = new Error("store away");
    await expect(gate.admit("t", 1, 5)).rejects.toThrow("store away");
    backlog = 0; // the jobs ran
    await gate.admit("t", 5, 5);
  });
});
