/**
 * What the document store accepts, whichever engine keeps the documents: argument checks (each failure a
 * DataError naming the argument) and filters compiled to a small condition tree that each engine renders
 * to its own SQL. Nothing here touches a database.
 */

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

/** The id column, or a path of keys inside the document (each segment checked: [A-Za-z_$][\w$]*). */
export type Field = { id: true } | { path: string[] };
export type RangeOp = "=" | ">" | ">=" | "<" | "<=";

/** A filter, checked: engines render it, every value bound as a parameter. */
export type Condition =
  /** The field's JSON value is exactly null (or the field is missing), true or false. */
  | { kind: "is"; field: Field; value: null | boolean }
  /** The field holds a number (or a string) and compares with `value` of the same type. */
  | { kind: "compare"; field: Field; op: RangeOp; value: number | string }
  | { kind: "not"; inner: Condition }
  | { kind: "all" | "any"; parts: Condition[] }
  | { kind: "never" };

/** SQL with `?` placeholders and the values they bind. */
export interface Sql {
  text: string;
  params: unknown[];
}

/** How one engine writes the leaves of a condition; `renderCondition` does the rest. */
export interface SqlDialect {
  never: string;
  is(field: Field, value: null | boolean): Sql;
  compare(field: Field, op: RangeOp, value: number | string): Sql;
}

export function renderCondition(condition: Condition, dialect: SqlDialect): Sql {
  switch (condition.kind) {
    case "never":
      return { text: dialect.never, params: [] };
    case "not": {
      const inner = renderCondition(condition.inner, dialect);
      return { text: `NOT ${inner.text}`, params: inner.params };
    }
    case "all":
    case "any": {
      const parts = condition.parts.map((part) => renderCondition(part, dialect));
      const glue = condition.kind === "all" ? " AND " : " OR ";
      return { text: `(${parts.map((p) => p.text).join(glue)})`, params: parts.flatMap((p) => p.params) };
    }
    case "is":
      return dialect.is(condition.field, condition.value);
    case "compare":
      return dialect.compare(condition.field, condition.op, condition.value);
  }
}

export interface CheckedQuery {
  where: Condition | undefined;
  limit: number;
  offset: number;
  order: "asc" | "desc";
  /** Undefined: insertion order. */
  orderBy: Field | undefined;
}

const COLLECTION = /^[A-Za-z0-9_-]{1,64}$/;
const FIELD = /^[A-Za-z_$][\w$]{0,63}(\.[A-Za-z_$][\w$]{0,63}){0,7}$/;
// No control characters and no lone surrogates (an engine would store those as U+FFFD, merging distinct ids).
const ID = /^[^\p{Cc}\p{Cs}]+$/u;
const RANGE_OPS = new Map<string, RangeOp>([["$gt", ">"], ["$gte", ">="], ["$lt", "<"], ["$lte", "<="]]);
const OPERATORS: ReadonlySet<string> = new Set(["$eq", "$ne", "$in", ...RANGE_OPS.keys()]);

export function checkTenant(tenant: string): string {
  if (typeof tenant !== "string" || tenant.length === 0 || tenant.length > 256) {
    throw new DataError("tenant: must be a non-empty string");
  }
  return tenant;
}

/** The (tenant, collection) pair every statement is bound to. */
export function checkScope(tenant: string, collection: string): [string, string] {
  if (typeof collection !== "string" || !COLLECTION.test(collection)) {
    throw new DataError("collection: must be 1-64 characters of letters, digits, '_' or '-'");
  }
  return [checkTenant(tenant), collection];
}

export function checkId(id: unknown, name: string): string {
  if (typeof id !== "string" || id.length > DOCUMENT_LIMITS.maxIdLength || !ID.test(id)) {
    throw new DataError(`${name}: must be a string of 1-${DOCUMENT_LIMITS.maxIdLength} printable characters`);
  }
  return id;
}

/** The query's options, checked. */
export function checkQuery(options: QueryOptions): CheckedQuery {
  checkKeys(options, "options", ["where", "limit", "offset", "orderBy", "order"]);
  const where = compileFilter(options.where ?? {}, "where");
  const limit = integer(options.limit ?? DOCUMENT_LIMITS.defaultLimit, "limit", DOCUMENT_LIMITS.maxLimit);
  const offset = integer(options.offset ?? 0, "offset", Number.MAX_SAFE_INTEGER);
  const order = options.order ?? "asc";
  if (order !== "asc" && order !== "desc") throw new DataError('order: must be "asc" or "desc"');
  const orderBy = options.orderBy === undefined ? undefined : field(options.orderBy, "orderBy");
  return { where, limit, offset, order, orderBy };
}

/** An update's or delete's selector: an id, a non-empty where, or both. */
export function checkSelector(selector: unknown): Condition {
  checkKeys(selector, "selector", ["id", "where"]);
  const parts: Condition[] = [];
  if (selector.id !== undefined) parts.push({ kind: "compare", field: { id: true }, op: "=", value: checkId(selector.id, "id") });
  if (selector.where !== undefined) {
    const where = compileFilter(selector.where, "where");
    if (where) parts.push(where);
  }
  // No "update/delete everything" by omission: a whole collection needs a real condition.
  if (parts.length === 0) throw new DataError("selector: give an id or a non-empty where");
  return parts.length === 1 ? parts[0]! : { kind: "all", parts };
}

/** The document without an `id` member: the id lives in its own column. */
export function withoutId(doc: unknown, name: string): Record<string, unknown> {
  if (!isPlainObject(doc)) throw new DataError(`${name}: must be a JSON object (not an array or a primitive)`);
  // Rest/spread copy own keys as data properties, so a "__proto__" key stays a plain key.
  const { id: _id, ...rest } = doc;
  return rest;
}

/** The document as JSON text and its UTF-8 bytes (measured once, for the limit and the storage quota), within the size and depth limits. */
export function encode(doc: Record<string, unknown>, name: string): { json: string; bytes: number } {
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
  return { json, bytes };
}

/** The refusal of a write past the tenant's storage quota (the same words from every engine). */
export function storageQuotaError(wouldTake: number, quota: number): DataError {
  return new DataError(`storage: the tenant's documents would take ${wouldTake} bytes; its quota is ${quota} (delete documents to make room)`);
}

export function duplicateIdError(id: string, collection: string): DataError {
  return new DataError(`id: a document with id ${JSON.stringify(id)} already exists in "${collection}"`);
}

export function updateTooBroadError(): DataError {
  return new DataError(`selector: matches more than ${DOCUMENT_LIMITS.maxUpdate} documents; update them in smaller groups`);
}

/**
 * Rows as the JSON text of their documents, each `{"id": ..., ...}`, built from the stored text without
 * parsing it (the sandbox parses it: json-text.ts); refused (DataError) once their text passes maxQueryBytes.
 */
export function toDocumentsJson(rows: Iterable<{ id: string; data: string }>): string {
  const out: string[] = [];
  let bytes = 0;
  for (const { id, data } of rows) {
    bytes += data.length;
    if (bytes > DOCUMENT_LIMITS.maxQueryBytes) {
      throw new DataError(`results: more than ${DOCUMENT_LIMITS.maxQueryBytes} bytes; ask for fewer with limit and offset`);
    }
    // A stored document is an object without an id key (withoutId): its text is `{...}`.
    const body = data.trim();
    if (body[0] !== "{" || body[body.length - 1] !== "}") throw new Error("a stored document is not a JSON object");
    const rest = body.slice(1).trim();
    out.push(rest === "}" ? `{"id":${JSON.stringify(id)}}` : `{"id":${JSON.stringify(id)},${rest}`);
  }
  return `[${out.join(",")}]`;
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

function deeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (levels === 0) return true;
  return Object.values(value).some((child) => deeperThan(child, levels - 1));
}

function field(name: unknown, label: string): Field {
  if (typeof name !== "string" || !FIELD.test(name)) {
    throw new DataError(`${label}: ${JSON.stringify(name)} is not a field name (letters, digits, '_', '$', dotted paths)`);
  }
  return name === "id" ? { id: true } : { path: name.split(".") };
}

/** Undefined for an empty filter. */
function compileFilter(where: unknown, name: string): Condition | undefined {
  if (!isPlainObject(where)) throw new DataError(`${name}: must be an object of field conditions`);
  const fields = Object.keys(where);
  if (fields.length > DOCUMENT_LIMITS.maxFilterFields) {
    throw new DataError(`${name}: at most ${DOCUMENT_LIMITS.maxFilterFields} fields`);
  }
  const parts: Condition[] = [];
  for (const key of fields) {
    const target = field(key, `${name} field`);
    const condition = where[key];
    const label = `${name}.${key}`;
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
  if (parts.length === 0) return undefined;
  return { kind: "all", parts };
}

/** One typed comparison; a value only matches a JSON value of the same type (1 never equals "1" or true). */
function compare(target: Field, op: string, value: unknown, label: string): Condition {
  if (op === "$in") {
    if (!Array.isArray(value)) throw new DataError(`${label}: must be an array`);
    if (value.length > DOCUMENT_LIMITS.maxInValues) throw new DataError(`${label}: at most ${DOCUMENT_LIMITS.maxInValues} values`);
    if (value.length === 0) return { kind: "never" };
    return { kind: "any", parts: value.map((item, i) => compare(target, "$eq", item, `${label}[${i}]`)) };
  }
  const scalar = checkScalar(value, label);
  // A missing field is not equal to anything but null, so $ne also matches documents without it.
  if (op === "$ne") return { kind: "not", inner: compare(target, "$eq", scalar, label) };
  if (scalar === null || typeof scalar === "boolean") {
    if (op !== "$eq") throw new DataError(`${label}: ${op} needs a number or a string`);
    return { kind: "is", field: target, value: scalar };
  }
  return { kind: "compare", field: target, op: op === "$eq" ? "=" : RANGE_OPS.get(op)!, value: scalar };
}

function checkScalar(value: unknown, label: string): Scalar {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  throw new DataError(`${label}: must be a string, a finite number, a boolean or null`);
}
