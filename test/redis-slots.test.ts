import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { RedisSlots } from "../src/service/redis-slots.js";
import { TIER_QUOTAS } from "../src/service/tiers.js";
import { UsageLimiter } from "../src/service/usage-limiter.js";
import { connectRedis, dropRedisKeys, REDIS_URL, redisPrefix } from "./redis-helpers.js";
import { TcpProxy } from "./tcp-proxy.js";

afterAll(dropRedisKeys);

describe("Redis concurrency slots when a command times out", () => {
  it("an acquire that timed out but ran later, and a release that timed out, leave the tenant's count as the node holds it", async () => {
    const proxy = new TcpProxy(Number(new URL(REDIS_URL).port || 6379), new URL(REDIS_URL).hostname);
    await proxy.start();
    const prefix = redisPrefix("tbx-slots-timeout");
    const client = new Redis(`redis://127.0.0.1:${proxy.port}`, { maxRetriesPerRequest: 1, commandTimeout: 200 });
    client.on("error", () => {});
    const node = new RedisSlots(client, prefix, 3_000); // beats every second
    const observer = new RedisSlots(await connectRedis(), prefix, 3_000);
    try {
      await node.start();
      expect(await node.acquire("acme", 3, 1)).toBe(1);
      // Redis stops answering: the acquire times out, and runs once Redis answers again.
      proxy.pause();
      await expect(node.acquire("acme", 3, 1)).rejects.toThrow();
      proxy.resume();
      await expect.poll(() => observer.active("acme"), { timeout: 5_000, interval: 100 }).toBe(2); // the late acquire ran
      await expect.poll(() => observer.active("acme"), { timeout: 5_000, interval: 100 }).toBe(1); // written back by the heartbeat
      // A release that times out (and may have run or not): the node holds none.
      proxy.pause();
      await expect(node.release("acme", 1)).rejects.toThrow();
      proxy.resume();
      await expect.poll(() => observer.active("acme"), { timeout: 5_000, interval: 100 }).toBe(0);
      expect(await node.acquire("acme", 3, 3)).toBe(3); // nothing leaked
    } finally {
      await node.close().catch(() => {});
      client.disconnect();
      await proxy.stop();
    }
  }, 20_000);
});

describe("Redis counters raised to the audit log's totals (a Redis back without its data)", () => {
  it("nodes raising them at once raise them once: the counter ends at the total, never at twice it", async () => {
    const prefix = redisPrefix("tbx-raise");
    const nodes = [new UsageLimiter({ storeClient: await connectRedis(), keyPrefix: prefix }), new UsageLimiter({ storeClient: await connectRedis(), keyPrefix: prefix })];
    // Both find the counters gone and raise them together (a read and an increment each, before: 2 x 40).
    await Promise.all(nodes.map((node) => node.raiseTo("acme", { executions: 40, toolCalls: 7 })));
    const quotas = { ...TIER_QUOTAS.free, maxExecutionsPerDay: 1_000, maxToolCallsPerDay: 1_000 };
    expect((await nodes[0]!.usage("acme", quotas)).executions.used).toBe(40);
    expect((await nodes[1]!.usage("acme", quotas)).toolCalls.used).toBe(7);
    // Never lowered: what was counted on top stays.
    await nodes[0]!.takeExecutions("acme", quotas, 5);
    await Promise.all(nodes.map((node) => node.raiseTo("acme", { executions: 40, toolCalls: 7 })));
    expect((await nodes[1]!.usage("acme", quotas)).executions.used).toBe(45);
  });
});
