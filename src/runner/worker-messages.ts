import { ERRORS, isErrorCode, MAX_ERROR_MESSAGE } from "../errors.js";
import { LOG_LEVELS, type InvocationOutcome, type ToolRequest, type WorkerProcessMessage } from "./protocol.js";

/**
 * A sandbox process's message, checked field by field before the runtime reads it (DESIGN.md invariant 4:
 * the process is a resource boundary, not a trust boundary; one a tenant broke into may send anything).
 * Undefined when it is not one of the messages protocol.ts defines.
 */
export function checkWorkerMessage(value: unknown): WorkerProcessMessage | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.t) {
    case "ready":
      return { t: "ready" };
    case "result": {
      const outcome = outcomeOf(value.outcome);
      if (!isCount(value.id) || !outcome || (value.retire !== undefined && typeof value.retire !== "boolean")) return undefined;
      return value.retire === true ? { t: "result", id: value.id, outcome, retire: true } : { t: "result", id: value.id, outcome };
    }
    case "need":
      if (!isCount(value.id) || !Array.isArray(value.hashes) || !value.hashes.every((h) => typeof h === "string")) return undefined;
      return { t: "need", id: value.id, hashes: value.hashes as string[] };
    case "tool":
      return isToolRequest(value.request) ? { t: "tool", request: value.request } : undefined;
    default:
      return undefined;
  }
}

/** What a sandbox's own error text can be at most (it clips them itself: a longer one was not made there). */
const MAX_NAME = MAX_ERROR_MESSAGE + 1;
const MAX_DETAILS_BYTES = 1024 * 1024;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isAmount(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

/**
 * A call's outcome rebuilt from the fields the protocol has, each checked: what reaches the caller has the
 * shape the runtime documents, whatever else a broken process put beside them.
 */
function outcomeOf(value: unknown): InvocationOutcome | undefined {
  if (!isRecord(value) || typeof value.ok !== "boolean") return undefined;
  if (value.value !== undefined && typeof value.value !== "string") return undefined;
  const { logs, stats } = value;
  if (!Array.isArray(logs) || !logs.every((entry) => isRecord(entry) && typeof entry.level === "string" && LOG_LEVELS.has(entry.level) && typeof entry.message === "string")) return undefined;
  if (!isRecord(stats) || !isAmount(stats.durationMs) || !isCount(stats.toolCalls) || !isCount(stats.logBytes) || !isCount(stats.realmUses)) return undefined;
  const outcome: InvocationOutcome = {
    ok: value.ok,
    logs: (logs as { level: string; message: string }[]).map(({ level, message }) => ({ level, message })),
    stats: { durationMs: stats.durationMs, toolCalls: stats.toolCalls, logBytes: stats.logBytes, realmUses: stats.realmUses },
  };
  if (value.value !== undefined) outcome.value = value.value;
  if (value.error !== undefined) {
    const error = value.error;
    if (!isRecord(error) || !isErrorCode(error.code) || ERRORS[error.code].runtimeOnly) return undefined;
    if (typeof error.name !== "string" || error.name.length > MAX_NAME || typeof error.message !== "string" || error.message.length > MAX_ERROR_MESSAGE + 1) return undefined;
    if (error.details !== undefined && (!isRecord(error.details) || JSON.stringify(error.details).length > MAX_DETAILS_BYTES)) return undefined;
    outcome.error = { code: error.code, name: error.name, message: error.message };
    if (error.details !== undefined) outcome.error.details = error.details;
  }
  return outcome;
}

function isToolRequest(value: unknown): value is ToolRequest {
  return isRecord(value) && isCount(value.invocationId) && isCount(value.callId) && typeof value.name === "string" && typeof value.args === "string";
}
