import type { InvocationOutcome, PoolTask, ToolReply, ToolRequest } from "./protocol.js";
import type { SandboxUser } from "./sandbox-os.js";

/**
 * Where invocations run: the piscina pool of worker threads (WorkerPool, pool.ts) or sandbox processes
 * (ProcessPool, process-pool.ts). The runtime holds one and sees nothing else of it.
 */
export interface SandboxPool {
  /**
   * Runs one invocation to its outcome. Never rejects: a worker that dies or must be stopped becomes an
   * outcome with a code. Stops the invocation at `task.limits.timeout`, and its worker that much plus
   * `hardStopGraceMs` later if it did not stop. `signal` aborted: the invocation ends CANCELLED (its worker is
   * asked to end it, and is stopped itself if it has not within the grace).
   */
  run(task: PoolTask, tenant: string, signal?: AbortSignal): Promise<InvocationOutcome>;
  /** Workers started now (busy or idle). */
  readonly workers: number;
  /** Ends every worker; resolves when they are gone. */
  destroy(): Promise<void>;
}

export interface PoolOptions {
  minThreads: number;
  maxThreads: number;
  memoryLimitMb: number;
  readyContexts: number;
  /** Time after the deadline before a worker that did not stop is terminated (ms). */
  hardStopGraceMs: number;
  /** A worker beyond minThreads idle this long is stopped (ms). */
  idleWorkerMs: number;
  /** Who sandbox processes run as when the host is root (default nobody/nogroup); worker threads ignore it. */
  sandboxUser?: SandboxUser;
  /** A sandbox process serves one tenant for its whole life (worker threads ignore it). */
  processPerTenant?: boolean;
  /**
   * Called on the runtime's main thread for every tool call (tool-dispatch.ts); the reply goes back on `reply`.
   * `cpuMs`, where the pool can tell: the CPU time (ms) the calling worker has used so far.
   */
  onToolRequest(request: ToolRequest, reply: (message: ToolReply) => void, cpuMs?: () => number | undefined): void;
}
