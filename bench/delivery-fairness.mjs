// npm run bench:delivery: queued events under a flood. Tenant A queues FLOOD events at once (one handler
// each), then tenant B sends one event every 20 ms; B's queue-to-start (from its 202 to its handler's
// start) is measured while A's backlog drains, and again with A idle. The embedded engine (SQLite).
//
//   node bench/delivery-fairness.mjs [--flood 100000] [--b 200]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { parseConfig, TenantboxServer } from "../dist/service.js";
import { summarize } from "./stats.mjs";

const { values } = parseArgs({ options: { flood: { type: "string", default: "100000" }, b: { type: "string", default: "200" } } });
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
const server = new TenantboxServer({ root, dataDir, config, jwtSecret: "x".repeat(32), watch: false });
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
