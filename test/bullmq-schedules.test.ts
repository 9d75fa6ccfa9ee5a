import { Queue } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { BullmqDelivery } from "../src/service/delivery/bullmq-delivery.js";
import type { QueueTick, Schedule, TenantSchedules } from "../src/service/delivery/schedule-ticker.js";
import { connectRedis, dropRedisKeys, REDIS_URL, redisPrefix } from "./redis-helpers.js";
import { TcpProxy } from "./tcp-proxy.js";

/**
 * The BullMQ engine's job schedulers as nodes keep them, on real Redis: what a round does when a tenant's
 * manifest cannot be read, what a node that never read a tenant's schedules does with its tick, and a
 * round with Redis away. Several engines on one prefix stand for several nodes. (Review of issue 13's
 * schedulers: each of these failed before its fix.)
 */
afterAll(dropRedisKeys);

const EVERY_MINUTE: Schedule = { cron: "* * * * *", handlers: [{ file: "a.js", funcName: "run" }] };
const reading = (schedules: Schedule[] | undefined): TenantSchedules[] => [{ tenant: "t", schedules }];
const ignore: QueueTick = async () => {};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const engines: BullmqDelivery[] = [];
const queues: Queue[] = [];
afterAll(async () => {
  await Promise.allSettled([...engines.map((e) => e.close()), ...queues.map((q) => q.close())]);
});

function node(prefix: string, redisUrl = REDIS_URL): BullmqDelivery {
  const engine = new BullmqDelivery({ redisUrl, keyPrefix: prefix, now: Date.now, tenants: () => [], log: () => {} });
  engines.push(engine);
  return engine;
}

async function ticksQueue(prefix: string): Promise<Queue> {
  const queue = new Queue("schedules", { connection: await connectRedis(), prefix: `${prefix}:events:bull` });
  queues.push(queue);
  return queue;
}

describe("BullMQ job schedulers across nodes", () => {
  it("rounds that change nothing leave the schedulers and their next ticks as they are", async () => {
    const prefix = redisPrefix("tbx-sched");
    const [a, b] = [node(prefix), node(prefix)];
    const queue = await ticksQueue(prefix);
    const schedules = reading([
      { cron: "*/5 * * * *", handlers: [{ file: "a.js", funcName: "r" }] },
      { cron: "0 0 * * MON", handlers: [{ file: "a.js", funcName: "r" }] },
    ]);
    await Promise.all([a.keepSchedules(schedules, ignore), b.keepSchedules(schedules, ignore)]);
    const ticks = async () => (await queue.getJobs(["delayed"])).map((j) => `${j.id}@${j.timestamp}`).sort();
    const before = await ticks();
    expect(before).toHaveLength(2);
    await sleep(20);
    for (let i = 0; i < 3; i++) await Promise.all([a.keepSchedules(schedules, ignore), b.keepSchedules(schedules, ignore)]);
    expect(await ticks()).toEqual(before);
  });

  it("a tenant whose manifest a node cannot read keeps its schedulers as another node left them", async () => {
    const prefix = redisPrefix("tbx-sched");
    const [a, b] = [node(prefix), node(prefix)];
    const queue = await ticksQueue(prefix);
    await a.keepSchedules(reading([EVERY_MINUTE]), ignore);
    await b.keepSchedules(reading([]), ignore); // the manifest dropped the schedule
    expect(await queue.getJobSchedulers()).toHaveLength(0);
    await a.keepSchedules(reading(undefined), ignore); // a cannot read the manifest this round
    expect(await queue.getJobSchedulers()).toHaveLength(0);
  });

  it("a round that cannot read the manifest does not replace a tick that is due and not yet taken", async () => {
    const prefix = redisPrefix("tbx-sched");
    const a = node(prefix);
    const queue = await ticksQueue(prefix);
    // The tick worker starts after a's first round: pause the queue so the due tick waits untaken.
    await queue.pause();
    await a.keepSchedules(reading([EVERY_MINUTE]), ignore);
    const [tick] = await queue.getJobs(["delayed"]);
    await tick!.promote();
    expect(await queue.getJobCountByTypes("wait")).toBe(1);
    await a.keepSchedules(reading(undefined), ignore);
    expect(await queue.getJobCountByTypes("wait")).toBe(1);
    expect((await queue.getJobs(["wait"]))[0]!.id).toBe(tick!.id);
  });

  it("a node that has not read the tenant's schedules fails the tick's attempt, and a node that has queues it", async () => {
    const prefix = redisPrefix("tbx-sched");
    const queue = await ticksQueue(prefix);
    const first = node(prefix);
    await first.keepSchedules(reading([EVERY_MINUTE]), ignore);
    await first.close(); // only the restarted node works the ticks now, and its first round cannot read the manifest
    const queued: number[] = [];
    const restarted = node(prefix);
    const record: QueueTick = async (_tenant, tick) => void queued.push(tick.at);
    await restarted.keepSchedules(reading(undefined), record);
    const [tick] = await queue.getJobs(["delayed"]);
    const due = tick!.opts.prevMillis!;
    await tick!.promote();
    const attempted = async () => (await queue.getJob(tick!.id!))?.attemptsMade ?? 0;
    for (let i = 0; i < 100 && (await attempted()) === 0; i++) await sleep(50);
    expect(await attempted()).toBe(1);
    expect(queued).toEqual([]);
    // Its next round reads the manifest: the retry (about a second later) queues the tick.
    await restarted.keepSchedules(reading([EVERY_MINUTE]), record);
    for (let i = 0; i < 100 && queued.length === 0; i++) await sleep(50);
    expect(queued).toEqual([due]);
  });

  it("with Redis away, a round fails in a moment instead of waiting for Redis (shutdown waits for the round)", () =>
    behindProxy(async (engine, proxy) => {
      await engine.keepSchedules(reading([EVERY_MINUTE]), ignore);
      await proxy.stop();
      const started = Date.now();
      await expect(engine.keepSchedules(reading([EVERY_MINUTE]), ignore)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5_000);
    }));
});

/** One queued event with one handler. */
const EVENT = { tenant: "t", event: "e", payload: 1, context: null, user: null, permissions: null, source: "api" as const, handlers: [{ file: "a.js", funcName: "f" }], maxAttempts: 1, idempotencyKey: null };

/** An engine that reaches Redis through a proxy the test cuts (stop) or freezes (pause). */
async function behindProxy(test: (engine: BullmqDelivery, proxy: TcpProxy) => Promise<void>): Promise<void> {
  const proxy = new TcpProxy(Number(new URL(REDIS_URL).port || 6379), new URL(REDIS_URL).hostname);
  await proxy.start();
  try {
    await test(node(redisPrefix("tbx-away"), `redis://127.0.0.1:${proxy.port}`), proxy);
  } finally {
    await proxy.stop();
  }
}

describe("BullMQ engine with Redis away", () => {
  it("an event cannot be queued: enqueue fails in a moment (the service answers 503) instead of waiting for Redis", () =>
    behindProxy(async (engine, proxy) => {
      await engine.enqueue(EVENT);
      await proxy.stop();
      for (const idempotencyKey of [null, "k"]) {
        const started = Date.now();
        await expect(engine.enqueue({ ...EVENT, idempotencyKey })).rejects.toThrow();
        expect(Date.now() - started).toBeLessThan(5_000);
      }
    }));

  it("a tenant's queue whose first set-up failed (Redis not answering) is made again once Redis answers", () =>
    behindProxy(async (engine, proxy) => {
      await engine.keepSchedules([], ignore); // connected, and the ticks' queue set up
      proxy.pause();
      await expect(engine.backlog("fresh")).rejects.toThrow(); // the tenant's first use of its queue
      proxy.resume();
      const fresh = { ...EVENT, tenant: "fresh" };
      await expect.poll(() => engine.enqueue(fresh).then(() => "queued", () => "failed"), { timeout: 10_000, interval: 200 }).toBe("queued");
      expect(await engine.backlog("fresh")).toBe(1);
    }), 30_000);

  it("with Redis up but not answering, enqueue fails after its command timeout (5 s) and works again once Redis answers", () =>
    behindProxy(async (engine, proxy) => {
      await engine.enqueue(EVENT);
      proxy.pause();
      const started = Date.now();
      await expect(engine.enqueue(EVENT)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(9_000);
      proxy.resume();
      await expect(engine.enqueue(EVENT)).resolves.toMatchObject({ handlers: 1 });
    }), 20_000);
});
