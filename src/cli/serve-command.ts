import net from "node:net";
import cluster from "node:cluster";
import type { EarlyStops } from "./early-stops.js";
import fs from "node:fs";
import path from "node:path";
import { ConfigError, signToken, TenantboxServer, type ServiceConfig, type TenantConfig } from "../service/index.js";
import { environmentSecret } from "../service/auth.js";
import { configFromText, readConfigFile } from "../service/config.js";
import { dataDirectory, EXIT_FAILURE, EXIT_OK, existingFolder, messageOf, parseCommandArgs, parsePositiveInteger, UsageError } from "./args.js";
import { crmLookup } from "./demo-tools.js";
import { configFromPrimary, defaultWorkers, maxWorkers, runPrimary } from "./serve-cluster.js";
import { StopSignals } from "./stop-signals.js";
import { defaultServiceThreads } from "../service/tenant-runtimes.js";
import { MANIFEST_FILE, readManifestFile } from "../registry/manifest.js";
import { LIMITS } from "../limits.js";
import { checkDatabaseUrl } from "../service/postgres-database.js";
import { checkRedisUrl } from "../service/redis-connect.js";
import { usageOf } from "./usage.js";

/** Signs the tokens `--dev` prints. Never use it beyond a laptop: anyone who reads this can mint tokens. */
export const DEV_JWT_SECRET = "tenantbox-development-secret-not-for-production";

export async function serveCommand(argv: string[], early?: EarlyStops): Promise<number> {
  const code = await serve(argv, early);
  // A service process of --workers: its channel to the primary would keep it alive once it is done (and
  // closing the channel ends a cluster worker with status 0, whatever happened).
  if (cluster.isWorker) process.exit(code);
  return code;
}

async function serve(argv: string[], early: EarlyStops | undefined): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    root: { type: "string" },
    config: { type: "string" },
    port: { type: "string" },
    host: { type: "string" },
    data: { type: "string" },
    database: { type: "string" },
    redis: { type: "string" },
    "redis-prefix": { type: "string" },
    "max-threads": { type: "string" },
    workers: { type: "string" },
    watch: { type: "boolean" },
    dev: { type: "boolean" },
    "demo-tools": { type: "boolean" },
  }, false);
  if (values.help) {
    process.stdout.write(usageOf("serve"));
    return EXIT_OK;
  }
  if (values.root === undefined) throw new UsageError("--root <dir> is required (one folder per tenant)");
  if (values.config === undefined) throw new UsageError("--config <file> is required (the tenants)");
  // A file, or nothing at all, would serve every tenant a 404: refused before anything starts.
  const root = existingFolder(values.root, "--root");
  const dataDir = dataDirectory(values.data);
  // Digits only: Number() reads "" (`--port "$UNSET"`) as 0, any free port, and "0x1F90" or "3e3" as numbers too.
  const port = values.port === undefined ? 3000 : /^\d{1,5}$/.test(values.port) ? Number(values.port) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got "${values.port}"`);
  // An empty --host (`--host "$UNSET"`) is no address: Node binds "" to every interface, not the default 127.0.0.1.
  if (values.host !== undefined && values.host.trim() === "") throw new UsageError('--host must not be empty (0.0.0.0 or :: serves every interface; the default is 127.0.0.1)');
  const workers = parsePositiveInteger("--workers", values.workers, maxWorkers()) ?? defaultWorkers();
  // The machine's sandbox workers are divided among the service processes: their total stays two per core.
  const maxThreads = parsePositiveInteger("--max-threads", values["max-threads"], LIMITS.maxThreads.max) ?? (workers > 1 ? Math.max(1, Math.round(defaultServiceThreads() / workers)) : undefined);
  if (values["redis-prefix"] !== undefined && values.redis === undefined) throw new UsageError("--redis-prefix names keys in Redis: it needs --redis");
  // A --database that is no PostgreSQL URL is the command line's fault (exit 2), as for audit and jobs.
  if (values.database !== undefined) {
    try {
      checkDatabaseUrl(values.database);
    } catch (error) {
      throw new UsageError(`--database: ${(error as Error).message}`);
    }
  }
  if (values.redis !== undefined) {
    try {
      checkRedisUrl(values.redis);
    } catch (error) {
      throw new UsageError(`--redis: ${(error as Error).message}`);
    }
  }
  const clusterWorker = workers > 1 && cluster.isWorker;
  // From here on a stop signal drains (exit 0), also one that comes while the service is still starting.
  const stops = new StopSignals({ sigint: !clusterWorker, early });
  if (!(workers > 1 && cluster.isPrimary)) {
    void stops.requested.then((signal) => process.stderr.write(`tenantbox serve: ${signal}: finishing in-flight work\n`));
    // A service process of --workers drains once: a signal sent to the whole group (systemd, a terminal)
    // arrives beside the primary's own; the primary is the one that hurries (SIGKILL).
    if (!clusterWorker) {
      stops.onAgain = (signal) => {
        process.stderr.write(`tenantbox serve: ${signal} again, exiting now\n`);
        process.exit(EXIT_FAILURE);
      };
    }
  }
  let server: TenantboxServer;
  let config: ServiceConfig;
  let secret: string | undefined;
  try {
    // Read once, by the primary of --workers for every service process (a pipe can be read only once).
    const configFile = path.resolve(values.config);
    const configText = clusterWorker ? await configFromPrimary() : readConfigFile(configFile);
    config = configFromText(configFile, configText);
    const level = logLevel(process.env.TENANTBOX_LOG_LEVEL);
    // --dev: a known secret when none is configured, and curl lines with tokens for every tenant.
    secret = environmentSecret() || config.auth.secret || (values.dev ? DEV_JWT_SECRET : undefined);
    if (secret === undefined && config.auth.jwksUrl === undefined) {
      throw new ConfigError("no way to verify tokens: set TENANTBOX_JWT_SECRET, auth.secret or auth.jwksUrl in the config (or pass --dev)");
    }
    // The development secret is in this file for anyone to read: served beyond this machine, anyone who can reach
    // the port could sign a token for any tenant. --dev with a secret of one's own prints curl lines anywhere.
    if (secret === DEV_JWT_SECRET && !isLoopback(values.host ?? "127.0.0.1")) {
      throw new UsageError(
        `--dev's development secret is public: it serves only on a loopback --host (127.0.0.1, ::1, localhost), not ${JSON.stringify(values.host)}; set TENANTBOX_JWT_SECRET (openssl rand -hex 32) to serve there`,
      );
    }
    // The primary checked the config and the secret (above, once); the service processes serve.
    if (workers > 1 && cluster.isPrimary) return await runPrimary(workers, stops, configText);
    server = new TenantboxServer({
      root,
      config,
      dataDir,
      watch: values.watch === true,
      logger: { level },
      ...(maxThreads !== undefined ? { maxThreads } : {}),
      ...(values.redis !== undefined ? { redisUrl: values.redis } : {}),
      ...(values["redis-prefix"] !== undefined ? { redisKeyPrefix: values["redis-prefix"] } : {}),
      ...(clusterWorker ? { shareOnMachine: true, clusterWorker: true } : {}),
      ...(values.database !== undefined ? { databaseUrl: values.database } : {}),
      ...(secret !== undefined ? { jwtSecret: secret } : {}),
    });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // A bad config, secret or data directory: say so and stop, without a stack trace.
    if (error instanceof Error) {
      process.stderr.write(`tenantbox serve: ${messageOf(error)}\n`);
      return EXIT_FAILURE;
    }
    throw error;
  }
  if (values["demo-tools"]) server.tool("crm:lookup", { handler: (args) => crmLookup(args) });

  let url: string;
  try {
    url = await server.listen({ port, host: values.host ?? "127.0.0.1" });
  } catch (error) {
    await server.close();
    process.stderr.write(`tenantbox serve: cannot start: ${messageOf(error)}\n`);
    return EXIT_FAILURE;
  }
  // One set of curl lines, from the first service process (none when it is already stopping).
  if (values.dev && secret !== undefined && stops.signal === undefined && (!clusterWorker || cluster.worker?.id === 1)) {
    await printDevCurls(url, [...config.tenants.values()], secret, root);
  }
  await stops.requested;
  try {
    await server.close();
    return EXIT_OK;
  } catch (error) {
    process.stderr.write(`tenantbox serve: shutdown failed: ${(error as Error).message}\n`);
    return EXIT_FAILURE;
  }
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** TENANTBOX_LOG_LEVEL, any case (pino's own refusal said "default level:x must be included in custom levels"). */
function logLevel(value: string | undefined): string {
  if (value === undefined || value.trim() === "") return "info";
  const level = value.trim().toLowerCase();
  if (!LOG_LEVELS.includes(level)) throw new ConfigError(`TENANTBOX_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(value)}`);
  return level;
}

/**
 * The first handler of a tenant's manifest, for a /v1/run example (none when it has no valid manifest). The
 * manifest is the tenant's: read as the registry reads it (a FIFO, a device, a link outside the folder or an
 * oversized file is refused, never waited on or read whole).
 */
function firstHook(root: string, tenant: string): { file: string; funcName: string } | undefined {
  try {
    const folder = fs.realpathSync.native(path.join(root, tenant));
    const target = readManifestFile(path.join(folder, MANIFEST_FILE), folder)?.manifest?.hooks.values().next().value?.[0];
    return target && /^[\w./-]+$/.test(target.file) ? target : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The argument of a --dev curl line's hook call: an order and a customer at once (the example tenants' first
 * hooks read `id`, `items`; `email`, `name`, `totalSpend`), so that the printed line shows a real answer.
 */
function sampleRecord(tenant: string): Record<string, unknown> {
  return { id: "A-1", items: [{ sku: "mug", price: 12.5, qty: 4 }], email: `Dev.User@${tenant}.example`, name: "dev user", totalSpend: 1200 };
}

async function printDevCurls(url: string, tenants: TenantConfig[], secret: string, root: string): Promise<void> {
  const lines = [`\ntenantbox is serving ${tenants.length} tenant(s) on ${url} (development tokens, valid 30 days):\n`];
  for (const tenant of tenants) {
    const token = await signToken(secret, { tenantId: tenant.id, sub: `dev-user@${tenant.id}` });
    const hook = firstHook(root, tenant.id);
    lines.push(`# ${tenant.id} (${tenant.tier}): its modules and hooks, its usage, an inline script${hook ? `, a call of ${hook.file}#${hook.funcName} with a sample record` : ""}`);
    lines.push(`curl -s -H "Authorization: Bearer ${token}" ${url}/v1/modules`);
    lines.push(`curl -s -H "Authorization: Bearer ${token}" ${url}/v1/usage`);
    lines.push(
      `curl -s -H "Authorization: Bearer ${token}" -H 'content-type: application/json' -d '{"code":"return { plan: context.plan, sum: [1, 2, 3].reduce((a, b) => a + b) }","context":{"plan":"demo"}}' ${url}/v1/execute`,
    );
    if (hook) {
      const args = [sampleRecord(tenant.id)];
      lines.push(`curl -s -H "Authorization: Bearer ${token}" -H 'content-type: application/json' -d '${JSON.stringify({ file: hook.file, funcName: hook.funcName, args })}' ${url}/v1/run`);
    }
    lines.push("");
  }
  process.stdout.write(lines.join("\n") + "\n");
}

/** Whether a --host binds this machine only: localhost, 127.0.0.0/8 or ::1 (also IPv4-mapped). */
function isLoopback(host: string): boolean {
  const name = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (name === "localhost" || name === "::1" || name === "0:0:0:0:0:0:0:1") return true;
  const v4 = name.startsWith("::ffff:") ? name.slice(7) : name;
  return net.isIPv4(v4) && v4.startsWith("127.");
}
