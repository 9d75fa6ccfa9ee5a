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
   * The day's executions are taken only once the slots are held. Asked for at once (tried: review of
   * 8a85d1b), a call refused its slot held one of the day's last executions until it gave it back, and a
   * call that got a slot meanwhile was refused QUOTA_EXCEEDED, Retry-After the day's end, with quota left.
   */
  async admit<T>(tenant: TenantConfig, count: number, run: (slots: number) => Promise<T>): Promise<T> {
    if (this.stopped) throw new ServiceError("UNAVAILABLE", "the service is shutting down");
    const slots = await this.limiter.acquire(tenant.id, tenant.quotas.maxConcurrentExecutions, count);
    try {
      await this.limiter.takeExecutions(tenant.id, tenant.quotas, count);
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
