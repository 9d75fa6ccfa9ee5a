import type { MessagePort } from "node:worker_threads";
import { Piscina } from "piscina";
import { cancelledOutcome, failedOutcome as failure, siblingEntry, unlessCancelled, type InvocationOutcome, type InvocationTask, type PoolTask, type ToolPortMessage, type ToolRequest, type WorkerSettings } from "./protocol.js";
import type { PoolOptions, SandboxPool } from "./sandbox-pool.js";
import { VM_MODULES_FLAG } from "./dynamic-import.js";

/**
 * The piscina pool of sandbox workers. Each worker is a resource boundary: a heap limit, a scrubbed
 * environment, no inherited flags (one of its own: dynamic-import.ts). A worker that cannot be interrupted is terminated (abort) and replaced.
 */
export class WorkerPool implements SandboxPool {
  private readonly piscina: Piscina;
  private readonly stopFlags: Int32Array;
  private readonly freeSlots: number[] = [];
  private readonly hardStopGraceMs: number;

  constructor(options: PoolOptions) {
    // One slot per invocation that can run at once (one per thread); the guards in tenant code poll theirs.
    const stopFlags = new SharedArrayBuffer(4 * options.maxThreads);
    this.stopFlags = new Int32Array(stopFlags);
    for (let slot = options.maxThreads - 1; slot >= 0; slot--) this.freeSlots.push(slot);
    this.hardStopGraceMs = options.hardStopGraceMs;
    const settings: WorkerSettings = { readyContexts: options.readyContexts, stopFlags };
    this.piscina = new Piscina({
      filename: siblingEntry("worker"),
      minThreads: options.minThreads,
      maxThreads: options.maxThreads,
      // The runtime queues work itself (fairly, with its own limit) and hands piscina only what can start.
      maxQueue: Number.MAX_SAFE_INTEGER,
      concurrentTasksPerWorker: 1,
      // 'async' keeps the worker's event loop running between tasks, so it can refill ready contexts.
      atomics: "async",
      idleTimeout: options.idleWorkerMs,
      resourceLimits: {
        maxOldGenerationSizeMb: options.memoryLimitMb,
        maxYoungGenerationSizeMb: Math.min(32, Math.max(4, Math.floor(options.memoryLimitMb / 4))),
        stackSizeMb: 4,
      },
      env: {},
      argv: [],
      // The one flag: a native import() in a realm must reach its script's callback (dynamic-import.ts).
      execArgv: [VM_MODULES_FLAG],
      workerData: settings,
      trackUnmanagedFds: true,
    });
    this.piscina.on("message", (message: ToolPortMessage) => {
      if (message && message.type === "tenantbox:tool-port") this.listen(message.port, options.onToolRequest);
    });
    // A worker that dies (out of memory, terminated) surfaces through its task; the pool must not throw.
    this.piscina.on("error", () => {});
  }

  private listen(port: MessagePort, onToolRequest: PoolOptions["onToolRequest"]): void {
    port.on("message", (request: ToolRequest) => onToolRequest(request, (reply) => port.postMessage(reply)));
    port.unref();
  }

  /**
   * Runs one task; never rejects: pool-level failures become outcomes with a code. At the deadline the
   * task's stop flag is raised (the tenant's guards throw TIMEOUT); if the worker still has not answered
   * after the grace period, it is terminated and piscina replaces it.
   */
  async run(request: PoolTask, _tenant?: string, signal?: AbortSignal): Promise<InvocationOutcome> {
    const timeoutMs = request.limits.timeout;
    if (signal?.aborted) return cancelledOutcome();
    const slot = this.freeSlots.pop();
    if (slot === undefined) return failure("INTERNAL_ERROR", "no stop slot is free");
    Atomics.store(this.stopFlags, slot, 0);
    const task: InvocationTask = { ...request, stopSlot: slot };
    const abort = new AbortController();
    // A little after the worker's own deadline, so the worker's clean TIMEOUT normally wins.
    // Raised, the flag ends the call: its guards throw, and the worker thread, notified, ends one that waits.
    const raise = () => {
      Atomics.store(this.stopFlags, slot, task.invocationId);
      Atomics.notify(this.stopFlags, slot);
    };
    const softStop = setTimeout(raise, timeoutMs + 10);
    const hardStopAt = performance.now() + timeoutMs + this.hardStopGraceMs;
    let hardStop = setTimeout(() => abort.abort(), timeoutMs + this.hardStopGraceMs);
    // Cancelled: the stop flag now (the guards end the call), the worker terminated if it is still running after
    // the grace (or at its own hard stop, if that comes first).
    let cancelled = false;
    const cancel = () => {
      cancelled = true;
      raise();
      clearTimeout(hardStop);
      hardStop = setTimeout(() => abort.abort(), Math.max(0, Math.min(hardStopAt, performance.now() + this.hardStopGraceMs) - performance.now()));
    };
    signal?.addEventListener("abort", cancel, { once: true });
    try {
      const outcome = (await this.piscina.run(task, { signal: abort.signal })) as InvocationOutcome;
      return unlessCancelled(cancelled, outcome);
    } catch (error) {
      if (cancelled) return cancelledOutcome({ hardStop: true });
      if (abort.signal.aborted) {
        return failure("TIMEOUT", `invocation exceeded its ${task.limits.timeout} ms timeout`, { hardStop: true });
      }
      const code = (error as { code?: unknown } | null)?.code;
      if (code === "ERR_WORKER_OUT_OF_MEMORY") {
        return failure("MEMORY_LIMIT_EXCEEDED", "invocation exceeded the worker memory limit and its worker was stopped");
      }
      return failure("INTERNAL_ERROR", "the sandbox worker stopped unexpectedly");
    } finally {
      signal?.removeEventListener("abort", cancel);
      clearTimeout(softStop);
      clearTimeout(hardStop);
      this.freeSlots.push(slot);
    }
  }

  get workers(): number {
    return this.piscina.threads.length;
  }

  async destroy(): Promise<void> {
    await this.piscina.destroy();
  }
}
