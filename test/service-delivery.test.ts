import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { Queue } from "bullmq";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, signToken, TenantboxServer } from "../dist/service.js";
import { call, expectError, gauges, manifest, removeTempDirs, SECRET, tempDir, until, writeTenants } from "./service-helpers.js";
import { connectRedis, dropRedisKeys, REDIS_URL, redisPrefix } from "./redis-helpers.js";
import { dropPostgresSchemas, postgresSchema } from "./postgres-helpers.js";

/**
 * One API on every engine: the queue in the service's own database (its SQLite file, or PostgreSQL when
 * that is the store) and BullMQ (real Redis).
 */
const ENGINES = ["sqlite", "postgres", "bullmq"] as const;
type Engine = (typeof ENGINES)[number];

// Queued event delivery end to end: a real TenantboxServer on 127.0.0.1 with its SQLite file in a temp
// data dir; jobs stored, run later as executions, retried, inspected, kept across a restart.

const TENANTS = {
  shop: {
    "tenantbox.json": manifest({
      "order.created": ["hooks/ok.js#record", "hooks/flaky.js#fail"],
      "order.paid": ["hooks/ok.js#record"],
      "order.slow": ["hooks/ok.js#slow"],
      "order.denied": ["hooks/denied.js#grab"],
      "order.big": ["hooks/ok.js#big"],
    }),
    "hooks/ok.js":
      "exports.record = (order) => ({ id: order.id, by: context && context.user });\n" +
      "exports.slow = async (ms) => { await new Promise((r) => setTimeout(r, ms)); return 'slow done'; };\n" +
      "exports.big = (n) => 'x'.repeat(n);\n",
    "hooks/flaky.js": "exports.fail = () => { throw new Error('downstream unavailable'); };\n",
    // Calls a tool the tenant may not use: PERMISSION_DENIED cannot change on a retry.
    "hooks/denied.js": "exports.grab = async () => callTool('data:insert', { collection: 'x', doc: {} });\n",
  },
  other: {
    "tenantbox.json": manifest({ "order.created": ["h.js#f"] }),
    "h.js": "exports.f = (p) => p;\n",
  },
  flood: {
    "tenantbox.json": manifest({ bulk: ["h.js#f"] }),
    "h.js": "exports.f = async () => { await new Promise((r) => setTimeout(r, 50)); return 1; };\n",
  },
  // At most 3 unfinished handler jobs (maxQueuedEvents), one running at a time.
  backlog: {
    "tenantbox.json": manifest({ tick: ["slow.js#slow"] }),
    "slow.js": "exports.slow = async (ms) => { await new Promise((r) => setTimeout(r, ms)); return 'slow done'; };\n",
  },
  // Six handlers that fail at once (one attempt each): a burst of dead letters.
  burst: {
    "tenantbox.json": manifest({ deploy: ["h.js#f0", "h.js#f1", "h.js#f2", "h.js#f3", "h.js#f4", "h.js#f5"] }),
    "h.js": [0, 1, 2, 3, 4, 5].map((i) => `exports.f${i} = () => { throw new Error("broken deploy ${i}"); };\n`).join(""),
  },
  // One concurrency slot: its jobs run one at a time.
  solo: {
    "tenantbox.json": manifest({ tick: ["slow.js#slow"] }),
    "slow.js": "exports.slow = async (ms) => { await new Promise((r) => setTimeout(r, ms)); return 'slow done'; };\n",
  },
};

const CONFIG = {
  tiers: { free: { maxMemoryMB: 64 } },
  tenants: [
    { id: "shop", tier: "starter" },
    { id: "other", tier: "free" },
    { id: "solo", tier: "free", quotas: { maxDeliveryAttempts: 2 } },
    { id: "burst", tier: "free" },
    { id: "backlog", tier: "free", quotas: { maxQueuedEvents: 3 } },
    { id: "flood", tier: "starter", quotas: { maxExecutionsPerDay: 100_000 } },
  ],
};
const config = parseConfig(CONFIG);

/** A job's state read from the data directory's file while no service runs. */
async function startedElsewhere(dataDir: string, id: string): Promise<string | undefined> {
  const db = new Database(path.join(dataDir, "tenantbox.db"), { readonly: true });
  try {
    return (db.prepare("SELECT state FROM delivery_jobs WHERE delivery_id = ?").get(id) as { state: string } | undefined)?.state;
  } finally {
    db.close();
  }
}

const servers: TenantboxServer[] = [];
afterAll(async () => {
  await Promise.allSettled(servers.map((s) => s.close()));
  removeTempDirs();
  await dropRedisKeys();
  await dropPostgresSchemas();
});

/** The service options of an engine: BullMQ gets Redis under a key prefix, PostgreSQL a schema, of the suite's own. */
async function engineOptions(engine: Engine, prefix: string): Promise<{ redisUrl?: string; redisKeyPrefix?: string; databaseUrl?: string }> {
  if (engine === "bullmq") return { redisUrl: REDIS_URL, redisKeyPrefix: prefix };
  if (engine === "postgres") return { databaseUrl: (schemas[prefix] ??= await postgresSchema("tbx_delivery")) };
  return {};
}
const schemas: Record<string, string> = {};

async function startServer(root: string, dataDir: string, engine: Engine, prefix: string): Promise<{ server: TenantboxServer; base: string }> {
  const server = new TenantboxServer({
    root,
    config,
    dataDir,
    jwtSecret: SECRET,
    watch: false,
    maxThreads: 2,
    deliveryRetryBaseMs: 20,
    deliveryLeaseMs: 1000,
    ...(await engineOptions(engine, prefix)),
  });
  servers.push(server);
  return { server, base: await server.listen({ port: 0, host: "127.0.0.1" }) };
}

describe.each(ENGINES)("queued event delivery (%s)", (engine) => {
  const prefix = redisPrefix("tbx-delivery");
  let root = "";
  let dataDir = "";
  let base = "";
  let server: TenantboxServer;
  const tokens: Record<string, string> = {};
  const post = (route: string, json: unknown, tenant = "shop", headers?: Record<string, string>) =>
    call(base, "POST", route, { token: tokens[tenant]!, json, ...(headers ? { headers } : {}) });
  const get = (route: string, tenant = "shop") => call(base, "GET", route, { token: tokens[tenant]! });
  const settled = async (id: string, tenant = "shop") => {
    await until(async () => ["succeeded", "failed"].includes((await get(`/v1/events/jobs/${id}`, tenant)).body.state), `queued event ${id} to settle`, 15_000);
    return (await get(`/v1/events/jobs/${id}`, tenant)).body;
  };

  beforeAll(async () => {
    root = tempDir("tenantbox-root-");
    dataDir = tempDir("tenantbox-data-");
    writeTenants(root, TENANTS);
    if (engine === "bullmq") await connectRedis(); // fails, saying so, when Redis is not there
    ({ server, base } = await startServer(root, dataDir, engine, prefix));
    tokens.shop = await signToken(SECRET, { tenantId: "shop", sub: "alice" });
    tokens.other = await signToken(SECRET, { tenantId: "other", sub: "bob" });
    tokens.solo = await signToken(SECRET, { tenantId: "solo" });
    tokens.flood = await signToken(SECRET, { tenantId: "flood" });
    tokens.backlog = await signToken(SECRET, { tenantId: "backlog" });
    tokens.burst = await signToken(SECRET, { tenantId: "burst" });
  });

  it("stores nothing for an event no handler listens to, and refuses a payload too deeply nested to store without failing the events stored with it", async () => {
    const none = await post("/v1/events/nobody.listens", { payload: "x".repeat(1000), delivery: "queued" });
    expect(none.status, none.text).toBe(202);
    expect(none.body).toEqual({ id: null, event: "nobody.listens", handlers: 0, duplicate: false });
    // A payload JSON.stringify cannot serialize, sent while another tenant's event is stored.
    const deep = "[".repeat(5000) + "]".repeat(5000);
    const [refused, fine] = await Promise.all([
      call(base, "POST", "/v1/events/order.paid", { token: tokens.shop!, raw: `{"delivery":"queued","payload":${deep}}` }),
      post("/v1/events/order.created", { payload: 1, delivery: "queued" }, "other"),
    ]);
    expectError(refused, 400, "INVALID_REQUEST");
    expect(fine.status, fine.text).toBe(202);
    expect((await settled(fine.body.id, "other")).state).toBe("succeeded");
  });

  it("keeps a handler's value with its job up to 64 KiB of JSON, and only the size of a larger one", async () => {
    const small = await post("/v1/events/order.big", { payload: 1000, delivery: "queued" });
    const large = await post("/v1/events/order.big", { payload: 70_000, delivery: "queued" });
    expect((await settled(small.body.id)).handlers[0].lastResult).toMatchObject({ success: true, value: "x".repeat(1000) });
    const kept = (await settled(large.body.id)).handlers[0].lastResult;
    expect(kept).toMatchObject({ success: true, valueOmittedBytes: 70_002 });
    expect(kept).not.toHaveProperty("value");
  });

  it("refuses an event past the tenant's maxQueuedEvents with 429 TOO_MANY_QUEUED, other tenants unaffected, and takes events again once the backlog ran", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const reply = await post("/v1/events/tick", { payload: 400, delivery: "queued" }, "backlog", { "idempotency-key": `tick-${i}` });
      expect(reply.status, reply.text).toBe(202);
      ids.push(reply.body.id);
    }
    const refused = await post("/v1/events/tick", { payload: 400, delivery: "queued" }, "backlog");
    expectError(refused, 429, "TOO_MANY_QUEUED");
    expect(refused.body.error.message).toMatch(/at most 3 \(maxQueuedEvents\)/);
    expect(refused.headers.get("retry-after")).toBe("1");
    // A repeat of an event already stored still gets its answer; the key reused for another request does not.
    const repeat = await post("/v1/events/tick", { payload: 400, delivery: "queued" }, "backlog", { "idempotency-key": "tick-0" });
    expect(repeat.status, repeat.text).toBe(202);
    expect(repeat.body).toEqual({ id: ids[0], event: "tick", handlers: 1, duplicate: true });
    expectError(await post("/v1/events/tick", { payload: 401, delivery: "queued" }, "backlog", { "idempotency-key": "tick-0" }), 422, "IDEMPOTENCY_KEY_REUSED");
    expect((await post("/v1/events/order.paid", { payload: { id: "o-b" }, delivery: "queued" })).status).toBe(202);
    for (const id of ids) expect((await settled(id, "backlog")).state).toBe("succeeded");
    await until(async () => (await post("/v1/events/tick", { payload: 1, delivery: "queued" }, "backlog")).status === 202, "an event taken again once the backlog ran", 5_000);
  });

  it("answers 202 once the jobs are stored, runs each handler as an execution with its own audit row", async () => {
    const reply = await post("/v1/events/order.paid", { payload: { id: "o-1" }, context: { user: "ctx-user" }, delivery: "queued" });
    expect(reply.status, reply.text).toBe(202);
    expect(reply.body).toMatchObject({ event: "order.paid", handlers: 1, duplicate: false });
    expect(reply.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const job = await settled(reply.body.id);
    expect(job).toMatchObject({ id: reply.body.id, event: "order.paid", state: "succeeded", attempts: 1 });
    expect(job.handlers).toHaveLength(1);
    expect(job.handlers[0]).toMatchObject({ file: "hooks/ok.js", funcName: "record", state: "succeeded", attempts: 1 });
    expect(job.handlers[0].lastResult).toMatchObject({ success: true, value: { id: "o-1", by: "ctx-user" }, attempt: 1 });
    if (engine === "bullmq") {
      const redis = await connectRedis();
      expect((await redis.keys(`${prefix}:events:*`)).length).toBeGreaterThan(0); // the jobs live in Redis
    }
    const rows = await server.service.auditLog({ tenant: "shop" });
    const row = rows.find((r) => r.jobId === reply.body.id);
    expect(row).toMatchObject({ kind: "event", event: "order.paid", file: "hooks/ok.js", funcName: "record", success: true, attempt: 1, user: "alice" });
  });

  it("retries a failing handler alone with backoff, then keeps it as a dead letter that can be retried", async () => {
    const reply = await post("/v1/events/order.created", { payload: { id: "o-2" }, delivery: "queued" });
    expect(reply.body.handlers).toBe(2);
    const job = await settled(reply.body.id);
    expect(job.state).toBe("failed");
    const [ok, flaky] = job.handlers;
    expect(ok).toMatchObject({ state: "succeeded", attempts: 1, lastResult: { value: { id: "o-2" } } });
    if (engine === "bullmq") {
      // Two handlers: the payload is kept once, in the delivery's record, not in each job.
      const data = JSON.parse((await (await connectRedis()).hget(`${prefix}:events:bull:t-shop:${reply.body.id}_0`, "data"))!);
      expect(data).toMatchObject({ payload: null, sharedInput: true });
    }
    // starter: 3 attempts, then a dead letter with its last error.
    expect(flaky).toMatchObject({ state: "failed", attempts: 3, maxAttempts: 3 });
    expect(flaky.lastResult).toMatchObject({ success: false, attempt: 3, error: { code: "RUNTIME_ERROR", message: "downstream unavailable" } });
    const rows = (await server.service.auditLog({ tenant: "shop" })).filter((r) => r.jobId === reply.body.id && r.funcName === "fail");
    expect(rows.map((r) => r.attempt).sort()).toEqual([1, 2, 3]);

    const failed = await get("/v1/events/failed");
    expect(failed.status).toBe(200);
    expect(failed.body.failed[0]).toMatchObject({ id: reply.body.id, event: "order.created", file: "hooks/flaky.js", funcName: "fail", attempts: 3 });

    const retried = await post(`/v1/events/jobs/${reply.body.id}/retry`, undefined);
    expect(retried.body).toEqual({ id: reply.body.id, retried: 1 });
    const again = await settled(reply.body.id);
    expect(again.handlers[1]).toMatchObject({ state: "failed", attempts: 3 });
    expect(again.handlers[0]).toMatchObject({ state: "succeeded", attempts: 1 }); // the good handler did not run again
  });

  it("does not retry what cannot change on a retry (a permission the tenant lacks)", async () => {
    const reply = await post("/v1/events/order.denied", { payload: {}, delivery: "queued" });
    const job = await settled(reply.body.id);
    expect(job.handlers[0]).toMatchObject({ state: "failed", attempts: 1 });
    expect(job.handlers[0].lastResult.error.code).toBe("PERMISSION_DENIED");
  });

  it("an Idempotency-Key within 24 h returns the first answer and queues nothing; reused for another request, 422; keys are per tenant", async () => {
    const headers = { "idempotency-key": "order-o-3-created" };
    const first = await post("/v1/events/order.paid", { payload: { id: "o-3", lines: [{ sku: "a", qty: 1 }] }, context: { user: "u" }, delivery: "queued" }, "shop", headers);
    // The same request, its keys in another order.
    const second = await post("/v1/events/order.paid", { delivery: "queued", context: { user: "u" }, payload: { lines: [{ qty: 1, sku: "a" }], id: "o-3" } }, "shop", headers);
    expect(second.status, second.text).toBe(202);
    expect(second.body).toEqual({ ...first.body, duplicate: true });
    for (const other of [
      { payload: { id: "o-3-changed", lines: [{ sku: "a", qty: 1 }] }, context: { user: "u" } },
      { payload: { id: "o-3", lines: [{ sku: "a", qty: 1 }] }, context: { user: "someone else" } },
      { payload: { id: "o-3", lines: [{ sku: "a", qty: 1 }] } },
    ]) {
      const reused = await post("/v1/events/order.paid", { ...other, delivery: "queued" }, "shop", headers);
      expectError(reused, 422, "IDEMPOTENCY_KEY_REUSED");
    }
    const otherEvent = await post("/v1/events/order.created", { payload: { id: "o-3", lines: [{ sku: "a", qty: 1 }] }, context: { user: "u" }, delivery: "queued" }, "shop", headers);
    expectError(otherEvent, 422, "IDEMPOTENCY_KEY_REUSED");
    const job = await settled(first.body.id);
    expect(job.handlers[0].lastResult.value.id).toBe("o-3");
    const elsewhere = await post("/v1/events/order.created", { payload: 1, delivery: "queued" }, "other", headers);
    expect(elsewhere.body.id).not.toBe(first.body.id);
    expectError(await post("/v1/events/order.paid", { delivery: "queued" }, "shop", { "idempotency-key": "bad key with spaces" }), 400, "INVALID_REQUEST");
  });

  // BullMQ's own key handling (the database engines keep keys in a unique index, swept after 24 h).
  if (engine === "bullmq") it("an Idempotency-Key used again after it expired queues a new event; a key claimed by an event never stored is taken over", async () => {
    const redis = await connectRedis();
    const idemKey = (key: string) => `${prefix}:events:idem:shop:${createHash("sha256").update(key).digest("hex")}`;
    const first = await post("/v1/events/order.paid", { payload: { id: "k-1" }, delivery: "queued" }, "shop", { "idempotency-key": "reused" });
    await settled(first.body.id);
    expect(await redis.del(idemKey("reused"))).toBe(1); // 24 h later
    const second = await post("/v1/events/order.paid", { payload: { id: "k-2" }, delivery: "queued" }, "shop", { "idempotency-key": "reused" });
    expect(second.body).toMatchObject({ handlers: 1, duplicate: false });
    expect(second.body.id).not.toBe(first.body.id);
    expect((await settled(second.body.id)).handlers[0].lastResult.value).toMatchObject({ id: "k-2" });
    expect((await settled(first.body.id)).handlers[0].lastResult.value).toMatchObject({ id: "k-1" });
    // A node that died between claiming a key and storing the event's jobs left a claim never marked
    // stored; a store that failed (answered 503) marks its claim failed. Either is stored again under its
    // own id, at once or after 30 s: a job of it that reached the queue anyway is the same job.
    const claims = [
      { key: "orphaned", id: "00000000-0000-4000-8000-00000000dead", fields: { createdAt: String(Date.now() - 60_000) } },
      { key: "failed-store", id: "00000000-0000-4000-8000-0000000fa11d", fields: { createdAt: String(Date.now()), failed: "1" } },
    ];
    for (const claim of claims) {
      await redis.set(idemKey(claim.key), claim.id, "PX", 86_400_000);
      await redis.hset(`${prefix}:events:delivery:${claim.id}`, { tenant: "shop", event: "order.paid", source: "api", handlers: "1", ...claim.fields });
      const stored = await post("/v1/events/order.paid", { payload: { id: claim.key }, delivery: "queued" }, "shop", { "idempotency-key": claim.key });
      expect(stored.status, stored.text).toBe(202);
      expect(stored.body).toEqual({ id: claim.id, event: "order.paid", handlers: 1, duplicate: false });
      expect((await settled(claim.id)).handlers[0].lastResult.value).toMatchObject({ id: claim.key });
      const again = await post("/v1/events/order.paid", { payload: { id: claim.key }, delivery: "queued" }, "shop", { "idempotency-key": claim.key });
      expect(again.body).toEqual({ ...stored.body, duplicate: true });
      expectError(await post("/v1/events/order.paid", { payload: { id: "later" }, delivery: "queued" }, "shop", { "idempotency-key": claim.key }), 422, "IDEMPOTENCY_KEY_REUSED");
    }
    // A claim still being stored (recent, not failed): the repeat is asked to try again.
    await redis.set(idemKey("in-flight"), "00000000-0000-4000-8000-00000000f1e5", "PX", 86_400_000);
    await redis.hset(`${prefix}:events:delivery:00000000-0000-4000-8000-00000000f1e5`, { tenant: "shop", event: "order.paid", source: "api", handlers: "1", createdAt: String(Date.now()) });
    expectError(await post("/v1/events/order.paid", { delivery: "queued" }, "shop", { "idempotency-key": "in-flight" }), 503, "UNAVAILABLE");
  });

  it("a tenant sees only its own jobs and dead letters", async () => {
    const mine = await post("/v1/events/order.created", { payload: { id: "o-4" }, delivery: "queued" });
    expectError(await get(`/v1/events/jobs/${mine.body.id}`, "other"), 404, "NOT_FOUND");
    expectError(await post(`/v1/events/jobs/${mine.body.id}/retry`, undefined, "other"), 404, "NOT_FOUND");
    expect((await get("/v1/events/failed", "other")).body.failed).toEqual([]);
    await settled(mine.body.id);
  });

  it("pages the dead letters newest first", async () => {
    const page = await get("/v1/events/failed?limit=1");
    expect(page.body.failed).toHaveLength(1);
    expect(page.body.next).toBeTypeOf("number");
    const next = await get(`/v1/events/failed?limit=1&before=${page.body.next}`);
    expect(next.body.failed[0].failedAt).toBeLessThan(page.body.failed[0].failedAt);
    // The route as the README writes it, `?limit=50&before=`: an empty before is the first page.
    const first = await get("/v1/events/failed?limit=1&before=");
    expect(first.status).toBe(200);
    expect(first.body.failed).toEqual(page.body.failed);
    expectError(await get("/v1/events/failed?limit=abc"), 400, "INVALID_REQUEST");
    expectError(await get("/v1/events/failed?before=x"), 400, "INVALID_REQUEST");
    // At most 500 a page, as documented: past it is refused, not cut down.
    expect((await get("/v1/events/failed?limit=500")).status).toBe(200);
    for (const limit of [501, 999, 1000]) expectError(await get(`/v1/events/failed?limit=${limit}`), 400, "INVALID_REQUEST");
  });

  it("pages dead letters that failed in the same millisecond without losing any", async () => {
    const event = await post("/v1/events/deploy", { delivery: "queued" }, "burst");
    expect(event.status, event.text).toBe(202);
    expect((await settled(event.body.id, "burst")).handlers.map((h: { state: string }) => h.state)).toEqual(Array(6).fill("failed"));
    // As a broken deploy fails them: handler 0 at T, handlers 1-3 in the millisecond before, 4-5 in the one before that.
    const T = Date.now() - 1000;
    const at = [T, T - 1, T - 1, T - 1, T - 2, T - 2];
    if (engine === "sqlite") {
      const db = new Database(path.join(dataDir, "tenantbox.db"));
      try {
        db.pragma("busy_timeout = 10000");
        const update = db.prepare("UPDATE delivery_jobs SET finished_at = ? WHERE delivery_id = ? AND idx = ?");
        at.forEach((time, idx) => update.run(time, event.body.id, idx));
      } finally {
        db.close();
      }
    } else if (engine === "postgres") {
      const client = new pg.Client({ connectionString: schemas[prefix]! });
      await client.connect();
      try {
        for (const [idx, time] of at.entries()) await client.query("UPDATE delivery_jobs SET finished_at = $1 WHERE delivery_id = $2 AND idx = $3", [time, event.body.id, idx]);
      } finally {
        await client.end();
      }
    } else {
      const redis = await connectRedis();
      for (const [idx, time] of at.entries()) {
        const job = `${event.body.id}_${idx}`;
        await redis.zadd(`${prefix}:events:dead:burst`, "XX", time, job);
        await redis.hset(`${prefix}:events:bull:t-burst:${job}`, "finishedOn", String(time));
      }
    }
    const seen: string[] = [];
    let before = "";
    for (let page = 0; page < 10; page++) {
      const reply = await get(`/v1/events/failed?limit=2&before=${before}`, "burst");
      expect(reply.status, reply.text).toBe(200);
      seen.push(...reply.body.failed.map((letter: { funcName: string; failedAt: number }) => `${letter.funcName}@${T - letter.failedAt}`));
      if (reply.body.next === null) break;
      before = String(reply.body.next);
    }
    // Every one once, newest first (a page that is all one millisecond holds the whole millisecond: 3 here).
    expect(seen.map((letter) => letter.split("@")[1])).toEqual(["0", "1", "1", "1", "2", "2"]);
    expect([...seen].sort()).toEqual(["f0@0", "f1@1", "f2@1", "f3@1", "f4@2", "f5@2"]);
  });

  it("tenantbox jobs lists them from where the service keeps them; --failed lists the dead letters", async () => {
    const options = await engineOptions(engine, prefix);
    const source =
      engine === "bullmq" ? ["--redis", options.redisUrl!, "--redis-prefix", options.redisKeyPrefix!] : engine === "postgres" ? ["--database", options.databaseUrl!] : ["--data", dataDir];
    const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(import.meta.dirname, "../dist/cli.js"), "jobs", ...source, ...args], { encoding: "utf8" });
    const failed = cli("--tenant", "shop", "--failed", "--json");
    expect(failed.status, failed.stderr).toBe(0);
    const letters = failed.stdout.trim().split("\n").map((line) => JSON.parse(line));
    expect(letters.length).toBeGreaterThan(0);
    expect(letters.every((j: { state: string; tenant: string }) => j.state === "failed" && j.tenant === "shop")).toBe(true);
    expect(letters.some((j: { funcName: string; lastResult: { error: { code: string } } }) => j.funcName === "fail" && j.lastResult.error.code === "RUNTIME_ERROR")).toBe(true);
    const table = cli("--limit", "5");
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^time +tenant +id +event +handler +state +tries +last error/);
    expect(table.stdout.trim().split("\n")).toHaveLength(6);
  });

  it("reports the queue in /metrics: jobs per state, attempts by outcome, the oldest waiting job", async () => {
    const text = (await call(base, "GET", "/metrics")).text;
    expect(gauges(text, "tenantbox_event_jobs").length).toBe(4);
    expect(text).toMatch(/^tenantbox_event_jobs\{state="failed"\} [1-9]/m);
    expect(text).toMatch(/^tenantbox_event_attempts_total\{outcome="RUNTIME_ERROR"\} [1-9]/m);
    expect(text).toMatch(/^tenantbox_event_oldest_waiting_seconds /m);
  });

  it("is fair: another tenant's events start while one tenant's backlog of hundreds waits its turn", async () => {
    let last = "";
    for (let batch = 0; batch < 10; batch++) {
      const replies = await Promise.all(Array.from({ length: 30 }, () => post("/v1/events/bulk", { delivery: "queued" }, "flood")));
      last = replies.at(-1)!.body.id;
    }
    const mine = await Promise.all(Array.from({ length: 5 }, (_, i) => post("/v1/events/order.paid", { payload: { id: `fair-${i}` }, delivery: "queued" })));
    for (const { body } of mine) expect((await settled(body.id)).state).toBe("succeeded");
    // 300 jobs of 50 ms in 5 slots take about 3 s; ours were served in turn, not after all of them.
    expect((await get(`/v1/events/jobs/${last}`, "flood")).body.state).toBe("queued");
  });

  it("two nodes on one queue run each job once when nothing crashes", async () => {
    // SQLite: two processes of one machine on one data directory, as `serve --workers` runs them.
    const second = await startServer(root, engine === "sqlite" ? dataDir : tempDir("tenantbox-data-"), engine, prefix);
    const ids = (await Promise.all(Array.from({ length: 20 }, (_, i) => post("/v1/events/order.paid", { payload: { id: `two-${i}` }, delivery: "queued" })))).map((r) => r.body.id as string);
    for (const id of ids) expect(await settled(id)).toMatchObject({ state: "succeeded", attempts: 1 });
    // Each job one attempt, one audit row: on one node or the other (one log when they share the database).
    const logs = engine === "bullmq" ? [server, second.server] : [server];
    const rows = (await Promise.all(logs.map((node) => node.service.auditLog({ tenant: "shop", limit: 10_000 })))).flat().filter((r) => ids.includes(r.jobId!));
    expect(rows).toHaveLength(20);
    expect(new Set(rows.map((r) => r.jobId)).size).toBe(20);
    await second.server.close();
  });

  it("keeps jobs across a restart: jobs not yet run when the service stopped run after it starts again", async () => {
    const events: { id: string }[] = [];
    for (let i = 0; i < 4; i++) events.push((await post("/v1/events/tick", { payload: 300, delivery: "queued" }, "solo")).body);
    await until(async () => (await get(`/v1/events/jobs/${events[0].id}`, "solo")).body.state === "running", "the first job to start");
    await server.close();
    if (engine === "sqlite") {
      // One slot: the first ran to its end during the shutdown; the others were never started.
      const states = await Promise.all(events.map(async (e) => (await startedElsewhere(dataDir, e.id)) ?? "?"));
      expect(states[0]).toBe("succeeded");
      expect(states.slice(1)).toEqual(["queued", "queued", "queued"]);
    }
    ({ server, base } = await startServer(root, dataDir, engine, prefix));
    for (const { id } of events) {
      const job = await settled(id, "solo");
      expect(job.state).toBe("succeeded");
      expect(job.handlers[0]).toMatchObject({ attempts: 1, lastResult: { value: "slow done" } });
    }
  });

  it("a node killed mid-attempt loses no job: its lease runs out and another node runs it again", async () => {
    await server.close(); // the killed node alone serves the data directory until it dies
    const node = spawn(process.execPath, [path.join(import.meta.dirname, "fixtures/delivery-node.mjs"), JSON.stringify({ root, dataDir, config: CONFIG, secret: SECRET, leaseMs: 1000, ...(await engineOptions(engine, prefix)) })], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const [line] = (await once(node.stdout!, "data")) as [Buffer];
      const nodeBase = line.toString().trim();
      const event = await call(nodeBase, "POST", "/v1/events/tick", { token: tokens.solo!, json: { payload: 2000, delivery: "queued" } });
      expect(event.status, event.text).toBe(202);
      await until(async () => (await call(nodeBase, "GET", `/v1/events/jobs/${event.body.id}`, { token: tokens.solo! })).body.state === "running", "the attempt to start");
      node.kill("SIGKILL");
      await once(node, "exit");
      // A new node on the same data directory takes the job back once the dead node's lease ran out.
      ({ server, base } = await startServer(root, dataDir, engine, prefix));
      const job = await settled(event.body.id, "solo");
      expect(job.state).toBe("succeeded");
      // The database's queue counts the attempt the dead node started (it may have run); BullMQ takes a
      // stalled job back without counting it. Either way the job ran to its end, nothing lost.
      const attempts = engine === "bullmq" ? 1 : 2;
      expect(job.handlers[0]).toMatchObject({ attempts, lastResult: { attempt: attempts, value: "slow done" } });
    } finally {
      node.kill("SIGKILL");
    }
  });
});

const SCHEDULES = { "* * * * *": ["tick.js#run"], "*/5 * * * *": ["tick.js#run"], "0 0 * * *": ["tick.js#run"] };

/**
 * Nodes of one tenant "cron" (free tier: maxSchedules 2, so "0 0 * * *", the third, does not run):
 * two nodes on PostgreSQL or BullMQ (their own data directories, one shared engine), one on SQLite.
 */
async function scheduleNodes(engine: Engine, now?: () => number) {
  const root = tempDir("tenantbox-root-");
  writeTenants(root, { cron: { "tenantbox.json": JSON.stringify({ schedules: SCHEDULES }), "tick.js": "exports.run = (tick) => tick;\n" } });
  const prefix = redisPrefix("tbx-schedules");
  const dirs = engine === "sqlite" ? [tempDir("tenantbox-data-")] : [tempDir("tenantbox-data-"), tempDir("tenantbox-data-")];
  const options = await engineOptions(engine, prefix);
  const started = dirs.map((dir) => {
    const node = new TenantboxServer({
      root,
      dataDir: dir,
      config: parseConfig({ tenants: [{ id: "cron", tier: "free", quotas: { maxMemoryMB: 64 } }] }),
      jwtSecret: SECRET,
      watch: false,
      maxThreads: 1,
      scheduleCheckMs: 30,
      ...(now ? { now } : {}),
      ...options,
    });
    servers.push(node);
    return node;
  });
  const base = (await Promise.all(started.map((node) => node.listen({ port: 0, host: "127.0.0.1" }))))[0]!;
  const token = await signToken(SECRET, { tenantId: "cron" });
  // Each node's audit log: its own SQLite file, or the one PostgreSQL database they share.
  const logs = engine === "postgres" ? started.slice(0, 1) : started;
  const runs = async () => (await Promise.all(logs.map((node) => node.service.auditLog({ tenant: "cron" })))).flat().filter((r) => r.event?.startsWith("schedule:"));
  const changeSchedules = (schedules: object) => fs.writeFileSync(path.join(root, "cron", "tenantbox.json"), JSON.stringify({ schedules }));
  return { base, token, runs, prefix, changeSchedules };
}

/** The first two ticks ran once each, as queued events of their schedules, and /v1/modules reports the schedule the tier leaves out. */
async function expectFirstTicks(nodes: Awaited<ReturnType<typeof scheduleNodes>>) {
  const { base, token, runs } = nodes;
  await until(async () => (await runs()).length === 2, "the first tick of the two schedules", 10_000);
  await new Promise((r) => setTimeout(r, 200));
  const first = await runs();
  expect(first.map((r) => r.event).sort()).toEqual(["schedule:* * * * *", "schedule:*/5 * * * *"]);
  expect(first.every((r) => r.success && r.attempt === 1 && r.jobId)).toBe(true);
  const modules = await call(base, "GET", "/v1/modules", { token });
  expect(modules.body.hooks.schedules).toEqual(SCHEDULES);
  expect(modules.body.hooks.issues.some((i: { message: string }) => /3 schedules; the tier runs the first 2/.test(i.message))).toBe(true);
  const byEvent = Object.fromEntries(first.map((r) => [r.event, r.jobId]));
  const job = await call(base, "GET", `/v1/events/jobs/${byEvent["schedule:* * * * *"]}`, { token });
  expect(job.body).toMatchObject({ source: "schedule", state: "succeeded" });
  return job.body.handlers[0].lastResult.value as { schedule: string; at: string };
}

// The database engines tick on the service's clock (a test clock here); BullMQ's job schedulers on Redis's.
describe.each(ENGINES.filter((e) => e !== "bullmq"))("scheduled hooks (%s)", (engine) => {
  it("runs each tick once (UTC, to the minute) across nodes, picks up manifest changes without a restart, and runs only the tier's number of schedules", async () => {
    let clock = Date.UTC(2031, 0, 1, 0, 0, 20); // 00:00:20: every schedule's latest tick is 00:00
    const nodes = await scheduleNodes(engine, () => clock);
    const { runs, changeSchedules } = nodes;
    // Many rounds, one run per tick.
    expect(await expectFirstTicks(nodes)).toMatchObject({ schedule: "* * * * *", at: "2031-01-01T00:00:00.000Z" });

    // One minute later only the every-minute schedule ticks; then the manifest drops it.
    clock += 60_000;
    await until(async () => (await runs()).length === 3, "the 00:01 tick", 10_000);
    changeSchedules({ "*/5 * * * *": ["tick.js#run"] });
    clock += 60_000;
    await new Promise((r) => setTimeout(r, 300));
    expect((await runs()).length).toBe(3);
  });
});

describe("scheduled hooks (bullmq)", () => {
  it("keeps one BullMQ job scheduler per schedule in force (UTC), runs each of its ticks once across two nodes, and follows manifest changes without a restart", async () => {
    const nodes = await scheduleNodes("bullmq");
    const { runs, prefix, changeSchedules } = nodes;
    // The nodes' own job schedulers, read from Redis through BullMQ: ticks wait there as delayed jobs.
    const ticks = new Queue("schedules", { connection: await connectRedis(), prefix: `${prefix}:events:bull` });
    try {
      const inForce = async () => (await ticks.getJobSchedulers(0, -1)).map((s) => `${s.key}|${s.pattern}|${s.tz}`).sort();
      await until(async () => (await inForce()).length === 2, "the job schedulers of the two schedules in force", 10_000);
      expect(await inForce()).toEqual(["cron * * * * *|* * * * *|UTC", "cron */5 * * * *|*/5 * * * *|UTC"]);
      // The next tick of each is a delayed job at its minute; run them now instead of waiting for it.
      const waiting = async () => (await ticks.getJobs(["delayed"])).filter((j) => j.opts.prevMillis! > Date.now() - 1000);
      const promote = async (cron?: string) => {
        for (const job of await waiting()) if (cron === undefined || job.data.cron === cron) await job.promote();
      };
      await until(async () => (await waiting()).length === 2, "the schedulers' delayed ticks", 10_000);
      const minuteTick = (await waiting()).find((j) => j.data.cron === "* * * * *")!.opts.prevMillis!;
      expect(minuteTick % 60_000).toBe(0);
      await promote();
      expect(await expectFirstTicks(nodes)).toEqual({ schedule: "* * * * *", at: new Date(minuteTick).toISOString() });
      // The next tick of the every-minute schedule, a minute later, is one more run.
      await until(async () => (await waiting()).some((j) => j.opts.prevMillis === minuteTick + 60_000), "the next minute's tick", 10_000);
      await promote("* * * * *");
      await until(async () => (await runs()).length === 3, "the next minute's tick ran", 10_000);
      // The manifest drops the every-minute schedule: its scheduler (and its waiting tick) goes.
      changeSchedules({ "*/5 * * * *": ["tick.js#run"] });
      await until(async () => (await inForce()).length === 1, "the dropped schedule's job scheduler removed", 10_000);
      expect(await inForce()).toEqual(["cron */5 * * * *|*/5 * * * *|UTC"]);
      expect((await waiting()).map((j) => j.data.cron)).not.toContain("* * * * *");
      await new Promise((r) => setTimeout(r, 300));
      expect((await runs()).length).toBe(3);
    } finally {
      await ticks.close();
    }
  });
});
