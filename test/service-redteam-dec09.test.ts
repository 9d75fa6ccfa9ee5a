import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, signToken, TenantboxServer } from "../dist/service.js";
import { connectRedis, dropRedisKeys, REDIS_URL, redisPrefix } from "./redis-helpers.js";
import { call, expectError, removeTempDirs, SECRET, tempDir, until, writeTenants } from "./service-helpers.js";

// Red team dec09 (the HTTP service driven live, several processes, crashes and restarts): each case a finding,
// reproduced against real servers on 127.0.0.1.

/** Deletes every key under `prefix`, as a Redis restarted without persistence (the project's default Redis keeps nothing) would. */
async function wipeRedis(prefix: string): Promise<number> {
  const redis = await connectRedis();
  let cursor = "0";
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== "0");
  return deleted;
}

describe("service red team dec09: a Redis that lost its data does not hand out a fresh day", () => {
  const root = tempDir();
  const dataDir = tempDir();
  const prefix = redisPrefix("tbx-redteam9");
  const config = parseConfig({ tenants: [{ id: "counted", tier: "free", quotas: { maxExecutionsPerDay: 3 } }] });
  let server: TenantboxServer | undefined;
  let base = "";
  let token = "";

  const start = async () => {
    server = new TenantboxServer({ root, config, dataDir, redisUrl: REDIS_URL, redisKeyPrefix: prefix, jwtSecret: SECRET, watch: false, maxThreads: 1, log: () => {} });
    base = await server.listen({ port: 0 });
  };
  const run = () => call(base, "POST", "/v1/run", { token, json: { file: "h.js", funcName: "ok" } });
  const used = async () => (await call(base, "GET", "/v1/usage", { token })).body?.executions?.used;

  beforeAll(async () => {
    writeTenants(root, { counted: { "h.js": "exports.ok = () => 1;" } });
    token = await signToken(SECRET, { tenantId: "counted", sub: "u" });
    await start();
  });

  afterAll(async () => {
    await server?.close();
    await dropRedisKeys();
    removeTempDirs();
  });

  it("raises the day's counters again to the audit log's totals, while running and at a restart", async () => {
    for (let i = 0; i < 3; i++) expect((await run()).status).toBe(200);
    expectError(await run(), 429, "QUOTA_EXCEEDED");

    // Redis restarts empty (no persistence) while the service runs: the counters were only there.
    expect(await wipeRedis(prefix)).toBeGreaterThan(0);
    // Found within a heartbeat (1.7 s); before, the day started over: three more runs, six in all.
    await until(async () => (await used()) === 3, "the day's count restored from the audit log", 15_000);
    expectError(await run(), 429, "QUOTA_EXCEEDED");

    // The service restarts against a Redis that lost its data meanwhile: the count is there before the first request.
    await server!.close();
    await wipeRedis(prefix);
    await start();
    expect(await used()).toBe(3);
    expectError(await run(), 429, "QUOTA_EXCEEDED");
    const rows = await server!.service.auditLog({ tenant: "counted" });
    expect(rows).toHaveLength(3);
  });
});
