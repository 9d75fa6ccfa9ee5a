import path from "node:path";
import { Redis } from "ioredis";
import { Authenticator, environmentSecret } from "./auth.js";
import { loadConfig, parseConfig, permits, type ServiceConfig } from "./config.js";
import { registerDataTools } from "./data-tools.js";
import type { AuditLog } from "./audit-log.js";
import type { DocumentStore } from "./document-store.js";
import type { ConcurrencySlots } from "./concurrency-slots.js";
import { MachineStateClient } from "./machine-state-client.js";
import { ServiceMetrics } from "./metrics.js";
import { RedisSlots } from "./redis-slots.js";
import { checkRedisUrl, connectRedis } from "./redis-connect.js";
import { createServiceStore, PostgresStore, SqliteStore, type ServiceStore } from "./service-store.js";
import { SqliteDeliveryStore } from "./delivery/delivery-store.js";
import { PostgresDeliveryStore } from "./delivery/postgres-delivery-store.js";
import { EventDelivery } from "./delivery/event-delivery.js";
import { BullmqDelivery } from "./delivery/bullmq-delivery.js";
import type { DeliveryEngine } from "./delivery/delivery-engine.js";
import { ServiceTools } from "./service-tools.js";
import { TenantRuntimes } from "./tenant-runtimes.js";
import { throttledLog } from "./throttled-log.js";
import { missingOsLayers } from "../runner/sandbox-os.js";
import { periodOf, UsageLimiter } from "./usage-limiter.js";

export interface ServiceOptions {
  /** Directory with one folder per tenant: `<root>/<tenantId>/`. */
  root: string;
  /**
   * The config file's path, a parsed config (`parseConfig`, `loadConfig`), or the config file's content as an
   * object (`{ tenants: [...] }`), checked as the file is (a ConfigError naming each bad field).
   */
  config: string | ServiceConfig | Record<string, unknown>;
  /** Where the SQLite database lives (audit log, documents). Default `./.tenantbox`. */
  dataDir?: string;
  /** postgres://...: the audit log and documents live in PostgreSQL instead (shared by every node). */
  databaseUrl?: string;
  /** HS256 secret; default `TENANTBOX_JWT_SECRET`, then the config's `auth.secret`. */
  jwtSecret?: string;
  /** A Redis URL (redis://host:port/db): quota counters, rate limits and concurrency slots live there, shared by every node. */
  redisUrl?: string;
  /** What every key this service writes to Redis starts with (several deployments may share one Redis). Default "tenantbox". */
  redisKeyPrefix?: string;
  /**
   * This is one of several service processes of a machine, a worker of `serve --workers` (node:cluster):
   * without Redis, counters, rate limits and concurrency slots are kept by the cluster's primary process.
   */
  shareOnMachine?: boolean;
  maxThreads?: number;
  /** Invocations that may wait for a worker (per memory class) before requests get 503. */
  maxQueue?: number;
  /**
   * Watch tenant folders (chokidar) instead of checking files on every call. Off by default: the watcher
   * runs on the main thread, and a tenant renaming files in a loop can flood it (measured: another
   * tenant's call waited 20 s). Every call sees the files on disk either way.
   */
  watch?: boolean;
  isolation?: "process" | "thread";
  /** Where the service reports its own failures (an audit row it could not write); default stderr. */
  log?: (message: string, error: unknown) => void;
  /** The clock quota periods and audit times follow (tests move it to the next day). Default Date.now. */
  now?: () => number;
  /**
   * Queued events: how long a job taken by a process stays its own without renewal (a process that died
   * gives its jobs back after this). Default 15 s.
   */
  deliveryLeaseMs?: number;
  /** Queued events: the first retry's wait (jittered), doubling with each next one. Default 1 s. */
  deliveryRetryBaseMs?: number;
  /** How often the tenants' schedules are compared with the clock. Default 15 s. */
  scheduleCheckMs?: number;
}

/** Every option ServiceOptions has: any other is a mistake, said at construction (as IsolatedRuntime's are). */
const SERVICE_OPTIONS: ReadonlySet<string> = new Set<keyof ServiceOptions>([
  "root",
  "config",
  "dataDir",
  "databaseUrl",
  "jwtSecret",
  "redisUrl",
  "redisKeyPrefix",
  "shareOnMachine",
  "maxThreads",
  "maxQueue",
  "watch",
  "isolation",
  "log",
  "now",
  "deliveryLeaseMs",
  "deliveryRetryBaseMs",
  "scheduleCheckMs",
]);

/**
 * Unknown options throw a TypeError naming them: `new TenantboxServer({ ..., port: 4000 })` was taken without a
 * word, and the server then listened on listen()'s default, 3000. An empty dataDir is refused: path.resolve("")
 * is the working directory, which would hold the database.
 */
function checkServiceOptions(options: ServiceOptions): void {
  if (options === null || typeof options !== "object") throw new TypeError("tenantbox: service options must be an object");
  for (const key of Object.keys(options)) {
    if (SERVICE_OPTIONS.has(key)) continue;
    const hint = key === "port" || key === "host" ? " (where to listen is listen()'s: server.listen({ port, host }))" : "";
    throw new TypeError(`tenantbox: unknown service option "${key}"${hint}`);
  }
  if (options.dataDir !== undefined && (typeof options.dataDir !== "string" || options.dataDir.trim() === "")) {
    throw new TypeError(`tenantbox: service option dataDir must be a directory's path, got ${JSON.stringify(options.dataDir)}`);
  }
}

/** Far above any answer a working Redis gives (the slot scripts included), well below a client's patience. */
const REDIS_COMMAND_TIMEOUT_MS = 3_000;

const stderrLog = (message: string, error: unknown) =>
  process.stderr.write(`tenantbox: ${message}${error === undefined ? "" : `: ${(error as Error)?.message ?? String(error)}`}\n`);

/**
 * The service's wiring: every part built from the options, started and closed in order. No policy here:
 * who may do what is the TenantService's, on top of these parts.
 */
export class ServiceParts {
  readonly root: string;
  readonly config: ServiceConfig;
  readonly now: () => number;
  readonly log: (message: string, error: unknown) => void;
  readonly auth: Authenticator;
  readonly store: ServiceStore;
  readonly audit: AuditLog;
  readonly limiter: UsageLimiter;
  readonly tools: ServiceTools;
  readonly documents: DocumentStore;
  readonly runtimes: TenantRuntimes;
  readonly metrics: ServiceMetrics;
  /** Queued events and their handlers' jobs: BullMQ with Redis, else the SQLite file of the data directory. */
  readonly delivery: DeliveryEngine;
  private readonly redis: Redis | undefined;
  private readonly machine: MachineStateClient | undefined;
  private readonly slots: ConcurrencySlots | undefined;
  /** PostgreSQL without Redis: the database may be shared by nodes that count usage each on their own. */
  private readonly sharedDatabaseAlone: boolean;

  constructor(options: ServiceOptions) {
    checkServiceOptions(options);
    if (typeof options.root !== "string" || options.root.length === 0) throw new TypeError("tenantbox: service option root is required");
    this.root = path.resolve(options.root);
    this.now = options.now ?? Date.now;
    this.log = options.log ?? stderrLog;
    if (options.redisUrl !== undefined) checkRedisUrl(options.redisUrl);
    this.config = configOf(options.config);
    // An empty TENANTBOX_JWT_SECRET is unset: it hid the config's auth.secret ("auth needs a secret or a jwksUrl").
    if (options.jwtSecret !== undefined && (typeof options.jwtSecret !== "string" || options.jwtSecret.length < 32)) {
      throw new TypeError(`tenantbox: option "jwtSecret" must be a string of at least 32 characters (openssl rand -hex 32 makes one)`);
    }
    const secret = options.jwtSecret ?? environmentSecret() ?? this.config.auth.secret;
    const { jwksUrl, issuer, audience } = this.config.auth;
    this.auth = new Authenticator({
      ...(secret !== undefined && secret !== "" ? { secret } : {}),
      ...(jwksUrl !== undefined ? { jwksUrl } : {}),
      ...(issuer !== undefined ? { issuer } : {}),
      ...(audience !== undefined ? { audience } : {}),
    });
    const maxBytesOf = (id: string) => (this.config.tenants.get(id)?.quotas.maxStoredDataMB ?? 0) * 1024 * 1024;
    const databaseUrl = options.databaseUrl ?? this.config.database?.url;
    this.sharedDatabaseAlone = databaseUrl !== undefined && options.redisUrl === undefined;
    this.store = createServiceStore({
      dataDir: path.resolve(options.dataDir ?? ".tenantbox"),
      maxBytesOf,
      ...(databaseUrl !== undefined ? { databaseUrl } : {}),
      ...(this.config.database?.poolSize !== undefined ? { poolSize: this.config.database.poolSize } : {}),
    });
    try {
      this.audit = this.store.audit;
      this.documents = this.store.documents;
      // No offline queue: while Redis is away, requests are refused (503) instead of piling up. A command
      // timeout: a Redis that is up but does not answer (stopped, swapping) refuses them too, instead of hanging.
      this.redis =
        options.redisUrl !== undefined
          ? new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: REDIS_COMMAND_TIMEOUT_MS, lazyConnect: true })
          : undefined;
      const keyPrefix = options.redisKeyPrefix ?? "tenantbox";
      if (this.redis) {
        // Without a listener ioredis prints "Unhandled error event" on every reconnect attempt.
        this.redis.on("error", throttledLog(this.log, "the usage counters cannot reach Redis"));
        // A beat that finds Redis without this node's keys (restarted empty, failed over): the day's counters
        // may be gone too, and are raised again to what the audit log says was used.
        this.slots = new RedisSlots(this.redis, keyPrefix, undefined, () => {
          void this.restoreCounters().catch((error: unknown) => this.log("could not restore the usage counters in Redis from the audit log", error));
        });
        this.limiter = new UsageLimiter({ now: this.now, keyPrefix, storeClient: this.redis, slots: this.slots });
      } else if (options.shareOnMachine) {
        this.machine = new MachineStateClient();
        this.slots = this.machine.slots();
        this.limiter = new UsageLimiter({ now: this.now, machine: this.machine, slots: this.slots });
      } else {
        this.limiter = new UsageLimiter({ now: this.now });
      }
      this.tools = new ServiceTools(this.limiter);
      registerDataTools(this.tools, this.documents);
      this.runtimes = new TenantRuntimes({
        root: this.root,
        tenants: this.config.tenants.values(),
        tools: this.tools,
        watch: options.watch ?? false,
        ...(this.config.securityLevel !== undefined ? { securityLevel: this.config.securityLevel } : {}),
        ...(this.config.processPerTenant !== undefined ? { processPerTenant: this.config.processPerTenant } : {}),
        ...(options.maxThreads !== undefined ? { maxThreads: options.maxThreads } : {}),
        ...(options.maxQueue !== undefined ? { maxQueue: options.maxQueue } : {}),
        ...(options.isolation !== undefined ? { isolation: options.isolation } : {}),
      });
      const onAttempt = (_tenant: string, outcome: string) => this.metrics.deliveryAttempt(outcome);
      if (options.redisUrl !== undefined) {
        this.delivery = new BullmqDelivery({
          redisUrl: options.redisUrl,
          keyPrefix,
          now: this.now,
          tenants: () => [...this.config.tenants.values()].map((t) => ({ id: t.id, concurrency: t.quotas.maxConcurrentExecutions })),
          ...(options.deliveryRetryBaseMs !== undefined ? { retryBaseMs: options.deliveryRetryBaseMs } : {}),
          ...(options.deliveryLeaseMs !== undefined ? { leaseMs: options.deliveryLeaseMs } : {}),
          log: this.log,
          onAttempt,
        });
      } else {
        this.delivery = this.embeddedDelivery(options, onAttempt);
      }
    } catch (error) {
      void this.store.close();
      throw error;
    }
    this.metrics = new ServiceMetrics(() => this.runtimes.load(), () => this.delivery.counts());
  }

  /**
   * The queue without Redis, in the service's own database: its SQLite file, or PostgreSQL when that is the
   * store (then every node of the database shares it).
   */
  private embeddedDelivery(options: ServiceOptions, onAttempt: (tenant: string, outcome: string) => void): EventDelivery {
    const store = this.store instanceof PostgresStore ? new PostgresDeliveryStore(this.store.db) : new SqliteDeliveryStore((this.store as SqliteStore).db);
    const capacity = Math.max(1, this.runtimes.load().reduce((sum, pool) => sum + pool.capacity, 0));
    return new EventDelivery({
      store,
      now: this.now,
      capacity,
      tenantCapacity: (id) => this.config.tenants.get(id)?.quotas.maxConcurrentExecutions ?? 1,
      ...(options.deliveryLeaseMs !== undefined ? { leaseMs: options.deliveryLeaseMs } : {}),
      ...(options.deliveryRetryBaseMs !== undefined ? { retryBaseMs: options.deliveryRetryBaseMs } : {}),
      log: this.log,
      onAttempt,
    });
  }

  /**
   * Restores today's quota counters from the audit log (a restart must not hand out a fresh day; nor must a
   * Redis that lost them: they are raised to the audit log's totals at start and whenever Redis is found
   * without this node's keys) and waits for the pools.
   */
  async start(): Promise<void> {
    // Nodes that share PostgreSQL share the audit log and the queue, not what they count: say so at start.
    if (this.sharedDatabaseAlone) {
      this.log(
        "PostgreSQL without Redis: daily quotas, rate limits and concurrency slots are counted by this service (and its --workers processes) only; other nodes that share the database count their own (give every node --redis)",
        undefined,
      );
    }
    // An OS layer this host cannot give its sandboxes (a non-root host: no user switch, no namespaces): say so.
    const layers = this.runtimes.all()[0]?.osLayers();
    const missing = layers ? missingOsLayers(layers) : [];
    if (missing.length) {
      this.log(
        `sandbox processes run without ${missing.join("; ")}: code that escaped the realm would keep those powers (SECURITY.md, "The operating-system layer"; run the service as root for all of them)`,
        undefined,
      );
    }
    // A tool the config enables but nobody registered is refused on every call: say so once, at start.
    for (const tenant of this.config.tenants.values()) {
      for (const name of Object.keys(tenant.tools)) {
        if (!this.tools.has(name)) this.log(`tool "${name}" is enabled for tenant "${tenant.id}" but not registered; its calls are refused`, undefined);
        // Enabled in "tools" but not granted in "permissions": as refused (PERMISSION_DENIED), and as easy to miss.
        else if (!permits(tenant.permissions, name)) {
          this.log(`tool "${name}" is enabled for tenant "${tenant.id}" but its permissions do not grant "tool:${name}"; its calls are refused`, undefined);
        }
      }
    }
    await this.store.open();
    if (this.redis) {
      try {
        await connectRedis(this.redis);
      } catch (error) {
        throw new Error(`cannot connect to Redis: ${(error as Error).message}`);
      }
    }
    await this.slots?.start();
    // In memory, today's counters start from the audit log. Redis keeps them, unless it lost them (a restart
    // without persistence): at least the audit log's totals. The primary of --workers keeps them once it has
    // them (the first of its processes to start takes them from the audit log).
    if (this.redis) await this.restoreCounters();
    else {
      const since = periodOf(this.now()).start;
      for (const id of this.config.tenants.keys()) {
        const totals = await this.audit.totals(id, since);
        await (this.machine ? this.limiter.seedIfAbsent(id, totals) : this.limiter.seed(id, totals));
      }
    }
    await this.runtimes.ready();
  }

  /** Raises today's counters in Redis to the audit log's totals (never lowers them: other nodes count there too). */
  private async restoreCounters(): Promise<void> {
    const since = periodOf(this.now()).start;
    for (const id of this.config.tenants.keys()) await this.limiter.raiseTo(id, await this.audit.totals(id, since));
  }

  /** Lets admitted work finish, ends the pools, then closes the store (SQLite: WAL checkpointed). */
  async close(): Promise<void> {
    try {
      await this.runtimes.close();
    } finally {
      try {
        await this.slots?.close();
      } finally {
        this.redis?.disconnect();
        await this.store.close();
      }
    }
  }
}

/** A parsed config: what parseConfig returns (its tenants a Map); anything else is a config's content to check. */
function isParsedConfig(value: unknown): value is ServiceConfig {
  if (typeof value !== "object" || value === null) return false;
  const { auth, tenants } = value as Partial<ServiceConfig>;
  return tenants instanceof Map && typeof auth === "object" && auth !== null;
}

function configOf(config: ServiceOptions["config"]): ServiceConfig {
  if (typeof config === "string") return loadConfig(config);
  return isParsedConfig(config) ? config : parseConfig(config);
}
