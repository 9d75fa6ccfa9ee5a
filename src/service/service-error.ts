/** Every way a service request can fail, with the HTTP status it answers with. */
export const SERVICE_ERROR_STATUS = {
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  QUOTA_EXCEEDED: 429,
  RATE_LIMITED: 429,
  TOO_MANY_CONCURRENT: 429,
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
