// npm run bench:delivery: queued events. (1) Enqueue over HTTP: 32 clients POST queued events for a few
// seconds: the 202's latency p50/p99, events/s enqueued, and how long the handlers waited to start
// meanwhile; on the embedded engine (SQLite) and on BullMQ (Redis at 127.0.0.1:6379). (2) Fairness: tenant
// A queues FLOOD events at once, then tenant B sends one event every 20 ms; B's queue-to-start is measured
// while A's backlog drains, and with A idle (embedded engine).
//
//   node bench/delivery.mjs [--flood 100000] [--b 200] [--seconds 5]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { parseConfig, signToken, TenantboxServer } from "../dist/service.js";
import { summarize } from "./stats.mjs";

const { values } = parseArgs({ options: { flood: { type: "string", default: "100000" }, b: { type: "string", default: "200" }, seconds: { type: "string", default: "5" } } });
const FLOOD = Number(values.flood);
const B_EVENTS = Number(values.b);

const root = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-bench-root-"));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-bench-data-"));
for (const id of ["a", "b"]) {
  fs.mkdirSync(path.join(root, id));
  fs.writeFileSync(path.join(root, id, "tenantbox.json"), JSON.stringify({ hooks: { ping: ["h.js#f"] } }));
  fs.writeFileSync(path.join(root, id, "h.js"), "exports.f = (p) => p;\n");
}
const quotas = { maxExecutionsPerDay: 10_000_000, maxConcurrentExecutions: 4 };
const config = parseConfig({ tenants: [{ id: "a", tier: "enterprise", quotas }, { id: "b", tier: "enterprise", quotas }] });
const SECRET = "x".repeat(32);

/** 32 clients enqueue for the window; then the handlers' start delays of every event enqueued. */
async function enqueueOverHttp(label, options) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-bench-data-"));
  const server = new TenantboxServer({ root, dataDir: dir, config, jwtSecret: SECRET, watch: false, ...options });
  const base = await server.listen({ port: 0 });
  const token = await signToken(SECRET, { tenantId: "a" });
  const post = () => fetch(`${base}/v1/events/ping`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: '{"payload":1,"delivery":"queued"}' });
  // One client, one event at a time: the 202's latency without queueing in front of it.
  const sequential = [];
  for (let i = 0; i < 500; i++) {
    const t = performance.now();
    await (await post()).json();
    sequential.push(performance.now() - t);
  }
  const latencies = [];
  const ids = [];
  const end = performance.now() + Number(values.seconds) * 1000;
  const client = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const reply = await post();
      const body = await reply.json();
      latencies.push(performance.now() - t);
      if (reply.status === 202) ids.push(body.id);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: 32 }, client));
  const seconds = (performance.now() - started) / 1000;
  const waits = [];
  for (const id of ids.slice(-500)) {
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
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
  const l = summarize(latencies);
  const w = summarize(waits);
  const one = summarize(sequential);
  process.stdout.write(
    `${label}: one at a time, 202 latency p50 ${one.p50.toFixed(2)} ms, p99 ${one.p99.toFixed(2)} ms (n=${one.n}); 32 clients: ${ids.length} events enqueued in ${seconds.toFixed(1)} s = ${Math.round(ids.length / seconds)} events/s, 202 latency p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(1)} ms; ` +
      `handler start delay of the last ${w.n} (queued behind the rest) p50 ${w.p50.toFixed(0)} ms, p99 ${w.p99.toFixed(0)} ms\n`,
  );
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
  process.stdout.write(`${label}: B queue-to-start p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms (n=${s.n}); service event-loop lag max ${(lag.max / 1e6).toFixed(0)} ms${slow ? `; over 100 ms: ${slow}` : ""}\n`);
  return s;
}

try {
  const alone = await queueToStart("A idle");
  let t = performance.now();
  for (let i = 0; i < FLOOD; i++) await service.emitQueued(caller("a"), "ping", i, null, null);
  process.stdout.write(`A queued ${FLOOD} events in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  const flooded = await queueToStart(`A flooding (${FLOOD} queued)`);
  const left = (await service.queuedEvent(config.tenants.get("a"), (await service.emitQueued(caller("a"), "ping", -1, null, null)).id)).state;
  process.stdout.write(`B p99 under the flood / alone: ${(flooded.p99 / alone.p99).toFixed(2)}x; A's newest event still ${left}\n`);
} finally {
  await server.close();
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
}
