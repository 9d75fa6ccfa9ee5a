import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

/**
 * The project's machines run Redis at 127.0.0.1:6379 before any test starts; TENANTBOX_TEST_REDIS names
 * another. Each suite writes under a key prefix of its own, deleted at the end. A test that cannot reach
 * Redis fails, saying so: it is required, never skipped.
 */
export const REDIS_URL = process.env.TENANTBOX_TEST_REDIS ?? "redis://127.0.0.1:6379";

const prefixes: string[] = [];
const clients: Redis[] = [];

/** A new key prefix, its keys deleted by dropRedisKeys(). */
export function redisPrefix(name = "tbx-test"): string {
  const prefix = `${name}-${randomBytes(6).toString("hex")}`;
  prefixes.push(prefix);
  return prefix;
}

/** A connected client (closed by dropRedisKeys()). */
export async function connectRedis(url = REDIS_URL): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => null });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(
      `Redis is required for this test and is not reachable at ${url} (${(error as Error).message}); ` +
        `start it with: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no`,
    );
  }
  clients.push(redis);
  return redis;
}

/** Deletes every key under the prefixes redisPrefix() handed out, and closes the clients. */
export async function dropRedisKeys(): Promise<void> {
  if (prefixes.length > 0) {
    const redis = await connectRedis();
    for (const prefix of prefixes.splice(0)) {
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== "0");
    }
  }
  for (const client of clients.splice(0)) client.disconnect();
}
