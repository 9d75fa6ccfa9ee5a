import type { Redis } from "ioredis";

/**
 * `redis.connect()`, failing with why it could not connect (`connect ECONNREFUSED 127.0.0.1:6379`, `getaddrinfo
 * ENOTFOUND host`) where ioredis's own rejection only says "Connection is closed.".
 */
export async function connectRedis(redis: Redis): Promise<void> {
  let cause: unknown;
  const remember = (error: unknown) => {
    cause = error;
  };
  redis.on("error", remember);
  try {
    await redis.connect();
  } catch (error) {
    throw new Error(cause instanceof Error ? cause.message : (error as Error).message);
  } finally {
    redis.off("error", remember);
  }
}
