import pg from "pg";
import { ServiceError } from "./service-error.js";

/** Queued events (delivery/postgres-delivery-store.ts): one row per accepted event, one per handler's job. */
const POSTGRES_DELIVERY_SCHEMA = `
  CREATE TABLE deliveries (
    id text PRIMARY KEY,
    tenant text NOT NULL,
    event text NOT NULL,
    payload text NOT NULL,
    context text,
    "user" text,
    permissions text,
    idempotency_key text,
    source text NOT NULL,
    created_at bigint NOT NULL
  );
  CREATE UNIQUE INDEX deliveries_idempotency ON deliveries (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL;
  CREATE INDEX deliveries_created ON deliveries (created_at);
  CREATE TABLE delivery_jobs (
    delivery_id text NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    idx integer NOT NULL,
    tenant text NOT NULL,
    file text NOT NULL,
    func text NOT NULL,
    state text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL,
    run_at bigint NOT NULL,
    queued_at bigint NOT NULL,
    started_at bigint,
    finished_at bigint,
    lease_until bigint,
    last_result text,
    PRIMARY KEY (delivery_id, idx)
  );
  CREATE INDEX delivery_jobs_due ON delivery_jobs (state, tenant, run_at);
  CREATE INDEX delivery_jobs_finished ON delivery_jobs (tenant, state, finished_at);
  CREATE INDEX delivery_jobs_lease ON delivery_jobs (state, lease_until);`;

/**
 * Schema steps, applied in order at start; `tenantbox_migrations` records which ran. Never edit a shipped
 * step: append a new one. Storage is counted from `bytes` (the document's JSON length as the service
 * wrote it, the same count SQLite keeps), and the quota is checked by a trigger, inside the transaction
 * that writes: two nodes cannot both take a tenant's last free bytes.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE executions (
     id bigserial PRIMARY KEY,
     tenant text NOT NULL,
     "user" text,
     kind text NOT NULL CHECK (kind IN ('run', 'execute', 'event')),
     file text,
     func text,
     code_hash text,
     event text,
     success smallint NOT NULL CHECK (success IN (0, 1)),
     error_code text,
     duration_ms double precision NOT NULL,
     tool_calls integer NOT NULL,
     charged_tool_calls integer NOT NULL DEFAULT 0,
     at bigint NOT NULL
   );
   CREATE INDEX executions_tenant_at ON executions (tenant, at);
   CREATE INDEX executions_at ON executions (at);
   CREATE TABLE documents (
     seq bigserial NOT NULL,
     tenant text NOT NULL,
     collection text NOT NULL,
     id text NOT NULL,
     data jsonb NOT NULL,
     bytes integer NOT NULL CHECK (bytes >= 0),
     created_at bigint,
     updated_at bigint,
     PRIMARY KEY (tenant, collection, id)
   );
   CREATE INDEX documents_insertion ON documents (tenant, collection, seq);
   CREATE TABLE storage_usage (tenant text PRIMARY KEY, bytes bigint NOT NULL);
   CREATE FUNCTION tenantbox_count_storage() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'INSERT' THEN
       INSERT INTO storage_usage AS u (tenant, bytes) VALUES (NEW.tenant, NEW.bytes)
         ON CONFLICT (tenant) DO UPDATE SET bytes = u.bytes + EXCLUDED.bytes;
     ELSIF TG_OP = 'UPDATE' THEN
       UPDATE storage_usage SET bytes = bytes - OLD.bytes + NEW.bytes WHERE tenant = NEW.tenant;
     ELSE
       UPDATE storage_usage SET bytes = bytes - OLD.bytes WHERE tenant = OLD.tenant;
     END IF;
     RETURN NULL;
   END $$;
   CREATE TRIGGER documents_count_storage AFTER INSERT OR UPDATE OR DELETE ON documents
     FOR EACH ROW EXECUTE FUNCTION tenantbox_count_storage();
   -- The writing transaction sets tenantbox.storage_quota (bytes) for its tenant; growth past it is refused.
   CREATE FUNCTION tenantbox_check_storage() RETURNS trigger LANGUAGE plpgsql AS $$
   DECLARE quota bigint := NULLIF(current_setting('tenantbox.storage_quota', true), '')::bigint;
   BEGIN
     IF quota IS NOT NULL AND NEW.bytes > quota AND (TG_OP = 'INSERT' OR NEW.bytes > OLD.bytes) THEN
       RAISE EXCEPTION 'storage quota' USING ERRCODE = 'TBX01', DETAIL = NEW.bytes || ' ' || quota;
     END IF;
     RETURN NEW;
   END $$;
   CREATE TRIGGER storage_usage_quota BEFORE INSERT OR UPDATE ON storage_usage
     FOR EACH ROW EXECUTE FUNCTION tenantbox_check_storage();`,
  // Queued events (issue 13): each handler attempt's row names its delivery and attempt.
  `ALTER TABLE executions ADD COLUMN job_id text, ADD COLUMN attempt integer;
   ${POSTGRES_DELIVERY_SCHEMA}`,
  // One storage count per insert statement, not per row: a tenant's grouped inserts (one statement) ran two
  // PL/pgSQL triggers and an upsert for every document. The quota check on storage_usage then sees the
  // statement's whole growth at once, and refuses the statement as the row triggers did (the store falls
  // back to one insert at a time for the answers).
  `DROP TRIGGER documents_count_storage ON documents;
   CREATE FUNCTION tenantbox_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO storage_usage AS u (tenant, bytes) SELECT tenant, SUM(bytes) FROM inserted GROUP BY tenant
       ON CONFLICT (tenant) DO UPDATE SET bytes = u.bytes + EXCLUDED.bytes;
     RETURN NULL;
   END $$;
   CREATE TRIGGER documents_count_inserted AFTER INSERT ON documents REFERENCING NEW TABLE AS inserted
     FOR EACH STATEMENT EXECUTE FUNCTION tenantbox_count_inserted();
   CREATE TRIGGER documents_count_storage AFTER UPDATE OR DELETE ON documents
     FOR EACH ROW EXECUTE FUNCTION tenantbox_count_storage();`,
  // A queued handler's value apart from its result, as the JSON text the sandbox wrote: reading a job parses
  // the service's own fields only, never the tenant's value (result-columns.ts). A value kept before moves out
  // as it was written (json, unlike jsonb, keeps its text); such a result was always these four fields and it.
  // Row by row: PostgreSQL's json refuses some text JavaScript wrote (an escaped NUL, a lone surrogate, in a
  // tenant's value or error message), and one such row must not stop the upgrade (review): it stays whole,
  // and is read as before.
  `ALTER TABLE delivery_jobs ADD COLUMN last_value text;
   DO $$
   DECLARE r record;
   BEGIN
     FOR r IN SELECT delivery_id, idx, last_result FROM delivery_jobs WHERE last_result IS NOT NULL AND strpos(last_result, '"value"') > 0 LOOP
       BEGIN
         UPDATE delivery_jobs SET last_value = (r.last_result::json -> 'value')::text,
           last_result = json_build_object('success', r.last_result::json -> 'success', 'durationMs', r.last_result::json -> 'durationMs',
             'attempt', r.last_result::json -> 'attempt', 'at', r.last_result::json -> 'at')::text
           WHERE delivery_id = r.delivery_id AND idx = r.idx AND (r.last_result::json -> 'value') IS NOT NULL;
       EXCEPTION WHEN others THEN
         NULL;
       END;
     END LOOP;
   END $$;`,
  // An Idempotency-Key's request fingerprint, kept with its event (a repeat made it again from the stored
  // payload on the main thread: red team dec09). Rows stored before keep it NULL and are fingerprinted as before.
  `ALTER TABLE deliveries ADD COLUMN fingerprint text;`,
];

/** The SQLSTATE the storage trigger raises. */
export const STORAGE_QUOTA_STATE = "TBX01";

// bigint columns (ids, times, counts) as numbers: every value the service stores is far below 2^53.
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
};

export type Queryable = Pick<pg.PoolClient, "query">;

/**
 * A PostgreSQL connection pool with the service's schema, and whether the engine is reachable: after a
 * failure that is not about the data, `ready()` checks the connection (one probe at a time) before the
 * service admits more work, so an engine that is away turns requests into 503s instead of unaudited runs.
 */
export class PostgresDatabase {
  readonly pool: pg.Pool;
  private down = false;
  private probe: Promise<void> | undefined;

  constructor(url: string, poolSize = 10) {
    checkDatabaseUrl(url);
    this.pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 3000, idleTimeoutMillis: 30_000, types });
    // An idle connection that failed or ended (the server went away, or just the idle timeout): the engine is
    // checked (one probe) before the next execution is admitted. Without an error listener the process would die.
    this.pool.on("error", () => {
      this.down = true;
    });
    this.pool.on("connect", (client) => {
      client.on("end", () => {
        this.down = true;
      });
    });
  }

  /** Applies the missing schema steps under an advisory lock, so nodes starting together migrate once. */
  async migrate(): Promise<void> {
    await this.transaction(async (client) => {
      // A search_path whose schemas do not exist (options=-c search_path=<schema>, the schema not created yet):
      // PostgreSQL's own words, "no schema has been selected to create in", do not say which or what to do.
      const { rows: where } = await client.query<{ schema: string | null; path: string }>("SELECT current_schema() AS schema, current_setting('search_path') AS path");
      if (where[0]!.schema === null) {
        const path = where[0]!.path;
        throw new Error(`no schema of the search_path (${path}) exists: create it first (CREATE SCHEMA ${path.split(",")[0]!.trim()}), or select an existing one`);
      }
      await client.query("SELECT pg_advisory_xact_lock(hashtext('tenantbox:migrations:' || COALESCE(current_schema(), '')))");
      await client.query("CREATE TABLE IF NOT EXISTS tenantbox_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
      const { rows } = await client.query<{ version: number }>("SELECT COALESCE(MAX(version), 0) AS version FROM tenantbox_migrations");
      const version = rows[0]!.version;
      if (version > MIGRATIONS.length) throw new Error(`schema version ${version} is newer than this tenantbox (${MIGRATIONS.length})`);
      for (let step = version; step < MIGRATIONS.length; step++) {
        await client.query(MIGRATIONS[step]!);
        await client.query("INSERT INTO tenantbox_migrations (version) VALUES ($1)", [step + 1]);
      }
    });
  }

  async query<R extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, params);
    } catch (error) {
      throw this.failed(error);
    }
  }

  /** `work` inside BEGIN/COMMIT on one connection; rolled back when it throws. */
  async transaction<T>(work: (client: Queryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.failed(error);
    }
    let broken = false;
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch {
        broken = true;
      }
      throw this.failed(error);
    } finally {
      client.release(broken);
    }
  }

  /** Resolves when the engine is believed reachable; rejects with 503 UNAVAILABLE when it is not. */
  ready(): Promise<void> {
    if (!this.down) return Promise.resolve();
    this.probe ??= this.pool
      .query("SELECT 1")
      .then(
        () => {
          this.down = false;
        },
        () => {
          throw new ServiceError("UNAVAILABLE", "the database is unavailable; try again shortly", 1000);
        },
      )
      .finally(() => {
        this.probe = undefined;
      });
    return this.probe;
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  /** Marks the engine away unless the failure is about the data itself (a bad value, a constraint, the quota). */
  private failed(error: unknown): unknown {
    const code = (error as { code?: unknown }).code;
    // Class 40 (a deadlock, a serialization failure) is one transaction ended by the server, not an outage.
    const aboutData = typeof code === "string" && (code.startsWith("22") || code.startsWith("23") || code.startsWith("40") || code === STORAGE_QUOTA_STATE);
    if (!aboutData) this.down = true;
    return error;
  }
}

/** A TypeError unless `url` is a PostgreSQL URL (the constructor's check, for a command line to make before it starts anything). */
export function checkDatabaseUrl(url: unknown): void {
  if (typeof url !== "string" || !/^postgres(ql)?:\/\//.test(url)) {
    throw new TypeError(`database url must start with postgres:// or postgresql://, got ${JSON.stringify(redactUrl(String(url)))}`);
  }
}

/** A URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@");
}
