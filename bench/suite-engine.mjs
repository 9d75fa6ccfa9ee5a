// Child process: measures one engine on every workload and sends the figures to the parent.
// One process per engine, so that its peak RSS is its own and no engine warms or dirties another's heap.
import { firstCalls, sequential, throughput } from "./measure.mjs";
import { startRssSampler } from "./rss.mjs";
import { check, request, writeFreshModule } from "./workloads.mjs";
import { answerParent } from "./suite-child.mjs";

const ENGINES = {
  tenantbox: "./engines/tenantbox.mjs",
  "tenantbox-thread": "./engines/tenantbox-thread.mjs",
  vm2: "./engines/vm2-pool.mjs",
  floor: "./engines/floor-pool.mjs",
};

async function main({ engine: name, threads, workspace, heavyPrimes, plan }) {
  const rss = startRssSampler(50);
  const module = await import(ENGINES[name]);
  let engine;
  try {
    engine = await module.create({ threads });
  } catch (error) {
    // An option this build of the runtime does not have (e.g. isolation): leave the engine out.
    if (error instanceof TypeError) return { engine: name, skipped: error.message };
    throw error;
  }
  const call = engine.call;
  const result = { engine: name, description: engine.description, sequential: {}, throughput: {} };
  try {
    for (const workload of ["small", "tools", "tools20", "heavy"]) {
      const req = request(workspace.acme, workload, heavyPrimes);
      const { warmup, count } = plan.sequential[workload];
      result.sequential[workload] = await sequential(call, req, { warmup, count, check: (v) => check(workload, v) });
    }
    result.firstCall = await firstCalls(call, (i) => writeFreshModule(workspace.acme, `${name}${i}`), {
      ...plan.firstCall,
      check: (v) => check("fresh", v),
      ...(engine.execute ? { execute: engine.execute } : {}),
    });
    for (const workload of ["small", "tools", "heavy"]) {
      const req = request(workspace.acme, workload, heavyPrimes);
      result.throughput[workload] = await throughput(call, req, { ...plan.throughput, check: (v) => check(workload, v) });
    }
  } finally {
    rss.sampleNow(); // while the engine's child processes (if any) still exist
    await engine.close();
  }
  result.memory = rss.stop();
  return result;
}

answerParent(main);
