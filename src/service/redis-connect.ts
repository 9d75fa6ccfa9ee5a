import type { Redis } from "ioredis";
import { redactUrl } from "./postgres-database.js";

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

/**
 * A Redis URL ioredis reads as one: redis:// or rediss:// (TLS), or a Unix socket's absolute path. Anything else
 * is refused before a connection is tried: ioredis takes `http://host` for a socket path ("connect ENOENT
 * //host") and a bare word for a host name.
 */
export function checkRedisUrl(url: unknown): void {
  if (typeof url === "string" && (/^rediss?:\/\/[^\s]*$/i.test(url) ? URL.canParse(url) : url.startsWith("/"))) return;
  throw new TypeError(`redis url must start with redis:// or rediss:// (or be a Unix socket's absolute path), got ${JSON.stringify(redactUrl(String(url)))}`);
}
