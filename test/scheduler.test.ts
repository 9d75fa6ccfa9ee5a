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

/** Submits `count` held jobs of `tenant`, then lets a turn pass (`started` has those that started). */
async function submitHeld(scheduler: Scheduler, tenant: string, count: number, started: Held[]): Promise<Promise<void>[]> {
  const jobs = Array.from({ length: count }, () => hold(scheduler, tenant, started));
  await tick();
  return jobs;
}

/** Parks the jobs (each now waits on a tool call), then lets a turn pass. */
async function park(...held: Held[]): Promise<void> {
  for (const job of held) job.lane.park();
  await tick();
}

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
    const jobs = await submitHeld(scheduler, "a", 6, started);
    expect(started).toHaveLength(2);
    await park(started[0]!);
    expect(started).toHaveLength(3);
    await park(started[1]!, started[2]!);
    // 2 + parkLanes workers at most, however many are parked.
    expect(started).toHaveLength(4);
    await drain(started, jobs);
    expect(scheduler.load()).toEqual({ running: 0, queued: 0, capacity: 2 });
  });

  it("a job that resumes takes a core back first: it waits while the limits are full, ahead of jobs not started yet", async () => {
    const scheduler = new Scheduler(1, 100, 1, 0, 4);
    const started: Held[] = [];
    let active = 0;
    let most = 0;
    const order: string[] = [];
    const jobs = Array.from({ length: 6 }, (_, i) =>
      scheduler.submit("a", async (lane) => {
        active++;
        most = Math.max(most, active);
        // Parks at once (a tool call), then asks for its core back and works until told to finish.
        lane.park();
        active--;
        await tick();
        await lane.resume();
        active++;
        most = Math.max(most, active);
        order.push(`resumed ${i}`);
        await new Promise<void>((resolve) => started.push({ lane, finish: resolve }));
        active--;
      }),
    );
    await drain(started, jobs);
    // One core, one per tenant: never two at work at once, parked or not.
    expect(most).toBe(1);
    expect(order).toHaveLength(6);
    expect(scheduler.load()).toEqual({ running: 0, queued: 0, capacity: 1 });
  });

  it("the per-tenant limit counts a tenant's jobs that use a core; another tenant still gets its turn", async () => {
    const scheduler = new Scheduler(2, 100, 1, 0, 2);
    const started: Held[] = [];
    const a = await submitHeld(scheduler, "a", 4, started);
    expect(started).toHaveLength(1);
    await park(started[0]!);
    expect(started).toHaveLength(2);
    const b = await submitHeld(scheduler, "b", 1, started);
    expect(started).toHaveLength(3);
    await drain(started, [...a, ...b]);
  });

  it("a job that ends while parked, or while waiting for its core, gives everything back", async () => {
    const scheduler = new Scheduler(1, 100, 1, 0, 1);
    const started: Held[] = [];
    const first = hold(scheduler, "a", started);
    await tick();
    started[0]!.lane.park();
    const second = hold(scheduler, "a", started);
    await tick();
    expect(started).toHaveLength(2);
    // The first's wait ends while the second uses the core: it waits for it; then it ends anyway (a timeout).
    const resumed = started[0]!.lane.resume();
    started[0]!.finish();
    await first;
    await resumed;
    await started[0]!.lane.resume();
    started[0]!.lane.park();
    expect(scheduler.load().running).toBe(1);
    started[1]!.finish();
    await second;
    expect(scheduler.load().running).toBe(0);
    // Nothing leaked: one core, one at a time, as before.
    const jobs = [hold(scheduler, "a", started), hold(scheduler, "a", started)];
    await tick();
    expect(started).toHaveLength(3);
    started[2]!.finish();
    await tick();
    expect(started).toHaveLength(4);
    started[3]!.finish();
    await Promise.all(jobs);
  });
});
