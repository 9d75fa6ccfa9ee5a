import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { MemorySlots, type ConcurrencySlots } from "./concurrency-slots.js";
import type { MachineStateClient, PrimaryCounter } from "./machine-state-client.js";
import type { RateLimit } from "./config.js";
import { ServiceError } from "./service-error.js";
import type { Quotas } from "./tiers.js";

/** A quota period: one UTC day, [start, end) in ms since epoch. */
export interface Period {
  start: number;
  end: number;
}

const DAY_MS = 86_400_000;

export function periodOf(now: number): Period {
  const start = Math.floor(now / DAY_MS) * DAY_MS;
  return { start, end: start + DAY_MS };
}

export interface UsageLimiterOptions {
  /** An ioredis-compatible client: counters then live in Redis and are shared by every node. */
  storeClient?: unknown;
  /** The cluster primary's machine state (`serve --workers`): counters shared by the machine's service processes. */
  machine?: MachineStateClient;
  /** Where concurrency slots live; default this process's memory. */
  slots?: ConcurrencySlots;
  keyPrefix?: string;
  /** Clock for periods (tests). Rate-limit windows use the store's own clock. */
  now?: () => number;
}

export interface UsageReport {
  period: { start: string; end: string };
  executions: { used: number; limit: number };
  toolCalls: { used: number; limit: number };
  concurrent: { active: number; limit: number };
}

// Daily counters never reject by themselves: quotas differ per tenant, so we compare against the quota.
const UNLIMITED = Number.MAX_SAFE_INTEGER;

/**
 * Daily quotas, rate limits and concurrency for the service's tenants. Counters live in rate-limiter-flexible
 * (memory, SQLite shared by a machine's processes, or Redis shared by every node); a counter's key names its
 * UTC day, so a new day starts at zero. Concurrency slots live where `slots` keeps them.
 */
export class UsageLimiter {
  readonly #storeClient: unknown;
  readonly #machine: MachineStateClient | undefined;
  readonly #slots: ConcurrencySlots;
  readonly #prefix: string;
  readonly #now: () => number;
  readonly #executions: Counter;
  readonly #toolCalls: Counter;
  readonly #rates = new Map<string, Counter>();

  constructor(options: UsageLimiterOptions = {}) {
    this.#storeClient = options.storeClient;
    this.#machine = options.machine;
    this.#slots = options.slots ?? new MemorySlots();
    this.#prefix = options.keyPrefix ?? "tenantbox";
    this.#now = options.now ?? Date.now;
    this.#executions = this.#limiter("exec", UNLIMITED, 0);
    this.#toolCalls = this.#limiter("tools", UNLIMITED, 0);
  }

  /** Restores the period's counters after a restart (in-memory store) from the audit log's totals. */
  async seed(tenant: string, used: { executions: number; toolCalls: number }): Promise<void> {
    const { key, ttl } = this.#dayKey(tenant);
    await store(this.#executions.set(key, Math.max(0, used.executions), ttl));
    await store(this.#toolCalls.set(key, Math.max(0, used.toolCalls), ttl));
  }

  /**
   * Restores the period's counters only where the store has none yet today (a shared store that other
   * processes may already be counting in: never overwrite what they counted).
   */
  async seedIfAbsent(tenant: string, used: { executions: number; toolCalls: number }): Promise<void> {
    const { key, ttl } = this.#dayKey(tenant);
    await store(setIfAbsent(this.#executions, key, Math.max(0, used.executions), ttl));
    await store(setIfAbsent(this.#toolCalls, key, Math.max(0, used.toolCalls), ttl));
  }

  /**
   * Raises the period's counters to at least the audit log's totals, never lowers them: for a shared store
   * that may have lost them (a Redis restarted without its data) while other processes count in it. What
   * was counted meanwhile is kept (the counter only rises to the total), and on Redis it is one atomic step, so
   * nodes that raise it at once do not add the difference twice.
   */
  async raiseTo(tenant: string, used: { executions: number; toolCalls: number }): Promise<void> {
    const { key, ttl } = this.#dayKey(tenant);
    for (const [counter, total] of [[this.#executions, used.executions], [this.#toolCalls, used.toolCalls]] as const) {
      // In Redis in one step: every node finds the data gone at its next beat and raises the counters, and a
      // read then an increment of the difference let two of them add it twice (a day's quota spent twice over).
      const redis = this.#storeClient as { eval?: (script: string, keys: number, ...args: (string | number)[]) => Promise<unknown> } | undefined;
      if (counter instanceof RateLimiterRedis && typeof redis?.eval === "function") {
        await store(redis.eval(RAISE_TO, 1, counter.getKey(key), Math.max(0, Math.floor(total)), ttl));
        continue;
      }
      const now = Math.max(0, (await store(counter.get(key)))?.consumedPoints ?? 0);
      if (total > now) await store(counter.penalty(key, total - now, { customDuration: ttl }));
    }
  }

  /** Takes `count` executions of today's quota, all or none. */
  async takeExecutions(tenant: string, quotas: Quotas, count = 1): Promise<void> {
    await this.#take(this.#executions, tenant, quotas.maxExecutionsPerDay, count, "executions");
  }

  /** Gives back executions that were taken but never ran (e.g. the pool refused them). */
  async returnExecutions(tenant: string, count: number): Promise<void> {
    if (!(count > 0)) return;
    const { key, ttl } = this.#dayKey(tenant);
    const res = await store(this.#executions.reward(key, count, { customDuration: ttl }));
    // Never below zero, e.g. when the day rolled over between take and return.
    if (res.consumedPoints < 0) await store(this.#executions.penalty(key, -res.consumedPoints, { customDuration: ttl }));
  }

  async takeToolCall(tenant: string, quotas: Quotas): Promise<void> {
    await this.#take(this.#toolCalls, tenant, quotas.maxToolCallsPerDay, 1, "tool calls");
  }

  /** One point of `limit` for `key`; throws RATE_LIMITED with the wait rate-limiter-flexible reports. */
  async takeRate(key: string, limit: RateLimit): Promise<void> {
    const id = `${limit.points}:${limit.duration}`;
    let limiter = this.#rates.get(id);
    if (!limiter) this.#rates.set(id, (limiter = this.#limiter(`rate:${id}`, limit.points, limit.duration)));
    try {
      await limiter.consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw storeFailure(); // a store failure, not a refusal
      throw new ServiceError(
        "RATE_LIMITED",
        `rate limit of ${limit.points} per ${limit.duration}s exceeded`,
        Math.max(1, err.msBeforeNext),
      );
    }
  }

  /** Takes up to `wanted` (at least 1) of the tenant's `max` concurrency slots; returns how many it took. */
  async acquire(tenant: string, max: number, wanted = 1): Promise<number> {
    const took = await store(this.#slots.acquire(tenant, max, Math.max(1, Math.floor(wanted))));
    if (took <= 0) throw new ServiceError("TOO_MANY_CONCURRENT", `at most ${max} concurrent executions`, 1000);
    return took;
  }

  /** Gives slots back; a store that fails here repairs itself (a lease that expires, or a retried release). */
  async release(tenant: string, count: number): Promise<void> {
    if (count > 0) await this.#slots.release(tenant, count).catch(() => {});
  }

  async usage(tenant: string, quotas: Quotas): Promise<UsageReport> {
    const { key, period } = this.#dayKey(tenant);
    const [executions, toolCalls, active] = await store(Promise.all([this.#executions.get(key), this.#toolCalls.get(key), this.#slots.active(tenant)]));
    return {
      period: { start: new Date(period.start).toISOString(), end: new Date(period.end).toISOString() },
      executions: { used: Math.max(0, executions?.consumedPoints ?? 0), limit: quotas.maxExecutionsPerDay },
      toolCalls: { used: Math.max(0, toolCalls?.consumedPoints ?? 0), limit: quotas.maxToolCallsPerDay },
      concurrent: { active, limit: quotas.maxConcurrentExecutions },
    };
  }

  // Consume first, then compare with the quota and give back what was over: atomic in both stores,
  // so two nodes cannot both take the last unit. A concurrent refusal may briefly count against others.
  async #take(limiter: Counter, tenant: string, quota: number, count: number, what: string) {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
    if (count === 0) return;
    const { key, ttl, period } = this.#dayKey(tenant);
    const res = await store(limiter.consume(key, count, { customDuration: ttl }));
    if (res.consumedPoints <= quota) return;
    await store(limiter.reward(key, count, { customDuration: ttl }));
    const used = Math.max(0, res.consumedPoints - count);
    throw new ServiceError(
      "QUOTA_EXCEEDED",
      `daily quota of ${quota} ${what} reached (${used} used${count > 1 ? `, ${count} requested` : ""})`,
      Math.max(1, period.end - this.#now()),
    );
  }

  // The day's name, formatted once a day (a Date and an ISO string per request otherwise).
  #day = { start: Number.NaN, name: "" };

  // The key names the UTC day; the store expires it when the day ends (at least 1 s: 0 means never).
  #dayKey(tenant: string) {
    const now = this.#now();
    const period = periodOf(now);
    if (this.#day.start !== period.start) this.#day = { start: period.start, name: new Date(period.start).toISOString().slice(0, 10) };
    return { key: `${tenant}:${this.#day.name}`, ttl: Math.max(1, Math.ceil((period.end - now) / 1000)), period };
  }

  // The one place that chooses the store.
  #limiter(name: string, points: number, duration: number): Counter {
    const keyPrefix = `${this.#prefix}:${name}`;
    if (this.#storeClient !== undefined) {
      return new RateLimiterRedis({ storeClient: this.#storeClient, keyPrefix, points, duration, rejectIfRedisNotReady: true });
    }
    if (this.#machine !== undefined) return this.#machine.counter(keyPrefix, points, duration);
    return new RateLimiterMemory({ keyPrefix, points, duration });
  }
}

/** What UsageLimiter calls of a counter: rate-limiter-flexible's limiters, or the primary's (machine-state-client.ts). */
type Counter = Pick<RateLimiterAbstract, "consume" | "penalty" | "reward" | "get" | "set"> | PrimaryCounter;

/**
 * A Redis counter raised to at least ARGV[1] (never lowered: what other nodes counted stays), with the day's
 * expiry (ARGV[2] s) where it has none, as rate-limiter-flexible's own increment sets it.
 */
const RAISE_TO = `local now = tonumber(redis.call('get', KEYS[1]) or '0')
local want = tonumber(ARGV[1])
if now < want then redis.call('incrby', KEYS[1], want - now) end
if redis.call('pttl', KEYS[1]) == -1 then redis.call('expire', KEYS[1], ARGV[2]) end
return now`;

/** Sets a count where the store has none yet: in one step where the store can (the primary). */
function setIfAbsent(counter: Counter, key: string, points: number, ttl: number): Promise<unknown> {
  if ("setIfAbsent" in counter) return counter.setIfAbsent(key, points, ttl);
  return counter.get(key).then((res) => (res === null ? counter.set(key, points, ttl) : res));
}

/** The store (Redis) failed: refuse the request as unavailable rather than run it uncounted. */
function storeFailure(): ServiceError {
  return new ServiceError("UNAVAILABLE", "usage counters are unavailable; try again shortly", 1000);
}

async function store<T>(operation: Promise<T>): Promise<T> {
  try {
    return await operation;
  } catch (error) {
    if (error instanceof RateLimiterRes) throw error;
    throw storeFailure();
  }
}
