// Child process: where the microseconds of one small-hook call go (issue 14, item 4), tenantbox only.
//
// - sequential, isolation "process" (the default): the call's wall time, and the part of it spent inside
//   the sandbox process's invocation (ExecuteStats.durationMs: realm setup, the hook, result JSON, reset);
// - the host side alone: the same runtime with its pool answering at once (registry graph check, limits,
//   JSON of args/context/result, scheduler), main-thread CPU per call;
// - the IPC floor: the same length-prefixed JSON frames to a process that only answers (breakdown-echo.mjs);
// - inside the invocation: a CPU profile of the worker thread of an isolation "thread" runtime (the same
//   invocation code a sandbox process runs), split into setup, the hook, result JSON, reset, realm creation
//   (a realm serves 10,000 calls; its creation is charged to them), GC and the worker's own bookkeeping;
// - at concurrency 32, isolation "process": main-thread and sandbox-process CPU per call, and a CPU profile
//   of the host's main thread split into the registry's graph check, IPC send, IPC receive, GC and the rest
//   (wall time of its busy samples per call).
// BREAKDOWN_PROFILES=dir keeps the worker's profile there (inside.cpuprofile).
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { fileURLToPath } from "node:url";
import { Session } from "node:inspector/promises";
import { IsolatedRuntime } from "../dist/index.js";
import { bucketize, frame } from "./profile-buckets.mjs";
import { childTracker } from "./service/procstat.mjs";
import { summarize } from "./stats.mjs";
import { check, CONTEXT, ORDER, request, toolHandler, writeFreshModule } from "./workloads.mjs";
import { answerParent } from "./suite-child.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const us = (ms) => ms * 1000;

function runtimeOf(threads, extra = {}) {
  return new IsolatedRuntime({ minThreads: threads, maxThreads: threads, toolHandler: (name, args) => toolHandler(name, args), ...extra });
}

async function sequentialPart(runtime, req, { warmup, count }) {
  for (let i = 0; i < warmup; i++) check("small", (await runtime.execute(req)).value);
  const wall = [];
  const inside = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const result = await runtime.execute(req);
    wall.push(performance.now() - t);
    inside.push(result.stats.durationMs);
  }
  return { wall: summarize(wall), inside: summarize(inside) };
}

/** Main-thread CPU per call of the host side alone: the runtime's pool answers at once, as a sandbox would. */
async function hostSideAlone(threads, req, { warmup, count }) {
  const runtime = runtimeOf(threads);
  const pool = runtime.pool;
  if (!pool || typeof pool.run !== "function") return undefined;
  const value = JSON.stringify(await runtime.run(req));
  pool.run = async () => ({ ok: true, value, logs: [], stats: { durationMs: 0.05, toolCalls: 0, logBytes: 0, realmUses: 2 } });
  try {
    for (let i = 0; i < warmup * 3; i++) await runtime.execute(req);
    const c0 = process.threadCpuUsage();
    for (let i = 0; i < count * 3; i++) await runtime.execute(req);
    const cpu = process.threadCpuUsage(c0);
    return { cpuUsPerCall: (cpu.user + cpu.system) / (count * 3) };
  } finally {
    await runtime.close();
  }
}

/** Round trips of a small hook's frames to processes that only answer: one child, one at a time; then `threads` children, one in flight each. */
async function ipcFloor(threads, windowMs) {
  const task = {
    invocationId: 1,
    modules: [{ id: "hooks/small.js", format: "cjs", hash: "x".repeat(43), deps: {} }],
    entry: "hooks/small.js",
    funcName: "onOrder",
    args: JSON.stringify([ORDER]),
    context: JSON.stringify(CONTEXT),
    env: '{"NODE_ENV":"production"}',
    securityLevel: "STANDARD",
    limits: { maxBufferBytes: 268435456, timeout: 5000, maxToolCalls: 100, maxToolArgBytes: 1048576, maxOutputBytes: 1048576, maxLogBytes: 65536, maxIterations: 9007199254740991 },
    hasToolHandler: true,
  };
  const children = [];
  for (let i = 0; i < threads; i++) {
    const child = spawn(process.execPath, [path.join(here, "breakdown-echo.mjs")], { stdio: ["ignore", "ignore", "inherit", "pipe"] });
    const socket = child.stdio[3];
    let pending = Buffer.alloc(0);
    let waiting;
    socket.on("data", (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 4) {
        const length = pending.readUInt32BE(0);
        if (pending.length < 4 + length) break;
        JSON.parse(pending.toString("utf8", 4, 4 + length));
        pending = pending.subarray(4 + length);
        waiting();
      }
    });
    let id = 0;
    const roundTrip = () =>
      new Promise((resolve) => {
        waiting = resolve;
        const text = JSON.stringify({ t: "run", id: ++id, task });
        const frameBuffer = Buffer.allocUnsafe(4 + Buffer.byteLength(text));
        frameBuffer.writeUInt32BE(frameBuffer.write(text, 4), 0);
        socket.write(frameBuffer);
      });
    children.push({ child, socket, roundTrip });
  }
  try {
    for (const c of children) for (let i = 0; i < 300; i++) await c.roundTrip();
    const samples = [];
    for (let i = 0; i < 2000; i++) {
      const t = performance.now();
      await children[0].roundTrip();
      samples.push(performance.now() - t);
    }
    let done = 0;
    const c0 = process.threadCpuUsage();
    const started = performance.now();
    const end = started + windowMs;
    await Promise.all(children.map(async (c) => {
      while (performance.now() < end) {
        await c.roundTrip();
        done++;
      }
    }));
    const elapsed = performance.now() - started;
    const cpu = process.threadCpuUsage(c0);
    return { children: threads, sequential: summarize(samples), perSecond: (done * 1000) / elapsed, hostCpuUsPerRoundTrip: (cpu.user + cpu.system) / done };
  } finally {
    for (const c of children) c.socket.end();
  }
}

/** The invocation's own parts, from a CPU profile of an isolation "thread" runtime's one worker thread. */
async function insideInvocation(req, { warmup, count }) {
  const runtime = runtimeOf(1, { isolation: "thread" });
  try {
    for (let i = 0; i < warmup; i++) check("small", await runtime.run(req));
    const worker = runtime.pool?.piscina?.threads?.[0];
    if (!worker || typeof worker.startCpuProfile !== "function") return undefined;
    const handle = await worker.startCpuProfile();
    // The worker's profile samples every millisecond or so: many calls make its shares stable.
    const calls = count * 5;
    for (let i = 0; i < calls; i++) await runtime.run(req);
    const profile = JSON.parse(await handle.stop());
    if (process.env.BREAKDOWN_PROFILES) (await import("node:fs")).writeFileSync(path.join(process.env.BREAKDOWN_PROFILES, "inside.cpuprofile"), JSON.stringify(profile));
    const sandbox = "tenantbox:sandbox";
    const { totalMs, buckets } = bucketize(profile, [
      ["result JSON (serialized in the realm)", frame(["succeed"], sandbox)],
      ["realm reset (global verified and cleaned)", frame(["end", "resetGlobal"], sandbox)],
      ["realm creation (a realm serves 10,000 calls)", frame(["create", "hardenRealm", "sandboxMain"])],
      ["realm setup (per-call state, setup JSON, module wrappers)", frame(["begin", "define"], sandbox)],
      ["setup JSON and module wrappers (worker side)", frame(["run"], "worker")],
      ["entering the realm: module instance, args, the hook and its guards", frame(["enter"], "worker")],
      ["garbage collection", frame(["(garbage collector)"])],
      ["the worker thread's task messages (thread isolation only)", frame(["onMessage", "postMessage"])],
    ]);
    const perCall = Object.fromEntries(Object.entries(buckets).map(([k, ms]) => [k, us(ms) / calls]));
    return { calls, activeUsPerCall: us(totalMs) / calls, perCall };
  } finally {
    await runtime.close();
  }
}

/** Concurrency 32: CPU per call of the main thread and the sandbox processes, and the main thread's profile split. */
async function underLoad(runtime, req, { concurrency, warmupMs, windowMs }) {
  const drive = async (ms) => {
    let completed = 0;
    const end = performance.now() + ms;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await runtime.run(req);
        completed++;
      }
    }));
    return completed;
  };
  await drive(warmupMs);
  const kids = childTracker();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 100 });
  await session.post("Profiler.start");
  const kids0 = kids.cpuMs();
  const c0 = process.threadCpuUsage();
  const started = performance.now();
  const calls = await drive(windowMs);
  const elapsed = performance.now() - started;
  const cpu = process.threadCpuUsage(c0);
  const kidsMs = kids.cpuMs() - kids0;
  const { profile } = await session.post("Profiler.stop");
  session.disconnect();
  const { totalMs, buckets } = bucketize(profile, [
    ["garbage collection", frame(["(garbage collector)"])],
    ["IPC send (JSON, frame, socket write)", frame(["send", "sendable", "sendBlob"], "index.js")],
    ["IPC receive (read, depth check, JSON, message checks)", frame(["receive"], "index.js")],
    ["registry: unwatched graph check (realpath, lstat, stat per file)", frame(["graph"], "index.js")],
  ]);
  // Wall time of the main thread's busy samples: CPU, plus whatever waiting for a core befell it mid-call.
  const perCall = Object.fromEntries(Object.entries(buckets).map(([k, ms]) => [k, us(ms) / calls]));
  return {
    callsPerSecond: (calls * 1000) / elapsed,
    mainCpuUsPerCall: (cpu.user + cpu.system) / calls,
    mainBusyUsPerCall: us(totalMs) / calls,
    sandboxCpuUsPerCall: us(kidsMs) / calls,
    perCall,
  };
}

/**
 * The work a fresh module's first call cannot skip, each part alone on this thread (wall time p50 over fresh
 * modules after others warmed the code up; this kernel's thread CPU clock moves in ticks, too coarse for one
 * part): the loader's pipeline for the file (pre-scan, parse, rules,
 * transform, hash: the loader thread's own task, called here), and V8 compiling the transformed wrapper and
 * running it the first time (module body, then the hook, whose functions V8 compiles as they are first
 * called) in a fresh context. Their sum is what the call costs before any hop, queueing or copy.
 */
async function firstCallWork(workspace, { warmup, count }) {
  const { default: runLoaderTask } = await import("../dist/loader-thread.js");
  // As warm as the runtime's loader threads get between calls: the pool's background warm-up rounds (32).
  for (let round = 0; round < 32; round++) runLoaderTask({ op: "warm-up", round, started: new Float64Array(1) });
  const loader = [];
  const engine = [];
  // Guards that never stop anything: the hook is known to be short.
  const guards = [{ n: 1e9, l: 1e9 }, () => {}, () => {}, Function, () => {}, () => {}];
  for (let i = 0; i < warmup + count; i++) {
    const { folder, file } = writeFreshModule(workspace.acme, `work${i}`);
    const code = fs.readFileSync(path.join(folder, file), "utf8");
    let t = performance.now();
    const version = runLoaderTask({ op: "compile", input: { kind: "module", code, id: file, securityLevel: "STANDARD", scoring: false, countIterations: false }, started: new Float64Array(1) });
    const loaded = performance.now() - t;
    if (version.rejection) throw new Error(`fresh module refused: ${JSON.stringify(version.rejection)}`);
    const context = vm.createContext({});
    t = performance.now();
    const wrapper = new vm.Script(version.source, { filename: file }).runInContext(context);
    const module = { exports: {} };
    wrapper(module.exports, () => undefined, module, file, "fresh", () => guards);
    const value = module.exports.onOrder(ORDER);
    const ran = performance.now() - t;
    check("fresh", value);
    if (i >= warmup) {
      loader.push(loaded);
      engine.push(ran);
    }
  }
  return { loader: summarize(loader), engine: summarize(engine) };
}

async function main({ threads, workspace, plan }) {
  const req = request(workspace.acme, "small");
  const p = plan.breakdown;
  const runtime = runtimeOf(threads);
  let sequential;
  let load;
  try {
    sequential = await sequentialPart(runtime, req, p.sequential);
    load = await underLoad(runtime, req, p.throughput);
  } finally {
    await runtime.close();
  }
  const host = await hostSideAlone(threads, req, p.sequential);
  const ipc = await ipcFloor(threads, p.throughput.windowMs);
  const inside = await insideInvocation(req, p.sequential);
  const firstCall = await firstCallWork(workspace, plan.firstCall);
  return { sequential, host, ipc, inside, load, firstCall };
}

answerParent(main);
