import { closeSync, openSync, readSync } from "node:fs";
import Ajv, { type ErrorObject } from "ajv";
import { SECURITY_LEVELS, type SecurityLevel } from "../security-levels.js";
import { duplicateJsonKeys, jsonErrorLocation, jsonErrorMessage, lineLocator } from "../loader/json-positions.js";
import { TIER_NAMES, TIER_QUOTAS, type Quotas, type TierName } from "./tiers.js";

/** A permission: "tool:<name>", "tool:<prefix>*" or "tool:*" (the config's, and `tenantbox token --permissions`). */
export const PERMISSION = /^tool:(\*|[A-Za-z0-9_.:-]+\*?)$/;

/** `points` per `duration` seconds. */
export interface RateLimit {
  points: number;
  duration: number;
}

export interface ToolSettings {
  rateLimit?: RateLimit;
  config?: Record<string, unknown>;
}

export interface TenantConfig {
  id: string;
  tier: TierName;
  permissions: string[];
  tools: Record<string, ToolSettings>;
  /** Resolved: tier defaults <- config.tiers[tier] <- the tenant's own overrides. */
  quotas: Quotas;
  /** HTTP requests per tenant. */
  rateLimit?: RateLimit;
}

export interface AuthConfig {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

export interface DatabaseConfig {
  /** postgres://...: the audit log and documents in PostgreSQL (every node the same). */
  url?: string;
  /** Connections each service process keeps open at most (default 10). */
  poolSize?: number;
}

export interface ServiceConfig {
  auth: AuthConfig;
  database?: DatabaseConfig;
  tenants: Map<string, TenantConfig>;
  securityLevel?: SecurityLevel;
  /**
   * Each sandbox process serves one tenant for its whole life (the runtime's processPerTenant): code that escaped
   * the realm in one tenant's call never runs, sees or answers another tenant's (SECURITY.md). Default false.
   */
  processPerTenant?: boolean;
}

/** A config that cannot be used; `problems` holds one line per bad field, each naming its path. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[] = [message],
  ) {
    super(message);
    this.name = "ConfigError";
  }
}

const QUOTA_RANGES: Record<keyof Quotas, [number, number]> = {
  maxExecutionsPerDay: [0, 1e9],
  maxExecutionDurationMs: [1, 3_600_000],
  maxConcurrentExecutions: [1, 10_000],
  maxToolCallsPerExecution: [0, 1_000_000],
  maxToolCallsPerDay: [0, 1e9],
  maxMemoryMB: [16, 65_536],
  maxCodeSizeKB: [1, 4096],
  maxOutputSizeKB: [1, 1_048_576],
  maxStoredDataMB: [0, 1_048_576],
  maxDeliveryAttempts: [1, 25],
  maxSchedules: [0, 64],
  maxQueuedEvents: [0, 10_000_000],
};

const int = (minimum: number, maximum: number) => ({ type: "integer", minimum, maximum });

const quotasSchema = {
  type: "object",
  additionalProperties: false,
  properties: Object.fromEntries(Object.entries(QUOTA_RANGES).map(([k, [lo, hi]]) => [k, int(lo, hi)])),
};

const rateLimitSchema = {
  type: "object",
  additionalProperties: false,
  required: ["points", "duration"],
  properties: { points: int(1, 1e9), duration: int(1, 86_400) },
};

// `errorMessage` is an annotation (no validation): the text shown when a pattern fails.
const schema = {
  type: "object",
  additionalProperties: false,
  required: ["tenants"],
  properties: {
    auth: {
      type: "object",
      additionalProperties: false,
      properties: {
        secret: { type: "string", minLength: 32 },
        jwksUrl: { type: "string", pattern: "^https?://\\S+$", errorMessage: "must be an http(s) URL" },
        issuer: { type: "string", minLength: 1 },
        audience: { type: "string", minLength: 1 },
      },
    },
    database: {
      type: "object",
      additionalProperties: false,
      properties: {
        url: { type: "string", pattern: "^postgres(ql)?://\\S+$", errorMessage: "must be a postgres:// or postgresql:// URL" },
        poolSize: int(1, 1000),
      },
    },
    securityLevel: { enum: [...SECURITY_LEVELS] },
    processPerTenant: { type: "boolean" },
    tiers: {
      type: "object",
      additionalProperties: false,
      properties: Object.fromEntries(TIER_NAMES.map((t) => [t, quotasSchema])),
    },
    tenants: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["id", "tier"],
        properties: {
          // The id is a folder name under the root: no dots, no slashes.
          id: {
            type: "string",
            pattern: "^[a-z0-9][a-z0-9_-]{0,63}$",
            errorMessage: "must be 1-64 of a-z, 0-9, _ or -, starting with a letter or digit",
          },
          tier: { enum: [...TIER_NAMES] },
          permissions: {
            type: "array",
            items: {
              type: "string",
              pattern: PERMISSION.source,
              errorMessage: 'must be "tool:<name>", "tool:<prefix>*" or "tool:*"',
            },
          },
          tools: {
            type: "object",
            propertyNames: {
              pattern: "^[A-Za-z0-9_.:-]{1,128}$",
              errorMessage: "invalid tool name: must be 1-128 of A-Z, a-z, 0-9, _ . : -",
            },
            additionalProperties: {
              type: "object",
              additionalProperties: false,
              properties: { rateLimit: rateLimitSchema, config: { type: "object" } },
            },
          },
          quotas: quotasSchema,
          rateLimit: rateLimitSchema,
        },
      },
    },
  },
};

const ajv = new Ajv({ allErrors: true, verbose: true });
ajv.addKeyword({ keyword: "errorMessage", schemaType: "string" });
const validate = ajv.compile(schema);

interface RawTenant {
  id: string;
  tier: TierName;
  permissions?: string[];
  tools?: Record<string, ToolSettings>;
  quotas?: Partial<Quotas>;
  rateLimit?: RateLimit;
}
interface RawConfig {
  auth?: AuthConfig;
  database?: DatabaseConfig;
  securityLevel?: SecurityLevel;
  processPerTenant?: boolean;
  tiers?: Partial<Record<TierName, Partial<Quotas>>>;
  tenants: RawTenant[];
}

/** Validates a parsed config file and resolves each tenant's quotas; throws ConfigError listing every problem. */
export function parseConfig(raw: unknown): ServiceConfig {
  const problems = validate(raw) ? [] : describe(validate.errors ?? [], raw);
  const cfg = raw as RawConfig;
  // Checks a schema cannot express; written defensively since the schema may have failed.
  const jwksUrl = (cfg as Partial<RawConfig> | null)?.auth?.jwksUrl;
  if (typeof jwksUrl === "string" && /^https?:\/\/\S+$/.test(jwksUrl) && !URL.canParse(jwksUrl)) {
    problems.push("auth.jwksUrl: must be an http(s) URL");
  }
  const tenantList: unknown = (cfg as Partial<RawConfig> | null)?.tenants;
  const seen = new Map<unknown, number>();
  (Array.isArray(tenantList) ? tenantList : []).forEach((t: Partial<RawTenant> | null, i) => {
    if (typeof t?.id !== "string") return;
    const first = seen.get(t.id);
    if (first !== undefined) problems.push(`tenants[${i}].id: duplicate id "${t.id}" (first at tenants[${first}])`);
    else seen.set(t.id, i);
  });
  if (problems.length > 0) {
    const n = problems.length;
    throw new ConfigError(`invalid config (${n} problem${n === 1 ? "" : "s"}):\n  ${problems.join("\n  ")}`, problems);
  }

  const tenants = new Map<string, TenantConfig>();
  for (const t of cfg.tenants) {
    tenants.set(t.id, {
      id: t.id,
      tier: t.tier,
      permissions: [...(t.permissions ?? [])],
      // Null prototype: looking up a tool named "constructor" must not find Object.prototype's.
      tools: Object.assign(Object.create(null) as Record<string, ToolSettings>, structuredClone(t.tools ?? {})),
      quotas: { ...TIER_QUOTAS[t.tier], ...cfg.tiers?.[t.tier], ...t.quotas },
      ...(t.rateLimit ? { rateLimit: { ...t.rateLimit } } : {}),
    });
  }
  return {
    auth: { ...cfg.auth },
    ...(cfg.database ? { database: { ...cfg.database } } : {}),
    tenants,
    ...(cfg.securityLevel ? { securityLevel: cfg.securityLevel } : {}),
    ...(cfg.processPerTenant !== undefined ? { processPerTenant: cfg.processPerTenant } : {}),
  };
}

/** The largest config file read (a config of 100,000 tenants is about 10 MiB). */
export const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

/**
 * A config file's text, read in chunks up to `MAX_CONFIG_BYTES`: a file (or a device such as /dev/zero, or a
 * pipe) that goes on is refused instead of filling the memory. Pipes still work (`--config <(...)`).
 */
function readConfigText(file: string): string {
  const fd = openSync(file, "r");
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(1024 * 1024);
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      total += read;
      if (total > MAX_CONFIG_BYTES) throw new ConfigError(`${file}: the config is larger than ${MAX_CONFIG_BYTES} bytes`);
      chunks.push(chunk.subarray(0, read));
    }
    return Buffer.concat(chunks, total).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** Reads and validates a JSON config file; every error names the file. */
export function loadConfig(file: string): ServiceConfig {
  return configFromText(file, readConfigFile(file));
}

/** A config file's text, read once (a pipe such as `--config <(...)` can only be read once); errors name the file. */
export function readConfigFile(file: string): string {
  try {
    return readConfigText(file);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`${file}: cannot read config (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** Validates a config file's text (`readConfigFile`); every error names the file. */
export function configFromText(file: string, written: string): ServiceConfig {
  const text = written.replace(/^\uFEFF/, "");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: invalid JSON${where(text)}: ${jsonErrorMessage(err)}`);
  }
  // JSON.parse keeps the last of a key written twice: a second "permissions" or "tier" in a tenant, or a second
  // "tenants", would silently replace the first. Said as problems, with the schema's.
  const locate = lineLocator(text);
  const duplicates = duplicateJsonKeys(text).map(({ path: segs, offset }) => {
    const { line, column } = locate(offset);
    return `${keyPath(segs)}: written twice (again at line ${line} column ${column}); keep one`;
  });
  let config: ServiceConfig | undefined;
  let problems: readonly string[] = [];
  try {
    config = parseConfig(raw);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems = err.problems;
  }
  if (config !== undefined && duplicates.length === 0) return config;
  const all = [...duplicates, ...problems];
  throw new ConfigError(`${file}: invalid config (${all.length} problem${all.length === 1 ? "" : "s"}):\n  ${all.join("\n  ")}`, all);
}

/** A key's path as the config's problems spell it: tenants[0].tools["data:query"]. */
function keyPath(segs: readonly (string | number)[]): string {
  let out = "";
  for (const seg of segs) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** True when a grant allows the tool: `tool:<name>` exactly, `tool:*`, or `tool:<prefix>*` whose prefix matches literally. */
export function permits(grants: readonly string[], tool: string): boolean {
  for (const grant of grants) {
    if (typeof grant !== "string" || !grant.startsWith("tool:")) continue; // token claims are untrusted
    const name = grant.slice(5);
    if (name.endsWith("*") ? tool.startsWith(name.slice(0, -1)) : name === tool) return true;
  }
  return false;
}

// " at line L column C" (V8 names no position for some errors).
function where(text: string): string {
  const { line, column } = jsonErrorLocation(text);
  return ` at line ${line} column ${column}`;
}

/** One line per bad field, e.g. `tenants[1].tier: must be one of free, starter, enterprise`. */
function describe(errors: ErrorObject[], data: unknown): string[] {
  const out = new Map<string, string>(); // first problem per path wins: a wrong type makes range errors noise
  for (const e of errors) {
    const segs = e.instancePath === "" ? [] : e.instancePath.slice(1).split("/").map(unescapePointer);
    let msg: string;
    switch (e.keyword) {
      case "propertyNames":
        continue; // reported by the inner pattern error, which carries the name
      case "required":
        segs.push(e.params.missingProperty);
        msg = "is required";
        break;
      case "additionalProperties": {
        segs.push(e.params.additionalProperty);
        const allowed = Object.keys((e.parentSchema as { properties?: object })?.properties ?? {});
        msg = `unknown key${allowed.length ? ` (allowed: ${allowed.join(", ")})` : ""}`;
        break;
      }
      case "enum":
        msg = `must be one of ${(e.params.allowedValues as unknown[]).join(", ")}`;
        break;
      case "type":
        msg = e.params.type === "integer" || e.params.type === "array" || e.params.type === "object"
          ? `must be an ${e.params.type}`
          : `must be a ${e.params.type}`;
        break;
      case "minimum":
      case "maximum":
        msg = `must be an integer ${e.params.comparison} ${e.params.limit}`;
        break;
      case "minLength":
        msg = `must be at least ${e.params.limit} characters`;
        break;
      case "pattern":
        msg = (e.parentSchema as { errorMessage?: string })?.errorMessage ?? `must match ${e.params.pattern}`;
        break;
      default:
        msg = e.message ?? "is invalid";
    }
    if (e.propertyName !== undefined) segs.push(e.propertyName);
    const path = formatPath(segs, data);
    if (!out.has(path)) out.set(path, `${path || "(root)"}: ${msg}`);
  }
  return [...out.values()];
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, "/").replace(/~0/g, "~");
}

// Array indexes as [n], identifiers as .name, anything else (tool names like "data:query") as ["..."].
function formatPath(segs: string[], data: unknown): string {
  let path = "";
  let node: unknown = data;
  for (const seg of segs) {
    if (Array.isArray(node)) path += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(seg)) path += path ? `.${seg}` : seg;
    else path += `[${JSON.stringify(seg)}]`;
    node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[seg] : undefined;
  }
  return path;
}
