import fs from "node:fs";
import path from "node:path";
import { DATABASE_FILE, openDatabase, type Database } from "../service/database.js";

/**
 * What `read` finds in the service's SQLite file under `dataDir` (opened, closed after), or why there is
 * nothing to read, naming `what` ("the audit log", "the queue"): the SQLite twin of readPostgres.
 */
export async function readSqlite<T>(dataDir: string, what: string, read: (db: Database) => Promise<T>): Promise<T | string> {
  if (!fs.existsSync(path.join(dataDir, DATABASE_FILE))) {
    return `no ${what.replace(/^the /, "")} in ${dataDir} (run "tenantbox serve --data ${dataDir}" first, or pass --data)`;
  }
  let db: Database | undefined;
  try {
    db = openDatabase(dataDir);
    return await read(db);
  } catch (error) {
    // A file that is not SQLite (or one this version cannot migrate), or a read that fails: say so, as readPostgres does.
    return `cannot read ${what} in ${dataDir}: ${(error as Error).message}`;
  } finally {
    db?.close();
  }
}
