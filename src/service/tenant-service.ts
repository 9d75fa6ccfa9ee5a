import { createHash } from "node:crypto";
import path from "node:path";
import { RuntimeError } from "../errors.js";
import type { ErrorInfo } from "../errors.js";
import { hookResult, refusedHook, type ExecuteResult, type HookResult, type IsolatedRuntime } from "../isolated-runtime.js";
import { mapLimited } from "../map-limited.js";
import type { ModuleInfo } from "../loader/module-graph.js";
import { fileIssue, type ValidationResult } from "../loader/issues.js";
import { Admission } from "./admission.js";
import { requestFingerprint } from "./delivery/request-fingerprint.js";
import type { AuditLog, AuditRow } from "./audit-log.js";
import type { Caller } from "./caller.js";
import type { ServiceConfig, TenantConfig } from "./config.js";
import { ExecutionRecorder, type ExecutionSubject } from "./execution-recorder.js";
import type { ServiceMetrics } from "./metrics.js";
import { refusalError, RUNTIME_REFUSALS, runtimeRefusal, ServiceError } from "./service-error.js";
import { ServiceParts, type ServiceOptions } from "./service-parts.js";
import type { ToolDefinition, ToolUsage } from "./service-tools.js";
import { callLimits } from "./tenant-limits.js";
import type { Quotas } from "./tiers.js";
import type { UsageReport } from "./usage-limiter.js";
import type { DeadLetter, TakenJob } from "./delivery/delivery-store.js";
import type { AttemptOutcome, DeliveryReport } from "./delivery/delivery-engine.js";
import { FINAL_CODES } from "./delivery/retry-policy.js";
import { ScheduleTicker } from "./delivery/schedule-ticker.js";
import { BacklogGate } from "./delivery/backlog-gate.js";
import { throttledLog } from "./throttled-log.js";
import { JsonText } from "../runner/json-text.js";
import type { HookTarget } from "../registry/manifest.js";

export type { ServiceOptions } from "./service-parts.js";

/** The 202 answer to a queued event: its id, the event, and how many handler jobs were queued. */
export interface QueuedEvent {
  /** Null when no handler listens to the event: nothing was stored, nothing will run. */
  id: string | null;
  event: string;
  handlers: number;
  /** True when an Idempotency-Key matched an earlier event: this is its answer, nothing new was queued. */
  duplicate: boolean;
}

/**
 * /v1/validate and /v1/modules parse code on the service's main thread without running it (so without an
 * execution to count): they get a rate limit of their own per tenant.
 */
export const INSPECT_RATE = { points: 60, duration: 60 } as const;

/** The most dead letters of one millisecond a page holds (a page that is all one millisecond holds all of them). */
const MAX_DEAD_LETTERS_IN_ONE_MS = 10_000;

/** A request body for POST /v1/run. */
export interface RunBody {
  file: string;
  funcName: string;
  args?: unknown[];
  context?: unknown;
}

/** An execution's report and, when a tool call was refused with a wait, how long to wait. */
export interface Outcome<T> {
  result: T;
  retryAfterMs?: number;
}

export interface UsageAnswer extends UsageReport {
  tenant: string;
  tier: string;
  quotas: Quotas;
  /** Stored JSON of the tenant's documents against its maxStoredDataMB. */
  storage: { usedBytes: number; limitBytes: number };
}

/** The runtime's request fields an admitted execution starts from: the tenant's limits, folder and tool meta, the client's signal. */
type ExecutionBase = ReturnType<typeof callLimits> & { folder: string; meta: unknown; signal?: AbortSignal };

/**
 * The multi-tenant service without its HTTP layer: who is calling (tokens), what they may do (tenant
 * config, permissions, quotas, rate limits), running it (one runtime per memory class), and what happened
 * (audit log, metrics). Tenants never grant themselves anything: policy comes only from the config.
 */
export class TenantService {
  readonly config: ServiceConfig;
  readonly metrics: ServiceMetrics;
  private readonly parts: ServiceParts;
  private readonly admission: Admission;
  private readonly recorder: ExecutionRecorder;
  private readonly ticker: ScheduleTicker;
  private readonly backlog: BacklogGate;
  private readonly tickSkipped: (error: unknown) => void;
  private closing: Promise<void> | undefined;

  constructor(options: ServiceOptions) {
    const parts = new ServiceParts(options);
    this.parts = parts;
    this.config = parts.config;
    this.metrics = parts.metrics;
    this.admission = new Admission(parts.limiter);
    this.recorder = new ExecutionRecorder(parts.audit, parts.metrics, parts.now, parts.log);
    this.backlog = new BacklogGate((tenant, atMost) => parts.delivery.backlog(tenant, atMost), parts.now);
    this.tickSkipped = throttledLog(parts.log, "a schedule skipped a tick: its tenant's queued events are at maxQueuedEvents");
    this.ticker = new ScheduleTicker({
      tenants: () => this.config.tenants.values(),
      schedulesOf: (tenant) => parts.runtimes.of(tenant).schedules(this.folderOf(tenant)),
      apply: (read) => parts.delivery.keepSchedules(read, (tenant, tick) => this.queueTick(tenant, tick)),
      log: parts.log,
      ...(options.scheduleCheckMs !== undefined ? { everyMs: options.scheduleCheckMs } : {}),
    });
  }

  /** Restores today's quota counters, waits for the pools (see ServiceParts.start), then starts delivering queued events. */
  async start(): Promise<void> {
    await this.parts.start();
    await this.parts.delivery.start((job) => this.runQueuedAttempt(job));
    this.ticker.start();
  }

  /** Registers a platform tool; tenants call it with `callTool(name, args)` when their config enables and grants it. */
  tool(name: string, definition: ToolDefinition): this {
    this.parts.tools.register(name, definition);
    return this;
  }

  /** The caller's identity and tenant: 401 for a bad token, 403 for a tenant the config does not list. */
  async authenticate(authorization: string | undefined): Promise<Caller> {
    const principal = await this.parts.auth.verify(authorization);
    const tenant = this.config.tenants.get(principal.tenantId);
    if (!tenant) throw new ServiceError("FORBIDDEN", "unknown tenant");
    return { principal, tenant };
  }

  /** One request of the tenant's request rate limit (429 RATE_LIMITED when it is used up). */
  async takeRequest(tenant: TenantConfig): Promise<void> {
    if (tenant.rateLimit) await this.parts.limiter.takeRate(`requests:${tenant.id}`, tenant.rateLimit);
  }

  /** `signal`: aborted (the client went away), the call ends CANCELLED and gives its worker and slot back. */
  run(caller: Caller, body: RunBody, signal?: AbortSignal): Promise<Outcome<ExecuteResult>> {
    const { file, funcName, args = [], context = null } = body;
    return this.runAdmitted(
      caller,
      { kind: "run", file, funcName },
      // rawValue: the value goes into the reply as its JSON text, never parsed here (http-replies.ts).
      (base) => this.parts.runtimes.of(caller.tenant).execute({ ...base, file, funcName, args, context, rawValue: true }),
      signal,
    );
  }

  executeCode(caller: Caller, code: string, context: unknown = null, signal?: AbortSignal): Promise<Outcome<ExecuteResult>> {
    this.checkCodeSize(caller.tenant, code);
    const codeHash = createHash("sha256").update(code).digest("hex");
    return this.runAdmitted(caller, { kind: "execute", codeHash }, (base) => this.parts.runtimes.of(caller.tenant).executeCode({ ...base, code, context, rawValue: true }), signal);
  }

  /**
   * Runs the event's handlers, each one execution of the quota with its own audit row, as many at once as
   * the tenant has free slots (and the pool has workers). Handlers the pool refuses (queue full, closing)
   * cost nothing; when it refuses all of them the answer is a 503.
   */
  async emit(caller: Caller, event: string, payload: unknown, context?: unknown, signal?: AbortSignal): Promise<Outcome<HookResult[]>> {
    const { tenant } = caller;
    const runtime = this.parts.runtimes.of(tenant);
    const folder = this.folderOf(tenant);
    // One snapshot: the handlers counted against the quota are the handlers that run.
    const targets = await this.registryCall(() => runtime.handlers(event, folder));
    if (targets.length === 0) return { result: [] };
    // What the runtime would refuse for every handler (a 400, as /v1/run's), refused before it is charged; the
    // JSON made here is every handler's (red team dec09: serialized per handler, 32 handlers of a 750 KB payload
    // held the main thread 150-250 ms per event).
    const input = serializable(payload, context);
    await this.parts.store.ready();
    return this.admission.admit(tenant, targets.length, async (slots) => {
      let retryAfterMs: number | undefined;
      const refused: ErrorInfo[] = [];
      const lanes = Math.min(slots, runtime.load().capacity);
      const results = await mapLimited(targets, lanes, async (target): Promise<HookResult> => {
        let ran: { result: ExecuteResult; usage: ToolUsage };
        try {
          ran = await this.parts.tools.metered(caller, (meta) =>
            runtime.execute({ ...callLimits(tenant.quotas), ...target, folder, serialized: input, meta, rawValue: true, signal }),
          );
        } catch (error) {
          if (!(error instanceof RuntimeError)) throw error;
          refused.push(error.toInfo());
          return refusedHook(target, error);
        }
        if (ran.usage.retryAfterMs !== undefined) retryAfterMs = Math.max(retryAfterMs ?? 0, ran.usage.retryAfterMs);
        await this.recorder.record(caller, { kind: "event", event, ...target }, ran.result, ran.usage);
        return hookResult(target, ran.result);
      });
      if (refused.length > 0) {
        await this.admission.giveBack(tenant, refused.length);
        if (refused.length === targets.length) throw refusalError(RUNTIME_REFUSALS[refused[0]!.code] ?? RUNTIME_REFUSALS.QUEUE_FULL!);
      }
      return retryAfterMs !== undefined ? { result: results, retryAfterMs } : { result: results };
    });
  }

  /**
   * `"delivery": "queued"`: stores one job per handler (from one reading of the manifest) and answers once
   * they are stored; each runs later as an execution of its own, retried on transient failures. With an
   * Idempotency-Key the tenant used in the last 24 h, the first answer, and nothing new is queued.
   */
  async emitQueued(caller: Caller, event: string, payload: unknown, context: unknown, idempotencyKey: string | null): Promise<QueuedEvent> {
    const { tenant, principal } = caller;
    const runtime = this.parts.runtimes.of(tenant);
    const targets = await this.registryCall(() => runtime.handlers(event, this.folderOf(tenant)));
    // Nothing would ever read it: an event without handlers is not stored (it would cost the disk and no quota).
    if (targets.length === 0) return { id: null, event, handlers: 0, duplicate: false };
    serializable(payload, context);
    await this.parts.store.ready();
    // Only a key's repeats are compared with the request they repeat.
    const fingerprint = idempotencyKey === null ? undefined : fingerprintOf(event, payload, context);
    let answer: QueuedEvent & { fingerprint?: string };
    try {
      const repeat = await this.roomForQueued(tenant, targets.length, idempotencyKey);
      answer = repeat ?? await this.parts.delivery.enqueue({
        tenant: tenant.id,
        event,
        payload: payload ?? null,
        context: context ?? null,
        user: principal.user,
        permissions: principal.permissions,
        idempotencyKey,
        ...(fingerprint === undefined ? {} : { fingerprint }),
        source: "api",
        handlers: targets.map(({ file, funcName }) => ({ file, funcName })),
        maxAttempts: tenant.quotas.maxDeliveryAttempts,
      });
    } catch (error) {
      if (error instanceof ServiceError) throw error;
      // Nothing is acknowledged that was not stored.
      this.parts.log("could not store a queued event", error);
      throw new ServiceError("UNAVAILABLE", "the event could not be stored; try again shortly", 1000);
    }
    const { fingerprint: first, ...queued } = answer;
    // A key used again for another request: its first answer would hide that this one was never queued.
    if (queued.duplicate && first !== undefined && first !== fingerprint) {
      throw new ServiceError("IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used in the last 24 h for another request (event, payload or context); use a new key");
    }
    return queued;
  }

  /**
   * Room in the tenant's backlog (maxQueuedEvents) for `jobs` more, or 429 TOO_MANY_QUEUED; a repeat of an
   * event already stored gets its answer (returned) even while the backlog is full.
   */
  private async roomForQueued(tenant: TenantConfig, jobs: number, idempotencyKey: string | null): Promise<(QueuedEvent & { fingerprint?: string }) | undefined> {
    try {
      await this.backlog.admit(tenant.id, jobs, tenant.quotas.maxQueuedEvents);
      return undefined;
    } catch (error) {
      const first = error instanceof ServiceError && idempotencyKey !== null ? await this.parts.delivery.keyed(tenant.id, idempotencyKey) : undefined;
      if (first) return { ...first, duplicate: true };
      throw error;
    }
  }

  /** One tick of a schedule, queued once whichever process or round saw it first (its key names the schedule and minute). */
  private async queueTick(tenantId: string, tick: { cron: string; at: number; handlers: HookTarget[] }): Promise<void> {
    const tenant = this.config.tenants.get(tenantId);
    if (!tenant) return; // gone from the config since the schedules were read
    try {
      await this.backlog.admit(tenant.id, tick.handlers.length, tenant.quotas.maxQueuedEvents);
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      // A backlog at its limit skips the tick (said once a minute): ticks would pile up behind it without end.
      this.tickSkipped(new Error(`tenant "${tenant.id}", schedule "${tick.cron}"`));
      return;
    }
    const at = new Date(tick.at).toISOString();
    await this.parts.delivery.enqueue({
      tenant: tenant.id,
      event: `schedule:${tick.cron}`,
      payload: { schedule: tick.cron, at },
      context: null,
      user: null,
      permissions: null,
      idempotencyKey: `schedule:${tick.cron}@${at}`,
      source: "schedule",
      handlers: tick.handlers,
      maxAttempts: tenant.quotas.maxDeliveryAttempts,
    });
  }

  /** A queued event's state, attempts and each handler's last result; 404 for another tenant's or an unknown id. */
  async queuedEvent(tenant: TenantConfig, id: string): Promise<DeliveryReport> {
    const report = await this.parts.delivery.report(tenant.id, id);
    if (!report) throw new ServiceError("NOT_FOUND", "no queued event with this id");
    return report;
  }

  /**
   * The tenant's dead letters, newest first: `before` (a failedAt from the last page, exclusive) pages on.
   * Letters that failed in the same millisecond are never split between pages: `before` would skip those of
   * them the page left out (a broken deploy fails many handlers at once). A page that would end inside a
   * millisecond ends before it; a page that is all one millisecond holds every letter of it.
   */
  async deadLetters(tenant: TenantConfig, limit: number, before?: number): Promise<{ failed: DeadLetter[]; next: number | null }> {
    const delivery = this.parts.delivery;
    // One more than the page: whether a next page exists, and whether the page's last millisecond goes on past it.
    const rows = await delivery.deadLetters(tenant.id, limit + 1, before);
    if (rows.length <= limit) return { failed: rows, next: null };
    const last = rows[limit - 1]!.failedAt;
    if (rows[limit]!.failedAt !== last) return { failed: rows.slice(0, limit), next: last };
    const earlier = rows.slice(0, limit).filter((letter) => letter.failedAt !== last);
    if (earlier.length > 0) return { failed: earlier, next: last + 1 };
    const same = (await delivery.deadLetters(tenant.id, MAX_DEAD_LETTERS_IN_ONE_MS, last + 1)).filter((letter) => letter.failedAt === last);
    return { failed: same, next: last };
  }

  /**
   * Queues a queued event's dead letters again with fresh attempts. They join the backlog like a new event's
   * jobs: room for them all under maxQueuedEvents, or 429 TOO_MANY_QUEUED (a tenant could otherwise refill
   * a full backlog past its limit from its dead letters, as fast as it can ask).
   */
  async retryQueuedEvent(tenant: TenantConfig, id: string): Promise<{ id: string; retried: number }> {
    const report = await this.parts.delivery.report(tenant.id, id);
    if (!report) throw new ServiceError("NOT_FOUND", "no queued event with this id");
    const dead = report.handlers.filter((handler) => handler.state === "failed").length;
    if (dead > 0) await this.backlog.admit(tenant.id, dead, tenant.quotas.maxQueuedEvents);
    const retried = await this.parts.delivery.retry(tenant.id, id);
    if (retried === undefined) throw new ServiceError("NOT_FOUND", "no queued event with this id");
    return { id, retried };
  }

  /**
   * One attempt of a queued handler, as an execution like any other: the tenant's quotas, slots,
   * permissions (the token's at the time of the event) and limits, an audit row naming the job and attempt.
   * What keeps it from starting (no free slot, the day's quota, a full pool, a shutdown) postpones it
   * without using an attempt; the day's quota until the next UTC day.
   */
  private async runQueuedAttempt(job: TakenJob): Promise<AttemptOutcome> {
    const tenant = this.config.tenants.get(job.tenant);
    if (!tenant) return { ran: true, success: false, error: { code: "FORBIDDEN", message: "the tenant is no longer in the config" }, durationMs: 0 };
    const caller: Caller = { tenant, principal: { tenantId: tenant.id, user: job.user, permissions: job.permissions } };
    const subject = { kind: "event" as const, event: job.event, file: job.file, funcName: job.funcName, jobId: job.deliveryId, attempt: job.attempt };
    try {
      // rawValue: the value is kept with the job and answered as its JSON text, never parsed here (invariant 8).
      const { result } = await this.runAdmitted(caller, subject, (base) =>
        this.parts.runtimes.of(tenant).execute({ ...base, file: job.file, funcName: job.funcName, args: [job.payload], context: job.context, rawValue: true }),
      );
      return result.success
        ? { ran: true, success: true, ...(result.value instanceof JsonText ? { value: result.value } : {}), durationMs: result.stats.totalMs }
        : { ran: true, success: false, error: { code: result.error.code, message: result.error.message }, durationMs: result.stats.totalMs };
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      if (FINAL_CODES.has(error.code)) return { ran: true, success: false, error: { code: error.code, message: error.message }, durationMs: 0 };
      // Not started: a slot, the quota (until the next day), the pool or the store. The attempt is not used.
      const wait = error.code === "QUOTA_EXCEEDED" ? (error.retryAfterMs ?? 60_000) : Math.min(error.retryAfterMs ?? 500, 5_000);
      return { ran: false, until: this.parts.now() + wait };
    }
  }

  async validate(tenant: TenantConfig, code: string, kind: "module" | "script" = "module", filename?: string): Promise<ValidationResult> {
    this.checkCodeSize(tenant, code);
    await this.parts.limiter.takeRate(`inspect:${tenant.id}`, INSPECT_RATE);
    const options = { kind, ...(filename !== undefined ? { filename } : {}) };
    return this.parts.runtimes.of(tenant).validate(code, { ...options, folder: this.folderOf(tenant) });
  }

  /** The tenant's modules and its hooks manifest, with the manifest's issues when it was refused. */
  async modules(tenant: TenantConfig): Promise<{ modules: ModuleInfo[]; hooks: Awaited<ReturnType<IsolatedRuntime["hooks"]>> }> {
    await this.parts.limiter.takeRate(`inspect:${tenant.id}`, INSPECT_RATE);
    const runtime = this.parts.runtimes.of(tenant);
    const folder = this.folderOf(tenant);
    return this.registryCall(async () => {
      const hooks = await runtime.hooks(folder);
      const count = Object.keys(hooks.schedules).length;
      if (count > tenant.quotas.maxSchedules) {
        const message = `${count} schedules; the tier runs the first ${tenant.quotas.maxSchedules} (maxSchedules)`;
        hooks.issues = [...hooks.issues, fileIssue("manifest", message, "warning")];
      }
      return { modules: await runtime.modules(folder), hooks };
    });
  }

  async usage(tenant: TenantConfig): Promise<UsageAnswer> {
    const report = await this.parts.limiter.usage(tenant.id, tenant.quotas);
    const usedBytes = await this.parts.documents.storedBytes(tenant.id).catch((error: unknown) => {
      this.parts.log("could not read the storage usage", error);
      throw new ServiceError("UNAVAILABLE", "the database is unavailable; try again shortly", 1000);
    });
    const storage = { usedBytes, limitBytes: tenant.quotas.maxStoredDataMB * 1024 * 1024 };
    return { tenant: tenant.id, tier: tenant.tier, quotas: tenant.quotas, ...report, storage };
  }

  /** The audit log, newest first. */
  auditLog(filter: Parameters<AuditLog["query"]>[0]): Promise<AuditRow[]> {
    return this.parts.audit.query(filter);
  }

  /**
   * Refuses new executions, stops taking queued jobs and lets admitted work finish (a queued attempt that had
   * not started waits in the queue for the next start), ends the pools, then closes the database.
   */
  close(): Promise<void> {
    this.admission.stop();
    this.closing ??= this.ticker
      .close()
      .then(() => this.parts.delivery.close())
      .then(() => this.parts.close());
    return this.closing;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * One admitted execution (a run or an inline script): the tenant's limits, the caller's tools, an audit
   * row; the answer carries the wait a refused tool call asked for.
   */
  private async runAdmitted(
    caller: Caller,
    what: ExecutionSubject,
    execute: (base: ExecutionBase) => Promise<ExecuteResult>,
    signal?: AbortSignal,
  ): Promise<Outcome<ExecuteResult>> {
    const { tenant } = caller;
    // An engine known to be away refuses before anything runs: never a run whose audit row cannot be written.
    await this.parts.store.ready();
    return this.admission.admit(tenant, 1, async () => {
      const { result, usage } = await this.parts.tools.metered(caller, (meta) =>
        execute({ ...callLimits(tenant.quotas), folder: this.folderOf(tenant), meta, signal }),
      );
      // Refused before anything ran: no execution, no audit row; admission gives the quota back (a 400).
      if (result.error?.code === "INVALID_REQUEST") throw new RuntimeError("INVALID_REQUEST", result.error.message);
      await this.recorder.record(caller, what, result, usage);
      return usage.retryAfterMs !== undefined ? { result, retryAfterMs: usage.retryAfterMs } : { result };
    });
  }

  private folderOf(tenant: TenantConfig): string {
    return path.join(this.parts.root, tenant.id);
  }

  private checkCodeSize(tenant: TenantConfig, code: string): void {
    const bytes = Buffer.byteLength(code, "utf8");
    const limit = tenant.quotas.maxCodeSizeKB * 1024;
    if (bytes > limit) throw new ServiceError("PAYLOAD_TOO_LARGE", `code is ${bytes} bytes; the tenant's limit is ${limit} (maxCodeSizeKB ${tenant.quotas.maxCodeSizeKB})`);
  }

  /** Registry calls for a tenant folder: a folder that does not exist yet is a 404 and a closing runtime a 503, not a crash. */
  private async registryCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const refusal = runtimeRefusal(error);
      throw refusal ? refusalError(refusal) : error;
    }
  }
}

const TOO_DEEP_EVENT = "the event's payload or context cannot be serialized as JSON (nested too deeply)";

/**
 * An event's payload and context must serialize as JSON, as the runtime sends a handler its arguments (and
 * a queued event is stored): one nested too deeply for that is refused before anything is charged or stored.
 * The JSON text, made once, is what every handler of a sync event is given.
 */
function serializable(payload: unknown, context: unknown): { args: JsonText; context: JsonText } {
  try {
    // No context is an empty one, as the runtime makes it (`context.userId` reads undefined instead of throwing).
    return { args: new JsonText(JSON.stringify([payload])), context: new JsonText(JSON.stringify(context ?? {})) };
  } catch {
    throw new ServiceError("INVALID_REQUEST", TOO_DEEP_EVENT);
  }
}

/** An Idempotency-Key's request fingerprint; a request nested too deeply for it (its sorted copy) is a 400 too, never a 500. */
function fingerprintOf(event: string, payload: unknown, context: unknown): string {
  try {
    return requestFingerprint(event, payload, context);
  } catch (error) {
    if (error instanceof RangeError) throw new ServiceError("INVALID_REQUEST", TOO_DEEP_EVENT);
    throw error;
  }
}
