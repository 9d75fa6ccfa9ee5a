import type { ExecuteResult } from "../isolated-runtime.js";
import type { AuditEntry, AuditLog } from "./audit-log.js";
import type { Caller } from "./caller.js";
import type { ServiceMetrics } from "./metrics.js";
import { ServiceError } from "./service-error.js";
import type { ToolUsage } from "./service-tools.js";

/** What ran: the audit row's kind and its file and function, code hash or event. */
export type ExecutionSubject = Pick<AuditEntry, "kind" | "file" | "funcName" | "codeHash" | "event" | "jobId" | "attempt">;

/**
 * What happened: every execution that ran becomes an audit row and a metric, before its answer goes out.
 * An execution whose row cannot be written is not acknowledged: its caller gets 503 UNAVAILABLE.
 */
export class ExecutionRecorder {
  constructor(
    private readonly audit: AuditLog,
    private readonly metrics: ServiceMetrics,
    private readonly now: () => number,
    private readonly log: (message: string, error: unknown) => void,
  ) {}

  async record({ principal, tenant }: Caller, what: ExecutionSubject, result: ExecuteResult, tools: ToolUsage): Promise<void> {
    const { success, stats } = result;
    const errorCode = result.error?.code;
    const durationMs = stats.totalMs;
    this.metrics.execution(tenant.id, what.kind, success ? "ok" : (errorCode ?? "error"), durationMs / 1000);
    try {
      await this.audit.record({
        ...what,
        tenant: tenant.id,
        user: principal.user,
        success,
        errorCode: errorCode ?? null,
        durationMs,
        toolCalls: stats.toolCalls,
        chargedToolCalls: tools.charged,
        at: this.now(),
      });
    } catch (error) {
      // The execution happened (the metric counts it) but nothing acknowledges it without its row.
      this.log("could not write an audit row", error);
      throw new ServiceError("UNAVAILABLE", "the execution's audit record could not be written; try again shortly", 1000);
    }
  }
}
