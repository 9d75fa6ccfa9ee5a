import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ErrorInfo } from "../errors.js";
import type { PoolOptions } from "./pool.js";
import type { HostMessage, PoolHostMessage } from "./process-protocol.js";
import type { InvocationOutcome, InvocationTask } from "./protocol.js";

/** After this many hard stops a sandbox process is replaced: terminate() may leave a native loop spinning. */
const RECYCLE_AFTER_HARD_STOPS = 4;
/** Beyond timeout + grace, a sandbox process that has not answered is killed (it is wedged). */
const WEDGED_AFTER_MS = 5000;

function hostFile(): string {
  const self = fileURLToPath(import.meta.url);
  return path.join(path.dirname(self), "pool-host" + path.extname(self));
}

function withDetails(outcome: InvocationOutcome, details: Record<string, unknown>): InvocationOutcome {
  outcome.error!.details = details;
  return outcome;
}

function failure(code: ErrorInfo["code"], message: string): InvocationOutcome {
  return { ok: false, error: { code, name: "RuntimeError", message }, logs: [], stats: { durationMs: 0, toolCalls: 0, logBytes: 0, realmUses: 0 } };
}

interface Pending {
  resolve: (outcome: InvocationOutcome) => void;
  watchdog: NodeJS.Timeout;
  /** Its deadline passed long ago and the process stopped answering: it ends as TIMEOUT. */
  wedged?: boolean;
  timeoutMs: number;
}

/** One sandbox process and the runs it has in flight. */
class SandboxProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<boolean>;
  readonly pending = new Map<number, Pending>();
  hardStops = 0;
  /** Runs waiting for the process to be ready: they keep the host alive too. */
  starting = 0;
  retiring = false;
  exited = false;

  constructor(options: PoolOptions, onExit: (proc: SandboxProcess) => void) {
    // An empty environment and no inherited flags: the sandbox process starts from nothing of the host's.
    this.child = fork(hostFile(), [], { execArgv: [], env: {}, serialization: "json", stdio: ["ignore", "ignore", "ignore", "ipc"] });
    this.ready = new Promise<boolean>((resolve) => {
      this.child.once("message", (message: PoolHostMessage) => resolve(message.t === "ready"));
      this.child.once("exit", () => resolve(false));
    });
    this.child.on("message", (message: PoolHostMessage) => {
      if (message.t === "result") this.settle(message.id, message.outcome);
      else if (message.t === "tool") {
        options.onToolRequest(message.request, (reply) => this.send({ t: "tool-reply", key: message.key, reply }));
      }
    });
    this.child.on("error", () => {});
    this.child.on("exit", (code, signal) => {
      this.exited = true;
      // SIGABRT is how V8 ends a process whose heap ran out where a worker could not be stopped cleanly.
      // Which of the runs in flight caused it cannot be told: alone, a run is the cause; with others, each
      // is told the process was lost under it (sandboxAbort), not that it ran out of memory itself.
      const oom = signal === "SIGABRT" || code === 134;
      const alone = this.pending.size === 1;
      const outcome = oom && alone
        ? failure("MEMORY_LIMIT_EXCEEDED", "invocation exceeded the memory limit and its sandbox process was stopped")
        : oom
          ? withDetails(failure("INTERNAL_ERROR", "the sandbox process ran out of memory while this invocation ran (it may not be the cause)"), { sandboxAbort: true })
          : failure("INTERNAL_ERROR", "the sandbox process stopped unexpectedly");
      for (const [id, pending] of [...this.pending]) {
        const own = pending.wedged ? failure("TIMEOUT", `invocation exceeded its ${pending.timeoutMs} ms timeout`) : outcome;
        if (pending.wedged) own.error!.details = { hardStop: true };
        this.settle(id, own);
      }
      onExit(this);
    });
    const { onToolRequest: _tools, ...plain } = options;
    this.send({ t: "init", options: plain });
    this.refresh();
  }

  send(message: HostMessage): void {
    if (!this.exited && this.child.connected) this.child.send(message);
  }

  settle(id: number, outcome: InvocationOutcome): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    clearTimeout(pending.watchdog);
    if (outcome.error?.details?.hardStop === true && ++this.hardStops >= RECYCLE_AFTER_HARD_STOPS) this.retiring = true;
    pending.resolve(outcome);
    this.refresh();
  }

  /** Keeps the host process alive only while runs are in flight; kills a retiring process once drained. */
  refresh(): void {
    if (this.retiring && this.pending.size === 0 && this.starting === 0) {
      this.kill();
      return;
    }
    const channel = this.child.channel as { ref(): void; unref(): void } | undefined;
    if (this.pending.size > 0 || this.starting > 0) {
      this.child.ref();
      channel?.ref();
    } else {
      this.child.unref();
      channel?.unref();
    }
  }

  kill(): void {
    if (!this.exited) this.child.kill("SIGKILL");
  }
}

/**
 * The worker pool, one process away: the runtime's process never hosts a sandbox thread, so no tenant can
 * take it down. A sandbox process that dies fails its runs (MEMORY_LIMIT_EXCEEDED for an out-of-memory
 * abort) and is replaced on the next call; one that had to hard-stop workers several times is drained and
 * replaced, so threads that terminate() could not stop never pile up.
 */
export class ProcessPool {
  private current: SandboxProcess | undefined;
  private readonly all = new Set<SandboxProcess>();
  private nextId = 1;

  constructor(private readonly options: PoolOptions) {
    this.current = this.spawn();
  }

  private spawn(): SandboxProcess {
    const proc = new SandboxProcess(this.options, (dead) => {
      this.all.delete(dead);
      if (this.current === dead) this.current = undefined;
    });
    this.all.add(proc);
    return proc;
  }

  async run(task: Omit<InvocationTask, "stopSlot">, timeoutMs: number): Promise<InvocationOutcome> {
    let proc = this.current;
    if (!proc || proc.exited || proc.retiring) proc = this.current = this.spawn();
    proc.starting++;
    proc.refresh();
    // A process that never says it is ready must not hold calls for ever.
    const startWatchdog = setTimeout(() => proc.kill(), 30_000);
    const started = await proc.ready;
    clearTimeout(startWatchdog);
    proc.starting--;
    if (!started) return failure("INTERNAL_ERROR", "the sandbox process could not start");
    if (proc.exited) return failure("INTERNAL_ERROR", "the sandbox process stopped unexpectedly");
    const id = this.nextId++;
    const outcome = new Promise<InvocationOutcome>((resolve) => {
      const watchdog = setTimeout(() => {
        // The process stopped answering (its event loop is stuck): kill it; its exit fails every run in it.
        const pending = proc.pending.get(id);
        if (pending) pending.wedged = true;
        proc.kill();
      }, timeoutMs + this.options.hardStopGraceMs + WEDGED_AFTER_MS);
      proc.pending.set(id, { resolve, watchdog, timeoutMs });
    });
    proc.refresh();
    proc.send({ t: "run", id, task, timeoutMs });
    return outcome;
  }

  get threads(): number {
    return this.options.maxThreads;
  }

  async destroy(): Promise<void> {
    await Promise.all(
      [...this.all].map(
        (proc) =>
          new Promise<void>((resolve) => {
            if (proc.exited) return resolve();
            proc.child.once("exit", () => resolve());
            // Keep the host alive until the sandbox process is gone.
            proc.child.ref();
            (proc.child.channel as { ref(): void } | undefined)?.ref();
            proc.send({ t: "close" });
            setTimeout(() => proc.kill(), 5000).unref();
          }),
      ),
    );
  }
}
