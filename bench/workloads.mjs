// The tenant modules every engine runs, written as real files into a temp folder, and the inputs and
// checks for each workload. All modules are CommonJS, the one format every engine here can load.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** (a) small hook: sum an order's items. */
const SMALL = `"use strict";
exports.onOrder = function onOrder(order) {
  let total = 0;
  for (const item of order.items) total += item.price * item.qty;
  return { id: order.id, total: Math.round(total * 100) / 100, items: order.items.length };
};
`;

/** (b) three sequential tool calls. */
const TOOLS = `"use strict";
exports.onOrder = async function onOrder(order) {
  const customer = await callTool("crm:lookup", { email: order.email });
  const stock = await callTool("inventory:check", { sku: order.items[0].sku });
  const tax = await callTool("tax:rate", { country: customer.country });
  return { id: order.id, tier: customer.tier, available: stock.available, rate: tax.rate };
};
`;

/** Twenty sequential tool calls: only to price one tool call per engine ((p50 - small p50) / 20). */
const TOOLS20 = `"use strict";
exports.onOrder = async function onOrder(order) {
  let available = 0;
  for (let i = 0; i < 20; i++) available += (await callTool("inventory:check", { sku: order.items[i % order.items.length].sku })).available;
  return { id: order.id, available };
};
`;

/** (c) CPU-heavy hook: trial-division primes folded into an FNV-1a hash; input.primes sets the work. */
const HEAVY = `"use strict";
exports.crunch = function crunch(input) {
  let hash = 2166136261 >>> 0;
  let found = 0;
  for (let n = 2; found < input.primes; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) {
      found++;
      hash = Math.imul(hash ^ n, 16777619) >>> 0;
    }
  }
  return { found, hash: hash.toString(16) };
};
`;

/** Hostile modules, for the tenantbox-only limit scenarios. */
const HOSTILE = `"use strict";
// Interruptible: the guards in the loop see the stop flag.
exports.spin = function spin() {
  for (;;) {}
};
// Heap bomb: ends on the worker's heap limit.
exports.bomb = function bomb() {
  const hoard = [];
  for (;;) hoard.push(new Array(100000).fill(hoard.length));
};
// Not interruptible by guards: one catastrophic regular expression call (only terminating the worker stops it).
exports.backtrack = function backtrack() {
  return /^(a+)+$/.test("a".repeat(48) + "!");
};
`;

export const ORDER = Object.freeze({
  id: "A-1042",
  email: "buyer@example.com",
  items: [
    { sku: "SKU-1", price: 19.99, qty: 2 },
    { sku: "SKU-2", price: 5.5, qty: 1 },
    { sku: "SKU-3", price: 120, qty: 1 },
    { sku: "SKU-4", price: 0.99, qty: 10 },
    { sku: "SKU-5", price: 42.42, qty: 3 },
  ],
});

export const SMALL_TOTAL = Math.round(ORDER.items.reduce((s, i) => s + i.price * i.qty, 0) * 100) / 100;

export const CONTEXT = Object.freeze({ userId: "u-1", tenant: "acme" });

/** The host's tool handler, identical for every engine; it always runs on the main thread. */
export function toolHandler(name, args) {
  switch (name) {
    case "crm:lookup":
      return { email: args.email, tier: "gold", country: "DE" };
    case "inventory:check":
      return { sku: args.sku, available: 17 };
    case "tax:rate":
      return { country: args.country, rate: 0.19 };
    default:
      throw new Error(`unknown tool ${name}`);
  }
}

/** Lays out the tenant folders; returns their paths. */
export function writeWorkspace() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-bench-"));
  const acme = path.join(root, "acme");
  const globex = path.join(root, "globex");
  for (const dir of [path.join(acme, "hooks"), path.join(acme, "fresh"), path.join(globex, "hooks")]) {
    fs.mkdirSync(dir, { recursive: true });
  }
  fs.writeFileSync(path.join(acme, "hooks/small.js"), SMALL);
  fs.writeFileSync(path.join(acme, "hooks/tools.js"), TOOLS);
  fs.writeFileSync(path.join(acme, "hooks/tools20.js"), TOOLS20);
  fs.writeFileSync(path.join(acme, "hooks/heavy.js"), HEAVY);
  fs.writeFileSync(path.join(acme, "hooks/hostile.js"), HOSTILE);
  fs.writeFileSync(path.join(globex, "hooks/small.js"), SMALL);
  return { root, acme, globex };
}

/** The request of a workload, minus anything engine-specific. */
export function request(folder, workload, heavyPrimes) {
  switch (workload) {
    case "small":
      return { folder, file: "hooks/small.js", funcName: "onOrder", args: [ORDER], context: CONTEXT };
    case "tools":
      return { folder, file: "hooks/tools.js", funcName: "onOrder", args: [ORDER], context: CONTEXT };
    case "tools20":
      return { folder, file: "hooks/tools20.js", funcName: "onOrder", args: [ORDER], context: CONTEXT };
    case "heavy":
      return { folder, file: "hooks/heavy.js", funcName: "crunch", args: [{ primes: heavyPrimes }], context: CONTEXT };
    default:
      throw new Error(`unknown workload ${workload}`);
  }
}

/** Throws unless an engine's answer to a workload is the right one (so no engine is timed while failing). */
export function check(workload, value) {
  const ok = {
    small: () => value?.total === SMALL_TOTAL && value.id === ORDER.id,
    tools: () => value?.tier === "gold" && value.available === 17 && value.rate === 0.19,
    tools20: () => value?.available === 20 * 17,
    heavy: () => typeof value?.hash === "string" && value.found > 0,
    fresh: () => typeof value?.score === "number" && typeof value.nonce === "string",
  }[workload];
  if (!ok?.()) throw new Error(`${workload}: unexpected result ${JSON.stringify(value)}`);
}

/**
 * A module nobody has seen: about 10 KB of CommonJS whose every function and constant carries a random
 * nonce, so no cache (ours, V8's compilation cache, vm2's) can hit. Its export calls every function.
 */
export function writeFreshModule(folder, index) {
  const nonce = randomBytes(6).toString("hex");
  const parts = [`"use strict";\n// generated module ${index} (${nonce})\n`];
  const names = [];
  for (let i = 0; parts.join("").length < 9600; i++) {
    const name = `rule${i}_${nonce}`;
    names.push(name);
    const k = (i % 7) + 1;
    parts.push(`const LIMIT${i}_${nonce} = ${100 + i * 13};
function ${name}(order, acc) {
  let score = acc + ${i};
  for (const item of order.items) {
    if (item.qty > ${k} && item.price < LIMIT${i}_${nonce}) score += item.price * ${k};
    else if (item.sku.endsWith("${i % 10}")) score -= ${i % 5};
  }
  return score > ${1000 + i} ? score % ${97 + i} : score;
}
`);
  }
  parts.push(`exports.onOrder = function onOrder(order) {
  let score = 0;
${names.map((n) => `  score = ${n}(order, score);`).join("\n")}
  return { id: order.id, score, nonce: "${nonce}" };
};
`);
  const file = `fresh/m${index}_${nonce}.js`;
  fs.writeFileSync(path.join(folder, file), parts.join(""));
  return { folder, file, funcName: "onOrder", args: [ORDER], context: CONTEXT };
}

/**
 * Runs the heavy workload in this thread, raw, to find the input that takes about `targetMs`. Uses the
 * fastest of several runs: on a shared machine that is the closest to the work's own cost.
 */
export async function calibrateHeavy(folder, targetMs = 10) {
  const { createRequire } = await import("node:module");
  const { crunch } = createRequire(import.meta.url)(path.join(folder, "hooks/heavy.js"));
  const time = (primes) => {
    const samples = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      crunch({ primes });
      samples.push(performance.now() - t);
    }
    return Math.min(...samples);
  };
  let primes = 1000;
  for (let i = 0; i < 4; i++) time(primes); // warm the JIT
  for (let round = 0; round < 12; round++) {
    const ms = time(primes);
    if (Math.abs(ms - targetMs) / targetMs < 0.03) break;
    // Work grows a little faster than linearly with the number of primes (n log n candidates, sqrt(n) each).
    primes = Math.max(100, Math.round(primes * Math.pow(targetMs / ms, 0.7)));
  }
  return { primes, rawMs: time(primes) };
}
