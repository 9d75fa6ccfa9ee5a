import { ERRORS, isErrorCode, MAX_ERROR_MESSAGE } from "../errors.js";
import type { InvocationOutcome, ToolRequest, WorkerProcessMessage } from "./protocol.js";

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
      if (!isCount(value.id) || !isOutcome(value.outcome) || (value.retire !== undefined && typeof value.retire !== "boolean")) return undefined;
      return value.retire === true ? { t: "result", id: value.id, outcome: value.outcome, retire: true } : { t: "result", id: value.id, outcome: value.outcome };
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

function isOutcome(value: unknown): value is InvocationOutcome {
  if (!isRecord(value) || typeof value.ok !== "boolean") return false;
  if (value.value !== undefined && typeof value.value !== "string") return false;
  if (value.error !== undefined) {
    const error = value.error;
    if (!isRecord(error) || !isErrorCode(error.code) || ERRORS[error.code].runtimeOnly) return false;
    if (typeof error.name !== "string" || error.name.length > MAX_NAME || typeof error.message !== "string" || error.message.length > MAX_ERROR_MESSAGE + 1) return false;
    if (error.details !== undefined && (!isRecord(error.details) || JSON.stringify(error.details).length > MAX_DETAILS_BYTES)) return false;
  }
  if (!Array.isArray(value.logs) || !value.logs.every((entry) => isRecord(entry) && typeof entry.level === "string" && typeof entry.message === "string")) return false;
  const stats = value.stats;
  return isRecord(stats) && ["durationMs", "toolCalls", "logBytes", "realmUses"].every((key) => typeof stats[key] === "number");
}

function isToolRequest(value: unknown): value is ToolRequest {
  return isRecord(value) && isCount(value.invocationId) && isCount(value.callId) && typeof value.name === "string" && typeof value.args === "string";
}
