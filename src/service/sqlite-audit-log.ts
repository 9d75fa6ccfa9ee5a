import { auditConditions, auditValues, finite, toAuditRow, type AuditDbRow, type AuditEntry, type AuditFilter, type AuditLog, type AuditRow } from "./audit-log.js";
import type { Database, Statement } from "./database.js";
import { GroupCommit } from "./group-commit.js";

/**
 * The audit log in SQLite. Rows that arrive together are inserted in one transaction (one WAL write for
 * many rows); `record` resolves once its row is committed, so a crash loses nothing acknowledged.
 */
export class SqliteAuditLog implements AuditLog {
  private readonly insert: Statement;
  private readonly sumSince: Statement;
  private readonly queries = new Map<string, Statement>();
  private readonly group: GroupCommit<ReturnType<typeof auditValues>>;

  constructor(private readonly db: Database) {
    this.insert = db.prepare<unknown[]>(
      `INSERT INTO executions (tenant, user, kind, file, func, code_hash, event, success, error_code, duration_ms, tool_calls, charged_tool_calls, job_id, attempt, at)
       VALUES (@tenant, @user, @kind, @file, @func, @codeHash, @event, @success, @errorCode, @durationMs, @toolCalls, @chargedToolCalls, @jobId, @attempt, @at)`,
    );
    this.sumSince = db.prepare<unknown[]>(
      `SELECT COUNT(*) AS executions, COALESCE(SUM(charged_tool_calls), 0) AS toolCalls
       FROM executions WHERE tenant = ? AND at >= ?`,
    );
    const insertAll = db.transaction((rows: Array<ReturnType<typeof auditValues>>) => {
      for (const row of rows) this.insert.run(row);
    });
    this.group = new GroupCommit((rows) => insertAll.immediate(rows));
  }

  /** Checks the entry at once (a bad one rejects alone), then commits it with the others of this turn. */
  async record(entry: AuditEntry): Promise<void> {
    const row = auditValues(entry);
    await this.group.add(row);
  }

  /** One row, inserted now, without waiting for a group (bulk loads run it inside their own transaction). */
  recordNow(entry: AuditEntry): void {
    this.insert.run(auditValues(entry));
  }

  async query(filter: AuditFilter = {}): Promise<AuditRow[]> {
    const { where, limit } = auditConditions(filter);
    // Only fixed fragments are joined, so at most 8 distinct statements: cache them.
    const clause = where.map(([column, op]) => `${column} ${op} ?`).join(" AND ");
    const sql = `SELECT * FROM executions${clause ? ` WHERE ${clause}` : ""} ORDER BY at DESC, id DESC LIMIT ?`;
    let statement = this.queries.get(sql);
    if (!statement) this.queries.set(sql, (statement = this.db.prepare<unknown[]>(sql)));
    return (statement.all(...where.map(([, , value]) => value), limit) as AuditDbRow[]).map(toAuditRow);
  }

  async totals(tenant: string, since: number): Promise<{ executions: number; toolCalls: number }> {
    const row = this.sumSince.get(tenant, finite("since", since)) as { executions: number; toolCalls: number };
    return { executions: row.executions, toolCalls: row.toolCalls };
  }
}
