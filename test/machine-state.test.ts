import { describe, expect, it } from "vitest";
import { MachineStateClient, type PrimaryChannel } from "../src/service/machine-state-client.js";
import { isMachineRequest, MachineState, type MachineRequest } from "../src/service/machine-state.js";
import { channelTo, primaryLimiter } from "./machine-state-helpers.js";
import type { ServiceError } from "../src/service/service-error.js";
import { TIER_QUOTAS } from "../src/service/tiers.js";

/** The primary's answers are given up on after this (5 s in the service). */
const TIMEOUT_MS = 200;

const limiter = (channel: PrimaryChannel) => primaryLimiter(channel, { answerTimeoutMs: TIMEOUT_MS });

const outcome = (p: Promise<unknown>) => p.then(() => "took", (error: ServiceError) => error.code);
const request = (batch: number, ops: MachineRequest["ops"]): MachineRequest => ({ type: "tenantbox:machine-state", batch, ops });

describe("the machine state of serve --workers: the primary and a service process's client", () => {
  it("an acquire answered after the timeout (the request got 503) does not keep the slot", async () => {
    const state = new MachineState();
    const slow = limiter(channelTo(state, 1, TIMEOUT_MS + 300));
    expect(await outcome(slow.acquire("acme", 1))).toBe("UNAVAILABLE");
    await new Promise((resolve) => setTimeout(resolve, 500)); // the late answer arrives
    expect(state.active("acme")).toBe(0);
    expect(await outcome(limiter(channelTo(state, 2)).acquire("acme", 1))).toBe("took");
  });

  it("a main thread busy past the timeout: the answer already waiting is not thrown away with its slot", async () => {
    const state = new MachineState();
    const taking = outcome(limiter(channelTo(state, 1)).acquire("acme", 1));
    await new Promise((resolve) => setImmediate(resolve)); // sent
    const until = Date.now() + TIMEOUT_MS + 100;
    while (Date.now() < until); // a long synchronous task or GC pause right after asking
    const result = await taking;
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Either the caller has the slot, or nobody has it.
    expect(state.active("acme")).toBe(result === "took" ? 1 : 0);
  });

  it("a release is answered once the primary has it: the caller's next call, on another process, finds the slot free", async () => {
    const state = new MachineState();
    const machine = new MachineStateClient(channelTo(state, 1), TIMEOUT_MS);
    const slots = machine.slots();
    expect(await slots.acquire("acme", 1, 1)).toBe(1);
    await slots.release("acme", 1);
    expect(state.active("acme")).toBe(0);
  });

  it("an op asked while a batch is in flight fails within its own timeout, not after the batch's and then its own", async () => {
    const stalled: PrimaryChannel = { send: (_message, callback) => setImmediate(() => callback(null)), on: () => undefined };
    const client = new MachineStateClient(stalled, TIMEOUT_MS);
    const first = client.ask({ op: "active", tenant: "acme" }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const asked = Date.now();
    const waited = await client.ask({ op: "active", tenant: "acme" }).then(
      () => -1,
      () => Date.now() - asked,
    );
    await first;
    expect(waited).toBeGreaterThanOrEqual(0);
    expect(waited).toBeLessThanOrEqual(TIMEOUT_MS + 100);
  });

  it("executions taken by a batch answered after the timeout (the request got 503) are given back", async () => {
    const state = new MachineState();
    const slow = limiter(channelTo(state, 1, TIMEOUT_MS + 300));
    const quotas = { ...TIER_QUOTAS.free, maxExecutionsPerDay: 5 };
    expect(await outcome(slow.takeExecutions("acme", quotas, 1))).toBe("UNAVAILABLE");
    await new Promise((resolve) => setTimeout(resolve, 500)); // the late answer arrives
    const fast = limiter(channelTo(state, 2));
    expect((await fast.usage("acme", quotas)).executions.used).toBe(0);
  });

  it("a channel whose sends fail (an error, or a throw) fails every op, and strands none in the queue", async () => {
    for (const mode of ["callback", "throw"] as const) {
      const channel: PrimaryChannel = {
        send(_message, callback) {
          if (mode === "throw") throw new Error("closed");
          setImmediate(() => callback(new Error("closed")));
          return false;
        },
        on: () => undefined,
      };
      const client = new MachineStateClient(channel, 10_000);
      const asked = Array.from({ length: 50 }, () => client.ask({ op: "active", tenant: "acme" }).then(() => "ok", () => "failed"));
      expect(new Set(await Promise.all(asked))).toEqual(new Set(["failed"]));
    }
  });

  it("two batches of one process read in one go are answered in order (release sent first, then acquire)", async () => {
    const state = new MachineState();
    expect((await state.answer(1, request(0, [{ op: "acquire", tenant: "acme", max: 1, wanted: 1 }]))).answers[0]).toEqual({ ok: true, value: 1 });
    // Node's IPC channel emits the messages of one read in consecutive process.nextTick callbacks: both
    // answer() calls start before either's awaits resume (seen with a real cluster).
    const counter = { op: "counter", name: "exec", points: 1e9, duration: 0, method: "consume", key: "acme:d", count: 1, secDuration: 60 } as const;
    const first = state.answer(1, request(1, [counter, { op: "release", tenant: "acme", count: 1 }]));
    const second = state.answer(1, request(2, [{ op: "acquire", tenant: "acme", max: 1, wanted: 1 }]));
    await first;
    expect((await second).answers[0]).toEqual({ ok: true, value: 1 });
  });

  it("the primary refuses malformed requests op by op", async () => {
    const state = new MachineState();
    expect(isMachineRequest(request(1, new Array(10_001).fill({ op: "active", tenant: "a" })))).toBe(false);
    const reply = await state.answer(1, request(7, [{ op: "nope" } as never, { op: "acquire", tenant: "acme", max: "x", wanted: 1 } as never, { op: "acquire", tenant: "acme", max: 2, wanted: 1 }]));
    expect(reply.batch).toBe(7);
    expect(reply.answers.map((a) => a.ok)).toEqual([false, false, true]);
    expect(state.active("acme")).toBe(1);
  });
});
