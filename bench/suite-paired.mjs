// Child process: tenantbox and the floor side by side in one process, their CPU-heavy calls interleaved.
// The engines' own suites run one after the other, minutes apart; on a shared VM the same 10 ms loop takes
// 8.5-15 ms from one minute to the next, so their ratio moved 0.8x-1.3x between runs of the same code.
// Interleaved, both meet the same machine: sequential calls alternate (who goes first alternates too), and
// throughput windows alternate, each engine's pool idle while the other's runs.
import { throughput } from "./measure.mjs";
import { create as createFloor } from "./engines/floor-pool.mjs";
import { create as createTenantbox } from "./engines/tenantbox.mjs";
import { summarize } from "./stats.mjs";
import { check, request } from "./workloads.mjs";
import { answerParent } from "./suite-child.mjs";

async function main({ threads, workspace, heavyPrimes, plan }) {
  const p = plan.paired;
  const engines = [await createTenantbox({ threads }), await createFloor({ threads })];
  try {
    const req = request(workspace.acme, "heavy", heavyPrimes);
    const heavyCheck = (v) => check("heavy", v);
    for (let i = 0; i < p.warmup; i++) for (const engine of engines) heavyCheck(await engine.call(req));
    const samples = [[], []];
    const pairRatios = [];
    for (let i = 0; i < p.pairs; i++) {
      const took = [0, 0];
      for (const k of i % 2 === 0 ? [0, 1] : [1, 0]) {
        const t = performance.now();
        const value = await engines[k].call(req);
        took[k] = performance.now() - t;
        samples[k].push(took[k]);
        if (i < 2) heavyCheck(value);
      }
      pairRatios.push(took[0] / took[1]);
    }
    const completed = [0, 0];
    const elapsedMs = [0, 0];
    for (let round = 0; round < p.rounds; round++) {
      for (const k of round % 2 === 0 ? [0, 1] : [1, 0]) {
        const window = await throughput(engines[k].call, req, { concurrency: p.concurrency, windowMs: p.windowMs, warmupMs: p.warmupMs, check: heavyCheck });
        completed[k] += window.completed;
        elapsedMs[k] += window.elapsedMs;
      }
    }
    const [tenantbox, floor] = [0, 1].map((k) => ({ sequential: summarize(samples[k]), callsPerSecond: (completed[k] * 1000) / elapsedMs[k] }));
    return { pairs: p.pairs, rounds: p.rounds, windowMs: p.windowMs, concurrency: p.concurrency, tenantbox, floor, pairRatio: summarize(pairRatios) };
  } finally {
    for (const engine of engines) await engine.close();
  }
}

answerParent(main);
