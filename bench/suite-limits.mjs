// Child process: tenantbox's behaviour under hostile tenants (issue 5's targets), measured as the
// runtime is today: recovery after a timeout, host event-loop lag under loops and heap bombs, fairness.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { pathologicalTenants } from "../test/hostile/pathological-files.mjs";
import { setTimeout as sleep } from "node:timers/promises";
import { create } from "./engines/tenantbox.mjs";
import { LAG_RESOLUTION_MS, summarize, summarizeHistogram } from "./stats.mjs";
import { check, request } from "./workloads.mjs";
import { answerParent } from "./suite-child.mjs";

const hostile = (folder, funcName, timeout) => ({ folder, file: "hooks/hostile.js", funcName, ...(timeout ? { timeout } : {}) });

async function expectCode(runtime, req, codes) {
  const result = await runtime.execute(req);
  const code = result.success ? "OK" : result.error.code;
  if (!codes.includes(code)) throw new Error(`${req.funcName}: expected ${codes.join("/")}, got ${code}`);
  return result;
}

/**
 * Time from a TIMEOUT result to the next successful call. "single": one spinning call, then one small
 * call. "pool": every worker spins at once (or is hard-stopped at once), then one small call per worker;
 * figures are the time to the first and to the last success.
 */
async function recovery({ workspace, threads, plan }) {
  const { engine, runtime } = await boot(threads, { timeout: plan.timeoutMs });
  const small = request(workspace.acme, "small");
  const ok = async () => check("small", await runtime.run(small));
  try {
    for (let i = 0; i < 200; i++) await ok();
    const single = [];
    const timeoutLatency = [];
    for (let i = 0; i < plan.singleRepeats; i++) {
      const t = performance.now();
      await expectCode(runtime, hostile(workspace.acme, "spin"), ["TIMEOUT"]);
      const t0 = performance.now();
      timeoutLatency.push(t0 - t);
      await ok();
      single.push(performance.now() - t0);
      for (let j = 0; j < 20; j++) await ok(); // settle between repeats
    }
    const poolWide = async (funcName, codes, repeats) => {
      const first = [];
      const all = [];
      const stopLatency = [];
      for (let i = 0; i < repeats; i++) {
        const t = performance.now();
        await Promise.all(Array.from({ length: threads }, () => expectCode(runtime, hostile(workspace.acme, funcName), codes)));
        const t0 = performance.now();
        stopLatency.push(t0 - t);
        let firstDone = 0;
        await Promise.all(Array.from({ length: threads }, () => ok().then(() => (firstDone ||= performance.now()))));
        first.push(firstDone - t0);
        all.push(performance.now() - t0);
        for (let j = 0; j < 20; j++) await ok();
        await sleep(100); // let the refills finish, so every repeat starts from the same state
      }
      return { first: summarize(first), all: summarize(all), stopLatency: summarize(stopLatency) };
    };
    return {
      timeoutMs: plan.timeoutMs,
      hardStopGraceMs: runtime.options.hardStopGraceMs,
      single: summarize(single),
      timeoutLatency: summarize(timeoutLatency),
      poolSpin: await poolWide("spin", ["TIMEOUT"], plan.poolRepeats),
      poolHardStop: await poolWide("backtrack", ["TIMEOUT"], plan.hardStopRepeats),
      poolBomb: await poolWide("bomb", ["MEMORY_LIMIT_EXCEEDED", "TIMEOUT"], plan.poolRepeats),
    };
  } finally {
    await engine.close();
  }
}

/** Main-thread event-loop delay: idle, and while attackers run infinite loops and heap bombs non-stop. */
async function eventLoopLag({ workspace, threads, plan }) {
  const { engine, runtime } = await boot(threads, { timeout: plan.timeoutMs });
  const small = request(workspace.globex, "small"); // the bystander is another tenant
  try {
    for (let i = 0; i < 200; i++) check("small", await runtime.run(small));
    const idle = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    idle.enable();
    await sleep(plan.idleMs);
    idle.disable();

    const outcomes = {};
    const end = performance.now() + plan.windowMs;
    const attacker = async (i) => {
      for (let n = i; performance.now() < end; n++) {
        const result = await runtime.execute(hostile(workspace.acme, n % 2 ? "bomb" : "spin"));
        const code = result.success ? "OK" : result.error.code;
        outcomes[code] = (outcomes[code] ?? 0) + 1;
      }
    };
    const { lag, bystander } = await underAttack(runtime, small, end, Array.from({ length: plan.attackers }, (_, i) => attacker(i)));
    return {
      timeoutMs: plan.timeoutMs,
      attackers: plan.attackers,
      windowMs: plan.windowMs,
      idle: summarizeHistogram(idle, LAG_RESOLUTION_MS),
      hostile: lag,
      outcomes,
      bystander,
    };
  } finally {
    await engine.close();
  }
}

/**
 * Tenant B (its own folder) runs sequential small hooks; tenant A keeps `inFlight` calls outstanding
 * for the window, a share of them infinite loops with a short per-call timeout. B's latency loaded vs
 * unloaded, with the runtime's default options, then with maxConcurrentPerTenant = threads - 1 (when
 * the runtime has that option), which leaves B a worker that A's loops cannot take.
 */
async function fairness({ workspace, threads, plan }) {
  const smallA = request(workspace.acme, "small");
  const smallB = request(workspace.globex, "small");

  const scenario = async (runtime, { smallFlood }) => {
    const runB = async () => check("small", await runtime.run(smallB));
    for (let i = 0; i < 200; i++) await runB();
    const unloadedSamples = [];
    for (let i = 0; i < plan.unloadedCount; i++) {
      const t = performance.now();
      await runB();
      unloadedSamples.push(performance.now() - t);
    }
    const unloaded = summarize(unloadedSamples);
    const loaded = async (loopShare) => {
      const end = performance.now() + plan.windowMs;
      const aOutcomes = {};
      let n = 0;
      const tenantA = async () => {
        while (performance.now() < end) {
          const loop = loopShare > 0 && n++ % Math.round(1 / loopShare) === 0;
          const result = await runtime.execute(loop ? hostile(workspace.acme, "spin", plan.loopTimeoutMs) : smallA);
          const code = result.success ? "OK" : result.error.code;
          aOutcomes[code] = (aOutcomes[code] ?? 0) + 1;
        }
      };
      const samples = [];
      const tenantB = async () => {
        await sleep(50); // let A's flood build up first
        while (performance.now() < end) {
          const t = performance.now();
          await runB();
          samples.push(performance.now() - t);
        }
      };
      await Promise.all([...Array.from({ length: plan.inFlight }, tenantA), tenantB()]);
      const b = summarize(samples);
      return { loopShare, b, p99Ratio: b.p99 / unloaded.p99, aOutcomes };
    };
    const floodSmall = smallFlood ? await loaded(0) : undefined;
    return { unloaded, floodSmall, floodWithLoops: await loaded(plan.loopShare) };
  };

  const result = { inFlight: plan.inFlight, windowMs: plan.windowMs, loopTimeoutMs: plan.loopTimeoutMs };
  {
    const { engine, runtime } = await boot(threads, {});
    try {
      Object.assign(result, await scenario(runtime, { smallFlood: true }));
    } finally {
      await engine.close();
    }
  }
  if (threads > 1) {
    let booted;
    try {
      booted = await boot(threads, { maxConcurrentPerTenant: threads - 1 });
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // a runtime without the option
    }
    if (booted) {
      try {
        const { unloaded, floodWithLoops } = await scenario(booted.runtime, { smallFlood: false });
        result.limited = { maxConcurrentPerTenant: threads - 1, unloaded, floodWithLoops };
      } finally {
        await booted.engine.close();
      }
    }
  }
  return result;
}

/**
 * While `attackers` run until `end`, another tenant runs sequential small hooks: the host's event-loop lag
 * over the window and the bystander's latencies. The monitor is read after a timer has fired once more,
 * so a stall inside already-settled awaits at the very end is counted too.
 */
async function underAttack(runtime, small, end, attackers) {
  const bystander = [];
  const bystanderLoop = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      check("small", await runtime.run(small));
      bystander.push(performance.now() - t);
    }
  };
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  lag.enable();
  await Promise.all([...attackers, bystanderLoop()]);
  await sleep(LAG_RESOLUTION_MS * 2);
  lag.disable();
  return { lag: summarizeHistogram(lag, LAG_RESOLUTION_MS), bystander: summarize(bystander) };
}

/**
 * Invariant 8: tenants deploy and call files built to make the host work (the red-team findings of
 * issue 10: validator regexes, parse-error formatting, resolution floods, warning floods), a new version of
 * each every round, and list and validate them as /v1/modules and /v1/validate do; another tenant runs
 * small hooks meanwhile. The host's event-loop lag over the whole window.
 */
async function pathologicalLag({ workspace, threads, plan }) {
  const { engine, runtime } = await boot(threads, {});
  const small = request(workspace.globex, "small");
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-bench-hostile-"));
  const tenants = Object.entries(pathologicalTenants()).map(([name, tenant]) => {
    const folder = path.join(root, name);
    for (const [file, text] of Object.entries(tenant.files)) {
      fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
      fs.writeFileSync(path.join(folder, file), text);
    }
    return { name, folder, ...tenant };
  });
  try {
    for (let i = 0; i < 200; i++) check("small", await runtime.run(small));
    const end = performance.now() + plan.windowMs;
    const outcomes = {};
    let rounds = 0;
    const attacker = async () => {
      for (let round = 0; performance.now() < end; round++) {
        for (const tenant of tenants) {
          // A new version of the entry file every round: nothing is served from the compile cache.
          const entry = path.join(tenant.folder, tenant.file);
          fs.appendFileSync(entry, `\n// round ${round}\n`);
          const result = await runtime.execute({ folder: tenant.folder, file: tenant.file, funcName: tenant.funcName });
          const code = result.success ? "OK" : result.error.code;
          outcomes[code] = (outcomes[code] ?? 0) + 1;
          await runtime.modules(tenant.folder);
          await runtime.validate(fs.readFileSync(entry, "utf8"), { filename: tenant.file });
        }
        rounds++;
      }
    };
    const { lag, bystander } = await underAttack(runtime, small, end, [attacker()]);
    return { windowMs: plan.windowMs, tenants: tenants.length, rounds, lag, outcomes, bystander };
  } finally {
    await engine.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function boot(threads, runtimeOptions) {
  const engine = await create({ threads, runtimeOptions });
  return { engine, runtime: engine.runtime };
}

answerParent(async (config) => {
  const probe = await boot(config.threads, {});
  const isolation = probe.runtime.options.isolation;
  await probe.engine.close();
  return {
    isolation,
    recovery: await recovery({ ...config, plan: config.plan.recovery }),
    eventLoopLag: await eventLoopLag({ ...config, plan: config.plan.eventLoopLag }),
    fairness: await fairness({ ...config, plan: config.plan.fairness }),
    pathologicalLag: await pathologicalLag({ ...config, plan: config.plan.eventLoopLag }),
  };
});
