// The HTTP service's cost per request: a real TenantboxServer (fastify, JWT, quotas, audit in SQLite,
// metrics) started in this process over a temp tenant root and data dir, driven over loopback HTTP with
// keep-alive connections (one per caller, bench/service/raw-http.mjs) from a child process, next to the same small hook called directly
// on an IsolatedRuntime built as the service builds its own. Needs dist/ (`npx tsup`). Progress goes to
// stderr; the markdown report and then one JSON line to stdout.
//
//   node bench/service.mjs [--quick] [--only health,run,execute,data,direct] [--concurrency 32] [--profile DIR]
//
// --profile DIR writes DIR/<workload>.cpuprofile: the server's main thread (inspector, 100 us sampling)
// during each concurrency window only (not start-up, not warm-up). The figures of a profiled run are
// lower than an unprofiled one's.
import { execFileSync, fork } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import { Session } from "node:inspector/promises";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import v8 from "node:v8";
import vm from "node:vm";
import BetterSqlite3 from "better-sqlite3";
import { IsolatedRuntime } from "../dist/index.js";
import { parseConfig, signToken, TenantboxServer } from "../dist/service.js";
import { startLoadMeter } from "./machine-load.mjs";
import { childTracker } from "./service/procstat.mjs";
import { checkBody, HTTP_WORKLOADS, serviceConfig, TENANTS, writeTenantRoot } from "./service/workloads.mjs";
import { LAG_RESOLUTION_MS, summarize, summarizeHistogram } from "./stats.mjs";
import { CONTEXT, ORDER } from "./workloads.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const ALL = ["health", "run", "execute", "data", "direct"];
const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string", default: ALL.join(",") },
    concurrency: { type: "string", default: "32" },
    profile: { type: "string" },
    // Also write the markdown report to this file (npm run bench:service: bench/service-results.md).
    out: { type: "string" },
  },
});
const only = flags.only.split(",").map((s) => s.trim()).filter(Boolean);
for (const name of only) {
  if (!ALL.includes(name)) {
    process.stderr.write(`[service-bench] unknown workload "${name}"; workloads: ${ALL.join(", ")}\n`);
    process.exit(2);
  }
}
const concurrency = Number(flags.concurrency);
const plan = flags.quick
  ? { sequential: { warmup: 50, count: 200 }, load: { concurrency, warmupMs: 300, windowMs: 1000 } }
  : { sequential: { warmup: 300, count: 2000 }, load: { concurrency, warmupMs: 1000, windowMs: 5000 } };

const log = (message) => process.stderr.write(`[service-bench] ${message}\n`);
const MB = 2 ** 20;

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc");

const children = childTracker();
const memory = [];
/** RSS of this process and of its child processes (the sandbox processes; not the HTTP client), and this process's heap after a full GC. */
function checkpoint(label) {
  gc();
  const own = process.memoryUsage();
  const kids = children.scan();
  const entry = { label, rssMb: own.rss / MB, heapUsedMb: own.heapUsed / MB, externalMb: own.external / MB, childRssMb: kids.rssMb, childProcesses: kids.count };
  memory.push(entry);
  log(`memory @ ${label}: rss ${entry.rssMb.toFixed(0)} MB (children ${entry.childRssMb.toFixed(0)} MB in ${kids.count}), heap ${entry.heapUsedMb.toFixed(1)} MB`);
  return entry;
}

/** Main-thread meters for one measured window: CPU of this thread and of the child processes, event-loop lag, optional profile. */
function windowMeters(name) {
  let session;
  let cpu0;
  let kids0;
  let lag;
  return {
    async start() {
      if (flags.profile) {
        session = new Session();
        session.connect();
        await session.post("Profiler.enable");
        await session.post("Profiler.setSamplingInterval", { interval: 100 });
        await session.post("Profiler.start");
      }
      lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
      lag.enable();
      kids0 = children.cpuMs();
      cpu0 = process.threadCpuUsage();
    },
    async stop() {
      const cpu = process.threadCpuUsage(cpu0);
      const kidsMs = children.cpuMs() - kids0;
      lag.disable();
      let profileFile;
      if (session) {
        const { profile } = await session.post("Profiler.stop");
        session.disconnect();
        fs.mkdirSync(flags.profile, { recursive: true });
        profileFile = path.join(flags.profile, `${name}.cpuprofile`);
        fs.writeFileSync(profileFile, JSON.stringify(profile));
      }
      return { mainCpuMs: (cpu.user + cpu.system) / 1000, mainUserMs: cpu.user / 1000, mainSystemMs: cpu.system / 1000, childCpuMs: kidsMs, loopLag: summarizeHistogram(lag, LAG_RESOLUTION_MS), profileFile };
    },
  };
}

/** The HTTP client process: `ask(command)` resolves with its result; window messages drive the main-thread meters. */
function startClient() {
  // No --cpu-prof or inspector flags of ours for the client.
  const clientProcess = fork(path.join(here, "service/client.mjs"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: [] });
  children.exclude(clientProcess.pid);
  let nextId = 1;
  const pending = new Map();
  let meters;
  let onWindowEnd;
  clientProcess.on("message", async (message) => {
    if (message.type === "window-start") {
      await meters.start();
      clientProcess.send({ type: "go" });
    } else if (message.type === "window-end") {
      onWindowEnd(await meters.stop());
    } else {
      const { resolve, reject } = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) reject(new Error(`client: ${message.error}`));
      else resolve(message.result);
    }
  });
  clientProcess.on("exit", (code) => {
    for (const { reject } of pending.values()) reject(new Error(`the client process exited (${code})`));
  });
  const ask = (command) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      clientProcess.send({ id, ...command });
    });
  return {
    async sequential(target, name) {
      meters = windowMeters(name);
      const serverSide = new Promise((resolve) => (onWindowEnd = resolve));
      const result = await ask({ cmd: "sequential", ...target, ...plan.sequential });
      return { ...result, ...(await serverSide) };
    },
    async load(target, name) {
      meters = windowMeters(name);
      const serverSide = new Promise((resolve) => (onWindowEnd = resolve));
      const result = await ask({ cmd: "load", ...target, ...plan.load });
      return { ...result, ...(await serverSide) };
    },
    terminate: () =>
      new Promise((resolve) => {
        if (clientProcess.exitCode !== null) return resolve();
        clientProcess.once("exit", resolve);
        clientProcess.disconnect();
      }),
  };
}

/** The same two figures for the small hook called on an IsolatedRuntime in this thread. */
async function measureDirect(root) {
  // As TenantRuntimes builds the service's runtime for enterprise tenants (one memory class of 256 MB).
  const runtime = new IsolatedRuntime({
    root,
    watch: false,
    memoryLimitMb: 256,
    minThreads: 1,
    timeout: 300_000,
    maxToolCalls: 500,
    maxOutputBytes: 5000 * 1024,
  });
  await runtime.ready();
  const folder = path.join(root, TENANTS.plain);
  // The same per-call limits the service passes for an enterprise tenant.
  const request = { folder, file: "hooks/small.js", funcName: "onOrder", args: [ORDER], context: CONTEXT, timeout: 300_000, maxToolCalls: 500, maxOutputBytes: 5000 * 1024, maxCodeBytes: 500 * 1024 };
  const statuses = {};
  let executions = 0;
  const call = async () => {
    const result = await runtime.execute(request);
    executions++;
    const key = checkBody("direct", result) ? "ok" : `failed ${result.error?.code ?? "wrong value"}`;
    statuses[key] = (statuses[key] ?? 0) + 1;
    return key === "ok";
  };
  try {
    const { warmup, count } = plan.sequential;
    for (let i = 0; i < warmup; i++) await call();
    const samples = [];
    const seqMeters = windowMeters("direct-sequential");
    await seqMeters.start();
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      await call();
      samples.push(performance.now() - t);
    }
    const seq = { latency: summarize(samples), completed: count, clientCpuMs: 0, ...(await seqMeters.stop()) };
    const drive = async (ms, lat) => {
      const end = performance.now() + ms;
      let ok = 0;
      const caller = async () => {
        while (performance.now() < end) {
          const t = performance.now();
          if (await call()) ok++;
          lat?.push(performance.now() - t);
        }
      };
      const started = performance.now();
      await Promise.all(Array.from({ length: plan.load.concurrency }, caller));
      return { ok, elapsedMs: performance.now() - started };
    };
    await drive(plan.load.warmupMs);
    const meters = windowMeters("direct");
    const lat = [];
    await meters.start();
    const { ok, elapsedMs } = await drive(plan.load.windowMs, lat);
    const server = await meters.stop();
    const load = { okPerSecond: (ok * 1000) / elapsedMs, completed: lat.length, ok, elapsedMs, latency: summarize(lat), clientCpuMs: 0, ...server };
    checkpoint("direct runtime, after its load (before close)");
    return { seq, load, statuses, executions };
  } finally {
    await runtime.close();
  }
}

function countAudit(dataDir) {
  const db = new BetterSqlite3(path.join(dataDir, "tenantbox.db"), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare("SELECT tenant, kind, success, COUNT(*) AS n FROM executions GROUP BY tenant, kind, success").all();
    return { total: rows.reduce((s, r) => s + r.n, 0), rows };
  } finally {
    db.close();
  }
}

/** Sum of every tenantbox_executions_total sample in the Prometheus text. */
function metricsExecutions(text) {
  let sum = 0;
  for (const line of text.split("\n")) {
    const m = /^tenantbox_executions_total\{[^}]*\} ([0-9.e+]+)$/.exec(line);
    if (m) sum += Number(m[1]);
  }
  return sum;
}

async function main() {
  if (!fs.existsSync(path.join(here, "../dist/service.js"))) throw new Error("dist/ is missing: run `npx tsup` first");
  const started = performance.now();
  const load = startLoadMeter();
  checkpoint("start (dist modules imported, nothing running)");
  const { base, root, dataDir } = writeTenantRoot();
  const result = { plan, node: process.version, cpus: os.availableParallelism(), http: {}, sanity: {}, memory };
  let server;
  let client;
  try {
    const secret = crypto.randomBytes(32).toString("hex");
    const httpNames = only.filter((n) => n !== "direct");
    if (httpNames.length > 0) {
      server = new TenantboxServer({ root, dataDir, config: parseConfig(serviceConfig(secret)), jwtSecret: secret, watch: false });
      // listen() runs service.start(): seeds the day's counters from the audit log and waits for the
      // tenant root's watcher to finish its initial scan; only then does fastify listen.
      const baseUrl = await server.listen({ port: 0, host: "127.0.0.1" });
      const pool = server.service.config.tenants.get(TENANTS.plain);
      log(`server at ${baseUrl}; pool: maxThreads default (2 x ${os.availableParallelism()}), minThreads 1, isolation process; tenants ${Object.values(TENANTS).join(", ")} (${pool.tier})`);
      const tokens = {};
      for (const id of Object.values(TENANTS)) tokens[id] = await signToken(secret, { tenantId: id, sub: "bench-user" }, "2h");
      client = startClient();
      checkpoint("server listening, before any request");
      for (const name of httpNames) {
        const w = HTTP_WORKLOADS[name];
        const target = { workload: name, baseUrl, token: w.tenant ? tokens[w.tenant] : undefined };
        log(`${name}: ${w.method} ${w.path} sequential (${plan.sequential.warmup} warm-up + ${plan.sequential.count}) ...`);
        const seq = await client.sequential(target, `${name}-sequential`);
        log(`${name}: concurrency ${plan.load.concurrency}, ${plan.load.windowMs} ms after ${plan.load.warmupMs} ms warm-up ...`);
        const loadResult = await client.load(target, name);
        result.http[name] = { seq, load: loadResult };
        log(`${name}: p50 ${seq.latency.p50.toFixed(3)} ms, p99 ${seq.latency.p99.toFixed(3)} ms; ${loadResult.okPerSecond.toFixed(0)} req/s; statuses ${JSON.stringify(mergeStatuses(seq, loadResult))}`);
        checkpoint(`after ${name}`);
      }

      // Sanity: one audit row per execution the client saw a report of; /v1/usage and /metrics agree.
      const executionsSeen = Object.values(result.http).reduce(
        (s, { seq, load: l }) => s + seq.warmup.executions + seq.measured.executions + l.warmup.executions + l.measured.executions,
        0,
      );
      const audit = countAudit(dataDir);
      const usage = {};
      for (const id of Object.values(TENANTS)) {
        const res = await fetch(`${baseUrl}/v1/usage`, { headers: { authorization: `Bearer ${tokens[id]}` } });
        usage[id] = { status: res.status, executionsUsed: (await res.json())?.executions?.used };
      }
      const metricsRes = await fetch(`${baseUrl}/metrics`);
      const metricsText = await metricsRes.text();
      result.sanity = {
        executionsSeenByClient: executionsSeen,
        auditRows: audit.total,
        auditByTenantKind: audit.rows,
        auditMatches: audit.total === executionsSeen,
        usage,
        usageMatches: Object.values(usage).reduce((s, u) => s + (u.executionsUsed ?? NaN), 0) === executionsSeen,
        metrics: {
          status: metricsRes.status,
          contentType: metricsRes.headers.get("content-type"),
          bytes: metricsText.length,
          executionsTotal: metricsExecutions(metricsText),
          hasPoolGauges: /^tenantbox_pool_utilisation\{memory_mb="\d+"\} /m.test(metricsText) && /^tenantbox_queue_depth\{memory_mb="\d+"\} /m.test(metricsText),
          hasProcessMetrics: /^process_resident_memory_bytes /m.test(metricsText),
        },
      };
      result.sanity.metricsMatches = result.sanity.metrics.executionsTotal === executionsSeen;
      log(`audit rows ${audit.total}, executions seen ${executionsSeen}, metrics total ${result.sanity.metrics.executionsTotal}, /metrics ${metricsRes.status} (${metricsText.length} bytes)`);
      await server.close();
      server = undefined;
      await client.terminate();
      client = undefined;
      await new Promise((resolve) => setTimeout(resolve, 200)); // let the sandbox processes exit
      checkpoint("after server close");
    }
    if (only.includes("direct")) {
      log(`direct: IsolatedRuntime.execute(), small hook, sequential then concurrency ${plan.load.concurrency} ...`);
      result.direct = await measureDirect(root);
      log(`direct: p50 ${result.direct.seq.latency.p50.toFixed(3)} ms; ${result.direct.load.okPerSecond.toFixed(0)} calls/s; ${JSON.stringify(result.direct.statuses)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      checkpoint("after direct runtime close");
    }
  } finally {
    await server?.close().catch((error) => log(`server close failed: ${error}`));
    await client?.terminate();
    fs.rmSync(base, { recursive: true, force: true });
  }
  result.machine = { ...load.stop(children.allCpuMs() / 1000), cpu: os.cpus()[0]?.model, date: new Date().toISOString(), source: source() };
  result.totalSeconds = (performance.now() - started) / 1000;
  process.stdout.write(render(result));
  process.stdout.write(JSON.stringify(result) + "\n");
  if (flags.out) fs.writeFileSync(flags.out, render(result));
}

/** The commit measured (as bench/run.mjs reports it) and when dist/ was built. */
function source() {
  const built = fs.statSync(path.join(here, "../dist/service.js")).mtime.toISOString().replace("T", " ").slice(0, 19);
  if (process.env.BENCH_SOURCE_LABEL) return `${process.env.BENCH_SOURCE_LABEL}, dist built ${built} UTC`;
  try {
    const git = (...args) => execFileSync("git", args, { cwd: here, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = git("status", "--porcelain", "--", "../src").length > 0;
    return `tenantbox ${git("rev-parse", "--short", "HEAD")}${dirty ? " + local changes in src/" : ""}, dist built ${built} UTC`;
  } catch {
    return `(not a git checkout), dist built ${built} UTC`;
  }
}

function mergeStatuses(seq, l) {
  const out = {};
  for (const t of [seq.warmup, seq.measured, l.warmup, l.measured]) for (const [k, v] of Object.entries(t.statuses)) out[k] = (out[k] ?? 0) + v;
  return out;
}

const f = (x, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : "n/a");
const ms = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3)) : "n/a");
const int = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "n/a");
const us = (cpuMs, n) => (n > 0 ? int((cpuMs * 1000) / n) : "n/a");

function render(r) {
  const lines = [];
  const m = r.machine;
  lines.push("# tenantbox HTTP service benchmark", "");
  lines.push(`- ${m.cpu}, ${r.cpus} cores, Node ${r.node}, ${m.date.replace("T", " ").slice(0, 16)} UTC, ${m.source}; other work on the machine: ${f(m.otherCores, 2)} cores on average (this bench: ${f(m.benchCores, 2)}), load average at start ${f(m.loadAverageAtStart, 2)}`);
  lines.push(`- plan: sequential ${r.plan.sequential.count} requests after ${r.plan.sequential.warmup} warm-up; load: concurrency ${r.plan.load.concurrency}, ${r.plan.load.windowMs} ms window after ${r.plan.load.warmupMs} ms warm-up${flags.profile ? "; **profiled run (inspector sampling on the main thread): figures are lower than usual**" : ""}`);
  lines.push(`- server: TenantboxServer in this process (watch off, the service default, pool maxThreads default = 2 x ${r.cpus}, minThreads 1, isolation process, enterprise tenants); client: one keep-alive HTTP/1.1 connection per caller over a plain socket (bench/service/raw-http.mjs, lean as wrk is) in a child process; whole run ${f(r.totalSeconds, 1)} s`, "");
  lines.push("| workload | seq p50 ms | seq p99 ms | conc req/s | conc p50 ms | conc p99 ms | server loop lag p99 ms (conc) | answers other than 200 |");
  lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
  const label = {
    health: "GET /healthz (HTTP floor: no auth, no execution)",
    run: "POST /v1/run, small hook",
    execute: "POST /v1/execute, `return 1 + 1`",
    data: "POST /v1/run, data:insert + data:query",
    direct: "IsolatedRuntime.execute(), small hook (no HTTP)",
  };
  const rowsOf = [...Object.entries(r.http), ...(r.direct ? [["direct", r.direct]] : [])];
  for (const [name, { seq, load: l, statuses }] of rowsOf) {
    const bad = name === "direct" ? Object.entries(statuses).filter(([k]) => k !== "ok") : Object.entries(mergeStatuses(seq, l)).filter(([k]) => k !== "ok");
    lines.push(
      `| ${label[name]} | ${ms(seq.latency.p50)} | ${ms(seq.latency.p99)} | ${int(l.okPerSecond)} | ${ms(l.latency.p50)} | ${ms(l.latency.p99)} | ${ms(l.loopLag.p99)} | ${bad.length ? bad.map(([k, v]) => `${k}: ${v}`).join(", ") : "none"} |`,
    );
  }
  lines.push("");
  lines.push("| CPU per request, us | seq: server main thread (user + sys) | seq: sandbox processes | seq: client | conc: server main thread (user + sys) | conc: sandbox processes | conc: client |");
  lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  const cpuCell = (w) => `${us(w.mainCpuMs, w.completed)} (${us(w.mainUserMs, w.completed)} + ${us(w.mainSystemMs, w.completed)})`;
  for (const [name, { seq, load: l }] of rowsOf) {
    const client = (w) => (name === "direct" ? "(same thread)" : us(w.clientCpuMs, w.completed));
    lines.push(`| ${label[name]} | ${cpuCell(seq)} | ${us(seq.childCpuMs, seq.completed)} | ${client(seq)} | ${cpuCell(l)} | ${us(l.childCpuMs, l.completed)} | ${client(l)} |`);
  }
  lines.push("");
  if (r.direct && r.http.run) {
    const s = r.http.run;
    const d = r.direct;
    lines.push("| service overhead, /v1/run vs the runtime alone (small hook) | value |", "| --- | ---: |");
    lines.push(`| sequential p50: service - direct, ms | ${ms(s.seq.latency.p50 - d.seq.latency.p50)} |`);
    lines.push(`| sequential p99: service - direct, ms | ${ms(s.seq.latency.p99 - d.seq.latency.p99)} |`);
    lines.push(`| throughput at concurrency ${r.plan.load.concurrency}: service / direct | ${f(s.load.okPerSecond / d.load.okPerSecond, 2)}x |`);
    const perReq = (w) => (w.mainCpuMs / w.completed) * 1000;
    lines.push(`| main-thread CPU per request, sequential: service - direct, us | ${int(perReq(s.seq) - perReq(d.seq))} |`);
    lines.push(`| main-thread CPU per request, concurrency ${r.plan.load.concurrency}: service - direct, us | ${int(perReq(s.load) - perReq(d.load))} |`);
    if (r.http.health) lines.push(`| for scale: the HTTP floor (GET /healthz) server main-thread CPU per request, sequential / concurrency ${r.plan.load.concurrency}, us | ${int(perReq(r.http.health.seq))} / ${int(perReq(r.http.health.load))} |`);
    lines.push("");
  }
  if (r.sanity.auditRows !== undefined) {
    const s = r.sanity;
    lines.push("| sanity | value | ok |", "| --- | --- | :---: |");
    lines.push(`| executions the client got a report for / audit rows | ${s.executionsSeenByClient} / ${s.auditRows} | ${s.auditMatches ? "yes" : "**no**"} |`);
    lines.push(`| GET /v1/usage executions.used (sum over tenants) | ${Object.entries(s.usage).map(([k, v]) => `${k}: ${v.executionsUsed}`).join(", ")} | ${s.usageMatches ? "yes" : "**no**"} |`);
    lines.push(`| GET /metrics: status, bytes, sum of tenantbox_executions_total | ${s.metrics.status}, ${s.metrics.bytes}, ${s.metrics.executionsTotal} | ${s.metrics.status === 200 && s.metricsMatches && s.metrics.hasPoolGauges && s.metrics.hasProcessMetrics ? "yes" : "**no**"} |`);
    lines.push("");
  }
  lines.push("| memory checkpoint (after a full GC) | RSS MB | heap used MB | child processes' RSS MB |", "| --- | ---: | ---: | ---: |");
  for (const e of r.memory) lines.push(`| ${e.label} | ${f(e.rssMb, 0)} | ${f(e.heapUsedMb, 1)} | ${f(e.childRssMb, 0)} (${e.childProcesses}) |`);
  lines.push("");
  lines.push(
    "Latencies are from the client's request to its parsed JSON body (nearest-rank percentiles); req/s counts 200 answers with the right body over the window. CPU per request is over each measured window: the server's main thread (process.threadCpuUsage: this is where HTTP, JWT, quotas, audit, metrics and the runtime's host side run), the sandbox processes (/proc, 10 ms ticks; one process per pool worker), the client process. The client shares the 2 cores with the server and the sandbox.",
    "",
  );
  return lines.join("\n");
}

main().catch((error) => {
  process.stderr.write(`[service-bench] failed: ${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
