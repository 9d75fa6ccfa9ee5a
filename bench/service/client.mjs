// The HTTP client, in a child process of its own so that its CPU and memory are not the server's: one
// keep-alive connection per caller (raw-http.mjs).
//
// Protocol (IPC): { id, cmd: "sequential" | "load", ... } -> { id, result } or { id, error }.
// Around each measured window (sequential or load) the client posts { type: "window-start" } and waits for { type: "go" } (the main
// thread starts its meters and, if asked, the profiler), then posts { type: "window-end" } when the last
// call of the window returned.
import { summarize } from "../stats.mjs";
import { connection } from "./raw-http.mjs";
import { checkBody, HTTP_WORKLOADS } from "./workloads.mjs";

let go;
process.on("message", async (message) => {
  if (message.type === "go") return go?.();
  const { id, cmd } = message;
  try {
    const result = cmd === "sequential" ? await sequential(message) : await load(message);
    process.send({ id, result });
  } catch (error) {
    process.send({ id, error: String(error?.stack ?? error) });
  }
});

/** A caller of its own connection: each call is one request, never throws, and tallies the answer by status. */
function requester({ workload, baseUrl, token }) {
  const w = HTTP_WORKLOADS[workload];
  const headers = {};
  if (w.tenant) headers.authorization = `Bearer ${token}`;
  if (w.body !== undefined) headers["content-type"] = "application/json";
  const send = connection(baseUrl, { method: w.method, path: w.path, headers, body: w.body === undefined ? undefined : JSON.stringify(w.body) });
  const ok = w.status ?? 200;
  const request = async function request(tally) {
    let key;
    try {
      const response = await send();
      let body;
      try {
        body = JSON.parse(response.body);
      } catch {}
      if (typeof body?.success === "boolean") tally.executions++;
      key = response.status === ok ? (checkBody(workload, body) ? "ok" : "wrong-body") : `${response.status} ${body?.error?.code ?? ""}`.trim();
      // The last ids answered (bench:delivery follows those events to their handlers' start).
      if (key === "ok" && w.keepIds) {
        tally.ids.push(body.id);
        if (tally.ids.length > 2 * w.keepIds) tally.ids.splice(0, tally.ids.length - w.keepIds);
      }
      if (key !== "ok" && tally.firstBad === undefined) tally.firstBad = { status: response.status, body: JSON.stringify(body).slice(0, 300) };
    } catch (error) {
      key = `network ${error?.cause?.code ?? error?.name ?? "error"}`;
      if (tally.firstBad === undefined) tally.firstBad = { error: String(error?.cause ?? error).slice(0, 300) };
    }
    tally.statuses[key] = (tally.statuses[key] ?? 0) + 1;
    return key === "ok";
  };
  request.close = send.close;
  return request;
}

/** Tells the main thread a measured window starts; resolves when its meters run. */
async function windowStart() {
  await new Promise((resolve) => {
    go = resolve;
    process.send({ type: "window-start" });
  });
  go = undefined;
}

const newTally = () => ({ statuses: {}, executions: 0, firstBad: undefined, ids: [] });

async function sequential({ warmup, count, ...target }) {
  const request = requester(target);
  const warm = newTally();
  for (let i = 0; i < warmup; i++) await request(warm);
  await windowStart();
  const tally = newTally();
  const samples = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await request(tally);
    samples.push(performance.now() - t);
  }
  const cpu = process.cpuUsage(cpu0);
  process.send({ type: "window-end" });
  request.close();
  return { latency: summarize(samples), completed: count, clientCpuMs: (cpu.user + cpu.system) / 1000, warmup: warm, measured: tally };
}

async function load({ concurrency, windowMs, warmupMs, ...target }) {
  // A connection per caller, kept from the warm-up into the window.
  const requests = Array.from({ length: concurrency }, () => requester(target));
  const drive = async (ms, tally, samples) => {
    const end = performance.now() + ms;
    let ok = 0;
    const caller = async (request) => {
      while (performance.now() < end) {
        const t = performance.now();
        if (await request(tally)) ok++;
        samples?.push(performance.now() - t);
      }
    };
    const started = performance.now();
    await Promise.all(requests.map(caller));
    return { ok, elapsedMs: performance.now() - started };
  };
  const warm = newTally();
  await drive(warmupMs, warm);
  await windowStart();
  const tally = newTally();
  const samples = [];
  const cpu0 = process.cpuUsage();
  const { ok, elapsedMs } = await drive(windowMs, tally, samples);
  const cpu = process.cpuUsage(cpu0);
  process.send({ type: "window-end" });
  for (const request of requests) request.close();
  return {
    okPerSecond: (ok * 1000) / elapsedMs,
    completed: samples.length,
    ok,
    elapsedMs,
    latency: summarize(samples),
    clientCpuMs: (cpu.user + cpu.system) / 1000,
    warmup: warm,
    measured: tally,
    clientRssMb: process.memoryUsage().rss / 2 ** 20,
  };
}
