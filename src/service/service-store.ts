import path from "node:path";
import type { AuditLog } from "./audit-log.js";
import { openDatabase, type Database } from "./database.js";
import type { DocumentStore, StorageQuota } from "./document-store.js";
import { PostgresAuditLog } from "./postgres-audit-log.js";
import { PostgresDatabase } from "./postgres-database.js";
import { PostgresDocumentStore } from "./postgres-document-store.js";
import { SqliteAuditLog } from "./sqlite-audit-log.js";
import { ThreadedDocumentStore } from "./threaded-document-store.js";

/**
 * What the service keeps: the audit log and the documents, in one engine. SQLite (a file in the data
 * directory) is the embedded default; PostgreSQL is the store several nodes share.
 */
export interface ServiceStore {
  readonly engine: "sqlite" | "postgres";
  readonly audit: AuditLog;
  readonly documents: DocumentStore;
  /** Migrates the schema (PostgreSQL: at start, under an advisory lock). */
  open(): Promise<void>;
  /** Resolves when the engine can take the audit row of a new execution; rejects with 503 UNAVAILABLE when it cannot. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** The SQLite data directory (used when there is no `databaseUrl`). */
  dataDir: string;
  /** postgres://...: the audit log and documents live in PostgreSQL. */
  databaseUrl?: string;
  /** Connections of the PostgreSQL pool at most. */
  poolSize?: number;
  maxBytesOf?: StorageQuota;
}

export function createServiceStore(options: StoreOptions): ServiceStore {
  return options.databaseUrl !== undefined
    ? new PostgresStore(options.databaseUrl, options.maxBytesOf, options.poolSize)
    : new SqliteStore(options.dataDir, options.maxBytesOf);
}

export class SqliteStore implements ServiceStore {
  readonly engine = "sqlite";
  readonly db: Database;
  readonly audit: SqliteAuditLog;
  readonly documents: ThreadedDocumentStore;

  constructor(dataDir: string, maxBytesOf?: StorageQuota) {
    this.db = openDatabase(path.resolve(dataDir));
    this.audit = new SqliteAuditLog(this.db);
    // Queries scan what the tenant stored: on a thread of their own, with their own connection to the file.
    this.documents = new ThreadedDocumentStore(path.resolve(dataDir), maxBytesOf);
  }

  async open(): Promise<void> {}

  async ready(): Promise<void> {}

  async close(): Promise<void> {
    try {
      try {
        await this.audit.close();
      } finally {
        await this.documents.close();
      }
      this.db.pragma("wal_checkpoint(TRUNCATE)");
    } finally {
      this.db.close();
    }
  }
}

export class PostgresStore implements ServiceStore {
  readonly engine = "postgres";
  readonly db: PostgresDatabase;
  readonly audit: PostgresAuditLog;
  readonly documents: PostgresDocumentStore;

  constructor(url: string, maxBytesOf?: StorageQuota, poolSize?: number) {
    this.db = new PostgresDatabase(url, poolSize);
    this.audit = new PostgresAuditLog(this.db);
    this.documents = new PostgresDocumentStore(this.db, maxBytesOf);
  }

  async open(): Promise<void> {
    try {
      await this.db.migrate();
    } catch (error) {
      throw new Error(`cannot open the PostgreSQL database: ${(error as Error).message}`, { cause: error });
    }
  }

  ready(): Promise<void> {
    return this.db.ready();
  }

  /** Transactions under way finish first (an update's waits on its merge), then the merge thread ends. */
  async close(): Promise<void> {
    try {
      await this.db.close();
    } finally {
      await this.documents.close();
    }
  }
}
