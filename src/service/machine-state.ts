import { openSharedStateDatabase, type Database } from "./database.js";
import { SqliteSlots } from "./sqlite-slots.js";
import { statementCache } from "./sqlite-statement-cache.js";

const HOUR_MS = 3_600_000;

/**
 * What the service processes of one machine share without Redis: the shared-state SQLite file in the data
 * directory (quota counters, rate limits, concurrency slots), and its housekeeping (expired counters).
 */
export class MachineState {
  readonly db: Database;
  /** What the counters' store client is: the file with its statements prepared once. */
  readonly counters: ReturnType<typeof statementCache>;
  readonly slots: SqliteSlots;
  private readonly sweeper: NodeJS.Timeout;

  constructor(dataDir: string, now: () => number = Date.now) {
    this.db = openSharedStateDatabase(dataDir);
    this.counters = statementCache(this.db);
    this.slots = new SqliteSlots(this.db, now);
    // rate-limiter-flexible leaves expired rows; an hour's grace, every few minutes, never holding the process.
    this.sweeper = setInterval(() => {
      try {
        this.db.prepare("DELETE FROM rate_limits WHERE expire < ?").run(Date.now() - HOUR_MS);
      } catch {
        // The next sweep tries again.
      }
    }, 5 * 60_000);
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
    this.db.close();
  }
}
