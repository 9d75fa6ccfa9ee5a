import { RuntimeError } from "../errors.js";

type Job<T> = () => Promise<T>;

interface Queued {
  start: () => void;
}

/**
 * Admits at most `concurrency` jobs at a time (one per worker) and queues up to `maxQueue` more,
 * so an invocation's clock starts when a worker is free, not when it was submitted.
 */
export class Scheduler {
  private running = 0;
  private readonly queue: Queued[] = [];
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxQueue: number,
  ) {}

  submit<T>(job: Job<T>): Promise<T> {
    if (this.closed) return Promise.reject(new RuntimeError("CLOSED", "the runtime is closed"));
    if (this.running < this.concurrency) return this.start(job);
    if (this.queue.length >= this.maxQueue) {
      return Promise.reject(new RuntimeError("QUEUE_FULL", `the invocation queue is full (maxQueue ${this.maxQueue})`));
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ start: () => this.start(job).then(resolve, reject) });
    });
  }

  private start<T>(job: Job<T>): Promise<T> {
    this.running++;
    const done = () => {
      this.running--;
      const next = this.queue.shift();
      if (next) next.start();
      else if (this.running === 0) this.notifyIdle();
    };
    let promise: Promise<T>;
    try {
      promise = job();
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(done, done);
    return promise;
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Stops admitting work; resolves when everything admitted or queued before has finished. */
  close(): Promise<void> {
    this.closed = true;
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get queued(): number {
    return this.queue.length;
  }

  get active(): number {
    return this.running;
  }
}
