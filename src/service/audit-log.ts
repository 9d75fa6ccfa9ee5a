export type AuditKind = "run" | "execute" | "event";

export interface AuditEntry {
  tenant: string;
  user?: string | null;
  kind: AuditKind;
  file?: string | null;
  funcName?: string | null;
  codeHash?: string | null;
  event?: string | null;
  success: boolean;
  errorCode?: string | null;
  durationMs: number;
  /** Tool calls the code made, refused ones included. */
  toolCalls: number;
  /** Of those, the ones the daily tool-call quota was charged for. */
  chargedToolCalls?: number;
  /** A queued event's delivery id and the attempt's number (1 = the first), for its handlers' executions. */
  jobId?: string | null;
  attempt?: number | null;
  /** Milliseconds since the epoch. */
  at: number;
}

export interface AuditRow extends AuditEntry {
  id: number;
}

export interface AuditFilter {
  tenant?: string;
  /** Inclusive lower bound on `at`. */
  since?: number;
  /** Exclusive upper bound on `at`. */
  until?: number;
  /** Default 100, capped at 10,000. */
  limit?: number;
}

export const AUDIT_DEFAULT_LIMIT = 100;
export const AUDIT_MAX_LIMIT = 10_000;

const KINDS: ReadonlySet<string> = new Set(["run", "execute", "event"]);

/** One row as an engine returns it (the executions table's columns). */
export interface AuditDbRow {
  id: number;
  tenant: string;
  user: string | null;
  kind: AuditKind;
  file: string | null;
  func: string | null;
  code_hash: string | null;
  event: string | null;
  success: number;
  error_code: string | null;
  duration_ms: number;
  tool_calls: number;
  charged_tool_calls: number;
  job_id: string | null;
  attempt: number | null;
  at: number;
}

/**
 * The executions table: one row per execution, written before its answer goes out so that nothing
 * acknowledged goes unaudited. Kept by SQLite or PostgreSQL.
 */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  query(filter?: AuditFilter): Promise<AuditRow[]>;
  /** Executions and charged tool calls since `since` (ms), to re-seed the daily quota counters after a restart. */
  totals(tenant: string, since: number): Promise<{ executions: number; toolCalls: number }>;
}

/** The entry checked, as the row's column values. */
export function auditValues(entry: AuditEntry) {
  if (typeof entry.tenant !== "string" || entry.tenant === "") throw new TypeError("audit: tenant must be a non-empty string");
  if (!KINDS.has(entry.kind)) throw new TypeError(`audit: unknown kind ${JSON.stringify(entry.kind)}`);
  for (const key of ["durationMs", "toolCalls", "at"] as const) {
    if (!Number.isFinite(entry[key])) throw new TypeError(`audit: ${key} must be a finite number`);
  }
  return {
    tenant: entry.tenant,
    user: entry.user ?? null,
    kind: entry.kind,
    file: entry.file ?? null,
    func: entry.funcName ?? null,
    codeHash: entry.codeHash ?? null,
    event: entry.event ?? null,
    success: entry.success ? 1 : 0,
    errorCode: entry.errorCode ?? null,
    durationMs: entry.durationMs,
    toolCalls: Math.trunc(entry.toolCalls),
    chargedToolCalls: Math.trunc(entry.chargedToolCalls ?? 0),
    jobId: entry.jobId ?? null,
    attempt: entry.attempt === undefined || entry.attempt === null ? null : Math.trunc(entry.attempt),
    at: Math.trunc(entry.at),
  };
}

/** A query's conditions (column, operator, value) and its capped limit. */
export function auditConditions(filter: AuditFilter): { where: Array<[column: string, op: string, value: string | number]>; limit: number } {
  const where: Array<[string, string, string | number]> = [];
  if (filter.tenant !== undefined) where.push(["tenant", "=", filter.tenant]);
  if (filter.since !== undefined) where.push(["at", ">=", finite("since", filter.since)]);
  if (filter.until !== undefined) where.push(["at", "<", finite("until", filter.until)]);
  const limit = filter.limit === undefined ? AUDIT_DEFAULT_LIMIT : finite("limit", filter.limit);
  return { where, limit: Math.min(Math.max(Math.trunc(limit), 0), AUDIT_MAX_LIMIT) };
}

export function finite(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new RangeError(`audit query: ${name} must be a finite number`);
  return value;
}

export function toAuditRow(row: AuditDbRow): AuditRow {
  return {
    id: row.id,
    tenant: row.tenant,
    user: row.user,
    kind: row.kind,
    file: row.file,
    funcName: row.func,
    codeHash: row.code_hash,
    event: row.event,
    success: Number(row.success) === 1,
    errorCode: row.error_code,
    durationMs: row.duration_ms,
    toolCalls: row.tool_calls,
    chargedToolCalls: row.charged_tool_calls,
    jobId: row.job_id,
    attempt: row.attempt === null ? null : Number(row.attempt),
    at: row.at,
  };
}
