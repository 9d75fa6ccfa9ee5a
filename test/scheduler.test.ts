import { describe, expect, it } from "vitest";
import { Scheduler, type Lane } from "../src/runner/scheduler.js";

// The runtime's admission: jobs that use a core count against the limits; a job parked on a tool call does not.

interface Held {
  lane: Lane;
  finish: () => void;
}

/** Submits a job that holds its lane until finish() is called; `started` gets it when it starts. */
function hold(scheduler: Scheduler, tenant: string, started: Held[]): Promise<void> {
  return scheduler.submit(tenant, (lane) => new Promise<void>((resolve) => started.push({ lane, finish: resolve })));
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Ends every job, those started meanwhile too, until all have settled. */
async function drain(started: Held[], jobs: Promise<void>[]): Promise<void> {
  let settled = false;
  void Promise.all(jobs).then(() => (settled = true));
  while (!settled) {
    for (const job of started) job.finish();
    await tick();
  }
}

describe("scheduler", () => {
  it("a parked job frees its core for another job, up to parkLanes more workers", async () => {
    const scheduler = new Scheduler(2, 100, 2, 0, 2);
    const started: Held[] = [];
    const jobs = Array.from({ length: 6 }, () => hold(scheduler, "a", started));
    await tick();
    expect(started).toHaveLength(2);
    started[0]!.lane.park();
    await tick();
    expect(started).toHaveLength(3);
    started[1]!.lane.park();
    started[2]!.lane.park();
    await tick();
    // 2 + parkLanes workers at most, however many are parked.
    expect(started).toHaveLength(4);
    // A parked job that resumes uses a core again: nothing more starts until one ends.
    started[0]!.lane.resume();
    started[1]!.lane.resume();
    started[0]!.finish();
    await tick();
    expect(started).toHaveLength(4);
    for (const job of started) job.finish();
    await tick();
    expect(started).toHaveLength(6);
    for (const job of started) job.finish();
    await Promise.all(jobs);
    expect(scheduler.load()).toEqual({ running: 0, queued: 0, capacity: 2 });
  });

  it("the per-tenant limit counts a tenant's jobs that use a core; another tenant still gets its turn", async () => {
    const scheduler = new Scheduler(2, 100, 1, 0, 2);
    const started: Held[] = [];
    const a = Array.from({ length: 4 }, () => hold(scheduler, "a", started));
    await tick();
    expect(started).toHaveLength(1);
    started[0]!.lane.park();
    await tick();
    expect(started).toHaveLength(2);
    const b = hold(scheduler, "b", started);
    await tick();
    expect(started).toHaveLength(3);
    await drain(started, [...a, b]);
  });

  it("a job that ends while parked gives everything back; park and resume after the end change nothing", async () => {
    const scheduler = new Scheduler(1, 100, 1, 0, 1);
    const started: Held[] = [];
    const first = hold(scheduler, "a", started);
    await tick();
    started[0]!.lane.park();
    started[0]!.finish();
    await first;
    started[0]!.lane.resume();
    started[0]!.lane.park();
    expect(scheduler.load().running).toBe(0);
    const jobs = [hold(scheduler, "a", started), hold(scheduler, "a", started)];
    await tick();
    // One core, nothing parked: one at a time, as before.
    expect(started).toHaveLength(2);
    started[1]!.finish();
    await tick();
    expect(started).toHaveLength(3);
    started[2]!.finish();
    await Promise.all(jobs);
  });
});
