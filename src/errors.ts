import { clipText } from "./loader/issues.js";

/** What each error code means for the runtime, a tool handler and the HTTP service. */
export interface ErrorSpec {
  /** `error.name` when the runtime raises it (a tenant's own exception, RUNTIME_ERROR, keeps its own name). */
  name: "RuntimeError" | "ToolError";
  /**
   * The HTTP status of a service answer whose execution ended with this code: 200 is a report with
   * `success: false`; the others are the caller's answer (a refusal, or what was asked for not existing).
   * QUEUE_FULL and CLOSED never end an execution: the call is refused before it runs.
   */
  status: 200 | 400 | 403 | 404 | 413 | 429 | 500 | 503;
  /** The realm that ran the call may serve the next one (the failure left nothing behind in it). */
  realmReusable: boolean;
  /** A platform's tool handler may end a tool call with it by throwing a RuntimeError carrying it (a policy refusal). */
  toolRefusal: boolean;
  /** Only the runtime itself decides it, never a worker: a result from a sandbox process carrying it is refused. */
  runtimeOnly: boolean;
}

const spec = (status: ErrorSpec["status"], more: Partial<ErrorSpec> = {}): ErrorSpec => ({ name: "RuntimeError", status, realmReusable: false, toolRefusal: false, runtimeOnly: false, ...more });

/** Every way an invocation can fail, as a stable machine-readable code: the one table of them. */
export const ERRORS = {
  VALIDATION_ERROR: spec(200),
  MODULE_NOT_FOUND: spec(404, { realmReusable: true }),
  FUNCTION_NOT_FOUND: spec(404, { realmReusable: true }),
  RUNTIME_ERROR: spec(200, { realmReusable: true }),
  TIMEOUT: spec(200),
  MEMORY_LIMIT_EXCEEDED: spec(200),
  MAX_ITERATIONS: spec(200),
  MAX_TOOL_CALLS: spec(200),
  TOOL_ERROR: spec(200, { name: "ToolError", realmReusable: true }),
  OUTPUT_TOO_LARGE: spec(200),
  QUEUE_FULL: spec(503, { runtimeOnly: true }),
  CLOSED: spec(503, { runtimeOnly: true }),
  INVALID_REQUEST: spec(400, { runtimeOnly: true }),
  SCORING_BLOCKED: spec(200, { runtimeOnly: true }),
  INTERNAL_ERROR: spec(200),
  PERMISSION_DENIED: spec(403, { toolRefusal: true }),
  RATE_LIMITED: spec(429, { toolRefusal: true }),
  QUOTA_EXCEEDED: spec(429, { toolRefusal: true }),
  CODE_TOO_LARGE: spec(413, { runtimeOnly: true }),
  // The caller aborted the call's `signal` (the service: its client disconnected): a call still waiting left
  // the queue, a running one was ended (with its worker, when it ran no guard's way out within the grace).
  CANCELLED: spec(200, { runtimeOnly: true }),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERRORS, value);
}

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

/**
 * Marks every RuntimeError, whichever copy of this module made it: the package ships several bundles that each
 * hold their own copy of the class (dist/index.js, index.cjs, service.js, service.cjs and the CLI's), and a
 * process may load more than one of them (an ES module application whose tool module is CommonJS, a service
 * whose tool handler imports RuntimeError from "tenantbox", a `tenantbox run --tools` module).
 */
const RUNTIME_ERROR_BRAND = Symbol.for("tenantbox.RuntimeError");

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

Object.defineProperty(RuntimeError.prototype, RUNTIME_ERROR_BRAND, { value: true });
// The bundler renames a class whose body names it (`from` does) to `_RuntimeError`, and Node's inspect prints an
// error by its constructor's name: console.log(error) said "_RuntimeError: ...".
Object.defineProperty(RuntimeError, "name", { value: "RuntimeError" });
/**
 * `error instanceof RuntimeError` holds for a RuntimeError of any copy of tenantbox in the process, so that a tool
 * handler's `throw new RuntimeError("PERMISSION_DENIED", ...)` is a refusal and a caller's `catch` sees the
 * runtime's errors, whichever build each imported. A subclass keeps the ordinary test.
 */
Object.defineProperty(RuntimeError, Symbol.hasInstance, {
  value: function hasInstance(this: unknown, value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    return this === RuntimeError && typeof value === "object" && value !== null && (value as { [RUNTIME_ERROR_BRAND]?: unknown })[RUNTIME_ERROR_BRAND] === true;
  },
});

export function isRuntimeError(value: unknown): value is RuntimeError {
  return value instanceof RuntimeError;
}
