// npm run bench:delivery: queued events. (1) Enqueue over HTTP: 32 clients (bench:service's client, in a
// child process of its own) POST queued events for a few seconds: the 202's latency p50/p99, events/s enqueued, and how long the handlers waited to start
// meanwhile; on the embedded engine (SQLite) and on BullMQ (Redis at 127.0.0.1:6379). (2) Fairness: tenant
// A queues FLOOD events at once, then tenant B sends one event every 20 ms; B's queue-to-start is measured
// while A's backlog drains, and with A idle (embedded engine).
//
//   node bench/delivery.mjs [--flood 100000] [--b 200] [--seconds 5]
import { fork } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parseConfig, signToken, TenantboxServer } from "../dist/service.js";
import { summarize } from "./stats.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: { flood: { type: "string", default: "100000" }, b: { type: "string", default: "200" }, seconds: { type: "string", default: "5" }, out: { type: "string" } },
});
// Every figure line goes to stdout and, with --out, into a markdown report (npm run bench:delivery: bench/delivery-results.md).
const lines = [];
const report = (line) => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};
const started = new Date();
const loadAtStart = os.loadavg()[0];
const FLOOD = Number(values.flood);
const B_EVENTS = Number(values.b);

const root = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-bench-root-"));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-bench-data-"));
for (const id of ["a", "b"]) {
  fs.mkdirSync(path.join(root, id));
  fs.writeFileSync(path.join(root, id, "tenantbox.json"), JSON.stringify({ hooks: { ping: ["h.js#f"] } }));
  fs.writeFileSync(path.join(root, id, "h.js"), "exports.f = (p) => p;\n");
}
const quotas = { maxExecutionsPerDay: 10_000_000, maxConcurrentExecutions: 4, maxQueuedEvents: 10_000_000 };
const config = parseConfig({ tenants: [{ id: "a", tier: "enterprise", quotas }, { id: "b", tier: "enterprise", quotas }] });
const SECRET = "x".repeat(32);

/** The HTTP client (bench:service's): a child process of its own, so its CPU is not the server's main thread's. */
function startClient() {
  const child = fork(path.join(here, "service/client.mjs"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: [] });
  let nextId = 1;
  const pending = new Map();
  let cpu0;
  child.on("message", (message) => {
    // The measured window: the server's main-thread CPU over it.
    if (message.type === "window-start") {
      cpu0 = process.threadCpuUsage();
      child.send({ type: "go" });
    } else if (message.type === "window-end") {
      const cpu = process.threadCpuUsage(cpu0);
      child.mainCpuMs = (cpu.user + cpu.system) / 1000;
    } else {
      const { resolve, reject } = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) reject(new Error(`client: ${message.error}`));
      else resolve({ ...message.result, mainCpuMs: child.mainCpuMs });
    }
  });
  return {
    ask: (command) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        child.send({ id, ...command });
      }),
    close: () => child.disconnect(),
  };
}

/** 32 clients enqueue for the window; then the handlers' start delays of the last events enqueued. */
async function enqueueOverHttp(label, options) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-bench-data-"));
  const server = new TenantboxServer({ root, dataDir: dir, config, jwtSecret: SECRET, watch: false, ...options });
  const baseUrl = await server.listen({ port: 0 });
  const token = await signToken(SECRET, { tenantId: "a" });
  const client = startClient();
  const target = { workload: "queued", baseUrl, token };
  try {
    // One client, one event at a time: the 202's latency without queueing in front of it.
    const one = await client.ask({ cmd: "sequential", ...target, warmup: 100, count: 500 });
    const load = await client.ask({ cmd: "load", ...target, concurrency: 32, warmupMs: 500, windowMs: Number(values.seconds) * 1000 });
    const bad = Object.entries(load.measured.statuses).filter(([k]) => k !== "ok");
    if (bad.length > 0) throw new Error(`${label}: answers other than a 202 with the event: ${JSON.stringify(bad)} ${JSON.stringify(load.measured.firstBad)}`);
    const waits = [];
    for (const id of load.measured.ids.slice(-500)) {
      for (;;) {
        const report = await server.service.queuedEvent(config.tenants.get("a"), id);
        if (report.state === "succeeded") {
          const last = report.handlers[0].lastResult;
          waits.push(last.at - last.durationMs - report.createdAt);
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const w = summarize(waits);
    report(
      `${label}: one at a time, 202 latency p50 ${one.latency.p50.toFixed(2)} ms, p99 ${one.latency.p99.toFixed(2)} ms (n=${one.latency.n}); ` +
        `32 clients: ${load.ok} events enqueued in ${(load.elapsedMs / 1000).toFixed(1)} s = ${Math.round(load.okPerSecond)} events/s, 202 latency p50 ${load.latency.p50.toFixed(2)} ms, p99 ${load.latency.p99.toFixed(1)} ms, ` +
        `server main thread ${Math.round((load.mainCpuMs * 1000) / load.completed)} us per event (the handlers that ran meanwhile included); ` +
        `handler start delay of the last ${w.n} (queued behind the rest) p50 ${w.p50.toFixed(0)} ms, p99 ${w.p99.toFixed(0)} ms`,
    );
  } finally {
    client.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await enqueueOverHttp("embedded (SQLite)", {});
await enqueueOverHttp("BullMQ (Redis)", { redisUrl: "redis://127.0.0.1:6379", redisKeyPrefix: `tbx-bench-${process.pid}` });

const server = new TenantboxServer({ root, dataDir, config, jwtSecret: SECRET, watch: false });
await server.listen({ port: 0 });
const service = server.service;
const caller = (id) => ({ tenant: config.tenants.get(id), principal: { tenantId: id, user: null, permissions: null } });

async function queueToStart(label) {
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const ids = [];
  for (let i = 0; i < B_EVENTS; i++) {
    ids.push((await service.emitQueued(caller("b"), "ping", i, null, null)).id);
    await new Promise((r) => setTimeout(r, 20));
  }
  const waits = [];
  for (const id of ids) {
    for (;;) {
      const report = await service.queuedEvent(config.tenants.get("b"), id);
      const last = report.handlers[0].lastResult;
      if (report.state === "succeeded") {
        waits.push(last.at - last.durationMs - report.createdAt);
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  lag.disable();
  const s = summarize(waits);
  const slow = waits.map((w, i) => [w, i]).filter(([w]) => w > 100).map(([w, i]) => `#${i} ${w.toFixed(0)}`).join(", ");
  report(`${label}: B queue-to-start p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms (n=${s.n}); service event-loop lag max ${(lag.max / 1e6).toFixed(0)} ms${slow ? `; over 100 ms: ${slow}` : ""}`);
  return s;
}

try {
  const alone = await queueToStart("A idle");
  let t = performance.now();
  for (let i = 0; i < FLOOD; i++) await service.emitQueued(caller("a"), "ping", i, null, null);
  report(`A queued ${FLOOD} events in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const flooded = await queueToStart(`A flooding (${FLOOD} queued)`);
  const left = (await service.queuedEvent(config.tenants.get("a"), (await service.emitQueued(caller("a"), "ping", -1, null, null)).id)).state;
  report(`B p99 under the flood / alone: ${(flooded.p99 / alone.p99).toFixed(2)}x; A's newest event still ${left}`);
} finally {
  await server.close();
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
}

if (values.out) {
  const header = [
    "# tenantbox queued-delivery benchmark (`npm run bench:delivery`)",
    "",
    `- ${os.cpus()[0]?.model.trim() ?? "cpu"}, ${os.availableParallelism()} cores, Node ${process.version}, ${started.toISOString().slice(0, 16).replace("T", " ")} UTC; load average (1 min) at start ${loadAtStart.toFixed(2)}, at end ${os.loadavg()[0].toFixed(2)}`,
    `- enqueue: 32 callers, each on one keep-alive connection (bench/service/raw-http.mjs) in a child process, for ${values.seconds} s after 500 ms of warm-up; one at a time: 500 after 100; the handler (one per event) returns its payload; tenants at most 4 concurrent executions; fairness: A queues ${FLOOD} events, B sends ${B_EVENTS}, one every 20 ms`,
    "",
  ];
  fs.writeFileSync(values.out, [...header, ...lines.map((line) => `- ${line}`), ""].join("\n"));
}
