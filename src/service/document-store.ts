import { randomUUID } from "node:crypto";
import type { Database, Statement } from "./database.js";

/** A bad argument to the document store; the message names the argument and is safe to show a tenant. */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataError";
  }
}

export type Scalar = string | number | boolean | null;
export interface Operators {
  $eq?: Scalar;
  $ne?: Scalar;
  $gt?: Scalar;
  $gte?: Scalar;
  $lt?: Scalar;
  $lte?: Scalar;
  $in?: Scalar[];
}
/** `{ field: value }` is equality; fields may be dotted paths; `id` is the document id. */
export type Filter = Record<string, Scalar | Operators>;
export interface QueryOptions {
  where?: Filter;
  limit?: number;
  offset?: number;
  orderBy?: string;
  order?: "asc" | "desc";
}
export interface Selector {
  id?: string;
  where?: Filter;
}
export type StoredDocument = { id: string } & Record<string, unknown>;

export const DOCUMENT_LIMITS = {
  maxDocumentBytes: 64 * 1024,
  maxDepth: 64,
  defaultLimit: 100,
  maxLimit: 1000,
  maxFilterFields: 20,
  maxInValues: 100,
  maxIdLength: 128,
  /** Documents one data:update may rewrite (each is read into host memory). */
  maxUpdate: 200,
  /** JSON bytes one data:query may return. */
  maxQueryBytes: 4 * 1024 * 1024,
} as const;

const COLLECTION = /^[A-Za-z0-9_-]{1,64}$/;
const FIELD = /^[A-Za-z_$][\w$]{0,63}(\.[A-Za-z_$][\w$]{0,63}){0,7}$/;
// No control characters and no lone surrogates (SQLite would store those as U+FFFD, merging distinct ids).
const ID = /^[^\p{Cc}\p{Cs}]+$/u;
const RANGE_OPS = new Map([["$gt", ">"], ["$gte", ">="], ["$lt", "<"], ["$lte", "<="]]);
const OPERATORS: ReadonlySet<string> = new Set(["$eq", "$ne", "$in", ...RANGE_OPS.keys()]);

interface Sql {
  text: string;
  params: Array<string | number>;
}
/** A filterable thing: the id column, or a JSON path inside `data` (always bound, never spliced). */
interface Operand {
  value: Sql;
  type: Sql;
}

/**
 * Tenant-scoped JSON documents. Every statement carries `tenant = ?` bound from the first parameter,
 * which the service supplies; arguments only ever become bound values or validated JSON paths.
 */
export class DocumentStore {
  private readonly statements = new Map<string, Statement>();

  /** `maxBytesOf(tenant)`: what the tenant's stored JSON may take in all (its storage quota); unbounded when absent. */
  constructor(
    private readonly db: Database,
    private readonly maxBytesOf: (tenant: string) => number = () => Infinity,
  ) {}

  /** Bytes of stored JSON the tenant's documents take. */
  storedBytes(tenant: string): number {
    const row = this.prepare("SELECT bytes FROM storage_usage WHERE tenant = ?").get(checkTenant(tenant)) as { bytes: number } | undefined;
    return row?.bytes ?? 0;
  }

  /** Refuses a write that would take the tenant's stored JSON over its quota (`growth` bytes more). */
  private checkStorage(tenant: string, growth: number): void {
    if (growth <= 0) return;
    const max = this.maxBytesOf(tenant);
    const used = this.storedBytes(tenant);
    if (used + growth > max) {
      throw new DataError(`storage: the tenant's documents would take ${used + growth} bytes; its quota is ${max} (delete documents to make room)`);
    }
  }

  insert(tenant: string, collection: string, doc: object, id?: string): { id: string } {
    const scope = this.scope(tenant, collection);
    const docId = id === undefined ? randomUUID() : checkId(id, "id");
    const json = encode(withoutId(doc, "doc"), "doc");
    const now = Date.now();
    try {
      // Check and write in one transaction: two inserts cannot both take the last free bytes.
      this.db.transaction(() => {
        this.checkStorage(scope[0], Buffer.byteLength(json, "utf8"));
        this.run(
          "INSERT INTO documents (tenant, collection, id, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
          [...scope, docId, json, now, now],
        );
      })();
    } catch (error) {
      if ((error as { code?: unknown }).code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
        throw new DataError(`id: a document with id ${JSON.stringify(docId)} already exists in "${scope[1]}"`);
      }
      throw error;
    }
    return { id: docId };
  }

  query(tenant: string, collection: string, options: QueryOptions = {}): StoredDocument[] {
    const scope = this.scope(tenant, collection);
    checkKeys(options, "options", ["where", "limit", "offset", "orderBy", "order"]);
    const where = compileFilter(options.where ?? {}, "where");
    const limit = integer(options.limit ?? DOCUMENT_LIMITS.defaultLimit, "limit", DOCUMENT_LIMITS.maxLimit);
    const offset = integer(options.offset ?? 0, "offset", Number.MAX_SAFE_INTEGER);
    const order = options.order ?? "asc";
    if (order !== "asc" && order !== "desc") throw new DataError('order: must be "asc" or "desc"');
    // rowid is insertion order; it also breaks ties so pages are stable.
    const by = options.orderBy === undefined ? { text: "rowid", params: [] } : operand(options.orderBy, "orderBy").value;
    const rows = this.prepare(
      `SELECT id, data FROM documents WHERE tenant = ? AND collection = ?${and(where)}
       ORDER BY ${by.text} ${order.toUpperCase()}, rowid ${order.toUpperCase()} LIMIT ? OFFSET ?`,
    ).iterate(...scope, ...where.params, ...by.params, limit, offset) as IterableIterator<{ id: string; data: string }>;
    // The results are parsed and sent to the sandbox on the host's main thread: bound their size.
    const out: StoredDocument[] = [];
    let bytes = 0;
    for (const { id, data } of rows) {
      bytes += data.length;
      if (bytes > DOCUMENT_LIMITS.maxQueryBytes) {
        throw new DataError(`results: more than ${DOCUMENT_LIMITS.maxQueryBytes} bytes; ask for fewer with limit and offset`);
      }
      out.push({ id, ...(JSON.parse(data) as object) });
    }
    return out;
  }

  /** Shallow-merges `set` into every matched document (top-level keys replaced, others kept). */
  update(tenant: string, collection: string, selector: Selector, set: object): { updated: number } {
    const scope = this.scope(tenant, collection);
    const match = compileSelector(selector);
    const patch = withoutId(set, "set");
    return this.db.transaction(() => {
      // Every matched document is read into host memory and rewritten: bound how many one call may touch.
      const rows = this.all(
        `SELECT rowid AS row, data FROM documents WHERE tenant = ? AND collection = ?${and(match)} LIMIT ?`,
        [...scope, ...match.params, DOCUMENT_LIMITS.maxUpdate + 1],
      ) as Array<{ row: number; data: string }>;
      if (rows.length > DOCUMENT_LIMITS.maxUpdate) {
        throw new DataError(`selector: matches more than ${DOCUMENT_LIMITS.maxUpdate} documents; update them in smaller groups`);
      }
      const now = Date.now();
      const updates = rows.map(({ row, data }) => ({ row, data, json: encode({ ...(JSON.parse(data) as object), ...patch }, "set") }));
      this.checkStorage(scope[0], updates.reduce((growth, u) => growth + Buffer.byteLength(u.json, "utf8") - Buffer.byteLength(u.data, "utf8"), 0));
      for (const { row, json } of updates) {
        this.run("UPDATE documents SET data = ?, updated_at = ? WHERE tenant = ? AND collection = ? AND rowid = ?", [
          json, now, ...scope, row,
        ]);
      }
      return { updated: rows.length };
    })();
  }

  delete(tenant: string, collection: string, selector: Selector): { deleted: number } {
    const scope = this.scope(tenant, collection);
    const match = compileSelector(selector);
    const result = this.run(`DELETE FROM documents WHERE tenant = ? AND collection = ?${and(match)}`, [
      ...scope, ...match.params,
    ]);
    return { deleted: result.changes };
  }

  count(tenant: string, collection?: string): number {
    const scope = collection === undefined ? [checkTenant(tenant)] : this.scope(tenant, collection);
    const sql = `SELECT COUNT(*) AS n FROM documents WHERE tenant = ?${scope.length > 1 ? " AND collection = ?" : ""}`;
    return (this.prepare(sql).get(...scope) as { n: number }).n;
  }

  private scope(tenant: string, collection: string): [string, string] {
    if (typeof collection !== "string" || !COLLECTION.test(collection)) {
      throw new DataError("collection: must be 1-64 characters of letters, digits, '_' or '-'");
    }
    return [checkTenant(tenant), collection];
  }

  private run(sql: string, params: unknown[]) {
    return this.prepare(sql).run(...params);
  }

  private all(sql: string, params: unknown[]): unknown[] {
    return this.prepare(sql).all(...params);
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

function checkTenant(tenant: string): string {
  if (typeof tenant !== "string" || tenant.length === 0 || tenant.length > 256) {
    throw new DataError("tenant: must be a non-empty string");
  }
  return tenant;
}

function checkId(id: unknown, name: string): string {
  if (typeof id !== "string" || id.length > DOCUMENT_LIMITS.maxIdLength || !ID.test(id)) {
    throw new DataError(`${name}: must be a string of 1-${DOCUMENT_LIMITS.maxIdLength} printable characters`);
  }
  return id;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function checkKeys(value: unknown, name: string, allowed: readonly string[]): asserts value is Record<string, unknown> {
  if (!isPlainObject(value)) throw new DataError(`${name}: must be an object`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new DataError(`${name}: unknown key ${JSON.stringify(key)} (allowed: ${allowed.join(", ")})`);
  }
}

function integer(value: unknown, name: string, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
    throw new DataError(`${name}: must be an integer from 0 to ${max}`);
  }
  return value;
}

/** The document without an `id` member: the id lives in its own column. */
function withoutId(doc: unknown, name: string): Record<string, unknown> {
  if (!isPlainObject(doc)) throw new DataError(`${name}: must be a JSON object (not an array or a primitive)`);
  // Rest/spread copy own keys as data properties, so a "__proto__" key stays a plain key.
  const { id: _id, ...rest } = doc;
  return rest;
}

function encode(doc: Record<string, unknown>, name: string): string {
  let json: string;
  try {
    json = JSON.stringify(doc);
  } catch {
    throw new DataError(`${name}: must be plain JSON (no cycles, no BigInt)`);
  }
  const bytes = Buffer.byteLength(json);
  if (bytes > DOCUMENT_LIMITS.maxDocumentBytes) {
    throw new DataError(`${name}: the document is ${bytes} bytes as JSON, over the ${DOCUMENT_LIMITS.maxDocumentBytes}-byte limit`);
  }
  // SQLite's JSON functions stop at depth 1000; refusing early keeps every later query on the row working.
  if (deeperThan(doc, DOCUMENT_LIMITS.maxDepth)) {
    throw new DataError(`${name}: nested more than ${DOCUMENT_LIMITS.maxDepth} levels deep`);
  }
  return json;
}

function deeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (levels === 0) return true;
  return Object.values(value).some((child) => deeperThan(child, levels - 1));
}

function and(sql: Sql): string {
  return sql.text ? ` AND ${sql.text}` : "";
}

function operand(field: unknown, name: string): Operand {
  if (typeof field !== "string" || !FIELD.test(field)) {
    throw new DataError(`${name}: ${JSON.stringify(field)} is not a field name (letters, digits, '_', '$', dotted paths)`);
  }
  if (field === "id") return { value: { text: "id", params: [] }, type: { text: "'text'", params: [] } };
  // The regex admits only [\w$] segments, so quoting each one yields a literal key path.
  const path = `$.${field.split(".").map((part) => `"${part}"`).join(".")}`;
  return { value: { text: "json_extract(data, ?)", params: [path] }, type: { text: "json_type(data, ?)", params: [path] } };
}

function compileSelector(selector: unknown): Sql {
  checkKeys(selector, "selector", ["id", "where"]);
  const parts: Sql[] = [];
  if (selector.id !== undefined) parts.push({ text: "id = ?", params: [checkId(selector.id, "id")] });
  if (selector.where !== undefined) {
    const where = compileFilter(selector.where, "where");
    if (where.text) parts.push(where);
  }
  // No "update/delete everything" by omission: a whole collection needs a real condition.
  if (parts.length === 0) throw new DataError("selector: give an id or a non-empty where");
  return joinAll(parts, "AND");
}

function compileFilter(where: unknown, name: string): Sql {
  if (!isPlainObject(where)) throw new DataError(`${name}: must be an object of field conditions`);
  const fields = Object.keys(where);
  if (fields.length > DOCUMENT_LIMITS.maxFilterFields) {
    throw new DataError(`${name}: at most ${DOCUMENT_LIMITS.maxFilterFields} fields`);
  }
  const parts: Sql[] = [];
  for (const field of fields) {
    const target = operand(field, `${name} field`);
    const condition = where[field];
    const label = `${name}.${field}`;
    if (!isPlainObject(condition)) {
      parts.push(compare(target, "$eq", condition, label));
      continue;
    }
    const ops = Object.keys(condition);
    if (ops.length === 0) throw new DataError(`${label}: needs at least one operator ($eq, $ne, $gt, $gte, $lt, $lte, $in)`);
    for (const op of ops) {
      if (!OPERATORS.has(op)) throw new DataError(`${label}: unknown operator ${JSON.stringify(op)}`);
      parts.push(compare(target, op, condition[op], `${label}.${op}`));
    }
  }
  return joinAll(parts, "AND");
}

/** One typed comparison; a value only matches a JSON value of the same type (1 never equals "1" or true). */
function compare(target: Operand, op: string, value: unknown, label: string): Sql {
  if (op === "$in") {
    if (!Array.isArray(value)) throw new DataError(`${label}: must be an array`);
    if (value.length > DOCUMENT_LIMITS.maxInValues) throw new DataError(`${label}: at most ${DOCUMENT_LIMITS.maxInValues} values`);
    if (value.length === 0) return { text: "0", params: [] };
    return joinAll(value.map((item, i) => compare(target, "$eq", item, `${label}[${i}]`)), "OR");
  }
  const scalar = checkScalar(value, label);
  if (op === "$ne") {
    const eq = compare(target, "$eq", scalar, label);
    return { text: `NOT ${eq.text}`, params: eq.params };
  }
  const type = target.type;
  // `IS` never yields NULL for a missing field, so $ne (NOT ...) also matches documents without it.
  if (scalar === null || typeof scalar === "boolean") {
    if (op !== "$eq") throw new DataError(`${label}: ${op} needs a number or a string`);
    const json = scalar === null ? "null" : String(scalar);
    return { text: `(COALESCE(${type.text}, 'null') IS ?)`, params: [...type.params, json] };
  }
  const types = typeof scalar === "number" ? "IN ('integer', 'real')" : "IS 'text'";
  const sqlOp = op === "$eq" ? "=" : RANGE_OPS.get(op)!;
  return {
    text: `(COALESCE(${type.text} ${types}, 0) AND ${target.value.text} ${sqlOp} ?)`,
    params: [...type.params, ...target.value.params, scalar],
  };
}

function checkScalar(value: unknown, label: string): Scalar {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  throw new DataError(`${label}: must be a string, a finite number, a boolean or null`);
}

function joinAll(parts: Sql[], glue: "AND" | "OR"): Sql {
  if (parts.length === 0) return { text: "", params: [] };
  return { text: `(${parts.map((p) => p.text).join(` ${glue} `)})`, params: parts.flatMap((p) => p.params) };
}
