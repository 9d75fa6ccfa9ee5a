import type { ExecuteResult } from "../isolated-runtime.js";
import type { AuditEntry, AuditLog } from "./audit-log.js";
import type { Caller } from "./caller.js";
import type { ServiceMetrics } from "./metrics.js";
import type { ToolUsage } from "./service-tools.js";

/** What ran: the audit row's kind and its file and function, code hash or event. */
export type ExecutionSubject = Pick<AuditEntry, "kind" | "file" | "funcName" | "codeHash" | "event">;

/** What happened: every execution that ran becomes an audit row and a metric, before its answer goes out. */
export class ExecutionRecorder {
  constructor(
    private readonly audit: AuditLog,
    private readonly metrics: ServiceMetrics,
    private readonly now: () => number,
    private readonly log: (message: string, error: unknown) => void,
  ) {}

  record({ principal, tenant }: Caller, what: ExecutionSubject, result: ExecuteResult, tools: ToolUsage): void {
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
        chargedToolCalls: tools.charged,
        at: this.now(),
      });
    } catch (error) {
      // The execution happened and its caller gets the answer; the operator gets the failure.
      this.log("could not write an audit row", error);
    }
    this.metrics.execution(tenant.id, what.kind, success ? "ok" : (errorCode ?? "error"), durationMs / 1000);
  }
}
