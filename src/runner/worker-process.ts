/**
 * A sandbox process: one worker of the pool, in a process of its own. Its main thread runs the
 * invocations (realms, guards, limits); a heap the process cannot contain ends this process only, and a
 * call that outlives its hard stop is ended with the process. Speaks to the runtime over the IPC channel.
 */
import net from "node:net";
import v8 from "node:v8";
import vm from "node:vm";
import { Worker } from "node:worker_threads";
import { FrameChannel } from "./frame-channel.js";
import { createInvocationHost } from "./invocation-host.js";
import { MAX_KEPT_GRAPH_CHARS, type HostToWorkerMessage, type InvocationOutcome, type SentGraphModule, type SentModule, type SentTask, type TaskModule, type WorkerProcessMessage } from "./protocol.js";

/** What the runtime may send in one frame (a task carries its graph's sources: at most 16 MiB of them, as JSON). */
const MAX_HOST_FRAME_BYTES = 2 ** 31;

// Nothing a tenant does may be printed or inspected here.
process.on("unhandledRejection", () => {});
process.setUncaughtExceptionCaptureCallback(() => process.exit(70));

// If the runtime's process dies, nobody is left to stop a call that runs no guard (a catastrophic regex).
// Where the kernel's parent-death signal is set (setpriv --pdeathsig, see sandbox-os.ts) it ends this
// process; elsewhere a thread that does not depend on this process's event loop does.
if (process.argv.includes("--watchdog")) {
  const watchdog = new Worker(
    `const parent = process.ppid;
     setInterval(() => { if (process.ppid !== parent) process.kill(process.pid, "SIGKILL"); }, 500);`,
    { eval: true, env: {}, resourceLimits: { maxOldGenerationSizeMb: 8 } },
  );
  watchdog.unref();
}

// Collections on demand, for this context only: realms created later get no `gc` global.
v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as (options?: { type: "minor" | "major" }) => void;
v8.setFlagsFromString("--no-expose-gc");

/**
 * Whether the next call could be denied part of its memory limit by what this process still holds: the
 * heap must have room for the call's whole limit, or a call would be blamed (MEMORY_LIMIT_EXCEEDED) for
 * another's memory. Checked after every call. Over the headroom, the young generation is collected first:
 * it is mostly the last calls' garbage (21 of 30 MiB when small hooks ran back to back), and a scavenge
 * costs what survives (about 0.1 ms), where the full collection this always did cost 5-12 ms, ten times a
 * second. Only a heap still over the headroom pays for a full collection.
 */
function mustRetire(headroomBytes: number): boolean {
  if (v8.getHeapStatistics().used_heap_size <= headroomBytes) return false;
  gc({ type: "minor" });
  if (v8.getHeapStatistics().used_heap_size <= headroomBytes) return false;
  gc({ type: "major" });
  return v8.getHeapStatistics().used_heap_size > headroomBytes;
}

/** JSON modules' texts by version hash (code modules are held compiled): bounded, least recently used out. */
const jsonTexts = new Map<string, string>();
let jsonBytes = 0;
const MAX_JSON_BYTES = 8 * 1024 * 1024;

function keepJson(hash: string, text: string): void {
  if (jsonTexts.has(hash)) return;
  jsonTexts.set(hash, text);
  jsonBytes += text.length;
  for (const [oldest, kept] of jsonTexts) {
    if (jsonBytes <= MAX_JSON_BYTES) break;
    jsonTexts.delete(oldest);
    jsonBytes -= kept.length;
  }
}

/**
 * The task's modules with every source filled in from what this process holds (the runtime sends a
 * version's source once), or the hashes it no longer holds.
 */
/** Sources the runtime sent as blobs for the next run, by version hash. */
const arriving = new Map<string, string>();

/** Graphs' module lists by key (the runtime sends each once: protocol.ts SentTask), least recently used out. */
const graphs = new Map<string, { modules: SentModule[]; chars: number }>();
let graphChars = 0;

/** The module list of a run's graph: arrived with it (kept when it is not too long), or kept from before. */
function graphOf(key: string): SentModule[] | undefined {
  const text = arriving.get(key);
  if (text !== undefined) {
    arriving.delete(key);
    const listed = JSON.parse(text) as SentGraphModule[];
    // Dependencies by index back to ids (strings shared with the list, not copies).
    const modules = listed.map((m): SentModule => {
      // No prototype: a specifier "__proto__" is a key like any other (JSON.parse made it an own key).
      const deps = Object.create(null) as SentModule["deps"];
      for (const specifier of Object.keys(m.deps)) {
        const dep = m.deps[specifier]!;
        deps[specifier] = "i" in dep ? { id: listed[dep.i]!.id } : dep;
      }
      return { id: m.id, format: m.format, hash: m.hash, deps };
    });
    if (text.length <= MAX_KEPT_GRAPH_CHARS && !graphs.has(key)) {
      graphs.set(key, { modules, chars: text.length });
      graphChars += text.length;
      for (const [oldest, kept] of graphs) {
        if (graphChars <= MAX_KEPT_GRAPH_CHARS) break;
        graphs.delete(oldest);
        graphChars -= kept.chars;
      }
    }
    return modules;
  }
  const kept = graphs.get(key);
  if (kept === undefined) return undefined;
  graphs.delete(key);
  graphs.set(key, kept);
  return kept.modules;
}

function withSources(task: SentTask): { modules: TaskModule[] } | { missing: string[] } {
  const modules: TaskModule[] = [];
  const missing: string[] = [];
  const arrivedJson: [string, string][] = [];
  const list = graphOf(task.graph);
  // Evicted: asked for alone (the runtime allows that once more in a call), the sources that came for this run
  // kept for the run that brings it.
  if (list === undefined) return { missing: [task.graph] };
  for (const m of list) {
    const source = m.source ?? arriving.get(m.hash);
    if (source !== undefined) {
      if (m.format === "json") arrivedJson.push([m.hash, source]);
      modules.push({ ...m, source });
    } else if (m.format === "json" ? jsonTexts.has(m.hash) : host!.holds(m.hash)) {
      // A code module held compiled needs no source: the compile cache answers by hash.
      modules.push({ ...m, source: m.format === "json" ? jsonTexts.get(m.hash)! : "" });
    } else missing.push(m.hash);
  }
  // The sources that came with an attempt that cannot run are dropped with it: they are asked for again
  // too, or the next attempt would miss them (the runtime asks for what is missing once per call).
  if (missing.length) for (const m of list) if (m.source === undefined && arriving.has(m.hash)) missing.push(m.hash);
  // Kept only once the call can run: keeping them earlier could evict a JSON text this very call uses.
  else for (const [hash, text] of arrivedJson) keepJson(hash, text);
  arriving.clear();
  return missing.length ? { missing } : { modules };
}

// The runtime's channel: length-prefixed JSON frames on descriptor 3 (frame-channel.ts). When it closes,
// the runtime is gone or retired this process: so does this process.
const socket = new net.Socket({ fd: 3, readable: true, writable: true });
socket.on("end", () => process.exit(0));
socket.on("close", () => process.exit(0));
const channel = new FrameChannel(
  socket,
  () => MAX_HOST_FRAME_BYTES,
  (message) => onMessage(message as HostToWorkerMessage),
  () => process.exit(70),
  undefined,
  (hash, text) => arriving.set(hash, text),
);
const send = (message: WorkerProcessMessage) => channel.send(message);
let host: ReturnType<typeof createInvocationHost> | undefined;
let headroomBytes = Infinity;

function onMessage(message: HostToWorkerMessage): void {
  switch (message.t) {
    case "init":
      headroomBytes = message.heapHeadroomMb * 1024 * 1024;
      host = createInvocationHost({
        readyContexts: message.readyContexts,
        // No thread of the host can reach into this process: the guards' clock check and the hard stop
        // (killing this process) enforce time here. The flag slot exists but is never raised.
        stopFlags: new Int32Array(new SharedArrayBuffer(4)),
        sendTool: (request) => send({ t: "tool", request }),
      });
      send({ t: "ready" });
      break;
    case "run": {
      const filled = withSources(message.task);
      if ("missing" in filled) {
        send({ t: "need", id: message.id, hashes: filled.missing });
        break;
      }
      void host!.run({ ...message.task, modules: filled.modules, stopSlot: 0 }).then((outcome: InvocationOutcome) => {
        // Compiled scripts kept for later calls are the runtime's memory, not what a call left behind.
        if (mustRetire(headroomBytes + 2 * (host!.cachedBytes() + graphChars))) send({ t: "result", id: message.id, outcome, retire: true });
        else send({ t: "result", id: message.id, outcome });
      });
      break;
    }
    case "tool-reply":
      host?.toolReply(message.reply);
      break;
    case "cancel":
      host?.cancel(message.invocationId);
      break;
  }
}
