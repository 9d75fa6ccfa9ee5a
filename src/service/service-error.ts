import { RuntimeError, type ErrorCode } from "../errors.js";

/** Every way a service request can fail, with the HTTP status it answers with. */
export const SERVICE_ERROR_STATUS = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  IDEMPOTENCY_KEY_REUSED: 422,
  PAYLOAD_TOO_LARGE: 413,
  QUOTA_EXCEEDED: 429,
  RATE_LIMITED: 429,
  TOO_MANY_CONCURRENT: 429,
  TOO_MANY_QUEUED: 429,
  INTERNAL_ERROR: 500,
  QUEUE_FULL: 503,
  UNAVAILABLE: 503,
} as const;

export type ServiceErrorCode = keyof typeof SERVICE_ERROR_STATUS;

/**
 * A refused request: a stable code, a message safe to show the caller (never a stack or a host path),
 * and for 429s how long to wait before trying again.
 */
export class ServiceError extends Error {
  readonly status: number;

  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "ServiceError";
    this.status = SERVICE_ERROR_STATUS[code];
  }
}

/** How the service answers a runtime error that was thrown at it rather than reported in a result. */
export interface RuntimeRefusal {
  code: ServiceErrorCode;
  message: string;
  retryAfterMs?: number;
  /** The runtime raises it before the call runs: an admitted execution is given back to the quota. */
  beforeRun: boolean;
  /** The runtime's own message is the answer's (it names only what the caller sent, never a host path). */
  runtimeMessage?: true;
}

/**
 * The runtime errors the service turns into refusals of its own, keyed by the runtime's code (what each
 * code means to the runtime is `ERRORS` in src/errors.ts). Any other thrown runtime error is a 500.
 */
export const RUNTIME_REFUSALS: Partial<Record<ErrorCode, RuntimeRefusal>> = {
  QUEUE_FULL: { code: "QUEUE_FULL", message: "the service is at capacity; try again shortly", retryAfterMs: 1000, beforeRun: true },
  CLOSED: { code: "UNAVAILABLE", message: "the service is shutting down", beforeRun: true },
  // Only from the registry (listing a folder that does not exist yet); a run reports it in its result.
  MODULE_NOT_FOUND: { code: "NOT_FOUND", message: "the tenant has no code deployed", beforeRun: false },
  // A request the runtime refuses before anything runs (a file outside the tenant folder, arguments that
  // are not JSON): an ordinary 400 that costs nothing, not an execution.
  INVALID_REQUEST: { code: "INVALID_REQUEST", message: "the request was refused", beforeRun: true, runtimeMessage: true },
};

/** The refusal a thrown error stands for, if it is a runtime error the table lists. */
export function runtimeRefusal(error: unknown): RuntimeRefusal | undefined {
  if (!(error instanceof RuntimeError)) return undefined;
  const refusal = RUNTIME_REFUSALS[error.code];
  return refusal?.runtimeMessage ? { ...refusal, message: error.message } : refusal;
}

export function refusalError(refusal: RuntimeRefusal): ServiceError {
  return new ServiceError(refusal.code, refusal.message, refusal.retryAfterMs);
}
