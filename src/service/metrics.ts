import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface PoolStats {
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

  constructor(collect: () => PoolStats) {
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
    new Gauge({
      name: "tenantbox_pool_utilisation",
      help: "Running executions divided by pool capacity (0..1).",
      registers,
      collect() {
        const { running, capacity } = collect();
        this.set(finite(capacity) ? Math.min(1, finite(running) / capacity) : 0);
      },
    });
    new Gauge({
      name: "tenantbox_pool_running",
      help: "Executions running in the pool now.",
      registers,
      collect() {
        this.set(finite(collect().running));
      },
    });
    new Gauge({
      name: "tenantbox_queue_depth",
      help: "Executions waiting for a pool worker.",
      registers,
      collect() {
        this.set(finite(collect().queued));
      },
    });
    collectDefaultMetrics({ register: this.registry });
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
