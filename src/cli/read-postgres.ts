import { PostgresDatabase, redactUrl } from "../service/postgres-database.js";
import { UsageError } from "./args.js";

/**
 * What `read` finds in the service's PostgreSQL database (one connection, closed after), or why nothing
 * can be read, naming `what` ("the audit log", "the queue") and the URL without its password.
 */
export async function readPostgres<T>(url: string, what: string, read: (db: PostgresDatabase) => Promise<T>): Promise<T | string> {
  let db: PostgresDatabase;
  try {
    db = new PostgresDatabase(url, 1);
  } catch (error) {
    throw new UsageError(`--database: ${(error as Error).message}`);
  }
  try {
    return await read(db);
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: string };
    // 42P01: the table does not exist yet (no service ran on this database).
    if (code === "42P01") return `no ${what.replace(/^the /, "")} in ${redactUrl(url)} (run "tenantbox serve --database ..." first)`;
    return `cannot read ${what} in ${redactUrl(url)}: ${message ?? String(error)}`;
  } finally {
    await db.close();
  }
}
