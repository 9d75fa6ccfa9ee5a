import type { PostgresDatabase } from "../postgres-database.js";
import {
  cutOffAttempt,
  deadLetter,
  jobView,
  LIST_ORDER,
  listing,
  type AttemptResult,
  type DeadLetter,
  type DeliveryStore,
  type DeliveryView,
  type JobFilter,
  type JobListing,
  type JobRow,
  type JobState,
  type NewDelivery,
  type TakenJob,
  type TakenRow,
  takenJob,
} from "./delivery-store.js";
import { requestFingerprint } from "./request-fingerprint.js";
import { resultColumns } from "./result-columns.js";

/**
 * The queue in PostgreSQL (the service's store is PostgreSQL and there is no Redis): every node of the
 * database dispatches from the same tables; a job is taken with FOR UPDATE SKIP LOCKED, so two nodes never
 * take the same one, and a node that died gives its jobs back when their leases run out.
 */
export class PostgresDeliveryStore implements DeliveryStore {
  constructor(private readonly db: PostgresDatabase) {}

  async add(d: NewDelivery): Promise<{ id: string; created: boolean }> {
    return this.db.transaction(async (client) => {
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO deliveries (id, tenant, event, payload, context, "user", permissions, idempotency_key, source, created_at, fingerprint)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id`,
        [
          d.id,
          d.tenant,
          d.event,
          JSON.stringify(d.payload ?? null),
          d.context === undefined ? null : JSON.stringify(d.context),
          d.user,
          d.permissions === null ? null : JSON.stringify(d.permissions),
          d.idempotencyKey,
          d.source,
          d.at,
          d.fingerprint ?? null,
        ],
      );
      if (inserted.rows.length === 0) {
        const first = await client.query<{ id: string }>(`SELECT id FROM deliveries WHERE tenant = $1 AND idempotency_key = $2`, [d.tenant, d.idempotencyKey]);
        return { id: first.rows[0]!.id, created: false };
      }
      for (let i = 0; i < d.handlers.length; i++) {
        await client.query(
          `INSERT INTO delivery_jobs (delivery_id, idx, tenant, file, func, state, max_attempts, run_at, queued_at) VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $7)`,
          [d.id, i, d.tenant, d.handlers[i]!.file, d.handlers[i]!.funcName, d.maxAttempts, d.at],
        );
      }
      return { id: d.id, created: true };
    });
  }

  async dueTenants(now: number): Promise<string[]> {
    // One index probe per tenant (a skip scan), however many jobs wait.
    const { rows } = await this.db.query<{ tenant: string }>(
      `WITH RECURSIVE t(tenant) AS (
         (SELECT tenant FROM delivery_jobs WHERE state = 'queued' ORDER BY tenant LIMIT 1)
         UNION ALL
         SELECT (SELECT j.tenant FROM delivery_jobs j WHERE j.state = 'queued' AND j.tenant > t.tenant ORDER BY j.tenant LIMIT 1) FROM t WHERE t.tenant IS NOT NULL
       )
       SELECT tenant FROM t WHERE tenant IS NOT NULL
         AND EXISTS (SELECT 1 FROM delivery_jobs d WHERE d.state = 'queued' AND d.tenant = t.tenant AND d.run_at <= $1)`,
      [now],
    );
    return rows.map((r) => r.tenant);
  }

  async take(tenant: string, now: number, leaseUntil: number): Promise<TakenJob | undefined> {
    const { rows } = await this.db.query<TakenRow>(
      `WITH next AS (
         SELECT delivery_id, idx FROM delivery_jobs WHERE state = 'queued' AND tenant = $1 AND run_at <= $2
         ORDER BY run_at, queued_at, idx LIMIT 1 FOR UPDATE SKIP LOCKED
       ), taken AS (
         UPDATE delivery_jobs j SET state = 'running', attempts = j.attempts + 1, started_at = $2, lease_until = $3
         FROM next WHERE j.delivery_id = next.delivery_id AND j.idx = next.idx
         RETURNING j.delivery_id, j.idx, j.tenant, j.file, j.func, j.attempts, j.max_attempts, j.started_at
       )
       SELECT taken.*, d.event, d.payload, d.context, d."user", d.permissions FROM taken JOIN deliveries d ON d.id = taken.delivery_id`,
      [tenant, now, leaseUntil],
    );
    return rows[0] && takenJob(rows[0]);
  }

  async finish(job: TakenJob, result: AttemptResult, next: { state: "succeeded" | "failed" } | { state: "queued"; retryAt: number }, now: number): Promise<void> {
    const stored = resultColumns(result);
    await this.db.query(
      `UPDATE delivery_jobs SET state = $1, run_at = COALESCE($2, run_at), finished_at = $3, lease_until = NULL, last_result = $4, last_value = $5
       WHERE delivery_id = $6 AND idx = $7 AND state = 'running' AND attempts = $8 AND started_at = $9`,
      [next.state, next.state === "queued" ? next.retryAt : null, next.state === "queued" ? null : now, stored.result, stored.value, job.deliveryId, job.index, job.attempt, job.startedAt],
    );
  }

  async postpone(job: TakenJob, runAt: number): Promise<void> {
    await this.db.query(
      `UPDATE delivery_jobs SET state = 'queued', attempts = attempts - 1, run_at = $1, lease_until = NULL WHERE delivery_id = $2 AND idx = $3 AND state = 'running' AND attempts = $4 AND started_at = $5`,
      [runAt, job.deliveryId, job.index, job.attempt, job.startedAt],
    );
  }

  async renew(job: TakenJob, leaseUntil: number): Promise<void> {
    await this.db.query(
      `UPDATE delivery_jobs SET lease_until = $1 WHERE delivery_id = $2 AND idx = $3 AND state = 'running' AND attempts = $4 AND started_at = $5`,
      [leaseUntil, job.deliveryId, job.index, job.attempt, job.startedAt],
    );
  }

  async reclaimExpired(now: number): Promise<number> {
    const { rows } = await this.db.query<{ delivery_id: string; idx: number; attempts: number; max_attempts: number }>(
      `SELECT delivery_id, idx, attempts, max_attempts FROM delivery_jobs WHERE state = 'running' AND lease_until < $1`,
      [now],
    );
    for (const job of rows) {
      const dead = job.attempts >= job.max_attempts;
      await this.db.query(
        `UPDATE delivery_jobs SET state = $1, finished_at = $2, run_at = $3, lease_until = NULL, last_result = $4, last_value = NULL
         WHERE delivery_id = $5 AND idx = $6 AND state = 'running' AND lease_until < $3`,
        [dead ? "failed" : "queued", dead ? now : null, now, JSON.stringify(cutOffAttempt(job.attempts, now)), job.delivery_id, job.idx],
      );
    }
    return rows.length;
  }

  async list(filter: JobFilter): Promise<JobListing[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (filter.tenant !== undefined) where.push(`j.tenant = $${params.push(filter.tenant)}`);
    if (filter.failed) where.push("j.state = 'failed'");
    const { rows } = await this.db.query<JobRow & { event: string; queued_at: number }>(
      `SELECT j.*, d.event FROM delivery_jobs j JOIN deliveries d ON d.id = j.delivery_id ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${LIST_ORDER} LIMIT $${params.push(filter.limit)}`,
      params,
    );
    return rows.map(listing);
  }

  async delivery(tenant: string, id: string): Promise<DeliveryView | undefined> {
    const d = await this.db.query<{ id: string; event: string; source: "api" | "schedule"; created_at: number }>(
      `SELECT id, event, source, created_at FROM deliveries WHERE id = $1 AND tenant = $2`,
      [id, tenant],
    );
    const row = d.rows[0];
    if (!row) return undefined;
    const jobs = await this.db.query<JobRow>(`SELECT * FROM delivery_jobs WHERE delivery_id = $1 AND tenant = $2 ORDER BY idx`, [id, tenant]);
    return { id: row.id, event: row.event, source: row.source, createdAt: row.created_at, handlers: jobs.rows.map(jobView) };
  }

  async keyed(tenant: string, key: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ id: string }>(`SELECT id FROM deliveries WHERE tenant = $1 AND idempotency_key = $2`, [tenant, key]);
    return rows[0]?.id;
  }

  async fingerprint(tenant: string, id: string): Promise<string | undefined> {
    const kept = await this.db.query<{ fingerprint: string | null }>(`SELECT fingerprint FROM deliveries WHERE id = $1 AND tenant = $2`, [id, tenant]);
    if (kept.rows.length === 0 || kept.rows[0]!.fingerprint !== null) return kept.rows[0]?.fingerprint ?? undefined;
    // Stored before fingerprints were kept (or by a schedule's tick): made from the stored request.
    const { rows } = await this.db.query<{ event: string; payload: string; context: string | null }>(
      `SELECT event, payload, context FROM deliveries WHERE id = $1 AND tenant = $2`,
      [id, tenant],
    );
    const d = rows[0];
    return d && requestFingerprint(d.event, JSON.parse(d.payload), d.context === null ? null : JSON.parse(d.context));
  }

  async backlog(tenant: string, atMost: number): Promise<number> {
    const { rows } = await this.db.query<{ n: number }>(
      `SELECT COUNT(*)::int AS n FROM (SELECT 1 FROM delivery_jobs WHERE tenant = $1 AND state IN ('queued', 'running') LIMIT $2) AS unfinished`,
      [tenant, atMost],
    );
    return rows[0]?.n ?? 0;
  }

  async deadLetters(tenant: string, limit: number, before?: number): Promise<DeadLetter[]> {
    const { rows } = await this.db.query<JobRow & { event: string }>(
      `SELECT j.*, d.event FROM delivery_jobs j JOIN deliveries d ON d.id = j.delivery_id
       WHERE j.tenant = $1 AND j.state = 'failed' AND j.finished_at < $2 ORDER BY j.finished_at DESC, j.delivery_id, j.idx LIMIT $3`,
      [tenant, before ?? Number.MAX_SAFE_INTEGER, limit],
    );
    return rows.map(deadLetter);
  }

  async retry(tenant: string, id: string, now: number): Promise<number | undefined> {
    const { rowCount } = await this.db.query(
      `UPDATE delivery_jobs SET state = 'queued', attempts = 0, run_at = $1, queued_at = $1, finished_at = NULL WHERE delivery_id = $2 AND tenant = $3 AND state = 'failed'`,
      [now, id, tenant],
    );
    if (rowCount) return rowCount;
    const { rows } = await this.db.query(`SELECT 1 FROM deliveries WHERE id = $1 AND tenant = $2`, [id, tenant]);
    return rows.length === 0 ? undefined : 0;
  }

  async counts(now: number): Promise<{ states: Record<JobState, number>; oldestWaitingMs: number }> {
    const states: Record<JobState, number> = { queued: 0, running: 0, succeeded: 0, failed: 0 };
    const grouped = await this.db.query<{ state: JobState; n: number }>(`SELECT state, COUNT(*)::int AS n FROM delivery_jobs GROUP BY state`);
    for (const row of grouped.rows) states[row.state] = row.n;
    // Since the job fell due (its run_at), as the SQLite store reads it.
    const oldest = await this.db.query<{ at: number | null }>(`SELECT MIN(run_at) AS at FROM delivery_jobs WHERE state = 'queued' AND run_at <= $1`, [now]);
    const at = oldest.rows[0]?.at ?? null;
    return { states, oldestWaitingMs: at === null ? 0 : Math.max(0, now - at) };
  }

  async sweep(now: number, succeededTtl: number, deadTtl: number, idempotencyTtl: number): Promise<void> {
    await this.db.transaction(async (client) => {
      await client.query(`DELETE FROM delivery_jobs WHERE state = 'succeeded' AND finished_at < $1`, [now - succeededTtl]);
      await client.query(`DELETE FROM delivery_jobs WHERE state = 'failed' AND finished_at < $1`, [now - deadTtl]);
      await client.query(`UPDATE deliveries SET idempotency_key = NULL WHERE idempotency_key IS NOT NULL AND created_at < $1`, [now - idempotencyTtl]);
      await client.query(`DELETE FROM deliveries WHERE created_at < $1 AND NOT EXISTS (SELECT 1 FROM delivery_jobs j WHERE j.delivery_id = deliveries.id)`, [
        now - Math.min(succeededTtl, deadTtl),
      ]);
    });
  }
}
