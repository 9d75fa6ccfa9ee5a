import { createHash } from "node:crypto";
import path from "node:path";
import { RuntimeError } from "../errors.js";
import type { ErrorInfo } from "../errors.js";
import { hookResult, refusedHook, type ExecuteResult, type HookResult, type IsolatedRuntime } from "../isolated-runtime.js";
import { mapLimited } from "../map-limited.js";
import type { ModuleInfo } from "../loader/module-graph.js";
import type { ValidationResult } from "../loader/issues.js";
import { Admission } from "./admission.js";
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

export type { ServiceOptions } from "./service-parts.js";

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

/** The runtime's request fields an admitted execution starts from: the tenant's limits, folder and tool meta. */
type ExecutionBase = ReturnType<typeof callLimits> & { folder: string; meta: unknown };

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
  private closing: Promise<void> | undefined;

  constructor(options: ServiceOptions) {
    const parts = new ServiceParts(options);
    this.parts = parts;
    this.config = parts.config;
    this.metrics = parts.metrics;
    this.admission = new Admission(parts.limiter);
    this.recorder = new ExecutionRecorder(parts.audit, parts.metrics, parts.now, parts.log);
  }

  /** Restores today's quota counters and waits for the pools (see ServiceParts.start). */
  start(): Promise<void> {
    return this.parts.start();
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

  run(caller: Caller, body: RunBody): Promise<Outcome<ExecuteResult>> {
    const { file, funcName, args = [], context = null } = body;
    return this.runAdmitted(caller, { kind: "run", file, funcName }, (base) =>
      this.parts.runtimes.of(caller.tenant).execute({ ...base, file, funcName, args, context }),
    );
  }

  executeCode(caller: Caller, code: string, context: unknown = null): Promise<Outcome<ExecuteResult>> {
    this.checkCodeSize(caller.tenant, code);
    const codeHash = createHash("sha256").update(code).digest("hex");
    return this.runAdmitted(caller, { kind: "execute", codeHash }, (base) => this.parts.runtimes.of(caller.tenant).executeCode({ ...base, code, context }));
  }

  /**
   * Runs the event's handlers, each one execution of the quota with its own audit row, as many at once as
   * the tenant has free slots (and the pool has workers). Handlers the pool refuses (queue full, closing)
   * cost nothing; when it refuses all of them the answer is a 503.
   */
  async emit(caller: Caller, event: string, payload: unknown, context?: unknown): Promise<Outcome<HookResult[]>> {
    const { tenant } = caller;
    const runtime = this.parts.runtimes.of(tenant);
    const folder = this.folderOf(tenant);
    // One snapshot: the handlers counted against the quota are the handlers that run.
    const targets = await this.registryCall(() => runtime.handlers(event, folder));
    if (targets.length === 0) return { result: [] };
    await this.parts.store.ready();
    return this.admission.admit(tenant, targets.length, async (slots) => {
      let retryAfterMs: number | undefined;
      const refused: ErrorInfo[] = [];
      const lanes = Math.min(slots, runtime.load().capacity);
      const results = await mapLimited(targets, lanes, async (target): Promise<HookResult> => {
        let ran: { result: ExecuteResult; usage: ToolUsage };
        try {
          ran = await this.parts.tools.metered(caller, (meta) =>
            runtime.execute({ ...callLimits(tenant.quotas), ...target, folder, args: [payload], context: context ?? null, meta }),
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
    return this.registryCall(async () => ({ modules: await runtime.modules(folder), hooks: await runtime.hooks(folder) }));
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

  /** Refuses new executions, lets admitted work finish, ends the pools, then closes the database. */
  close(): Promise<void> {
    this.admission.stop();
    this.closing ??= this.parts.close();
    return this.closing;
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * One admitted execution (a run or an inline script): the tenant's limits, the caller's tools, an audit
   * row; the answer carries the wait a refused tool call asked for.
   */
  private async runAdmitted(caller: Caller, what: ExecutionSubject, execute: (base: ExecutionBase) => Promise<ExecuteResult>): Promise<Outcome<ExecuteResult>> {
    const { tenant } = caller;
    // An engine known to be away refuses before anything runs: never a run whose audit row cannot be written.
    await this.parts.store.ready();
    return this.admission.admit(tenant, 1, async () => {
      const { result, usage } = await this.parts.tools.metered(caller, (meta) => execute({ ...callLimits(tenant.quotas), folder: this.folderOf(tenant), meta }));
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
