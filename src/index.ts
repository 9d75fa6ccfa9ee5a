import { assertSupportedNode } from "./node-version.js";

// Before anything of tenantbox runs: an older Node.js gets a message, not a crash.
assertSupportedNode();

export { IsolatedRuntime } from "./isolated-runtime.js";
export { JsonText } from "./runner/json-text.js";
export type { HookTarget } from "./registry/manifest.js";
export type {
  RunRequest,
  CodeRequest,
  RuntimeLoad,
  ExecuteResult,
  ExecuteSuccess,
  ExecuteFailure,
  ExecuteStats,
  ValidateOptions,
  EmitOptions,
  HookResult,
  RuntimeEvents,
  RuntimeEventName,
} from "./isolated-runtime.js";
export type { ModuleInfo } from "./loader/module-graph.js";
export { RuntimeError, ERROR_CODES, ERRORS, isRuntimeError } from "./errors.js";
export type { ErrorCode, ErrorInfo, ErrorSpec } from "./errors.js";
export { LIMITS } from "./limits.js";
export type { CallLimits, LimitName, LimitSpec } from "./limits.js";
export type { RuntimeOptions, ToolHandler, ToolCallContext, ScoringGateOptions } from "./options.js";
export type { ScoreReport, ScoreSignal } from "./loader/scoring.js";
export { SECURITY_LEVELS, LEVEL_DEFAULTS } from "./security-levels.js";
export type { SecurityLevel } from "./security-levels.js";
export type { ValidationIssue, ValidationResult } from "./loader/issues.js";
export type { LogEntry } from "./runner/protocol.js";
export type { OsLayers, SandboxUser } from "./runner/sandbox-os.js";
export { missingOsLayers } from "./runner/sandbox-os.js";
