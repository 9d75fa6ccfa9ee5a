import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseConfig, signToken, TenantboxServer } from "../dist/service.js";
import { dropRedisKeys, REDIS_URL, redisPrefix } from "./redis-helpers.js";
import { call, expectError, manifest, removeTempDirs, tempDir, until, writeTenants } from "./service-helpers.js";
import { TcpProxy } from "./tcp-proxy.js";

// Two service nodes sharing one real Redis (started here on loopback): quotas and rate limits hold across
// nodes, and a Redis that goes away turns requests into 503s, never into uncounted runs. Required: without
// redis-server on the machine the suite fails, saying so (.ci/run installs it when it is missing).
const hasRedis = spawnSync("redis-server", ["--version"]).status === 0;
type ErrorBody = { error: { code: string; message: string } };
const SECRET = "redis-test-secret-redis-test-secret-0123";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitForRedis(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("redis-server did not start");
}

describe("service with --redis: counters shared by every node", () => {
  let redis: ChildProcess;
  let port = 0;
  const dirs: string[] = [];
  const servers: TenantboxServer[] = [];
  const urls: string[] = [];
  let token = "";

  const config = parseConfig({
    tenants: [{ id: "acme", tier: "free", permissions: [], tools: {}, quotas: { maxExecutionsPerDay: 3 }, rateLimit: { points: 100, duration: 60 } }],
  });

  function temp(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-redis-"));
    dirs.push(dir);
    return dir;
  }

  beforeAll(async () => {
    if (!hasRedis) throw new Error("redis-server is required for this suite and is not installed (apt-get install redis-server)");
    port = await freePort();
    redis = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    await waitForRedis(port);
    const root = temp();
    fs.mkdirSync(path.join(root, "acme"));
    for (let i = 0; i < 2; i++) {
      const server = new TenantboxServer({ root, config, dataDir: temp(), jwtSecret: SECRET, watch: false, maxThreads: 1, redisUrl: `redis://127.0.0.1:${port}` });
      servers.push(server);
      urls.push(await server.listen({ port: 0 }));
    }
    token = await signToken(SECRET, { tenantId: "acme", sub: "u1" });
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    redis?.kill("SIGKILL");
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  const execute = (url: string) =>
    fetch(`${url}/v1/execute`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ code: "return 1" }),
    });

  it("counts one tenant's executions across both nodes", async () => {
    expect((await execute(urls[0]!)).status).toBe(200);
    expect((await execute(urls[1]!)).status).toBe(200);
    expect((await execute(urls[0]!)).status).toBe(200);
    const refused = await execute(urls[1]!);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as ErrorBody).error.code).toBe("QUOTA_EXCEEDED");
    const usage = (await (await fetch(`${urls[1]}/v1/usage`, { headers: { authorization: `Bearer ${token}` } })).json()) as { executions: unknown };
    expect(usage.executions).toEqual({ used: 3, limit: 3 });
  });

  it("answers 503 while Redis is away, and runs nothing uncounted", async () => {
    // The Redis clients' reconnect errors are the service's to log (once a minute), not ioredis's "Unhandled error event".
    const printed = vi.spyOn(console, "error");
    try {
      redis.kill("SIGKILL");
      await new Promise((r) => redis.once("exit", r));
      const response = await execute(urls[0]!);
      expect(response.status).toBe(503);
      expect(((await response.json()) as ErrorBody).error.code).toBe("UNAVAILABLE");
      // Long enough for both clients' first reconnect attempts to fail.
      await new Promise((r) => setTimeout(r, 500));
      expect(printed.mock.calls.map((call) => String(call[0])).filter((line) => line.includes("Unhandled error event"))).toEqual([]);
    } finally {
      printed.mockRestore();
    }
  });
});

describe("service with --redis: a Redis that hangs (connections open, nothing answered)", () => {
  const proxy = new TcpProxy(Number(new URL(REDIS_URL).port || 6379), new URL(REDIS_URL).hostname);
  let server: TenantboxServer | undefined;
  let base = "";
  let token = "";

  beforeAll(async () => {
    const root = tempDir("tenantbox-root-");
    writeTenants(root, { acme: { "m.js": "exports.ok = () => 'ok';\n", "tenantbox.json": manifest({ ping: ["m.js#ok"] }) } });
    const config = parseConfig({ tenants: [{ id: "acme", tier: "starter" }] });
    const redisUrl = `redis://127.0.0.1:${await proxy.start()}`;
    server = new TenantboxServer({ root, config, dataDir: tempDir("tenantbox-data-"), jwtSecret: SECRET, watch: false, maxThreads: 1, redisUrl, redisKeyPrefix: redisPrefix("tbx-hang") });
    base = await server.listen({ port: 0 });
    token = await signToken(SECRET, { tenantId: "acme", sub: "u1" });
  });

  afterAll(async () => {
    proxy.resume();
    await server?.close();
    await proxy.stop();
    await dropRedisKeys();
    removeTempDirs();
  });

  const requests = () => [
    call(base, "POST", "/v1/events/ping", { token, json: { payload: 1 } }),
    call(base, "POST", "/v1/run", { token, json: { file: "m.js", funcName: "ok" } }),
    call(base, "GET", "/v1/usage", { token }),
  ];

  it("sync events, /v1/run and /v1/usage answer 503 UNAVAILABLE within seconds, then recover when Redis answers again", async () => {
    for (const reply of await Promise.all(requests())) expect(reply.status, reply.text).toBe(200);
    proxy.pause();
    try {
      const started = Date.now();
      const replies = await Promise.race([Promise.all(requests()), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 10_000))]);
      expect(replies, "every request answered within 10 s").toBeDefined();
      for (const reply of replies!) expectError(reply, 503, "UNAVAILABLE");
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      proxy.resume();
    }
    await until(async () => (await Promise.all(requests())).every((reply) => reply.status === 200), "requests to succeed again", 15_000);
  });
});
