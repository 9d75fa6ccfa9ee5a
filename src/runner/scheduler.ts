import { RuntimeError } from "../errors.js";

/**
 * A running job's hold on its lane: `park()` while it waits on something outside the worker; `resume()`
 * resolves once it may use a core again (at once, or when the limits have room: first in line).
 */
export interface Lane {
  park(): void;
  resume(): Promise<void>;
  /**
   * The parked job is using a core after all (its worker was seen busy while it waited): it counts as running
   * again at once, past the limits if it must be, and jobs not started wait for it.
   */
  reclaim(): void;
}

/** A parked job whose wait ended, waiting for a core under the limits. */
interface Resumer {
  tenant: TenantQueue;
  go(): void;
}

type Job<T> = (lane: Lane) => Promise<T>;

interface Queued {
  start: () => void;
}

interface TenantQueue {
  key: string;
  running: number;
  /** Of `running`, the jobs parked now. */
  parked: number;
  waiting: Queued[];
}

/** A call whose signal was aborted before it started: it never ran. */
export function cancelledBeforeStart(): RuntimeError {
  return new RuntimeError("CANCELLED", "the call was cancelled before it started");
}

/**
 * Admits at most `concurrency` jobs at a time (one per worker) and at most `perTenant` of them for one
 * tenant, and queues the rest (`maxQueue` in all). Queues are per tenant and served round-robin, so a
 * tenant that floods the runtime waits behind itself, not in front of everyone else. An invocation's
 * clock starts when it is admitted, not when it was submitted.
 *
 * Round-robin alone cannot help a tenant that arrives while another's long calls hold every worker: it
 * would wait for one of them to end (a 200 ms timeout made its p99 169x its p99 alone). So a tenant with
 * nothing running or waiting starts at once on one of `spareLanes` spare workers, beyond `concurrency`;
 * everyone else waits for a regular one. Work-conserving: a tenant alone still gets every worker.
 *
 * A job parked on a tool call (the platform's database, an HTTP API) holds a worker but no core: it does not
 * count against `concurrency` or `perTenant` while parked, so up to `parkLanes` more jobs may start on
 * further workers. Without them a pool of 2 workers whose hooks each waited ~6 ms on a PostgreSQL commit
 * ran 2 hooks at a time on idle cores (346 req/s in the service where SQLite made 781). A parked job takes
 * a core back before it goes on (its tool's answer waits for `resume()`): while `concurrency` or its
 * tenant's `perTenant` is full it waits, ahead of jobs not started yet, so parking never lets a tenant run
 * more than its limits at once. A job on a spare lane resumes at once (it was admitted beyond them).
 */
export class Scheduler {
  private running = 0;
  /** Jobs running on spare lanes (counted in `running` too). */
  private spare = 0;
  /** Jobs parked now (counted in `running` too). */
  private parked = 0;
  /** Parked jobs whose wait ended, in the order they asked for a core. */
  private readonly resuming: Resumer[] = [];
  private queued = 0;
  private readonly tenants = new Map<string, TenantQueue>();
  /** Tenants with waiting jobs, in the order they will be served. */
  private readonly ring: TenantQueue[] = [];
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxQueue: number,
    private readonly perTenant: number = concurrency,
    private readonly spareLanes = 0,
    private readonly parkLanes = 0,
  ) {}

  /**
   * Runs the job when a lane is free. `signal`: aborted while the job waits, it leaves the queue and the
   * promise rejects with CANCELLED (a job that started sees the signal itself).
   */
  submit<T>(key: string, job: Job<T>, signal?: AbortSignal): Promise<T> {
    if (this.closed) return Promise.reject(new RuntimeError("CLOSED", "the runtime is closed"));
    if (signal?.aborted) return Promise.reject(cancelledBeforeStart());
    const tenant = this.tenant(key);
    if (tenant.waiting.length === 0 && this.tenantHasRoom(tenant)) {
      if (this.hasRoom()) return this.start(tenant, job, false);
      if (tenant.running === 0 && this.spare < this.spareLanes) return this.start(tenant, job, true);
    }
    if (this.queued >= this.maxQueue) {
      return Promise.reject(new RuntimeError("QUEUE_FULL", `the invocation queue is full (maxQueue ${this.maxQueue})`));
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        const at = tenant.waiting.indexOf(entry);
        if (at < 0) return;
        tenant.waiting.splice(at, 1);
        this.queued--;
        if (tenant.waiting.length === 0) {
          this.ring.splice(this.ring.indexOf(tenant), 1);
          if (tenant.running === 0) this.tenants.delete(tenant.key);
        }
        if (this.running === 0 && this.queued === 0) this.notifyIdle();
        reject(new RuntimeError("CANCELLED", "the call was cancelled while it waited for a worker"));
      };
      const entry: Queued = {
        start: () => {
          signal?.removeEventListener("abort", onAbort);
          this.start(tenant, job, false).then(resolve, reject);
        },
      };
      tenant.waiting.push(entry);
      this.queued++;
      if (tenant.waiting.length === 1) this.ring.push(tenant);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Jobs running and waiting, and how many can run at once. */
  load(): { running: number; queued: number; capacity: number } {
    return { running: this.running, queued: this.queued, capacity: this.concurrency };
  }

  private tenant(key: string): TenantQueue {
    let tenant = this.tenants.get(key);
    if (!tenant) this.tenants.set(key, (tenant = { key, running: 0, parked: 0, waiting: [] }));
    return tenant;
  }

  /** Fewer jobs than `concurrency` use a core (parked ones do not). */
  private coreLeft(): boolean {
    return this.running - this.parked < this.concurrency;
  }

  /** Fewer of the tenant's jobs than `perTenant` use a core. */
  private tenantCoreLeft(tenant: TenantQueue): boolean {
    return tenant.running - tenant.parked < this.perTenant;
  }

  /** A regular lane is free: a core, and a worker for one more job. */
  private hasRoom(): boolean {
    return this.coreLeft() && this.running - this.spare < this.concurrency + this.parkLanes;
  }

  private tenantHasRoom(tenant: TenantQueue): boolean {
    return this.tenantCoreLeft(tenant) && tenant.running < this.perTenant + this.parkLanes;
  }

  /** One more job of `tenant` may use a core (a parked job resuming). */
  private coreFree(tenant: TenantQueue): boolean {
    return this.coreLeft() && this.tenantCoreLeft(tenant);
  }

  private start<T>(tenant: TenantQueue, job: Job<T>, spare: boolean): Promise<T> {
    this.running++;
    if (spare) this.spare++;
    tenant.running++;
    let parked = false;
    let finished = false;
    let waiting: (Resumer & { resumed: Promise<void> }) | undefined;
    const unpark = () => {
      parked = false;
      this.parked--;
      tenant.parked--;
    };
    const lane: Lane = {
      park: () => {
        if (parked || finished) return;
        parked = true;
        this.parked++;
        tenant.parked++;
        this.dispatch();
      },
      resume: () => {
        if (!parked || finished) return Promise.resolve();
        if (waiting) return waiting.resumed;
        if (spare || this.coreFree(tenant)) {
          unpark();
          return Promise.resolve();
        }
        let resolve!: () => void;
        const resumed = new Promise<void>((r) => (resolve = r));
        waiting = {
          tenant,
          resumed,
          go: () => {
            waiting = undefined;
            unpark();
            resolve();
          },
        };
        this.resuming.push(waiting);
        return resumed;
      },
      reclaim: () => {
        if (!parked || finished) return;
        if (waiting) {
          this.resuming.splice(this.resuming.indexOf(waiting), 1);
          waiting.go();
        } else unpark();
      },
    };
    const done = () => {
      if (waiting) {
        this.resuming.splice(this.resuming.indexOf(waiting), 1);
        waiting.go();
      } else if (parked) unpark();
      finished = true;
      this.running--;
      if (spare) this.spare--;
      tenant.running--;
      if (tenant.running === 0 && tenant.waiting.length === 0) this.tenants.delete(tenant.key);
      this.dispatch();
      if (this.running === 0 && this.queued === 0) this.notifyIdle();
    };
    let promise: Promise<T>;
    try {
      promise = job(lane);
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(done, done);
    return promise;
  }

  /** Starts waiting jobs while workers are free: the next tenant in the ring that is under its own limit. */
  private dispatch(): void {
    // Parked jobs whose wait ended take their cores back first.
    for (let i = 0; i < this.resuming.length; ) {
      const next = this.resuming[i]!;
      if (!this.coreFree(next.tenant)) i++;
      else {
        this.resuming.splice(i, 1);
        next.go();
      }
    }
    let scanned = 0;
    while (this.hasRoom() && this.ring.length > 0 && scanned < this.ring.length) {
      const tenant = this.ring.shift()!;
      if (!this.tenantHasRoom(tenant)) {
        this.ring.push(tenant);
        scanned++;
        continue;
      }
      scanned = 0;
      const next = tenant.waiting.shift()!;
      this.queued--;
      if (tenant.waiting.length > 0) this.ring.push(tenant);
      next.start();
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Stops admitting work; resolves when everything admitted or queued before has finished. */
  close(): Promise<void> {
    this.closed = true;
    if (this.running === 0 && this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

}
