import { compile, type CompileInput } from "./compile.js";

/**
 * Rounds of the warm-up a thread runs when it starts, and the most CPU time they may take (ms): the first task
 * a thread takes waits for them. Measured on the 10 KB first-call module: 8 rounds took a thread's next
 * compiles from 8-11 ms to 3-4 ms of CPU, 16 rounds (about 100 ms) to 2.5-3.5.
 */
const WARM_UP_ROUNDS = 16;
const WARM_UP_CPU_MS = 150;

/**
 * Rounds the pool runs after that, one task each and only while it has nothing else to do (loader-pool.ts),
 * so that no file waits for more than one round (~6 ms). Measured with all rounds at a thread's start (10 fresh
 * 10 KB modules, the call's load p50 of the first five, six runs each): 2.65 ms after 16 rounds, 1.8 after 32,
 * 1.7 after 48, 1.8 after 96 (a warm runtime's: 1.1-1.4); but the time to a runtime's first result went from
 * ~300 to ~350 ms. Run after the start, one at a time, they leave that time as it was.
 */
export const BACKGROUND_WARM_UP_ROUNDS = 32;

/** What the pool hands its threads: how many of them warm up when they start. */
export interface WarmUpShare {
  /** Int32Array over a SharedArrayBuffer: [threads started so far, threads that warm up]. */
  starts: Int32Array;
}

/** The first `threads` threads a pool starts warm up. */
export function warmUpShare(threads: number): WarmUpShare {
  const starts = new Int32Array(new SharedArrayBuffer(8));
  starts[1] = threads;
  return { starts };
}

/**
 * About 10 KB of CommonJS with the syntax tenant modules use most (functions, loops, classes, arrows,
 * destructuring, templates, regular expressions, requires, exports), valid at every level.
 */
function commonJsSample(round: number): string {
  const parts = [`"use strict";\nconst { join } = require("path");\n`];
  for (let i = 0; parts.join("").length < 9000; i++) {
    parts.push(`const LIMIT_${i} = ${100 + i + round};
function rule${i}(order, acc = 0) {
  let score = acc + ${i};
  for (const item of order.items) {
    if (item.qty > ${i % 7} && item.price < LIMIT_${i}) score += item.price * ${i % 5};
    else if (/^sku-\\d+$/i.test(item.sku)) score -= ${i % 3};
  }
  for (let k = 0; k < 3; k++) while (score > 1e6) score /= 2;
  const { id, tags = [] } = order;
  return tags.length ? \`\${id}:\${score}\` : score > ${1000 + i} ? score % ${97 + i} : score;
}
class Rule${i} extends Array {
  static #count = 0;
  total = [1, 2, 3].map((x) => x * ${i}).reduce((a, b) => a + b, 0);
  async check(order) {
    try { return await Promise.resolve(rule${i}(order, this.total)); } catch (error) { return { error: String(error) }; }
  }
}
exports.rule${i} = rule${i};
module.exports.Rule${i} = Rule${i};
`);
  }
  parts.push(`exports.score = (order) => [${Array.from({ length: 8 }, (_, i) => `rule${i}`).join(", ")}].reduce((s, f) => f(order, s), 0);\n`);
  return parts.join("");
}

/** A short ES module: imports, exports and live bindings take their own path through the transform. */
function esmSample(round: number): string {
  return `import { join } from "path";
import * as util from "util";
export const LIMIT = ${round};
export default function handler(input, { scale = 2 } = {}) {
  let total = 0;
  for (const [key, value] of Object.entries(input)) total += join(key, String(value)).length * scale;
  return util.format("%d", total + LIMIT);
}
export { handler as run };
`;
}

/** What one round of the warm-up compiles (exported for its test: every sample must validate, or the rest of the pipeline stays cold). */
export function warmUpInputs(round: number): CompileInput[] {
  const inputs: CompileInput[] = [{ kind: "module", id: "warm-up/rules.js", code: commonJsSample(round), securityLevel: "STANDARD", scoring: false, countIterations: false }];
  if (round % 4 === 0) inputs.push({ kind: "module", id: "warm-up/handler.mjs", code: esmSample(round), securityLevel: "STANDARD", scoring: false, countIterations: false });
  return inputs;
}

/**
 * Runs the compile pipeline over built-in samples when a loader thread starts, so that the first tenant
 * files it compiles do not pay for the JIT's warm-up: a fresh thread took 10-40 ms for a 10 KB file, a warm
 * one 2-3 ms. Nothing of a sample is kept; bounded by WARM_UP_ROUNDS and WARM_UP_CPU_MS.
 */
export function warmUp(): void {
  const spentMs = spentClock();
  for (let round = 0; round < WARM_UP_ROUNDS && spentMs() < WARM_UP_CPU_MS; round++) warmUpRound(round);
}

/** One round of the warm-up: its samples through the whole pipeline, nothing kept. */
export function warmUpRound(round: number): void {
  for (const input of warmUpInputs(round)) compile(input);
}

/**
 * Milliseconds this thread has run since the call: CPU time, so that a thread that starts while the machine is
 * busy warms up as much (the clock on a Node without process.threadCpuUsage).
 */
function spentClock(): () => number {
  if (typeof process.threadCpuUsage !== "function") {
    const started = performance.now();
    return () => performance.now() - started;
  }
  const started = process.threadCpuUsage();
  return () => {
    const { user, system } = process.threadCpuUsage(started);
    return (user + system) / 1000;
  };
}

/**
 * Warms this thread up if it is one of the first the pool started (as many as it has threads), and says
 * whether it did: a thread that replaces one a file's deadline ended starts cold, so that files built to
 * end threads cannot make the pool spend a warm-up on each.
 */
export function warmUpOnStart(share: WarmUpShare | undefined): boolean {
  if (!share || Atomics.add(share.starts, 0, 1) >= Atomics.load(share.starts, 1)) return false;
  warmUp();
  return true;
}
