import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseConfig, signToken, TenantboxServer } from "../dist/service.js";
import { manifest, removeTempDirs, SECRET, tempDir, until, writeTenants } from "./service-helpers.js";
import { connectRedis, dropRedisKeys, REDIS_URL, redisPrefix } from "./redis-helpers.js";
import { dropPostgresSchemas, postgresSchema } from "./postgres-helpers.js";

/**
 * Invariant 8 for queued events: a handler's value is kept with its job and answered by
 * GET /v1/events/jobs/:id as the JSON text the sandbox wrote, never parsed on the host's main thread (V8's
 * hidden classes are shared by every parse on the thread: a tenant's values can make a later parse cost tens
 * of milliseconds). The service runs in this process: every JSON.parse of this thread is watched, and none may
 * build an object that holds the tenant's key. Deterministic: no timing is measured.
 */
const ENGINES = ["sqlite", "postgres", "bullmq"] as const;

// Built at run time by the handler: the module's source and the request never hold it.
const MARKER = "tbx_value_marker";
const TENANTS = {
  shop: {
    "tenantbox.json": manifest({ shaped: ["h.js#shaped", "h.js#none"] }),
    "h.js":
      "const key = ['tbx', 'value', 'marker'].join('_');\n" +
      "exports.shaped = (p) => ({ list: [{ [key]: p.n }, null, 'é\\u2028\"'], [key]: { big: 1e21, small: 1e-7, neg: -0.5 } });\n" +
      "exports.none = () => undefined;\n",
  },
};
const EXPECTED = { list: [{ [MARKER]: 7 }, null, 'é\u2028"'], [MARKER]: { big: 1e21, small: 1e-7, neg: -0.5 } };

const realParse = JSON.parse;
/** JSON.parse calls of the service (this thread) that built an object holding MARKER as a key. */
const parsedValues: string[] = [];
let watching = false;

function holdsMarker(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== "object" || depth > 64) return false;
  if (Object.hasOwn(value, MARKER)) return true;
  return Object.values(value).some((v) => holdsMarker(v, depth + 1));
}

/** This test's own parse of a reply: not the service's. */
function clientParse(text: string): any {
  const was = watching;
  watching = false;
  try {
    return realParse(text);
  } finally {
    watching = was;
  }
}

beforeEach(() => {
  parsedValues.length = 0;
  JSON.parse = function watchedParse(text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) {
    const result = realParse(text, reviver);
    if (watching && holdsMarker(result)) parsedValues.push(String(text).slice(0, 200));
    return result;
  } as typeof JSON.parse;
});

afterEach(() => {
  JSON.parse = realParse;
  watching = false;
});

const servers: TenantboxServer[] = [];
afterAll(async () => {
  await Promise.allSettled(servers.map((s) => s.close()));
  removeTempDirs();
  await dropRedisKeys();
  await dropPostgresSchemas();
});

async function start(root: string, dataDir: string, extra: Record<string, unknown>): Promise<{ server: TenantboxServer; base: string }> {
  const server = new TenantboxServer({ root, config: parseConfig({ tenants: [{ id: "shop", tier: "starter" }] }), dataDir, jwtSecret: SECRET, watch: false, maxThreads: 1, ...extra });
  servers.push(server);
  return { server, base: await server.listen({ port: 0, host: "127.0.0.1" }) };
}

async function request(base: string, token: string, method: string, route: string, json?: unknown): Promise<{ status: number; text: string; body: any }> {
  const response = await fetch(base + route, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(json === undefined ? {} : { "content-type": "application/json" }) },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  const text = await response.text();
  return { status: response.status, text, body: clientParse(text) };
}

async function settled(base: string, token: string, id: string): Promise<any> {
  let body: any;
  await until(async () => {
    body = (await request(base, token, "GET", `/v1/events/jobs/${id}`)).body;
    return body.state === "succeeded" || body.state === "failed";
  }, `queued event ${id} to settle`, 20_000);
  return body;
}

describe.each(ENGINES)("a queued handler's value is never parsed on the host's main thread (%s)", (engine) => {
  it("kept and answered as the sandbox's JSON text, reading exactly as a parsed value did", async () => {
    const root = tempDir("tenantbox-root-");
    writeTenants(root, TENANTS);
    if (engine === "bullmq") await connectRedis(); // fails, saying so, when Redis is not there
    const extra =
      engine === "bullmq"
        ? { redisUrl: REDIS_URL, redisKeyPrefix: redisPrefix("tbx-qvalues") }
        : engine === "postgres"
          ? { databaseUrl: await postgresSchema("tbx_qvalues") }
          : {};
    const { server, base } = await start(root, tempDir("tenantbox-data-"), extra);
    const token = await signToken(SECRET, { tenantId: "shop", sub: "alice" });
    watching = true;
    const queued = await request(base, token, "POST", "/v1/events/shaped", { payload: { n: 7 }, delivery: "queued" });
    expect(queued.status, queued.text).toBe(202);
    const job = await settled(base, token, queued.body.id);
    const failed = await request(base, token, "GET", "/v1/events/failed");
    watching = false;
    await server.close();

    expect(parsedValues, "the tenant's value was parsed on the host's main thread").toEqual([]);
    expect(failed.status).toBe(200);
    expect(job.state, JSON.stringify(job)).toBe("succeeded");
    const [shaped, none] = job.handlers;
    // The same reply as when the value was parsed and stored: the result's fields in their order, the value last.
    expect(Object.keys(shaped.lastResult)).toEqual(["success", "durationMs", "attempt", "at", "value"]);
    expect(shaped.lastResult).toMatchObject({ success: true, attempt: 1, value: EXPECTED });
    // An undefined value is no value at all, as before.
    expect(Object.keys(none.lastResult)).toEqual(["success", "durationMs", "attempt", "at"]);
  });
});

describe("a SQLite file from before values were kept as text", () => {
  it("has its kept values moved out as they were written, and answered the same", async () => {
    const root = tempDir("tenantbox-root-");
    const dataDir = tempDir("tenantbox-data-");
    writeTenants(root, TENANTS);
    const first = await start(root, dataDir, {});
    await first.server.close();
    // The file as the previous version left it: no last_value column, a value inside last_result.
    const db = new Database(path.join(dataDir, "tenantbox.db"));
    const legacy = JSON.stringify({ success: true, durationMs: 1.5, attempt: 1, at: 1_700_000_000_000, value: EXPECTED });
    // The steps after it undone too (dec09: jobs per state kept by triggers, the kept fingerprints).
    db.exec(`ALTER TABLE deliveries DROP COLUMN fingerprint;
      DROP TRIGGER delivery_states_insert; DROP TRIGGER delivery_states_update; DROP TRIGGER delivery_states_delete; DROP TABLE delivery_states;`);
    db.exec("ALTER TABLE delivery_jobs DROP COLUMN last_value");
    db.pragma(`user_version = ${(db.pragma("user_version", { simple: true }) as number) - 3}`);
    db.prepare("INSERT INTO deliveries (id, tenant, event, payload, source, created_at) VALUES ('old-1', 'shop', 'shaped', '{}', 'api', ?)").run(Date.now());
    db.prepare("INSERT INTO delivery_jobs (delivery_id, idx, tenant, file, func, state, attempts, max_attempts, run_at, queued_at, finished_at, last_result) VALUES ('old-1', 0, 'shop', 'h.js', 'shaped', 'succeeded', 1, 3, ?, ?, ?, ?)").run(Date.now(), Date.now(), Date.now(), legacy);
    db.close();

    const again = await start(root, dataDir, {});
    const token = await signToken(SECRET, { tenantId: "shop", sub: "alice" });
    watching = true;
    const job = (await request(again.base, token, "GET", "/v1/events/jobs/old-1")).body;
    watching = false;
    await again.server.close();
    expect(parsedValues).toEqual([]);
    expect(Object.keys(job.handlers[0].lastResult)).toEqual(["success", "durationMs", "attempt", "at", "value"]);
    expect(job.handlers[0].lastResult).toEqual(realParse(legacy));
    const check = new Database(path.join(dataDir, "tenantbox.db"), { readonly: true });
    const row = check.prepare("SELECT last_result, last_value FROM delivery_jobs WHERE delivery_id = 'old-1'").get() as { last_result: string; last_value: string };
    check.close();
    expect(row).toEqual({ last_result: legacy.slice(0, legacy.indexOf(',"value":')) + "}", last_value: JSON.stringify(EXPECTED) });
  });
});

describe("a PostgreSQL schema from before values were kept as text", () => {
  it("moves kept values out as they were written, and leaves whole the rows PostgreSQL's json cannot read", async () => {
    const root = tempDir("tenantbox-root-");
    writeTenants(root, TENANTS);
    const databaseUrl = await postgresSchema("tbx_qvalues_legacy");
    const first = await start(root, tempDir("tenantbox-data-"), { databaseUrl });
    await first.server.close();
    // The schema as the previous version left it: no last_value column, values inside last_result. JavaScript
    // wrote an escaped NUL and a lone surrogate as they came (a tenant's value, a tenant's error message).
    const at = 1_700_000_000_000;
    const plain = JSON.stringify({ success: true, durationMs: 1.5, attempt: 1, at, value: EXPECTED });
    const nul = JSON.stringify({ success: true, durationMs: 1, attempt: 1, at, value: ["a\u0000b", "\ud800"] });
    const failed = JSON.stringify({ success: false, durationMs: 1, attempt: 3, at, error: { code: "RUNTIME_ERROR", message: "x\u0000y" } });
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const latest = (await client.query("SELECT max(version) AS v FROM tenantbox_migrations")).rows[0].v as number;
      // The step after it undone too (dec09: the kept fingerprints).
      await client.query("ALTER TABLE deliveries DROP COLUMN fingerprint");
      await client.query("ALTER TABLE delivery_jobs DROP COLUMN last_value");
      await client.query("DELETE FROM tenantbox_migrations WHERE version >= $1", [latest - 1]);
      await client.query("INSERT INTO deliveries (id, tenant, event, payload, source, created_at) VALUES ('old-1', 'shop', 'shaped', '{}', 'api', $1)", [Date.now()]);
      for (const [idx, result] of [plain, nul, failed].entries()) {
        await client.query(
          "INSERT INTO delivery_jobs (delivery_id, idx, tenant, file, func, state, attempts, max_attempts, run_at, queued_at, finished_at, last_result) VALUES ('old-1', $1, 'shop', 'h.js', 'shaped', 'succeeded', 1, 3, $2, $2, $2, $3)",
          [idx, Date.now(), result],
        );
      }
    } finally {
      await client.end();
    }

    // The upgrade runs the step: it must not fail on the rows it cannot read.
    const again = await start(root, tempDir("tenantbox-data-"), { databaseUrl });
    const token = await signToken(SECRET, { tenantId: "shop", sub: "alice" });
    const reply = await request(again.base, token, "GET", "/v1/events/jobs/old-1");
    await again.server.close();
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body.handlers.map((h: { lastResult: unknown }) => h.lastResult)).toEqual([realParse(plain), realParse(nul), realParse(failed)]);
    const check = new pg.Client({ connectionString: databaseUrl });
    await check.connect();
    try {
      const rows = (await check.query("SELECT last_result, last_value FROM delivery_jobs WHERE delivery_id = 'old-1' ORDER BY idx")).rows;
      // json_build_object writes its own spacing: the fields compare as JSON, the value as the text it was.
      expect(realParse(rows[0].last_result)).toEqual({ success: true, durationMs: 1.5, attempt: 1, at });
      expect(rows[0].last_value).toBe(JSON.stringify(EXPECTED));
      expect(rows[1]).toEqual({ last_result: nul, last_value: null });
      expect(rows[2]).toEqual({ last_result: failed, last_value: null });
    } finally {
      await check.end();
    }
  });
});
