import type { TenantConfig } from "./config.js";
import { refusalError, runtimeRefusal, ServiceError } from "./service-error.js";
import type { UsageLimiter } from "./usage-limiter.js";

/**
 * Whether a tenant's executions may start: a free concurrency slot (429), the day's quota (429), and a
 * service that is not shutting down (503). What the runtime then refuses before running (queue full,
 * closing) is given back to the quota.
 */
export class Admission {
  private stopped = false;

  constructor(private readonly limiter: UsageLimiter) {}

  /** From now on every admission is refused (the service is shutting down). */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Admits `count` executions, then runs them in the slots the tenant got (at least one, at most `count`).
   * The slots and the day's executions are asked for at once: one round trip to a shared store (the
   * primary of --workers, Redis) instead of two. Whichever is refused gives the other back before the
   * refusal is answered; a refusal of both is the slots' (TOO_MANY_CONCURRENT), as when they were asked in turn.
   */
  async admit<T>(tenant: TenantConfig, count: number, run: (slots: number) => Promise<T>): Promise<T> {
    if (this.stopped) throw new ServiceError("UNAVAILABLE", "the service is shutting down");
    const [acquired, taken] = await Promise.allSettled([
      this.limiter.acquire(tenant.id, tenant.quotas.maxConcurrentExecutions, count),
      this.limiter.takeExecutions(tenant.id, tenant.quotas, count),
    ]);
    if (acquired.status === "rejected") {
      if (taken.status === "fulfilled") await this.limiter.returnExecutions(tenant.id, count).catch(() => {});
      throw acquired.reason;
    }
    const slots = acquired.value;
    try {
      if (taken.status === "rejected") throw taken.reason;
      try {
        return await run(slots);
      } catch (error) {
        const refusal = runtimeRefusal(error);
        if (!refusal?.beforeRun) throw error;
        await this.limiter.returnExecutions(tenant.id, count);
        throw refusalError(refusal);
      }
    } finally {
      await this.limiter.release(tenant.id, slots);
    }
  }

  /** Executions admitted but refused by the runtime before they ran: they cost nothing. */
  giveBack(tenant: TenantConfig, count: number): Promise<void> {
    return this.limiter.returnExecutions(tenant.id, count);
  }
}
