import { clipText } from "./loader/issues.js";

/** Every way an invocation can fail, as a stable machine-readable code. */
export const ERROR_CODES = [
  "VALIDATION_ERROR",
  "MODULE_NOT_FOUND",
  "FUNCTION_NOT_FOUND",
  "RUNTIME_ERROR",
  "TIMEOUT",
  "MEMORY_LIMIT_EXCEEDED",
  "MAX_ITERATIONS",
  "MAX_TOOL_CALLS",
  "TOOL_ERROR",
  "OUTPUT_TOO_LARGE",
  "QUEUE_FULL",
  "CLOSED",
  "INVALID_REQUEST",
  "SCORING_BLOCKED",
  "INTERNAL_ERROR",
  "PERMISSION_DENIED",
  "RATE_LIMITED",
  "QUOTA_EXCEEDED",
  "CODE_TOO_LARGE",
] as const;

/**
 * Codes a tool handler may end a tool call with by throwing a RuntimeError that carries one (a policy
 * refusal the platform decided); any other failure of a handler is TOOL_ERROR.
 */
export const TOOL_REFUSAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(["PERMISSION_DENIED", "RATE_LIMITED", "QUOTA_EXCEEDED"]);

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The plain-data shape of an error, as `execute()` reports it and as it crosses threads. */
export interface ErrorInfo {
  code: ErrorCode;
  name: string;
  message: string;
  details?: Record<string, unknown>;
}

/**
 * The longest message a RuntimeError carries (the sandbox's own bound on a tenant's error text). Messages
 * are bounded where tenant text enters them; this is the backstop, so every error text has a fixed bound.
 */
export const MAX_ERROR_MESSAGE = 8192;

/** The one error type the runtime rejects with. Never wraps a tenant object or a host stack. */
export class RuntimeError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(clipText(message, MAX_ERROR_MESSAGE));
    this.name = "RuntimeError";
    this.code = code;
    if (details !== undefined) this.details = details;
  }

  static from(info: ErrorInfo): RuntimeError {
    // Keep the tenant's error name (TypeError, MyError) visible next to the code.
    const details = info.name && info.name !== "RuntimeError" ? { ...info.details, name: info.name } : info.details;
    return new RuntimeError(info.code, info.message, details);
  }

  toInfo(): ErrorInfo {
    const info: ErrorInfo = { code: this.code, name: this.name, message: this.message };
    if (this.details !== undefined) info.details = this.details;
    return info;
  }
}

export function isRuntimeError(value: unknown): value is RuntimeError {
  return value instanceof RuntimeError;
}
