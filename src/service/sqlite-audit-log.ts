import { auditConditions, auditValues, finite, toAuditRow, type AuditDbRow, type AuditEntry, type AuditFilter, type AuditLog, type AuditRow } from "./audit-log.js";
import { AuditWriterThread } from "./audit-writer-thread.js";
import type { Database, Statement } from "./database.js";
import { GroupCommit } from "./group-commit.js";

const COLUMNS = "tenant, user, kind, file, func, code_hash, event, success, error_code, duration_ms, tool_calls, charged_tool_calls, job_id, attempt, at";
const INSERT_SQL = `INSERT INTO executions (${COLUMNS})
  VALUES (@tenant, @user, @kind, @file, @func, @codeHash, @event, @success, @errorCode, @durationMs, @toolCalls, @chargedToolCalls, @jobId, @attempt, @at)`;
/** The writer thread's insert: the same columns, bound by position (rowValues), not by name. */
const INSERT_BY_POSITION_SQL = `INSERT INTO executions (${COLUMNS}) VALUES (${COLUMNS.split(", ").map(() => "?").join(", ")})`;

type Row = ReturnType<typeof auditValues>;

/**
 * A row's values in COLUMNS' order. The writer thread gets rows as arrays: about half the JSON of objects
 * with names, and SQLite binds them by position instead of looking up fifteen names per row.
 */
function rowValues(row: Row): unknown[] {
  return [row.tenant, row.user, row.kind, row.file, row.func, row.codeHash, row.event, row.success, row.errorCode, row.durationMs, row.toolCalls, row.chargedToolCalls, row.jobId, row.attempt, row.at];
}

/**
 * The audit log in SQLite. Rows are inserted on a thread of their own (audit-writer-thread.ts: a commit on
 * the main thread cost the service about 110 us per request); rows that arrive while a batch commits there
 * go into the next one (one WAL write for many rows). `record` resolves once its row is committed, so a
 * crash loses nothing acknowledged. The thread starts with the first row: a log only read starts none.
 */
export class SqliteAuditLog implements AuditLog {
  private readonly insert: Statement;
  private readonly sumSince: Statement;
  private readonly queries = new Map<string, Statement>();
  private readonly thread: AuditWriterThread;
  private readonly group: GroupCommit<unknown[]>;

  constructor(private readonly db: Database) {
    this.insert = db.prepare<unknown[]>(INSERT_SQL);
    this.sumSince = db.prepare<unknown[]>(
      `SELECT COUNT(*) AS executions, COALESCE(SUM(charged_tool_calls), 0) AS toolCalls
       FROM executions WHERE tenant = ? AND at >= ?`,
    );
    const thread = new AuditWriterThread(db.name, INSERT_BY_POSITION_SQL);
    this.thread = thread;
    this.group = new GroupCommit((rows) => thread.insert(rows));
  }

  /** Ends the writer thread once the rows posted to it are committed (the service has stopped executing). */
  async close(): Promise<void> {
    await this.thread.close();
  }

  /** Checks the entry at once (a bad one rejects alone), then commits it with the others of this turn. */
  async record(entry: AuditEntry): Promise<void> {
    const row = rowValues(auditValues(entry));
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
