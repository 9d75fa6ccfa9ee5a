import type { ErrorCode } from "../../errors.js";
import type { JsonText } from "../../runner/json-text.js";

/**
 * What happens after a queued handler's attempt failed. Failures that cannot change on a retry (the code
 * is broken, the function or module is missing, a permission is lacking, the graph is too large) end the
 * job at once; the daily quota waits for the next UTC day without using an attempt; anything else (a
 * timeout, a runtime error, a tool that failed, a node that went away) is retried with exponential backoff
 * and jitter until the tenant's maxDeliveryAttempts are used.
 */
export const FINAL_CODES: ReadonlySet<string> = new Set<ErrorCode | "INVALID_REQUEST" | "NOT_FOUND" | "FORBIDDEN">([
  "VALIDATION_ERROR",
  "MODULE_NOT_FOUND",
  "FUNCTION_NOT_FOUND",
  "PERMISSION_DENIED",
  "CODE_TOO_LARGE",
  "INVALID_REQUEST",
  "NOT_FOUND",
  "FORBIDDEN",
]);

/** The first retry waits about this long; each next one twice as long, up to MAX_BACKOFF_MS. */
export const BASE_BACKOFF_MS = 1_000;
export const MAX_BACKOFF_MS = 15 * 60_000;
/** A dead letter (a job whose last attempt failed) is kept this long, with its last error. */
export const DEAD_LETTER_TTL_MS = 7 * 24 * 3600_000;
/** A succeeded job is kept this long (for GET /v1/events/jobs/:id), then removed. */
export const SUCCEEDED_TTL_MS = 24 * 3600_000;
/** An Idempotency-Key answers with the first delivery for this long. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

/**
 * A handler's value is kept with its job (GET /v1/events/jobs/:id) up to this much JSON: a job's result
 * is kept a day and a delivery has up to 64 handlers, so values of megabytes would fill the disk (or
 * Redis) and make one GET answer hundreds of megabytes on the thread that serves requests.
 */
export const MAX_KEPT_VALUE_BYTES = 64 * 1024;

/**
 * The value as a job keeps it: its JSON text, or only its size when it is larger than MAX_KEPT_VALUE_BYTES;
 * nothing when the handler returned undefined.
 */
export function keptValue(value: JsonText | undefined): { value: JsonText } | { valueOmittedBytes: number } | Record<string, never> {
  if (value === undefined) return {};
  const bytes = Buffer.byteLength(value.text, "utf8");
  return bytes > MAX_KEPT_VALUE_BYTES ? { valueOmittedBytes: bytes } : { value };
}

export type AttemptVerdict = { kind: "done" } | { kind: "dead" } | { kind: "retry"; at: number };

/**
 * The wait before retry number `attempt` (1 = the first retry): "full jitter", a random point of the
 * exponential window, so that jobs failing together do not come back together.
 */
export function backoffMs(attempt: number, base = BASE_BACKOFF_MS, random: () => number = Math.random): number {
  const window = Math.min(MAX_BACKOFF_MS, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(window / 2 + random() * (window / 2));
}

/** After attempt number `attempts` ended with `code` (undefined: it succeeded). */
export function verdict(code: string | undefined, attempts: number, maxAttempts: number, now: number, base?: number, random?: () => number): AttemptVerdict {
  if (code === undefined) return { kind: "done" };
  if (FINAL_CODES.has(code) || attempts >= maxAttempts) return { kind: "dead" };
  return { kind: "retry", at: now + backoffMs(attempts, base, random) };
}
