import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/service/database.js";
import { SqliteDeliveryStore } from "../src/service/delivery/delivery-store.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the SQLite queue's backlog count (maxQueuedEvents)", () => {
  it("follows every way a job starts, finishes, comes back and goes, as a COUNT over the jobs would", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-backlog-"));
    dirs.push(dir);
    const db = openDatabase(dir);
    const store = new SqliteDeliveryStore(db);
    const counted = (tenant: string) => (db.prepare(`SELECT COUNT(*) AS n FROM delivery_jobs WHERE tenant = ? AND state IN ('queued', 'running')`).get(tenant) as { n: number }).n;
    const expectBoth = async (tenant: string, n: number) => {
      expect(await store.backlog(tenant)).toBe(n);
      expect(counted(tenant)).toBe(n);
    };
    const handlers = [{ file: "a.js", funcName: "f" }, { file: "a.js", funcName: "g" }];
    const event = (id: string, tenant: string) => ({ id, tenant, event: "e", payload: 1, context: null, user: null, permissions: null, idempotencyKey: null, source: "api" as const, handlers, maxAttempts: 2, at: 1000 });
    await store.add(event("d1", "a"));
    await store.add(event("d2", "a"));
    await store.add(event("d3", "b"));
    await expectBoth("a", 4);
    await expectBoth("b", 2);
    const job = (await store.take("a", 2000, 10_000))!;
    await expectBoth("a", 4); // running still counts
    await store.finish(job, { success: false, durationMs: 1, attempt: 1, at: 2000 }, { state: "queued", retryAt: 3000 }, 2000);
    await expectBoth("a", 4); // a retry waits: still counts
    const again = (await store.take("a", 5000, 10_000))!;
    await store.finish(again, { success: false, durationMs: 1, attempt: 2, at: 5000 }, { state: "failed" }, 5000);
    await expectBoth("a", 3); // a dead letter does not
    expect(await store.retry("a", again.deliveryId, 6000)).toBe(1);
    await expectBoth("a", 4); // retried: counts again
    for (let i = 0; i < 4; i++) {
      const next = (await store.take("a", 10_000 + i, 20_000))!;
      await store.finish(next, { success: true, durationMs: 1, attempt: next.attempt, at: 10_000 }, { state: "succeeded" }, 10_000);
    }
    await expectBoth("a", 0);
    await store.sweep(10_000_000, 1, 1, 1); // finished jobs and their deliveries go
    await expectBoth("a", 0);
    await expectBoth("b", 2);
    db.close();
  });
});

describe("the embedded queue's fencing token", () => {
  it("a node stalled through a whole dead-letter cycle cannot finish, postpone or renew the retried job's new attempt 1", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-fence-"));
    dirs.push(dir);
    const db = openDatabase(dir);
    const store = new SqliteDeliveryStore(db);
    const row = () => db.prepare(`SELECT state, attempts, lease_until, last_result FROM delivery_jobs`).get() as { state: string; attempts: number; lease_until: number | null; last_result: string | null };
    await store.add({ id: "d1", tenant: "a", event: "e", payload: 1, context: null, user: null, permissions: null, idempotencyKey: null, source: "api", handlers: [{ file: "a.js", funcName: "f" }], maxAttempts: 1, at: 1000 });
    const stale = (await store.take("a", 2000, 3000))!; // node A takes attempt 1, then stalls
    expect(await store.reclaimExpired(4000)).toBe(1); // its lease runs out: attempt 1 of 1 was the last, a dead letter
    expect(row().state).toBe("failed");
    expect(await store.retry("a", "d1", 5000)).toBe(1); // the tenant retries it: attempts start again
    const fresh = (await store.take("a", 6000, 60_000))!; // node B takes it: attempt 1 again
    expect(fresh.attempt).toBe(stale.attempt);
    // A wakes up: its writes are not B's attempt's.
    await store.renew(stale, 999_999);
    await store.finish(stale, { success: true, durationMs: 1, attempt: 1, at: 7000 }, { state: "succeeded" }, 7000);
    await store.postpone(stale, 8000);
    expect(row()).toMatchObject({ state: "running", attempts: 1, lease_until: 60_000 });
    await store.finish(fresh, { success: true, durationMs: 1, attempt: 1, at: 9000 }, { state: "succeeded" }, 9000);
    expect(row().state).toBe("succeeded");
    db.close();
  });
});
