import { randomUUID } from "node:crypto";
import type { Database, Statement } from "./database.js";
import {
  checkId,
  checkQuery,
  checkScope,
  checkSelector,
  checkTenant,
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

/**
 * The document store in SQLite: documents as JSON text, every statement carries `tenant = ?`. The work is
 * synchronous (better-sqlite3); the methods are async only to share the interface with PostgreSQL.
 */
export class SqliteDocumentStore implements DocumentStore {
  private readonly statements = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    private readonly maxBytesOf: StorageQuota = () => Infinity,
  ) {}

  async storedBytes(tenant: string): Promise<number> {
    return this.bytesOf(checkTenant(tenant));
  }

  async insert(tenant: string, collection: string, doc: object, id?: string): Promise<{ id: string }> {
    const scope = checkScope(tenant, collection);
    const docId = id === undefined ? randomUUID() : checkId(id, "id");
    const { json, bytes } = encode(withoutId(doc, "doc"), "doc");
    const now = Date.now();
    try {
      // Check and write in one transaction: two inserts cannot both take the last free bytes.
      this.db.transaction(() => {
        this.checkStorage(scope[0], bytes);
        this.prepare("INSERT INTO documents (tenant, collection, id, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)").run(
          ...scope, docId, json, now, now,
        );
      }).immediate();
    } catch (error) {
      if ((error as { code?: unknown }).code === "SQLITE_CONSTRAINT_PRIMARYKEY") throw duplicateIdError(docId, scope[1]);
      throw error;
    }
    return { id: docId };
  }

  async queryJson(tenant: string, collection: string, options: QueryOptions = {}): Promise<string> {
    return toDocumentsJson(this.rows(tenant, collection, options));
  }

  private rows(tenant: string, collection: string, options: QueryOptions): IterableIterator<{ id: string; data: string }> {
    const scope = checkScope(tenant, collection);
    const { where, limit, offset, order, orderBy } = checkQuery(options);
    const filter = where ? render(where) : { text: "", params: [] };
    const direction = order.toUpperCase();
    // rowid is insertion order; it also breaks ties so pages are stable.
    const by = orderBy === undefined ? { text: "rowid", params: [] } : operand(orderBy).value;
    return this.prepare(
      `SELECT id, data FROM documents WHERE tenant = ? AND collection = ?${and(filter)}
       ORDER BY ${by.text} ${direction}, rowid ${direction} LIMIT ? OFFSET ?`,
    ).iterate(...scope, ...filter.params, ...by.params, limit, offset) as IterableIterator<{ id: string; data: string }>;
  }

  async update(tenant: string, collection: string, selector: Selector, set: object): Promise<{ updated: number }> {
    const scope = checkScope(tenant, collection);
    const match = render(checkSelector(selector));
    const patch = withoutId(set, "set");
    // Every matched document is read into memory and rewritten: bound how many one call may touch. The scan
    // (json_extract over the whole collection) reads outside the write transaction, so no other writer of
    // the file waits on it (the service's main connection would, on its own thread); inside, the rows are
    // read again by rowid, the filter checked once more on each.
    const found = this.prepare(`SELECT rowid AS row FROM documents WHERE tenant = ? AND collection = ?${and(match)} LIMIT ?`).all(
      ...scope, ...match.params, DOCUMENT_LIMITS.maxUpdate + 1,
    ) as Array<{ row: number }>;
    if (found.length > DOCUMENT_LIMITS.maxUpdate) throw updateTooBroadError();
    if (found.length === 0) return { updated: 0 };
    // The rowids as one JSON parameter: one statement per filter, whatever the count (the cache stays small).
    const ids = JSON.stringify(found.map(({ row }) => row));
    return this.db.transaction(() => {
      const rows = this.prepare(
        // `+tenant`: without statistics the planner walked the (tenant, collection) index, the whole collection,
        // with the list as a filter (17-18 ms at 200,000 documents, in the write transaction); rowid look-ups now.
        `SELECT rowid AS row, data FROM documents WHERE +tenant = ? AND +collection = ? AND rowid IN (SELECT value FROM json_each(?))${and(match)}`,
      ).all(...scope, ids, ...match.params) as Array<{ row: number; data: string }>;
      const now = Date.now();
      const updates = rows.map(({ row, data }) => ({ row, data, ...encode({ ...(JSON.parse(data) as object), ...patch }, "set") }));
      this.checkStorage(scope[0], updates.reduce((growth, u) => growth + u.bytes - Buffer.byteLength(u.data, "utf8"), 0));
      const write = this.prepare("UPDATE documents SET data = ?, updated_at = ? WHERE tenant = ? AND collection = ? AND rowid = ?");
      for (const { row, json } of updates) write.run(json, now, ...scope, row);
      return { updated: rows.length };
    }).immediate();
  }

  async delete(tenant: string, collection: string, selector: Selector): Promise<{ deleted: number }> {
    const scope = checkScope(tenant, collection);
    const match = render(checkSelector(selector));
    // As update: the scan reads outside any write transaction; the rows go by rowid, DELETE_BATCH to a
    // transaction (the filter checked again on each), so another writer of the file waits for one batch at
    // most, not for a scan of everything the tenant stored (1,600 documents of 60 KB: 96-560 ms). A delete
    // is so not atomic: one that fails part of the way (the file busy past its timeout) has removed the
    // batches before; the tenant's error says to try again, and the same call finishes it.
    const rows = this.prepare(`SELECT rowid AS row FROM documents WHERE tenant = ? AND collection = ?${and(match)}`).all(
      ...scope, ...match.params,
    ) as Array<{ row: number }>;
    const remove = this.prepare(`DELETE FROM documents WHERE tenant = ? AND collection = ? AND rowid = ?${and(match)}`);
    let deleted = 0;
    for (let at = 0; at < rows.length; at += DELETE_BATCH) {
      this.db.transaction(() => {
        for (const { row } of rows.slice(at, at + DELETE_BATCH)) deleted += remove.run(...scope, row, ...match.params).changes;
      }).immediate();
    }
    return { deleted };
  }

  async count(tenant: string, collection?: string): Promise<number> {
    const scope = collection === undefined ? [checkTenant(tenant)] : checkScope(tenant, collection);
    const sql = `SELECT COUNT(*) AS n FROM documents WHERE tenant = ?${scope.length > 1 ? " AND collection = ?" : ""}`;
    return (this.prepare(sql).get(...scope) as { n: number }).n;
  }

  private bytesOf(tenant: string): number {
    const row = this.prepare("SELECT bytes FROM storage_usage WHERE tenant = ?").get(tenant) as { bytes: number } | undefined;
    return row?.bytes ?? 0;
  }

  /** Refuses a write that would take the tenant's stored JSON over its quota (`growth` bytes more). */
  private checkStorage(tenant: string, growth: number): void {
    if (growth <= 0) return;
    const max = this.maxBytesOf(tenant);
    const used = this.bytesOf(tenant);
    if (used + growth > max) throw storageQuotaError(used + growth, max);
  }

  /** Filter shapes repeat, so statements are cached by text (bounded: the text never holds values). */
  private prepare(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      if (this.statements.size >= 500) this.statements.clear();
      this.statements.set(sql, (statement = this.db.prepare<unknown[]>(sql)));
    }
    return statement;
  }
}

/**
 * Rows one delete transaction removes, the filter checked again on each: with a filter built to be slow (19
 * fields of 100 values each) a row costs up to 0.35 ms, so another writer waits 10 ms at most.
 */
const DELETE_BATCH = 32;

function and(sql: Sql): string {
  return sql.text ? ` AND ${sql.text}` : "";
}

/** A field as SQL: its value and its JSON type; a path is always bound, never spliced. */
function operand(field: Field): { value: Sql; type: Sql } {
  if ("id" in field) return { value: { text: "id", params: [] }, type: { text: "'text'", params: [] } };
  // The rules admit only [\w$] segments, so quoting each one yields a literal key path.
  const path = `$.${field.path.map((part) => `"${part}"`).join(".")}`;
  return { value: { text: "json_extract(data, ?)", params: [path] }, type: { text: "json_type(data, ?)", params: [path] } };
}

/** Type-strict leaves: `IS` never yields NULL for a missing field, so NOT (...) also matches documents without it. */
const SQLITE: SqlDialect = {
  never: "0",
  is(field, value) {
    const { type } = operand(field);
    return { text: `(COALESCE(${type.text}, 'null') IS ?)`, params: [...type.params, String(value)] };
  },
  compare(field, op, value) {
    const operandSql = operand(field);
    const types = typeof value === "number" ? "IN ('integer', 'real')" : "IS 'text'";
    return {
      text: `(COALESCE(${operandSql.type.text} ${types}, 0) AND ${operandSql.value.text} ${op} ?)`,
      params: [...operandSql.type.params, ...operandSql.value.params, value],
    };
  },
};

function render(condition: Condition): Sql {
  return renderCondition(condition, SQLITE);
}
