/**
 * Per-tenant concurrency slots: how many of a tenant's executions run at once. In memory for one process;
 * shared by the service processes of a machine (SQLite) or of every node (Redis), where each holder (a
 * service process) keeps its slots alive with a heartbeat, so a process that dies gives its slots back
 * within `SLOT_LEASE_MS` instead of holding them forever.
 */
export interface ConcurrencySlots {
  /** Takes up to `wanted` (at least 1) of the tenant's `max` slots; resolves 0 when none is free. */
  acquire(tenant: string, max: number, wanted: number): Promise<number>;
  release(tenant: string, count: number): Promise<void>;
  /** Slots the tenant holds now (every holder's). */
  active(tenant: string): Promise<number>;
  /** Starts the heartbeat (shared stores). */
  start(): Promise<void>;
  /** Gives back this holder's slots and stops the heartbeat. */
  close(): Promise<void>;
}

/** How long a holder's slots outlive its last heartbeat (it beats three times per lease), by default. */
export const SLOT_LEASE_MS = 5000;

/**
 * Slots in this process's memory, counted per holder: one process's own (holder 0, the ConcurrencySlots
 * methods), or the primary of `serve --workers` counting each service process's (machine-state.ts).
 */
export class MemorySlots implements ConcurrencySlots {
  /** tenant -> holder -> slots held. */
  private readonly held = new Map<string, Map<number, number>>();

  async acquire(tenant: string, max: number, wanted: number): Promise<number> {
    return this.take(0, tenant, max, wanted);
  }

  async release(tenant: string, count: number): Promise<void> {
    this.give(0, tenant, count);
  }

  async active(tenant: string): Promise<number> {
    return this.count(tenant);
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {}

  /** Takes up to `wanted` of the tenant's `max` slots for `holder`; how many it took (0: none free). */
  take(holder: number, tenant: string, max: number, wanted: number): number {
    const free = max - this.count(tenant);
    if (free <= 0) return 0;
    const took = Math.min(free, wanted);
    let holders = this.held.get(tenant);
    if (!holders) this.held.set(tenant, (holders = new Map()));
    holders.set(holder, (holders.get(holder) ?? 0) + took);
    return took;
  }

  /** Gives back `holder`'s slots; an over-release clamps at zero. */
  give(holder: number, tenant: string, count: number): void {
    const holders = this.held.get(tenant);
    if (!holders) return;
    const left = (holders.get(holder) ?? 0) - count;
    if (left > 0) holders.set(holder, left);
    else holders.delete(holder);
    if (holders.size === 0) this.held.delete(tenant);
  }

  /** Every slot `holder` held comes back (a service process that ended). */
  drop(holder: number): void {
    for (const [tenant, holders] of this.held) {
      holders.delete(holder);
      if (holders.size === 0) this.held.delete(tenant);
    }
  }

  /** The tenant's slots held now, every holder's. */
  count(tenant: string): number {
    let n = 0;
    for (const held of this.held.get(tenant)?.values() ?? []) n += held;
    return n;
  }
}

/** A name for this service process among the holders. */
export function holderName(): string {
  return `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * A timer that runs `beat` every third of a lease (never overlapping itself, never keeping the process
 * alive); failures are the next beat's to repair.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;

  constructor(
    private readonly beat: () => Promise<void> | void,
    private readonly leaseMs: number,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      this.beating ??= Promise.resolve()
        .then(this.beat)
        .catch(() => {})
        .finally(() => (this.beating = undefined));
    }, this.leaseMs / 3);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.beating;
  }
}
