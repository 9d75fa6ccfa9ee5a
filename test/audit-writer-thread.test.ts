import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Worker } from "node:worker_threads";
import { afterAll, describe, expect, it } from "vitest";
import type { AuditEntry } from "../src/service/audit-log.js";
import { SqliteDeliveryStore } from "../src/service/delivery/delivery-store.js";
import { SqliteStore } from "../src/service/service-store.js";

// The service's SQLite audit log commits its rows on a thread of its own: what it acknowledges is on disk,
// what it could not write is refused, and a thread that died is replaced.

const root = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-audit-thread-"));
let dirs = 0;
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const entry = (at: number): AuditEntry => ({ tenant: "acme", kind: "run", file: "a.js", funcName: "f", success: true, durationMs: 1, toolCalls: 0, at });
const count = (store: SqliteStore) => (store.db.prepare("SELECT COUNT(*) AS n FROM executions").get() as { n: number }).n;
/** The writer's current thread (a private field: the test ends it as a crash would). */
const threadOf = (store: SqliteStore) => (store.audit as unknown as { thread: { worker: Worker | undefined } }).thread.worker;

describe("audit writer thread", () => {
  it("a row is on disk, seen by the service's own connection, once record() resolves; rows of one burst share commits", async () => {
    const store = new SqliteStore(path.join(root, `db-${++dirs}`));
    try {
      await store.audit.record(entry(1));
      expect(count(store)).toBe(1);
      await Promise.all(Array.from({ length: 500 }, (_, i) => store.audit.record(entry(i + 2))));
      expect(count(store)).toBe(501);
      expect((await store.audit.query({ limit: 1 }))[0]!.at).toBeGreaterThan(1);
    } finally {
      await store.close();
    }
  });

  it("a batch the database refuses rejects, and the writer goes on once the database is back", async () => {
    const store = new SqliteStore(path.join(root, `db-${++dirs}`));
    try {
      await store.audit.record(entry(1));
      store.db.exec("ALTER TABLE executions RENAME TO executions_away");
      await expect(store.audit.record(entry(2))).rejects.toThrow(/audit rows not written: .*executions/);
      store.db.exec("ALTER TABLE executions_away RENAME TO executions");
      await store.audit.record(entry(3));
      expect((await store.audit.query({})).map((row) => row.at)).toEqual([3, 1]);
    } finally {
      await store.close();
    }
  });

  it("a thread that dies never acknowledges a row it did not commit; the next row starts a new thread", async () => {
    const store = new SqliteStore(path.join(root, `db-${++dirs}`));
    try {
      await store.audit.record(entry(1));
      const first = threadOf(store)!;
      // The service's own connection holds the write lock, so the thread cannot commit row 2 before it ends
      // (it waits for the lock in SQLite, or has not taken the batch yet): its end always lands before the commit.
      store.db.exec("BEGIN IMMEDIATE");
      const held = store.audit.record(entry(2));
      await new Promise((resolve) => setTimeout(resolve, 20));
      const ended = first.terminate();
      store.db.exec("ROLLBACK");
      await ended;
      await expect(held).rejects.toThrow(/audit rows not written: the audit writer thread exited/);
      const written = () => store.db.prepare("SELECT at FROM executions ORDER BY at").all().map((row) => (row as { at: number }).at);
      expect(written()).toEqual([1]);
      await store.audit.record(entry(3));
      expect(threadOf(store)).not.toBe(first);
      expect(written()).toEqual([1, 3]);
    } finally {
      await store.close();
    }
  });

  it("queued events with an Idempotency-Key are stored while the writer thread commits (each batch takes the write lock up front)", async () => {
    const store = new SqliteStore(path.join(root, `db-${++dirs}`));
    try {
      const queue = new SqliteDeliveryStore(store.db);
      const event = (i: number) => ({
        id: `e${i}`, at: i, tenant: "acme", event: "ping", payload: i, context: null, user: null, permissions: null,
        idempotencyKey: `k${i}`, source: "api" as const, handlers: [{ file: "h.js", funcName: "f" }], maxAttempts: 1,
      });
      // A batch that reads (the key) before it writes must not meet the thread's commits with a stale snapshot.
      let writing = true;
      const audit = (async () => {
        for (let i = 0; writing; i++) await store.audit.record(entry(i));
      })();
      const refused: string[] = [];
      for (let i = 0; i < 500; i++) await queue.add(event(i)).catch((error: unknown) => refused.push(String(error)));
      writing = false;
      await audit;
      expect(refused).toEqual([]);
      expect((store.db.prepare("SELECT COUNT(*) AS n FROM deliveries").get() as { n: number }).n).toBe(500);
    } finally {
      await store.close();
    }
  });

  it("close() commits what was posted, then refuses new rows", async () => {
    const dir = path.join(root, `db-${++dirs}`);
    const store = new SqliteStore(dir);
    const rows = Array.from({ length: 50 }, (_, i) => store.audit.record(entry(i)));
    await Promise.all(rows);
    await store.close();
    await expect(store.audit.record(entry(99))).rejects.toThrow(/closed/);
    const reopened = new SqliteStore(dir);
    try {
      expect(count(reopened)).toBe(50);
    } finally {
      await reopened.close();
    }
  });
});
