import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, signToken, TenantboxServer } from "../dist/service.js";
import { dropRedisKeys, REDIS_URL, redisPrefix } from "./redis-helpers.js";
import { call, expectError, manifest, removeTempDirs, SECRET, tempDir, until, writeTenants } from "./service-helpers.js";

// Red team dec07, second round (the HTTP service driven live): each case a finding, reproduced against a real server on 127.0.0.1.
describe("service red team dec07 (live round)", () => {
  let server: TenantboxServer;
  let base = "";
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    const root = tempDir();
    writeTenants(root, {
      // Three executions a day, three queued jobs at most, one attempt each: a failed handler is a dead letter at once.
      backlog: {
        "h.js": "exports.fail = () => { throw new Error('boom'); }; exports.ok = () => 1;",
        "tenantbox.json": manifest({ fail: ["h.js#fail"], ok: ["h.js#ok"] }),
      },
    });
    server = new TenantboxServer({
      root,
      config: parseConfig({
        tenants: [{ id: "backlog", tier: "free", quotas: { maxExecutionsPerDay: 3, maxQueuedEvents: 3, maxDeliveryAttempts: 1 } }],
      }),
      dataDir: tempDir(),
      jwtSecret: SECRET,
      watch: false,
      maxThreads: 2,
    });
    base = await server.listen({ port: 0 });
    for (const id of ["backlog"]) tokens[id] = await signToken(SECRET, { tenantId: id, sub: "u" });
  });

  afterAll(async () => {
    await server?.close();
    removeTempDirs();
  });

  it("retrying dead letters is held to maxQueuedEvents like a new event: a full backlog refuses the retry (429), never grows past it", async () => {
    const token = tokens.backlog!;
    const dead: string[] = [];
    for (let i = 0; i < 3; i++) {
      const queued = await call(base, "POST", "/v1/events/fail", { token, json: { delivery: "queued" } });
      expect(queued.status, queued.text).toBe(202);
      dead.push(queued.body.id);
    }
    await until(async () => (await call(base, "GET", "/v1/events/failed", { token })).body?.failed?.length === 3, "three dead letters", 30_000);
    // The backlog's count is trusted for a second (BacklogGate): past it, the dead letters are off the count.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // The day's three executions are spent: what is queued now waits (for the next UTC day) and keeps the backlog full.
    for (let i = 0; i < 3; i++) expect((await call(base, "POST", "/v1/events/ok", { token, json: { delivery: "queued" } })).status).toBe(202);
    expectError(await call(base, "POST", "/v1/events/ok", { token, json: { delivery: "queued" } }), 429, "TOO_MANY_QUEUED");
    for (const id of dead) expectError(await call(base, "POST", `/v1/events/jobs/${id}/retry`, { token }), 429, "TOO_MANY_QUEUED");
    // Still dead letters, nothing queued again.
    expect((await call(base, "GET", "/v1/events/failed", { token })).body.failed).toHaveLength(3);
    for (const id of dead) expect((await call(base, "GET", `/v1/events/jobs/${id}`, { token })).body.state).toBe("failed");
  });
});

describe("service red team dec07 (live round, --redis)", () => {
  let server: TenantboxServer;
  let base = "";
  let token = "";
  const logged: string[] = [];

  beforeAll(async () => {
    const root = tempDir();
    writeTenants(root, { keyed: { "h.js": "exports.ok = () => 1;", "tenantbox.json": manifest({ ping: ["h.js#ok"] }) } });
    server = new TenantboxServer({
      root,
      config: parseConfig({ tenants: [{ id: "keyed", tier: "starter", rateLimit: { points: 1000, duration: 1 } }] }),
      dataDir: tempDir(),
      redisUrl: REDIS_URL,
      redisKeyPrefix: redisPrefix("tbx-redteam"),
      jwtSecret: SECRET,
      watch: false,
      maxThreads: 2,
      log: (message, error) => logged.push(`${message} ${error === undefined ? "" : String((error as Error)?.stack ?? error)}`),
    });
    base = await server.listen({ port: 0 });
    token = await signToken(SECRET, { tenantId: "keyed", sub: "u" });
  });

  afterAll(async () => {
    await server?.close();
    await dropRedisKeys();
    removeTempDirs();
  });

  it("repeats of an Idempotency-Key racing its first answer are 503 UNAVAILABLE with Retry-After, never an error log line with a stack per request", async () => {
    const key = "race-1";
    const replies = await Promise.all(Array.from({ length: 30 }, () => call(base, "POST", "/v1/events/ping", { token, json: { delivery: "queued" }, headers: { "idempotency-key": key } })));
    const accepted = replies.filter((r) => r.status === 202);
    expect(accepted.filter((r) => r.body.duplicate === false)).toHaveLength(1);
    expect(new Set(accepted.map((r) => r.body.id)).size).toBe(1);
    for (const reply of replies.filter((r) => r.status !== 202)) {
      expectError(reply, 503, "UNAVAILABLE");
      expect(reply.headers.get("retry-after")).toBe("1");
    }
    expect(logged.filter((line) => line.includes("Idempotency-Key") || line.includes("could not store"))).toEqual([]);
  });
});

describe("service red team dec07 (live round, --redis shutdown)", () => {
  it("close() (SIGTERM) lets a queued attempt longer than 5 s finish and records it: its job is not left active in Redis to run again", async () => {
    const root = tempDir();
    const dataDir = tempDir();
    const prefix = redisPrefix("tbx-redteam-close");
    writeTenants(root, {
      long: {
        "h.js": "exports.slow = async () => { await new Promise((r) => setTimeout(r, 7000)); return 'done'; };",
        "tenantbox.json": manifest({ slow: ["h.js#slow"] }),
      },
    });
    const options = {
      root,
      config: parseConfig({ tenants: [{ id: "long", tier: "starter" }] }),
      dataDir,
      redisUrl: REDIS_URL,
      redisKeyPrefix: prefix,
      jwtSecret: SECRET,
      watch: false,
      maxThreads: 1,
    };
    const token = await signToken(SECRET, { tenantId: "long", sub: "u" });
    const first = new TenantboxServer(options);
    let second: TenantboxServer | undefined;
    try {
      const base = await first.listen({ port: 0 });
      const queued = await call(base, "POST", "/v1/events/slow", { token, json: { delivery: "queued" } });
      expect(queued.status, queued.text).toBe(202);
      await until(async () => (await call(base, "GET", `/v1/events/jobs/${queued.body.id}`, { token })).body?.state === "running", "the attempt running", 30_000);
      await first.close();
      // The next start reads what the first left: the attempt it let finish, succeeded.
      second = new TenantboxServer(options);
      const again = await second.listen({ port: 0 });
      const job = await call(again, "GET", `/v1/events/jobs/${queued.body.id}`, { token });
      expect(job.body.state, job.text).toBe("succeeded");
      expect(job.body.handlers[0].attempts).toBe(1);
    } finally {
      await first.close();
      await second?.close();
      await dropRedisKeys();
    }
  }, 90_000);
});
