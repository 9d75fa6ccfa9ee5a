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

/** The slots of one service process: a map. */
export class MemorySlots implements ConcurrencySlots {
  private readonly held = new Map<string, number>();

  async acquire(tenant: string, max: number, wanted: number): Promise<number> {
    const active = this.held.get(tenant) ?? 0;
    const free = max - active;
    if (free <= 0) return 0;
    const took = Math.min(free, wanted);
    this.held.set(tenant, active + took);
    return took;
  }

  async release(tenant: string, count: number): Promise<void> {
    const left = (this.held.get(tenant) ?? 0) - count;
    if (left > 0) this.held.set(tenant, left);
    else this.held.delete(tenant);
  }

  async active(tenant: string): Promise<number> {
    return this.held.get(tenant) ?? 0;
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {}
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
