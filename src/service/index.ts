import { assertSupportedNode } from "../node-version.js";

// Before the SQLite addon can load: on Node 20 it ended the process with a segmentation fault.
assertSupportedNode();

// tenantbox/service: the multi-tenant HTTP service. A separate entry point, so that embedding the runtime
// alone never loads fastify, SQLite or the JWT library.
export { TenantboxServer, type ServerOptions } from "./http-api.js";
export { TenantService, type ServiceOptions, type RunBody, type Outcome, type UsageAnswer } from "./tenant-service.js";
export type { Caller } from "./caller.js";
// A platform tool refuses a call with `throw new RuntimeError("PERMISSION_DENIED" | "RATE_LIMITED" | "QUOTA_EXCEEDED", message)`.
export { RuntimeError } from "../errors.js";
export { ServiceError, SERVICE_ERROR_STATUS, RUNTIME_REFUSALS, type ServiceErrorCode, type RuntimeRefusal } from "./service-error.js";
export { signToken, type Principal } from "./auth.js";
export { loadConfig, parseConfig, ConfigError, permits, type ServiceConfig, type TenantConfig, type ToolSettings, type RateLimit } from "./config.js";
export { TIER_QUOTAS, TIER_NAMES, type Quotas, type TierName } from "./tiers.js";
export type { ToolDefinition, ToolContext } from "./service-tools.js";
export type { AuditRow, AuditEntry } from "./audit-log.js";
