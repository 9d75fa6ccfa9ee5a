import { auditConditions, auditValues, finite, toAuditRow, type AuditDbRow, type AuditEntry, type AuditFilter, type AuditLog, type AuditRow } from "./audit-log.js";
import type { PostgresDatabase } from "./postgres-database.js";

const COLUMNS = `id, tenant, "user", kind, file, func, code_hash, event, success, error_code, duration_ms, tool_calls, charged_tool_calls, job_id, attempt, at`;

/** The audit log in PostgreSQL: `record` resolves once the row is committed, before the answer goes out. */
export class PostgresAuditLog implements AuditLog {
  constructor(private readonly db: PostgresDatabase) {}

  async record(entry: AuditEntry): Promise<void> {
    const v = auditValues(entry);
    await this.db.query(
      `INSERT INTO executions (tenant, "user", kind, file, func, code_hash, event, success, error_code, duration_ms, tool_calls, charged_tool_calls, job_id, attempt, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [v.tenant, v.user, v.kind, v.file, v.func, v.codeHash, v.event, v.success, v.errorCode, v.durationMs, v.toolCalls, v.chargedToolCalls, v.jobId, v.attempt, v.at],
    );
  }

  async query(filter: AuditFilter = {}): Promise<AuditRow[]> {
    const { where, limit } = auditConditions(filter);
    const clause = where.map(([column, op], i) => `${column} ${op} $${i + 1}`).join(" AND ");
    const { rows } = await this.db.query<AuditDbRow>(
      `SELECT ${COLUMNS} FROM executions${clause ? ` WHERE ${clause}` : ""} ORDER BY at DESC, id DESC LIMIT $${where.length + 1}`,
      [...where.map(([, , value]) => value), limit],
    );
    return rows.map(toAuditRow);
  }

  async totals(tenant: string, since: number): Promise<{ executions: number; toolCalls: number }> {
    const { rows } = await this.db.query<{ executions: number; toolCalls: number }>(
      `SELECT COUNT(*) AS executions, COALESCE(SUM(charged_tool_calls), 0)::bigint AS "toolCalls" FROM executions WHERE tenant = $1 AND at >= $2`,
      [tenant, finite("since", since)],
    );
    return { executions: rows[0]!.executions, toolCalls: rows[0]!.toolCalls };
  }
}
