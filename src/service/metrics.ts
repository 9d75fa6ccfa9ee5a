import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface PoolStats {
  /** The pool's heap limit: it names the pool (one per distinct tenant memory quota). */
  memoryMb: number;
  running: number;
  queued: number;
  capacity: number;
}

export type ExecutionKind = "run" | "execute" | "event";

// From a sub-millisecond warm call up to the enterprise tier's 300 s limit.
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

const finite = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);

/** Service metrics on a registry of their own, so two services in one process never collide. */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly #executions: Counter<"tenant" | "kind" | "outcome">;
  readonly #duration: Histogram<"kind">;
  readonly #rejected: Counter<"tenant" | "code">;

  readonly #attempts: Counter<"outcome">;

  /** `deliveries`: the queued events' jobs per state and the age of the oldest waiting one, read at scrape time. */
  constructor(collect: () => PoolStats[], deliveries?: () => Promise<{ states: Record<string, number>; oldestWaitingMs: number }>) {
    const registers = [this.registry];
    this.#executions = new Counter({
      name: "tenantbox_executions_total",
      help: "Executions by tenant, kind and outcome (ok or an error code).",
      labelNames: ["tenant", "kind", "outcome"] as const,
      registers,
    });
    this.#duration = new Histogram({
      name: "tenantbox_execution_duration_seconds",
      help: "Execution wall time in seconds.",
      labelNames: ["kind"] as const,
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#rejected = new Counter({
      name: "tenantbox_requests_rejected_total",
      help: "Requests refused before running, by tenant and error code.",
      labelNames: ["tenant", "code"] as const,
      registers,
    });
    // Pool gauges are read at scrape time, so they are never stale and cost nothing between scrapes.
    // One series per pool (tenants with the same memory quota share one): a sum over pools would hide a saturated one.
    // Across `serve --workers` processes the counts add up; a ratio is averaged.
    const gauge = (name: string, help: string, value: (pool: PoolStats) => number, aggregator: "sum" | "average" = "sum") =>
      new Gauge({
        name,
        help,
        labelNames: ["memory_mb"] as const,
        registers,
        aggregator,
        collect() {
          this.reset();
          for (const pool of collect()) this.set({ memory_mb: String(pool.memoryMb) }, value(pool));
        },
      });
    gauge("tenantbox_pool_utilisation", "Running executions divided by the pool's capacity (0..1), per pool.", ({ running, capacity }) =>
      finite(capacity) ? Math.min(1, finite(running) / capacity) : 0, "average",
    );
    gauge("tenantbox_pool_running", "Executions running in the pool now.", ({ running }) => finite(running));
    gauge("tenantbox_queue_depth", "Executions waiting for a worker of the pool.", ({ queued }) => finite(queued));
    gauge("tenantbox_pool_capacity", "Executions the pool can run at once (its workers).", ({ capacity }) => finite(capacity));
    this.#attempts = new Counter({
      name: "tenantbox_event_attempts_total",
      help: "Attempts of queued events' handlers by outcome (ok, an error code, or postponed: it could not start yet).",
      labelNames: ["outcome"] as const,
      registers,
    });
    if (deliveries) {
      // A queue engine that is away (Redis) leaves the gauges at their last values: the scrape still answers.
      const read = async () => {
        try {
          return await deliveries();
        } catch {
          return undefined;
        }
      };
      // Every process of a machine reads the same queue: one value, not a sum.
      new Gauge({
        name: "tenantbox_event_jobs",
        help: "Jobs of queued events (one per handler) by state: queued, running, succeeded (kept a day), failed (dead letters, kept 7 days).",
        labelNames: ["state"] as const,
        registers,
        aggregator: "max",
        async collect() {
          const counts = await read();
          if (!counts) return;
          this.reset();
          for (const [state, count] of Object.entries(counts.states)) this.set({ state }, count);
        },
      });
      new Gauge({
        name: "tenantbox_event_oldest_waiting_seconds",
        help: "How long the job of a queued event due longest has been waiting to start, since it fell due.",
        registers,
        aggregator: "max",
        async collect() {
          const counts = await read();
          if (counts) this.set(counts.oldestWaitingMs / 1000);
        },
      });
    }
    collectDefaultMetrics({ register: this.registry });
  }

  deliveryAttempt(outcome: string): void {
    this.#attempts.inc({ outcome });
  }

  execution(tenant: string, kind: ExecutionKind, outcome: string, durationSeconds: number): void {
    this.#executions.inc({ tenant, kind, outcome });
    this.#duration.observe({ kind }, finite(durationSeconds));
  }

  rejected(tenant: string, code: string): void {
    this.#rejected.inc({ tenant, code });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
