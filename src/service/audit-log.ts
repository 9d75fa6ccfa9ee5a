import type { Database, Statement } from "./database.js";

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

interface DbRow {
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
  at: number;
}

/** The executions table: one row per run, written synchronously so a crash loses nothing acknowledged. */
export class AuditLog {
  private readonly insert: Statement;
  private readonly sumSince: Statement;
  private readonly queries = new Map<string, Statement>();

  constructor(private readonly db: Database) {
    this.insert = db.prepare<unknown[]>(
      `INSERT INTO executions (tenant, user, kind, file, func, code_hash, event, success, error_code, duration_ms, tool_calls, charged_tool_calls, at)
       VALUES (@tenant, @user, @kind, @file, @func, @codeHash, @event, @success, @errorCode, @durationMs, @toolCalls, @chargedToolCalls, @at)`,
    );
    this.sumSince = db.prepare<unknown[]>(
      `SELECT COUNT(*) AS executions, COALESCE(SUM(charged_tool_calls), 0) AS toolCalls
       FROM executions WHERE tenant = ? AND at >= ?`,
    );
  }

  record(entry: AuditEntry): void {
    if (typeof entry.tenant !== "string" || entry.tenant === "") throw new TypeError("audit: tenant must be a non-empty string");
    if (!KINDS.has(entry.kind)) throw new TypeError(`audit: unknown kind ${JSON.stringify(entry.kind)}`);
    for (const key of ["durationMs", "toolCalls", "at"] as const) {
      if (!Number.isFinite(entry[key])) throw new TypeError(`audit: ${key} must be a finite number`);
    }
    this.insert.run({
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
      at: Math.trunc(entry.at),
    });
  }

  /** Newest first. */
  query(filter: AuditFilter = {}): AuditRow[] {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (filter.tenant !== undefined) {
      where.push("tenant = ?");
      params.push(filter.tenant);
    }
    if (filter.since !== undefined) {
      where.push("at >= ?");
      params.push(finite("since", filter.since));
    }
    if (filter.until !== undefined) {
      where.push("at < ?");
      params.push(finite("until", filter.until));
    }
    const limit = filter.limit === undefined ? AUDIT_DEFAULT_LIMIT : finite("limit", filter.limit);
    params.push(Math.min(Math.max(Math.trunc(limit), 0), AUDIT_MAX_LIMIT));
    // Only fixed fragments are joined, so at most 8 distinct statements: cache them.
    const sql = `SELECT * FROM executions${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY at DESC, id DESC LIMIT ?`;
    let statement = this.queries.get(sql);
    if (!statement) this.queries.set(sql, (statement = this.db.prepare<unknown[]>(sql)));
    return (statement.all(...params) as DbRow[]).map(toRow);
  }

  /** Executions and charged tool calls since `since` (ms), to re-seed the daily quota counters after a restart. */
  totals(tenant: string, since: number): { executions: number; toolCalls: number } {
    const row = this.sumSince.get(tenant, finite("since", since)) as { executions: number; toolCalls: number };
    return { executions: row.executions, toolCalls: row.toolCalls };
  }
}

function finite(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new RangeError(`audit query: ${name} must be a finite number`);
  return value;
}

function toRow(row: DbRow): AuditRow {
  return {
    id: row.id,
    tenant: row.tenant,
    user: row.user,
    kind: row.kind,
    file: row.file,
    funcName: row.func,
    codeHash: row.code_hash,
    event: row.event,
    success: row.success === 1,
    errorCode: row.error_code,
    durationMs: row.duration_ms,
    toolCalls: row.tool_calls,
    chargedToolCalls: row.charged_tool_calls,
    at: row.at,
  };
}
