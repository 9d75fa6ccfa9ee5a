import { Worker } from "node:worker_threads";
import { siblingEntry } from "../runner/protocol.js";
import { DataError } from "./document-rules.js";
import { closeThread } from "./close-thread.js";

/** A call posted to a service thread; `maxBytes`: the tenant's storage quota, for a store's writes. */
export interface ThreadCall {
  id: number;
  method: string;
  args: unknown[];
  maxBytes?: number;
}

export type ThreadAnswer = { id: number; value: unknown } | { id: number; error: { name: string; message: string; code?: string } };

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** What a thread answers for a call that failed: its error's name, message and code, as plain data. */
export function answerOf(id: number, error: unknown): ThreadAnswer {
  const { name, message, code } = (error ?? {}) as { name?: unknown; message?: unknown; code?: unknown };
  return { id, error: { name: String(name ?? "Error"), message: String(message ?? error), ...(typeof code === "string" ? { code } : {}) } };
}

/**
 * Calls to a thread of the service's own (a built entry in dist/, started on the first call): the main thread
 * posts a call and takes the answer, the thread does the work (invariant 8). A DataError keeps its class (the
 * data tools answer it to the tenant); anything else is the thread's own failure. A thread that stops fails the
 * calls it held, and the next call starts a new one; only a call in flight keeps the process alive.
 */
export class ThreadCalls {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly entry: string,
    /** What the thread is for, in the error of a call it could not answer. */
    private readonly what: string,
    private readonly workerData?: unknown,
  ) {}

  call(method: string, args: unknown[], maxBytes?: number): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error(`the ${this.what} is closed`));
    let worker: Worker;
    try {
      worker = this.worker ??= this.start();
    } catch (error) {
      return Promise.reject(error as Error);
    }
    const id = this.nextId++;
    const message: ThreadCall = { id, method, args, ...(maxBytes !== undefined && Number.isFinite(maxBytes) ? { maxBytes } : {}) };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      try {
        worker.postMessage(message);
      } catch (error) {
        // Arguments that cannot be cloned (a tool handler's own objects): as the store would refuse them.
        this.pending.delete(id);
        if (this.pending.size === 0) worker.unref();
        reject(new DataError(`arguments cannot be stored: ${(error as Error).message}`));
      }
    });
  }

  /** The calls already posted end first (the thread takes them in order), then the thread. */
  async close(): Promise<void> {
    this.closed = true;
    await closeThread(this.worker);
  }

  private start(): Worker {
    const worker = new Worker(siblingEntry(this.entry), { workerData: this.workerData, env: {}, argv: [], execArgv: [] });
    worker.unref();
    worker.on("message", (answer: ThreadAnswer) => {
      const pending = this.pending.get(answer.id);
      this.pending.delete(answer.id);
      if (this.pending.size === 0) worker.unref();
      if (!pending) return;
      if (!("error" in answer)) return pending.resolve(answer.value);
      const { name, message, code } = answer.error;
      pending.reject(name === "DataError" ? new DataError(message) : Object.assign(new Error(message), code === undefined ? {} : { code }));
    });
    const gone = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const lost = new Error(`the ${this.what}'s thread stopped: ${reason}`);
      for (const pending of this.pending.values()) pending.reject(lost);
      this.pending.clear();
    };
    worker.on("error", (error) => gone(error.message));
    worker.on("exit", (code) => gone(`it exited (${code})`));
    return worker;
  }
}
