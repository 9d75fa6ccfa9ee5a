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

// Sets this holder's count (ARGV[2]; 0 removes it): the node's own record of what it holds is the truth.
const RECONCILE = `
if tonumber(ARGV[2]) > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('PEXPIRE', KEYS[1], 86400000)
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
return 1`;

// Renews this holder's alive key (KEYS[1], ARGV[1] ms); whether it still existed (0: it had expired, or Redis lost its data).
const BEAT = `
local was = redis.call('EXISTS', KEYS[1])
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
return was`;

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
 * SLOT_LEASE_MS. A command that failed or timed out (Redis away or stuck) may still have run, or run
 * later: the heartbeat then sets the tenant's count of this holder to what the node holds by its own
 * record, so neither a late acquire nor a lost release leaks a slot or frees one twice. A beat that finds
 * its alive key gone (Redis restarted without its data, failed over, or this node missed its beats for a
 * lease and another dropped its slots) writes back every tenant's count and calls `onLost`: what else
 * Redis kept (the day's counters) may be gone too.
 */
export class RedisSlots implements ConcurrencySlots {
  private readonly holder = holderName();
  private readonly heartbeat: Heartbeat;
  /** Slots this node holds by the answers it got (the truth its heartbeat writes back). */
  private readonly held = new Map<string, number>();
  /** Acquires and releases on their way, per tenant: a count written back meanwhile could miss one. */
  private readonly busy = new Map<string, number>();
  /** Tenants whose count in Redis may differ from `held` (a command failed): written back by the heartbeat. */
  private readonly uncertain = new Set<string>();

  /** Whether a beat has set the alive key yet (the first one finds none). */
  private beaten = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = "tenantbox",
    private readonly leaseMs = SLOT_LEASE_MS,
    private readonly onLost: () => void = () => {},
  ) {
    this.heartbeat = new Heartbeat(() => this.beat(), leaseMs);
  }

  acquire(tenant: string, max: number, wanted: number): Promise<number> {
    return this.tracked(tenant, async () => {
      const took = Number(await this.redis.eval(ACQUIRE, 1, this.key(tenant), this.holder, max, wanted, this.aliveKey("")));
      this.held.set(tenant, (this.held.get(tenant) ?? 0) + took);
      return took;
    });
  }

  release(tenant: string, count: number): Promise<void> {
    // Released for the node at once: its caller is done with them, whatever Redis answers.
    const left = Math.max(0, (this.held.get(tenant) ?? 0) - count);
    if (left > 0) this.held.set(tenant, left);
    else this.held.delete(tenant);
    return this.tracked(tenant, async () => {
      await this.redis.eval(RELEASE, 1, this.key(tenant), this.holder, count);
    });
  }

  private async tracked<T>(tenant: string, command: () => Promise<T>): Promise<T> {
    this.busy.set(tenant, (this.busy.get(tenant) ?? 0) + 1);
    try {
      return await command();
    } catch (error) {
      this.uncertain.add(tenant);
      throw error;
    } finally {
      const left = (this.busy.get(tenant) ?? 1) - 1;
      if (left > 0) this.busy.set(tenant, left);
      else this.busy.delete(tenant);
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
    const was = Number(await this.redis.eval(BEAT, 1, this.aliveKey(this.holder), this.leaseMs));
    if (was === 0 && this.beaten) {
      // Redis no longer has what this node wrote: its slots are written back, and the owner told.
      for (const tenant of this.held.keys()) this.uncertain.add(tenant);
      this.onLost();
    }
    this.beaten = true;
    for (const tenant of [...this.uncertain]) {
      if (this.busy.has(tenant)) continue; // next beat: a count written now could miss a command on its way
      this.uncertain.delete(tenant);
      try {
        await this.redis.eval(RECONCILE, 1, this.key(tenant), this.holder, this.held.get(tenant) ?? 0);
      } catch (error) {
        this.uncertain.add(tenant);
        throw error;
      }
    }
  }

  private key(tenant: string): string {
    return `${this.prefix}:slots:${tenant}`;
  }

  private aliveKey(holder: string): string {
    return `${this.prefix}:holder:${holder}`;
  }
}
