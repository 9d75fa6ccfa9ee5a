import { recentTick } from "../../registry/cron-schedule.js";
import type { HookTarget } from "../../registry/manifest.js";
import type { TenantConfig } from "../config.js";
import { throttledLog } from "../throttled-log.js";

/** A tick is started only this soon after its time: a service that starts later does not run ticks it missed long ago. */
export const TICK_GRACE_MS = 2 * 60_000;
const DEFAULT_EVERY_MS = 15_000;

export interface Schedule {
  cron: string;
  handlers: HookTarget[];
}

/** One tenant's schedules in force (the first `maxSchedules` of its manifest); undefined: its manifest could not be read this round. */
export interface TenantSchedules {
  tenant: string;
  schedules: Schedule[] | undefined;
}

/**
 * Queues one tick's handlers as a delivery whose Idempotency-Key names the schedule and the minute: every
 * process and every round that sees the same tick queues it once.
 */
export type QueueTick = (tenant: string, tick: { cron: string; at: number; handlers: HookTarget[] }) => Promise<void>;

export interface TickerOptions {
  tenants: () => Iterable<TenantConfig>;
  /** The tenant's schedules (read from its manifest on every round: a change needs no restart). */
  schedulesOf: (tenant: TenantConfig) => Promise<Schedule[]>;
  /** What the delivery engine does with a round's reading: queue the due ticks itself, or keep its own job schedulers in step. */
  apply: (read: TenantSchedules[]) => Promise<void>;
  log: (message: string, error: unknown) => void;
  everyMs?: number;
}

/**
 * Scheduled hooks: every round, each tenant's schedules (the first `maxSchedules` of its tier) are read
 * from its manifest and handed to the delivery engine, which runs each tick once, whichever process saw
 * it first, as a queued event (the same retries, quotas and audit).
 */
export class ScheduleTicker {
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private stopped = false;
  /** A round that fails (an engine away) is said once a minute, not every round. */
  private readonly applyFailed: (error: unknown) => void;

  constructor(private readonly options: TickerOptions) {
    this.applyFailed = throttledLog(options.log, "could not apply the tenants' schedules");
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.everyMs ?? DEFAULT_EVERY_MS);
    this.timer.unref();
    void this.tick();
  }

  /** One round over every tenant; rounds never overlap. */
  tick(): Promise<void> {
    this.round ??= this.runRound().finally(() => (this.round = undefined));
    return this.round;
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.round;
  }

  private async runRound(): Promise<void> {
    const read: TenantSchedules[] = [];
    for (const tenant of this.options.tenants()) {
      if (this.stopped) return;
      try {
        read.push({ tenant: tenant.id, schedules: (await this.options.schedulesOf(tenant)).slice(0, tenant.quotas.maxSchedules) });
      } catch {
        read.push({ tenant: tenant.id, schedules: undefined }); // no folder, or a runtime closing: left as it was
      }
    }
    if (this.stopped) return;
    try {
      await this.options.apply(read);
    } catch (error) {
      this.applyFailed(error);
    }
  }
}

/** The embedded engine's ticks: the latest tick of each schedule, if it is recent, is queued (once: its Idempotency-Key). */
export async function queueRecentTicks(read: TenantSchedules[], now: number, queueTick: QueueTick, log: TickerOptions["log"]): Promise<void> {
  for (const { tenant, schedules } of read) {
    for (const { cron, handlers } of schedules ?? []) {
      if (handlers.length === 0) continue;
      // Only the grace window is searched: this loop runs on the host's main thread, without a pause between
      // schedules whose tick is not due.
      const at = recentTick(cron, now, TICK_GRACE_MS);
      if (at === undefined) continue;
      try {
        await queueTick(tenant, { cron, at, handlers });
      } catch (error) {
        log(`could not queue the schedule "${cron}" of tenant "${tenant}"`, error);
      }
    }
  }
}
