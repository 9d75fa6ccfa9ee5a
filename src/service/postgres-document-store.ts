import { randomUUID } from "node:crypto";
import {
  checkId,
  checkQuery,
  checkScope,
  checkSelector,
  checkTenant,
  DataError,
  DOCUMENT_LIMITS,
  duplicateIdError,
  encode,
  storageQuotaError,
  renderCondition,
  toDocumentsJson,
  updateTooBroadError,
  withoutId,
  type Condition,
  type Field,
  type QueryOptions,
  type Selector,
  type Sql,
  type SqlDialect,
  type StoredDocument,
} from "./document-rules.js";
import type { DocumentStore, StorageQuota } from "./document-store.js";
import { GroupCommit } from "./group-commit.js";
import { ThreadCalls } from "./thread-calls.js";
import { STORAGE_QUOTA_STATE, type PostgresDatabase } from "./postgres-database.js";

/**
 * The document store in PostgreSQL: documents as JSONB, every statement carries `tenant = $1`. Comparisons
 * are type-strict as in SQLite (1 never equals "1"); strings compare byte-wise (COLLATE "C"), as SQLite does.
 */
/** Inserts after which a documents table that was never analyzed is analyzed once (see statsOnce). */
const ANALYZE_AFTER_INSERTS = 500;
/** Characters of JSONB text one update may read: its documents at full size, with room for JSONB's spacing. */
const MAX_UPDATE_TEXT = DOCUMENT_LIMITS.maxUpdate * DOCUMENT_LIMITS.maxDocumentBytes * 2;

export class PostgresDocumentStore implements DocumentStore {
  private readonly inserts = new Map<string, GroupCommit<PendingInsert>>();
  private insertedSinceStart = 0;
  /** data:update's merges (document-merge-thread.ts): the documents are text here, objects only there. */
  private readonly merges = new ThreadCalls("document-merge-thread", "document merge");

  constructor(
    private readonly db: PostgresDatabase,
    private readonly maxBytesOf: StorageQuota = () => Infinity,
  ) {}

  /** The merge thread ends after the merges posted before. */
  close(): Promise<void> {
    return this.merges.close();
  }

  async storedBytes(tenant: string): Promise<number> {
    const { rows } = await this.db.query<{ bytes: number }>("SELECT bytes FROM storage_usage WHERE tenant = $1", [checkTenant(tenant)]);
    return rows[0]?.bytes ?? 0;
  }

  async insert(tenant: string, collection: string, doc: object, id?: string): Promise<{ id: string }> {
    const scope = checkScope(tenant, collection);
    const docId = id === undefined ? randomUUID() : checkId(id, "id");
    const { json, bytes } = encode(withoutId(doc, "doc"), "doc");
    const item: PendingInsert = { collection: scope[1], id: docId, json, bytes, at: Date.now() };
    let group = this.inserts.get(scope[0]);
    if (!group) this.inserts.set(scope[0], (group = new GroupCommit((items) => this.insertAll(scope[0], items))));
    await group.add(item);
    if (item.refused) throw item.refused;
    return { id: docId };
  }

  /**
   * A tenant's inserts that arrive together (and while its last batch commits) are one statement and one
   * commit. Each of them updates the tenant's storage row, whose lock is held until the commit is on disk:
   * one at a time, one tenant's inserts were one fsync each (about 170 a second on a 6 ms disk). When the
   * batch is refused (a duplicate id, the quota, text JSONB cannot hold), its inserts run again one by one,
   * in order, so each gets its own answer: exactly the answers of inserts made one after another.
   */
  private async insertAll(tenant: string, items: PendingInsert[]): Promise<void> {
    this.countInserts(items.length);
    if (items.length > 1) {
      try {
        await this.insertRows(tenant, items);
        return;
      } catch (error) {
        // Nothing of the batch is stored (one statement). A deadlock with another node's batch over the same
        // ids (unique-index waits in opposite orders) falls back too: single-row inserts cannot deadlock.
        if (!isDataRefusal(error) && !isDeadlock(error)) throw error;
      }
    }
    // One by one: each insert's own answer, as if they had come one after another; an insert already stored
    // keeps its answer whatever happens to the next (a connection lost fails only the inserts it reaches).
    for (const item of items) {
      try {
        await this.insertRows(tenant, [item]);
      } catch (error) {
        item.refused = (error as { code?: unknown }).code === "23505" ? duplicateIdError(item.id, item.collection) : (dataFailure(error, "doc") as Error);
      }
    }
  }

  /**
   * Without statistics the planner served a lookup by id (`tenant, collection, id` = the primary key) from
   * the insertion-order index, reading the tenant's whole collection (1,564 rows a lookup in bench:service,
   * growing with the table) until autovacuum first analyzed it, up to a minute later. A table that was never
   * analyzed is analyzed once, in the background, after the first few hundred inserts of this process.
   */
  private countInserts(count: number): void {
    const before = this.insertedSinceStart;
    this.insertedSinceStart += count;
    if (before < ANALYZE_AFTER_INSERTS && this.insertedSinceStart >= ANALYZE_AFTER_INSERTS) void this.statsOnce();
  }

  private async statsOnce(): Promise<void> {
    try {
      const { rows } = await this.db.query<{ never: boolean }>(
        "SELECT last_analyze IS NULL AND last_autoanalyze IS NULL AS never FROM pg_stat_user_tables WHERE relid = 'documents'::regclass",
      );
      if (rows[0]?.never) await this.db.query("ANALYZE documents");
    } catch {
      // Statistics only make lookups faster; autovacuum gathers them anyway.
    }
  }

  /** One statement: the quota the storage trigger reads travels with it (its own transaction sets it). */
  private insertRows(tenant: string, items: PendingInsert[]): Promise<unknown> {
    return this.db.query(insertRowsSql(items.length), [tenant, this.quotaOf(tenant), ...items.flatMap((i) => [i.collection, i.id, i.json, i.bytes, i.at])]);
  }

  async queryJson(tenant: string, collection: string, options: QueryOptions = {}): Promise<string> {
    return toDocumentsJson(await this.rows(tenant, collection, options));
  }

  private async rows(tenant: string, collection: string, options: QueryOptions): Promise<Array<{ id: string; data: string }>> {
    const scope = checkScope(tenant, collection);
    const { where, limit, offset, order, orderBy } = checkQuery(options);
    const filter = where ? render(where) : { text: "", params: [] };
    const direction = order.toUpperCase();
    // SQLite sorts a missing field (NULL) first when ascending: the same here.
    const nulls = order === "asc" ? "NULLS FIRST" : "NULLS LAST";
    const by = orderBy === undefined ? { text: "seq", params: [] } : orderKey(orderBy);
    // JSONB writes numbers out in full (1e308 is 309 digits): a 64 KiB document can come back as megabytes
    // of text. The page stops in the database after the row that passes maxQueryBytes (counted in characters,
    // never more than the string's length here), so toDocumentsJson still refuses it, and no more is sent.
    const sql = numbered(
      `SELECT id, data FROM (
         SELECT id, data, sum(char_length(data)) OVER (ORDER BY k ${direction} ${nulls}, seq ${direction} ROWS UNBOUNDED PRECEDING) AS upto
         FROM (SELECT id, data::text AS data, ${by.text} AS k, seq FROM documents WHERE tenant = ? AND collection = ?${and(filter)}
               ORDER BY k ${direction} ${nulls}, seq ${direction} LIMIT ? OFFSET ?) AS page
       ) AS sized WHERE upto - char_length(data) <= ? ORDER BY upto`,
    );
    const { rows } = await this.db.query<{ id: string; data: string }>(sql, [...by.params, ...scope, ...filter.params, limit, offset, DOCUMENT_LIMITS.maxQueryBytes]);
    return rows;
  }

  async update(tenant: string, collection: string, selector: Selector, set: object): Promise<{ updated: number }> {
    const scope = checkScope(tenant, collection);
    const match = render(checkSelector(selector));
    const patch = withoutId(set, "set");
    try {
      return await this.db.transaction(async (client) => {
        // Every matched document is read into host memory and rewritten: bound how many one call may touch.
        // Locked first, then read as text only up to MAX_UPDATE_TEXT (JSONB text can be far longer than the
        // JSON written: see query), the row that passes it included so that the refusal is certain.
        const { rows } = await client.query<{ seq: number; data: string; upto: string }>(
          numbered(
            `WITH locked AS (SELECT seq, data FROM documents WHERE tenant = ? AND collection = ?${and(match)} ORDER BY seq LIMIT ? FOR UPDATE)
             SELECT seq, data, upto FROM (SELECT seq, data, sum(char_length(data)) OVER (ORDER BY seq ROWS UNBOUNDED PRECEDING) AS upto FROM (SELECT seq, data::text AS data FROM locked) AS texts) AS sized
             WHERE upto - char_length(data) <= ? ORDER BY seq`,
          ),
          [...scope, ...match.params, DOCUMENT_LIMITS.maxUpdate + 1, MAX_UPDATE_TEXT],
        );
        if (rows.length > DOCUMENT_LIMITS.maxUpdate) throw updateTooBroadError();
        if (rows.length > 0 && Number(rows[rows.length - 1]!.upto) > MAX_UPDATE_TEXT) {
          throw new DataError(`selector: the matched documents take more than ${MAX_UPDATE_TEXT} characters; update them in smaller groups`);
        }
        if (rows.length === 0) return { updated: 0 };
        const merged = (await this.merges.call("merge", [rows.map(({ data }) => data), patch])) as { json: string[]; bytes: number[] };
        const values = rows.flatMap((row, i) => [row.seq, merged.json[i], merged.bytes[i]]);
        await client.query(updateRowsSql(rows.length), [...scope, Date.now(), this.quotaOf(scope[0]), ...values]);
        return { updated: rows.length };
      });
    } catch (error) {
      throw dataFailure(error, "set");
    }
  }

  async delete(tenant: string, collection: string, selector: Selector): Promise<{ deleted: number }> {
    const scope = checkScope(tenant, collection);
    const match = render(checkSelector(selector));
    const result = await this.db.query(numbered(`DELETE FROM documents WHERE tenant = ? AND collection = ?${and(match)}`), [...scope, ...match.params]);
    return { deleted: result.rowCount ?? 0 };
  }

  async count(tenant: string, collection?: string): Promise<number> {
    const scope = collection === undefined ? [checkTenant(tenant)] : checkScope(tenant, collection);
    const sql = `SELECT COUNT(*) AS n FROM documents WHERE tenant = $1${scope.length > 1 ? " AND collection = $2" : ""}`;
    const { rows } = await this.db.query<{ n: number }>(sql, scope);
    return rows[0]!.n;
  }

  /** The tenant's storage quota (bytes) as the storage trigger reads it; empty: unbounded. */
  private quotaOf(tenant: string): string {
    const max = this.maxBytesOf(tenant);
    return Number.isFinite(max) ? String(Math.floor(max)) : "";
  }
}

/** An insert waiting for its tenant's next batch; `refused` is its own answer when the database refused it. */
interface PendingInsert {
  collection: string;
  id: string;
  json: string;
  bytes: number;
  at: number;
  refused?: Error;
}

/** Another transaction and this one waited for each other (PostgreSQL ended this one). */
function isDeadlock(error: unknown): boolean {
  return (error as { code?: unknown }).code === "40P01";
}

/** The database refused the data (a duplicate id, the storage quota, text JSONB cannot hold), not the connection. */
function isDataRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "23505" || code === STORAGE_QUOTA_STATE || (typeof code === "string" && code.startsWith("22"));
}

/**
 * A one-row subquery that tells the storage trigger the writing transaction's quota (the parameter: bytes,
 * or empty for none). A write joins it (and tests its column, so that it is evaluated) instead of a
 * statement of its own: the quota travels with the write.
 */
const quotaForThisTransaction = (param: string) => `(SELECT set_config('tenantbox.storage_quota', ${param}, true) AS set) AS quota`;

/**
 * Rows of parameters, `(${first}::type, ...), (...)`, each row also numbered (its last column) when asked. A
 * document's JSON goes as a parameter of its own, sent as it is: in an array parameter the pg driver escapes
 * every element with two regular expressions on the main thread (review: 200 documents of quotes, 2.4 s).
 */
function parameterRows(count: number, types: string[], first: number, numbered = false): string {
  const rows: string[] = [];
  for (let row = 0, at = first; row < count; row++) {
    const cells = types.map((type) => `$${at++}::${type}`);
    if (numbered) cells.push(String(row + 1));
    rows.push(`(${cells.join(", ")})`);
  }
  return rows.join(", ");
}

/** A tenant's inserts, in the order they came: $1 tenant, $2 quota, then collection, id, data, bytes and time of each. */
const insertRowsSql = (count: number) => `INSERT INTO documents (tenant, collection, id, data, bytes, created_at, updated_at)
  SELECT $1, v.collection, v.id, v.data::jsonb, v.bytes, v.at, v.at
  FROM ${quotaForThisTransaction("$2")}, (VALUES ${parameterRows(count, ["text", "text", "text", "integer", "bigint"], 3, true)}) AS v(collection, id, data, bytes, at, n)
  WHERE quota.set IS NOT NULL ORDER BY v.n`;

/** Matched documents rewritten: $1 tenant, $2 collection, $3 time, $4 quota, then seq, data and bytes of each. */
const updateRowsSql = (count: number) => `UPDATE documents AS d SET data = u.data::jsonb, bytes = u.bytes, updated_at = $3
  FROM (VALUES ${parameterRows(count, ["bigint", "text", "integer"], 5)}) AS u(seq, data, bytes), ${quotaForThisTransaction("$4")}
  WHERE d.tenant = $1 AND d.collection = $2 AND d.seq = u.seq AND quota.set IS NOT NULL`;

/** A write the database refused because of the data: the quota, or text JSONB cannot hold. */
function dataFailure(error: unknown, name: string): unknown {
  if (error instanceof DataError) return error;
  const { code, detail } = error as { code?: unknown; detail?: unknown };
  if (code === STORAGE_QUOTA_STATE) {
    const [wouldTake, quota] = String(detail).split(" ").map(Number);
    return storageQuotaError(wouldTake!, quota!);
  }
  // JSONB refuses \u0000 and lone surrogates in strings (SQLite keeps them as text).
  if (typeof code === "string" && code.startsWith("22")) {
    return new DataError(`${name}: holds text the database cannot store (a \\u0000 character or a lone surrogate)`);
  }
  return error;
}

function and(sql: Sql): string {
  return sql.text ? ` AND ${sql.text}` : "";
}

/** `?` placeholders as $1, $2...: the texts never hold a literal `?`. */
function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

/** A field's JSON value (jsonb); the path is a bound text[], never spliced. */
function json(field: Field): Sql {
  return "id" in field ? { text: "to_jsonb(id)", params: [] } : { text: "(data #> ?::text[])", params: [field.path] };
}

function orderKey(field: Field): Sql {
  return "id" in field ? { text: `id COLLATE "C"`, params: [] } : json(field);
}

/** Type-strict leaves; never NULL (a missing field reads as JSON null), so NOT (...) also matches documents without it. */
const POSTGRES: SqlDialect = {
  never: "false",
  is(field, value) {
    const target = json(field);
    return { text: `(COALESCE(${target.text}, 'null'::jsonb) = ?::jsonb)`, params: [...target.params, String(value)] };
  },
  compare(field, op, value) {
    if ("id" in field) {
      if (typeof value !== "string") return { text: "false", params: [] };
      // Equality is byte-wise under any deterministic collation, so `=` goes without COLLATE "C": with it the
      // primary key (default collation) could not serve `id = ?`, and a lookup by id read the whole collection
      // in insertion order (1,564 index rows per query in bench:service's data hook).
      return { text: op === "=" ? `(id = ?)` : `(id COLLATE "C" ${op} ?)`, params: [value] };
    }
    const target = json(field);
    // CASE, not AND: PostgreSQL may evaluate AND's operands in any order, and the cast fails on another type.
    const [type, test] =
      typeof value === "number" ? ["number", `(${target.text})::numeric ${op} ?::numeric`] : ["string", `(${target.text} #>> '{}') COLLATE "C" ${op} ?::text`];
    return {
      text: `(CASE WHEN jsonb_typeof(${target.text}) = '${type}' THEN ${test} ELSE false END)`,
      params: [...target.params, ...target.params, typeof value === "number" ? String(value) : value],
    };
  },
};

function render(condition: Condition): Sql {
  return renderCondition(condition, POSTGRES);
}
