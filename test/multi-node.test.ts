import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../dist/service.js";
import { dropPostgresSchemas, POSTGRES_URL, postgresSchema } from "./postgres-helpers.js";
import { dropRedisKeys, REDIS_URL, redisPrefix } from "./redis-helpers.js";
import { ServeProcess, stopAllServes } from "./serve-process.js";
import { call, expectError, gauge, removeTempDirs, SECRET, tempDir, until, writeTenants, type Reply } from "./service-helpers.js";
import { TcpProxy } from "./tcp-proxy.js";

// Three `tenantbox serve` processes on loopback, on three ports, sharing one PostgreSQL schema (audit log,
// documents) and one Redis key prefix (quotas, rate limits, concurrency slots): a tenant is the same tenant
// whichever node answers. Both engines are reached through proxies this test owns, so "the engine is away"
// never touches the machine's servers, which other suites share. Only processes started here are stopped.

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

describe("three nodes sharing PostgreSQL and Redis", () => {
  const pgProxy = new TcpProxy(Number(new URL(POSTGRES_URL).port || 5432), new URL(POSTGRES_URL).hostname);
  const redisProxy = new TcpProxy(Number(new URL(REDIS_URL).port || 6379), new URL(REDIS_URL).hostname);
  const nodes: ServeProcess[] = [];
  const bases: string[] = [];
  let databaseUrl = "";
  const tokens: Record<string, string> = {};
  /** 200 answers per tenant: executions the nodes acknowledged. */
  const acknowledged: Record<string, number> = {};

  const run = async (node: number, tenant: string, funcName = "ok", args: unknown[] = []): Promise<Reply> => {
    const reply = await call(bases[node]!, "POST", "/v1/run", { token: tokens[tenant]!, json: { file: "m.js", funcName, args } });
    if (reply.status === 200) acknowledged[tenant] = (acknowledged[tenant] ?? 0) + 1;
    return reply;
  };
  const runningOn = async (node: number) => gauge((await call(bases[node]!, "GET", "/metrics")).text, "tenantbox_pool_running");
  // Not spawnSync: the PostgreSQL proxy the command goes through lives on this process's event loop.
  const auditRows = (tenant: string) =>
    new Promise<Array<{ success: boolean }>>((resolve, reject) => {
      execFile(process.execPath, [CLI, "audit", "--database", databaseUrl, "--tenant", tenant, "--json", "--limit", "1000"], (error, stdout, stderr) => {
        if (error) return reject(new Error(`tenantbox audit failed: ${stderr}`));
        resolve(stdout.trim() === "" ? [] : stdout.trim().split("\n").map((line) => JSON.parse(line) as { success: boolean }));
      });
    });

  beforeAll(async () => {
    const direct = new URL(await postgresSchema("tbx_nodes"));
    direct.port = String(await pgProxy.start());
    databaseUrl = direct.toString();
    const redisUrl = `redis://127.0.0.1:${await redisProxy.start()}`;
    const prefix = redisPrefix("tbx-nodes");
    const dir = tempDir("tenantbox-nodes-");
    const root = path.join(dir, "tenants");
    const code = [
      "exports.ok = () => 'ok';",
      "exports.slow = async (ms) => { await new Promise((r) => setTimeout(r, ms)); return 'slow done'; };",
      "exports.save = async (doc) => callTool('data:insert', { collection: 'notes', doc });",
      "exports.list = async () => callTool('data:query', { collection: 'notes', orderBy: 'n' });",
      "",
    ].join("\n");
    writeTenants(root, { acme: { "m.js": code }, kill: { "m.js": code }, away: { "m.js": code } });
    const config = path.join(dir, "tenants.json");
    const data = { permissions: ["tool:data:*"], tools: { "data:insert": {}, "data:query": {} } };
    fs.writeFileSync(
      config,
      JSON.stringify({
        tenants: [
          { id: "acme", tier: "starter", ...data, quotas: { maxExecutionsPerDay: 9, maxConcurrentExecutions: 1 } },
          { id: "kill", tier: "starter", quotas: { maxConcurrentExecutions: 1 } },
          { id: "away", tier: "starter", ...data },
        ],
      }),
    );
    for (let i = 0; i < 3; i++) {
      const node = new ServeProcess(
        ["--root", root, "--config", config, "--data", path.join(dir, `data-${i}`), "--port", "0", "--workers", "1", "--max-threads", "1",
          "--database", databaseUrl, "--redis", redisUrl, "--redis-prefix", prefix],
        { TENANTBOX_JWT_SECRET: SECRET },
      );
      nodes.push(node);
    }
    for (const node of nodes) bases.push(await node.listened(1));
    for (const tenant of ["acme", "kill", "away"]) tokens[tenant] = await signToken(SECRET, { tenantId: tenant, sub: `${tenant}-user` });
  });

  afterAll(async () => {
    await stopAllServes();
    await pgProxy.stop();
    await redisProxy.stop();
    await dropPostgresSchemas();
    await dropRedisKeys();
    removeTempDirs();
  });

  it("a tenant's concurrency limit, daily quota, documents and audit log are the same on every node", async () => {
    expect(new Set(bases).size).toBe(3);
    // One slot, held on node 0: nodes 1 and 2 refuse.
    const holding = run(0, "acme", "slow", [1500]);
    await until(async () => (await runningOn(0)) >= 1, "the slow execution to run on node 0");
    for (const node of [1, 2]) expectError(await run(node, "acme"), 429, "TOO_MANY_CONCURRENT");
    expect((await holding).body.value).toBe("slow done");

    // Documents written on one node are read on another.
    expect((await run(1, "acme", "save", [{ n: 1, by: "node 1" }])).status).toBe(200);
    expect((await run(2, "acme", "save", [{ n: 2, by: "node 2" }])).status).toBe(200);
    expect((await run(0, "acme", "list")).body.value.map((d: { by: string }) => d.by)).toEqual(["node 1", "node 2"]);

    // One daily quota of 9: four used, five more anywhere, then every node refuses.
    for (let i = 0; i < 5; i++) expect((await run(i % 3, "acme")).status).toBe(200);
    for (const node of [0, 1, 2]) expectError(await run(node, "acme"), 429, "QUOTA_EXCEEDED");
    for (const node of [0, 1, 2]) {
      expect((await call(bases[node]!, "GET", "/v1/usage", { token: tokens.acme! })).body.executions).toEqual({ used: 9, limit: 9 });
    }

    // One audit log: every execution any node acknowledged.
    expect(acknowledged.acme).toBe(9);
    expect(await auditRows("acme")).toHaveLength(9);
  });

  it("a node killed mid-request loses no acknowledged row, and its slots come back within seconds", async () => {
    expect((await run(2, "kill")).status).toBe(200);
    const cut = run(2, "kill", "slow", [5000]).catch((error: unknown) => error);
    await until(async () => (await runningOn(2)) >= 1, "the slow execution to run on node 2");
    nodes[2]!.child.kill("SIGKILL");
    expect(await nodes[2]!.exited).toEqual({ code: null, signal: "SIGKILL" });
    expect(await cut).toBeInstanceOf(Error); // never acknowledged
    // The dead node's lease holds the slot until it expires; then another node takes it.
    await until(async () => (await run(0, "kill")).status === 200, "the killed node's slot to come back", 15_000);
    expect(await auditRows("kill")).toHaveLength(acknowledged.kill!);
  });

  it("PostgreSQL away: 503 UNAVAILABLE on every node (never an acknowledged run without its row), then recovery", async () => {
    expect((await run(0, "away")).status).toBe(200);
    await pgProxy.stop();
    for (const node of [0, 1]) {
      for (let i = 0; i < 2; i++) expectError(await run(node, "away"), 503, "UNAVAILABLE");
    }
    await pgProxy.start();
    for (const node of [0, 1]) await until(async () => (await run(node, "away")).status === 200, `node ${node} to recover`, 15_000);
    expect(await auditRows("away")).toHaveLength(acknowledged.away!);
    // A node learns the engine is away from its connections ending; one execution admitted before it knew
    // may have run and been answered 503 (its quota unit spent, no row, never acknowledged). The next are
    // refused before they run.
    const used = (await call(bases[0]!, "GET", "/v1/usage", { token: tokens.away! })).body.executions.used;
    expect(used - acknowledged.away!).toBeGreaterThanOrEqual(0);
    expect(used - acknowledged.away!).toBeLessThanOrEqual(2);
  });

  it("Redis away: 503 UNAVAILABLE on every node, then recovery", async () => {
    const before = acknowledged.away!;
    await redisProxy.stop();
    for (const node of [0, 1]) expectError(await run(node, "away"), 503, "UNAVAILABLE");
    await redisProxy.start();
    for (const node of [0, 1]) await until(async () => (await run(node, "away")).status === 200, `node ${node} to recover`, 15_000);
    expect(acknowledged.away).toBeGreaterThan(before);
    expect(await auditRows("away")).toHaveLength(acknowledged.away!);
  });
});
