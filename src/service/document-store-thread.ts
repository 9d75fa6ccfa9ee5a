import { parentPort, workerData } from "node:worker_threads";
import { openDatabase } from "./database.js";
import type { DocumentStore } from "./document-store.js";
import { SqliteDocumentStore } from "./sqlite-document-store.js";
import { answerOf, type ThreadAnswer, type ThreadCall } from "./thread-calls.js";

/**
 * The SQLite document store's thread (threaded-document-store.ts): its own connection to the service's
 * database file, one call at a time, in the order they were posted.
 */
const db = openDatabase((workerData as { dataDir: string }).dataDir);
/** The storage quota of the call being served: the runtime's configuration stays on the main thread. */
let quota = Infinity;
const store: DocumentStore = new SqliteDocumentStore(db, () => quota);

parentPort!.on("message", (call: ThreadCall | "close") => {
  if (call === "close") {
    db.close();
    parentPort!.close();
    return;
  }
  quota = call.maxBytes ?? Infinity;
  const answer = (message: ThreadAnswer) => parentPort!.postMessage(message);
  // The store's methods do their work before they return (better-sqlite3 is synchronous): calls never interleave.
  const method = store[call.method as keyof DocumentStore] as (...args: unknown[]) => Promise<unknown>;
  method.apply(store, call.args).then(
    (value) => answer({ id: call.id, value }),
    (error: unknown) => answer(answerOf(call.id, error)),
  );
});
