import { Heartbeat, holderName, SLOT_LEASE_MS, type ConcurrencySlots } from "./concurrency-slots.js";
import type { Database, Statement } from "./database.js";

/**
 * Concurrency slots shared by the service processes of one machine, in the shared-state SQLite file
 * (tables slot_holders and slot_leases). A holder counts while its heartbeat is fresh.
 */
export class SqliteSlots implements ConcurrencySlots {
  private readonly holder = holderName();
  private readonly heartbeat: Heartbeat;
  private readonly used: Statement;
  private readonly take: Statement;
  private readonly give: Statement;
  private readonly drop: Statement;

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
    private readonly leaseMs = SLOT_LEASE_MS,
  ) {
    this.heartbeat = new Heartbeat(() => this.beat(), leaseMs);
    this.used = db.prepare<unknown[]>(
      `SELECT COALESCE(SUM(l.count), 0) AS n FROM slot_leases l JOIN slot_holders h ON h.holder = l.holder
       WHERE l.tenant = ? AND (h.alive_until >= ? OR l.holder = ?)`,
    );
    this.take = db.prepare<unknown[]>(
      `INSERT INTO slot_leases (tenant, holder, count) VALUES (?, ?, ?)
       ON CONFLICT (tenant, holder) DO UPDATE SET count = count + excluded.count`,
    );
    this.give = db.prepare<unknown[]>("UPDATE slot_leases SET count = count - ? WHERE tenant = ? AND holder = ?");
    this.drop = db.prepare<unknown[]>("DELETE FROM slot_leases WHERE tenant = ? AND holder = ? AND count <= 0");
  }

  async acquire(tenant: string, max: number, wanted: number): Promise<number> {
    // Immediate: the count and the take are one step for every process on the machine.
    return this.db.transaction(() => {
      const { n } = this.used.get(tenant, this.now(), this.holder) as { n: number };
      const free = max - n;
      if (free <= 0) return 0;
      const took = Math.min(free, wanted);
      this.take.run(tenant, this.holder, took);
      return took;
    }).immediate();
  }

  async release(tenant: string, count: number): Promise<void> {
    this.db.transaction(() => {
      this.give.run(count, tenant, this.holder);
      this.drop.run(tenant, this.holder);
    }).immediate();
  }

  async active(tenant: string): Promise<number> {
    return (this.used.get(tenant, this.now(), this.holder) as { n: number }).n;
  }

  start(): Promise<void> {
    return this.heartbeat.start();
  }

  async close(): Promise<void> {
    await this.heartbeat.stop();
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM slot_leases WHERE holder = ?").run(this.holder);
      this.db.prepare("DELETE FROM slot_holders WHERE holder = ?").run(this.holder);
    }).immediate();
  }

  /** Keeps this holder alive and forgets the holders whose heartbeat stopped (a killed process). */
  private beat(): void {
    const now = this.now();
    this.db.transaction(() => {
      this.db
        .prepare("INSERT INTO slot_holders (holder, alive_until) VALUES (?, ?) ON CONFLICT (holder) DO UPDATE SET alive_until = excluded.alive_until")
        .run(this.holder, now + this.leaseMs);
      this.db.prepare("DELETE FROM slot_leases WHERE holder IN (SELECT holder FROM slot_holders WHERE alive_until < ?)").run(now);
      this.db.prepare("DELETE FROM slot_holders WHERE alive_until < ?").run(now);
    }).immediate();
  }
}
