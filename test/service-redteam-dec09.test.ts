import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, signToken, TenantboxServer } from "../dist/service.js";
import { connectRedis, dropRedisKeys, REDIS_URL, redisPrefix } from "./redis-helpers.js";
import { openDatabase } from "../src/service/database.js";
import { dropPostgresSchemas, postgresSchema } from "./postgres-helpers.js";
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

describe("service red team dec09: BullMQ jobs do not carry the event's payload (--redis)", () => {
  const root = tempDir();
  // Handed out in beforeAll: an earlier suite's dropRedisKeys() drops every prefix handed out before it ran.
  let prefix = "";
  let server: TenantboxServer | undefined;
  let base = "";
  let token = "";

  beforeAll(async () => {
    prefix = redisPrefix("tbx-redteam9q");
    writeTenants(root, {
      dead: {
        "h.js": "exports.fail = () => { throw new Error('nope'); }; exports.echo = (p) => p.items.length;",
        "tenantbox.json": JSON.stringify({ hooks: { fail: ["h.js#fail"], echo: ["h.js#echo"] } }),
      },
    });
    server = new TenantboxServer({
      root,
      config: parseConfig({ tenants: [{ id: "dead", tier: "enterprise", quotas: { maxDeliveryAttempts: 1 } }] }),
      dataDir: tempDir(),
      redisUrl: REDIS_URL,
      redisKeyPrefix: prefix,
      jwtSecret: SECRET,
      watch: false,
      maxThreads: 2,
      log: () => {},
    });
    base = await server.listen({ port: 0 });
    token = await signToken(SECRET, { tenantId: "dead", sub: "u" });
  });

  afterAll(async () => {
    await server?.close();
    await dropRedisKeys();
    removeTempDirs();
  });

  it("lists dead letters and reports without parsing their payloads on the main thread", async () => {
    // 20,000 small objects: about 250 KB of JSON per event, within the body's limits.
    const payload = { items: Array.from({ length: 20_000 }, (_, i) => ({ a: i })) };
    const echoed = await call(base, "POST", "/v1/events/echo", { token, json: { delivery: "queued", payload } });
    expect(echoed.status, echoed.text).toBe(202);
    const data = JSON.parse((await (await connectRedis()).hget(`${prefix}:events:bull:t-dead:${echoed.body.id}_0`, "data"))!);
    expect(data).toMatchObject({ payload: null, context: null, sharedInput: true });
    // The handler still gets its payload.
    await until(async () => (await call(base, "GET", `/v1/events/jobs/${echoed.body.id}`, { token })).body?.state === "succeeded", "the echo", 30_000);
    expect((await call(base, "GET", `/v1/events/jobs/${echoed.body.id}`, { token })).body.handlers[0].lastResult.value).toBe(20_000);

    const letters = 30;
    for (let i = 0; i < letters; i += 10) {
      const replies = await Promise.all(Array.from({ length: 10 }, () => call(base, "POST", "/v1/events/fail", { token, json: { delivery: "queued", payload } })));
      for (const reply of replies) expect(reply.status, reply.text).toBe(202);
    }
    await until(async () => (await call(base, "GET", "/v1/events/failed?limit=500", { token })).body?.failed?.length === letters, "the dead letters", 60_000);

    // What JSON.parse reads on this process (the server's main thread) while it lists them: before, every
    // letter's whole job data, payload included (30 x 250 KB; 500 x 1 MB for an enterprise tenant's page).
    const parse = JSON.parse;
    let parsed = 0;
    JSON.parse = ((text: string, reviver?: Parameters<typeof parse>[1]) => {
      parsed += typeof text === "string" ? text.length : 0;
      return parse(text, reviver);
    }) as typeof JSON.parse;
    let page;
    try {
      page = await call(base, "GET", "/v1/events/failed?limit=500", { token });
    } finally {
      JSON.parse = parse;
    }
    expect(page.body.failed).toHaveLength(letters);
    expect(page.body.failed[0]).toMatchObject({ event: "fail", file: "h.js", funcName: "fail", lastResult: { error: { code: "RUNTIME_ERROR" } } });
    expect(parsed).toBeLessThan(200_000);
  });
});

describe("service red team dec09: a node whose lease ran out leaves the job's new attempt alone (embedded queue)", () => {
  const root = tempDir();
  const dataDir = tempDir();
  const servers: TenantboxServer[] = [];
  let token = "";

  afterAll(async () => {
    for (const server of servers) await server.close();
    removeTempDirs();
  });

  it("runs a handler at most maxDeliveryAttempts times when a stalled node's attempt ends after the job was taken again", async () => {
    // Each attempt takes a while and fails (a retry is due): two attempts at most.
    writeTenants(root, { lease: { "h.js": "exports.fail = async () => { await new Promise((r) => setTimeout(r, 1500)); throw new Error('down'); };", "tenantbox.json": JSON.stringify({ hooks: { job: ["h.js#fail"] } }) } });
    const config = parseConfig({ tenants: [{ id: "lease", tier: "starter", quotas: { maxDeliveryAttempts: 2 } }] });
    const options = { root, config, dataDir, jwtSecret: SECRET, watch: false, maxThreads: 1, deliveryRetryBaseMs: 50, log: () => {} };
    token = await signToken(SECRET, { tenantId: "lease", sub: "u" });
    // Node A's leases run out as soon as they are taken, for the others: its clock is 20 s behind theirs (as a
    // node that stalled or lost the database for a lease would be); it goes on with its attempt all the same.
    const a = new TenantboxServer({ ...options, now: () => Date.now() - 20_000 });
    servers.push(a);
    const baseA = await a.listen({ port: 0 });
    const queued = await call(baseA, "POST", "/v1/events/job", { token, json: { delivery: "queued" } });
    expect(queued.status, queued.text).toBe(202);
    await until(async () => (await call(baseA, "GET", `/v1/events/jobs/${queued.body.id}`, { token })).body?.state === "running", "node A's attempt", 10_000);
    // Node B takes the job back (A's lease ran out) and runs attempt 2 while A's attempt 1 goes on.
    const b = new TenantboxServer(options);
    servers.push(b);
    const baseB = await b.listen({ port: 0 });
    await until(async () => (await call(baseB, "GET", `/v1/events/jobs/${queued.body.id}`, { token })).body?.handlers?.[0]?.attempts === 2, "node B's attempt", 10_000);
    await until(async () => (await call(baseB, "GET", `/v1/events/jobs/${queued.body.id}`, { token })).body?.state === "failed", "the dead letter", 30_000);
    // Long enough for any attempt queued again under B's (before: A's end of attempt 1 asked for a retry of B's
    // running job, a third attempt ran, and A's renewals kept handing B's lease to a clock that saw it expired).
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const rows = [...(await a.service.auditLog({ tenant: "lease" }))].filter((row) => row.jobId === queued.body.id);
    expect(rows.map((row) => row.attempt).sort()).toEqual([1, 2]);
    const report = (await call(baseB, "GET", `/v1/events/jobs/${queued.body.id}`, { token })).body;
    expect(report).toMatchObject({ state: "failed", handlers: [{ state: "failed", attempts: 2, maxAttempts: 2 }] });
    expect(report.handlers[0].lastResult).toMatchObject({ attempt: 2, error: { code: "RUNTIME_ERROR", message: "down" } });
  });
});

describe("service red team dec09: a sync event's payload is serialized once, not once per handler", () => {
  const root = tempDir();
  let server: TenantboxServer | undefined;
  let base = "";
  let token = "";

  beforeAll(async () => {
    writeTenants(root, {
      fan: {
        "h.js": "exports.count = (p) => p.items.length + ':' + (context.who ?? 'none');",
        "tenantbox.json": JSON.stringify({ hooks: { fan: Array.from({ length: 32 }, () => "h.js#count") } }),
      },
    });
    server = new TenantboxServer({
      root,
      config: parseConfig({ tenants: [{ id: "fan", tier: "enterprise" }] }),
      dataDir: tempDir(),
      jwtSecret: SECRET,
      watch: false,
      maxThreads: 2,
      log: () => {},
    });
    base = await server.listen({ port: 0 });
    token = await signToken(SECRET, { tenantId: "fan", sub: "u" });
  });

  afterAll(async () => {
    await server?.close();
    removeTempDirs();
  });

  it("serializes the payload and context once for all 32 handlers (each serialization of 750 KB cost the main thread ~5 ms)", async () => {
    const payload = { marker: "dec09", items: Array.from({ length: 5000 }, (_, i) => ({ a: i })) };
    // JSON.stringify calls on this process (the server's main thread) whose value is the event's [payload].
    const stringify = JSON.stringify;
    let payloadSerializations = 0;
    JSON.stringify = ((value: unknown, ...rest: unknown[]) => {
      if (Array.isArray(value) && value.length === 1 && (value[0] as { marker?: unknown } | null)?.marker === "dec09") payloadSerializations++;
      return (stringify as (...args: unknown[]) => string)(value, ...rest);
    }) as typeof JSON.stringify;
    let withContext;
    let without;
    try {
      withContext = await call(base, "POST", "/v1/events/fan", { token, json: { payload, context: { who: "ada" } } });
      without = await call(base, "POST", "/v1/events/fan", { token, json: { payload } });
    } finally {
      JSON.stringify = stringify;
    }
    expect(withContext.status, withContext.text).toBe(200);
    expect(withContext.body.results.map((r: { value: unknown }) => r.value)).toEqual(Array.from({ length: 32 }, () => "5000:ada"));
    // No context is an empty one, as before: context.who reads undefined.
    expect(without.status, without.text).toBe(200);
    expect(without.body.results.map((r: { value: unknown }) => r.value)).toEqual(Array.from({ length: 32 }, () => "5000:none"));
    expect(payloadSerializations).toBe(2);
  });
});

describe("service red team dec09: /metrics reads the embedded queue's counts without scanning its jobs", () => {
  const root = tempDir();
  const dataDir = tempDir();
  let server: TenantboxServer | undefined;
  let base = "";

  afterAll(async () => {
    await server?.close();
    removeTempDirs();
  });

  it("answers a scrape in about the same time at 400,000 jobs, with the right counts", async () => {
    writeTenants(root, {
      big: { "h.js": "exports.ok = () => 1; exports.fail = () => { throw new Error('no'); };", "tenantbox.json": JSON.stringify({ hooks: { mixed: ["h.js#ok", "h.js#fail"] } }) },
    });
    // A tenant's full backlog waiting for tomorrow's quota, and a day of succeeded jobs (written as the store
    // would, straight into the file before the service starts).
    const db = openDatabase(dataDir);
    const now = Date.now();
    db.prepare(`INSERT INTO deliveries (id, tenant, event, payload, source, created_at) VALUES ('d', 'big', 'e', 'null', 'api', ?)`).run(now);
    const insert = db.prepare(
      `INSERT INTO delivery_jobs (delivery_id, idx, tenant, file, func, state, max_attempts, run_at, queued_at, finished_at) VALUES ('d', ?, 'big', 'h.js', 'ok', ?, 1, ?, ?, ?)`,
    );
    db.transaction(() => {
      for (let i = 0; i < 400_000; i++) {
        if (i < 200_000) insert.run(i, "queued", now + 86_400_000, now - 60_000, null);
        else insert.run(i, "succeeded", now - 60_000, now - 60_000, now - 1000);
      }
    })();
    db.close();
    server = new TenantboxServer({
      root,
      config: parseConfig({ tenants: [{ id: "big", tier: "enterprise", quotas: { maxExecutionsPerDay: 100, maxQueuedEvents: 200_010, maxDeliveryAttempts: 1 } }] }),
      dataDir,
      jwtSecret: SECRET,
      watch: false,
      maxThreads: 1,
      log: () => {},
    });
    base = await server.listen({ port: 0 });
    let best = Infinity;
    let text = "";
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      text = (await server.service.metrics.render()).body;
      best = Math.min(best, performance.now() - started);
    }
    expect(text).toMatch(/^tenantbox_event_jobs\{state="queued"\} 200000$/m);
    expect(text).toMatch(/^tenantbox_event_jobs\{state="succeeded"\} 200000$/m);
    // Before: two scans of the jobs on this thread, 100-180 ms per scrape here.
    expect(best).toBeLessThan(40);

    // The triggers follow every step of a job (queued, running, succeeded or failed, retried, swept).
    const token = await signToken(SECRET, { tenantId: "big", sub: "u" });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await call(base, "POST", "/v1/events/mixed", { token, json: { delivery: "queued" } })).body.id);
    const settled = async (id: string) => ["succeeded", "failed"].includes((await call(base, "GET", `/v1/events/jobs/${id}`, { token })).body?.state);
    for (const id of ids) await until(() => settled(id), "the events", 30_000);
    expect((await call(base, "POST", `/v1/events/jobs/${ids[0]}/retry`, { token })).body.retried).toBe(1);
    await until(() => settled(ids[0]!), "the retried event", 30_000);
    const check = openDatabase(dataDir);
    try {
      const counted = Object.fromEntries((check.prepare(`SELECT state, COUNT(*) AS n FROM delivery_jobs GROUP BY state`).all() as { state: string; n: number }[]).map((r) => [r.state, r.n]));
      const kept = Object.fromEntries((check.prepare(`SELECT state, jobs FROM delivery_states WHERE jobs <> 0`).all() as { state: string; jobs: number }[]).map((r) => [r.state, r.jobs]));
      expect(kept).toEqual(counted);
      expect(counted).toEqual({ queued: 200_000, succeeded: 200_003, failed: 3 });
    } finally {
      check.close();
    }
  });
});

describe.each(["sqlite", "postgres"] as const)("service red team dec09: an Idempotency-Key's repeat is compared with the fingerprint kept at the first (%s)", (engine) => {
  const root = tempDir();
  let server: TenantboxServer | undefined;
  let base = "";
  let token = "";

  beforeAll(async () => {
    writeTenants(root, { keyed: { "h.js": "exports.ok = () => 1;", "tenantbox.json": JSON.stringify({ hooks: { ev: ["h.js#ok"] } }) } });
    server = new TenantboxServer({
      root,
      config: parseConfig({ tenants: [{ id: "keyed", tier: "enterprise" }] }),
      dataDir: tempDir(),
      ...(engine === "postgres" ? { databaseUrl: await postgresSchema("tbx_redteam9") } : {}),
      jwtSecret: SECRET,
      watch: false,
      maxThreads: 1,
      log: () => {},
    });
    base = await server.listen({ port: 0 });
    token = await signToken(SECRET, { tenantId: "keyed", sub: "u" });
  });

  afterAll(async () => {
    await server?.close();
    await dropPostgresSchemas();
    removeTempDirs();
  });

  it("does not parse and fingerprint the stored payload again on every repeat", async () => {
    const payload = { items: Array.from({ length: 20_000 }, (_, i) => ({ b: i, a: i })) };
    const body = JSON.stringify({ delivery: "queued", payload });
    const headers = { "idempotency-key": "order-1" };
    const first = await call(base, "POST", "/v1/events/ev", { token, raw: body, headers });
    expect(first.status, first.text).toBe(202);
    // Its attempt has read its payload (the dispatcher parses it for the handler): not what is measured.
    await until(async () => (await call(base, "GET", `/v1/events/jobs/${first.body.id}`, { token })).body?.state === "succeeded", "the first event's run", 30_000);
    const parse = JSON.parse;
    let parsed = 0;
    JSON.parse = ((text: string, reviver?: Parameters<typeof parse>[1]) => {
      parsed += typeof text === "string" ? text.length : 0;
      return parse(text, reviver);
    }) as typeof JSON.parse;
    let repeat;
    let reused;
    try {
      repeat = await call(base, "POST", "/v1/events/ev", { token, raw: body, headers });
      reused = await call(base, "POST", "/v1/events/ev", { token, json: { delivery: "queued", payload: { items: [] } }, headers });
    } finally {
      JSON.parse = parse;
    }
    expect(repeat.status, repeat.text).toBe(202);
    expect(repeat.body).toEqual({ ...first.body, duplicate: true });
    expectError(reused, 422, "IDEMPOTENCY_KEY_REUSED");
    // The repeat's own body once (and the small answers); before, the stored payload too, per repeat.
    expect(parsed).toBeLessThan(body.length * 1.2);
  });
});
