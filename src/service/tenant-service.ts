import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import path from "node:path";
import { RuntimeError } from "../errors.js";
import type { ErrorInfo } from "../errors.js";
import { hookResult, refusedHook, type ExecuteResult, type HookResult, type IsolatedRuntime } from "../isolated-runtime.js";
import { mapLimited } from "../map-limited.js";
import type { ModuleInfo } from "../loader/module-graph.js";
import type { ValidationResult } from "../loader/issues.js";
import { AuditLog, type AuditEntry } from "./audit-log.js";
import { Authenticator, type Principal } from "./auth.js";
import { loadConfig, type ServiceConfig, type TenantConfig } from "./config.js";
import { openDatabase, type Database } from "./database.js";
import { dataTools, DATA_TOOL_NAMES } from "./data-tools.js";
import { DataError, DocumentStore } from "./document-store.js";
import { ServiceMetrics } from "./metrics.js";
import { ServiceError } from "./service-error.js";
import { ServiceTools, type CallerMeta, type ToolDefinition } from "./service-tools.js";
import { TenantRuntimes } from "./tenant-runtimes.js";
import type { Quotas } from "./tiers.js";
import { periodOf, UsageLimiter, type UsageReport } from "./usage-limiter.js";

export interface ServiceOptions {
  /** Directory with one folder per tenant: `<root>/<tenantId>/`. */
  root: string;
  /** The config file's path, or a parsed config. */
  config: string | ServiceConfig;
  /** Where the SQLite database lives (audit log, documents). Default `./.tenantbox`. */
  dataDir?: string;
  /** HS256 secret; default `TENANTBOX_JWT_SECRET`, then the config's `auth.secret`. */
  jwtSecret?: string;
  /** A Redis URL (redis://host:port/db): quota counters and rate limits live there, shared by every node. */
  redisUrl?: string;
  maxThreads?: number;
  /** Invocations that may wait for a worker (per memory class) before requests get 503. */
  maxQueue?: number;
  /**
   * Watch tenant folders (chokidar) instead of checking files on every call. Off by default: the watcher
   * runs on the main thread, and a tenant renaming files in a loop can flood it (measured: another
   * tenant's call waited 20 s). Every call sees the files on disk either way.
   */
  watch?: boolean;
  isolation?: "process" | "thread";
  /** Where the service reports its own failures (an audit row it could not write); default stderr. */
  log?: (message: string, error: unknown) => void;
  /** The clock quota periods and audit times follow (tests move it to the next day). Default Date.now. */
  now?: () => number;
}

/**
 * /v1/validate and /v1/modules parse code on the service's main thread without running it (so without an
 * execution to count): they get a rate limit of their own per tenant.
 */
export const INSPECT_RATE = { points: 60, duration: 60 } as const;

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

/**
 * The multi-tenant service without its HTTP layer: who is calling (tokens), what they may do (tenant
 * config, permissions, quotas, rate limits), running it (one runtime per memory class), and what happened
 * (audit log, metrics). Tenants never grant themselves anything: policy comes only from the config.
 */
export class TenantService {
  readonly config: ServiceConfig;
  readonly metrics: ServiceMetrics;
  private readonly root: string;
  private readonly auth: Authenticator;
  private readonly db: Database;
  private readonly audit: AuditLog;
  private readonly limiter: UsageLimiter;
  private readonly tools: ServiceTools;
  private readonly documents: DocumentStore;
  private readonly runtimes: TenantRuntimes;
  private readonly now: () => number;
  private readonly log: (message: string, error: unknown) => void;
  private readonly redis: Redis | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: ServiceOptions) {
    if (typeof options.root !== "string" || options.root.length === 0) throw new TypeError("tenantbox: service option root is required");
    this.root = path.resolve(options.root);
    this.now = options.now ?? Date.now;
    this.log = options.log ?? ((message, error) => process.stderr.write(`tenantbox: ${message}${error === undefined ? "" : `: ${(error as Error)?.message ?? String(error)}`}\n`));
    this.config = typeof options.config === "string" ? loadConfig(options.config) : options.config;
    const secret = options.jwtSecret ?? process.env.TENANTBOX_JWT_SECRET ?? this.config.auth.secret;
    const { jwksUrl, issuer, audience } = this.config.auth;
    this.auth = new Authenticator({
      ...(secret !== undefined && secret !== "" ? { secret } : {}),
      ...(jwksUrl !== undefined ? { jwksUrl } : {}),
      ...(issuer !== undefined ? { issuer } : {}),
      ...(audience !== undefined ? { audience } : {}),
    });
    this.db = openDatabase(path.resolve(options.dataDir ?? ".tenantbox"));
    try {
      this.audit = new AuditLog(this.db);
            // No offline queue: while Redis is away, requests are refused (503) instead of piling up.
      this.redis = options.redisUrl !== undefined ? new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true }) : undefined;
      this.limiter = new UsageLimiter({ now: this.now, ...(this.redis ? { storeClient: this.redis } : {}) });
      this.tools = new ServiceTools(this.limiter);
      this.documents = new DocumentStore(this.db, (id) => (this.config.tenants.get(id)?.quotas.maxStoredDataMB ?? 0) * 1024 * 1024);
      this.registerDataTools(this.documents);
      this.runtimes = new TenantRuntimes({
        root: this.root,
        tenants: this.config.tenants.values(),
        tools: this.tools,
        watch: options.watch ?? false,
        ...(this.config.securityLevel !== undefined ? { securityLevel: this.config.securityLevel } : {}),
        ...(options.maxThreads !== undefined ? { maxThreads: options.maxThreads } : {}),
        ...(options.maxQueue !== undefined ? { maxQueue: options.maxQueue } : {}),
        ...(options.isolation !== undefined ? { isolation: options.isolation } : {}),
      });
    } catch (error) {
      this.db.close();
      throw error;
    }
    this.metrics = new ServiceMetrics(() => this.runtimes.load());
  }

  /**
   * Restores today's quota counters from the audit log (a restart must not hand out a fresh day; with
   * Redis the counters survive by themselves) and waits for the folder watchers.
   */
  async start(): Promise<void> {
    // A tool the config enables but nobody registered is refused on every call: say so once, at start.
    for (const tenant of this.config.tenants.values()) {
      for (const name of Object.keys(tenant.tools)) {
        if (!this.tools.has(name)) this.log(`tool "${name}" is enabled for tenant "${tenant.id}" but not registered; its calls are refused`, undefined);
      }
    }
    if (this.redis) {
      try {
        await this.redis.connect();
      } catch (error) {
        throw new Error(`cannot connect to Redis: ${(error as Error).message}`);
      }
    } else {
      const since = periodOf(this.now()).start;
      for (const id of this.config.tenants.keys()) await this.limiter.seed(id, this.audit.totals(id, since));
    }
    await this.runtimes.ready();
  }

  /** Registers a host tool; tenants call it with `callTool(name, args)` when their config enables and grants it. */
  tool(name: string, definition: ToolDefinition): this {
    this.tools.register(name, definition);
    return this;
  }

  /** The caller's identity and tenant: 401 for a bad token, 403 for a tenant the config does not list. */
  async authenticate(authorization: string | undefined): Promise<{ principal: Principal; tenant: TenantConfig }> {
    const principal = await this.auth.verify(authorization);
    const tenant = this.config.tenants.get(principal.tenantId);
    if (!tenant) throw new ServiceError("FORBIDDEN", "unknown tenant");
    return { principal, tenant };
  }

  /** One request of the tenant's request rate limit (429 RATE_LIMITED when it is used up). */
  async takeRequest(tenant: TenantConfig): Promise<void> {
    if (tenant.rateLimit) await this.limiter.takeRate(`requests:${tenant.id}`, tenant.rateLimit);
  }

  run(principal: Principal, tenant: TenantConfig, body: RunBody): Promise<Outcome<ExecuteResult>> {
    const { file, funcName, args = [], context = null } = body;
    return this.once(principal, tenant, { kind: "run", file, funcName }, (common) =>
      this.runtimes.of(tenant).execute({ ...common, file, funcName, args, context }),
    );
  }

  executeCode(principal: Principal, tenant: TenantConfig, code: string, context: unknown = null): Promise<Outcome<ExecuteResult>> {
    this.checkCodeSize(tenant, code);
    const codeHash = createHash("sha256").update(code).digest("hex");
    return this.once(principal, tenant, { kind: "execute", codeHash }, (common) => this.runtimes.of(tenant).executeCode({ ...common, code, context }));
  }

  /** One admitted execution with the tenant's limits and the caller's meta, audited. */
  private once(
    principal: Principal,
    tenant: TenantConfig,
    what: Pick<AuditEntry, "kind" | "file" | "funcName" | "codeHash">,
    call: (common: ReturnType<TenantService["limits"]> & { folder: string; meta: CallerMeta }) => Promise<ExecuteResult>,
  ): Promise<Outcome<ExecuteResult>> {
    return this.admitted(tenant, 1, async () => {
      const meta = this.meta(principal, tenant);
      const result = await call({ ...this.limits(tenant), folder: this.folderOf(tenant), meta });
      this.record(tenant, principal, meta, what, result);
      return outcome(result, meta);
    });
  }

  /**
   * Runs the event's handlers, each one execution of the quota with its own audit row, as many at once as
   * the tenant has free slots (and the pool has workers). Handlers the pool refuses (queue full, closing)
   * cost nothing; when it refuses all of them the answer is a 503.
   */
  async emit(principal: Principal, tenant: TenantConfig, event: string, payload: unknown, context?: unknown): Promise<Outcome<HookResult[]>> {
    const runtime = this.runtimes.of(tenant);
    const folder = this.folderOf(tenant);
    // One snapshot: the handlers counted against the quota are the handlers that run.
    const targets = await this.registryCall(() => runtime.handlers(event, folder));
    if (targets.length === 0) return { result: [] };
    return this.admitted(tenant, targets.length, async (slots) => {
      let retryAfterMs: number | undefined;
      const refused: ErrorInfo[] = [];
      const lanes = Math.min(slots, runtime.load().capacity);
      const results = await mapLimited(targets, lanes, async (target): Promise<HookResult> => {
        const meta = this.meta(principal, tenant);
        let result: ExecuteResult;
        try {
          result = await runtime.execute({ ...this.limits(tenant), ...target, folder, args: [payload], context: context ?? null, meta });
        } catch (error) {
          if (!(error instanceof RuntimeError)) throw error;
          refused.push(error.toInfo());
          return refusedHook(target, error);
        }
        if (meta.retryAfterMs !== undefined) retryAfterMs = Math.max(retryAfterMs ?? 0, meta.retryAfterMs);
        this.record(tenant, principal, meta, { kind: "event", event, ...target }, result);
        return hookResult(target, result);
      });
      if (refused.length > 0) {
        await this.limiter.returnExecutions(tenant.id, refused.length);
        if (refused.length === targets.length) {
          throw refused[0]!.code === "CLOSED"
            ? new ServiceError("UNAVAILABLE", "the service is shutting down")
            : new ServiceError("QUEUE_FULL", "the service is at capacity; try again shortly", 1000);
        }
      }
      return retryAfterMs !== undefined ? { result: results, retryAfterMs } : { result: results };
    });
  }

  async validate(tenant: TenantConfig, code: string, kind: "module" | "script" = "module", filename?: string): Promise<ValidationResult> {
    this.checkCodeSize(tenant, code);
    await this.limiter.takeRate(`inspect:${tenant.id}`, INSPECT_RATE);
    const options = { kind, ...(filename !== undefined ? { filename } : {}) };
    return this.runtimes.of(tenant).validate(code, { ...options, folder: this.folderOf(tenant) });
  }

  /** The tenant's modules and its hooks manifest, with the manifest's issues when it was refused. */
  async modules(tenant: TenantConfig): Promise<{ modules: ModuleInfo[]; hooks: Awaited<ReturnType<IsolatedRuntime["hooks"]>> }> {
    await this.limiter.takeRate(`inspect:${tenant.id}`, INSPECT_RATE);
    const runtime = this.runtimes.of(tenant);
    const folder = this.folderOf(tenant);
    return this.registryCall(async () => ({ modules: await runtime.modules(folder), hooks: await runtime.hooks(folder) }));
  }

  async usage(tenant: TenantConfig): Promise<UsageAnswer> {
    const report = await this.limiter.usage(tenant.id, tenant.quotas);
    const storage = { usedBytes: this.documents.storedBytes(tenant.id), limitBytes: tenant.quotas.maxStoredDataMB * 1024 * 1024 };
    return { tenant: tenant.id, tier: tenant.tier, quotas: tenant.quotas, ...report, storage };
  }

  /** The audit log, newest first. */
  auditLog(filter: Parameters<AuditLog["query"]>[0]) {
    return this.audit.query(filter);
  }

  /** Lets admitted work finish, ends the pools, then closes the database (WAL checkpointed). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.runtimes.close();
      } finally {
        this.redis?.disconnect();
        try {
          this.db.pragma("wal_checkpoint(TRUNCATE)");
        } finally {
          this.db.close();
        }
      }
    })();
    return this.closing;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  private folderOf(tenant: TenantConfig): string {
    return path.join(this.root, tenant.id);
  }

  private meta(principal: Principal, tenant: TenantConfig): CallerMeta {
    return { tenant, user: principal.user, tokenPermissions: principal.permissions, chargedToolCalls: 0 };
  }

  private limits(tenant: TenantConfig) {
    const q = tenant.quotas;
    return {
      timeout: q.maxExecutionDurationMs,
      maxToolCalls: q.maxToolCallsPerExecution,
      maxOutputBytes: Math.max(16, q.maxOutputSizeKB * 1024),
      maxCodeBytes: q.maxCodeSizeKB * 1024,
    };
  }

  private checkCodeSize(tenant: TenantConfig, code: string): void {
    const bytes = Buffer.byteLength(code, "utf8");
    const limit = tenant.quotas.maxCodeSizeKB * 1024;
    if (bytes > limit) throw new ServiceError("PAYLOAD_TOO_LARGE", `code is ${bytes} bytes; the tenant's limit is ${limit} (maxCodeSizeKB ${tenant.quotas.maxCodeSizeKB})`);
  }

  /**
   * Admission for `count` executions: a free concurrency slot (429), the day's quota (429), then the run.
   * What the pool refuses (queue full, closing) is given back and answered 503.
   */
  private async admitted<T>(tenant: TenantConfig, count: number, run: (slots: number) => Promise<Outcome<T>>): Promise<Outcome<T>> {
    if (this.closing) throw new ServiceError("UNAVAILABLE", "the service is shutting down");
    const slots = this.limiter.acquire(tenant.id, tenant.quotas.maxConcurrentExecutions, count);
    try {
      await this.limiter.takeExecutions(tenant.id, tenant.quotas, count);
      try {
        return await run(slots);
      } catch (error) {
        if (error instanceof RuntimeError && (error.code === "QUEUE_FULL" || error.code === "CLOSED")) {
          await this.limiter.returnExecutions(tenant.id, count);
          throw error.code === "QUEUE_FULL"
            ? new ServiceError("QUEUE_FULL", "the service is at capacity; try again shortly", 1000)
            : new ServiceError("UNAVAILABLE", "the service is shutting down");
        }
        throw error;
      }
    } finally {
      this.limiter.release(tenant.id, slots);
    }
  }

  /** Registry calls for a tenant folder: a folder that does not exist yet is a 404, not a crash. */
  private async registryCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof RuntimeError && error.code === "MODULE_NOT_FOUND") throw new ServiceError("NOT_FOUND", "the tenant has no code deployed");
      if (error instanceof RuntimeError && error.code === "CLOSED") throw new ServiceError("UNAVAILABLE", "the service is shutting down");
      throw error;
    }
  }

  private record(
    tenant: TenantConfig,
    principal: Principal,
    meta: CallerMeta,
    what: Pick<AuditEntry, "kind" | "file" | "funcName" | "codeHash" | "event">,
    result: ExecuteResult,
  ): void {
    const { success, stats } = result;
    const errorCode = result.error?.code;
    const durationMs = stats.totalMs;
    try {
      this.audit.record({
        ...what,
        tenant: tenant.id,
        user: principal.user,
        success,
        errorCode: errorCode ?? null,
        durationMs,
        toolCalls: stats.toolCalls,
        chargedToolCalls: meta.chargedToolCalls,
        at: this.now(),
      });
    } catch (error) {
      // The execution happened and its caller gets the answer; the operator gets the failure.
      this.log("could not write an audit row", error);
    }
    this.metrics.execution(tenant.id, what.kind, success ? "ok" : (errorCode ?? "error"), durationMs / 1000);
  }

  private registerDataTools(store: DocumentStore): void {
    const handlers = dataTools(store);
    for (const name of DATA_TOOL_NAMES) {
      this.tools.register(
        name,
        {
          handler: (args, ctx) => {
            try {
              return handlers[name](ctx.tenantId, args);
            } catch (error) {
              // A bad argument is the tenant's to read; a database failure is ours, and says nothing of our internals.
              if (error instanceof DataError) throw error;
              throw new Error(`${name}: the data store failed; try again`);
            }
          },
        },
        true,
      );
    }
  }
}

function outcome<T>(result: T, meta: CallerMeta): Outcome<T> {
  return meta.retryAfterMs !== undefined ? { result, retryAfterMs: meta.retryAfterMs } : { result };
}
