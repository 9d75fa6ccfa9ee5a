// The measurement loops: sequential latency, throughput at a fixed concurrency over a time window,
// and the first call of never-seen modules. `call` is an engine's call(request) -> Promise<value>.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { LAG_RESOLUTION_MS, summarize, summarizeHistogram } from "./stats.mjs";

/** Warm p50/p99 of one call at a time. */
export async function sequential(call, request, { warmup, count, check }) {
  for (let i = 0; i < warmup; i++) check(await call(request));
  const samples = new Array(count);
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const value = await call(request);
    samples[i] = performance.now() - t;
    if (i === 0) check(value);
  }
  return summarize(samples);
}

/**
 * `concurrency` callers each start a new call as soon as their last one returns, until `windowMs` has
 * passed; calls/s = completed calls / time until the last one returned. Also records per-call latency
 * and the main thread's event-loop delay during the window.
 */
export async function throughput(call, request, { concurrency, windowMs, warmupMs, check }) {
  const drive = async (ms, samples) => {
    let completed = 0;
    let failed = 0;
    const end = performance.now() + ms;
    const caller = async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          const value = await call(request);
          if (completed === 0) check(value);
          completed++;
          samples?.push(performance.now() - t);
        } catch {
          failed++;
        }
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, caller));
    return { completed, failed, elapsedMs: performance.now() - started };
  };
  await drive(warmupMs);
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  const samples = [];
  lag.enable();
  const { completed, failed, elapsedMs } = await drive(windowMs, samples);
  lag.disable();
  if (failed) throw new Error(`${failed} calls failed during the throughput window`);
  return {
    callsPerSecond: (completed * 1000) / elapsedMs,
    completed,
    elapsedMs,
    latency: summarize(samples),
    loopLag: summarizeHistogram(lag, LAG_RESOLUTION_MS),
  };
}

/**
 * Latency of the first call of each of `warmup + count` fresh modules, one after another. `cold` is the
 * first `coldCount` of them (the host's loader and the worker's compile path not yet optimised by the
 * JIT); `warm` is the last `count`, after `warmup` others have warmed those paths, as in a service that
 * has been loading modules for a while.
 */
export async function firstCalls(call, makeRequest, { warmup, count, coldCount, check, execute }) {
  const samples = [];
  // With `execute` (tenantbox), each call's stats say where its time went: loading (the new file's validation
  // and transform on a loader thread, hops included), inside the sandbox (compiling the new version, the
  // first run), and the rest (queueing, the hops to and from the sandbox process).
  const parts = [];
  for (let i = 0; i < warmup + count; i++) {
    const request = makeRequest(i);
    const t = performance.now();
    let value;
    if (execute) {
      const result = await execute(request);
      if (!result.success) throw new Error(`first call failed: ${JSON.stringify(result.error)}`);
      value = result.value;
      const { loadMs, durationMs, totalMs } = result.stats;
      parts.push({ load: loadMs, inside: durationMs, rest: totalMs - loadMs - durationMs });
    } else value = await call(request);
    samples.push(performance.now() - t);
    check(value);
  }
  const result = { cold: summarize(samples.slice(0, coldCount)), ...summarize(samples.slice(warmup)) };
  if (parts.length > 0) {
    const p50s = (list) => Object.fromEntries(["load", "inside", "rest"].map((key) => [key, summarize(list.map((part) => part[key])).p50]));
    result.parts = { cold: p50s(parts.slice(0, coldCount)), warm: p50s(parts.slice(warmup)) };
  }
  return result;
}
