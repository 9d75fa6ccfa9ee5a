import type { Redis } from "ioredis";
import { Heartbeat, holderName, SLOT_LEASE_MS, type ConcurrencySlots } from "./concurrency-slots.js";

// KEYS[1]: the tenant's hash of holder -> slots. ARGV: holder, max, wanted, the alive-key prefix.
// Holders whose alive key expired (a dead node) are dropped; the rest count.
const ACQUIRE = `
local fields = redis.call('HGETALL', KEYS[1])
local used = 0
for i = 1, #fields, 2 do
  local holder = fields[i]
  if holder == ARGV[1] or redis.call('EXISTS', ARGV[4] .. holder) == 1 then
    used = used + tonumber(fields[i + 1])
  else
    redis.call('HDEL', KEYS[1], holder)
  end
end
local free = tonumber(ARGV[2]) - used
if free <= 0 then return 0 end
local take = math.min(free, tonumber(ARGV[3]))
redis.call('HINCRBY', KEYS[1], ARGV[1], take)
redis.call('PEXPIRE', KEYS[1], 86400000)
return take`;

const RELEASE = `
local left = redis.call('HINCRBY', KEYS[1], ARGV[1], -tonumber(ARGV[2]))
if left <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return left`;

const ACTIVE = `
local fields = redis.call('HGETALL', KEYS[1])
local used = 0
for i = 1, #fields, 2 do
  if fields[i] == ARGV[1] or redis.call('EXISTS', ARGV[2] .. fields[i]) == 1 then used = used + tonumber(fields[i + 1]) end
end
return used`;

/**
 * Concurrency slots shared by every node, in Redis: per tenant a hash of holder -> slots, and per holder an
 * alive key its heartbeat renews. A node that dies stops renewing; its slots stop counting within
 * SLOT_LEASE_MS. A release that fails (Redis away) is retried by the heartbeat, so no slot leaks.
 */
export class RedisSlots implements ConcurrencySlots {
  private readonly holder = holderName();
  private readonly heartbeat: Heartbeat;
  private readonly owed = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix = "tenantbox",
    private readonly leaseMs = SLOT_LEASE_MS,
  ) {
    this.heartbeat = new Heartbeat(() => this.beat(), leaseMs);
  }

  async acquire(tenant: string, max: number, wanted: number): Promise<number> {
    return Number(await this.redis.eval(ACQUIRE, 1, this.key(tenant), this.holder, max, wanted, this.aliveKey("")));
  }

  async release(tenant: string, count: number): Promise<void> {
    try {
      await this.redis.eval(RELEASE, 1, this.key(tenant), this.holder, count);
    } catch (error) {
      this.owed.set(tenant, (this.owed.get(tenant) ?? 0) + count);
      throw error;
    }
  }

  async active(tenant: string): Promise<number> {
    return Number(await this.redis.eval(ACTIVE, 1, this.key(tenant), this.holder, this.aliveKey("")));
  }

  start(): Promise<void> {
    return this.heartbeat.start();
  }

  async close(): Promise<void> {
    await this.heartbeat.stop();
    // Its slots stop counting at once (an orderly stop releases them all before this anyway).
    await this.redis.del(this.aliveKey(this.holder)).catch(() => {});
  }

  private async beat(): Promise<void> {
    await this.redis.set(this.aliveKey(this.holder), "1", "PX", this.leaseMs);
    for (const [tenant, count] of [...this.owed]) {
      this.owed.delete(tenant);
      await this.release(tenant, count);
    }
  }

  private key(tenant: string): string {
    return `${this.prefix}:slots:${tenant}`;
  }

  private aliveKey(holder: string): string {
    return `${this.prefix}:holder:${holder}`;
  }
}
