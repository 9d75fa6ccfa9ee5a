import Ajv, { type ValidateFunction } from "ajv";
import { RuntimeError } from "../errors.js";
import { permits, type RateLimit, type TenantConfig } from "./config.js";
import { ServiceError } from "./service-error.js";
import type { UsageLimiter } from "./usage-limiter.js";

/** What a tool handler learns about its caller. */
export interface ToolContext {
  tenantId: string;
  /** The token's `sub`, or null. */
  user: string | null;
  /** The tenant's settings for this tool in the config file (`tools.<name>.config`), or {}. */
  config: Record<string, unknown>;
}

export interface ToolDefinition {
  handler: (args: unknown, ctx: ToolContext) => unknown | Promise<unknown>;
  /** JSON schema the arguments must match (ajv); a mismatch fails the call with TOOL_ERROR before the handler runs. */
  schema?: object;
  /** Default per-tenant rate limit; a tenant's `tools.<name>.rateLimit` in the config overrides it. */
  rateLimit?: RateLimit;
}

/** Who is calling, as the service passes it along with an execution (the runtime's `meta`). */
export interface CallerMeta {
  tenant: TenantConfig;
  user: string | null;
  /** The token's permissions claim (null: the token does not narrow the tenant's permissions). */
  tokenPermissions: string[] | null;
  /** Set when a tool call was refused with a wait: the HTTP answer's Retry-After. */
  retryAfterMs?: number;
  /** Tool calls of this execution the daily quota was charged for. */
  chargedToolCalls: number;
}

interface Registered extends ToolDefinition {
  builtIn: boolean;
  validate?: ValidateFunction;
}

const TOOL_NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * The tools tenants may call: the built-in data tools and the host's own. Every call is checked against
 * the tenant's config and the token before anything runs: enabled for the tenant, granted by both, within
 * its rate limit and the tenant's daily tool-call quota, arguments valid.
 */
export class ServiceTools {
  private readonly tools = new Map<string, Registered>();
  private readonly ajv = new Ajv({ allErrors: false, strict: false });

  constructor(private readonly limiter: UsageLimiter) {}

  register(name: string, definition: ToolDefinition, builtIn = false): void {
    if (typeof name !== "string" || !TOOL_NAME.test(name)) throw new TypeError(`tenantbox: invalid tool name ${JSON.stringify(name)}`);
    if (!definition || typeof definition.handler !== "function") throw new TypeError(`tenantbox: tool "${name}" needs a handler function`);
    const existing = this.tools.get(name);
    if (existing && (builtIn || existing.builtIn)) throw new TypeError(`tenantbox: tool "${name}" is already registered`);
    const registered: Registered = { ...definition, builtIn };
    if (definition.schema !== undefined) {
      try {
        registered.validate = this.ajv.compile(definition.schema);
      } catch (error) {
        throw new TypeError(`tenantbox: tool "${name}" has an invalid schema: ${(error as Error).message}`);
      }
    }
    this.tools.set(name, registered);
  }

  has(name: string): boolean {
    return this.tools.has(name);
  }

  /** The runtime's tool handler: refusals are RuntimeErrors with a policy code, other failures plain errors (TOOL_ERROR). */
  async call(name: string, args: unknown, meta: CallerMeta | undefined): Promise<unknown> {
    if (!meta) throw new RuntimeError("PERMISSION_DENIED", "tools are not available to this call");
    const { tenant } = meta;
    const tool = this.tools.get(name);
    const settings = Object.hasOwn(tenant.tools, name) ? tenant.tools[name] : undefined;
    // An unknown tool and a tool the tenant may not use read the same: a tenant cannot probe what exists.
    if (!tool || !settings) throw new RuntimeError("PERMISSION_DENIED", `tool "${name}" is not enabled for this tenant`);
    if (!permits(tenant.permissions, name)) throw new RuntimeError("PERMISSION_DENIED", `tenant has no permission "tool:${name}"`);
    if (meta.tokenPermissions !== null && !permits(meta.tokenPermissions, name)) {
      throw new RuntimeError("PERMISSION_DENIED", `token has no permission "tool:${name}"`);
    }
    const rateLimit = settings.rateLimit ?? tool.rateLimit;
    try {
      if (rateLimit) await this.limiter.takeRate(`tool:${tenant.id}:${name}`, rateLimit);
      await this.limiter.takeToolCall(tenant.id, tenant.quotas);
      meta.chargedToolCalls++;
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      if (error.retryAfterMs !== undefined) meta.retryAfterMs = Math.max(meta.retryAfterMs ?? 0, error.retryAfterMs);
      throw new RuntimeError(error.code === "RATE_LIMITED" ? "RATE_LIMITED" : "QUOTA_EXCEEDED", `tool "${name}": ${error.message}`);
    }
    if (tool.validate && !tool.validate(args)) {
      const first = tool.validate.errors?.[0];
      const where = first?.instancePath ? `args${first.instancePath.replace(/\//g, ".")}` : "args";
      throw new Error(`tool "${name}": invalid arguments: ${where} ${first?.message ?? "do not match the schema"}`);
    }
    return tool.handler(args, { tenantId: tenant.id, user: meta.user, config: settings.config ?? {} });
  }
}
