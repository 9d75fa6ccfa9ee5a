import { randomUUID } from "node:crypto";
import type { AttemptResult, DeadLetter, DeliveryStore, TakenJob } from "./delivery-store.js";
import { overallState, type AttemptOutcome, type DeliveryEngine, type DeliveryReport, type KeyedAnswer, type NewEvent } from "./delivery-engine.js";
import { DEAD_LETTER_TTL_MS, IDEMPOTENCY_TTL_MS, keptValue, SUCCEEDED_TTL_MS, verdict } from "./retry-policy.js";
import { queueRecentTicks, type QueueTick, type TenantSchedules } from "./schedule-ticker.js";

export interface DeliveryOptions {
  store: DeliveryStore;
  now: () => number;
  /** Attempts this process runs at once (all tenants). */
  capacity: number;
  /** A tenant's attempts this process runs at once (its concurrency quota). */
  tenantCapacity: (tenant: string) => number;
  /** How long a taken job stays this process's without a renewal: a process that died gives its jobs back after it. */
  leaseMs?: number;
  /** How often due jobs are looked for when nothing wakes the dispatcher. */
  pollMs?: number;
  /** The first retry's wait (about; jittered), doubling with each next one. Default 1 s. */
  retryBaseMs?: number;
  log: (message: string, error: unknown) => void;
  /** Each attempt's outcome, for metrics. */
  onAttempt?: (tenant: string, outcome: string) => void;
}

const DEFAULT_LEASE_MS = 15_000;
const DEFAULT_POLL_MS = 250;
const SWEEP_EVERY_MS = 60_000;

/**
 * The embedded queue of events delivered later (`"delivery": "queued"`): jobs in the service's own
 * database, survive a restart, at least once. A dispatcher takes due jobs tenant by tenant in turn (a
 * tenant with 100,000 waiting jobs gets one turn like a tenant with one), at most `capacity` at once, and
 * runs each attempt through `run` (the service's execution path: quotas, slots, permissions, audit).
 * A process that dies mid-attempt stops renewing its leases; the job comes back when its lease runs out,
 * that attempt counted (it may have run: at least once, never silently lost).
 */
export class EventDelivery implements DeliveryEngine {
  readonly name = "embedded";
  private readonly store: DeliveryStore;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly inFlight = new Map<string, TakenJob>();
  private readonly perTenant = new Map<string, number>();
  private run?: (job: TakenJob) => Promise<AttemptOutcome>;
  private timer?: NodeJS.Timeout;
  private renewTimer?: NodeJS.Timeout;
  private nextTurn = 0;
  private lastSweep = 0;
  private lastReclaim = 0;
  private dispatching = false;
  private wanted = false;
  private stopped = false;
  private readonly settled = new Set<Promise<void>>();

  constructor(private readonly options: DeliveryOptions) {
    this.store = options.store;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  }

  /** Stores the event's handler jobs; with an Idempotency-Key the tenant used within 24 h, the first delivery (nothing new is queued). */
  async enqueue(input: NewEvent): Promise<KeyedAnswer & { duplicate: boolean }> {
    const { id, created } = await this.store.add({ ...input, id: randomUUID(), at: this.options.now() });
    if (created) {
      this.wake();
      return { id, event: input.event, handlers: input.handlers.length, duplicate: false };
    }
    return { ...(await this.answer(input.tenant, id))!, duplicate: true };
  }

  async report(tenant: string, id: string): Promise<DeliveryReport | undefined> {
    const view = await this.store.delivery(tenant, id);
    if (!view) return undefined;
    return { ...view, state: overallState(view.handlers), attempts: view.handlers.reduce((sum, h) => sum + h.attempts, 0) };
  }

  async keyed(tenant: string, key: string): Promise<KeyedAnswer | undefined> {
    const id = await this.store.keyed(tenant, key);
    return id === undefined ? undefined : this.answer(tenant, id);
  }

  /** A stored delivery's answer, with its request's fingerprint. */
  private async answer(tenant: string, id: string): Promise<KeyedAnswer | undefined> {
    const view = await this.store.delivery(tenant, id);
    if (!view) return undefined;
    const fingerprint = await this.store.fingerprint(tenant, id);
    return { id: view.id, event: view.event, handlers: view.handlers.length, ...(fingerprint === undefined ? {} : { fingerprint }) };
  }

  backlog(tenant: string, atMost: number): Promise<number> {
    return this.store.backlog(tenant, atMost);
  }

  async deadLetters(tenant: string, limit: number, before?: number): Promise<DeadLetter[]> {
    return this.store.deadLetters(tenant, limit, before);
  }

  /** Queues a delivery's dead letters again, each with fresh attempts; how many (0: none failed, or no such delivery). */
  async retry(tenant: string, id: string): Promise<number | undefined> {
    const count = await this.store.retry(tenant, id, this.options.now());
    if (count) this.wake();
    return count;
  }

  counts(): ReturnType<DeliveryStore["counts"]> {
    return this.store.counts(this.options.now());
  }

  /** Each schedule's latest tick, if recent, queued (once across processes and rounds: its Idempotency-Key). */
  keepSchedules(read: TenantSchedules[], queueTick: QueueTick): Promise<void> {
    return queueRecentTicks(read, this.options.now(), queueTick, this.options.log);
  }

  /** Starts the dispatcher: `run` runs one attempt. */
  async start(run: (job: TakenJob) => Promise<AttemptOutcome>): Promise<void> {
    this.run = run;
    this.timer = setInterval(() => this.wake(), this.pollMs);
    this.timer.unref();
    // Jobs in flight here stay ours while we live; a process that died stops renewing them.
    this.renewTimer = setInterval(() => {
      const until = this.options.now() + this.leaseMs;
      for (const job of this.inFlight.values()) this.store.renew(job, until).catch((error: unknown) => this.options.log("could not renew a queued job's lease", error));
    }, Math.max(50, Math.floor(this.leaseMs / 3)));
    this.renewTimer.unref();
    this.wake();
  }

  /** Stops taking jobs and waits for the attempts in flight (each within its time limit). */
  async close(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.settled]);
    clearInterval(this.renewTimer);
  }

  /**
   * Runs the dispatcher soon, or asks the one running to go round once more: never two at once, and many
   * wakes of one turn of the event loop (a burst of enqueues, of finished attempts) make one round.
   */
  private wake(): void {
    if (this.stopped || !this.run) return;
    if (this.dispatching) {
      this.wanted = true;
      return;
    }
    this.dispatching = true;
    setImmediate(() => this.dispatchRounds());
  }

  private dispatchRounds(): void {
    void (async () => {
      try {
        do {
          this.wanted = false;
          await this.dispatch();
        } while (this.wanted && !this.stopped);
      } catch (error) {
        this.options.log("the event queue could not be read", error);
      } finally {
        this.dispatching = false;
      }
    })();
  }

  /** Fills free capacity with due jobs, one per tenant per turn, starting after the tenant served last. */
  private async dispatch(): Promise<void> {
    const now = this.options.now();
    if (now - this.lastSweep >= SWEEP_EVERY_MS) {
      this.lastSweep = now;
      await this.store.sweep(now, SUCCEEDED_TTL_MS, DEAD_LETTER_TTL_MS, IDEMPOTENCY_TTL_MS);
    }
    // A dead process's leases are looked for once a poll interval, not on every round.
    if (now - this.lastReclaim >= this.pollMs) {
      this.lastReclaim = now;
      await this.store.reclaimExpired(now);
    }
    if (this.inFlight.size >= this.options.capacity) return;
    const tenants = await this.store.dueTenants(now);
    if (tenants.length === 0) return;
    let progress = true;
    while (progress && this.inFlight.size < this.options.capacity) {
      progress = false;
      for (let i = 0; i < tenants.length && this.inFlight.size < this.options.capacity; i++) {
        const tenant = tenants[(this.nextTurn + i) % tenants.length]!;
        if ((this.perTenant.get(tenant) ?? 0) >= this.options.tenantCapacity(tenant)) continue;
        if (this.stopped) return;
        const job = await this.store.take(tenant, now, now + this.leaseMs);
        if (!job) continue;
        progress = true;
        this.nextTurn = (this.nextTurn + i + 1) % tenants.length;
        this.begin(job);
        break;
      }
    }
  }

  private begin(job: TakenJob): void {
    const key = `${job.deliveryId}#${job.index}`;
    this.inFlight.set(key, job);
    this.perTenant.set(job.tenant, (this.perTenant.get(job.tenant) ?? 0) + 1);
    const attempt = this.attempt(job).finally(() => {
      this.inFlight.delete(key);
      const left = (this.perTenant.get(job.tenant) ?? 1) - 1;
      if (left > 0) this.perTenant.set(job.tenant, left);
      else this.perTenant.delete(job.tenant);
      this.settled.delete(attempt);
      this.wake();
    });
    this.settled.add(attempt);
  }

  private async attempt(job: TakenJob): Promise<void> {
    let outcome: AttemptOutcome;
    try {
      outcome = await this.run!(job);
    } catch (error) {
      this.options.log("a queued handler's attempt failed unexpectedly", error);
      outcome = { ran: true, success: false, error: { code: "INTERNAL_ERROR", message: "the attempt failed in the service" }, durationMs: 0 };
    }
    const now = this.options.now();
    try {
      if (!outcome.ran) {
        await this.store.postpone(job, outcome.until);
        this.options.onAttempt?.(job.tenant, "postponed");
        return;
      }
      const result: AttemptResult = { success: outcome.success, durationMs: outcome.durationMs, attempt: job.attempt, at: now };
      if (outcome.success) Object.assign(result, keptValue(outcome.value));
      if (outcome.error) result.error = outcome.error;
      const next = verdict(outcome.success ? undefined : (outcome.error?.code ?? "INTERNAL_ERROR"), job.attempt, job.maxAttempts, now, this.options.retryBaseMs);
      await this.store.finish(job, result, next.kind === "retry" ? { state: "queued", retryAt: next.at } : { state: next.kind === "done" ? "succeeded" : "failed" }, now);
      this.options.onAttempt?.(job.tenant, outcome.success ? "ok" : (outcome.error?.code ?? "error"));
    } catch (error) {
      // The lease runs out and the job comes back: the attempt is counted, nothing is lost.
      this.options.log("a queued handler's attempt could not be recorded", error);
    }
  }
}
