import { spawn, type ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import fs from "node:fs";
import os from "node:os";
import { FrameChannel } from "./frame-channel.js";
import { checkWorkerMessage } from "./worker-messages.js";
import {
  cancelledOutcome,
  failedOutcome as failure,
  siblingEntry,
  unlessCancelled,
  type HostToWorkerMessage,
  type InvocationOutcome,
  GRAPH_KEY_PREFIX,
  MAX_KEPT_GRAPH_CHARS,
  type GraphDep,
  type PoolTask,
  type SentGraphModule,
  type SentTask,
  type TaskModule,
  type WorkerProcessMessage,
} from "./protocol.js";
import type { PoolOptions, SandboxPool } from "./sandbox-pool.js";
import { sandboxLaunch, type SandboxLaunch } from "./sandbox-os.js";

/** Heap headroom for the process itself (Node, realms, compiled scripts) on top of the tenant's limit. */
const PROCESS_HEAP_HEADROOM_MB = 32;
/** A process that never says it is ready is killed and its call failed. */
const START_TIMEOUT_MS = 30_000;
/**
 * A call that has run this long is lowered in the OS's CPU priority (nice) until it ends: when calls
 * outnumber cores (a tenant's loops on every worker and another tenant's call on the spare one), the
 * short calls of other tenants get the CPU first, and a long call still gets all of it when nothing else
 * runs. The process's priority is restored after the call (a host that may not raise it again retires
 * the process instead, so that no later call inherits it).
 */
const LONG_CALL_MS = 10;
const LONG_CALL_NICE = 10;

/** The largest message an idle process may send ("ready" is a few bytes). */
const IDLE_FRAME_BYTES = 64 * 1024;
/** JSON may escape a character into six: what a call's value, logs and tool arguments may grow to as frames. */
const JSON_GROWTH = 6;
const FRAME_ENVELOPE_BYTES = 1024 * 1024;
/** The longest tool name the realm sends (sandbox/tools.ts refuses longer ones). */
const MAX_TOOL_NAME = 256;
/** The deepest a process's message nests (a result's error details are a few levels; tool arguments are a string). */
const MAX_MESSAGE_DEPTH = 32;

function signalName(number: number): NodeJS.Signals | null {
  for (const [name, value] of Object.entries(os.constants.signals)) if (value === number) return name as NodeJS.Signals;
  return null;
}

/**
 * Logs as the sandbox keeps them: each entry charged its text and LOG_ENTRY_OVERHEAD, all within maxLogBytes,
 * plus the one marker line a truncation adds.
 */
function logsWithin(logs: readonly { message: string }[], maxLogBytes: number): boolean {
  const LOG_ENTRY_OVERHEAD = 16;
  const MARKER_SLACK = 256;
  if (logs.length > Math.floor(maxLogBytes / LOG_ENTRY_OVERHEAD) + 1) return false;
  let bytes = 0;
  for (const entry of logs) bytes += entry.message.length + LOG_ENTRY_OVERHEAD;
  return bytes <= maxLogBytes + MARKER_SLACK;
}

/** JSON values (arrays, objects, items) in anything but a result's logs: the envelope, stats, an error, a tool request. */
const IDLE_MESSAGE_VALUES = 1024;

/**
 * How many JSON values a message may hold while a call runs: its logs (at most one entry per 16 bytes of
 * maxLogBytes, as logsWithin counts them, each an object of two strings) and the rest. The value itself and
 * tool arguments are strings inside the message. A compromised process's frame of 19 MiB of flat empty
 * arrays took the host 1 s to parse: past this it is not parsed, and the process is stopped.
 */
function messageValuesWithin(maxLogBytes: number): number {
  return 4 * (Math.floor(maxLogBytes / 16) + 2) + IDLE_MESSAGE_VALUES;
}

/** Every live sandbox process: if the runtime's process exits, none of them stays behind. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  child.once("exit", () => liveChildren.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const c of liveChildren) c.kill("SIGKILL");
    });
  }
}


interface Running {
  id: number;
  /** The task's invocation: the only one this process may ask tools for. */
  invocationId: number;
  maxOutputBytes: number;
  timeoutMs: number;
  resolve: (outcome: InvocationOutcome) => void;
  hardStop: NodeJS.Timeout | undefined;
  stopped: boolean;
  /** Its caller cancelled it (the signal): the process was asked to end it, and is killed if it has not within the grace. */
  cancelled: boolean;
  /** Tool calls forwarded to the host: held to the call's own limits here too (a broken process may send anything). */
  toolCalls: number;
  maxToolCalls: number;
  maxToolArgBytes: number;
  /** The largest frame the process may send while this call runs. */
  maxFrameBytes: number;
  maxLogBytes: number;
  /** The call was handed to a process that had said it was ready: from then on it is never run again. */
  sent: boolean;
  /** When it was handed over (performance.now()). */
  sentAt: number;
  /** Past this (ms after sentAt) the process is killed: the call's timeout and the grace. */
  hardStopMs: number;
  /** What was asked of the process, to send again with every source should it no longer hold one. */
  task?: PoolTask;
  /** The process asked for the graph's module list (it evicted it) in this call: it may ask once more, for sources. */
  askedGraph?: boolean;
}

/**
 * How often the CPU time of idle processes is looked at, and how much of it an idle process may use: an honest
 * one refills its ready realms after a call (about a millisecond) and sleeps. A process code broke out of the
 * realm in could spin between calls for ever, outside every call's time limit and at full priority (red team
 * dec11): past this it is stopped.
 */
const IDLE_CPU_CHECK_MS = 1000;
const IDLE_CPU_SHARE = 0.25;
const IDLE_CPU_MIN_MS = 250;
/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on every Linux architecture Node runs on). */
const USER_HZ = 100;

/** Version hashes the host remembers sending to one process (the process may evict them: it then asks). */
const MAX_HELD_HASHES = 4000;
/** Characters of module sources encoded for a process per turn of the host's event loop (sendRun): 1-2 ms of UTF-8. */
const SOURCE_CHARS_PER_TURN = 256 * 1024;

/**
 * A graph's blob key (GRAPH_KEY_PREFIX and a number), one per graph (its modules array, which every call of a
 * cached graph shares): a WeakMap look-up per call.
 */
const graphKeys = new WeakMap<readonly TaskModule[], string>();
let graphCount = 0;

function graphKey(modules: readonly TaskModule[]): string {
  let key = graphKeys.get(modules);
  if (key === undefined) {
    key = GRAPH_KEY_PREFIX + ++graphCount;
    graphKeys.set(modules, key);
  }
  return key;
}

/**
 * Graphs' module lists (ids, formats, hashes, deps) as JSON text by blob key, made when a process lacks one and
 * kept for the next, least recently used out past MAX_GRAPH_TEXT_CHARS in all (invariant 8: every host cache is
 * bounded in bytes). Kept for as long as its graph lived (a WeakMap on the modules array), a text of several MB
 * stayed on the host beside each graph a watched folder caches (1,024 per folder): 23 entry files sharing one
 * 1,000-module library with long failing requires held 150 MB more (review dec11, V1). A text evicted is made
 * again when a process needs it, a slice at a time (ListText): JSON.stringify of a 16 MB list held the main
 * thread 120-330 ms. Up to 64 MB: a list is a two-byte string once a clipped error message's ellipsis is in it.
 */
const graphTextCache = new Map<string, string>();
let graphTextChars = 0;
const MAX_GRAPH_TEXT_CHARS = 32 * 1024 * 1024;

/** The kept text of a graph's list (now the most recently used), if it is kept. */
function keptGraphText(key: string): string | undefined {
  const text = graphTextCache.get(key);
  if (text !== undefined) {
    graphTextCache.delete(key);
    graphTextCache.set(key, text);
  }
  return text;
}

/** Keeps a graph's list text (the newest is never evicted, whatever its length). */
function keepGraphText(key: string, text: string): string {
  if (graphTextCache.has(key)) return text;
  graphTextCache.set(key, text);
  graphTextChars += text.length;
  for (const [oldest, kept] of graphTextCache) {
    if (graphTextChars <= MAX_GRAPH_TEXT_CHARS || oldest === key) break;
    graphTextCache.delete(oldest);
    graphTextChars -= kept.length;
  }
  return text;
}

/** The text of a graph's list, made at once if it is not kept. */
function graphText(modules: readonly TaskModule[]): string {
  const key = graphKey(modules);
  const kept = keptGraphText(key);
  if (kept !== undefined) return kept;
  const list = new ListText(modules);
  list.add(Infinity);
  return keepGraphText(key, list.text!);
}

/**
 * A graph's module list as a blob carries it (SentGraphModule[] as JSON), made a slice at a time: each add()
 * writes modules and dependencies until about `room` characters more are made (one dependency's entry, a few
 * KB at most, may go past it), and `text` is set once the list is whole.
 */
class ListText {
  text: string | undefined;
  /** A dependency on a module of the list names it by its index (GraphDep): one id of 4,000 characters, required from 2,000 modules, was 2,000 copies of it. */
  private readonly index = new Map<string, number>();
  private readonly parts: string[] = [];
  private next = 0;
  private deps: [string, TaskModule["deps"][string]][] | undefined;
  private dep = 0;

  constructor(private readonly modules: readonly TaskModule[]) {
    modules.forEach((m, i) => this.index.set(m.id, i));
  }

  /** Characters made. */
  add(room: number): number {
    let made = 0;
    const put = (part: string) => {
      this.parts.push(part);
      made += part.length;
    };
    while (made < room && this.next < this.modules.length) {
      const { id, format, hash, deps } = this.modules[this.next]!;
      if (this.deps === undefined) {
        put(`${this.next === 0 ? "[" : ","}{"id":${JSON.stringify(id)},"format":${JSON.stringify(format)},"hash":${JSON.stringify(hash)},"deps":{`);
        this.deps = Object.entries(deps);
        this.dep = 0;
      }
      while (made < room && this.dep < this.deps.length) {
        const [specifier, dep] = this.deps[this.dep]!;
        const at = "id" in dep ? this.index.get(dep.id) : undefined;
        const sent: GraphDep = at === undefined ? dep : { i: at };
        put(`${this.dep === 0 ? "" : ","}${JSON.stringify(specifier)}:${JSON.stringify(sent)}`);
        this.dep++;
      }
      if (this.dep < this.deps.length) break;
      put("}}");
      this.deps = undefined;
      this.next++;
    }
    if (this.next === this.modules.length && this.text === undefined) {
      put(this.modules.length === 0 ? "[]" : "]");
      this.text = this.parts.join("");
      this.parts.length = 0;
    }
    return made;
  }
}

/** One sandbox process: one worker, one invocation at a time. */
class WorkerProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<boolean>;
  /** Said "ready": a call can be handed over at once, without waiting on `ready`. */
  isReady = false;
  running: Running | undefined;
  exited = false;
  /**
   * Sent SIGKILL (a hard stop, a cancelled call, a broken protocol): `exited` comes with the exit event, later;
   * until then the process must not be handed another call (its result may already be on its way).
   */
  killed = false;
  /** Said after its last call that it cannot promise the next one its whole memory limit: never reused. */
  retiring = false;
  /** With processPerTenant: the tenant (folder) this process serves, from its first call on. */
  tenant: string | undefined;
  /** When it last became idle (performance.now()): the pool stops it after idleWorkerMs beyond minThreads. */
  idleSince = 0;
  /** When it said it was ready (performance.now()). */
  readyAt = 0;
  /** Calls handed to it so far. */
  uses = 0;
  /** What the idle check saw last: the process's CPU time then (ms), when (performance.now()), and its uses. */
  idleCpu: { cpuMs: number; at: number; uses: number } | undefined;
  /** The sandbox's Node process (host-side pid), once found. */
  private nodePid: number | undefined;
  /** Its CPU priority was lowered for the call running now (a long call). */
  private lowered = false;
  /**
   * One timer for the process's calls, re-armed (refresh, no new timer) as each call is handed over:
   * LONG_CALL_MS into a call it lowers the process's priority and arms that call's hard stop. A short call
   * needs no timer of its own.
   */
  private watch: NodeJS.Timeout | undefined;
  /** Module versions sent to this process: their sources need not cross again (a 15 MB graph cost ~70 ms of the host's main thread per call). */
  private readonly held = new Set<string>();
  private readonly channel: FrameChannel;
  private readonly socket: Socket;
  /** Why the runtime stopped this process, when it did (a broken protocol). */
  private stoppedBecause: string | undefined;

  constructor(options: PoolOptions, launch: SandboxLaunch, onExit: (proc: WorkerProcess) => void) {
    // The OS layer (sandbox-os.ts): permission model, unprivileged user, memory rlimit, no network, an
    // empty environment, no inherited flags, and a heap limit V8 enforces on the whole process.
    this.child = spawn(launch.file, launch.args, launch.options);
    trackChild(this.child);
    this.socket = this.child.stdio[3] as Socket;
    let readyNow!: (ready: boolean) => void;
    this.ready = new Promise<boolean>((resolve) => {
      readyNow = resolve;
      this.child.once("exit", () => resolve(false));
    });
    const onMessage = (raw: unknown) => {
      const message = checkWorkerMessage(raw);
      if (!message) return this.stop("a message the protocol does not have");
      if (message.t === "ready") {
        if (this.isReady) return this.stop("said it was ready twice");
        this.isReady = true;
        this.readyAt = performance.now();
        readyNow(true);
      } else if (message.t === "result") {
        // A process that answers beyond what its sandbox lets through is not trusted any more.
        const running = this.running;
        // Only for the call it runs, once: an honest process never answers another (red team dec11: results
        // for other ids, which were dropped unread, kept the host's main thread parsing for ever, idle or not).
        if (!running || running.id !== message.id) return this.stop("a result for a call it is not running");
        const { value, logs } = message.outcome;
        if (typeof value === "string" && value.length > running.maxOutputBytes) return this.stop("a value over the call's maxOutputBytes");
        if (!logsWithin(logs, running.maxLogBytes)) return this.stop("logs over the call's maxLogBytes");
        if (message.retire === true) this.retiring = true;
        this.settle(message.id, message.outcome);
      } else if (message.t === "need") {
        // Once per call: the process evicted versions it was sent before; they go again, in full.
        const running = this.running;
        if (!running || running.id !== message.id) return this.stop("asked for sources of a call it is not running");
        // Asking twice would leave the call waiting for ever: the process is out of step with the runtime. A
        // graph's module list it evicted comes first, alone (its sources are known from it): once more then.
        if (!running.task) return this.stop("asked for sources twice in one call");
        const task = running.task;
        const hashes = Array.isArray(message.hashes) ? message.hashes : [];
        const graphOnly = hashes.length === 1 && hashes[0]!.startsWith(GRAPH_KEY_PREFIX) && !running.askedGraph;
        if (graphOnly) running.askedGraph = true;
        else running.task = undefined;
        for (const hash of hashes) this.held.delete(hash);
        this.sendRun(running.id, task);
      } else if (message.t === "tool") {
        // Tools only for the call this process is running: even a compromised process cannot act as
        // another tenant's invocation, nor call more tools, or bigger ones, than the call may.
        const running = this.running;
        // An invocation ends its tool calls before its result: a request for any other is not an honest process's.
        if (!running || message.request.invocationId !== running.invocationId) return this.stop("a tool call for an invocation it is not running");
        const { name, args } = message.request;
        if (++running.toolCalls > running.maxToolCalls || name.length === 0 || name.length > MAX_TOOL_NAME || Buffer.byteLength(args, "utf8") > running.maxToolArgBytes) {
          return this.stop("tool calls over the call's limits");
        }
        options.onToolRequest(message.request, (reply) => this.send({ t: "tool-reply", reply }), this.cpuTime);
      }
    };
    this.channel = new FrameChannel(this.socket, () => this.running?.maxFrameBytes ?? IDLE_FRAME_BYTES, onMessage, (why) => this.stop(why), {
      maxDepth: MAX_MESSAGE_DEPTH,
      maxValues: () => (this.running ? messageValuesWithin(this.running.maxLogBytes) : IDLE_MESSAGE_VALUES),
    });
    this.child.on("error", () => {});
    this.child.on("exit", (code, exitSignal) => {
      this.exited = true;
      // In its own namespaces the sandbox runs under a shell that reports a signal as 128 + its number.
      const signal = exitSignal ?? (code !== null && code > 128 ? signalName(code - 128) : null);
      const running = this.running;
      if (running) {
        // SIGABRT (134) is V8 giving up on a heap over its limit, or on memory the OS refused (the data
        // rlimit): this process held only this call, and it started with room for the call's whole limit.
        const outcome = running.cancelled
          ? cancelledOutcome()
          : running.stopped
          ? failure("TIMEOUT", `invocation exceeded its ${running.timeoutMs} ms timeout`, { hardStop: true })
          : signal === "SIGABRT" || code === 134
            ? failure("MEMORY_LIMIT_EXCEEDED", "invocation exceeded the memory limit and its sandbox process was stopped")
            : failure("INTERNAL_ERROR", "the sandbox process stopped unexpectedly", {
                ...(signal ? { signal } : { exitCode: code }),
                reason: this.stoppedBecause
                  ? `the sandbox process was stopped: ${this.stoppedBecause}`
                  : running.sent
                    ? "the sandbox process crashed while running this call"
                    : "the sandbox process could not start",
              });
        this.settle(running.id, outcome);
      }
      onExit(this);
    });
    this.send({ t: "init", readyContexts: options.readyContexts, heapHeadroomMb: PROCESS_HEAP_HEADROOM_MB });
    this.refresh();
  }

  /**
   * Hands the call to the process: from when its run is written (its sources may take a few turns to encode),
   * its hard stop is armed once it has run LONG_CALL_MS (by then its priority is lowered).
   */
  start(running: Running, task: PoolTask): void {
    this.uses++;
    running.task = task;
    this.sendRun(running.id, task, () => {
      running.sent = true;
      running.sentAt = performance.now();
      if (this.watch) this.watch.refresh();
      else {
        this.watch = setTimeout(() => this.longCall(), LONG_CALL_MS);
        this.watch.unref();
      }
    });
  }

  /** The watch fired: the call handed over last, if it still runs, has run LONG_CALL_MS at least. */
  private longCall(): void {
    const running = this.running;
    if (!running || !running.sent || running.hardStop !== undefined) return;
    this.lowerPriority();
    // Past the deadline the guards throw TIMEOUT; a call that runs no guard is stopped with its process.
    this.hardStopAt(running, running.sentAt + running.hardStopMs);
  }

  /** The call is stopped with this process at `at` (performance.now()) if it is still running then (settle clears it). */
  hardStopAt(running: Running, at: number): void {
    clearTimeout(running.hardStop);
    running.hardStop = setTimeout(
      () => {
        running.stopped = true;
        this.kill();
      },
      Math.max(0, at - performance.now()),
    );
  }

  /** Lowers the process's CPU priority for the long call it runs (best effort: the OS may refuse). */
  lowerPriority(): void {
    if (this.exited || this.lowered) return;
    try {
      for (const thread of this.sandboxThreads()) os.setPriority(thread, LONG_CALL_NICE);
      this.lowered = true;
    } catch {
      /* not permitted here, or the process is gone: the call keeps its priority */
    }
  }

  /** Back to the normal priority after a long call; a process that cannot get it back serves no other call. */
  restorePriority(): void {
    if (!this.lowered || this.exited) return;
    try {
      for (const thread of this.sandboxThreads()) os.setPriority(thread, 0);
      this.lowered = false;
    } catch {
      this.retiring = true;
    }
  }

  /**
   * The threads of the sandbox's Node process (Linux's priority is per thread). unshare and sh may stand
   * between it and the child the pool spawned: it is the end of the chain of only children. Without /proc,
   * the child itself.
   */
  private sandboxThreads(): number[] {
    const pid = this.sandboxPid();
    try {
      return fs.readdirSync(`/proc/${pid}/task`).map(Number);
    } catch {
      return [pid];
    }
  }

  /** The sandbox's Node process: the end of the chain of only children from the spawned one (kept once it is Node). */
  private sandboxPid(): number {
    if (this.nodePid !== undefined) return this.nodePid;
    let pid = this.child.pid!;
    try {
      for (let depth = 0; depth < 4; depth++) {
        const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
        if (children.length !== 1) break;
        pid = Number(children[0]);
      }
      // Found once it has said it is ready (the wrappers have exec'd into Node by then).
      if (this.isReady) this.nodePid = pid;
    } catch {
      /* no /proc: the child itself */
    }
    return pid;
  }

  /** cpuMs, bound once (handed with every tool call). */
  readonly cpuTime = (): number | undefined => this.cpuMs();

  /** CPU time (ms, all threads) the sandbox's Node process has used, or undefined where /proc cannot tell. */
  cpuMs(): number | undefined {
    if (this.exited || !this.isReady) return undefined;
    try {
      const stat = fs.readFileSync(`/proc/${this.sandboxPid()}/stat`, "utf8");
      // Fields after the command's closing parenthesis: state is the 3rd, utime the 14th, stime the 15th.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ticks = Number(fields[11]) + Number(fields[12]);
      return Number.isFinite(ticks) ? (ticks * 1000) / USER_HZ : undefined;
    } catch {
      return undefined;
    }
  }

  /** The task as a run message carries it: its graph by key; the sources and the graph's list it lacks go first, as blobs. */
  sendable(task: PoolTask, graphSent = false): SentTask {
    for (const m of task.modules) {
      // A version's source goes once, as a blob (raw UTF-8, not escaped into the JSON), before the run.
      if (!this.held.has(m.hash)) {
        this.channel.sendBlob(m.hash, m.source);
        this.held.add(m.hash);
      }
    }
    const key = graphKey(task.modules);
    if (!this.held.has(key) && !graphSent) {
      const text = graphText(task.modules);
      this.channel.sendBlob(key, text);
      // A list the process does not keep goes with every run.
      if (text.length <= MAX_KEPT_GRAPH_CHARS) this.held.add(key);
    }
    if (this.held.size > MAX_HELD_HASHES) this.held.clear();
    const { modules: _modules, ...rest } = task;
    return { ...rest, graph: key };
  }

  send(message: HostToWorkerMessage): void {
    if (!this.exited) this.channel.send(message);
  }

  /**
   * A run, and the sources it brings (blobs) in the same write: the process is woken once, not once per
   * frame. A run whose versions the process holds (nearly every call) is one frame, written as it is.
   */
  private sendRun(id: number, task: PoolTask, written?: () => void): void {
    const run = (graphSent?: boolean) => {
      this.send({ t: "run", id, task: this.sendable(task, graphSent) });
      written?.();
    };
    // Nearly every call: the process holds every version and the graph's list already (no array made for it).
    const key = graphKey(task.modules);
    if (this.held.has(key) && task.modules.every((m) => this.held.has(m.hash))) return run();
    const missing: { hash: string; source: string }[] = task.modules.filter((m) => !this.held.has(m.hash));
    const sourceChars = missing.reduce((sum, m) => sum + m.source.length, 0);
    // Characters of the list made in this turn already.
    let made = 0;
    // The graph's list, when the process lacks it: its text as kept, else made (at once when it is short).
    let list: ListText | undefined;
    if (!this.held.has(key)) {
      const kept = keptGraphText(key);
      if (kept !== undefined) missing.push({ hash: key, source: kept });
      else {
        list = new ListText(task.modules);
        made = list.add(Math.max(0, SOURCE_CHARS_PER_TURN - sourceChars));
        if (list.text !== undefined) {
          missing.push({ hash: key, source: keepGraphText(key, list.text) });
          list = undefined;
        }
      }
    }
    // The sources a process lacks are encoded here, on the host's main thread: a slice of them per turn of its
    // event loop, the run after the last. A tenant's 16 MiB graph sent whole to each new process held the main
    // thread 140-160 ms per call (red team dec08 F2: a call that ends its own process, as an out-of-memory one
    // does, makes every next call start a new one).
    if (list === undefined && missing.reduce((sum, m) => sum + m.source.length, 0) <= SOURCE_CHARS_PER_TURN) return this.channel.together(run);
    let next = 0;
    let encode: ((chars: number) => number) | undefined;
    let left = 0;
    const step = () => {
      // The process is gone (or was killed: a call cancelled before its run was written goes with it).
      if (this.exited || this.killed || this.running?.id !== id) return;
      let room = SOURCE_CHARS_PER_TURN - made;
      made = 0;
      if (list !== undefined) {
        room -= list.add(room);
        if (list.text === undefined) return void setImmediate(step);
        missing.push({ hash: key, source: keepGraphText(key, list.text) });
        list = undefined;
      }
      while (room > 0 && next < missing.length) {
        const m = missing[next]!;
        if (!encode) {
          encode = this.channel.blobInSlices(m.hash, m.source);
          left = m.source.length;
        }
        const before = left;
        left = encode(room);
        room -= before - left;
        if (left === 0) {
          if (m.hash !== key || m.source.length <= MAX_KEPT_GRAPH_CHARS) this.held.add(m.hash);
          encode = undefined;
          next++;
        }
      }
      // The graph's list, when it was among them, went too (a list the process does not keep is not held).
      if (next === missing.length) run(true);
      else setImmediate(step);
    };
    step();
  }

  /**
   * Ends a process that broke the protocol: it is not trusted with anything any more, and nothing more it
   * wrote is read (frames already received or on their way until its exit would each be parsed).
   */
  stop(why: string): void {
    this.stoppedBecause ??= why;
    this.channel.discard();
    this.kill();
  }

  settle(id: number, outcome: InvocationOutcome): void {
    const running = this.running;
    if (!running || running.id !== id) return;
    this.running = undefined;
    clearTimeout(running.hardStop);
    // A cancelled call the process ended (as at its deadline) is CANCELLED; one that had finished keeps its result.
    running.resolve(unlessCancelled(running.cancelled, outcome));
    this.refresh();
  }

  /** Keeps the host alive only while a call is in flight here. */
  refresh(): void {
    if (this.running) {
      this.child.ref();
      this.socket.ref();
    } else {
      this.child.unref();
      this.socket.unref();
    }
  }

  kill(): void {
    this.killed = true;
    if (!this.exited) this.child.kill("SIGKILL");
  }

  /** Lets an idle process end on its own (it exits when its channel closes), killed if it does not. */
  retire(): void {
    if (this.exited) return;
    this.channel.end();
    setTimeout(() => this.kill(), 5000).unref();
  }
}

/**
 * The worker pool as sandbox processes, one per worker: the runtime's process never runs tenant code, an
 * out-of-memory abort ends only the process of the call that caused it, and a call that runs no guard
 * past its deadline is stopped by killing its process (a new one takes its place).
 */
export class ProcessPool implements SandboxPool {
  /** Least recently used first: calls take from the end, the reaper looks at the start. */
  private readonly idle: WorkerProcess[] = [];
  private readonly reaper: NodeJS.Timeout;
  private readonly cpuWatch: NodeJS.Timeout;
  private readonly all = new Set<WorkerProcess>();
  private nextId = 1;
  private readonly launch: SandboxLaunch;

  constructor(private readonly options: PoolOptions) {
    // Decided once, before any process starts: a host that cannot drop to an unprivileged user throws here.
    // The entry compiles the sandbox's code under a name of its own (sandbox-entry.ts): both CommonJS.
    this.launch = sandboxLaunch(siblingEntry("sandbox-entry", ".cjs"), {
      memoryLimitMb: options.memoryLimitMb,
      heapHeadroomMb: PROCESS_HEAP_HEADROOM_MB,
      ...(options.sandboxUser ? { user: options.sandboxUser } : {}),
      code: siblingEntry("worker-process", ".cjs"),
    });
    for (let i = 0; i < options.minThreads; i++) this.makeIdle(this.spawn());
    this.reaper = setInterval(() => this.reapIdle(), Math.min(10_000, Math.max(50, options.idleWorkerMs / 2)));
    this.reaper.unref();
    this.cpuWatch = setInterval(() => this.checkIdleCpu(), IDLE_CPU_CHECK_MS);
    this.cpuWatch.unref();
  }

  get workers(): number {
    return this.all.size;
  }

  /** Processes beyond minThreads that have been idle for idleWorkerMs end (a burst's extra processes). */
  private reapIdle(): void {
    const now = performance.now();
    while (this.all.size > this.options.minThreads && this.idle.length > 0) {
      const oldest = this.idle[0]!;
      if (!oldest.exited && now - oldest.idleSince < this.options.idleWorkerMs) break;
      this.idle.shift();
      this.all.delete(oldest);
      oldest.retire();
    }
  }

  /**
   * Idle processes that used more than IDLE_CPU_SHARE of a core (and IDLE_CPU_MIN_MS) since the last look, having
   * served no call in between, are stopped. One /proc read per idle process per second, none on a call's path.
   */
  private checkIdleCpu(): void {
    const now = performance.now();
    for (const proc of this.idle) {
      // Its first seconds are its start's (the ready realms it makes): looked at from then on.
      if (proc.exited || proc.killed || proc.running || !proc.isReady || now - proc.readyAt < 2 * IDLE_CPU_CHECK_MS) continue;
      const cpuMs = proc.cpuMs();
      if (cpuMs === undefined) continue;
      const last = proc.idleCpu;
      proc.idleCpu = { cpuMs, at: now, uses: proc.uses };
      if (!last || last.uses !== proc.uses) continue;
      const used = cpuMs - last.cpuMs;
      if (used > Math.max(IDLE_CPU_MIN_MS, IDLE_CPU_SHARE * (now - last.at))) proc.stop(`used ${Math.round(used)} ms of CPU in ${Math.round(now - last.at)} ms while idle`);
    }
  }

  private makeIdle(proc: WorkerProcess): void {
    proc.idleSince = performance.now();
    this.idle.push(proc);
  }

  /** What the OS layer enforces on this pool's processes (see SECURITY.md). */
  get osLayers(): SandboxLaunch["layers"] {
    return this.launch.layers;
  }

  private spawn(): WorkerProcess {
    const proc = new WorkerProcess(this.options, this.launch, (dead) => {
      this.all.delete(dead);
      const at = this.idle.indexOf(dead);
      if (at >= 0) this.idle.splice(at, 1);
    });
    this.all.add(proc);
    return proc;
  }

  /**
   * The scheduler admits at most maxThreads calls at once, so a process is always free or can be made.
   * A call whose process could not start is run once more on a new process. A call that was handed to a
   * ready process is never run again, whatever happened to it: a crash it caused (a V8 bug a tenant found)
   * must not run the tenant's code twice, nor hold the caller past its timeout and grace.
   */
  async run(task: PoolTask, tenant: string, signal?: AbortSignal): Promise<InvocationOutcome> {
    const first = await this.runOnce(task, task.limits.timeout, tenant, signal);
    if (first.retryable && !signal?.aborted) return (await this.runOnce(task, task.limits.timeout, tenant, signal)).outcome;
    return first.outcome;
  }

  /**
   * An idle process for the call. With processPerTenant, one that served this tenant before or a fresh one:
   * a process some other tenant's call ran in is never handed this tenant's sources, arguments and tools
   * (after an escape from the realm, that process would be the attacker's); the oldest idle process of
   * another tenant makes room.
   */
  private take(tenant: string): WorkerProcess {
    if (!this.options.processPerTenant) {
      let proc = this.idle.pop();
      while (proc && (proc.exited || proc.killed)) proc = this.idle.pop();
      return proc ?? this.spawn();
    }
    for (let i = this.idle.length - 1; i >= 0; i--) {
      const proc = this.idle[i]!;
      if (proc.exited || proc.killed || (proc.tenant !== undefined && proc.tenant !== tenant)) continue;
      this.idle.splice(i, 1);
      proc.tenant = tenant;
      return proc;
    }
    while (this.all.size >= this.options.maxThreads) {
      const other = this.idle.find((proc) => proc.tenant !== tenant);
      if (!other) break;
      this.idle.splice(this.idle.indexOf(other), 1);
      this.all.delete(other);
      other.retire();
    }
    const proc = this.spawn();
    proc.tenant = tenant;
    return proc;
  }

  private async runOnce(task: PoolTask, timeoutMs: number, tenant: string, signal?: AbortSignal): Promise<{ outcome: InvocationOutcome; retryable: boolean }> {
    if (signal?.aborted) return { outcome: cancelledOutcome(), retryable: false };
    const proc = this.take(tenant);
    const id = this.nextId++;
    let running!: Running;
    const outcome = new Promise<InvocationOutcome>((resolve) => {
      // Until it is ready, a start timeout (the call's own time and a margin) stands in for the hard stop.
      const hardStop = proc.isReady ? undefined : setTimeout(() => proc.kill(), Math.min(START_TIMEOUT_MS, timeoutMs + this.options.hardStopGraceMs + 5000));
      const { maxOutputBytes, maxLogBytes, maxToolCalls, maxToolArgBytes } = task.limits;
      const maxFrameBytes = Math.min(2 ** 31, JSON_GROWTH * (maxOutputBytes + maxLogBytes + maxToolArgBytes) + FRAME_ENVELOPE_BYTES);
      const hardStopMs = timeoutMs + this.options.hardStopGraceMs;
      running = { id, invocationId: task.invocationId, maxOutputBytes, maxToolCalls, maxToolArgBytes, maxFrameBytes, maxLogBytes, timeoutMs, resolve, hardStop, stopped: false, cancelled: false, toolCalls: 0, sent: false, sentAt: 0, hardStopMs };
      proc.running = running;
    });
    // Cancelled: the process is asked to end the call (one waiting on a tool, a timer or a promise ends at once,
    // and the process serves on); code that runs no guard's way out keeps it busy, and it is killed after the
    // grace, as at a hard stop. A call not handed over yet (its process still starting) goes with the process.
    const cancel = () => {
      if (proc.running !== running) return;
      running.cancelled = true;
      if (!running.sent) return proc.kill();
      proc.send({ t: "cancel", invocationId: running.invocationId });
      proc.hardStopAt(running, Math.min(running.sentAt + running.hardStopMs, performance.now() + this.options.hardStopGraceMs));
    };
    signal?.addEventListener("abort", cancel, { once: true });
    void outcome.finally(() => signal?.removeEventListener("abort", cancel));
    proc.refresh();
    // A process that said it is ready takes the call in this same turn (no wait on `ready`).
    const started = proc.isReady || (await proc.ready);
    if (!started || proc.exited || proc.running !== running) {
      if (proc.running === running) proc.settle(id, failure("INTERNAL_ERROR", "the sandbox process could not start"));
      return { outcome: await outcome, retryable: true };
    }
    clearTimeout(running.hardStop);
    running.hardStop = undefined;
    proc.start(running, task);
    const result = await outcome;
    proc.restorePriority();
    if (proc.retiring) {
      // Its heap keeps more than the next call can be denied: a fresh process takes its place.
      proc.retire();
      this.makeIdle(this.spawn());
    } else if (!proc.exited && !proc.killed) this.makeIdle(proc);
    return { outcome: result, retryable: false };
  }

  async destroy(): Promise<void> {
    clearInterval(this.reaper);
    clearInterval(this.cpuWatch);
    await Promise.all(
      [...this.all].map(
        (proc) =>
          new Promise<void>((resolve) => {
            if (proc.exited) return resolve();
            proc.child.once("exit", () => resolve());
            proc.child.ref();
            proc.retire();
            setTimeout(() => proc.kill(), 5000).unref();
          }),
      ),
    );
  }
}
