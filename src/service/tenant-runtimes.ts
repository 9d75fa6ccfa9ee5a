import { IsolatedRuntime } from "../isolated-runtime.js";
import { defaultThreads } from "../options.js";
import type { SecurityLevel } from "../security-levels.js";
import type { TenantConfig } from "./config.js";
import type { ServiceTools } from "./service-tools.js";
import { poolLimits } from "./tenant-limits.js";

/**
 * The service's sandbox workers per pool: two per core. A short hook's call leaves its core idle while the
 * service turns the answer around and sends the next call (HTTP, audit, the IPC hop both ways); with one
 * worker per core a 2-core machine ran /v1/run small hooks at 2,546 req/s with 0.8 cores idle, with two
 * per core at 4,143 (bench/service-scale.mjs). Long calls are lowered in CPU priority after 10 ms, so
 * short ones still get the cores first.
 */
export function defaultServiceThreads(): number {
  return 2 * defaultThreads();
}

export interface TenantRuntimesOptions {
  root: string;
  tenants: Iterable<TenantConfig>;
  tools: ServiceTools;
  securityLevel?: SecurityLevel;
  maxThreads?: number;
  maxQueue?: number;
  watch: boolean;
  isolation?: "process" | "thread";
  processPerTenant?: boolean;
}

/**
 * One runtime per distinct memory quota: a worker's heap limit is a property of its process, so tenants
 * with different `maxMemoryMB` run on different pools. Each runtime's limits are the largest its tenants
 * have; every call passes the calling tenant's own (which the runtime enforces as the smaller).
 */
export class TenantRuntimes {
  private readonly byMemory = new Map<number, IsolatedRuntime>();

  constructor(private readonly options: TenantRuntimesOptions) {
    const classes = new Map<number, TenantConfig[]>();
    for (const tenant of options.tenants) {
      const list = classes.get(tenant.quotas.maxMemoryMB) ?? [];
      list.push(tenant);
      classes.set(tenant.quotas.maxMemoryMB, list);
    }
    for (const [memoryMb, tenants] of classes) this.byMemory.set(memoryMb, this.create(memoryMb, tenants));
  }

  /** The runtime a tenant's calls run on. */
  of(tenant: TenantConfig): IsolatedRuntime {
    const runtime = this.byMemory.get(tenant.quotas.maxMemoryMB);
    if (!runtime) throw new Error(`no runtime for ${tenant.quotas.maxMemoryMB} MB`);
    return runtime;
  }

  all(): IsolatedRuntime[] {
    return [...this.byMemory.values()];
  }

  /** Running, queued and capacity of each pool, named by its memory limit. */
  load(): { memoryMb: number; running: number; queued: number; capacity: number }[] {
    return [...this.byMemory].map(([memoryMb, runtime]) => ({ memoryMb, ...runtime.load() }));
  }

  async ready(): Promise<void> {
    await Promise.all(this.all().map((runtime) => runtime.ready()));
  }

  /** Lets admitted work finish, then ends every pool. */
  async close(): Promise<void> {
    await Promise.all(this.all().map((runtime) => runtime.close()));
  }

  private create(memoryMb: number, tenants: TenantConfig[]): IsolatedRuntime {
    const { options } = this;
    const threads = options.maxThreads ?? defaultServiceThreads();
    return new IsolatedRuntime({
      root: options.root,
      watch: options.watch,
      memoryLimitMb: memoryMb,
      minThreads: 1,
      maxThreads: threads,
      // Two workers per core already: calls parked on a tool get one more each, not two.
      parkedWorkers: threads,
      ...(options.maxQueue !== undefined ? { maxQueue: options.maxQueue } : {}),
      ...(options.securityLevel !== undefined ? { securityLevel: options.securityLevel } : {}),
      ...(options.isolation !== undefined ? { isolation: options.isolation } : {}),
      ...(options.processPerTenant !== undefined ? { processPerTenant: options.processPerTenant } : {}),
      ...poolLimits(tenants.map((t) => t.quotas), options.securityLevel),
      // `meta` is what ServiceTools.metered() handed the execution: the tool layer reads it back itself.
      toolHandler: (name, args, ctx) => options.tools.call(name, args, ctx.meta),
      // With several tenants on a pool, one of them may not hold every worker (its calls wait in its own
      // queue instead): else one tenant's slow calls stall every other tenant of the pool until they end.
      ...(tenants.length > 1 && threads > 1 ? { maxConcurrentPerTenant: threads - 1 } : {}),
    });
  }
}
