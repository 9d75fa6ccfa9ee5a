import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import os from "node:os";
import { jwtVerify } from "jose";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { dropPostgresSchemas, postgresSchema } from "./postgres-helpers.js";
import { dropRedisKeys, REDIS_URL, redisPrefix } from "./redis-helpers.js";
import { TcpProxy } from "./tcp-proxy.js";
import { call, expectNoHostLeak, manifest, removeTempDirs, running, SECRET, tempDir, until, writeTenants } from "./service-helpers.js";

// `tenantbox serve` and `tenantbox audit` as real child processes.

const NODE = fileURLToPath(new URL("../node_modules/.bin/node", import.meta.url));
const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));

interface Cli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];

function cliEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TENANTBOX_LOG_LEVEL: "info" };
  delete env.TENANTBOX_JWT_SECRET;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

function startCli(args: string[], env: Record<string, string | undefined> = {}): Cli {
  const child = spawn(NODE, [CLI, ...args], { env: cliEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs a CLI command to its end (failing after `timeoutMs`). */
async function runCli(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 15_000) {
  const cli = startCli(args, env);
  const timer = setTimeout(() => cli.child.kill("SIGKILL"), timeoutMs);
  const { code, signal } = await cli.exited;
  clearTimeout(timer);
  return { code, signal, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** Waits for pino's "Server listening at http://127.0.0.1:PORT" line and returns the URL. */
async function listeningUrl(cli: Cli): Promise<string> {
  let url = "";
  await until(
    () => {
      if (cli.child.exitCode !== null) throw new Error(`serve exited ${cli.child.exitCode}: ${cli.stderr()}`);
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(cli.stdout());
      if (match) url = match[1]!;
      return url !== "";
    },
    "serve to listen",
    15_000,
  );
  return url;
}

afterAll(async () => {
  // Whatever happened in the tests, no server is left behind.
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  await Promise.all(
    children.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((resolve) => child.once("exit", resolve)) : undefined)),
  );
  removeTempDirs();
  await dropPostgresSchemas();
  await dropRedisKeys();
});

function fixture() {
  const dir = tempDir("tenantbox-cli-");
  const root = path.join(dir, "tenants");
  const dataDir = path.join(dir, "data");
  const configFile = path.join(dir, "tenants.json");
  writeTenants(root, {
    acme: {
      "m.js": "exports.ok = () => 'ok';\nexports.slow = async (ms) => { await new Promise((r) => setTimeout(r, ms)); return 'slow done'; };\n",
      "tenantbox.json": manifest({ ping: ["m.js#ok"] }),
    },
    beta: { "m.js": "exports.ok = () => 'beta ok';\n" },
  });
  fs.writeFileSync(configFile, JSON.stringify({ tenants: [{ id: "acme", tier: "starter" }, { id: "beta", tier: "free" }] }, null, 2));
  return { dir, root, dataDir, configFile };
}

const serveArgs = (f: ReturnType<typeof fixture>, extra: string[] = []) => [
  "serve",
  "--root", f.root,
  "--config", f.configFile,
  "--data", f.dataDir,
  "--port", "0",
  "--max-threads", "1",
  ...extra,
];

describe("tenantbox serve", () => {
  it("SIGTERM with a client stalled mid-request (headers, or a body) still exits, after the work in flight", async () => {
    const f = fixture();
    const cli = startCli(serveArgs(f), { TENANTBOX_JWT_SECRET: SECRET });
    const base = await listeningUrl(cli);
    const { signToken } = await import("../dist/service.js");
    const acme = await signToken(SECRET, { tenantId: "acme", sub: "alice@acme" });
    const url = new URL(base);
    const net = await import("node:net");
    // Half a request line and headers, no token; and a request whose body never finishes.
    const stalled = [
      "POST /v1/run HTTP/1.1\r\nHost: x\r\n",
      `POST /v1/run HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${acme}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"file":`,
    ].map((text) => {
      const socket = net.connect(Number(url.port), url.hostname, () => socket.write(text));
      socket.on("error", () => undefined);
      return socket;
    });
    const inFlight = call(base, "POST", "/v1/run", { token: acme, json: { file: "m.js", funcName: "slow", args: [500] } });
    await until(() => running(base, 1), "the slow execution to run");
    cli.child.kill("SIGTERM");
    expect((await inFlight).body).toMatchObject({ success: true, value: "slow done" });
    const exit = await Promise.race([cli.exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), 15_000))]);
    expect(exit, cli.stderr()).toEqual({ code: 0, signal: null });
    for (const socket of stalled) socket.destroy();
  });

  it("a second signal exits at once, with status 1", async () => {
    const f = fixture();
    const cli = startCli(serveArgs(f), { TENANTBOX_JWT_SECRET: SECRET });
    const base = await listeningUrl(cli);
    const { signToken } = await import("../dist/service.js");
    const acme = await signToken(SECRET, { tenantId: "acme" });
    const inFlight = call(base, "POST", "/v1/run", { token: acme, json: { file: "m.js", funcName: "slow", args: [5000] } }).catch(() => undefined);
    await until(() => running(base, 1), "the slow execution to run");
    cli.child.kill("SIGTERM");
    await until(() => cli.stderr().includes("finishing in-flight work"), "the first signal to be taken");
    // Later than the repeat window (within it, it is the same signal delivered twice: see below).
    await new Promise((resolve) => setTimeout(resolve, 1200));
    cli.child.kill("SIGTERM");
    expect(await cli.exited, cli.stderr()).toEqual({ code: 1, signal: null });
    expect(cli.stderr()).toContain("SIGTERM again, exiting now");
    await inFlight;
  });

  it("Ctrl-C under npm (SIGINT twice at once: the terminal's and npm's copy) still drains: the request gets its 200, exit 0", async () => {
    const f = fixture();
    const cli = startCli(serveArgs(f), { TENANTBOX_JWT_SECRET: SECRET });
    const base = await listeningUrl(cli);
    const { signToken } = await import("../dist/service.js");
    const acme = await signToken(SECRET, { tenantId: "acme" });
    const inFlight = call(base, "POST", "/v1/run", { token: acme, json: { file: "m.js", funcName: "slow", args: [800] }, headers: { connection: "close" } });
    await until(() => running(base, 1), "the slow execution to run");
    cli.child.kill("SIGINT");
    await new Promise((resolve) => setTimeout(resolve, 30));
    cli.child.kill("SIGINT");
    const reply = await inFlight;
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body).toMatchObject({ success: true, value: "slow done" });
    expect(await cli.exited, cli.stderr()).toEqual({ code: 0, signal: null });
    expect(cli.stderr()).toContain("SIGINT: finishing in-flight work");
    expect(cli.stderr()).not.toContain("again, exiting now");
  });

  it("SIGTERM while it is still starting (before it listens) exits 0, not 143", async () => {
    const f = fixture();
    // A tool enabled but not registered: its warning is logged as the service starts, before it connects to
    // Redis, which a paused proxy keeps it waiting for (so the signal surely comes before it listens).
    fs.writeFileSync(f.configFile, JSON.stringify({ tenants: [{ id: "acme", tier: "starter", permissions: ["tool:crm:lookup"], tools: { "crm:lookup": {} } }] }));
    const proxy = new TcpProxy(Number(new URL(REDIS_URL).port || 6379), new URL(REDIS_URL).hostname);
    await proxy.start();
    proxy.pause();
    try {
      const cli = startCli(serveArgs(f, ["--redis", `redis://127.0.0.1:${proxy.port}`, "--redis-prefix", redisPrefix("tbx-cli")]), { TENANTBOX_JWT_SECRET: SECRET });
      await until(() => cli.stdout().includes("is enabled for tenant"), "the service to start starting", 15_000);
      cli.child.kill("SIGTERM");
      await until(() => cli.stderr().includes("SIGTERM: finishing in-flight work") || cli.child.exitCode !== null || cli.child.signalCode !== null, "the signal to be taken");
      proxy.resume();
      const exit = await Promise.race([cli.exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), 15_000))]);
      expect(exit, cli.stderr()).toEqual({ code: 0, signal: null });
    } finally {
      await proxy.stop();
    }
  });

  it("SIGTERM with work in flight: the request gets its 200, the process exits 0, audit prints the row", async () => {
    const f = fixture();
    const cli = startCli(serveArgs(f), { TENANTBOX_JWT_SECRET: SECRET });
    const base = await listeningUrl(cli);
    const { signToken } = await import("../dist/service.js");
    const acme = await signToken(SECRET, { tenantId: "acme", sub: "alice@acme" });
    const beta = await signToken(SECRET, { tenantId: "beta", sub: "bob@beta" });

    expect((await call(base, "POST", "/v1/run", { token: beta, json: { file: "m.js", funcName: "ok" } })).body.value).toBe("beta ok");
    expect((await call(base, "POST", "/v1/run", { token: acme, json: { file: "m.js", funcName: "ok" } })).body.value).toBe("ok");

    // `connection: close`: the server would otherwise wait for a keep-alive client to hang up (see
    // service-http.test.ts, "graceful close with a keep-alive client").
    const inFlight = call(base, "POST", "/v1/run", { token: acme, json: { file: "m.js", funcName: "slow", args: [1000] }, headers: { connection: "close" } });
    await until(() => running(base, 1), "the slow execution to run");
    cli.child.kill("SIGTERM");
    const reply = await inFlight;
    expect(reply.status, reply.text).toBe(200);
    expect(reply.body).toMatchObject({ success: true, value: "slow done" });
    const exit = await Promise.race([cli.exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), 15_000))]);
    expect(exit, cli.stderr()).toEqual({ code: 0, signal: null });
    expect(cli.stderr()).toContain("SIGTERM: finishing in-flight work");
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();

    const all = await runCli(["audit", "--data", f.dataDir, "--json"]);
    expect(all.code, all.stderr).toBe(0);
    const rows = all.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ tenant: "acme", user: "alice@acme", kind: "run", file: "m.js", funcName: "slow", success: true, errorCode: null, toolCalls: 0 });
    expect(rows[0]!.durationMs as number).toBeGreaterThanOrEqual(900);
    expect(Math.abs(Date.now() - (rows[0]!.at as number))).toBeLessThan(60_000);

    const filtered = await runCli(["audit", "--data", f.dataDir, "--tenant", "beta", "--since", "1h", "--json"]);
    expect(filtered.code, filtered.stderr).toBe(0);
    const betaRows = filtered.stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(betaRows).toEqual([expect.objectContaining({ tenant: "beta", user: "bob@beta", funcName: "ok", success: true })]);

    const future = await runCli(["audit", "--data", f.dataDir, "--since", "2999-01-01T00:00:00Z"]);
    expect(future.code).toBe(0);
    expect(future.stdout).toBe("no executions\n");
    const table = await runCli(["audit", "--data", f.dataDir, "--tenant", "acme"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/acme\s+alice@acme\s+run\s+m\.js#slow\s+ok/);
    const badSince = await runCli(["audit", "--data", f.dataDir, "--since", "yesterday-ish"]);
    expect(badSince.code).toBe(2);
    expect(badSince.stderr).toMatch(/--since/);
  });

  it("a bad config exits 1 naming the bad field, without a stack trace", async () => {
    const f = fixture();
    fs.writeFileSync(f.configFile, JSON.stringify({ tenants: [{ id: "acme", tier: "gold" }, { id: "beta", tier: "free", quotas: { maxCodeSizeKB: -1 } }] }));
    const bad = await runCli(serveArgs(f), { TENANTBOX_JWT_SECRET: SECRET });
    expect(bad.code, bad.stderr).toBe(1);
    expect(bad.stderr).toContain("tenants[0].tier");
    expect(bad.stderr).toContain("tenants[1].quotas.maxCodeSizeKB");
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    expect(bad.stdout).not.toMatch(/Server listening/);

    fs.writeFileSync(f.configFile, '{ "tenants": [ { "id": "acme", "tier": "free" }, ] }');
    const json = await runCli(serveArgs(f), { TENANTBOX_JWT_SECRET: SECRET });
    expect(json.code).toBe(1);
    expect(json.stderr).toMatch(/invalid JSON at line 1 column \d+/);
    expect(json.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(f.dataDir, "tenantbox.db"))).toBe(false);
  });

  it("a --data that cannot be created fails fast, saying why (also under /proc, where a recursive mkdir never returns)", async () => {
    const f = fixture();
    for (const [data, why] of [
      ["/proc/forbidden", /\/proc does not allow creating forbidden/],
      ["/proc/a/b", /\/proc does not allow creating a/],
      [path.join(f.configFile, "x"), /ENOTDIR/],
    ] as const) {
      const result = await runCli(serveArgs({ ...f, dataDir: data }), { TENANTBOX_JWT_SECRET: SECRET }, 10_000);
      expect(result.code, `${data}: ${result.stderr}`).toBe(1);
      expect(result.stderr).toContain(`tenantbox serve: cannot create the data directory ${data}: `);
      expect(result.stderr).toMatch(why);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("no secret and no --dev exits 1 with a message that says how to give one", async () => {
    const f = fixture();
    const result = await runCli(serveArgs(f));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/TENANTBOX_JWT_SECRET/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("a TENANTBOX_LOG_LEVEL pino does not know exits 1 naming the levels (also with --workers); any case of a known one serves", async () => {
    const f = fixture();
    for (const extra of [[], ["--workers", "2"]]) {
      const result = await runCli([...serveArgs(f), ...extra], { TENANTBOX_JWT_SECRET: SECRET, TENANTBOX_LOG_LEVEL: "verbose" });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toBe('tenantbox serve: TENANTBOX_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"\n');
    }
    const cli = startCli(serveArgs(f), { TENANTBOX_JWT_SECRET: SECRET, TENANTBOX_LOG_LEVEL: "INFO" });
    const url = await listeningUrl(cli);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    cli.child.kill("SIGTERM");
    expect(await cli.exited, cli.stderr()).toEqual({ code: 0, signal: null });
  });

  it("a missing --root (or --config) is a usage error: exit 2", async () => {
    const f = fixture();
    const noRoot = await runCli(["serve", "--config", f.configFile, "--port", "0"], { TENANTBOX_JWT_SECRET: SECRET });
    expect(noRoot.code).toBe(2);
    expect(noRoot.stderr).toContain("--root");
    const noConfig = await runCli(["serve", "--root", f.root, "--port", "0"], { TENANTBOX_JWT_SECRET: SECRET });
    expect(noConfig.code).toBe(2);
    expect(noConfig.stderr).toContain("--config");
    const badPort = await runCli(["serve", "--root", f.root, "--config", f.configFile, "--port", "http"], { TENANTBOX_JWT_SECRET: SECRET });
    expect(badPort.code).toBe(2);
    // An empty --port (`--port "$UNSET"`) is no port: Number("") is 0, which listened on any free port.
    for (const port of ["", " ", "0x1F90", "3e3"]) {
      const odd = await runCli(["serve", "--root", f.root, "--config", f.configFile, "--port", port], { TENANTBOX_JWT_SECRET: SECRET });
      expect(odd.code, odd.stderr).toBe(2);
      expect(odd.stderr).toContain(`--port must be an integer from 0 to 65535, got "${port}"`);
    }
    // Nor is an empty --host an address: Node binds "" to every interface, where the default is 127.0.0.1.
    for (const host of ["", " "]) {
      const open = await runCli(["serve", "--root", f.root, "--config", f.configFile, "--port", "0", "--host", host], { TENANTBOX_JWT_SECRET: SECRET });
      expect(open.code, open.stderr).toBe(2);
      expect(open.stderr).toContain("--host must not be empty");
    }
    // Four service processes per core at most: 500 on a small machine is a usage error, not 500 processes.
    const tooMany = await runCli(["serve", "--root", f.root, "--config", f.configFile, "--port", "0", "--workers", String(4 * os.availableParallelism() + 1)], { TENANTBOX_JWT_SECRET: SECRET });
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toMatch(/--workers must be at most \d+/);
    // A --database that is no PostgreSQL URL: the command line's fault, as audit and jobs say it (exit 2).
    const badDatabase = await runCli(["serve", "--root", f.root, "--config", f.configFile, "--port", "0", "--database", "mysql://u:secret@db/x"], { TENANTBOX_JWT_SECRET: SECRET });
    expect(badDatabase.code).toBe(2);
    expect(badDatabase.stderr).toContain("--database: database url must start with postgres://");
    expect(badDatabase.stderr).not.toContain("secret");
  });

  it("a --root that is a file, or nothing, is refused at start (exit 2, the message said once); so is such a root in code", async () => {
    const f = fixture();
    for (const root of [f.configFile, path.join(f.dir, "does-not-exist")]) {
      const result = await runCli(serveArgs({ ...f, root }), { TENANTBOX_JWT_SECRET: SECRET });
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(`tenantbox serve: --root ${root} is not a directory`);
      expect(result.stderr).not.toMatch(/tenantbox: .*tenantbox:/);
      expect(result.stdout).not.toMatch(/Server listening/);
    }
    expect(fs.existsSync(f.dataDir)).toBe(false);
    const { TenantboxServer, parseConfig } = await import("../dist/service.js");
    expect(() => new TenantboxServer({ root: f.configFile, config: parseConfig({ tenants: [{ id: "acme", tier: "free" }] }), dataDir: f.dataDir, jwtSecret: SECRET })).toThrow(
      /option "root" must be an existing directory/,
    );
  });

  it("--dev prints a curl line with an Authorization: Bearer token for each tenant, and the tokens work", async () => {
    const f = fixture();
    const cli = startCli(serveArgs(f, ["--dev"]));
    const base = await listeningUrl(cli);
    await until(() => /# beta \(free\)[\s\S]*\/v1\/execute/.test(cli.stdout()), "the curl lines");
    const out = cli.stdout();
    for (const tenant of ["acme", "beta"]) {
      const block = out.slice(out.indexOf(`# ${tenant} (`));
      const line = block.split("\n").find((l) => l.startsWith("curl ") && l.includes("/v1/usage"));
      expect(line, `a curl line for ${tenant}`).toBeDefined();
      const match = /-H "Authorization: Bearer ([\w-]+\.[\w-]+\.[\w-]+)"/.exec(line!);
      expect(match, line).not.toBeNull();
      expect(line).toContain(`${base}/v1/usage`);
      const usage = await call(base, "GET", "/v1/usage", { token: match![1]! });
      expect(usage.status).toBe(200);
      expect(usage.body.tenant).toBe(tenant);
    }
    // The inline-script line works as printed.
    const executeLine = out.split("\n").find((l) => l.includes("/v1/execute"))!;
    const body = /-d '([^']+)'/.exec(executeLine)![1]!;
    const token = /Bearer ([\w.-]+)/.exec(executeLine)![1]!;
    const run = await call(base, "POST", "/v1/execute", { token, raw: body });
    expect(run.status, run.text).toBe(200);
    expect(run.body).toMatchObject({ success: true, value: { sum: 6, plan: "demo" } });
    expectNoHostLeak(run, [f.dir]);
    // So does the /v1/run line of a tenant with a manifest: a real call, answered with an execution report.
    const runLine = out.split("\n").find((l) => l.includes("/v1/run"));
    if (runLine) {
      const answer = await call(base, "POST", "/v1/run", { token: /Bearer ([\w.-]+)/.exec(runLine)![1]!, raw: /-d '([^']+)'/.exec(runLine)![1]! });
      expect([200, 404], answer.text).toContain(answer.status);
      expect(typeof answer.body.success, answer.text).toBe("boolean");
    }

    cli.child.kill("SIGTERM");
    expect(await cli.exited, cli.stderr()).toEqual({ code: 0, signal: null });
  });

  it("--dev with a tenant whose tenantbox.json is a FIFO (or a link outside its folder) still serves and stops: its curl lines have no /v1/run", async () => {
    const f = fixture();
    // A tenant's folder is its own: the manifest that names the first hook of a curl line is untrusted.
    fs.rmSync(path.join(f.root, "acme", "tenantbox.json"));
    spawnSync("mkfifo", [path.join(f.root, "acme", "tenantbox.json")]);
    fs.symlinkSync("/dev/zero", path.join(f.root, "beta", "tenantbox.json"));
    const cli = startCli(serveArgs(f, ["--dev"]));
    const base = await listeningUrl(cli);
    await until(() => /# beta \(free\)[\s\S]*\/v1\/execute/.test(cli.stdout()), "the curl lines", 10_000);
    expect(cli.stdout()).not.toContain("/v1/run");
    expect((await call(base, "GET", "/healthz")).status).toBe(200);
    cli.child.kill("SIGTERM");
    expect(await cli.exited, cli.stderr()).toEqual({ code: 0, signal: null });
  });

  it("--dev over the examples prints /v1/run lines whose sample record gives each example hook a real answer", async () => {
    const cli = startCli(["serve", "--root", "examples/modules", "--config", "examples/tenants.json", "--data", tempDir(), "--port", "0", "--max-threads", "1", "--dev", "--demo-tools"]);
    const base = await listeningUrl(cli);
    await until(() => /# globex \(free\)[\s\S]*\/v1\/run/.test(cli.stdout()), "the curl lines");
    const lines = cli.stdout().split("\n").filter((l) => l.startsWith("curl ") && l.includes("/v1/run"));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) {
      const answer = await call(base, "POST", "/v1/run", { token: /Bearer ([\w.-]+)/.exec(line)![1]!, raw: /-d '([^']+)'/.exec(line)![1]! });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body.success, answer.text).toBe(true);
      expect(answer.text).not.toContain("undefined");
    }
    cli.child.kill("SIGTERM");
    expect(await cli.exited, cli.stderr()).toEqual({ code: 0, signal: null });
  });
});

describe("tenantbox audit", () => {
  it("on a directory without an audit log exits 1 with a clear message (and creates nothing)", async () => {
    const empty = tempDir("tenantbox-empty-");
    const result = await runCli(["audit", "--data", empty]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no audit log in/);
    expect(result.stderr).toContain(empty);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(empty)).toEqual([]);
    const missing = await runCli(["audit", "--data", path.join(empty, "does-not-exist"), "--json"]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe("");
  });

  it("a tenantbox.db that is not a SQLite database (audit and jobs alike): exit 1 saying so, no stack trace", async () => {
    const dir = tempDir("tenantbox-corrupt-");
    fs.writeFileSync(path.join(dir, "tenantbox.db"), "this is not a database\n".repeat(100));
    for (const command of ["audit", "jobs"]) {
      const result = await runCli([command, "--data", dir]);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(`cannot read the ${command === "audit" ? "audit log" : "queue"} in ${dir}`);
      expect(result.stderr).toMatch(/file is not a database/);
      expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(result.stdout).toBe("");
    }
  });

  it("--limit is at most 10,000 (audit and jobs alike): more is a usage error, exit 2", async () => {
    const empty = tempDir("tenantbox-empty-");
    for (const command of ["audit", "jobs"]) {
      const over = await runCli([command, "--data", empty, "--limit", "10001"]);
      expect(over.code, over.stderr).toBe(2);
      expect(over.stderr).toContain("--limit must be at most 10000, got 10001");
      const huge = await runCli([command, "--data", empty, "--limit", "100000"]);
      expect(huge.code).toBe(2);
      // 10,000 itself is taken (an empty directory has no log to read: 1, not 2).
      expect((await runCli([command, "--data", empty, "--limit", "10000"])).code).toBe(1);
    }
  });

  it("reads PostgreSQL with --database: the rows a serve with database.url in its config wrote", async () => {
    const url = await postgresSchema("tbx_cli");
    const empty = await runCli(["audit", "--database", url]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/no audit log in postgres:/);
    const f = fixture();
    const config = JSON.parse(fs.readFileSync(f.configFile, "utf8"));
    fs.writeFileSync(f.configFile, JSON.stringify({ ...config, database: { url } }));
    const cli = startCli(serveArgs(f), { TENANTBOX_JWT_SECRET: SECRET });
    const base = await listeningUrl(cli);
    const { signToken } = await import("../dist/service.js");
    const acme = await signToken(SECRET, { tenantId: "acme", sub: "alice@acme" });
    expect((await call(base, "POST", "/v1/run", { token: acme, json: { file: "m.js", funcName: "ok" } })).body).toMatchObject({ value: "ok" });
    cli.child.kill("SIGTERM");
    expect(await cli.exited, cli.stderr()).toEqual({ code: 0, signal: null });
    // Nothing went to the SQLite file: the config's database.url took the audit log.
    expect(fs.existsSync(path.join(f.dataDir, "tenantbox.db"))).toBe(false);
    const rows = await runCli(["audit", "--database", url, "--json"]);
    expect(rows.code, rows.stderr).toBe(0);
    expect(rows.stdout.trim().split("\n").map((line) => JSON.parse(line))).toMatchObject([{ tenant: "acme", user: "alice@acme", file: "m.js", funcName: "ok", success: true }]);
    const both = await runCli(["audit", "--database", url, "--data", f.dataDir]);
    expect(both.code).toBe(2);
    const bad = await runCli(["audit", "--database", "mysql://x"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/postgres:\/\//);
  });

  it("serve with an unreachable PostgreSQL refuses to start, saying why", async () => {
    const f = fixture();
    const result = await runCli([...serveArgs(f), "--database", "postgres://postgres@127.0.0.1:1/test"], { TENANTBOX_JWT_SECRET: SECRET });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot start: cannot open the PostgreSQL database/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("an unreachable Redis says why (serve refuses to start, jobs cannot read), not only ioredis's \"Connection is closed.\"", async () => {
    const f = fixture();
    const serve = await runCli([...serveArgs(f), "--redis", "redis://127.0.0.1:1"], { TENANTBOX_JWT_SECRET: SECRET });
    expect(serve.code).toBe(1);
    expect(serve.stderr).toContain("cannot start: cannot connect to Redis: connect ECONNREFUSED 127.0.0.1:1");
    const jobs = await runCli(["jobs", "--redis", "redis://127.0.0.1:1"]);
    expect(jobs.code).toBe(1);
    expect(jobs.stderr).toContain("cannot read the queue in Redis: connect ECONNREFUSED 127.0.0.1:1");
    expect(jobs.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("tenantbox token", () => {
  const secret = "a-test-secret-of-at-least-thirty-two-characters";
  function token(args: string[], env: Record<string, string | undefined> = {}) {
    return spawnSync(process.execPath, [CLI, "token", ...args], { encoding: "utf8", env: cliEnv(env), timeout: 30_000 });
  }

  it("signs a token the service verifies: the tenant, sub, permissions and lifetime asked for", async () => {
    const config = path.join(tempDir(), "tenants.json");
    fs.writeFileSync(config, JSON.stringify({ tenants: [{ id: "acme", tier: "free" }] }));
    const result = token(["--config", config, "--tenant", "acme", "--sub", "ada", "--permissions", "tool:data:query", "--ttl", "12h"], { TENANTBOX_JWT_SECRET: secret });
    expect(result.status, result.stderr).toBe(0);
    const { payload } = await jwtVerify(result.stdout.trim(), new TextEncoder().encode(secret));
    expect(payload).toMatchObject({ tenantId: "acme", sub: "ada", permissions: ["tool:data:query"] });
    expect(payload.exp! - payload.iat!).toBe(12 * 3600);
  });

  it("refuses a --sub that would make a token the service refuses for its size (exit 2)", () => {
    const config = path.join(tempDir(), "tenants.json");
    fs.writeFileSync(config, JSON.stringify({ tenants: [{ id: "acme", tier: "free" }] }));
    const long = token(["--config", config, "--tenant", "acme", "--sub", "a".repeat(20_000)], { TENANTBOX_JWT_SECRET: secret });
    expect(long.status).toBe(2);
    expect(long.stdout).toBe("");
    expect(long.stderr).toContain("the service accepts at most 8192");
  });

  it("--permissions '' is a token that allows no tool; entries are trimmed", async () => {
    const config = path.join(tempDir(), "tenants.json");
    fs.writeFileSync(config, JSON.stringify({ tenants: [{ id: "acme", tier: "free" }] }));
    const none = token(["--config", config, "--tenant", "acme", "--permissions", ""], { TENANTBOX_JWT_SECRET: secret });
    expect(none.status, none.stderr).toBe(0);
    expect((await jwtVerify(none.stdout.trim(), new TextEncoder().encode(secret))).payload.permissions).toEqual([]);
    const two = token(["--config", config, "--tenant", "acme", "--permissions", "tool:data:query, tool:crm:*"], { TENANTBOX_JWT_SECRET: secret });
    expect((await jwtVerify(two.stdout.trim(), new TextEncoder().encode(secret))).payload.permissions).toEqual(["tool:data:query", "tool:crm:*"]);
  });

  it("refuses a tenant the config does not list, a missing or short secret, and a bad --ttl", () => {
    const config = path.join(tempDir(), "tenants.json");
    fs.writeFileSync(config, JSON.stringify({ tenants: [{ id: "acme", tier: "free" }] }));
    const unknown = token(["--config", config, "--tenant", "globex"], { TENANTBOX_JWT_SECRET: secret });
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('no tenant "globex" (it has: acme)');
    const noSecret = token(["--config", config, "--tenant", "acme"], { TENANTBOX_JWT_SECRET: undefined });
    expect(noSecret.status).toBe(1);
    expect(noSecret.stderr).toMatch(/no secret to sign with/);
    const short = token(["--config", config, "--tenant", "acme"], { TENANTBOX_JWT_SECRET: "short" });
    expect(short.status).toBe(1);
    expect(short.stderr).toMatch(/at least 32 characters/);
    expect(short.stderr).not.toMatch(/\n\s+at /);
    expect(token(["--config", config, "--tenant", "acme", "--dev", "--ttl", "forever"]).status).toBe(2);
    // A token expired when it is made, and permissions the config could not hold, are usage errors too.
    for (const ttl of ["0s", "0d", "000h"]) expect(token(["--config", config, "--tenant", "acme", "--dev", "--ttl", ttl]).status, ttl).toBe(2);
    for (const permissions of ["tool:data:query,,tool:x", "tool:data:query,bogus perm", "tool:data query", "data:query", "tool:", ","]) {
      const bad = token(["--config", config, "--tenant", "acme", "--dev", "--permissions", permissions]);
      expect(bad.status, permissions).toBe(2);
      expect(bad.stderr).toMatch(/--permissions: each must be "tool:<name>"/);
    }
    expect(token(["--config", config, "--tenant", "acme", "--dev"]).status).toBe(0);
  });
});
