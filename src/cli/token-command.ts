import path from "node:path";
import { ConfigError, loadConfig, signToken } from "../service/index.js";
import { environmentSecret } from "../service/auth.js";
import { PERMISSION } from "../service/config.js";
import { EXIT_FAILURE, EXIT_OK, parseCommandArgs, UsageError } from "./args.js";
import { DEV_JWT_SECRET } from "./serve-command.js";
import { usageOf } from "./usage.js";

/** jose's time spans: a number and a unit (600s, 15m, 12h, 30d, 1w). */
const TTL = /^\d{1,6}(s|m|h|d|w)$/;

/**
 * `tenantbox token --config <file> --tenant <id> [--sub <name>] [--permissions a,b] [--ttl 30d] [--dev]`: a token
 * for one tenant of the config, signed with the secret `tenantbox serve` verifies with (TENANTBOX_JWT_SECRET, the
 * config's auth.secret, or with --dev the development secret), on stdout.
 */
export async function tokenCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    config: { type: "string" },
    tenant: { type: "string" },
    sub: { type: "string" },
    permissions: { type: "string" },
    ttl: { type: "string" },
    dev: { type: "boolean" },
  }, false);
  if (values.help) {
    process.stdout.write(usageOf("token"));
    return EXIT_OK;
  }
  if (values.config === undefined) throw new UsageError("--config <file> is required (the tenants)");
  if (values.tenant === undefined) throw new UsageError("--tenant <id> is required");
  const ttl = values.ttl ?? "30d";
  if (!TTL.test(ttl) || Number.parseInt(ttl, 10) === 0) throw new UsageError(`--ttl must be a number above 0 and a unit (s, m, h, d, w), such as 12h or 30d; got "${ttl}"`);
  const permissions = values.permissions === undefined ? undefined : parsePermissions(values.permissions);
  try {
    const config = loadConfig(path.resolve(values.config));
    const tenant = config.tenants.get(values.tenant);
    if (!tenant) {
      process.stderr.write(`tenantbox token: the config has no tenant "${values.tenant}" (it has: ${[...config.tenants.keys()].join(", ")})\n`);
      return EXIT_FAILURE;
    }
    const secret = environmentSecret() || config.auth.secret || (values.dev ? DEV_JWT_SECRET : undefined);
    if (secret === undefined) {
      process.stderr.write("tenantbox token: no secret to sign with: set TENANTBOX_JWT_SECRET or auth.secret in the config (or pass --dev); a JWKS-verified service takes tokens from your identity provider\n");
      return EXIT_FAILURE;
    }
    const token = await signToken(
      secret,
      {
        tenantId: tenant.id,
        ...(values.sub !== undefined ? { sub: values.sub } : {}),
        ...(permissions !== undefined ? { permissions } : {}),
        ...(config.auth.issuer !== undefined ? { issuer: config.auth.issuer } : {}),
        ...(config.auth.audience !== undefined ? { audience: config.auth.audience } : {}),
      },
      ttl,
    );
    process.stdout.write(token + "\n");
    return EXIT_OK;
  } catch (error) {
    // --sub or --permissions too long for a token the service accepts: the command line's fault.
    if (error instanceof RangeError) throw new UsageError(error.message);
    // A config that does not load, or a secret too short to sign with (at least 32 characters).
    if (!(error instanceof ConfigError) && !(error instanceof TypeError)) throw error;
    process.stderr.write(`tenantbox token: ${error.message}\n`);
    return EXIT_FAILURE;
  }
}

/** `--permissions a,b`: each one as the config's permissions are written; "" is none at all (no tool allowed). */
function parsePermissions(value: string): string[] {
  if (value.trim() === "") return [];
  return value.split(",").map((entry) => {
    const permission = entry.trim();
    if (!PERMISSION.test(permission)) {
      throw new UsageError(`--permissions: each must be "tool:<name>", "tool:<prefix>*" or "tool:*" (comma-separated), got ${JSON.stringify(permission)}`);
    }
    return permission;
  });
}
