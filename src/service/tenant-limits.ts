import type { CallLimits } from "../limits.js";
import { LEVEL_DEFAULTS, type SecurityLevel } from "../security-levels.js";
import type { Quotas } from "./tiers.js";

/** A tenant's quotas as the runtime's per-call limits (LIMITS in src/limits.ts): the one place quotas become limits. */
export function callLimits(quotas: Quotas) {
  return {
    timeout: quotas.maxExecutionDurationMs,
    maxToolCalls: quotas.maxToolCallsPerExecution,
    maxOutputBytes: Math.max(16, quotas.maxOutputSizeKB * 1024),
    maxCodeBytes: quotas.maxCodeSizeKB * 1024,
  } satisfies CallLimits;
}

/**
 * A shared runtime's limits: the largest its tenants have (every call passes its own tenant's, which the
 * runtime enforces as the smaller), and no module file larger than the largest code quota.
 */
export function poolLimits(quotas: Quotas[], level: SecurityLevel | undefined) {
  const limits = quotas.map(callLimits);
  const max = (pick: (l: ReturnType<typeof callLimits>) => number) => Math.max(...limits.map(pick));
  return {
    timeout: max((l) => l.timeout),
    maxToolCalls: max((l) => l.maxToolCalls),
    maxOutputBytes: max((l) => l.maxOutputBytes),
    // No file bigger than its tenants' code quota is ever read or parsed (on the host thread).
    maxModuleBytes: Math.min(LEVEL_DEFAULTS[level ?? "STANDARD"].maxModuleBytes, max((l) => l.maxCodeBytes)),
  };
}
