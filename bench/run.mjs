// npm run bench: builds (via the npm script), then measures tenantbox, vm2 and the floor on the same
// workloads, one child process per engine, then tenantbox's limits; prints the markdown report and
// writes it to bench/results.md. Progress goes to stderr, the report to stdout.
//
//   node bench/run.mjs [--threads N] [--engines tenantbox,tenantbox-thread,vm2,floor] [--no-limits] [--no-breakdown] [--quick] [--out FILE]
//
// The report names the commit measured; BENCH_SOURCE_LABEL overrides it (e.g. for an exported tree).
import { execFileSync, fork } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startLoadMeter } from "./machine-load.mjs";
import { renderReport } from "./report.mjs";
import { calibrateHeavy, writeWorkspace } from "./workloads.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: flags } = parseArgs({
  options: {
    threads: { type: "string", default: String(os.availableParallelism()) },
    engines: { type: "string", default: "tenantbox,tenantbox-thread,vm2,floor" },
    "no-limits": { type: "boolean", default: false },
    "no-breakdown": { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
    out: { type: "string", default: path.join(here, "results.md") },
  },
});
const threads = Number(flags.threads);
const ENGINES = ["tenantbox", "tenantbox-thread", "vm2", "floor"];
const engines = flags.engines.split(",").map((s) => s.trim()).filter(Boolean);
for (const name of engines) {
  if (!ENGINES.includes(name)) {
    process.stderr.write(`[bench] unknown engine "${name}"; engines: ${ENGINES.join(", ")}\n`);
    process.exit(2);
  }
}
if (!Number.isInteger(threads) || threads < 1) {
  process.stderr.write(`[bench] --threads must be a positive integer\n`);
  process.exit(2);
}
const scale = flags.quick ? 0.2 : 1;
const n = (x, min = 1) => Math.max(min, Math.round(x * scale));

const plan = {
  sequential: {
    small: { warmup: n(300), count: n(1000, 100) },
    tools: { warmup: n(200), count: n(600, 100) },
    tools20: { warmup: n(50), count: n(200, 50) },
    heavy: { warmup: n(20), count: n(150, 30) },
  },
  throughput: { concurrency: 32, windowMs: n(3000, 500), warmupMs: n(500, 200) },
  firstCall: { warmup: n(20, 10), count: n(20, 10), coldCount: 5 },
  recovery: { timeoutMs: 200, singleRepeats: n(10, 5), poolRepeats: n(5, 3), hardStopRepeats: n(3, 2) },
  eventLoopLag: { timeoutMs: 200, attackers: 4, idleMs: n(1000, 300), windowMs: n(3000, 1000) },
  fairness: { inFlight: 200, loopShare: 0.1, loopTimeoutMs: 200, windowMs: n(3000, 1000), unloadedCount: n(500, 100) },
  paired: { warmup: n(20, 5), pairs: n(150, 30), rounds: n(4, 2), concurrency: 32, windowMs: n(1000, 300), warmupMs: n(200, 100) },
  breakdown: { sequential: { warmup: n(300), count: n(1000, 100) }, throughput: { concurrency: 32, windowMs: n(3000, 500), warmupMs: n(500, 200) } },
};

const log = (message) => process.stderr.write(`[bench] ${message}\n`);

let childCpuSeconds = 0;

/** Runs one suite in a child process and returns what it sends back. */
function runChild(script, config, limitMs) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(here, script), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    let answer;
    const killer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} took longer than ${limitMs / 1000} s`));
    }, limitMs);
    child.on("message", (message) => (answer = message));
    child.on("exit", (code) => {
      clearTimeout(killer);
      if (!answer) return reject(new Error(`${script} exited (${code}) without a result`));
      if (!answer.ok) return reject(new Error(`${script}: ${answer.error}`));
      childCpuSeconds += answer.cpuSeconds ?? 0;
      resolve(answer.result);
    });
    child.send(config);
  });
}

/** The commit measured, marked "+ local changes" when the working tree differs from it. */
function gitCommit() {
  if (process.env.BENCH_SOURCE_LABEL) return process.env.BENCH_SOURCE_LABEL;
  try {
    const git = (...args) => execFileSync("git", args, { cwd: here, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = git("status", "--porcelain", "--", "../src").length > 0;
    return git("rev-parse", "--short", "HEAD") + (dirty ? " + local changes in src/" : "");
  } catch {
    return "(not a git checkout)";
  }
}

/**
 * The figures committed before this run (bench/results.json at HEAD) and the commit that wrote them, so the
 * report can show each figure beside its previous value; undefined outside a git checkout or before a first run.
 */
function previousFigures() {
  const json = flags.out.replace(/\.md$/, "") + ".json";
  try {
    const git = (...args) => execFileSync("git", args, { cwd: here, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const relative = path.relative(git("rev-parse", "--show-toplevel"), json);
    const figures = JSON.parse(git("show", `HEAD:${relative}`));
    return { engines: figures.engines, paired: figures.paired, limits: figures.limits, breakdown: figures.breakdown, cpu: figures.machine?.cpu, commit: git("log", "-1", "--format=%h", "--", `:/${relative}`) };
  } catch {
    return undefined;
  }
}

async function main() {
  if (!fs.existsSync(path.join(here, "../dist/index.js"))) throw new Error("dist/ is missing: run `npm run build` first (npm run bench does)");
  const started = performance.now();
  const load = startLoadMeter();
  const workspace = writeWorkspace();
  try {
    const { primes: heavyPrimes, rawMs: heavyRawMs } = await calibrateHeavy(workspace.acme, 10);
    log(`CPU-heavy workload: ${heavyPrimes} primes = ${heavyRawMs.toFixed(2)} ms raw; pool size ${threads}`);
    const config = { threads, workspace, heavyPrimes, plan };
    const results = [];
    for (const engine of engines) {
      log(`engine ${engine} ...`);
      const t = performance.now();
      const result = await runChild("suite-engine.mjs", { ...config, engine }, 120_000);
      if (result.skipped) log(`engine ${engine} skipped: ${result.skipped}`);
      else results.push(result);
      log(`engine ${engine} done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    let paired;
    if (engines.includes("tenantbox") && engines.includes("floor")) {
      log("CPU-heavy: tenantbox and the floor interleaved in one process ...");
      const t = performance.now();
      paired = await runChild("suite-paired.mjs", config, 120_000);
      log(`paired done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    let limits;
    if (!flags["no-limits"]) {
      log("tenantbox limits (recovery, event-loop lag, fairness) ...");
      const t = performance.now();
      limits = { threads, ...(await runChild("suite-limits.mjs", config, 120_000)) };
      log(`limits done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    let breakdown;
    if (!flags["no-breakdown"] && engines.includes("tenantbox")) {
      log("tenantbox per-call breakdown (host side, IPC, inside the invocation) ...");
      const t = performance.now();
      breakdown = await runChild("suite-breakdown.mjs", config, 120_000);
      log(`breakdown done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    const cpu = os.cpus()[0];
    const machine = {
      cpu: cpu?.model ?? "unknown CPU",
      cores: os.cpus().length,
      memoryGb: os.totalmem() / 2 ** 30,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      date: new Date().toISOString().replace("T", " ").slice(0, 16) + " UTC",
      commit: gitCommit(),
      load: load.stop(childCpuSeconds),
    };
    const report = renderReport({
      machine,
      config: { ...config, heavyRawMs },
      engines: results,
      paired,
      limits,
      breakdown,
      totalSeconds: (performance.now() - started) / 1000,
      previous: previousFigures(),
    });
    fs.writeFileSync(flags.out, report);
    fs.writeFileSync(flags.out.replace(/\.md$/, "") + ".json", JSON.stringify({ machine: { cpu: machine.cpu, cores: machine.cores }, config: { ...config, heavyRawMs, workspace: undefined }, engines: results, paired, limits, breakdown }, null, 2));
    process.stdout.write(report);
    log(`written to ${path.relative(process.cwd(), flags.out)}`);
  } finally {
    fs.rmSync(workspace.root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`[bench] failed: ${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
