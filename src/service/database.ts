import fs from "node:fs";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";

export type Database = BetterSqlite3.Database;
export type Statement = BetterSqlite3.Statement<unknown[]>;
export type Transaction<F extends (...args: never[]) => unknown> = BetterSqlite3.Transaction<F>;

export const DATABASE_FILE = "tenantbox.db";

/** Queued events (delivery/delivery-store.ts): one row per accepted event, one per handler's job. */
const DELIVERY_SCHEMA = `
  CREATE TABLE deliveries (
    id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    context TEXT,
    user TEXT,
    permissions TEXT,
    idempotency_key TEXT,
    source TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX deliveries_idempotency ON deliveries (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
  CREATE INDEX deliveries_created ON deliveries (created_at);
  CREATE TABLE delivery_jobs (
    delivery_id TEXT NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    tenant TEXT NOT NULL,
    file TEXT NOT NULL,
    func TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at INTEGER NOT NULL,
    queued_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    lease_until INTEGER,
    last_result TEXT,
    PRIMARY KEY (delivery_id, idx)
  );
  CREATE INDEX delivery_jobs_due ON delivery_jobs (state, tenant, run_at);
  CREATE INDEX delivery_jobs_finished ON delivery_jobs (tenant, state, finished_at);
  CREATE INDEX delivery_jobs_lease ON delivery_jobs (state, lease_until);`;

/**
 * Schema steps, applied in order; `PRAGMA user_version` records how many ran, so opening an
 * existing file only applies the new ones. Never edit a shipped step: append a new one.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE executions (
     id INTEGER PRIMARY KEY,
     tenant TEXT NOT NULL,
     user TEXT,
     kind TEXT NOT NULL CHECK (kind IN ('run', 'execute', 'event')),
     file TEXT,
     func TEXT,
     code_hash TEXT,
     event TEXT,
     success INTEGER NOT NULL CHECK (success IN (0, 1)),
     error_code TEXT,
     duration_ms REAL NOT NULL,
     tool_calls INTEGER NOT NULL,
     at INTEGER NOT NULL
   );
   CREATE INDEX executions_tenant_at ON executions (tenant, at);
   CREATE INDEX executions_at ON executions (at);
   CREATE TABLE documents (
     tenant TEXT NOT NULL,
     collection TEXT NOT NULL,
     id TEXT NOT NULL,
     data TEXT NOT NULL,
     created_at INTEGER,
     updated_at INTEGER,
     PRIMARY KEY (tenant, collection, id)
   );`,
  // Tool calls the daily quota charged (refused ones are not): what a restart restores the counter from.
  `ALTER TABLE executions ADD COLUMN charged_tool_calls INTEGER NOT NULL DEFAULT 0;`,
  // Bytes of stored JSON per tenant, kept by triggers so no write path can forget it (the storage quota).
  `CREATE TABLE storage_usage (tenant TEXT PRIMARY KEY, bytes INTEGER NOT NULL);
   INSERT INTO storage_usage (tenant, bytes) SELECT tenant, SUM(length(CAST(data AS BLOB))) FROM documents GROUP BY tenant;
   CREATE TRIGGER documents_usage_insert AFTER INSERT ON documents BEGIN
     INSERT INTO storage_usage (tenant, bytes) VALUES (NEW.tenant, length(CAST(NEW.data AS BLOB)))
       ON CONFLICT (tenant) DO UPDATE SET bytes = bytes + excluded.bytes;
   END;
   CREATE TRIGGER documents_usage_update AFTER UPDATE OF data ON documents BEGIN
     UPDATE storage_usage SET bytes = bytes - length(CAST(OLD.data AS BLOB)) + length(CAST(NEW.data AS BLOB)) WHERE tenant = NEW.tenant;
   END;
   CREATE TRIGGER documents_usage_delete AFTER DELETE ON documents BEGIN
     UPDATE storage_usage SET bytes = bytes - length(CAST(OLD.data AS BLOB)) WHERE tenant = OLD.tenant;
   END;`,
  // Queued events (issue 13): their deliveries and handler jobs, and each attempt's audit row names them.
  `ALTER TABLE executions ADD COLUMN job_id TEXT;
   ALTER TABLE executions ADD COLUMN attempt INTEGER;
   ${DELIVERY_SCHEMA}`,
  // Each tenant's unfinished handler jobs (maxQueuedEvents), kept by triggers: one row to read, where a
  // COUNT over a backlog of 200,000 jobs held the thread that serves requests for 10 ms or more.
  `CREATE TABLE delivery_backlog (tenant TEXT PRIMARY KEY, jobs INTEGER NOT NULL);
   INSERT INTO delivery_backlog (tenant, jobs) SELECT tenant, COUNT(*) FROM delivery_jobs WHERE state IN ('queued', 'running') GROUP BY tenant;
   CREATE TRIGGER delivery_backlog_insert AFTER INSERT ON delivery_jobs WHEN NEW.state IN ('queued', 'running') BEGIN
     INSERT INTO delivery_backlog (tenant, jobs) VALUES (NEW.tenant, 1) ON CONFLICT (tenant) DO UPDATE SET jobs = jobs + 1;
   END;
   CREATE TRIGGER delivery_backlog_update AFTER UPDATE OF state ON delivery_jobs
     WHEN (OLD.state IN ('queued', 'running')) <> (NEW.state IN ('queued', 'running')) BEGIN
     INSERT INTO delivery_backlog (tenant, jobs) VALUES (NEW.tenant, CASE WHEN NEW.state IN ('queued', 'running') THEN 1 ELSE -1 END)
       ON CONFLICT (tenant) DO UPDATE SET jobs = jobs + excluded.jobs;
   END;
   CREATE TRIGGER delivery_backlog_delete AFTER DELETE ON delivery_jobs WHEN OLD.state IN ('queued', 'running') BEGIN
     UPDATE delivery_backlog SET jobs = jobs - 1 WHERE tenant = OLD.tenant;
   END;`,
  // A queued handler's value apart from its result, as the JSON text the sandbox wrote: reading a job parses
  // the service's own fields only, never the tenant's value (result-columns.ts). Values kept before move out
  // as they were written (SQLite's -> gives a value's JSON text, json_remove keeps the other fields' order).
  `ALTER TABLE delivery_jobs ADD COLUMN last_value TEXT;
   UPDATE delivery_jobs SET last_value = last_result -> '$.value', last_result = json_remove(last_result, '$.value')
     WHERE last_result IS NOT NULL AND json_valid(last_result) AND json_type(last_result, '$.value') IS NOT NULL;`,
  // The queue's jobs per state for /metrics, kept by triggers: one row per state to read, where a COUNT ... GROUP
  // BY state over every job (a tenant's 200,000 waiting and a day of succeeded ones) held the thread that serves
  // requests 50-130 ms per scrape (red team dec09).
  `CREATE TABLE delivery_states (state TEXT PRIMARY KEY, jobs INTEGER NOT NULL);
   INSERT INTO delivery_states (state, jobs) SELECT state, COUNT(*) FROM delivery_jobs GROUP BY state;
   CREATE TRIGGER delivery_states_insert AFTER INSERT ON delivery_jobs BEGIN
     INSERT INTO delivery_states (state, jobs) VALUES (NEW.state, 1) ON CONFLICT (state) DO UPDATE SET jobs = jobs + 1;
   END;
   CREATE TRIGGER delivery_states_update AFTER UPDATE OF state ON delivery_jobs WHEN OLD.state <> NEW.state BEGIN
     UPDATE delivery_states SET jobs = jobs - 1 WHERE state = OLD.state;
     INSERT INTO delivery_states (state, jobs) VALUES (NEW.state, 1) ON CONFLICT (state) DO UPDATE SET jobs = jobs + 1;
   END;
   CREATE TRIGGER delivery_states_delete AFTER DELETE ON delivery_jobs BEGIN
     UPDATE delivery_states SET jobs = jobs - 1 WHERE state = OLD.state;
   END;`,
  // An Idempotency-Key's request fingerprint, kept with its event: a repeat was compared with one made again
  // from the stored payload (parsed and key-sorted on the thread that serves requests, 40-50 ms for a 750 KB
  // payload, on every repeat: red team dec09). Rows stored before keep it NULL and are fingerprinted as before.
  `ALTER TABLE deliveries ADD COLUMN fingerprint TEXT;`,
];

/** Opens (creating if needed) `<dataDir>/tenantbox.db` (audit log, documents), migrated. */
export function openDatabase(dataDir: string): Database {
  return openSqlite(dataDir, DATABASE_FILE, MIGRATIONS);
}

/** A SQLite file several processes of the machine may write: WAL, and a busy timeout instead of SQLITE_BUSY. */
function openSqlite(dataDir: string, name: string, migrations: readonly string[]): Database {
  if (typeof dataDir !== "string" || dataDir.length === 0) {
    throw new Error("openDatabase: the data directory must be a non-empty path");
  }
  const dir = path.resolve(dataDir);
  const file = path.join(dir, name);
  try {
    makeDirectory(dir);
  } catch (error) {
    throw new Error(`cannot create the data directory ${dir}: ${reason(error)}`, { cause: error });
  }
  for (let attempt = 1; ; attempt++) {
    let db: Database | undefined;
    try {
      db = new BetterSqlite3(file, { timeout: 5000 });
      // WAL lets readers (the audit CLI) run beside the service; NORMAL is durable across crashes in WAL.
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.pragma("busy_timeout = 5000");
      db.pragma("foreign_keys = ON");
      migrate(db, migrations);
      return db;
    } catch (error) {
      db?.close();
      // Service processes that open a new file together (serve --workers): switching it to WAL takes the
      // file for a moment, and SQLite answers "locked" at once instead of waiting. Open again, shortly.
      if (isLocked(error) && attempt < OPEN_ATTEMPTS) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20 * attempt);
        continue;
      }
      throw new Error(`cannot open the database ${file}: ${reason(error)}`, { cause: error });
    }
  }
}

/** Opening attempts while another process holds a new file (about 4 s in all). */
const OPEN_ATTEMPTS = 20;

function isLocked(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
}

function migrate(db: Database, migrations: readonly string[]): void {
  // Immediate: two processes opening a fresh file at once must not both run step 1.
  db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > migrations.length) {
      throw new Error(`schema version ${version} is newer than this tenantbox (${migrations.length})`);
    }
    for (let step = version; step < migrations.length; step++) db.exec(migrations[step]!);
    if (version < migrations.length) db.pragma(`user_version = ${migrations.length}`);
  }).immediate();
}

/**
 * `fs.mkdirSync(dir, { recursive: true })` without its endless loop: where mkdir answers ENOENT under a parent
 * that exists (`/proc/x`, `/sys/x`), Node creates the parent (EEXIST) and tries the child again, forever.
 * Here the missing folders are made one at a time, top down, and the first that cannot be made says why.
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let at = path.resolve(dir); !fs.existsSync(at); at = path.dirname(at)) {
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const folder of missing) {
    try {
      fs.mkdirSync(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") continue; // made meanwhile (another process)
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        throw Object.assign(new Error(`ENOENT: ${path.dirname(folder)} does not allow creating ${path.basename(folder)} in it`), { code: "ENOENT" });
      }
      throw error;
    }
  }
  // Every folder exists now: this only says EEXIST (or ENOTDIR) when the path is not a directory.
  fs.mkdirSync(dir, { recursive: true });
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
