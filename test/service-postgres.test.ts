import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, signToken, TenantboxServer } from "../dist/service.js";
import { dropPostgresSchemas, POSTGRES_URL, postgresSchema } from "./postgres-helpers.js";
import { call, expectError, removeTempDirs, SECRET, tempDir, until, writeTenants } from "./service-helpers.js";
import { TcpProxy } from "./tcp-proxy.js";

// PostgreSQL going away under a running service: requests become 503 UNAVAILABLE (never a run whose audit
// row is lost), and the service recovers by itself when the engine is back. The engine "goes away" behind
// a proxy this test owns; the machine's PostgreSQL server keeps running for everyone else.

describe("PostgreSQL away and back", () => {
  const proxy = new TcpProxy(Number(new URL(POSTGRES_URL).port || 5432), new URL(POSTGRES_URL).hostname);
  let server: TenantboxServer;
  let base = "";
  let tok = "";
  const run = () => call(base, "POST", "/v1/run", { token: tok, json: { file: "m.js", funcName: "ok" } });

  beforeAll(async () => {
    const direct = new URL(await postgresSchema("tbx_away"));
    await proxy.start();
    direct.port = String(proxy.port);
    const root = tempDir("tenantbox-root-");
    writeTenants(root, { acme: { "m.js": "exports.ok = () => 'ok';\nexports.save = async (d) => callTool('data:insert', { collection: 'c', doc: d });\n" } });
    const config = parseConfig({ tenants: [{ id: "acme", tier: "starter", permissions: ["tool:data:*"], tools: { "data:insert": {} } }] });
    server = new TenantboxServer({ root, config, dataDir: tempDir("tenantbox-data-"), databaseUrl: direct.toString(), jwtSecret: SECRET, maxThreads: 1 });
    base = await server.listen({ port: 0, host: "127.0.0.1" });
    tok = await signToken(SECRET, { tenantId: "acme" });
  });

  afterAll(async () => {
    await proxy.stop();
    await server?.close();
    await dropPostgresSchemas();
    removeTempDirs();
  });

  it("answers 503 UNAVAILABLE while the engine is away, every acknowledged run has its row, then recovers", async () => {
    let acknowledged = 0;
    const counted = async () => {
      const reply = await run();
      if (reply.status === 200) acknowledged++;
      return reply;
    };
    expect((await counted()).status).toBe(200);
    await proxy.stop();
    for (let i = 0; i < 3; i++) {
      const refused = await counted();
      expectError(refused, 503, "UNAVAILABLE");
      expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    }
    expectError(await call(base, "GET", "/v1/usage", { token: tok }), 503, "UNAVAILABLE");
    await proxy.start();
    await until(async () => (await counted()).status === 200, "the service to recover", 10_000);
    expect((await counted()).status).toBe(200);
    const rows = await server.service.auditLog({ tenant: "acme" });
    // Every answer that acknowledged an execution has its row.
    expect(rows.filter((row) => row.success)).toHaveLength(acknowledged);
    // The service learns the engine is away from its connections ending: at most the one execution admitted
    // before it knew ran and was answered 503 (never acknowledged); the others were refused before running.
    const usage = (await call(base, "GET", "/v1/usage", { token: tok })).body;
    expect(usage.executions.used - acknowledged).toBeGreaterThanOrEqual(0);
    expect(usage.executions.used - acknowledged).toBeLessThanOrEqual(1);
  });
});

describe("PostgreSQL without Redis", () => {
  afterAll(async () => {
    removeTempDirs();
    await dropPostgresSchemas();
  });

  it("says at start that quotas, rate limits and slots are this node's own", async () => {
    const root = tempDir("tenantbox-root-");
    writeTenants(root, { acme: { "m.js": "exports.ok = () => 'ok';\n" } });
    const logged: string[] = [];
    const server = new TenantboxServer({
      root,
      config: parseConfig({ tenants: [{ id: "acme", tier: "free" }] }),
      dataDir: tempDir("tenantbox-data-"),
      databaseUrl: await postgresSchema(),
      jwtSecret: SECRET,
      maxThreads: 1,
      log: (message) => logged.push(message),
    });
    try {
      await server.listen({ port: 0, host: "127.0.0.1" });
      expect(logged.filter((m) => m.startsWith("PostgreSQL without Redis"))).toHaveLength(1);
      expect(logged.join("\n")).toContain("give every node --redis");
    } finally {
      await server.close();
    }
  }, 60_000);
});

describe("PostgreSQL with a search_path whose schema does not exist", () => {
  afterAll(() => removeTempDirs());

  it("refuses to start saying which schema to create, not PostgreSQL's 'no schema has been selected to create in'", async () => {
    const url = new URL(POSTGRES_URL);
    const schema = `tbx_missing_${Date.now().toString(36)}`;
    url.searchParams.set("options", `-c search_path=${schema}`);
    const root = tempDir("tenantbox-root-");
    writeTenants(root, { acme: { "m.js": "exports.ok = () => 'ok';\n" } });
    const server = new TenantboxServer({
      root,
      config: parseConfig({ tenants: [{ id: "acme", tier: "free" }] }),
      dataDir: tempDir("tenantbox-data-"),
      databaseUrl: url.toString(),
      jwtSecret: SECRET,
      maxThreads: 1,
    });
    try {
      const failure = await server.listen({ port: 0, host: "127.0.0.1" }).then(
        () => new Error("it started"),
        (error: unknown) => error as Error,
      );
      expect(failure.message).toContain(`no schema of the search_path (${schema}) exists: create it first (CREATE SCHEMA ${schema})`);
      expect(failure.message).not.toContain("no schema has been selected");
    } finally {
      await server.close();
    }
  }, 60_000);
});
