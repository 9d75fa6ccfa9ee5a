import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { closeThread } from "./close-thread.js";

/**
 * The thread's program: an eval worker's source, so that it runs the same from src/ and dist/ (and a
 * bundler cannot rewrite its `require`). One connection of its own to the database file; each message is
 * one batch of rows, inserted in one transaction and answered once committed, or with the error.
 */
const WRITER_PROGRAM = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 5000 });
// As the service's own connection (database.ts): durable across crashes in WAL, waits for a busy file.
db.pragma("synchronous = NORMAL");
db.pragma("busy_timeout = 5000");
const insert = db.prepare(workerData.insertSql);
const insertAll = db.transaction((rows) => { for (const row of rows) insert.run(row); });
parentPort.on("message", (message) => {
  if (message === "close") {
    db.close();
    parentPort.close();
    return;
  }
  const { seq, rows } = JSON.parse(message);
  try {
    // A transaction left open by a failed rollback would make this batch a savepoint inside it (released,
    // never committed): end it first, and never answer while one is still open.
    if (db.inTransaction) db.exec("ROLLBACK");
    insertAll.immediate(rows);
    if (db.inTransaction) throw new Error("the batch's transaction did not end");
    parentPort.postMessage(seq);
  } catch (error) {
    parentPort.postMessage({ seq, error: error instanceof Error ? error.message : String(error) });
  }
});
`;

interface Batch {
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Inserts the audit log's rows on a thread of its own. Measured in the service (POST /v1/run at
 * concurrency 32): a commit on the main thread cost about 120 us of its CPU per request, most of it
 * SQLite's code and I/O evicting the service's from the caches; here the main thread only posts the rows.
 * A batch resolves once committed; a batch the thread could not commit (an error, or the thread gone)
 * rejects, and the next batch starts a new thread.
 */
export class AuditWriterThread {
  private worker: Worker | undefined;
  private readonly batches = new Map<number, Batch>();
  private seq = 0;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly insertSql: string,
  ) {}

  insert(rows: unknown[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the audit log is closed"));
    const worker = (this.worker ??= this.start());
    const seq = ++this.seq;
    return new Promise<void>((resolve, reject) => {
      this.batches.set(seq, { resolve, reject });
      // Only a batch in flight keeps the process alive.
      worker.ref();
      // As JSON text: a string crosses threads as one copy, an array of objects is cloned field by field.
      worker.postMessage(JSON.stringify({ seq, rows }));
    });
  }

  /** The batches already posted end first (the thread takes its messages in order), then the thread's connection closes. */
  async close(): Promise<void> {
    this.closed = true;
    await closeThread(this.worker);
  }

  private start(): Worker {
    const worker = new Worker(WRITER_PROGRAM, {
      eval: true,
      workerData: { driver: createRequire(import.meta.url).resolve("better-sqlite3"), file: this.file, insertSql: this.insertSql },
      env: {},
      argv: [],
      execArgv: [],
    });
    worker.unref();
    worker.on("message", (answer: number | { seq: number; error: string }) => {
      const { seq, error } = typeof answer === "number" ? { seq: answer, error: undefined } : answer;
      const batch = this.batches.get(seq);
      this.batches.delete(seq);
      if (this.batches.size === 0) worker.unref();
      if (error === undefined) batch?.resolve();
      else batch?.reject(new Error(`audit rows not written: ${error}`));
    });
    const gone = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const lost = new Error(`audit rows not written: ${reason}`);
      for (const batch of this.batches.values()) batch.reject(lost);
      this.batches.clear();
    };
    worker.on("error", (error) => gone(error.message));
    worker.on("exit", (code) => gone(`the audit writer thread exited (${code})`));
    return worker;
  }
}
