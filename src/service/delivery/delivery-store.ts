import type { NewEvent } from "./delivery-engine.js";
import { GroupCommit } from "../group-commit.js";
import { requestFingerprint } from "./request-fingerprint.js";
import type { Database, Statement, Transaction } from "../database.js";
import type { JsonText } from "../../runner/json-text.js";
import { resultColumns, storedResult } from "./result-columns.js";

export type JobState = "queued" | "running" | "succeeded" | "failed";

/** An event to store: the engine's input with its new id and the time it came in. */
export interface NewDelivery extends NewEvent {
  id: string;
  at: number;
}

/** A job taken to run one attempt, with what the attempt needs of its delivery. */
export interface TakenJob {
  deliveryId: string;
  index: number;
  tenant: string;
  event: string;
  file: string;
  funcName: string;
  payload: unknown;
  context: unknown;
  user: string | null;
  permissions: string[] | null;
  /** This attempt's number (1 = the first). */
  attempt: number;
  /**
   * When this attempt was taken (the taking node's clock): with `attempt`, the attempt's fencing token. The
   * number alone repeats once a tenant retries a dead letter (attempts start again at 0).
   */
  startedAt: number;
  maxAttempts: number;
}

/** What an attempt ended with, as kept on the job (the handler's last result). */
export interface AttemptResult {
  success: boolean;
  /** The handler's value as the sandbox serialized it (stored apart: result-columns.ts). */
  value?: JsonText;
  /** The handler's value was larger than MAX_KEPT_VALUE_BYTES of JSON: it is not kept, only its size. */
  valueOmittedBytes?: number;
  error?: { code: string; message: string };
  durationMs: number;
  attempt: number;
  at: number;
}

export interface JobView {
  index: number;
  file: string;
  funcName: string;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: number | null;
  lastResult: AttemptResult | null;
}

export interface DeliveryView {
  id: string;
  event: string;
  source: "api" | "schedule";
  createdAt: number;
  handlers: JobView[];
}

/** One handler job as `tenantbox jobs` lists it. */
export interface JobListing extends JobView {
  id: string;
  tenant: string;
  event: string;
  /** When it was queued, and when it ended (succeeded or failed for good), ms since the epoch. */
  queuedAt: number;
  finishedAt: number | null;
}

export interface JobFilter {
  tenant?: string;
  /** Dead letters only. */
  failed?: boolean;
  limit: number;
}

/** The newest jobs first (by when they ended, else when they were queued). */
export const LIST_ORDER = "COALESCE(j.finished_at, j.queued_at) DESC, j.delivery_id, j.idx";

export function listing(r: JobRow & { event: string; queued_at: number }): JobListing {
  return { ...jobView(r), id: r.delivery_id, tenant: r.tenant, event: r.event, queuedAt: r.queued_at, finishedAt: r.finished_at };
}

export interface DeadLetter {
  id: string;
  event: string;
  file: string;
  funcName: string;
  attempts: number;
  failedAt: number;
  lastResult: AttemptResult | null;
}

export interface JobRow {
  delivery_id: string;
  idx: number;
  tenant: string;
  file: string;
  func: string;
  state: JobState;
  attempts: number;
  max_attempts: number;
  run_at: number;
  finished_at: number | null;
  last_result: string | null;
  /** The last result's value, its JSON text (result-columns.ts). */
  last_value: string | null;
}

export const parseJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/** A taken job's row with its delivery's columns, as both engines select it. */
export interface TakenRow {
  delivery_id: string;
  idx: number;
  tenant: string;
  file: string;
  func: string;
  attempts: number;
  max_attempts: number;
  /** A number in SQLite; PostgreSQL's bigint arrives as text. */
  started_at: number | string;
  event: string;
  payload: string;
  context: string | null;
  user: string | null;
  permissions: string | null;
}

export function takenJob(r: TakenRow): TakenJob {
  return {
    deliveryId: r.delivery_id,
    index: r.idx,
    tenant: r.tenant,
    event: r.event,
    file: r.file,
    funcName: r.func,
    payload: JSON.parse(r.payload),
    context: parseJson(r.context),
    user: r.user,
    permissions: parseJson(r.permissions) as string[] | null,
    attempt: r.attempts,
    startedAt: Number(r.started_at),
    maxAttempts: r.max_attempts,
  };
}

/**
 * The queue's rows in one engine: the embedded queue's SQLite file, or PostgreSQL when it is the service's
 * store (several nodes then share the queue; a job is taken with FOR UPDATE SKIP LOCKED).
 */
export interface DeliveryStore {
  add(delivery: NewDelivery): Promise<{ id: string; created: boolean }>;
  /** Tenants with a job due at `now`. */
  dueTenants(now: number): Promise<string[]>;
  /** Takes the tenant's oldest due job for one attempt (running, attempt counted, leased); undefined when none. */
  take(tenant: string, now: number, leaseUntil: number): Promise<TakenJob | undefined>;
  /**
   * finish, postpone and renew change the job only while it is still the attempt `job` took (running, at
   * `job.attempt`, taken at `job.startedAt`): a process whose lease ran out while its attempt went on (a node stalled, cut off from the
   * database, or with a clock behind the others') finds the job taken again and leaves it alone; it used to
   * finish, postpone or renew the new holder's attempt (a job queued again under it ran more times than its
   * maxDeliveryAttempts, two attempts at once).
   */
  finish(job: TakenJob, result: AttemptResult, next: { state: "succeeded" | "failed" } | { state: "queued"; retryAt: number }, now: number): Promise<void>;
  postpone(job: TakenJob, runAt: number): Promise<void>;
  renew(job: TakenJob, leaseUntil: number): Promise<void>;
  reclaimExpired(now: number): Promise<number>;
  delivery(tenant: string, id: string): Promise<DeliveryView | undefined>;
  deadLetters(tenant: string, limit: number, before?: number): Promise<DeadLetter[]>;
  /** The delivery an Idempotency-Key of the tenant names (within its 24 h), if any. */
  keyed(tenant: string, key: string): Promise<string | undefined>;
  /** requestFingerprint of a stored delivery's event, payload and context; undefined when there is no such delivery. */
  fingerprint(tenant: string, id: string): Promise<string | undefined>;
  /** The tenant's handler jobs not yet finished (queued or running), counted up to `atMost`. */
  backlog(tenant: string, atMost: number): Promise<number>;
  /** How many dead letters of the delivery were queued again; undefined when the tenant has no such delivery. */
  retry(tenant: string, id: string, now: number): Promise<number | undefined>;
  counts(now: number): Promise<{ states: Record<JobState, number>; oldestWaitingMs: number }>;
  sweep(now: number, succeededTtl: number, deadTtl: number, idempotencyTtl: number): Promise<void>;
  /** For `tenantbox jobs`: every tenant's jobs unless `tenant` names one. */
  list(filter: JobFilter): Promise<JobListing[]>;
}

/** What an attempt that was cut off (its process died) is recorded as. */
export function cutOffAttempt(attempt: number, now: number): AttemptResult {
  return { success: false, error: { code: "INTERNAL_ERROR", message: "the service process stopped during the attempt" }, durationMs: 0, attempt, at: now };
}

/** An event waiting for its batch's commit, its JSON already made. */
interface PendingAdd {
  delivery: NewDelivery;
  payload: string;
  context: string | null;
  permissions: string | null;
  stored?: { id: string; created: boolean };
}

/**
 * Queued events as rows of the service's own database: one `deliveries` row per accepted event and one
 * `delivery_jobs` row per handler (each handler retries alone). Every state change is one statement, and a
 * job is taken by a conditional UPDATE, so several service processes of a machine (`serve --workers`)
 * sharing the file never run one attempt twice. The schema is a step of the database's migrations (database.ts).
 */
export class SqliteDeliveryStore implements DeliveryStore {
  private readonly statements: Record<string, Statement> = {};

  /**
   * Events stored together are committed together (one commit per turn of the event loop, as the audit
   * log does): a commit costs more than the rows. Each add() resolves once its own commit succeeded.
   */
  // Immediate: a batch may read (an idempotency key) before it writes, and a deferred transaction's read
  // snapshot cannot wait to become a writer while another connection (the audit writer thread, another
  // process) writes: SQLite answers SQLITE_BUSY at once instead of calling the busy handler.
  private readonly adds = new GroupCommit<PendingAdd>((items) => this.addAll.immediate(items));
  private readonly addAll: Transaction<(items: PendingAdd[]) => void>;

  constructor(private readonly db: Database) {
    this.addAll = db.transaction((items: PendingAdd[]) => {
      for (const item of items) item.stored = this.addOne(item);
    });
  }

  private sql(text: string): Statement {
    return (this.statements[text] ??= this.db.prepare<unknown[]>(text));
  }

  /** Stores the delivery and its jobs at once; with a key already used by the tenant, the first delivery's id instead. */
  async add(delivery: NewDelivery): Promise<{ id: string; created: boolean }> {
    // Serialized before it joins a batch: what cannot be serialized fails this event alone, never the
    // other tenants' events committed with it.
    const item: PendingAdd = {
      delivery,
      payload: JSON.stringify(delivery.payload ?? null),
      context: delivery.context === undefined ? null : JSON.stringify(delivery.context),
      permissions: delivery.permissions === null ? null : JSON.stringify(delivery.permissions),
    };
    await this.adds.add(item);
    return item.stored!;
  }

  /** One event inside the batch's transaction (a key used earlier in the same batch is found too). */
  private addOne({ delivery, payload, context, permissions }: PendingAdd): { id: string; created: boolean } {
    if (delivery.idempotencyKey !== null) {
      const first = this.keyedId(delivery.tenant, delivery.idempotencyKey);
      if (first !== undefined) return { id: first, created: false };
    }
    this.sql(
      `INSERT INTO deliveries (id, tenant, event, payload, context, user, permissions, idempotency_key, source, created_at, fingerprint)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      delivery.id,
      delivery.tenant,
      delivery.event,
      payload,
      context,
      delivery.user,
      permissions,
      delivery.idempotencyKey,
      delivery.source,
      delivery.at,
      delivery.fingerprint ?? null,
    );
    const insert = this.sql(
      `INSERT INTO delivery_jobs (delivery_id, idx, tenant, file, func, state, max_attempts, run_at, queued_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
    );
    delivery.handlers.forEach((h, i) => insert.run(delivery.id, i, delivery.tenant, h.file, h.funcName, delivery.maxAttempts, delivery.at, delivery.at));
    return { id: delivery.id, created: true };
  }

  /** Tenants with a job due at `now`: one index probe per tenant (a skip scan), however many jobs wait. */
  async dueTenants(now: number): Promise<string[]> {
    const rows = this.sql(
      `WITH RECURSIVE t(tenant) AS (
         SELECT MIN(tenant) FROM delivery_jobs WHERE state = 'queued'
         UNION ALL
         SELECT (SELECT MIN(tenant) FROM delivery_jobs WHERE state = 'queued' AND tenant > t.tenant) FROM t WHERE t.tenant IS NOT NULL
       ) SELECT tenant FROM t WHERE tenant IS NOT NULL`,
    ).all() as { tenant: string }[];
    const due = this.sql(`SELECT 1 FROM delivery_jobs WHERE state = 'queued' AND tenant = ? AND run_at <= ? LIMIT 1`);
    return rows.map((r) => r.tenant).filter((tenant) => due.get(tenant, now) !== undefined);
  }

  /**
   * Takes the tenant's oldest due job for one attempt (state running, attempt counted, leased until
   * `leaseUntil`); undefined when none is due. One statement: it holds the write lock from its start, so
   * another process cannot take the same job between the choice and the update.
   */
  async take(tenant: string, now: number, leaseUntil: number): Promise<TakenJob | undefined> {
    const job = this.sql(
      `UPDATE delivery_jobs SET state = 'running', attempts = attempts + 1, started_at = ?, lease_until = ?
       WHERE rowid = (SELECT rowid FROM delivery_jobs WHERE state = 'queued' AND tenant = ? AND run_at <= ? ORDER BY run_at, queued_at, idx LIMIT 1)
       RETURNING delivery_id, idx, tenant, file, func, attempts, max_attempts, started_at`,
    ).get(now, leaseUntil, tenant, now) as Omit<TakenRow, "event" | "payload" | "context" | "user" | "permissions"> | undefined;
    if (!job) return undefined;
    const delivery = this.sql(`SELECT event, payload, context, user, permissions FROM deliveries WHERE id = ?`).get(job.delivery_id) as TakenRow | undefined;
    // Its delivery gone (deleted with its jobs by another process's sweep): nothing to run.
    return delivery && takenJob({ ...delivery, ...job });
  }

  /** The attempt ended: the job succeeded, failed for good, or waits for `retryAt`. */
  async finish(job: TakenJob, result: AttemptResult, next: { state: "succeeded" | "failed" } | { state: "queued"; retryAt: number }, now: number): Promise<void> {
    const stored = resultColumns(result);
    this.sql(
      `UPDATE delivery_jobs SET state = ?, run_at = COALESCE(?, run_at), finished_at = ?, lease_until = NULL, last_result = ?, last_value = ?
       WHERE delivery_id = ? AND idx = ? AND state = 'running' AND attempts = ? AND started_at = ?`,
    ).run(next.state, next.state === "queued" ? next.retryAt : null, next.state === "queued" ? null : now, stored.result, stored.value, job.deliveryId, job.index, job.attempt, job.startedAt);
  }

  /** The attempt did not start (no free slot, the daily quota, a pool that refused): the job waits again, the attempt not counted. */
  async postpone(job: TakenJob, runAt: number): Promise<void> {
    this.sql(
      `UPDATE delivery_jobs SET state = 'queued', attempts = attempts - 1, run_at = ?, lease_until = NULL WHERE delivery_id = ? AND idx = ? AND state = 'running' AND attempts = ? AND started_at = ?`,
    ).run(runAt, job.deliveryId, job.index, job.attempt, job.startedAt);
  }

  /** Keeps a running job's lease alive (its attempt is still in flight in this process). */
  async renew(job: TakenJob, leaseUntil: number): Promise<void> {
    this.sql(`UPDATE delivery_jobs SET lease_until = ? WHERE delivery_id = ? AND idx = ? AND state = 'running' AND attempts = ? AND started_at = ?`).run(leaseUntil, job.deliveryId, job.index, job.attempt, job.startedAt);
  }

  /**
   * Jobs whose lease ran out (their process died mid-attempt): the attempt counts, since it may have run.
   * Each goes back to the queue, or fails for good when it has no attempt left.
   */
  async reclaimExpired(now: number): Promise<number> {
    const expired = this.sql(`SELECT delivery_id, idx, attempts, max_attempts FROM delivery_jobs WHERE state = 'running' AND lease_until < ?`).all(now) as {
      delivery_id: string;
      idx: number;
      attempts: number;
      max_attempts: number;
    }[];
    for (const job of expired) {
      const result = cutOffAttempt(job.attempts, now);
      const dead = job.attempts >= job.max_attempts;
      this.sql(
        `UPDATE delivery_jobs SET state = ?, finished_at = ?, run_at = ?, lease_until = NULL, last_result = ?, last_value = NULL
         WHERE delivery_id = ? AND idx = ? AND state = 'running' AND lease_until < ?`,
      ).run(dead ? "failed" : "queued", dead ? now : null, now, JSON.stringify(result), job.delivery_id, job.idx, now);
    }
    return expired.length;
  }

  async list(filter: JobFilter): Promise<JobListing[]> {
    const where = [...(filter.tenant !== undefined ? ["j.tenant = ?"] : []), ...(filter.failed ? ["j.state = 'failed'"] : [])];
    // At most four statements (two optional conditions): cached like the others.
    const rows = this.sql(
      `SELECT j.*, d.event FROM delivery_jobs j JOIN deliveries d ON d.id = j.delivery_id ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${LIST_ORDER} LIMIT ?`,
    ).all(...(filter.tenant !== undefined ? [filter.tenant] : []), filter.limit) as (JobRow & { event: string; queued_at: number })[];
    return rows.map(listing);
  }

  async delivery(tenant: string, id: string): Promise<DeliveryView | undefined> {
    const d = this.sql(`SELECT id, event, source, created_at FROM deliveries WHERE id = ? AND tenant = ?`).get(id, tenant) as
      | { id: string; event: string; source: "api" | "schedule"; created_at: number }
      | undefined;
    if (!d) return undefined;
    const jobs = this.sql(`SELECT * FROM delivery_jobs WHERE delivery_id = ? AND tenant = ? ORDER BY idx`).all(id, tenant) as JobRow[];
    return { id: d.id, event: d.event, source: d.source, createdAt: d.created_at, handlers: jobs.map(jobView) };
  }

  async keyed(tenant: string, key: string): Promise<string | undefined> {
    return this.keyedId(tenant, key);
  }

  async fingerprint(tenant: string, id: string): Promise<string | undefined> {
    const kept = this.sql(`SELECT fingerprint FROM deliveries WHERE id = ? AND tenant = ?`).get(id, tenant) as { fingerprint: string | null } | undefined;
    if (!kept || kept.fingerprint !== null) return kept?.fingerprint ?? undefined;
    // Stored before fingerprints were kept (or by a schedule's tick): made from the stored request.
    const d = this.sql(`SELECT event, payload, context FROM deliveries WHERE id = ? AND tenant = ?`).get(id, tenant) as
      | { event: string; payload: string; context: string | null }
      | undefined;
    return d && requestFingerprint(d.event, JSON.parse(d.payload), d.context === null ? null : JSON.parse(d.context));
  }

  /** The delivery the tenant's Idempotency-Key names (inside a batch's transaction too). */
  private keyedId(tenant: string, key: string): string | undefined {
    return (this.sql(`SELECT id FROM deliveries WHERE tenant = ? AND idempotency_key = ?`).get(tenant, key) as { id: string } | undefined)?.id;
  }

  async backlog(tenant: string): Promise<number> {
    // Kept by triggers (database.ts): a COUNT over a large backlog would hold the thread that serves requests.
    const row = this.sql(`SELECT jobs FROM delivery_backlog WHERE tenant = ?`).get(tenant) as { jobs: number } | undefined;
    return row?.jobs ?? 0;
  }

  /** The tenant's dead letters, newest first; `before` (a failedAt) pages on. */
  async deadLetters(tenant: string, limit: number, before?: number): Promise<DeadLetter[]> {
    const rows = this.sql(
      `SELECT j.*, d.event FROM delivery_jobs j JOIN deliveries d ON d.id = j.delivery_id
       WHERE j.tenant = ? AND j.state = 'failed' AND j.finished_at < ? ORDER BY j.finished_at DESC, j.delivery_id, j.idx LIMIT ?`,
    ).all(tenant, before ?? Number.MAX_SAFE_INTEGER, limit) as (JobRow & { event: string })[];
    return rows.map(deadLetter);
  }

  /** Queues the delivery's failed jobs again with fresh attempts; how many. */
  async retry(tenant: string, id: string, now: number): Promise<number | undefined> {
    const changed = this.sql(
      `UPDATE delivery_jobs SET state = 'queued', attempts = 0, run_at = ?, queued_at = ?, finished_at = NULL WHERE delivery_id = ? AND tenant = ? AND state = 'failed'`,
    ).run(now, now, id, tenant).changes;
    if (changed > 0) return changed;
    return this.sql(`SELECT 1 FROM deliveries WHERE id = ? AND tenant = ?`).get(id, tenant) === undefined ? undefined : 0;
  }

  /**
   * Jobs per state (kept by triggers: database.ts), and how long the job due longest has waited since it fell
   * due: each tenant's earliest due time is one probe of the (state, tenant, run_at) index, found by a skip
   * scan over the tenants, so a scrape costs the thread that serves requests the same at any backlog (it was
   * two scans of every waiting job: 50-130 ms at 600,000 jobs, red team dec09).
   */
  async counts(now: number): Promise<{ states: Record<JobState, number>; oldestWaitingMs: number }> {
    const states: Record<JobState, number> = { queued: 0, running: 0, succeeded: 0, failed: 0 };
    for (const row of this.sql(`SELECT state, jobs FROM delivery_states`).all() as { state: JobState; jobs: number }[]) states[row.state] = row.jobs;
    const oldest = this.sql(
      `WITH RECURSIVE t(tenant) AS (
         SELECT MIN(tenant) FROM delivery_jobs WHERE state = 'queued'
         UNION ALL
         SELECT (SELECT MIN(tenant) FROM delivery_jobs WHERE state = 'queued' AND tenant > t.tenant) FROM t WHERE t.tenant IS NOT NULL
       ) SELECT MIN((SELECT MIN(run_at) FROM delivery_jobs WHERE state = 'queued' AND tenant = t.tenant)) AS at FROM t WHERE tenant IS NOT NULL`,
    ).get() as { at: number | null };
    return { states, oldestWaitingMs: oldest.at === null || oldest.at > now ? 0 : now - oldest.at };
  }

  /** Drops what is past its keeping time: succeeded jobs, dead letters, deliveries with no job left, old idempotency keys. */
  async sweep(now: number, succeededTtl: number, deadTtl: number, idempotencyTtl: number): Promise<void> {
    this.db.transaction(() => {
      this.sql(`DELETE FROM delivery_jobs WHERE state = 'succeeded' AND finished_at < ?`).run(now - succeededTtl);
      this.sql(`DELETE FROM delivery_jobs WHERE state = 'failed' AND finished_at < ?`).run(now - deadTtl);
      this.sql(`UPDATE deliveries SET idempotency_key = NULL WHERE idempotency_key IS NOT NULL AND created_at < ?`).run(now - idempotencyTtl);
      this.sql(`DELETE FROM deliveries WHERE created_at < ? AND NOT EXISTS (SELECT 1 FROM delivery_jobs j WHERE j.delivery_id = deliveries.id)`).run(now - Math.min(succeededTtl, deadTtl));
    })();
  }
}

/** A failed job's row with its event, as both engines list it. */
export function deadLetter(r: JobRow & { event: string }): DeadLetter {
  const view = jobView(r);
  return { id: r.delivery_id, event: r.event, file: r.file, funcName: r.func, attempts: r.attempts, failedAt: r.finished_at!, lastResult: view.lastResult };
}

export function jobView(r: JobRow): JobView {
  return {
    index: r.idx,
    file: r.file,
    funcName: r.func,
    state: r.state,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    nextAttemptAt: r.state === "queued" ? r.run_at : null,
    lastResult: storedResult(r.last_result, r.last_value),
  };
}
