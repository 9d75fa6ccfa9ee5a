import { lastTick } from "../../registry/cron-schedule.js";
import type { HookTarget } from "../../registry/manifest.js";
import type { TenantConfig } from "../config.js";

/** A tick is started only this soon after its time: a service that starts later does not run ticks it missed long ago. */
export const TICK_GRACE_MS = 2 * 60_000;
const DEFAULT_EVERY_MS = 15_000;

export interface TickerOptions {
  now: () => number;
  tenants: () => Iterable<TenantConfig>;
  /** The tenant's schedules in force (read from its manifest on every round: a change needs no restart). */
  schedulesOf: (tenant: TenantConfig) => Promise<{ cron: string; handlers: HookTarget[] }[]>;
  /**
   * Queues one tick's handlers as a delivery whose Idempotency-Key names the schedule and the minute: every
   * process and every round that sees the same tick queues it once.
   */
  enqueue: (tenant: TenantConfig, tick: { cron: string; at: number; handlers: HookTarget[] }) => Promise<void>;
  log: (message: string, error: unknown) => void;
  everyMs?: number;
}

/**
 * Scheduled hooks: every round, each tenant's schedules (the first `maxSchedules` of its tier) are
 * compared with the clock, and the latest tick of each, if it is recent, is queued: run like a queued
 * event (the same retries, quotas and audit), once, whichever process saw it first.
 */
export class ScheduleTicker {
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: TickerOptions) {}

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
    for (const tenant of this.options.tenants()) {
      if (this.stopped) return;
      let schedules: { cron: string; handlers: HookTarget[] }[];
      try {
        schedules = (await this.options.schedulesOf(tenant)).slice(0, tenant.quotas.maxSchedules);
      } catch {
        continue; // no folder, or a runtime closing: nothing to run
      }
      const now = this.options.now();
      for (const { cron, handlers } of schedules) {
        const at = lastTick(cron, now);
        if (now - at > TICK_GRACE_MS || handlers.length === 0) continue;
        try {
          await this.options.enqueue(tenant, { cron, at, handlers });
        } catch (error) {
          this.options.log(`could not queue the schedule "${cron}" of tenant "${tenant.id}"`, error);
        }
      }
    }
  }
}
