import { afterAll, describe, expect, it } from "vitest";
import { Admission } from "../src/service/admission.js";
import type { TenantConfig } from "../src/service/config.js";
import { MachineState } from "../src/service/machine-state.js";
import { RedisSlots } from "../src/service/redis-slots.js";
import { ServiceError } from "../src/service/service-error.js";
import { TIER_QUOTAS } from "../src/service/tiers.js";
import { UsageLimiter } from "../src/service/usage-limiter.js";
import { channelTo, primaryLimiter } from "./machine-state-helpers.js";
import { connectRedis, dropRedisKeys, redisPrefix } from "./redis-helpers.js";

// Admission takes a tenant's slots, then its day's executions; whichever is refused leaves the tenant as it
// was. In one process's memory, through the primary of serve --workers, and in Redis.

const tenant: TenantConfig = {
  id: "acme",
  tier: "free",
  permissions: [],
  tools: {},
  quotas: { ...TIER_QUOTAS.free, maxExecutionsPerDay: 2, maxConcurrentExecutions: 1 },
};

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
  await dropRedisKeys();
});

const stores: { name: string; make: () => Promise<UsageLimiter> }[] = [
  { name: "one process", make: async () => new UsageLimiter() },
  {
    name: "the primary of serve --workers",
    make: async () => primaryLimiter(channelTo(new MachineState(), 1)),
  },
  {
    name: "Redis",
    make: async () => {
      const redis = await connectRedis();
      const keyPrefix = redisPrefix("tbx-admission");
      const slots = new RedisSlots(redis, keyPrefix);
      await slots.start();
      closers.push(() => slots.close());
      return new UsageLimiter({ storeClient: redis, slots, keyPrefix });
    },
  },
];

/** The refusal's code, or what the run returned. */
const outcome = (p: Promise<unknown>) => p.then((value) => `ran:${String(value)}`, (error: ServiceError) => (error instanceof ServiceError ? error.code : String(error)));

describe.each(stores)("Admission ($name)", ({ make }) => {
  it("a call refused for its slot spends none of the day's executions; one refused for the quota holds no slot", async () => {
    const limiter = await make();
    const admission = new Admission(limiter);
    let release!: () => void;
    const holding = admission.admit(tenant, 1, () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await outcome(admission.admit(tenant, 1, async () => "ran"))).toBe("TOO_MANY_CONCURRENT");
    expect((await limiter.usage("acme", tenant.quotas)).executions.used).toBe(1);
    release();
    await holding;
    expect(await outcome(admission.admit(tenant, 1, async () => "ran"))).toBe("ran:ran");
    // The day's two are spent: refused, and the slot it took meanwhile is free again.
    expect(await outcome(admission.admit(tenant, 1, async () => "ran"))).toBe("QUOTA_EXCEEDED");
    expect(await limiter.usage("acme", tenant.quotas)).toMatchObject({ executions: { used: 2 }, concurrent: { active: 0 } });
  });

  it("a call refused its slot never makes one that got a slot fail QUOTA_EXCEEDED with quota left", async () => {
    // Review of 8a85d1b, which asked for both at once: B, refused its slot, held one of the day's last
    // executions until it gave it back, and D, which got the slot X freed, was refused for the quota.
    const limiter = await make();
    const admission = new Admission(limiter);
    let finishX!: () => void;
    const x = admission.admit(tenant, 1, () => new Promise<string>((resolve) => (finishX = () => resolve("x"))));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const b = outcome(admission.admit(tenant, 1, async () => "b"));
    finishX();
    for (let i = 0; i < 10; i++) await Promise.resolve();
    const d = outcome(admission.admit(tenant, 1, async () => "d"));
    expect(await x).toBe("x");
    expect(await b).toBe("TOO_MANY_CONCURRENT");
    expect(await d).toBe("ran:d");
    expect((await limiter.usage("acme", tenant.quotas)).executions.used).toBe(2);
  });
});
