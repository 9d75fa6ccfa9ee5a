import Ajv, { type ValidateFunction } from "ajv";
import { RuntimeError } from "../errors.js";
import type { Caller } from "./caller.js";
import { permits, type RateLimit } from "./config.js";
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

/** What one execution's tool calls came to. */
export interface ToolUsage {
  /** Tool calls charged to the tenant's daily quota. */
  charged: number;
  /** The longest wait a refused tool call asked for (the HTTP answer's Retry-After), if one did. */
  retryAfterMs?: number;
}

interface Registered extends ToolDefinition {
  builtIn: boolean;
  validate?: ValidateFunction;
}

/**
 * One execution's tally, private to this file: the runtime carries it as the call's opaque `meta` to each
 * tool call, and `metered()` returns what it counted once the execution has ended.
 */
class Tally {
  charged = 0;
  retryAfterMs: number | undefined;

  constructor(readonly caller: Caller) {}

  usage(): ToolUsage {
    return this.retryAfterMs !== undefined ? { charged: this.charged, retryAfterMs: this.retryAfterMs } : { charged: this.charged };
  }
}

const TOOL_NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * The tools tenants may call: the built-in data tools and the platform's own. Every call is checked against
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

  /**
   * Runs one execution for `caller`: `execute` gets the `meta` to hand the runtime, through which the
   * execution's tool calls reach `call()`. Returns the execution's result and what its tool calls came to.
   */
  async metered<T>(caller: Caller, execute: (meta: unknown) => Promise<T>): Promise<{ result: T; usage: ToolUsage }> {
    const tally = new Tally(caller);
    const result = await execute(tally);
    return { result, usage: tally.usage() };
  }

  /** The runtime's tool handler: refusals are RuntimeErrors with a policy code, other failures plain errors (TOOL_ERROR). */
  async call(name: string, args: unknown, meta: unknown): Promise<unknown> {
    if (!(meta instanceof Tally)) throw new RuntimeError("PERMISSION_DENIED", "tools are not available to this call");
    const { tenant, principal } = meta.caller;
    const tool = this.tools.get(name);
    const settings = Object.hasOwn(tenant.tools, name) ? tenant.tools[name] : undefined;
    // An unknown tool and a tool the tenant may not use read the same: a tenant cannot probe what exists.
    if (!tool || !settings) throw new RuntimeError("PERMISSION_DENIED", `tool "${name}" is not enabled for this tenant`);
    if (!permits(tenant.permissions, name)) throw new RuntimeError("PERMISSION_DENIED", `tenant has no permission "tool:${name}"`);
    if (principal.permissions !== null && !permits(principal.permissions, name)) {
      throw new RuntimeError("PERMISSION_DENIED", `token has no permission "tool:${name}"`);
    }
    // Arguments the tool refuses are the caller's mistake, answered before anything is counted: such a call
    // took a point of the tool's rate limit and one of the day's tool calls, and the corrected call that
    // followed it was refused RATE_LIMITED.
    if (tool.validate && !tool.validate(args)) {
      const first = tool.validate.errors?.[0];
      const where = first?.instancePath ? `args${first.instancePath.replace(/\//g, ".")}` : "args";
      throw new Error(`tool "${name}": invalid arguments: ${where} ${first?.message ?? "do not match the schema"}`);
    }
    const rateLimit = settings.rateLimit ?? tool.rateLimit;
    try {
      if (rateLimit) await this.limiter.takeRate(`tool:${tenant.id}:${name}`, rateLimit);
      await this.limiter.takeToolCall(tenant.id, tenant.quotas);
      meta.charged++;
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      if (error.retryAfterMs !== undefined) meta.retryAfterMs = Math.max(meta.retryAfterMs ?? 0, error.retryAfterMs);
      throw new RuntimeError(error.code === "RATE_LIMITED" ? "RATE_LIMITED" : "QUOTA_EXCEEDED", `tool "${name}": ${error.message}`);
    }
    return tool.handler(args, { tenantId: tenant.id, user: principal.user, config: settings.config ?? {} });
  }
}
