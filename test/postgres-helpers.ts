import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * The project's machines run PostgreSQL at 127.0.0.1:5432 (trust auth, database `test`) before any test
 * starts; TENANTBOX_TEST_POSTGRES names another server. Each suite works in schemas of its own, dropped at
 * the end. A test that cannot reach the server fails, saying so: it is required, never skipped.
 */
export const POSTGRES_URL = process.env.TENANTBOX_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";

const created: string[] = [];

async function admin<T>(work: (client: pg.Client) => Promise<T>, url = POSTGRES_URL): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is required for this test and is not reachable at ${url} (${(error as Error).message}); ` +
        "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new empty schema; the URL given to the service selects it (search_path). */
export async function postgresSchema(prefix = "tbx_test", baseUrl = POSTGRES_URL): Promise<string> {
  const schema = `${prefix}_${randomBytes(6).toString("hex")}`;
  await admin((client) => client.query(`CREATE SCHEMA ${schema}`), baseUrl);
  created.push(`${baseUrl}\n${schema}`);
  const url = new URL(baseUrl);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.toString();
}

/** Drops every schema postgresSchema() created. */
export async function dropPostgresSchemas(): Promise<void> {
  for (const entry of created.splice(0)) {
    const [url, schema] = entry.split("\n") as [string, string];
    await admin((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`), url).catch(() => {});
  }
}
