import { AUDIT_MAX_LIMIT, type AuditFilter, type AuditRow } from "../service/audit-log.js";
import { PostgresAuditLog } from "../service/postgres-audit-log.js";
import { SqliteAuditLog } from "../service/sqlite-audit-log.js";
import { dataDirectory, EXIT_FAILURE, EXIT_OK, parseCommandArgs, parsePositiveInteger, UsageError } from "./args.js";
import { readPostgres } from "./read-postgres.js";
import { readSqlite } from "./read-sqlite.js";
import { cell, jsonLine } from "./format.js";
import { usageOf } from "./usage.js";

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: a duration back from now (90s, 15m, 24h, 7d) or a date/time (2026-11-23, 2026-11-23T10:00:00Z). */
export function parseSince(value: string, now = Date.now()): number {
  const relative = /^(\d+)([smhd])$/.exec(value);
  if (relative) return now - Number(relative[1]) * UNITS[relative[2]!]!;
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new UsageError(`--since must be a duration (15m, 24h, 7d) or a date (2026-11-23T10:00:00Z), got "${value}"`);
  return at;
}

export async function auditCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    data: { type: "string" },
    database: { type: "string" },
    tenant: { type: "string" },
    since: { type: "string" },
    limit: { type: "string" },
    json: { type: "boolean" },
  }, false);
  if (values.help) {
    process.stdout.write(usageOf("audit"));
    return EXIT_OK;
  }
  if (values.database !== undefined && values.data !== undefined) throw new UsageError("give --data (SQLite) or --database (PostgreSQL), not both");
  const since = values.since === undefined ? undefined : parseSince(values.since);
  const limit = parsePositiveInteger("--limit", values.limit, AUDIT_MAX_LIMIT) ?? 100;
  const filter: AuditFilter = {
    limit,
    ...(values.tenant !== undefined ? { tenant: values.tenant } : {}),
    ...(since !== undefined ? { since } : {}),
  };
  const rows = values.database !== undefined ? await postgresRows(values.database, filter) : await sqliteRows(dataDirectory(values.data), filter);
  if (typeof rows === "string") {
    process.stderr.write(`tenantbox audit: ${rows}\n`);
    return EXIT_FAILURE;
  }
  if (values.json) {
    for (const row of rows) process.stdout.write(jsonLine(row));
  } else {
    process.stdout.write(formatRows(rows));
  }
  return EXIT_OK;
}

/** The rows, or why there are none to read. */
function sqliteRows(dataDir: string, filter: AuditFilter): Promise<AuditRow[] | string> {
  return readSqlite(dataDir, "the audit log", (db) => new SqliteAuditLog(db).query(filter));
}

function postgresRows(url: string, filter: AuditFilter): Promise<AuditRow[] | string> {
  return readPostgres(url, "the audit log", (db) => new PostgresAuditLog(db).query(filter));
}

function formatRows(rows: AuditRow[]): string {
  if (rows.length === 0) return "no executions\n";
  const lines = ["time                     tenant           user             kind     target                                   result            ms   tools"];
  for (const row of rows) {
    const target = row.kind === "execute" ? `code ${(row.codeHash ?? "").slice(0, 12)}` : `${row.event ? row.event + " " : ""}${row.file ?? ""}#${row.funcName ?? ""}`;
    lines.push(
      [
        new Date(row.at).toISOString().padEnd(24),
        cell(row.tenant, 16),
        cell(row.user ?? "-", 16),
        row.kind.padEnd(8),
        cell(target, 40),
        (row.success ? "ok" : (row.errorCode ?? "error")).padEnd(16),
        row.durationMs.toFixed(1).padStart(7),
        String(row.toolCalls).padStart(7),
      ].join(" "),
    );
  }
  return lines.join("\n") + "\n";
}
