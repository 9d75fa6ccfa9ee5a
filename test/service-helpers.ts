import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "vitest";

/** The HS256 secret the service suites sign their tokens with (>= 32 characters). */
export const SECRET = "tenantbox-service-tests-secret-0123456789";

const created: string[] = [];

/** A fresh temp directory, removed by removeTempDirs(). */
export function tempDir(prefix = "tenantbox-svc-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes `<root>/<tenantId>/<file>` for every tenant and file. */
export function writeTenants(root: string, tenants: Record<string, Record<string, string>>): void {
  for (const [tenant, files] of Object.entries(tenants)) {
    const folder = path.join(root, tenant);
    fs.mkdirSync(folder, { recursive: true });
    for (const [rel, text] of Object.entries(files)) {
      const full = path.join(folder, rel);
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, text);
    }
  }
}

/** A tenantbox.json hooks manifest. */
export const manifest = (hooks: Record<string, string[]>, extra: Record<string, unknown> = {}) => JSON.stringify({ hooks, ...extra }, null, 2);

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body (undefined when the body is not JSON). */
  body: any;
}

export interface CallOptions {
  token?: string;
  /** A JSON-serialisable body (sent with content-type application/json). */
  json?: unknown;
  /** A raw body, sent as is. */
  raw?: string;
  headers?: Record<string, string>;
}

/** One real HTTP request with the global fetch; never throws for an HTTP status. */
export async function call(base: string, method: string, route: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers["content-type"] ??= "application/json";
  } else if (options.raw !== undefined) {
    body = options.raw;
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(base + route, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/** Host details that must never reach a caller: absolute host paths and host stack frames. */
export function expectNoHostLeak(reply: Reply | string, hostPaths: string[] = []): void {
  const text = typeof reply === "string" ? reply : reply.text;
  for (const p of [...hostPaths, process.cwd(), os.tmpdir(), os.homedir()]) {
    if (p && p.length > 1) expect(text, `leaks host path ${p}`).not.toContain(p);
  }
  expect(text).not.toMatch(/node:internal|node_modules|\/dist\/|file:\/\//);
  // A host frame reads "    at fn (/abs/path.js:1:2)" or "    at node:..."; a tenant's own frames name relative files.
  expect(text).not.toMatch(/ {4}at [^\n]*\((?:\/|[A-Za-z]:\\|node:)/);
}

/** A service error (not an execution report): exactly `{ error: { code, message } }`, no stack. */
export function expectError(reply: Reply, status: number, code: string, hostPaths: string[] = []): void {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
  expect(Object.keys(reply.body ?? {})).toEqual(["error"]);
  expect(Object.keys(reply.body.error).sort()).toEqual(["code", "message"]);
  expect(reply.body.error.code).toBe(code);
  expect(typeof reply.body.error.message).toBe("string");
  expect(reply.body.error.message.length).toBeGreaterThan(0);
  expect(reply.text).not.toContain("    at ");
  expectNoHostLeak(reply, hostPaths);
}

/** An execution report (`execute()` result) that failed with `code`, answered with `status`. */
export function expectFailedRun(reply: Reply, status: number, code: string, hostPaths: string[] = []): void {
  expect(reply.status, reply.text).toBe(status);
  expect(reply.body?.success, reply.text).toBe(false);
  expect(reply.body.error?.code, reply.text).toBe(code);
  expectNoHostLeak(reply, hostPaths);
}

/** A Retry-After header of whole seconds, at least 1; returns it. */
export function expectRetryAfter(reply: Reply, max = 86_400): number {
  const value = reply.headers.get("retry-after");
  expect(value, "Retry-After header").toMatch(/^\d+$/);
  const seconds = Number(value);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(max);
  return seconds;
}

/** Polls until `check` resolves truthy (for "the slow execution is now running"); fails after `timeoutMs`. */
export async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The value of an unlabelled gauge in a Prometheus text exposition. */
/** Every series of a metric (one per pool for the pool gauges). */
export function gauges(metrics: string, name: string): number[] {
  return [...metrics.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, "gm"))].map((m) => Number(m[1]));
}

/** A metric summed over its series (NaN when it is missing). */
export function gauge(metrics: string, name: string): number {
  const values = gauges(metrics, name);
  return values.length ? values.reduce((a, b) => a + b, 0) : NaN;
}

/** True once the server's pools run at least `n` executions (read from /metrics). */
export async function running(base: string, n = 1): Promise<boolean> {
  const response = await fetch(`${base}/metrics`);
  return gauge(await response.text(), "tenantbox_pool_running") >= n;
}
