import { ServiceError } from "../service-error.js";

/** How long a tenant's counted backlog is trusted before it is counted again (the jobs that finished meanwhile come off). */
const RECOUNT_MS = 1000;

/**
 * A tenant's queued events stop at its `maxQueuedEvents`: handler jobs not yet finished (waiting, waiting
 * for a retry, running). Without it one tenant could fill the service's disk (or Redis's memory) with
 * events faster than its handlers run. The backlog is counted in the queue at most once a second per
 * tenant and process; the events accepted since are added to that count, so one process never goes
 * past the limit, and several sharing a queue go past it by at most what they accept within a second.
 */
export class BacklogGate {
  private readonly counted = new Map<string, { jobs: number; at: number }>();
  /** A count on its way, per tenant: requests that arrive meanwhile wait for it instead of counting again. */
  private readonly counting = new Map<string, Promise<void>>();

  constructor(
    private readonly count: (tenant: string, atMost: number) => Promise<number>,
    private readonly now: () => number,
  ) {}

  /** Takes room for `jobs` more handler jobs, or refuses with 429 TOO_MANY_QUEUED. */
  async admit(tenant: string, jobs: number, limit: number): Promise<void> {
    let entry = this.counted.get(tenant);
    if (!entry || this.now() - entry.at >= RECOUNT_MS) {
      let pending = this.counting.get(tenant);
      if (!pending) {
        const at = this.now();
        pending = this.count(tenant, limit + 1)
          .then((jobs) => void this.counted.set(tenant, { jobs, at }))
          .finally(() => this.counting.delete(tenant));
        this.counting.set(tenant, pending);
      }
      await pending;
      entry = this.counted.get(tenant)!;
    }
    if (entry.jobs + jobs > limit) {
      throw new ServiceError("TOO_MANY_QUEUED", `the tenant's queued events wait on ${entry.jobs} unfinished handler jobs, at most ${limit} (maxQueuedEvents): try again once some have run`, RECOUNT_MS);
    }
    entry.jobs += jobs;
  }
}
