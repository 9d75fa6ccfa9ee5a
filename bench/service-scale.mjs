// How the service scales: `tenantbox serve` as a real process tree (the CLI, as operators run it) with
// --workers 1 and 2, on SQLite and on PostgreSQL, driven at concurrency 32 over loopback by the same HTTP
// client as bench/service.mjs (raw keep-alive connections, a child process of its own). CPU comes from /proc for
// every process of the tree: the service processes (primary and workers: HTTP, auth, quotas, audit) apart
// from the sandbox processes. Needs dist/ (`npx tsup`) and, for the PostgreSQL rows, PostgreSQL at
// TENANTBOX_BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432/test; a schema of its own, dropped).
// The per-core row runs the whole tree and its client on one core (taskset, Linux): what one core serves.
//
//   node bench/service-scale.mjs [--quick] [--only run,data] [--workers 1,2] [--engines sqlite,postgres] [--no-per-core] [--out FILE]
import { fork, spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { signToken } from "../dist/service.js";
import { descendantsOf } from "./rss.mjs";
import { HTTP_WORKLOADS, serviceConfig, TENANTS, writeTenantRoot } from "./service/workloads.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(here, "../dist/cli.js");
const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string", default: "run,data" },
    workers: { type: "string", default: "1,2" },
    engines: { type: "string", default: "sqlite,postgres" },
    "no-per-core": { type: "boolean", default: false },
    out: { type: "string" },
  },
});
const plan = flags.quick ? { concurrency: 32, warmupMs: 500, windowMs: 1500 } : { concurrency: 32, warmupMs: 1500, windowMs: 5000 };
const POSTGRES = process.env.TENANTBOX_BENCH_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";
const log = (message) => process.stderr.write(`[scale-bench] ${message}\n`);
const TICK_MS = 10;

/** CPU ms and the command line of every live process of the tree under `root` (itself included). */
function treeCpu(root) {
  const out = new Map();
  for (const pid of [root, ...descendantsOf(root)]) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
      out.set(pid, { cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS, service: cmd.includes("cli.js\0serve") });
    } catch {
      // ended
    }
  }
  return out;
}

/** Runs every thread of `pid` on CPUs `cpus` (a taskset list, e.g. "0"); false where taskset is missing. */
function pin(pid, cpus) {
  return spawnSync("taskset", ["-a", "-p", "-c", cpus, String(pid)], { stdio: "ignore" }).status === 0;
}

const tasksetWorks = process.platform === "linux" && spawnSync("taskset", ["-c", "0", "true"], { stdio: "ignore" }).status === 0;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitHealthy(base, serve) {
  for (let i = 0; i < 300; i++) {
    if (serve.exitCode !== null) throw new Error(`serve exited ${serve.exitCode}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("serve did not become healthy");
}

/** One load window of `workload` against `base`, with the serve tree's CPU over the window. */
function measure(base, token, workload, servePid, cpus) {
  return new Promise((resolve, reject) => {
    const client = fork(path.join(here, "service/client.mjs"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: [] });
    if (cpus !== undefined) pin(client.pid, cpus);
    let before;
    let server;
    client.on("message", (message) => {
      if (message.type === "window-start") {
        before = treeCpu(servePid);
        client.send({ type: "go" });
      } else if (message.type === "window-end") {
        const after = treeCpu(servePid);
        server = { serviceMs: 0, sandboxMs: 0, serviceProcesses: 0 };
        for (const [pid, { cpuMs, service }] of after) {
          const spent = cpuMs - (before.get(pid)?.cpuMs ?? 0);
          if (service) {
            server.serviceMs += spent;
            server.serviceProcesses++;
          } else server.sandboxMs += spent;
        }
      } else if (message.error) reject(new Error(message.error));
      else {
        client.disconnect();
        resolve({ ...message.result, ...server });
      }
    });
    client.send({ id: 1, cmd: "load", workload, baseUrl: base, token, ...plan });
  });
}

async function runConfig({ engine, workers, cpus }, workloads) {
  const { base: dir, root, dataDir } = writeTenantRoot();
  const secret = crypto.randomBytes(32).toString("hex");
  const config = serviceConfig(secret);
  let schema;
  let admin;
  if (engine === "postgres") {
    schema = `tbx_bench_${crypto.randomBytes(4).toString("hex")}`;
    admin = new pg.Client({ connectionString: POSTGRES });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const url = new URL(POSTGRES);
    url.searchParams.set("options", `-c search_path=${schema}`);
    config.database = { url: url.toString() };
  }
  const configFile = path.join(dir, "tenants.json");
  fs.writeFileSync(configFile, JSON.stringify(config));
  const port = await freePort();
  // Under taskset, the tree it starts (service and sandbox processes) inherits the CPUs.
  const command = cpus !== undefined ? ["taskset", ["-c", cpus, process.execPath]] : [process.execPath, []];
  const serve = spawn(command[0], [...command[1], CLI, "serve", "--root", root, "--config", configFile, "--data", dataDir, "--port", String(port), "--workers", String(workers)], {
    env: { ...process.env, TENANTBOX_LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  const results = {};
  try {
    await waitHealthy(base, serve);
    for (const workload of workloads) {
      const token = await signToken(secret, { tenantId: HTTP_WORKLOADS[workload].tenant, sub: "bench-user" }, "2h");
      log(`${engine}, --workers ${workers}${cpus !== undefined ? `, CPUs ${cpus}` : ""}: ${workload} at concurrency ${plan.concurrency} for ${plan.windowMs} ms ...`);
      const r = await measure(base, token, workload, serve.pid, cpus);
      results[workload] = r;
      log(`  ${r.okPerSecond.toFixed(0)} req/s, p50 ${r.latency.p50.toFixed(1)} ms; statuses ${JSON.stringify(r.measured.statuses)}`);
    }
  } finally {
    serve.kill("SIGTERM");
    await new Promise((resolve) => (serve.exitCode !== null ? resolve() : serve.once("exit", resolve)));
    if (admin) {
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

const f0 = (n) => Math.round(n).toLocaleString("en-US");
const f2 = (n) => (n >= 10 ? n.toFixed(1) : n.toFixed(2));

async function main() {
  const workloads = flags.only.split(",").filter((w) => w === "run" || w === "data");
  const configs = [];
  for (const engine of flags.engines.split(",")) for (const workers of flags.workers.split(",").map(Number)) configs.push({ engine, workers });
  const cores = os.availableParallelism();
  // One core for everything (service, sandboxes, client): the figure a machine's cores multiply.
  if (!flags["no-per-core"] && tasksetWorks && cores > 1) configs.push({ engine: "sqlite", workers: 1, cpus: "0", only: ["run"] });
  const loadAtStart = os.loadavg()[0];
  const rows = [];
  for (const config of configs) rows.push({ ...config, results: await runConfig(config, config.only ?? workloads) });
  const lines = [
    "# tenantbox scale-out benchmark (`tenantbox serve` process trees)",
    "",
    `- ${os.cpus()[0]?.model}, ${cores} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC; load average (1 min) at start ${f2(loadAtStart)}, at end ${f2(os.loadavg()[0])} (other sessions share this machine)`,
    `- each row: \`tenantbox serve --workers N\` (default sandbox processes: the core count divided among the workers), concurrency ${plan.concurrency}, ${plan.windowMs} ms window after ${plan.warmupMs} ms warm-up; the client (raw keep-alive connections, bench/service/raw-http.mjs) on the same machine; "cores": the CPUs the tree and the client may use (1: all of them pinned to one core with taskset)`,
    "",
    "| engine | --workers | cores | workload | req/s | p50 ms | p99 ms | service processes CPU per request, us | sandbox CPU per request, us | answers other than 200 |",
    "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  const label = { run: "POST /v1/run, small hook", data: "POST /v1/run, data:insert + data:query" };
  for (const { engine, workers, cpus, results } of rows) {
    for (const [workload, r] of Object.entries(results)) {
      const others = Object.entries(r.measured.statuses).filter(([k]) => k !== "ok");
      lines.push(
        `| ${engine} | ${workers} | ${cpus !== undefined ? cpus.split(",").length : cores} | ${label[workload]} | ${f0(r.okPerSecond)} | ${f2(r.latency.p50)} | ${f2(r.latency.p99)} | ${f0((r.serviceMs * 1000) / r.completed)} | ${f0((r.sandboxMs * 1000) / r.completed)} | ${others.length ? others.map(([k, v]) => `${k}: ${v}`).join(", ") : "none"} |`,
      );
    }
  }
  const perCore = rows.find((row) => row.cpus === "0")?.results.run;
  const whole = rows.find((row) => row.engine === "sqlite" && row.workers === 1 && row.cpus === undefined)?.results.run;
  if (perCore && whole) {
    lines.push(
      "",
      `Per core: the whole tree and its client on one core serve ${f0(perCore.okPerSecond)} small-hook requests/s; on all ${cores} cores ${f0(whole.okPerSecond)} (${f2(whole.okPerSecond / perCore.okPerSecond)}x). ` +
        `A machine's throughput is about its cores times the per-core figure while each service process (--workers: one per two cores) has its cores to itself; the client's share of the core is included here.`,
    );
  }
  const report = lines.join("\n") + "\n";
  process.stdout.write(report);
  if (flags.out) fs.writeFileSync(flags.out, report);
}

main().catch((error) => {
  process.stderr.write(`[scale-bench] ${error.stack ?? error}\n`);
  process.exitCode = 1;
});
