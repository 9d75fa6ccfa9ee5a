import { afterAll, describe, expect, it } from "vitest";
import type { ConcurrencySlots } from "../src/service/concurrency-slots.js";
import { MachineStateClient } from "../src/service/machine-state-client.js";
import { MachineState } from "../src/service/machine-state.js";
import { channelTo, primaryLimiter } from "./machine-state-helpers.js";
import { RedisSlots } from "../src/service/redis-slots.js";
import { ServiceError } from "../src/service/service-error.js";
import { TIER_QUOTAS, type Quotas } from "../src/service/tiers.js";
import { periodOf, UsageLimiter } from "../src/service/usage-limiter.js";
import { connectRedis, dropRedisKeys, redisPrefix } from "./redis-helpers.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 5, 10, 12, 0, 0); // noon UTC
const quotas: Quotas = { ...TIER_QUOTAS.free, maxExecutionsPerDay: 3, maxToolCallsPerDay: 2, maxConcurrentExecutions: 2 };

function clock(start = T0) {
  const c = { t: start, now: () => c.t };
  return c;
}

async function refusal(p: Promise<unknown> | (() => unknown)): Promise<ServiceError> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(ServiceError);
    return err as ServiceError;
  }
  throw new Error("expected a ServiceError");
}

describe("periodOf", () => {
  it("is the UTC day containing now", () => {
    expect(periodOf(T0)).toEqual({ start: Date.UTC(2025, 5, 10), end: Date.UTC(2025, 5, 11) });
    expect(periodOf(Date.UTC(2025, 5, 10))).toEqual({ start: Date.UTC(2025, 5, 10), end: Date.UTC(2025, 5, 11) });
    expect(periodOf(Date.UTC(2025, 5, 11) - 1).end).toBe(Date.UTC(2025, 5, 11));
  });
});

describe("UsageLimiter quotas", () => {
  it("trips at exactly the limit and resets in the next period", async () => {
    const c = clock();
    const lim = new UsageLimiter({ now: c.now });
    for (let i = 0; i < 3; i++) await lim.takeExecutions("acme", quotas);
    const err = await refusal(lim.takeExecutions("acme", quotas));
    expect(err.code).toBe("QUOTA_EXCEEDED");
    expect(err.status).toBe(429);
    expect(err.retryAfterMs).toBe(periodOf(T0).end - T0);
    expect((await lim.usage("acme", quotas)).executions).toEqual({ used: 3, limit: 3 }); // the refusal was given back

    await lim.takeExecutions("other", quotas); // per tenant
    c.t = periodOf(T0).end; // midnight UTC
    await lim.takeExecutions("acme", quotas);
    expect((await lim.usage("acme", quotas)).executions.used).toBe(1);
  });

  it("takes a batch all or none", async () => {
    const lim = new UsageLimiter({ now: clock().now });
    await lim.takeExecutions("acme", quotas, 2);
    const err = await refusal(lim.takeExecutions("acme", quotas, 2));
    expect(err.code).toBe("QUOTA_EXCEEDED");
    expect((await lim.usage("acme", quotas)).executions.used).toBe(2);
    await lim.takeExecutions("acme", quotas, 1);
    await lim.takeExecutions("acme", quotas, 0); // nothing to take
    await expect(lim.takeExecutions("acme", quotas, -1)).rejects.toThrow(RangeError);
  });

  it("gives back returned executions, never below zero", async () => {
    const lim = new UsageLimiter({ now: clock().now });
    await lim.takeExecutions("acme", quotas, 3);
    await lim.returnExecutions("acme", 2);
    expect((await lim.usage("acme", quotas)).executions.used).toBe(1);
    await lim.takeExecutions("acme", quotas, 2);
    await lim.returnExecutions("acme", 10);
    expect((await lim.usage("acme", quotas)).executions.used).toBe(0);
    await lim.takeExecutions("acme", quotas, 3);
  });

  it("counts tool calls per day", async () => {
    const c = clock();
    const lim = new UsageLimiter({ now: c.now });
    await lim.takeToolCall("acme", quotas);
    await lim.takeToolCall("acme", quotas);
    const err = await refusal(lim.takeToolCall("acme", quotas));
    expect(err.code).toBe("QUOTA_EXCEEDED");
    expect(err.message).toMatch(/tool calls/);
    c.t += DAY;
    await lim.takeToolCall("acme", quotas);
  });

  it("a quota of 0 refuses everything", async () => {
    const lim = new UsageLimiter({ now: clock().now });
    const err = await refusal(lim.takeExecutions("acme", { ...quotas, maxExecutionsPerDay: 0 }));
    expect(err.code).toBe("QUOTA_EXCEEDED");
  });

  it("seeds the period's counters", async () => {
    const lim = new UsageLimiter({ now: clock().now });
    await lim.seed("acme", { executions: 2, toolCalls: 2 });
    const u = await lim.usage("acme", quotas);
    expect(u.executions.used).toBe(2);
    expect(u.toolCalls.used).toBe(2);
    await lim.takeExecutions("acme", quotas);
    expect((await refusal(lim.takeExecutions("acme", quotas))).code).toBe("QUOTA_EXCEEDED");
    expect((await refusal(lim.takeToolCall("acme", quotas))).code).toBe("QUOTA_EXCEEDED");
  });

  it("keeps counters apart per key prefix", async () => {
    const now = clock().now;
    const a = new UsageLimiter({ now, keyPrefix: "a" });
    const b = new UsageLimiter({ now, keyPrefix: "b" });
    await a.takeExecutions("acme", quotas, 3);
    await b.takeExecutions("acme", quotas, 3);
  });
});

describe("UsageLimiter rate limits", () => {
  it("trips with retryAfterMs > 0, per key", async () => {
    const lim = new UsageLimiter();
    const limit = { points: 2, duration: 60 };
    await lim.takeRate("acme", limit);
    await lim.takeRate("acme", limit);
    const err = await refusal(lim.takeRate("acme", limit));
    expect(err.code).toBe("RATE_LIMITED");
    expect(err.retryAfterMs).toBeGreaterThan(0);
    expect(err.retryAfterMs).toBeLessThanOrEqual(60_000);
    await lim.takeRate("globex", limit);
    await lim.takeRate("acme", { points: 3, duration: 60 }); // another (points, duration): its own limiter
  });

  it("frees up after the window", async () => {
    const lim = new UsageLimiter();
    const limit = { points: 1, duration: 1 };
    await lim.takeRate("k", limit);
    const err = await refusal(lim.takeRate("k", limit));
    expect(err.retryAfterMs).toBeLessThanOrEqual(1000);
    // rate-limiter-flexible's memory store reads Date.now(): no waiting a real second.
    const realNow = Date.now;
    Date.now = () => realNow() + 1_001;
    try {
      await lim.takeRate("k", limit);
    } finally {
      Date.now = realNow;
    }
  });
});

/** Where slots live: the primary of one machine's processes, or Redis. */
interface SlotEngine {
  name: string;
  /**
   * Two holders (two service processes) sharing the same slots, and how the second dies without releasing
   * (a SIGKILL); `leaseMs` short for the expiry test.
   */
  holders(leaseMs: number): Promise<{ pair: [ConcurrencySlots, ConcurrencySlots]; killSecond: () => Promise<void> }>;
}

const SLOT_ENGINES: SlotEngine[] = [
  {
    name: "the primary process (one machine)",
    holders: async () => {
      const state = new MachineState();
      const pair: [ConcurrencySlots, ConcurrencySlots] = [new MachineStateClient(channelTo(state, 1)).slots(), new MachineStateClient(channelTo(state, 2)).slots()];
      // The primary sees the process exit (cluster's "exit" event).
      return { pair, killSecond: async () => state.dropHolder(2) };
    },
  },
  {
    name: "Redis (every node)",
    holders: async (leaseMs) => {
      const prefix = redisPrefix("tbx-slots");
      const pair: [RedisSlots, RedisSlots] = [new RedisSlots(await connectRedis(), prefix, leaseMs), new RedisSlots(await connectRedis(), prefix, leaseMs)];
      // Its heartbeat stops and nothing is released.
      return { pair, killSecond: () => (pair[1] as unknown as { heartbeat: { stop(): Promise<void> } }).heartbeat.stop() };
    },
  },
];

afterAll(async () => {
  await dropRedisKeys();
});

describe("UsageLimiter concurrency", () => {
  it("acquires up to the max and refuses when none is free", async () => {
    const lim = new UsageLimiter();
    expect(await lim.acquire("acme", 2)).toBe(1);
    expect(await lim.acquire("acme", 2, 5)).toBe(1); // only one left
    const err = await refusal(() => lim.acquire("acme", 2));
    expect(err.code).toBe("TOO_MANY_CONCURRENT");
    expect(err.retryAfterMs).toBe(1000);
    expect(await lim.acquire("globex", 2, 2)).toBe(2);

    await lim.release("acme", 1);
    expect(await lim.acquire("acme", 2, 3)).toBe(1);
    await lim.release("acme", 2);
    expect(await lim.acquire("acme", 2, 0)).toBe(1); // at least 1
    await lim.release("acme", 5); // over-release clamps at zero
    expect(await lim.acquire("acme", 2, 2)).toBe(2);
  });

  it("reports usage", async () => {
    const lim = new UsageLimiter({ now: clock().now });
    await lim.takeExecutions("acme", quotas, 2);
    await lim.takeToolCall("acme", quotas);
    await lim.acquire("acme", quotas.maxConcurrentExecutions);
    expect(await lim.usage("acme", quotas)).toEqual({
      period: { start: "2025-06-10T00:00:00.000Z", end: "2025-06-11T00:00:00.000Z" },
      executions: { used: 2, limit: 3 },
      toolCalls: { used: 1, limit: 2 },
      concurrent: { active: 1, limit: 2 },
    });
    expect(await new UsageLimiter({ now: clock().now }).usage("nobody", quotas)).toMatchObject({
      executions: { used: 0, limit: 3 },
      concurrent: { active: 0, limit: 2 },
    });
  });
});

describe.each(SLOT_ENGINES)("concurrency slots shared by two holders: $name", (engine) => {
  it("one limit across holders; released slots come back; an over-release clamps", async () => {
    const [a, b] = (await engine.holders(60_000)).pair;
    await Promise.all([a.start(), b.start()]);
    const la = new UsageLimiter({ slots: a });
    const lb = new UsageLimiter({ slots: b });
    expect(await la.acquire("acme", 3)).toBe(1);
    expect(await lb.acquire("acme", 3, 5)).toBe(2); // what is left of the tenant's three
    expect((await refusal(() => la.acquire("acme", 3))).code).toBe("TOO_MANY_CONCURRENT");
    expect((await refusal(() => lb.acquire("acme", 3))).code).toBe("TOO_MANY_CONCURRENT");
    expect(await la.acquire("globex", 3, 3)).toBe(3); // another tenant's own
    expect(await a.active("acme")).toBe(3);
    await lb.release("acme", 2);
    expect(await b.active("acme")).toBe(1);
    expect(await la.acquire("acme", 3, 3)).toBe(2);
    await la.release("acme", 10);
    expect(await a.active("acme")).toBe(0);
    await Promise.all([a.close(), b.close()]);
  });

  it("a holder killed without releasing gives its slots back (at once, or after its lease)", async () => {
    const {
      pair: [alive, dying],
      killSecond,
    } = await engine.holders(300);
    await Promise.all([alive.start(), dying.start()]);
    expect(await dying.acquire("acme", 2, 2)).toBe(2);
    expect(await alive.acquire("acme", 2, 1)).toBe(0);
    await killSecond();
    const deadline = Date.now() + 10_000;
    let took = 0;
    while (took === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      took = await alive.acquire("acme", 2, 2);
    }
    expect(took).toBe(2);
    await alive.close();
  });
});

describe("UsageLimiter counters kept by the primary of one machine's processes", () => {
  it("two processes' limiters share one daily quota and one rate limit", async () => {
    const state = new MachineState();
    const c = clock();
    const [a, b] = [primaryLimiter(channelTo(state, 1), { now: c.now }), primaryLimiter(channelTo(state, 2), { now: c.now })];
    await a.takeExecutions("acme", quotas, 2);
    await b.takeExecutions("acme", quotas, 1);
    expect((await refusal(a.takeExecutions("acme", quotas))).code).toBe("QUOTA_EXCEEDED");
    expect((await b.usage("acme", quotas)).executions.used).toBe(3);
    // A process starting later restores only what the primary does not have yet.
    await b.seedIfAbsent("acme", { executions: 1, toolCalls: 1 });
    expect(await b.usage("acme", quotas)).toMatchObject({ executions: { used: 3 }, toolCalls: { used: 1 } });
    await a.takeRate("requests:acme", { points: 1, duration: 60 });
    const limited = await refusal(b.takeRate("requests:acme", { points: 1, duration: 60 }));
    expect(limited.code).toBe("RATE_LIMITED");
    expect(limited.retryAfterMs).toBeGreaterThan(50_000);
    // What a process gives back (a refused run) is given back for both.
    await b.returnExecutions("acme", 1);
    await a.takeExecutions("acme", quotas);
  });

});
