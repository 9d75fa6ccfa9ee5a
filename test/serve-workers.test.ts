import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { signToken } from "../dist/service.js";
import { ServeProcess, stopAllServes } from "./serve-process.js";
import { call, gauge, manifest, removeTempDirs, SECRET, tempDir, until, writeTenants } from "./service-helpers.js";

// `tenantbox serve --workers 2` as a real process tree on one port, without Redis: the machine's service
// processes share one daily quota, one concurrency limit per tenant and one /metrics answer; a process that
// dies is replaced; SIGTERM drains them all (exit 0) and every acknowledged execution has its audit row.

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

afterAll(async () => {
  await stopAllServes();
  removeTempDirs();
});

/** A folder with tenants' files and a config listing `tenants`: its root, config file and data directory. */
function workspace(files: Parameters<typeof writeTenants>[1], tenants: unknown[]): { root: string; config: string; dataDir: string } {
  const dir = tempDir("tenantbox-workers-");
  const root = path.join(dir, "tenants");
  const config = path.join(dir, "tenants.json");
  writeTenants(root, files);
  fs.writeFileSync(config, JSON.stringify({ tenants }));
  return { root, config, dataDir: path.join(dir, "data") };
}

/** `tenantbox serve --workers 2` (one sandbox worker each) on `workspace`'s files, on a free port. */
function serveWorkers({ root, config, dataDir }: { root: string; config: string; dataDir: string }): ServeProcess {
  return new ServeProcess(["--root", root, "--config", config, "--data", dataDir, "--port", "0", "--workers", "2", "--max-threads", "1"], { TENANTBOX_JWT_SECRET: SECRET });
}

describe("tenantbox serve --workers 2", () => {
  it("shares the quota, the concurrency limit and /metrics; replaces a killed process; SIGTERM drains all", async () => {
    const slow = "exports.ok = () => 'ok';\nexports.slow = async (ms) => { await new Promise((r) => setTimeout(r, ms)); return 'slow done'; };\n";
    const files = workspace({ acme: { "m.js": slow, "tenantbox.json": manifest({ ping: ["m.js#ok"] }) }, beta: { "m.js": slow } }, [
      { id: "acme", tier: "starter", quotas: { maxExecutionsPerDay: 6, maxConcurrentExecutions: 1 } },
      { id: "beta", tier: "starter" },
    ]);
    const { dataDir } = files;
    const serve = serveWorkers(files);
    const base = await serve.listened(2);
    const [first, second] = serve.listening().pids;
    expect(first).not.toBe(second);
    expect(new Set([serve.listening().url])).toEqual(new Set([base])); // one port
    const acme = await signToken(SECRET, { tenantId: "acme", sub: "ada" });
    const beta = await signToken(SECRET, { tenantId: "beta" });
    // A new connection per request: the primary hands connections to the processes in turn.
    const run = (token: string, funcName = "ok", args: unknown[] = []) =>
      call(base, "POST", "/v1/run", { token, json: { file: "m.js", funcName, args }, headers: { connection: "close" } });
    const metrics = async () => (await call(base, "GET", "/metrics", { headers: { connection: "close" } })).text;

    // One concurrency slot for acme, whichever process answers.
    const holding = run(acme, "slow", [1500]);
    await until(async () => gauge(await metrics(), "tenantbox_pool_running") >= 1, "the slow execution to run");
    for (let i = 0; i < 4; i++) expect((await run(acme)).body.error.code).toBe("TOO_MANY_CONCURRENT");
    expect(serve.pidsAnswering(429).size).toBe(2);
    expect((await holding).body.value).toBe("slow done");

    // One daily quota: six executions in all, then 429 from both processes.
    for (let i = 0; i < 5; i++) expect((await run(acme)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await run(acme)).body.error.code).toBe("QUOTA_EXCEEDED");
    expect(serve.pidsAnswering(200).size).toBe(2);

    // One /metrics answer: every process's executions and pools.
    const text = await metrics();
    expect(gauge(text, "tenantbox_executions_total")).toBe(6);
    expect(gauge(text, "tenantbox_pool_capacity")).toBe(2);

    // A process killed outright is replaced; the state it shared survives it.
    process.kill(first!, "SIGKILL");
    await until(() => serve.stderr.includes("ended (SIGKILL); starting another"), "the primary to replace the process");
    await serve.listened(3);
    for (let i = 0; i < 2; i++) expect((await run(acme)).body.error.code).toBe("QUOTA_EXCEEDED");

    // SIGTERM with work in flight: the answer arrives, every process drains, the tree exits 0.
    const inFlight = run(beta, "slow", [800]);
    await until(async () => gauge(await metrics(), "tenantbox_pool_running") >= 1, "the slow execution to run");
    serve.child.kill("SIGTERM");
    expect((await inFlight).body).toMatchObject({ success: true, value: "slow done" });
    expect(await serve.exited, serve.stderr).toEqual({ code: 0, signal: null });
    for (const pid of serve.listening().pids) expect(() => process.kill(pid, 0)).toThrow();

    // Every acknowledged execution has its audit row, written by whichever process ran it.
    const audit = spawnSync(process.execPath, [CLI, "audit", "--data", dataDir, "--json", "--limit", "100"], { encoding: "utf8" });
    const rows = audit.stdout.trim().split("\n").map((line) => JSON.parse(line) as { tenant: string });
    expect(rows.filter((row) => row.tenant === "acme")).toHaveLength(6);
    expect(rows.filter((row) => row.tenant === "beta")).toHaveLength(1);

    // Started again on the same data directory: the day's usage is still spent.
    const again = serveWorkers(files);
    const againBase = await again.listened(2);
    expect((await call(againBase, "GET", "/v1/usage", { token: acme })).body.executions.used).toBe(6);
    expect((await call(againBase, "POST", "/v1/run", { token: acme, json: { file: "m.js", funcName: "ok" } })).body.error.code).toBe("QUOTA_EXCEEDED");
    again.child.kill("SIGTERM");
    expect(await again.exited, again.stderr).toEqual({ code: 0, signal: null });
  });

  it("a process killed while it holds a tenant's slot gives the slot back at once", async () => {
    const serve = serveWorkers(
      workspace({ acme: { "m.js": "exports.ok = () => 'ok';\nexports.hang = () => new Promise(() => {});\n" } }, [
        { id: "acme", tier: "starter", quotas: { maxConcurrentExecutions: 1 } },
      ]),
    );
    const base = await serve.listened(2);
    const acme = await signToken(SECRET, { tenantId: "acme" });
    const run = (funcName: string) => call(base, "POST", "/v1/run", { token: acme, json: { file: "m.js", funcName }, headers: { connection: "close" } });
    const hanging = run("hang").catch(() => "connection ended");
    const holder = () => serve.logs().find((log) => log.msg === "incoming request" && log.req?.url === "/v1/run")?.pid as number | undefined;
    // The hanging call holds the slot (not only arrived: a probe racing its acquire would take the slot first).
    await until(async () => (await call(base, "GET", "/v1/usage", { token: acme, headers: { connection: "close" } })).body.concurrent?.active === 1, "the hanging call to take the slot");
    expect(holder()).toBeDefined();
    expect((await run("ok")).body.error?.code).toBe("TOO_MANY_CONCURRENT");
    process.kill(holder()!, "SIGKILL");
    await until(() => serve.stderr.includes("ended (SIGKILL); starting another"), "the primary to see the process end");
    // No lease to wait out: the primary dropped the dead process's slot when it saw it exit.
    expect((await run("ok")).body.value).toBe("ok");
    expect(await hanging).toBe("connection ended");
    serve.child.kill("SIGTERM");
    expect(await serve.exited, serve.stderr).toEqual({ code: 0, signal: null });
  });

  it("Ctrl-C under npm (SIGINT to every process of the group, and npm's copy to the primary) drains all: exit 0", async () => {
    const serve = serveWorkers(
      workspace({ acme: { "m.js": "exports.slow = async (ms) => { await new Promise((r) => setTimeout(r, ms)); return 'slow done'; };\n" } }, [{ id: "acme", tier: "starter" }]),
    );
    const base = await serve.listened(2);
    const acme = await signToken(SECRET, { tenantId: "acme" });
    const inFlight = call(base, "POST", "/v1/run", { token: acme, json: { file: "m.js", funcName: "slow", args: [800] }, headers: { connection: "close" } });
    await until(async () => gauge((await call(base, "GET", "/metrics", { headers: { connection: "close" } })).text, "tenantbox_pool_running") >= 1, "the slow execution to run");
    for (const pid of [serve.child.pid!, ...serve.listening().pids]) process.kill(pid, "SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 30));
    serve.child.kill("SIGINT");
    expect((await inFlight).body).toMatchObject({ success: true, value: "slow done" });
    expect(await serve.exited, serve.stderr).toEqual({ code: 0, signal: null });
    expect(serve.stderr).not.toContain("again, exiting now");
  });

  it("reads --config once for every service process: a pipe (--config <(...)) works, and so does a replacement", async () => {
    const files = workspace({ acme: { "m.js": "exports.ok = () => 'ok';\n" } }, [{ id: "acme", tier: "starter" }]);
    // A FIFO reads as a shell's <(...) does: once, whole, then empty (a second reader would wait for a writer).
    const pipe = path.join(path.dirname(files.config), "config.pipe");
    expect(spawnSync("mkfifo", [pipe]).status).toBe(0);
    const serve = serveWorkers({ ...files, config: pipe });
    await fs.promises.writeFile(pipe, fs.readFileSync(files.config));
    const base = await serve.listened(2);
    const acme = await signToken(SECRET, { tenantId: "acme" });
    const run = () => call(base, "POST", "/v1/run", { token: acme, json: { file: "m.js", funcName: "ok" }, headers: { connection: "close" } });
    for (let i = 0; i < 4; i++) expect((await run()).body.value).toBe("ok");
    // A replacement takes the config the primary read, not the (now empty) pipe.
    process.kill(serve.listening().pids[0]!, "SIGKILL");
    await until(() => serve.stderr.includes("ended (SIGKILL); starting another"), "the primary to replace the process");
    await serve.listened(3);
    for (let i = 0; i < 4; i++) expect((await run()).body.value).toBe("ok");
    serve.child.kill("SIGTERM");
    expect(await serve.exited, serve.stderr).toEqual({ code: 0, signal: null });
    expect(serve.stderr).not.toMatch(/invalid JSON|ended before it listened/);
  });

  it("a service process that cannot start stops the whole serve with status 1", async () => {
    const dir = tempDir("tenantbox-workers-");
    const config = path.join(dir, "tenants.json");
    fs.writeFileSync(config, JSON.stringify({ tenants: [{ id: "acme", tier: "starter" }] }));
    const serve = new ServeProcess(
      ["--root", dir, "--config", config, "--data", path.join(dir, "data"), "--port", "0", "--workers", "2", "--database", "postgres://postgres@127.0.0.1:1/test"],
      { TENANTBOX_JWT_SECRET: SECRET },
    );
    expect(await serve.exited, serve.stderr).toEqual({ code: 1, signal: null });
    expect(serve.stderr).toMatch(/ended before it listened/);
  });
});
