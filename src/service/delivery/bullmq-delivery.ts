import { createHash, randomUUID } from "node:crypto";
import { DelayedError, Job, Queue, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { AttemptResult, DeadLetter, JobFilter, JobListing, JobState, JobView, TakenJob } from "./delivery-store.js";
import { overallState, type AttemptOutcome, type DeliveryEngine, type DeliveryReport, type KeyedAnswer, type NewEvent } from "./delivery-engine.js";
import { ServiceError } from "../service-error.js";
import { throttledLog } from "../throttled-log.js";
import { connectRedis } from "../redis-connect.js";
import { JsonText } from "../../runner/json-text.js";
import { DEAD_LETTER_TTL_MS, FINAL_CODES, IDEMPOTENCY_TTL_MS, keptValue, SUCCEEDED_TTL_MS } from "./retry-policy.js";
import { TICK_GRACE_MS, type QueueTick, type Schedule, type TenantSchedules } from "./schedule-ticker.js";

/**
 * One handler's job as BullMQ keeps it: what an attempt needs, but its number (BullMQ counts attempts).
 * Every event keeps its payload and context once, in the delivery's record (`sharedInput`), never in a job:
 * a 1 MB body with 32 handlers would be 32 MB of Redis, and BullMQ parses a job's whole data on the
 * service's main thread wherever it reads the job (reports, dead letters, /metrics), not only for an attempt.
 * Jobs stored before kept a single handler's payload in their data (no `sharedInput`); they still run.
 */
/** What a handler's BullMQ job holds: the attempt's number and start are BullMQ's own (its lock is the fencing token). */
type HandlerJobData = Omit<TakenJob, "attempt" | "startedAt"> & { sharedInput?: true };

/**
 * An attempt's result as BullMQ keeps it (the job's return value, which BullMQ parses whenever it reads the
 * job): the handler's value as its JSON text in a string, so that parse builds one string, never the
 * tenant's objects (invariant 8). `value`: a result kept before values were kept as text.
 */
type StoredAttempt = Omit<AttemptResult, "value"> & { valueText?: string; value?: unknown };

/** The delivery record's fields the service reads (never its payload, which may be large). */
const RECORD_FIELDS = ["tenant", "event", "source", "createdAt", "handlers", "stored", "failed", "fingerprint"] as const;
type DeliveryRecord = Partial<Record<(typeof RECORD_FIELDS)[number], string>>;

export interface BullmqDeliveryOptions {
  redisUrl: string;
  /** What every key starts with (the service's Redis key prefix). */
  keyPrefix: string;
  now: () => number;
  /** The tenants whose queues this node works on, with the attempts each may run here at once. */
  tenants: () => Iterable<{ id: string; concurrency: number }>;
  retryBaseMs?: number;
  /** How long a worker's hold on a job lasts without renewal: a node that died gives its jobs back after about this. Default 15 s. */
  leaseMs?: number;
  log: (message: string, error: unknown) => void;
  onAttempt?: (tenant: string, outcome: string) => void;
}

/** A schedule's tick as its job scheduler makes it. */
interface TickJobData {
  tenant: string;
  cron: string;
}

/** The queue of every tenant's schedule ticks: its job schedulers make one job per tick, taken by one worker of one node. */
const TICKS_QUEUE = "schedules";

/** An event under an Idempotency-Key not marked stored this long after its claim is stored again (its storing stopped). */
const STALE_CLAIM_MS = 30_000;

/**
 * Claims an Idempotency-Key (KEYS[1]) for a new delivery id (ARGV[1]) and writes the delivery's record
 * (KEYS[2], fields ARGV[4..]) in one step; answers the earlier id when the key is claimed already.
 */
const CLAIM_KEY = `
local earlier = redis.call('GET', KEYS[1])
if earlier then return earlier end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('HSET', KEYS[2], unpack(ARGV, 4))
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return false`;

/** The connection options of requests to Redis (not the workers'): a Redis away or stuck fails them in a moment. */
const COMMANDS = { maxRetriesPerRequest: 1, commandTimeout: 5_000 };

/** BullMQ copies each job's result into the queue's event stream (10,000 by default); nothing here reads it. */
const EVENT_STREAM = { events: { maxLen: 100 } };

/** How long close() waits for workers that cannot reach Redis. */
const CLOSE_WAIT_MS = 5_000;

const STATE_OF: Record<string, JobState> = {
  completed: "succeeded",
  failed: "failed",
  active: "running",
};

/**
 * Queued events on BullMQ (with `--redis`): one queue per tenant, a worker for each on every node (so one
 * tenant's backlog never stands in front of another's: each queue is served on its own), one job per
 * handler with BullMQ's attempts and exponential backoff with jitter; failures that cannot change end the
 * job at once (UnrecoverableError); an attempt that cannot start (no free slot, the day's quota) is
 * delayed without using an attempt. A node that dies mid-attempt leaves a stalled job that another node's
 * worker takes back (at least once). The delivery's ids, its Idempotency-Key and the tenant's dead letters
 * are Redis keys of the service's prefix.
 */
export class BullmqDelivery implements DeliveryEngine {
  readonly name = "bullmq";
  private readonly redis: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  /** The attempts running on this process (each settles within its execution's time limit): close() waits for them. */
  private readonly inFlight = new Set<Promise<void>>();
  /** The schedules in force, as the last round read them (tenant -> cron -> schedule). */
  private schedules = new Map<string, Map<string, Schedule>>();
  /** Tenants whose manifest the last round could not read (their schedulers are left as they are). */
  private unread = new Set<string>();
  private ticksQueue?: Queue;
  private queueTick?: QueueTick;
  private readonly connections: Redis[] = [];
  private readonly prefix: string;
  /** A Redis that is away is said once a minute, not on every reconnect attempt. */
  private readonly connectionError: (error: unknown) => void;

  constructor(private readonly options: BullmqDeliveryOptions) {
    // Requests (enqueue, reports) give up after one reconnect attempt, or 5 s without an answer, so a
    // Redis that is away or stuck answers 503 instead of holding the request. The workers have their own.
    this.redis = new Redis(options.redisUrl, { ...COMMANDS, lazyConnect: true });
    this.connectionError = throttledLog(options.log, "the event queue cannot reach Redis");
    this.redis.on("error", this.connectionError);
    this.prefix = `${options.keyPrefix}:events`;
  }

  private queue(tenant: string): Queue {
    let queue = this.queues.get(tenant);
    if (!queue) {
      queue = this.newQueue(`t-${tenant}`, (failed) => this.queues.get(tenant) === failed && this.queues.delete(tenant));
      this.queues.set(tenant, queue);
    }
    return queue;
  }

  /**
   * A queue on the requests' connection. BullMQ keeps the outcome of a queue's first set-up, failure
   * included: a queue whose set-up failed (Redis away or stuck at that moment) is forgotten, so the next
   * request makes a new one instead of failing until a restart.
   */
  private newQueue(name: string, forget: (queue: Queue) => void): Queue {
    const queue = new Queue(name, { connection: this.redis, prefix: `${this.prefix}:bull`, streams: EVENT_STREAM });
    queue.on("error", this.connectionError);
    queue.waitUntilReady().catch(() => {
      forget(queue);
      void queue.close().catch(() => {});
    });
    return queue;
  }

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(":");
  }

  /**
   * Stores the event's handler jobs under a fresh id. With an Idempotency-Key, the key is claimed for the
   * new id and the delivery's record written in one step (a script). An earlier claim whose event was
   * stored answers as a duplicate; one still being stored asks the caller to try again. One whose storing
   * failed (a 503 was answered) or stopped (its record never marked stored after STALE_CLAIM_MS) is stored
   * again under its own id: jobs of it that reached the queue anyway are the same jobs (BullMQ ignores a job
   * id it holds), so a key never queues a handler twice. The record is marked stored only once every job
   * is in the queue, so a duplicate is never answered for jobs that are not there.
   */
  async enqueue(input: NewEvent): Promise<KeyedAnswer & { duplicate: boolean }> {
    let id: string = randomUUID();
    const now = this.options.now();
    const record = ["tenant", input.tenant, "event", input.event, "source", input.source, "createdAt", String(now), "handlers", String(input.handlers.length)];
    if (input.fingerprint !== undefined) record.push("fingerprint", input.fingerprint);
    // In the record even for one handler (red team dec09: a page of 500 dead letters of single-handler events
    // with ~1 MB payloads parsed every payload to list names and errors, 3 s of the main thread per request).
    record.push("payload", JSON.stringify(input.payload ?? null), "context", JSON.stringify(input.context ?? null));
    const metaTtl = DEAD_LETTER_TTL_MS + SUCCEEDED_TTL_MS;
    const idemKey = input.idempotencyKey === null ? undefined : this.key("idem", input.tenant, sha(input.idempotencyKey));
    if (idemKey === undefined) {
      await this.redis.multi().hset(this.key("delivery", id), ...record).pexpire(this.key("delivery", id), metaTtl).exec();
    } else {
      const earlier = (await this.redis.eval(CLAIM_KEY, 2, idemKey, this.key("delivery", id), id, IDEMPOTENCY_TTL_MS, metaTtl, ...record)) as string | null;
      if (earlier !== null) {
        const meta = await this.record(earlier);
        const stored = storedAnswer(earlier, input.tenant, meta);
        if (stored) return { ...stored, duplicate: true };
        const unfinished = meta.tenant === undefined || meta.failed === "1" || now - Number(meta.createdAt) > STALE_CLAIM_MS;
        // The client's own race (documented: a 503, try again), not a failure of the service's to log with its stack.
        if (!unfinished) throw new ServiceError("UNAVAILABLE", "an earlier event with this Idempotency-Key is still being stored; try again shortly", 1000);
        id = earlier;
        const metaKey = this.key("delivery", id);
        await this.redis.multi().hset(metaKey, ...record).hdel(metaKey, "failed").pexpire(metaKey, metaTtl).exec();
      }
    }
    const metaKey = this.key("delivery", id);
    const backoff = { type: "exponential" as const, delay: this.options.retryBaseMs ?? 1000, jitter: 0.5 };
    try {
      await this.queue(input.tenant).addBulk(
        input.handlers.map((h, index) => ({
          name: input.event,
          data: {
            deliveryId: id,
            index,
            tenant: input.tenant,
            event: input.event,
            file: h.file,
            funcName: h.funcName,
            payload: null,
            context: null,
            sharedInput: true,
            user: input.user,
            permissions: input.permissions,
            maxAttempts: input.maxAttempts,
          } satisfies HandlerJobData,
          opts: {
            jobId: `${id}_${index}`,
            attempts: input.maxAttempts,
            backoff,
            removeOnComplete: { age: SUCCEEDED_TTL_MS / 1000 },
            removeOnFail: { age: DEAD_LETTER_TTL_MS / 1000 },
          },
        })),
      );
      // Only a key's later repeats read the mark (a repeat must not answer for jobs not yet queued).
      if (idemKey !== undefined) await this.redis.hset(metaKey, "stored", "1");
    } catch (error) {
      // Not acknowledged: the caller's retry with the key stores this same event again at once (best
      // effort; else after STALE_CLAIM_MS).
      if (idemKey !== undefined) await this.redis.hset(metaKey, "failed", "1").catch(() => {});
      throw error;
    }
    return { id, event: input.event, handlers: input.handlers.length, duplicate: false };
  }

  private async record(id: string): Promise<DeliveryRecord> {
    const values = await this.redis.hmget(this.key("delivery", id), ...RECORD_FIELDS);
    const record: DeliveryRecord = {};
    RECORD_FIELDS.forEach((field, i) => {
      if (values[i] !== null) record[field] = values[i]!;
    });
    return record;
  }

  async report(tenant: string, id: string): Promise<DeliveryReport | undefined> {
    const meta = await this.record(id);
    if (meta.tenant !== tenant) return undefined;
    const queue = this.queue(tenant);
    const handlers: JobView[] = [];
    for (let index = 0; index < Number(meta.handlers); index++) {
      const job = await queue.getJob(`${id}_${index}`);
      if (job) handlers.push(await viewOf(queue, job));
    }
    const source = meta.source === "schedule" ? "schedule" : "api";
    return { id, event: meta.event!, source, createdAt: Number(meta.createdAt), handlers, state: overallState(handlers), attempts: handlers.reduce((sum, h) => sum + h.attempts, 0) };
  }

  async keyed(tenant: string, key: string): Promise<KeyedAnswer | undefined> {
    const id = await this.redis.get(this.key("idem", tenant, sha(key)));
    return id === null ? undefined : storedAnswer(id, tenant, await this.record(id));
  }

  async backlog(tenant: string): Promise<number> {
    const c = await this.queue(tenant).getJobCounts("wait", "prioritized", "delayed", "active", "waiting-children");
    return Object.values(c).reduce((sum, n) => sum + (n ?? 0), 0);
  }

  async deadLetters(tenant: string, limit: number, before?: number): Promise<DeadLetter[]> {
    const key = this.key("dead", tenant);
    await this.redis.zremrangebyscore(key, "-inf", this.options.now() - DEAD_LETTER_TTL_MS);
    const ids = await this.redis.zrevrangebyscore(key, before === undefined ? "+inf" : `(${before}`, "-inf", "LIMIT", 0, limit);
    const letters: DeadLetter[] = [];
    for (const jobId of ids) {
      const job = await this.queue(tenant).getJob(jobId);
      if (!job || (await job.getState()) !== "failed") continue;
      const view = await viewOf(this.queue(tenant), job);
      const data = job.data as HandlerJobData;
      letters.push({ id: data.deliveryId, event: data.event, file: data.file, funcName: data.funcName, attempts: view.attempts, failedAt: job.finishedOn ?? 0, lastResult: view.lastResult });
    }
    return letters;
  }

  async retry(tenant: string, id: string): Promise<number | undefined> {
    const meta = await this.record(id);
    if (meta.tenant !== tenant) return undefined;
    let count = 0;
    for (let index = 0; index < Number(meta.handlers); index++) {
      const job = await this.queue(tenant).getJob(`${id}_${index}`);
      if (!job || (await job.getState()) !== "failed") continue;
      await job.retry("failed", { resetAttemptsMade: true, resetAttemptsStarted: true });
      await this.redis.zrem(this.key("dead", tenant), job.id!);
      count++;
    }
    return count;
  }

  /** For `tenantbox jobs`: the tenant's jobs, or every tenant's whose queue exists under the prefix. */
  async list(filter: JobFilter): Promise<JobListing[]> {
    await this.connected();
    const tenants = filter.tenant !== undefined ? [filter.tenant] : await this.queuedTenants();
    const found: JobListing[] = [];
    for (const tenant of tenants) {
      const jobs = await this.queue(tenant).getJobs(filter.failed ? ["failed"] : ["active", "wait", "prioritized", "delayed", "completed", "failed"], 0, filter.limit - 1);
      for (const job of jobs) {
        const view = await viewOf(this.queue(tenant), job);
        const data = job.data as HandlerJobData;
        found.push({ ...view, id: data.deliveryId, tenant, event: data.event, queuedAt: job.timestamp, finishedAt: job.finishedOn ?? null });
      }
    }
    return found.sort((a, b) => (b.finishedAt ?? b.queuedAt) - (a.finishedAt ?? a.queuedAt)).slice(0, filter.limit);
  }

  private async connected(): Promise<void> {
    if (this.redis.status === "wait") await connectRedis(this.redis);
  }

  private async queuedTenants(): Promise<string[]> {
    const tenants = new Set<string>();
    const pattern = `${this.prefix}:bull:t-*:meta`;
    let cursor = "0";
    do {
      const [next, keys] = await this.redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
      cursor = next;
      for (const key of keys) tenants.add(key.slice(`${this.prefix}:bull:t-`.length, -":meta".length));
    } while (cursor !== "0");
    return [...tenants].sort();
  }

  async counts(): Promise<{ states: Record<JobState, number>; oldestWaitingMs: number }> {
    const states: Record<JobState, number> = { queued: 0, running: 0, succeeded: 0, failed: 0 };
    let oldest = Infinity;
    for (const { id } of this.options.tenants()) {
      const queue = this.queue(id);
      const c = await queue.getJobCounts("wait", "prioritized", "delayed", "active", "completed", "failed");
      states.queued += (c.wait ?? 0) + (c.prioritized ?? 0) + (c.delayed ?? 0);
      states.running += c.active ?? 0;
      states.succeeded += c.completed ?? 0;
      states.failed += c.failed ?? 0;
      const [first] = await queue.getJobs(["wait"], 0, 0, true);
      if (first) oldest = Math.min(oldest, first.timestamp);
    }
    return { states, oldestWaitingMs: Number.isFinite(oldest) ? Math.max(0, this.options.now() - oldest) : 0 };
  }

  async start(run: (job: TakenJob) => Promise<AttemptOutcome>): Promise<void> {
    await this.redis.connect();
    for (const { id, concurrency } of this.options.tenants()) {
      const connection = this.workerConnection();
      connection.on("error", this.connectionError);
      this.connections.push(connection);
      const worker = new Worker(`t-${id}`, (job, token) => this.attempt(job, token, run), {
        connection,
        prefix: `${this.prefix}:bull`,
        concurrency,
        lockDuration: this.options.leaseMs ?? 15_000,
        stalledInterval: this.options.leaseMs ?? 15_000,
      });
      worker.on("failed", (job) => void this.onFailed(job));
      worker.on("error", (error) => this.options.log("the event queue's worker failed", error));
      this.workers.push(worker);
    }
  }

  /**
   * Keeps one BullMQ job scheduler per schedule in force (id "<tenant> <cron>", the cron in UTC), so each
   * tick is one job in Redis whichever nodes run: schedules new in the manifests are added, those gone are
   * removed. A tenant whose manifest could not be read this round is left as Redis has it (neither added
   * back nor removed: another node may have read a newer manifest). A tick's job queues the schedule's
   * handlers as a delivery (an Idempotency-Key naming the schedule and the minute) on whichever node takes it.
   */
  async keepSchedules(read: TenantSchedules[], queueTick: QueueTick): Promise<void> {
    this.queueTick = queueTick;
    const wanted = new Map<string, TickJobData>();
    const unread = new Set<string>();
    const known = new Map<string, Map<string, Schedule>>();
    for (const { tenant, schedules } of read) {
      if (schedules === undefined) {
        unread.add(tenant);
        // Its ticks still run with the handlers last read here; a node that never read them lets another take them.
        const last = this.schedules.get(tenant);
        if (last) known.set(tenant, last);
        continue;
      }
      known.set(tenant, new Map(schedules.map((s) => [s.cron, s])));
      for (const { cron } of schedules) wanted.set(`${tenant} ${cron}`, { tenant, cron });
    }
    this.schedules = known;
    this.unread = unread;
    const queue = this.ticks();
    const now = Date.now();
    for (const existing of await queue.getJobSchedulers(0, -1)) {
      const id = existing.key;
      if (unread.has(id.slice(0, id.indexOf(" ")))) continue;
      const want = wanted.get(id);
      // A scheduler whose next tick is long past is stuck (its next time could not be computed): made again.
      const stuck = existing.next !== undefined && existing.next < now - TICK_GRACE_MS;
      if (want && existing.pattern === want.cron && existing.tz === "UTC" && !stuck) wanted.delete(id);
      else if (!want) await queue.removeJobScheduler(id);
    }
    for (const [id, data] of wanted) {
      await queue.upsertJobScheduler(id, { pattern: data.cron, tz: "UTC" }, {
        name: "tick",
        data,
        // A tick that could not be queued (Redis or the database away a moment, a node that has not read
        // the manifest) is tried again, on any node, within the grace.
        opts: { attempts: 5, backoff: { type: "exponential", delay: 1000 }, removeOnComplete: true, removeOnFail: { count: 100 } },
      });
    }
    if (!this.workers.some((w) => w.name === TICKS_QUEUE)) this.startTicksWorker();
  }

  /** The ticks' queue (on the requests' connection: a round with Redis away fails in a moment, so it never holds up a shutdown). */
  private ticks(): Queue {
    this.ticksQueue ??= this.newQueue(TICKS_QUEUE, (failed) => {
      if (this.ticksQueue === failed) this.ticksQueue = undefined;
    });
    return this.ticksQueue;
  }

  /** BullMQ's workers block on their connections: they need retries without a per-request limit or timeout. */
  private workerConnection(): Redis {
    return new Redis(this.options.redisUrl, { maxRetriesPerRequest: null });
  }

  /** Takes the ticks' jobs on this node (after its first reading of the schedules). */
  private startTicksWorker(): void {
    const connection = this.workerConnection();
    connection.on("error", this.connectionError);
    this.connections.push(connection);
    const worker = new Worker(TICKS_QUEUE, (job) => this.runTick(job), { connection, prefix: `${this.prefix}:bull`, concurrency: 4 });
    worker.on("error", (error) => this.options.log("the schedules' worker failed", error));
    this.workers.push(worker);
  }

  /**
   * One tick: its handlers queued as a delivery; nothing when the tick is long past (every node was down)
   * or this node read the tenant's manifest this round and the schedule is no longer in it. A node that
   * does not know the tenant's schedules fails the attempt, and the job is retried, on any node.
   */
  private async runTick(job: Job): Promise<void> {
    const { tenant, cron } = job.data as TickJobData;
    const at = job.opts.prevMillis ?? job.timestamp;
    if (Date.now() - at > TICK_GRACE_MS) return;
    const schedules = this.schedules.get(tenant);
    const schedule = schedules?.get(cron);
    if (!schedule) {
      if (schedules && !this.unread.has(tenant)) return;
      throw new Error(`this node has not read the schedules of tenant "${tenant}"`);
    }
    if (schedule.handlers.length > 0) await this.queueTick!(tenant, { cron, at, handlers: schedule.handlers });
  }

  /** Lets the attempts in flight finish; with Redis away, gives up waiting after a few seconds (their jobs stall and come back). */
  async close(): Promise<void> {
    const queues = [...this.queues.values(), ...(this.ticksQueue ? [this.ticksQueue] : [])];
    const closing = Promise.allSettled([...this.workers.map((w) => w.close()), ...queues.map((q) => q.close())]);
    // The attempts in flight end first (each within its time limit), however long: the wait below is for a
    // Redis that does not answer, and cutting off an attempt still running left its job active in Redis, run
    // again once its lock ran out (its handler twice, its execution counted twice) after a clean SIGTERM.
    await Promise.allSettled([...this.inFlight]);
    const gaveUp = await Promise.race([closing.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), CLOSE_WAIT_MS).unref())]);
    if (gaveUp) for (const worker of this.workers) void worker.close(true).catch(() => {});
    for (const connection of [this.redis, ...this.connections]) connection.disconnect();
  }

  /** One attempt: its result is the job's return value, or its failure's reason (JSON), so the last result stays structured. */
  private async attempt(job: Job, token: string | undefined, run: (job: TakenJob) => Promise<AttemptOutcome>): Promise<StoredAttempt> {
    const { sharedInput, ...data } = job.data as HandlerJobData;
    const attempt = job.attemptsMade + 1;
    if (sharedInput) {
      const [payload, context] = await this.redis.hmget(this.key("delivery", data.deliveryId), "payload", "context");
      if (payload === null || context === null) throw new Error(JSON.stringify({ success: false, error: { code: "INTERNAL_ERROR", message: "the event's payload is no longer stored" }, durationMs: 0, attempt, at: this.options.now() }));
      data.payload = JSON.parse(payload);
      data.context = JSON.parse(context);
    }
    const running = run({ ...data, attempt, startedAt: job.processedOn ?? this.options.now(), maxAttempts: data.maxAttempts });
    const settled = running.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
    const outcome = await running;
    const at = this.options.now();
    if (!outcome.ran) {
      this.options.onAttempt?.(data.tenant, "postponed");
      // BullMQ counts in Redis's time: the wait, not the service clock's instant.
      await job.moveToDelayed(Date.now() + Math.max(50, outcome.until - at), token);
      throw new DelayedError();
    }
    const result: AttemptResult = { success: outcome.success, durationMs: outcome.durationMs, attempt, at };
    this.options.onAttempt?.(data.tenant, outcome.success ? "ok" : (outcome.error?.code ?? "error"));
    if (outcome.success) {
      const kept = keptValue(outcome.value);
      return "value" in kept ? { ...result, valueText: kept.value.text } : { ...result, ...kept };
    }
    result.error = outcome.error ?? { code: "INTERNAL_ERROR", message: "the attempt failed" };
    const reason = JSON.stringify(result);
    throw FINAL_CODES.has(result.error.code) ? new UnrecoverableError(reason) : new Error(reason);
  }

  /** A job that failed for good becomes one of the tenant's dead letters. */
  private async onFailed(job: Job | undefined): Promise<void> {
    try {
      if (!job || (await job.getState()) !== "failed") return;
      const data = job.data as HandlerJobData;
      await this.redis.zadd(this.key("dead", data.tenant), job.finishedOn ?? this.options.now(), job.id!);
    } catch (error) {
      this.options.log("could not record a dead letter", error);
    }
  }
}

async function viewOf(queue: Queue, read: Job): Promise<JobView> {
  const state = STATE_OF[await read.getState()] ?? "queued";
  // Read before its state, a job that finished in between lacks its result: read again.
  const job = (state === "succeeded" || state === "failed") && read.finishedOn === undefined ? ((await Job.fromId(queue, read.id!)) ?? read) : read;
  const data = job.data as HandlerJobData;
  let lastResult: AttemptResult | null = null;
  if (state === "succeeded") lastResult = job.returnvalue ? attemptOf(job.returnvalue as StoredAttempt) : null;
  else if (job.failedReason) {
    try {
      lastResult = JSON.parse(job.failedReason) as AttemptResult;
    } catch {
      lastResult = { success: false, error: { code: "INTERNAL_ERROR", message: job.failedReason.slice(0, 500) }, durationMs: 0, attempt: job.attemptsMade, at: job.finishedOn ?? 0 };
    }
  }
  const attempts = lastResult?.attempt ?? job.attemptsMade;
  const delayedUntil = state === "queued" && job.delay > 0 ? job.timestamp + job.delay : null;
  return { index: data.index, file: data.file, funcName: data.funcName, state, attempts, maxAttempts: data.maxAttempts, nextAttemptAt: delayedUntil, lastResult };
}

/** A kept result as the reports give it: the value as JsonText, last, where it always was. */
function attemptOf({ valueText, value, ...fields }: StoredAttempt): AttemptResult {
  if (valueText !== undefined) return { ...fields, value: new JsonText(valueText) };
  // Kept before values were kept as text (BullMQ parsed it already): at most MAX_KEPT_VALUE_BYTES, for a day.
  return value === undefined ? fields : { ...fields, value: new JsonText(JSON.stringify(value)) };
}

/** A key's earlier event as its repeats are answered: only the tenant's own, and only once its jobs are all queued. */
function storedAnswer(id: string, tenant: string, meta: DeliveryRecord): KeyedAnswer | undefined {
  if (meta.tenant !== tenant || meta.stored !== "1") return undefined;
  return { id, event: meta.event!, handlers: Number(meta.handlers), ...(meta.fingerprint === undefined ? {} : { fingerprint: meta.fingerprint }) };
}

function sha(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
