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
  private readonly acquireNow: (tenant: string, max: number, wanted: number) => number;
  private readonly beatNow: (now: number) => void;
  private readonly leaveNow: () => void;

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
    // One statement (atomic without a transaction around it); rows left at zero are swept by the heartbeat.
    this.give = db.prepare<unknown[]>("UPDATE slot_leases SET count = MAX(0, count - ?) WHERE tenant = ? AND holder = ?");
    // Built once: a better-sqlite3 transaction prepares its BEGIN and COMMIT when it is made.
    this.acquireNow = db.transaction((tenant: string, max: number, wanted: number) => {
      const { n } = this.used.get(tenant, this.now(), this.holder) as { n: number };
      const free = max - n;
      if (free <= 0) return 0;
      const took = Math.min(free, wanted);
      this.take.run(tenant, this.holder, took);
      return took;
    }).immediate;
    const alive = db.prepare<unknown[]>("INSERT INTO slot_holders (holder, alive_until) VALUES (?, ?) ON CONFLICT (holder) DO UPDATE SET alive_until = excluded.alive_until");
    const dropDeadLeases = db.prepare<unknown[]>("DELETE FROM slot_leases WHERE holder IN (SELECT holder FROM slot_holders WHERE alive_until < ?)");
    const dropDead = db.prepare<unknown[]>("DELETE FROM slot_holders WHERE alive_until < ?");
    const dropEmpty = db.prepare<unknown[]>("DELETE FROM slot_leases WHERE count <= 0");
    this.beatNow = db.transaction((now: number) => {
      alive.run(this.holder, now + this.leaseMs);
      dropDeadLeases.run(now);
      dropDead.run(now);
      dropEmpty.run();
    }).immediate;
    const leaveLeases = db.prepare<unknown[]>("DELETE FROM slot_leases WHERE holder = ?");
    const leaveHolder = db.prepare<unknown[]>("DELETE FROM slot_holders WHERE holder = ?");
    this.leaveNow = db.transaction(() => {
      leaveLeases.run(this.holder);
      leaveHolder.run(this.holder);
    }).immediate;
  }

  /** Immediate: the count and the take are one step for every process on the machine. */
  async acquire(tenant: string, max: number, wanted: number): Promise<number> {
    return this.acquireNow(tenant, max, wanted);
  }

  async release(tenant: string, count: number): Promise<void> {
    this.give.run(count, tenant, this.holder);
  }

  async active(tenant: string): Promise<number> {
    return (this.used.get(tenant, this.now(), this.holder) as { n: number }).n;
  }

  start(): Promise<void> {
    return this.heartbeat.start();
  }

  async close(): Promise<void> {
    await this.heartbeat.stop();
    this.leaveNow();
  }

  /** Keeps this holder alive and forgets the holders whose heartbeat stopped (a killed process). */
  private beat(): void {
    this.beatNow(this.now());
  }
}
