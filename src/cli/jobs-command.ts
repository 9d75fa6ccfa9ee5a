import { BullmqDelivery } from "../service/delivery/bullmq-delivery.js";
import { SqliteDeliveryStore, type JobFilter, type JobListing } from "../service/delivery/delivery-store.js";
import { PostgresDeliveryStore } from "../service/delivery/postgres-delivery-store.js";
import { dataDirectory, EXIT_FAILURE, EXIT_OK, parseCommandArgs, parsePositiveInteger, UsageError } from "./args.js";
import { cell, jsonLine } from "./format.js";
import { readPostgres } from "./read-postgres.js";
import { readSqlite } from "./read-sqlite.js";
import { usageOf } from "./usage.js";
import { checkRedisUrl } from "../service/redis-connect.js";

/** The most jobs one `tenantbox jobs` lists (`--limit`). */
const MAX_JOBS = 10_000;

/**
 * `tenantbox jobs`: the queued events' jobs (one per handler), newest first, from where the service keeps
 * them: the SQLite file (--data), PostgreSQL (--database) or Redis (--redis, BullMQ). `--failed`: dead letters only.
 */
export async function jobsCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    data: { type: "string" },
    database: { type: "string" },
    redis: { type: "string" },
    "redis-prefix": { type: "string" },
    tenant: { type: "string" },
    failed: { type: "boolean" },
    limit: { type: "string" },
    json: { type: "boolean" },
  }, false);
  if (values.help) {
    process.stdout.write(usageOf("jobs"));
    return EXIT_OK;
  }
  const sources = [values.data, values.database, values.redis].filter((v) => v !== undefined).length;
  if (sources > 1) throw new UsageError("give one of --data (SQLite), --database (PostgreSQL) or --redis (BullMQ)");
  if (values["redis-prefix"] !== undefined && values.redis === undefined) throw new UsageError("--redis-prefix names keys in Redis: it needs --redis");
  if (values.redis !== undefined) {
    try {
      checkRedisUrl(values.redis);
    } catch (error) {
      throw new UsageError(`--redis: ${(error as Error).message}`);
    }
  }
  const filter: JobFilter = {
    limit: parsePositiveInteger("--limit", values.limit, MAX_JOBS) ?? 100,
    ...(values.tenant !== undefined ? { tenant: values.tenant } : {}),
    ...(values.failed ? { failed: true } : {}),
  };
  const jobs =
    values.redis !== undefined
      ? await redisJobs(values.redis, values["redis-prefix"] ?? "tenantbox", filter)
      : values.database !== undefined
        ? await postgresJobs(values.database, filter)
        : await sqliteJobs(dataDirectory(values.data), filter);
  if (typeof jobs === "string") {
    process.stderr.write(`tenantbox jobs: ${jobs}\n`);
    return EXIT_FAILURE;
  }
  if (values.json) for (const job of jobs) process.stdout.write(jsonLine(job));
  else process.stdout.write(formatJobs(jobs, filter.failed === true));
  return EXIT_OK;
}

function sqliteJobs(dataDir: string, filter: JobFilter): Promise<JobListing[] | string> {
  return readSqlite(dataDir, "the queue", (db) => new SqliteDeliveryStore(db).list(filter));
}

function postgresJobs(url: string, filter: JobFilter): Promise<JobListing[] | string> {
  return readPostgres(url, "the queue", (db) => new PostgresDeliveryStore(db).list(filter));
}

async function redisJobs(url: string, prefix: string, filter: JobFilter): Promise<JobListing[] | string> {
  const queue = new BullmqDelivery({ redisUrl: url, keyPrefix: prefix, now: Date.now, tenants: () => [], log: () => {} });
  try {
    return await queue.list(filter);
  } catch (error) {
    return `cannot read the queue in Redis: ${(error as Error).message}`;
  } finally {
    await queue.close();
  }
}

function formatJobs(jobs: JobListing[], failed: boolean): string {
  if (jobs.length === 0) return failed ? "no dead letters\n" : "no jobs\n";
  const lines = ["time                     tenant           id                                    event                handler                          state      tries  last error"];
  for (const job of jobs) {
    const error = job.lastResult?.error ? `${job.lastResult.error.code}: ${job.lastResult.error.message}` : "";
    lines.push(
      [
        new Date(job.finishedAt ?? job.queuedAt).toISOString().padEnd(24),
        cell(job.tenant, 16),
        cell(job.id, 37),
        cell(job.event, 20),
        cell(`${job.file}#${job.funcName}`, 32),
        job.state.padEnd(10),
        `${job.attempts}/${job.maxAttempts}`.padStart(5),
        " " + cell(error, 60).trimEnd(),
      ].join(" "),
    );
  }
  return lines.join("\n") + "\n";
}
