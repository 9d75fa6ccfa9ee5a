import { afterAll, describe, expect, it } from "vitest";
import { parseConfig, signToken, TenantboxServer } from "../dist/service.js";
import { call, removeTempDirs, SECRET, tempDir, until, writeTenants } from "./service-helpers.js";

// A client that goes away mid-call: a real TenantboxServer on 127.0.0.1 and the global fetch as the client,
// aborted while its call runs. The call is cancelled and gives its worker and concurrency slot back at once,
// instead of running to the tenant's timeout for nobody (and holding the shutdown's drain that long).

const servers: TenantboxServer[] = [];
afterAll(async () => {
  await Promise.allSettled(servers.map((s) => s.close()));
  removeTempDirs();
});

describe("a client that disconnects", () => {
  it("cancels its call: the slot is free again, the next call runs, the audit row says CANCELLED, shutdown does not wait", async () => {
    const root = tempDir("tenantbox-root-");
    writeTenants(root, {
      slowpoke: { "m.js": "exports.spin = () => { for (;;) {} };\nexports.wait = () => new Promise(() => {});\nexports.ok = () => 'ok';\n" },
    });
    const config = parseConfig({ tenants: [{ id: "slowpoke", tier: "free", quotas: { maxExecutionDurationMs: 60_000, maxConcurrentExecutions: 1 } }] });
    const server = new TenantboxServer({ jwtSecret: SECRET, watch: false, maxThreads: 2, root, config, dataDir: tempDir("tenantbox-data-") });
    servers.push(server);
    const base = await server.listen({ port: 0, host: "127.0.0.1" });
    const token = await signToken(SECRET, { tenantId: "slowpoke", sub: "user@slowpoke" });
    const usage = async () => (await call(base, "GET", "/v1/usage", { token })).body as { concurrent: { active: number } };

    for (const funcName of ["spin", "wait"]) {
      const client = new AbortController();
      const request = fetch(`${base}/v1/run`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ file: "m.js", funcName }),
        signal: client.signal,
      }).catch((error: unknown) => error);
      await until(async () => (await usage()).concurrent.active === 1, "the call to start");
      client.abort();
      expect(await request).toBeInstanceOf(Error);
      // Its one slot comes back long before the 60 s timeout (generous for a busy machine).
      await until(async () => (await usage()).concurrent.active === 0, "the cancelled call to give its slot back", 10_000);
    }
    const next = await call(base, "POST", "/v1/run", { token, json: { file: "m.js", funcName: "ok" } });
    expect(next.status).toBe(200);
    expect(next.body).toMatchObject({ success: true, value: "ok" });

    const audit = (await server.service.auditLog({ tenant: "slowpoke" })) as { errorCode: string | null; funcName: string | null }[];
    expect(audit.filter((row) => row.errorCode === "CANCELLED").map((row) => row.funcName).sort()).toEqual(["spin", "wait"]);

    // A call whose client is gone does not hold the shutdown.
    const client = new AbortController();
    const abandoned = fetch(`${base}/v1/run`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ file: "m.js", funcName: "spin" }),
      signal: client.signal,
    }).catch((error: unknown) => error);
    await until(async () => (await usage()).concurrent.active === 1, "the call to start");
    client.abort();
    await abandoned;
    const closing = performance.now();
    await server.close();
    expect(performance.now() - closing).toBeLessThan(15_000);
  });
});
