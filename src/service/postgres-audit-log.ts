import { auditConditions, auditValues, finite, toAuditRow, type AuditDbRow, type AuditEntry, type AuditFilter, type AuditLog, type AuditRow } from "./audit-log.js";
import { GroupCommit } from "./group-commit.js";
import type { PostgresDatabase } from "./postgres-database.js";

const COLUMNS = `id, tenant, "user", kind, file, func, code_hash, event, success, error_code, duration_ms, tool_calls, charged_tool_calls, job_id, attempt, at`;

type Row = ReturnType<typeof auditValues>;
const FIELDS: ReadonlyArray<[keyof Row, string]> = [
  ["tenant", "text"], ["user", "text"], ["kind", "text"], ["file", "text"], ["func", "text"], ["codeHash", "text"], ["event", "text"],
  ["success", "smallint"], ["errorCode", "text"], ["durationMs", "float8"], ["toolCalls", "integer"], ["chargedToolCalls", "integer"],
  ["jobId", "text"], ["attempt", "integer"], ["at", "bigint"],
];

/**
 * The audit log in PostgreSQL. Rows that arrive together go in one INSERT (one round trip, one commit);
 * `record` resolves once its row is committed, before the answer goes out.
 */
export class PostgresAuditLog implements AuditLog {
  private readonly group = new GroupCommit<Row>((rows) => this.insert(rows));

  constructor(private readonly db: PostgresDatabase) {}

  /**
   * Checks the entry at once (a bad one rejects alone), then commits it with the others of this turn. A text
   * PostgreSQL cannot hold (a NUL: a /v1/run funcName is any string, and a module may export such a name)
   * is kept with U+FFFD in its place, as the driver already writes a lone surrogate: such a row failed the
   * whole INSERT, so the execution that had run went unrecorded, and so did every other tenant's row
   * committed with it (their runs answered 503; red team dec07).
   */
  async record(entry: AuditEntry): Promise<void> {
    const row = auditValues(entry);
    for (const [key, type] of FIELDS) {
      const value = row[key];
      if (type === "text" && typeof value === "string" && value.includes("\u0000")) (row as Record<string, unknown>)[key] = value.replace(/\u0000/g, "\uFFFD");
    }
    await this.group.add(row);
  }

  private async insert(rows: Row[]): Promise<void> {
    // One array per column, unnested into rows: the statement's text is the same whatever the batch's size.
    await this.db.query(
      `INSERT INTO executions (tenant, "user", kind, file, func, code_hash, event, success, error_code, duration_ms, tool_calls, charged_tool_calls, job_id, attempt, at)
       SELECT * FROM unnest(${FIELDS.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ")})`,
      FIELDS.map(([key]) => rows.map((row) => row[key])),
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
