import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, RuntimeError, signToken, TenantboxServer, TIER_QUOTAS } from "../dist/service.js";
import {
  call,
  expectError,
  expectFailedRun,
  expectNoHostLeak,
  expectRetryAfter,
  gauge,
  gauges,
  manifest,
  removeTempDirs,
  running,
  SECRET,
  tempDir,
  until,
  writeTenants,
  type Reply,
} from "./service-helpers.js";
import { dropPostgresSchemas, postgresSchema } from "./postgres-helpers.js";

// The multi-tenant HTTP service end to end: a real TenantboxServer on 127.0.0.1, a temp root with tenant
// folders written here, a temp data dir, and the global fetch as the client.

const servers: TenantboxServer[] = [];

function startServer(options: ConstructorParameters<typeof TenantboxServer>[0]): TenantboxServer {
  const server = new TenantboxServer({ jwtSecret: SECRET, watch: false, maxThreads: 2, ...options });
  servers.push(server);
  return server;
}

const token = (tenantId: string, sub?: string, permissions?: string[]) =>
  signToken(SECRET, { tenantId, ...(sub !== undefined ? { sub } : {}), ...(permissions !== undefined ? { permissions } : {}) });

afterAll(async () => {
  await Promise.allSettled(servers.map((s) => s.close()));
  removeTempDirs();
  await dropPostgresSchemas();
});

/** The suites that keep something run on each engine: SQLite in the data dir, or a PostgreSQL schema of their own. */
const ENGINES = [{ engine: "sqlite" }, { engine: "postgres" }] as const;

async function storeOptions(engine: "sqlite" | "postgres", dataDir: string): Promise<{ dataDir: string; databaseUrl?: string }> {
  return engine === "postgres" ? { dataDir, databaseUrl: await postgresSchema("tbx_http") } : { dataDir };
}

/** The longest event name a manifest may declare (src/registry/manifest.ts: 128 characters). */
const LONGEST_EVENT = `a:${"b".repeat(124)}.c`;

const SLOW = "exports.slow = async (ms) => { await new Promise((r) => setTimeout(r, ms)); return 'slow done'; };\n";
const BASIC = `exports.ok = () => "ok";\n${SLOW}`;

describe.each(ENGINES)("the HTTP API (one server, many tenants) on $engine", ({ engine }) => {
  let root = "";
  let dataDir = "";
  let base = "";
  let server: TenantboxServer;
  const echoCalls: unknown[] = [];
  const tokens: Record<string, string> = {};
  let hostPaths: string[] = [];

  const post = (route: string, json: unknown, tenant = "acme", headers?: Record<string, string>) =>
    call(base, "POST", route, { token: tokens[tenant]!, json, ...(headers ? { headers } : {}) });
  const get = (route: string, tenant = "acme") => call(base, "GET", route, { token: tokens[tenant]! });
  const usage = async (tenant: string) => (await get("/v1/usage", tenant)).body;

  beforeAll(async () => {
    root = tempDir("tenantbox-root-");
    dataDir = tempDir("tenantbox-data-");
    hostPaths = [root, dataDir, fs.realpathSync(root)];
    writeTenants(root, {
      acme: {
        "m.js": [
          "exports.hello = (name) => { console.log('hello', name); return { greeting: 'hi ' + name, shop: context.shop }; };",
          "exports.boom = () => { throw new TypeError('tenant failure'); };",
          "exports.insert = async (doc) => callTool('data:insert', { collection: 'orders', doc });",
          "",
        ].join("\n"),
        "lib/util.mjs": "export const twice = (x) => x * 2;\n",
      },
      globex: {
        // Only running this produces "GLOBEX-RAN": traversal tests look for it in the answers.
        "secret.js": "exports.f = () => ['GLOBEX', 'RAN'].join('-');\n",
      },
      readonly: { "m.js": "exports.insert = async () => callTool('data:insert', { collection: 'c', doc: { a: 1 } });\n" },
      small: {
        "ok.js": "exports.f = (...a) => a.length;\n",
        "big.js": `exports.f = () => ${JSON.stringify("x".repeat(2000))}.length;\n`,
        // Each file is under 1 KB, together they are over: the limit is on all the modules a call runs.
        "split/a.js": `const b = require('./b.js');\nexports.f = () => b.n + ${JSON.stringify("a".repeat(600))}.length;\n`,
        "split/b.js": `exports.n = ${JSON.stringify("b".repeat(600))}.length;\n`,
      },
      quota: { "m.js": BASIC },
      single: { "m.js": BASIC },
      ratey: { "m.js": BASIC },
      hooky: {
        "tenantbox.json": manifest({
          "order.created": ["hooks/orders.js#onOrderCreated", "hooks/crm.mjs#sync"],
          "audit.denied": ["hooks/bad.js#insert"],
          [LONGEST_EVENT]: ["hooks/orders.js#longest"],
        }),
        "hooks/orders.js": "exports.onOrderCreated = (order) => ({ by: 'orders', id: order.id, shop: context && context.shop });\nexports.longest = () => 'longest';\n",
        "hooks/crm.mjs": "export function sync(order) { return { by: 'crm', total: order.qty * 2 }; }\n",
        "hooks/bad.js": "exports.insert = async (p) => callTool('data:insert', { collection: 'x', doc: p });\n",
      },
      // Tries to grant itself permissions, tools, quotas and a tier through its own files.
      sneaky: {
        "tenantbox.json": manifest(
          { "order.created": ["m.js#grab"] },
          { permissions: ["tool:*"], tools: { "data:insert": {} }, tier: "enterprise", quotas: { maxExecutionsPerDay: 1e9 } },
        ),
        "tenants.json": JSON.stringify({ tenants: [{ id: "sneaky", tier: "enterprise", permissions: ["tool:*"], tools: { "data:insert": {} } }] }),
        "config.json": JSON.stringify({ permissions: ["tool:*"] }),
        "m.js": "exports.grab = async () => callTool('data:insert', { collection: 'loot', doc: { a: 1 } });\n",
      },
      trav: {
        "tenantbox.json": manifest({ steal: ["../globex/secret.js#f"] }),
        "req.js": "exports.f = () => require('../globex/secret.js').f();\n",
      },
      limits: {},
      toolquota: {},
    });
    // A symlink in a tenant folder that points into another tenant's folder.
    fs.symlinkSync(path.join(root, "globex", "secret.js"), path.join(root, "acme", "link.js"));
    fs.symlinkSync(path.join(root, "globex"), path.join(root, "acme", "globex-dir"));

    const data = { "data:query": {}, "data:insert": {}, "data:update": {}, "data:delete": {} };
    const config = parseConfig({
      // Free tenants share the starter pool (one memory class, one pool) to keep the suite light.
      tiers: { free: { maxMemoryMB: 64 } },
      tenants: [
        {
          id: "acme",
          tier: "starter",
          permissions: ["tool:data:*", "tool:echo", "tool:limited", "tool:override", "tool:deny", "tool:fragile", "tool:secret"],
          tools: {
            ...data,
            echo: { config: { greeting: "hello acme", region: "eu" } },
            limited: {},
            override: { rateLimit: { points: 100, duration: 60 } },
            deny: {},
            fragile: {},
            // "secret" is granted but not enabled.
          },
        },
        { id: "globex", tier: "starter", permissions: ["tool:data:*", "tool:echo"], tools: { ...data, echo: { config: { greeting: "hello globex" } } } },
        { id: "readonly", tier: "free", permissions: ["tool:data:query"], tools: { "data:query": {}, "data:insert": {} } },
        { id: "small", tier: "free", quotas: { maxCodeSizeKB: 1 } },
        { id: "quota", tier: "free", quotas: { maxExecutionsPerDay: 2 } },
        { id: "single", tier: "free" },
        { id: "ratey", tier: "free", rateLimit: { points: 3, duration: 60 } },
        { id: "hooky", tier: "starter" },
        { id: "sneaky", tier: "free", permissions: ["tool:data:query"], tools: { "data:query": {} } },
        { id: "trav", tier: "free" },
        {
          id: "limits",
          tier: "free",
          permissions: ["tool:echo"],
          tools: { echo: {} },
          quotas: { maxExecutionDurationMs: 300, maxOutputSizeKB: 1, maxToolCallsPerExecution: 2 },
        },
        { id: "toolquota", tier: "free", permissions: ["tool:echo"], tools: { echo: {} }, quotas: { maxToolCallsPerDay: 2 } },
        { id: "nofolder", tier: "free" },
      ],
    });
    server = startServer({ root, config, ...(await storeOptions(engine, dataDir)) });
    server.tool("echo", {
      schema: { type: "object", required: ["msg"], additionalProperties: false, properties: { msg: { type: "string" } } },
      handler: (args, ctx) => {
        echoCalls.push(args);
        return { args, ctx };
      },
    });
    server.tool("limited", { rateLimit: { points: 1, duration: 60 }, handler: () => "limited ok" });
    server.tool("override", { rateLimit: { points: 1, duration: 60 }, handler: () => "override ok" });
    server.tool("deny", {
      handler: (_args, ctx) => {
        throw new RuntimeError("PERMISSION_DENIED", `the host refuses ${ctx.tenantId}`);
      },
    });
    server.tool("fragile", {
      handler: () => {
        throw new Error(`cannot read ${path.join(root, "acme", "private.txt")}`);
      },
    });
    server.tool("secret", { handler: () => "should never run" });
    base = await server.listen({ port: 0, host: "127.0.0.1" });
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const id of ["acme", "globex", "readonly", "small", "quota", "single", "ratey", "hooky", "sneaky", "trav", "limits", "toolquota", "nofolder"]) {
      tokens[id] = await token(id, `user@${id}`);
    }
  });

  describe("401 / 403: authentication", () => {
    it("refuses a missing header, a non-Bearer scheme, a bad signature and an expired token with 401", async () => {
      const body = { code: "return 1" };
      expectError(await call(base, "POST", "/v1/execute", { json: body }), 401, "UNAUTHORIZED", hostPaths);
      expectError(await call(base, "GET", "/v1/usage", { headers: { authorization: `Basic ${Buffer.from("a:b").toString("base64")}` } }), 401, "UNAUTHORIZED", hostPaths);
      expectError(await call(base, "GET", "/v1/usage", { headers: { authorization: `Token ${tokens.acme}` } }), 401, "UNAUTHORIZED", hostPaths);

      const forged = await signToken("another-secret-that-is-at-least-32-chars", { tenantId: "acme" });
      expectError(await call(base, "POST", "/v1/execute", { token: forged, json: body }), 401, "UNAUTHORIZED", hostPaths);
      const good = tokens.acme!;
      const tampered = good.slice(0, -2) + (good.endsWith("AA") ? "BB" : "AA");
      expectError(await call(base, "GET", "/v1/usage", { token: tampered }), 401, "UNAUTHORIZED", hostPaths);
      expectError(await call(base, "GET", "/v1/usage", { token: "not.a.jwt" }), 401, "UNAUTHORIZED", hostPaths);

      const now = Math.floor(Date.now() / 1000);
      const expired = await new SignJWT({ tenantId: "acme" })
        .setProtectedHeader({ alg: "HS256" })
        .setIssuedAt(now - 7200)
        .setExpirationTime(now - 3600)
        .sign(new TextEncoder().encode(SECRET));
      const reply = await call(base, "POST", "/v1/execute", { token: expired, json: body });
      expectError(reply, 401, "UNAUTHORIZED", hostPaths);
      expect(reply.body.error.message).toMatch(/expired/);
      // The token is never echoed back.
      expect(reply.text).not.toContain(expired.slice(0, 30));
    });

    it("answers 403 for a valid token of a tenant the config does not list", async () => {
      const ghost = await token("ghost", "someone");
      expectError(await call(base, "GET", "/v1/usage", { token: ghost }), 403, "FORBIDDEN", hostPaths);
      expectError(await call(base, "POST", "/v1/run", { token: ghost, json: { file: "m.js", funcName: "ok" } }), 403, "FORBIDDEN", hostPaths);
    });

    it("does not need a token for /healthz and /metrics", async () => {
      const health = await call(base, "GET", "/healthz");
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: "ok" });
      expect((await call(base, "GET", "/metrics")).status).toBe(200);
    });
  });

  describe("400: bad bodies", () => {
    it("refuses a missing field, a wrong type, an unknown field and invalid JSON", async () => {
      expectError(await post("/v1/run", { file: "m.js" }), 400, "INVALID_REQUEST", hostPaths);
      expectError(await post("/v1/run", { file: "m.js", funcName: 5 }), 400, "INVALID_REQUEST", hostPaths);
      expectError(await post("/v1/run", { file: "m.js", funcName: "hello", args: "not-an-array" }), 400, "INVALID_REQUEST", hostPaths);
      expectError(await post("/v1/execute", { code: 42 }), 400, "INVALID_REQUEST", hostPaths);
      expectError(await post("/v1/execute", { code: "return 1", extra: true }), 400, "INVALID_REQUEST", hostPaths);
      expectError(await post("/v1/events/order.created", { payload: 1, surprise: 2 }, "hooky"), 400, "INVALID_REQUEST", hostPaths);
      expectError(await post("/v1/validate", { code: "x", kind: "esm" }), 400, "INVALID_REQUEST", hostPaths);
      expectError(await call(base, "POST", "/v1/run", { token: tokens.acme!, raw: '{"file": "m.js", ' }), 400, "INVALID_REQUEST", hostPaths);
      expectError(await call(base, "POST", "/v1/execute", { token: tokens.acme!, raw: "" }), 400, "INVALID_REQUEST", hostPaths);
      expectError(await post(`/v1/events/${encodeURIComponent("bad event name!")}`, { payload: 1 }, "hooky"), 400, "INVALID_REQUEST", hostPaths);
    });

    it("refuses a body with a __proto__ or constructor.prototype key anywhere, saying so; a constructor key alone is fine", async () => {
      const bodies: Array<[string, string]> = [
        ["/v1/run", '{"file":"m.js","funcName":"hello","__proto__":{"x":1}}'],
        ["/v1/run", '{"file":"m.js","funcName":"hello","args":[{"a":[{"__proto__":{"admin":true}}]}]}'],
        ["/v1/run", '{"file":"m.js","funcName":"hello","args":[{"\\u005f_proto__":{}}]}'],
        ["/v1/execute", '{"code":"return 1","context":{"constructor":{"prototype":{"x":1}}}}'],
        ["/v1/events/order.created", '{"payload":{"__proto__":null}}'],
      ];
      for (const [route, raw] of bodies) {
        const tenant = route.startsWith("/v1/events") ? "hooky" : "acme";
        const reply = await call(base, "POST", route, { token: tokens[tenant]!, raw });
        expectError(reply, 400, "INVALID_REQUEST", hostPaths);
        expect(reply.body.error.message, raw).toBe("the body has a __proto__ or constructor.prototype key, which is refused");
      }
      const fine = await call(base, "POST", "/v1/execute", { token: tokens.acme!, raw: '{"code":"return context.constructor.a","context":{"constructor":{"a":1}}}' });
      expect(fine.body, fine.text).toMatchObject({ success: true, value: 1 });
      // Not JSON at all is still said as before.
      expect((await call(base, "POST", "/v1/run", { token: tokens.acme!, raw: '{"__proto__": ' })).body.error.message).toMatch(/not valid JSON/);
    });

    it("answers what the HTTP parser refuses, and a body that is not JSON, in the service's error shape", async () => {
      // Raw bytes on a socket: the status line, the body, and whether the server closed the connection.
      const raw = (text: string) =>
        new Promise<{ status: number; body: any; closed: boolean }>((resolve, reject) => {
          const url = new URL(base);
          const socket = net.connect(Number(url.port), url.hostname, () => socket.write(text));
          let got = "";
          socket.setEncoding("utf8").on("data", (chunk: string) => (got += chunk));
          socket.on("error", reject);
          socket.on("close", () => {
            const [head = "", body = ""] = got.split("\r\n\r\n");
            resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1]), body: JSON.parse(body), closed: true });
          });
        });
      const refusals: Array<[string, number]> = [
        ["POST /v1/run HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400],
        ["GARBAGE\r\n\r\n", 400],
        [`GET /v1/usage?${"q".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431],
        [`GET /v1/usage HTTP/1.1\r\nHost: x\r\nX-Big: ${"h".repeat(20_000)}\r\n\r\n`, 431],
      ];
      for (const [text, status] of refusals) {
        const reply = await raw(text);
        expect(reply.status, text.slice(0, 40)).toBe(status);
        expect(reply.body).toEqual({ error: { code: "INVALID_REQUEST", message: expect.any(String) } });
        expect(reply.closed).toBe(true);
      }
      // A body that is not JSON: 415 in the same shape, whichever type it says it is, or none.
      for (const type of ["application/x-www-form-urlencoded", "application/xml", "application/vnd.api+json", "text/plain", "text/plain; charset=utf-8"]) {
        const reply = await call(base, "POST", "/v1/run", { token: tokens.acme!, raw: '{"file":"m.js","funcName":"hello"}', headers: { "content-type": type } });
        expectError(reply, 415, "INVALID_REQUEST", hostPaths);
        expect(reply.body.error.message).toMatch(/application\/json/);
      }
      const untyped = await raw(`POST /v1/run HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tokens.acme}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
      expect(untyped.status).toBe(415);
      expect(untyped.body).toEqual({ error: { code: "INVALID_REQUEST", message: expect.stringMatching(/application\/json/) } });
      // A compressed body is not read as text and refused as bad JSON: 415, saying so; identity is plain JSON.
      for (const encoding of ["gzip", "br", "deflate, gzip"]) {
        const reply = await call(base, "POST", "/v1/run", { token: tokens.acme!, raw: '{"file":"m.js","funcName":"hello"}', headers: { "content-type": "application/json", "content-encoding": encoding } });
        expectError(reply, 415, "INVALID_REQUEST", hostPaths);
        expect(reply.body.error.message).toMatch(/uncompressed/);
      }
      const identity = await call(base, "POST", "/v1/run", { token: tokens.acme!, raw: '{"file":"m.js","funcName":"hello"}', headers: { "content-type": "application/json", "content-encoding": "identity" } });
      expect(identity.status).not.toBe(415);
    });

    it("refuses a file outside the tenant folder as an ordinary 400 that costs nothing and writes no audit row", async () => {
      const before = await usage("acme");
      const rows = (await server.service.auditLog({ tenant: "acme" })).length;
      for (const file of ["../other/m.js", "lib/../../m.js"]) {
        const reply = await post("/v1/run", { file, funcName: "ok" });
        expectError(reply, 400, "INVALID_REQUEST", hostPaths);
        expect(reply.body.error.message).toMatch(/outside the tenant folder/);
        expect(reply.body.success).toBeUndefined(); // not an execution report
      }
      // Paths that resolve to no file of the folder: the folder itself, or a file with a trailing slash (Node refuses "./m.js/").
      for (const file of [".", "./", "lib/..", "m.js/"]) {
        const reply = await post("/v1/run", { file, funcName: "hello" });
        expectError(reply, 400, "INVALID_REQUEST", hostPaths);
        expect(reply.body.error.message).toMatch(/does not name a file in the tenant folder/);
      }
      const after = await usage("acme");
      expect(after.executions.used).toBe(before.executions.used);
      expect((await server.service.auditLog({ tenant: "acme" })).length).toBe(rows);
    });
  });

  describe("404: what does not exist", () => {
    it("unknown route, missing module, missing function, a tenant without a folder", async () => {
      expectError(await get("/v1/nothing-here"), 404, "NOT_FOUND", hostPaths);
      expectError(await call(base, "GET", "/nothing-here"), 404, "NOT_FOUND", hostPaths);

      const missingModule = await post("/v1/run", { file: "nope.js", funcName: "f" });
      expectFailedRun(missingModule, 404, "MODULE_NOT_FOUND", hostPaths);
      const missingFunction = await post("/v1/run", { file: "m.js", funcName: "nope" });
      expectFailedRun(missingFunction, 404, "FUNCTION_NOT_FOUND", hostPaths);

      expectError(await get("/v1/modules", "nofolder"), 404, "NOT_FOUND", hostPaths);
      expectError(await post("/v1/events/anything", { payload: 1 }, "nofolder"), 404, "NOT_FOUND", hostPaths);
      const run = await post("/v1/run", { file: "m.js", funcName: "f" }, "nofolder");
      expect(run.status).toBe(404);
      expectNoHostLeak(run, hostPaths);
    });
  });

  describe("413: body and code over the tenant's size", () => {
    it("refuses /v1/execute and /v1/validate code over maxCodeSizeKB, counting bytes not characters", async () => {
      const over = `return ${JSON.stringify("x".repeat(1100))}.length;`;
      expectError(await post("/v1/execute", { code: over }, "small"), 413, "PAYLOAD_TOO_LARGE", hostPaths);
      expectError(await post("/v1/validate", { code: over }, "small"), 413, "PAYLOAD_TOO_LARGE", hostPaths);
      expectError(await post("/v1/validate", { code: over, kind: "script" }, "small"), 413, "PAYLOAD_TOO_LARGE", hostPaths);
      // 400 characters, 1,200 bytes in UTF-8.
      expectError(await post("/v1/execute", { code: `return "${"€".repeat(400)}";` }, "small"), 413, "PAYLOAD_TOO_LARGE", hostPaths);
      // Just under the limit runs.
      const under = `// ${"x".repeat(990)}\nreturn 1;`;
      expect(Buffer.byteLength(under)).toBeLessThan(1024);
      const ok = await post("/v1/execute", { code: under }, "small");
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body).toMatchObject({ success: true, value: 1 });
      // The same code is fine for a tenant with the default 100 KB.
      expect((await post("/v1/execute", { code: over })).body).toMatchObject({ success: true, value: 1100 });
    });

    it("refuses a body over the tenant's limit (Content-Length) before reading it", async () => {
      const big = { file: "ok.js", funcName: "f", args: ["y".repeat(70 * 1024)] };
      expectError(await post("/v1/run", big, "small"), 413, "PAYLOAD_TOO_LARGE", hostPaths);
      // A starter tenant may send more, but not 300 KB.
      expect((await post("/v1/run", { file: "m.js", funcName: "hello", args: ["y".repeat(70 * 1024)] })).status).toBe(200);
      expectError(await post("/v1/run", { file: "m.js", funcName: "hello", args: ["y".repeat(300 * 1024)] }), 413, "PAYLOAD_TOO_LARGE", hostPaths);
      // Over the server-wide body limit.
      expectError(await post("/v1/execute", { code: "z".repeat(2 * 1024 * 1024) }), 413, "PAYLOAD_TOO_LARGE", hostPaths);
    });

    // BUG: the per-tenant body limit only looks at the Content-Length header. A chunked body (no
    // Content-Length) of 200 KB from a tenant whose limit is 67,584 bytes is read and run (200).
    it("refuses a chunked body over the tenant's limit too (no Content-Length)", async () => {
      const text = JSON.stringify({ file: "ok.js", funcName: "f", args: ["y".repeat(200 * 1024)] });
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(text));
          controller.close();
        },
      });
      const response = await fetch(`${base}/v1/run`, {
        method: "POST",
        headers: { authorization: `Bearer ${tokens.small}`, "content-type": "application/json" },
        body,
        duplex: "half",
      } as RequestInit);
      const reply = await response.text();
      expect(response.status, reply).toBe(413);
    });

    it("answers /v1/run of a module (graph) over maxCodeSizeKB with CODE_TOO_LARGE and 413", async () => {
      expectFailedRun(await post("/v1/run", { file: "big.js", funcName: "f" }, "small"), 413, "CODE_TOO_LARGE", hostPaths);
      expectFailedRun(await post("/v1/run", { file: "split/a.js", funcName: "f" }, "small"), 413, "CODE_TOO_LARGE", hostPaths);
      const ok = await post("/v1/run", { file: "ok.js", funcName: "f", args: [1, 2, 3] }, "small");
      expect(ok.status).toBe(200);
      expect(ok.body.value).toBe(3);
      // The config override is what the tenant is held to.
      expect((await usage("small")).quotas).toEqual({ ...TIER_QUOTAS.free, maxMemoryMB: 64, maxCodeSizeKB: 1 });
    });
  });

  describe("429: quotas, concurrency and rate limits (with Retry-After)", () => {
    it("maxExecutionsPerDay trips with QUOTA_EXCEEDED and a Retry-After up to the end of the UTC day", async () => {
      for (let i = 0; i < 2; i++) expect((await post("/v1/run", { file: "m.js", funcName: "ok" }, "quota")).status).toBe(200);
      const refused = await post("/v1/run", { file: "m.js", funcName: "ok" }, "quota");
      expectError(refused, 429, "QUOTA_EXCEEDED", hostPaths);
      const seconds = expectRetryAfter(refused);
      const toMidnight = Math.ceil((Math.floor(Date.now() / 86_400_000 + 1) * 86_400_000 - Date.now()) / 1000);
      expect(seconds).toBeLessThanOrEqual(toMidnight + 1);
      expect(seconds).toBeGreaterThanOrEqual(Math.max(1, toMidnight - 60));
      // Every kind of execution is refused now; refusals are not counted.
      expectError(await post("/v1/execute", { code: "return 1" }, "quota"), 429, "QUOTA_EXCEEDED", hostPaths);
      const u = await usage("quota");
      expect(u.executions).toEqual({ used: 2, limit: 2 });
    });

    it("maxConcurrentExecutions trips with TOO_MANY_CONCURRENT while one execution runs; the slot frees after it", async () => {
      const slow = post("/v1/run", { file: "m.js", funcName: "slow", args: [600] }, "single");
      await until(async () => (await usage("single")).concurrent.active === 1, "the slow execution to hold its slot");
      const refused = await post("/v1/run", { file: "m.js", funcName: "ok" }, "single");
      expectError(refused, 429, "TOO_MANY_CONCURRENT", hostPaths);
      expectRetryAfter(refused);
      expectError(await post("/v1/execute", { code: "return 1" }, "single"), 429, "TOO_MANY_CONCURRENT", hostPaths);
      // Another tenant is not affected.
      expect((await post("/v1/execute", { code: "return 1" }, "globex")).status).toBe(200);
      const done = await slow;
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ success: true, value: "slow done" });
      expect((await usage("single")).concurrent).toEqual({ active: 0, limit: 1 });
      const again = await post("/v1/run", { file: "m.js", funcName: "ok" }, "single");
      expect(again.status).toBe(200);
      expect(again.body.value).toBe("ok");
    });

    it("a tenant's request rateLimit trips with RATE_LIMITED", async () => {
      // 3 requests per 60 s, whatever they are.
      expect((await get("/v1/usage", "ratey")).status).toBe(200);
      expect((await get("/v1/modules", "ratey")).status).toBe(200);
      expect((await post("/v1/run", { file: "m.js", funcName: "ok" }, "ratey")).status).toBe(200);
      const refused = await get("/v1/usage", "ratey");
      expectError(refused, 429, "RATE_LIMITED", hostPaths);
      expectRetryAfter(refused, 60);
      expectError(await post("/v1/run", { file: "m.js", funcName: "ok" }, "ratey"), 429, "RATE_LIMITED", hostPaths);
      // Counted under the tenant it throttled, not under an empty label.
      const metrics = (await call(base, "GET", "/metrics")).text;
      expect(metrics).toMatch(/^tenantbox_requests_rejected_total\{tenant="ratey",code="RATE_LIMITED"\} 2$/m);
    });

    it("a tool's rateLimit trips inside an execution: RATE_LIMITED in the result, 429 with Retry-After", async () => {
      const reply = await post("/v1/execute", { code: "const a = await callTool('limited', {});\nconst b = await callTool('limited', {});\nreturn [a, b];" });
      expectFailedRun(reply, 429, "RATE_LIMITED", hostPaths);
      expect(reply.body.stats.toolCalls).toBe(2);
      expectRetryAfter(reply, 60);
      // The tenant's own rateLimit in the config overrides the tool's default (1 per 60 s).
      const override = await post("/v1/execute", { code: "const out = [];\nfor (let i = 0; i < 3; i++) out.push(await callTool('override', {}));\nreturn out;" });
      expect(override.status, override.text).toBe(200);
      expect(override.body.value).toEqual(["override ok", "override ok", "override ok"]);
    });

    it("maxToolCallsPerDay trips with QUOTA_EXCEEDED from a tool call", async () => {
      const code = "const out = [];\nfor (let i = 0; i < 3; i++) out.push(await callTool('echo', { msg: 'm' + i }));\nreturn out.length;";
      const reply = await post("/v1/execute", { code }, "toolquota");
      expectFailedRun(reply, 429, "QUOTA_EXCEEDED", hostPaths);
      expectRetryAfter(reply);
      expect((await usage("toolquota")).toolCalls).toEqual({ used: 2, limit: 2 });
      // Later executions run, but their tool calls are refused.
      const next = await post("/v1/execute", { code: "return await callTool('echo', { msg: 'again' });" }, "toolquota");
      expectFailedRun(next, 429, "QUOTA_EXCEEDED", hostPaths);
      expect((await post("/v1/execute", { code: "return 'no tools'" }, "toolquota")).body.value).toBe("no tools");
    });
  });

  describe("POST /v1/run and /v1/execute", () => {
    it("/v1/run answers with the execute() result: success, value, logs, stats", async () => {
      const reply = await post("/v1/run", { file: "m.js", funcName: "hello", args: ["bob"], context: { shop: "acme-shop" } });
      expect(reply.status).toBe(200);
      expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
      expect(reply.body).toMatchObject({
        success: true,
        value: { greeting: "hi bob", shop: "acme-shop" },
        logs: [{ level: "log", message: "hello bob" }],
      });
      expect(reply.body.error).toBeUndefined();
      const { stats } = reply.body;
      for (const key of ["durationMs", "loadMs", "totalMs", "toolCalls", "logBytes", "realmUses"]) expect(typeof stats[key], key).toBe("number");
      expect(stats.toolCalls).toBe(0);
    });

    it("a function that throws is a 200 with its report, and no host stack or path", async () => {
      const reply = await post("/v1/run", { file: "m.js", funcName: "boom" });
      expectFailedRun(reply, 200, "RUNTIME_ERROR", hostPaths);
      expect(reply.body.error).toMatchObject({ name: "TypeError", message: "tenant failure" });
    });

    it("/v1/execute runs a function body: top-level await, return, callTool and context", async () => {
      const code = [
        "const a = await Promise.resolve(20);",
        "const r = await callTool('echo', { msg: 'hi' });",
        "return { sum: a + 22, ctx: context, echoed: r.args.msg, tenant: r.ctx.tenantId };",
      ].join("\n");
      const reply = await post("/v1/execute", { code, context: { shop: "acme-shop", n: [1, 2] } });
      expect(reply.status, reply.text).toBe(200);
      expect(reply.body).toMatchObject({ success: true, value: { sum: 42, ctx: { shop: "acme-shop", n: [1, 2] }, echoed: "hi", tenant: "acme" } });
      expect(reply.body.stats.toolCalls).toBe(1);
      // A script cannot reach the host: its process is the realm's own (no pid, the call's env only).
      const escape = await post("/v1/execute", { code: "return [typeof process, typeof process.pid, Object.keys(process.env)];" });
      expect(escape.body).toMatchObject({ success: true, value: ["object", "undefined", ["NODE_ENV"]] });
    });

    it("a syntax error is a 200 with VALIDATION_ERROR on the caller's own line numbers", async () => {
      const reply = await post("/v1/execute", { code: "const a = 1;\nconst b = 2;\nreturn a +;" });
      expectFailedRun(reply, 200, "VALIDATION_ERROR", hostPaths);
      const issues = reply.body.error.details.issues as { location: { line: number } }[];
      expect(issues[0]!.location.line).toBe(3);
      const rule = await post("/v1/execute", { code: "const a = 1;\nreturn eval('a');" });
      expectFailedRun(rule, 200, "VALIDATION_ERROR", hostPaths);
      expect(rule.body.error.details.issues[0]).toMatchObject({ rule: "no-eval", location: { line: 2 } });
    });

    it("while(true) ends with TIMEOUT within the tenant's maxExecutionDurationMs (300 ms), not the pool's", async () => {
      const started = performance.now();
      const reply = await post("/v1/execute", { code: "while (true) {}" }, "limits");
      const elapsed = performance.now() - started;
      expectFailedRun(reply, 200, "TIMEOUT", hostPaths);
      expect(elapsed).toBeLessThan(5000); // the pool's own limit is 30 s (starter)
      // The pool still serves afterwards.
      expect((await post("/v1/execute", { code: "return 'alive'" }, "limits")).body.value).toBe("alive");
    });

    it("a return value over maxOutputSizeKB is OUTPUT_TOO_LARGE", async () => {
      expectFailedRun(await post("/v1/execute", { code: "return 'x'.repeat(2000);" }, "limits"), 200, "OUTPUT_TOO_LARGE", hostPaths);
      expect((await post("/v1/execute", { code: "return 'x'.repeat(500);" }, "limits")).body.success).toBe(true);
    });

    it("more than maxToolCallsPerExecution tool calls is MAX_TOOL_CALLS", async () => {
      const code = "for (let i = 0; i < 3; i++) await callTool('echo', { msg: 'm' + i });\nreturn 'done';";
      const reply = await post("/v1/execute", { code }, "limits");
      expectFailedRun(reply, 200, "MAX_TOOL_CALLS", hostPaths);
      expect(reply.body.stats.toolCalls).toBe(2);
    });
  });

  describe("POST /v1/events/:event", () => {
    it("runs the manifest's handlers in order, counts each as an execution, and an unknown event runs nothing", async () => {
      const before = (await usage("hooky")).executions.used;
      const reply = await post("/v1/events/order.created", { payload: { id: "o1", qty: 21 }, context: { shop: "hooky-shop" } }, "hooky");
      expect(reply.status, reply.text).toBe(200);
      expect(reply.body.event).toBe("order.created");
      expect(reply.body.results).toHaveLength(2);
      expect(reply.body.results[0]).toMatchObject({ file: "hooks/orders.js", funcName: "onOrderCreated", success: true, value: { by: "orders", id: "o1", shop: "hooky-shop" } });
      expect(reply.body.results[1]).toMatchObject({ file: "hooks/crm.mjs", funcName: "sync", success: true, value: { by: "crm", total: 42 } });
      expect((await usage("hooky")).executions.used).toBe(before + 2);

      const none = await post("/v1/events/order.deleted", { payload: {} }, "hooky");
      expect(none.status).toBe(200);
      expect(none.body).toMatchObject({ results: [] });
      expect((await usage("hooky")).executions.used).toBe(before + 2);

      // An empty object is a null payload (orders.js then fails reading order.id: its own error, a 200).
      const empty = await post("/v1/events/order.created", {}, "hooky");
      expect(empty.status).toBe(200);
      expect(empty.body.results[0]).toMatchObject({ success: false });
      expect((await usage("hooky")).executions.used).toBe(before + 4);
    });

    it("a payload or context nested too deeply to serialize is a 400 that costs nothing and writes no audit row, as for /v1/run", async () => {
      const deep = "[".repeat(5000) + "]".repeat(5000);
      const before = (await usage("hooky")).executions.used;
      const rows = (await server.service.auditLog({ tenant: "hooky" })).length;
      for (const raw of [`{"payload":${deep}}`, `{"payload":1,"context":${deep}}`, `{"payload":${deep},"delivery":"sync"}`]) {
        const reply = await call(base, "POST", "/v1/events/order.created", { token: tokens.hooky!, raw });
        expectError(reply, 400, "INVALID_REQUEST", hostPaths);
        expect(reply.body.error.message).toMatch(/nested too deeply/);
      }
      expectError(await call(base, "POST", "/v1/run", { token: tokens.hooky!, raw: `{"file":"hooks/orders.js","funcName":"longest","args":[${deep}]}` }), 400, "INVALID_REQUEST", hostPaths);
      expect((await usage("hooky")).executions.used).toBe(before);
      expect((await server.service.auditLog({ tenant: "hooky" })).length).toBe(rows);
    });

    it("a queued event with an Idempotency-Key and objects nested thousands deep is stored like one without a key, or a 400: never a 500", async () => {
      // The key's fingerprint serializes a sorted copy of payload and context: it must hold what the request's own check held.
      const objects = (depth: number) => '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
      for (const depth of [2500, 3000, 3500, 6000]) {
        for (const field of ["payload", "context"]) {
          const raw = `{"delivery":"queued","${field}":${objects(depth)}}`;
          const plain = await call(base, "POST", "/v1/events/order.created", { token: tokens.hooky!, raw });
          const keyed = await call(base, "POST", "/v1/events/order.created", { token: tokens.hooky!, raw, headers: { "idempotency-key": `deep-${field}-${depth}` } });
          expect([202, 400], `${field} ${depth}: ${keyed.text}`).toContain(keyed.status);
          expect(keyed.status, `${field} ${depth}: with a key as without one`).toBe(plain.status);
          if (keyed.status === 400) expect(keyed.body.error.message).toMatch(/nested too deeply/);
          if (keyed.status === 202) {
            const again = await call(base, "POST", "/v1/events/order.created", { token: tokens.hooky!, raw, headers: { "idempotency-key": `deep-${field}-${depth}` } });
            expect(again.status, again.text).toBe(202);
            expect(again.body).toMatchObject({ id: keyed.body.id, duplicate: true });
          }
        }
      }
    });

    it("a handler refused a tool makes the answer 403, with every handler's result in the body", async () => {
      const reply = await post("/v1/events/audit.denied", { payload: { a: 1 } }, "hooky");
      expect(reply.status).toBe(403);
      expect(reply.body.event).toBe("audit.denied");
      expect(reply.body.results[0]).toMatchObject({ file: "hooks/bad.js", funcName: "insert", success: false, error: { code: "PERMISSION_DENIED" } });
      expectNoHostLeak(reply, hostPaths);
    });

    it("every event name a manifest may declare routes (up to 128 characters, percent-encoded too); a longer one is a typed 400", async () => {
      expect(LONGEST_EVENT).toHaveLength(128);
      for (const name of [LONGEST_EVENT, LONGEST_EVENT.replaceAll(/./g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`)]) {
        const reply = await post(`/v1/events/${name}`, { payload: 1 }, "hooky");
        expect(reply.status, reply.text).toBe(200);
        expect(reply.body).toMatchObject({ event: LONGEST_EVENT, results: [{ funcName: "longest", success: true, value: "longest" }] });
      }
      // Past the name's limit, and past what the router takes for any parameter: the service's error, not fastify's.
      for (const name of [`${LONGEST_EVENT}d`, "e".repeat(4096)]) {
        expectError(await post(`/v1/events/${name}`, { payload: 1 }, "hooky"), 400, "INVALID_REQUEST", hostPaths);
      }
      expectError(await call(base, "GET", `/v1/events/jobs/${"j".repeat(4096)}`, { token: tokens.hooky! }), 400, "INVALID_REQUEST", hostPaths);
      // A parameter that is not valid percent-encoding: the same.
      expectError(await post("/v1/events/order%zzcreated", { payload: 1 }, "hooky"), 400, "INVALID_REQUEST", hostPaths);
    });
  });

  describe("POST /v1/validate, GET /v1/modules, GET /v1/usage", () => {
    it("validates a module and an inline script without running them", async () => {
      const before = (await usage("acme")).executions.used;
      const bad = await post("/v1/validate", { code: "exports.f = () => eval('1');" });
      expect(bad.status).toBe(200);
      expect(bad.body.valid).toBe(false);
      expect(bad.body.issues[0]).toMatchObject({ rule: "no-eval", severity: "error", location: { line: 1 } });
      expect((await post("/v1/validate", { code: "exports.f = () => 1;" })).body).toEqual({ valid: true, issues: [] });
      expect((await post("/v1/validate", { code: "export const a = 1;", filename: "a.mjs" })).body.valid).toBe(true);

      const script = await post("/v1/validate", { code: "const x = await Promise.resolve(1);\nreturn x;", kind: "script" });
      expect(script.body).toEqual({ valid: true, issues: [] });
      const broken = await post("/v1/validate", { code: "const x = 1;\nreturn x +;", kind: "script" });
      expect(broken.body.valid).toBe(false);
      expect(broken.body.issues[0].location.line).toBe(2);
      // Nothing ran: validation is not an execution.
      expect((await usage("acme")).executions.used).toBe(before);
    });

    it("lists the tenant's modules and hooks", async () => {
      const reply = await get("/v1/modules", "hooky");
      expect(reply.status).toBe(200);
      const files = (reply.body.modules as { file: string }[]).map((m) => m.file).sort();
      expect(files).toEqual(["hooks/bad.js", "hooks/crm.mjs", "hooks/orders.js"]);
      const orders = reply.body.modules.find((m: { file: string }) => m.file === "hooks/orders.js");
      expect(orders).toMatchObject({ format: "cjs", exports: ["onOrderCreated", "longest"], valid: true });
      expect(reply.body.hooks).toEqual({
        events: {
          "order.created": ["hooks/orders.js#onOrderCreated", "hooks/crm.mjs#sync"],
          "audit.denied": ["hooks/bad.js#insert"],
          [LONGEST_EVENT]: ["hooks/orders.js#longest"],
        },
        schedules: {},
        issues: [],
        valid: true,
      });
      const acme = await get("/v1/modules");
      expect((acme.body.modules as { file: string }[]).map((m) => m.file)).toEqual(expect.arrayContaining(["m.js", "lib/util.mjs"]));
      expect(acme.body.hooks.events).toEqual({});
      expectNoHostLeak(acme, hostPaths);
    });

    it("reports executions and tool calls used, the quotas and when the period ends", async () => {
      const before = await usage("globex");
      await post("/v1/execute", { code: "await callTool('echo', { msg: 'a' });\nreturn 1;" }, "globex");
      const after = await usage("globex");
      expect(after).toMatchObject({ tenant: "globex", tier: "starter", quotas: TIER_QUOTAS.starter });
      expect(after.executions).toEqual({ used: before.executions.used + 1, limit: 1000 });
      expect(after.toolCalls).toEqual({ used: before.toolCalls.used + 1, limit: 10_000 });
      expect(after.concurrent).toEqual({ active: 0, limit: 5 });
      const start = Date.parse(after.period.start);
      const end = Date.parse(after.period.end);
      expect(end - start).toBe(86_400_000);
      expect(start % 86_400_000).toBe(0);
      expect(Date.now()).toBeGreaterThanOrEqual(start);
      expect(Date.now()).toBeLessThan(end);
    });
  });

  describe("tenant isolation", () => {
    it("one tenant's documents are invisible to another, who cannot update or delete them even by id", async () => {
      const inserted = await post("/v1/run", { file: "m.js", funcName: "insert", args: [{ item: "anvil", secret: "acme-only" }] });
      expect(inserted.status, inserted.text).toBe(200);
      const id = inserted.body.value.id as string;
      expect(typeof id).toBe("string");

      const q = (tenant: string, where = "{}") => post("/v1/execute", { code: `return await callTool('data:query', { collection: 'orders', where: ${where} });` }, tenant);
      expect((await q("acme")).body.value).toEqual([{ id, item: "anvil", secret: "acme-only" }]);
      expect((await q("globex")).body.value).toEqual([]);
      expect((await q("globex", "{ secret: 'acme-only' }")).body.value).toEqual([]);
      expect((await q("globex", `{ id: ${JSON.stringify(id)} }`)).body.value).toEqual([]);

      const update = await post("/v1/execute", { code: `return await callTool('data:update', { collection: 'orders', id: ${JSON.stringify(id)}, set: { item: 'stolen' } });` }, "globex");
      expect(update.body.value).toEqual({ updated: 0 });
      const byWhere = await post("/v1/execute", { code: "return await callTool('data:update', { collection: 'orders', where: { item: 'anvil' }, set: { item: 'stolen' } });" }, "globex");
      expect(byWhere.body.value).toEqual({ updated: 0 });
      const del = await post("/v1/execute", { code: `return await callTool('data:delete', { collection: 'orders', id: ${JSON.stringify(id)} });` }, "globex");
      expect(del.body.value).toEqual({ deleted: 0 });
      // No argument names the tenant.
      const smuggle = await post("/v1/execute", { code: "return await callTool('data:query', { collection: 'orders', tenant: 'acme' });" }, "globex");
      expectFailedRun(smuggle, 200, "TOOL_ERROR", hostPaths);
      expect(smuggle.body.error.message).toMatch(/unknown argument "tenant"/);

      // Globex may use the same id in its own scope; acme's document is untouched.
      const own = await post("/v1/execute", { code: `return await callTool('data:insert', { collection: 'orders', id: ${JSON.stringify(id)}, doc: { item: 'globex' } });` }, "globex");
      expect(own.body.value).toEqual({ id });
      expect((await q("acme")).body.value).toEqual([{ id, item: "anvil", secret: "acme-only" }]);
      expect((await q("globex")).body.value).toEqual([{ id, item: "globex" }]);
    });

    it("a tenant without tool:data:insert (but with data:query) gets PERMISSION_DENIED and 403", async () => {
      const query = await post("/v1/execute", { code: "return await callTool('data:query', { collection: 'c' });" }, "readonly");
      expect(query.status).toBe(200);
      expect(query.body.value).toEqual([]);
      const insert = await post("/v1/execute", { code: "return await callTool('data:insert', { collection: 'c', doc: { a: 1 } });" }, "readonly");
      expectFailedRun(insert, 403, "PERMISSION_DENIED", hostPaths);
      expect(insert.body.error.message).toMatch(/tool:data:insert/);
      expectFailedRun(await post("/v1/run", { file: "m.js", funcName: "insert" }, "readonly"), 403, "PERMISSION_DENIED", hostPaths);
      // A token that claims everything does not widen the tenant's permissions.
      const wide = await token("readonly", "admin", ["tool:*"]);
      const widened = await call(base, "POST", "/v1/execute", { token: wide, json: { code: "return await callTool('data:insert', { collection: 'c', doc: { a: 1 } });" } });
      expectFailedRun(widened, 403, "PERMISSION_DENIED", hostPaths);
      // Nothing was written.
      expect((await post("/v1/execute", { code: "return await callTool('data:query', { collection: 'c' });" }, "readonly")).body.value).toEqual([]);
    });

    it("a tool not enabled in the tenant's tools (or unknown) is PERMISSION_DENIED", async () => {
      for (const name of ["secret", "no-such-tool", "constructor", "__proto__"]) {
        const reply = await post("/v1/execute", { code: `return await callTool(${JSON.stringify(name)}, {});` });
        expectFailedRun(reply, 403, "PERMISSION_DENIED", hostPaths);
        expect(reply.body.error.message).toMatch(/not enabled/);
      }
      // globex has echo but not "limited".
      expectFailedRun(await post("/v1/execute", { code: "return await callTool('limited', {});" }, "globex"), 403, "PERMISSION_DENIED", hostPaths);
    });

    it("a token whose permissions claim lacks the tool is PERMISSION_DENIED though the tenant has it", async () => {
      const narrow = await token("acme", "intern", ["tool:data:query"]);
      const code = "return await callTool('data:insert', { collection: 'intern', doc: { a: 1 } });";
      const reply = await call(base, "POST", "/v1/execute", { token: narrow, json: { code } });
      expectFailedRun(reply, 403, "PERMISSION_DENIED", hostPaths);
      expect(reply.body.error.message).toMatch(/token/);
      // The narrow token can still query; an empty claim grants nothing.
      const q = await call(base, "POST", "/v1/execute", { token: narrow, json: { code: "return await callTool('data:query', { collection: 'intern' });" } });
      expect(q.body.value).toEqual([]);
      const none = await token("acme", "nobody", []);
      expectFailedRun(await call(base, "POST", "/v1/execute", { token: none, json: { code: "return await callTool('data:query', { collection: 'intern' });" } }), 403, "PERMISSION_DENIED", hostPaths);
    });

    it("a tenant's own files (tenantbox.json with permissions/tools/tier, a tenants.json) grant nothing", async () => {
      const modules = await get("/v1/modules", "sneaky");
      expect(modules.status).toBe(200);
      // The manifest only accepts "hooks": one with extra keys is rejected as a whole (and says why), so it serves no hooks.
      expect(modules.body.hooks.events).toEqual({});
      expect(modules.body.hooks.valid).toBe(false);
      expect(JSON.stringify(modules.body.hooks.issues)).toMatch(/permissions/);
      const events = await post("/v1/events/order.created", { payload: 1 }, "sneaky");
      expect(events.status).toBe(200);
      expect(events.body.results).toEqual([]);
      // Policy is the config's: free tier quotas (memory as overridden), only data:query.
      expect((await usage("sneaky")).quotas).toEqual({ ...TIER_QUOTAS.free, maxMemoryMB: 64 });
      expectFailedRun(await post("/v1/run", { file: "m.js", funcName: "grab" }, "sneaky"), 403, "PERMISSION_DENIED", hostPaths);
      expect((await post("/v1/execute", { code: "return await callTool('data:query', { collection: 'loot' });" }, "sneaky")).body.value).toEqual([]);
    });

    it("path traversal in /v1/run (relative, absolute, symlinks, require, manifest) is refused and never runs another tenant's code", async () => {
      const globexSecret = path.join(root, "globex", "secret.js");
      const attempts = [
        "../globex/secret.js",
        "./../globex/secret.js",
        "lib/../../globex/secret.js",
        globexSecret,
        fs.realpathSync(globexSecret),
        "link.js",
        "globex-dir/secret.js",
        "..\\globex\\secret.js",
        "%2e%2e/globex/secret.js",
      ];
      for (const file of attempts) {
        const reply = await post("/v1/run", { file, funcName: "f" });
        expect(reply.status, `${file}: ${reply.text}`).toBeGreaterThanOrEqual(400);
        expect(reply.status, `${file}: ${reply.text}`).toBeLessThan(500);
        expect(reply.text).not.toContain("GLOBEX-RAN");
        expectNoHostLeak(reply, hostPaths);
      }
      const viaRequire = await post("/v1/run", { file: "req.js", funcName: "f" }, "trav");
      expect(viaRequire.text).not.toContain("GLOBEX-RAN");
      expect(viaRequire.body.success).toBe(false);
      const viaManifest = await post("/v1/events/steal", { payload: 1 }, "trav");
      expect(viaManifest.text).not.toContain("GLOBEX-RAN");
      expect(viaManifest.body.results ?? []).toEqual([]);
      // The real owner still runs it.
      expect((await post("/v1/run", { file: "secret.js", funcName: "f" }, "globex")).body.value).toBe("GLOBEX-RAN");
    });
  });

  describe("host tools", () => {
    it("arguments that fail the tool's schema are TOOL_ERROR before the handler runs", async () => {
      const before = echoCalls.length;
      for (const args of ["{ msg: 5 }", "{}", "{ msg: 'x', extra: 1 }"]) {
        const reply = await post("/v1/execute", { code: `return await callTool('echo', ${args});` });
        expectFailedRun(reply, 200, "TOOL_ERROR", hostPaths);
        expect(reply.body.error.message).toMatch(/invalid arguments/);
      }
      expect(echoCalls.length).toBe(before);
    });

    it("the handler gets { tenantId, user, config } with the tenant's tools.echo.config", async () => {
      const reply = await post("/v1/execute", { code: "return (await callTool('echo', { msg: 'hi' })).ctx;" });
      expect(reply.body.value).toEqual({ tenantId: "acme", user: "user@acme", config: { greeting: "hello acme", region: "eu" } });
      const g = await post("/v1/execute", { code: "return (await callTool('echo', { msg: 'hi' })).ctx;" }, "globex");
      expect(g.body.value).toEqual({ tenantId: "globex", user: "user@globex", config: { greeting: "hello globex" } });
      // No sub: user null; a tenant without tools.echo.config gets {}.
      const anonymous = await token("limits");
      const l = await call(base, "POST", "/v1/execute", { token: anonymous, json: { code: "return (await callTool('echo', { msg: 'hi' })).ctx;" } });
      expect(l.body.value).toEqual({ tenantId: "limits", user: null, config: {} });
    });

    it("a handler that throws RuntimeError PERMISSION_DENIED refuses the call (403); other errors are TOOL_ERROR without host paths", async () => {
      const denied = await post("/v1/execute", { code: "return await callTool('deny', {});" });
      expectFailedRun(denied, 403, "PERMISSION_DENIED", hostPaths);
      expect(denied.body.error.message).toBe("the host refuses acme");
      const fragile = await post("/v1/execute", { code: "return await callTool('fragile', {});" });
      expectFailedRun(fragile, 200, "TOOL_ERROR", hostPaths);
      // The tenant can catch a refusal and carry on.
      const caught = await post("/v1/execute", { code: "try { await callTool('deny', {}); } catch (e) { return 'caught ' + e.message; }" });
      expect(caught.status).toBe(200);
      expect(caught.body.value).toBe("caught the host refuses acme");
    });
  });

  describe("/healthz and /metrics", () => {
    it("exposes executions by tenant and outcome, the duration histogram, pool utilisation and queue depth", async () => {
      const reply = await call(base, "GET", "/metrics");
      expect(reply.status).toBe(200);
      expect(reply.headers.get("content-type")).toMatch(/^text\/plain/);
      const text = reply.text;
      expect(text).toMatch(/^tenantbox_executions_total\{[^}]*tenant="acme"[^}]*outcome="ok"[^}]*\} \d+/m);
      expect(text).toMatch(/^tenantbox_executions_total\{[^}]*tenant="acme"[^}]*outcome="FUNCTION_NOT_FOUND"[^}]*\} \d+/m);
      expect(text).toMatch(/^tenantbox_executions_total\{[^}]*tenant="limits"[^}]*outcome="TIMEOUT"[^}]*\} 1$/m);
      expect(text).toMatch(/^tenantbox_execution_duration_seconds_bucket\{[^}]*le="0\.5"[^}]*\} \d+/m);
      expect(text).toMatch(/^tenantbox_execution_duration_seconds_count\{[^}]*\} \d+/m);
      const utilisation = gauges(text, "tenantbox_pool_utilisation");
      expect(utilisation.length).toBeGreaterThan(0);
      for (const value of utilisation) expect(value).toBeGreaterThanOrEqual(0);
      for (const value of utilisation) expect(value).toBeLessThanOrEqual(1);
      expect(text).toMatch(/^tenantbox_pool_utilisation\{memory_mb="\d+"\} /m);
      expect(gauge(text, "tenantbox_queue_depth")).toBe(0);
      expectNoHostLeak(reply, hostPaths);
    });
  });
});

describe("503 QUEUE_FULL (maxThreads 1, maxQueue 0)", () => {
  let base = "";
  const tokens: Record<string, string> = {};
  const run = (tenant: string, funcName: string, args: unknown[] = []) =>
    call(base, "POST", "/v1/run", { token: tokens[tenant]!, json: { file: "m.js", funcName, args } });

  beforeAll(async () => {
    const root = tempDir("tenantbox-root-");
    writeTenants(root, { big: { "m.js": BASIC }, lane: { "m.js": BASIC }, peer: { "m.js": BASIC, "tenantbox.json": manifest({ one: ["m.js#ok"] }) }, solo: { "m.js": BASIC } });
    const config = parseConfig({
      tenants: [
        { id: "big", tier: "enterprise" },
        // Same pool: its call takes the pool's spare worker (a tenant with nothing running starts on it).
        { id: "lane", tier: "free", quotas: { maxMemoryMB: 256 } },
        // Same memory class as big (256 MB): the same pool.
        { id: "peer", tier: "free", quotas: { maxMemoryMB: 256 } },
        // Free tier's 32 MB: a pool of its own.
        { id: "solo", tier: "free" },
      ],
    });
    const server = startServer({ root, config, dataDir: tempDir("tenantbox-data-"), maxThreads: 1, maxQueue: 0 });
    base = await server.listen({ port: 0, host: "127.0.0.1" });
    for (const id of ["big", "lane", "peer", "solo"]) tokens[id] = await token(id, `user@${id}`);
    // Warm both pools so the slow call below is running, not starting a worker.
    expect((await run("big", "ok")).status).toBe(200);
    expect((await run("solo", "ok")).status).toBe(200);
  });

  it("another tenant of the busy pool gets 503 QUEUE_FULL once its spare worker is taken too; a tenant of another memory class still runs", async () => {
    const slow = run("big", "slow", [700]);
    await until(() => running(base, 1), "the enterprise execution to run");
    // The pool's one worker is busy: a tenant with nothing running starts at once on the spare worker.
    const spare = run("lane", "slow", [700]);
    await until(() => running(base, 2), "the spare worker's execution to run");
    const refused = await run("peer", "ok");
    expectError(refused, 503, "QUEUE_FULL");
    expectRetryAfter(refused, 60);
    // The refused execution was not charged to the tenant's quota.
    const peerUsage = await call(base, "GET", "/v1/usage", { token: tokens.peer! });
    expect(peerUsage.body.executions.used).toBe(0);
    const other = await run("solo", "ok");
    expect(other.status, other.text).toBe(200);
    for (const done of [await slow, await spare]) {
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ success: true, value: "slow done" });
    }
    expect((await run("peer", "ok")).status).toBe(200);
  });

  // BUG: /v1/events does not answer 503 when the pool refuses its handlers. IsolatedRuntime.emit turns
  // QUEUE_FULL into a per-handler result, so TenantService.admitted never sees it: the answer is 200 with
  // `error.code: "QUEUE_FULL"` in the handler's result, the handler that never ran is charged to the
  // tenant's daily quota, and an audit row (errorCode QUEUE_FULL) is written. /v1/run in the same
  // situation answers 503 and gives the execution back.
  it("an event whose handlers the full pool refuses is a 503 QUEUE_FULL and costs no quota", async () => {
    const usedBefore = (await call(base, "GET", "/v1/usage", { token: tokens.peer! })).body.executions.used;
    const slow = run("big", "slow", [700]);
    const spare = run("lane", "slow", [700]);
    try {
      await until(() => running(base, 2), "the worker and the spare worker to run");
      const refused = await call(base, "POST", "/v1/events/one", { token: tokens.peer!, json: { payload: 1 } });
      expect((await call(base, "GET", "/v1/usage", { token: tokens.peer! })).body.executions.used, refused.text).toBe(usedBefore);
      expectError(refused, 503, "QUEUE_FULL");
    } finally {
      await slow;
      await spare;
    }
  });
});

describe("quotas reset with the clock", () => {
  let clock = Date.UTC(2031, 0, 15, 23, 59, 30);
  let base = "";
  let server: TenantboxServer;
  let tok = "";
  const exec = (code: string) => call(base, "POST", "/v1/execute", { token: tok, json: { code } });

  beforeAll(async () => {
    const root = tempDir("tenantbox-root-");
    writeTenants(root, { daily: {} });
    const config = parseConfig({
      tenants: [{ id: "daily", tier: "free", permissions: ["tool:echo"], tools: { echo: {} }, quotas: { maxExecutionsPerDay: 2, maxToolCallsPerDay: 1 } }],
    });
    server = startServer({ root, config, dataDir: tempDir("tenantbox-data-"), maxThreads: 1, now: () => clock });
    server.tool("echo", { handler: (args) => args });
    base = await server.listen({ port: 0, host: "127.0.0.1" });
    tok = await token("daily", "clockwatcher");
  });

  it("exhausts executions and tool calls, then the next UTC day starts at zero", async () => {
    expect((await exec("return await callTool('echo', 1);")).body).toMatchObject({ success: true, value: 1 });
    const toolRefused = await exec("return await callTool('echo', 2);");
    expectFailedRun(toolRefused, 429, "QUOTA_EXCEEDED");
    expect(expectRetryAfter(toolRefused)).toBe(30);
    const refused = await exec("return 3;");
    expectError(refused, 429, "QUOTA_EXCEEDED");
    // 30 seconds to the end of the (test clock's) UTC day.
    expect(expectRetryAfter(refused)).toBe(30);
    let usage = (await call(base, "GET", "/v1/usage", { token: tok })).body;
    expect(usage.period).toEqual({ start: "2031-01-15T00:00:00.000Z", end: "2031-01-16T00:00:00.000Z" });
    expect(usage.executions).toEqual({ used: 2, limit: 2 });
    expect(usage.toolCalls).toEqual({ used: 1, limit: 1 });

    clock = Date.UTC(2031, 0, 16, 0, 0, 5);
    const next = await exec("return await callTool('echo', 'new day');");
    expect(next.status, next.text).toBe(200);
    expect(next.body.value).toBe("new day");
    usage = (await call(base, "GET", "/v1/usage", { token: tok })).body;
    expect(usage.period).toEqual({ start: "2031-01-16T00:00:00.000Z", end: "2031-01-17T00:00:00.000Z" });
    expect(usage.executions.used).toBe(1);
    expect(usage.toolCalls.used).toBe(1);
    // Audit rows carry the service clock's time.
    const rows = await server.service.auditLog({ tenant: "daily" });
    expect(rows.map((r) => r.at)).toEqual([Date.UTC(2031, 0, 16, 0, 0, 5), Date.UTC(2031, 0, 15, 23, 59, 30), Date.UTC(2031, 0, 15, 23, 59, 30)]);
  });
});

describe.each(ENGINES)("audit log, graceful close and restart on $engine", ({ engine }) => {
  const NOW = Date.UTC(2032, 5, 1, 12, 0, 0);
  let root = "";
  let store: { dataDir: string; databaseUrl?: string } = { dataDir: "" };
  let tok = "";
  let usageBefore: { executions: { used: number }; toolCalls: { used: number } } | undefined;
  let second: TenantboxServer | undefined;
  let secondBase = "";
  const echo = { handler: (args: unknown) => ({ echoed: args }) };
  const executeCode = "return await callTool('echo', { n: 1 });";
  const deniedCode = "return await callTool('nope', {});";

  const config = () =>
    parseConfig({ tenants: [{ id: "audited", tier: "starter", permissions: ["tool:echo"], tools: { echo: {} } }, { id: "other", tier: "starter" }] });

  beforeAll(async () => {
    root = tempDir("tenantbox-root-");
    store = await storeOptions(engine, tempDir("tenantbox-data-"));
    writeTenants(root, {
      audited: {
        "m.js": `${BASIC}exports.boom = () => { throw new Error('no'); };\n`,
        "tenantbox.json": manifest({ ping: ["m.js#ok"] }),
      },
      other: { "m.js": BASIC },
    });
  });

  it("in-process close(): the in-flight request completes with 200, new requests are refused", async () => {
    const first = startServer({ root, config: config(), ...store, maxThreads: 1, now: () => NOW });
    first.tool("echo", echo);
    const base = await first.listen({ port: 0, host: "127.0.0.1" });
    tok = await token("audited", "alice");
    const post = (route: string, json: unknown, headers?: Record<string, string>) => call(base, "POST", route, { token: tok, json, ...(headers ? { headers } : {}) });

    expect((await post("/v1/run", { file: "m.js", funcName: "ok" })).status).toBe(200);
    expectFailedRun(await post("/v1/run", { file: "m.js", funcName: "boom" }), 200, "RUNTIME_ERROR");
    expect((await post("/v1/execute", { code: executeCode })).body.value).toEqual({ echoed: { n: 1 } });
    expectFailedRun(await post("/v1/execute", { code: deniedCode }), 403, "PERMISSION_DENIED");
    expect((await post("/v1/events/ping", { payload: {} })).body.results[0]).toMatchObject({ success: true, value: "ok" });
    usageBefore = (await call(base, "GET", "/v1/usage", { token: tok })).body;
    expect(usageBefore!.executions.used).toBe(5);

    // `connection: close`: with a keep-alive client, close() waits for the client to drop the connection
    // (see the it.fails below).
    const inFlight = post("/v1/run", { file: "m.js", funcName: "slow", args: [500] }, { connection: "close" });
    await until(() => running(base, 1), "the slow execution to run");
    const closing = first.close();
    const after = await call(base, "GET", "/v1/usage", { token: tok }).then(
      (reply) => reply,
      (error: unknown) => error as Error,
    );
    if (after instanceof Error) expect(String((after as { cause?: { code?: string } }).cause?.code ?? after.message)).toMatch(/ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET/);
    else expectError(after as Reply, 503, "UNAVAILABLE");
    const done = await inFlight;
    expect(done.status, done.text).toBe(200);
    expect(done.body).toMatchObject({ success: true, value: "slow done" });
    await closing;
    expect(first.service.closed).toBe(true);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it("a new server on the same data dir keeps today's usage and the audit rows", async () => {
    expect(usageBefore, "the previous test ran").toBeDefined();
    second = startServer({ root, config: config(), ...store, maxThreads: 1, now: () => NOW });
    second.tool("echo", echo);
    secondBase = await second.listen({ port: 0, host: "127.0.0.1" });
    const usage = (await call(secondBase, "GET", "/v1/usage", { token: tok })).body;
    expect(usage.executions.used).toBe(6); // five before close, and the one that finished during close
    expect((await call(secondBase, "GET", "/v1/usage", { token: await token("other") })).body.executions.used).toBe(0);

    const rows = await second.service.auditLog({ tenant: "audited" });
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      expect(row).toMatchObject({ tenant: "audited", user: "alice", at: NOW });
      expect(typeof row.durationMs).toBe("number");
      expect(row.durationMs).toBeGreaterThanOrEqual(0);
    }
    const [slow, event, denied, executed, boom, ok] = rows; // newest first
    expect(slow).toMatchObject({ kind: "run", file: "m.js", funcName: "slow", success: true, errorCode: null, toolCalls: 0 });
    expect(slow!.durationMs).toBeGreaterThanOrEqual(400);
    expect(event).toMatchObject({ kind: "event", event: "ping", file: "m.js", funcName: "ok", success: true });
    const hash = (code: string) => createHash("sha256").update(code).digest("hex");
    expect(denied).toMatchObject({ kind: "execute", codeHash: hash(deniedCode), file: null, funcName: null, success: false, errorCode: "PERMISSION_DENIED", toolCalls: 1 });
    expect(executed).toMatchObject({ kind: "execute", codeHash: hash(executeCode), success: true, errorCode: null, toolCalls: 1 });
    expect(boom).toMatchObject({ kind: "run", file: "m.js", funcName: "boom", success: false, errorCode: "RUNTIME_ERROR" });
    expect(ok).toMatchObject({ kind: "run", file: "m.js", funcName: "ok", success: true, errorCode: null, codeHash: null });
    expect(await second.service.auditLog({ tenant: "other" })).toEqual([]);

    // And the new server writes on after them.
    expect((await call(secondBase, "POST", "/v1/run", { token: tok, json: { file: "m.js", funcName: "ok" } })).status).toBe(200);
    expect(await second.service.auditLog({ tenant: "audited" })).toHaveLength(7);
  });

  // BUG: the daily tool-call counter is seeded from SUM(tool_calls) of the audit log, which counts every
  // tool call the sandbox attempted, including ones the service refused (PERMISSION_DENIED here) and
  // therefore never charged. Before the restart the tenant had used 1 tool call; after it, 2.
  it("a restart does not change today's tool-call count", async () => {
    expect(usageBefore).toBeDefined();
    expect(usageBefore!.toolCalls.used).toBe(1);
    const usage = (await call(secondBase, "GET", "/v1/usage", { token: tok })).body;
    expect(usage.toolCalls.used).toBe(usageBefore!.toolCalls.used);
  });
});

describe("graceful close with a keep-alive client", () => {
  // BUG: close() (and so SIGTERM) lets the in-flight request finish, but the answer still says
  // `connection: keep-alive` (`keep-alive: timeout=72`) and the connection is not closed once it is idle,
  // so the HTTP server's close waits until the client drops it: with fetch/undici or any pooled agent,
  // ~70 s. Bounded here at 3 s; the agent is destroyed afterwards so the server does finish closing.
  it("close() resolves soon after the in-flight response even when the client keeps the connection", async () => {
    const root = tempDir("tenantbox-root-");
    writeTenants(root, { acme: { "m.js": BASIC } });
    const server = startServer({ root, config: parseConfig({ tenants: [{ id: "acme", tier: "starter" }] }), dataDir: tempDir("tenantbox-data-"), maxThreads: 1 });
    const base = await server.listen({ port: 0, host: "127.0.0.1" });
    const tok = await token("acme", "u");
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let closing: Promise<void> | undefined;
    try {
      const response = new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
        const req = http.request(
          `${base}/v1/run`,
          { method: "POST", agent, headers: { authorization: `Bearer ${tok}`, "content-type": "application/json" } },
          (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (chunk: string) => (body += chunk));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify({ file: "m.js", funcName: "slow", args: [400] }));
      });
      await until(() => running(base, 1), "the slow execution to run");
      closing = server.close();
      const answer = await response;
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ success: true, value: "slow done" });
      const closedInTime = await Promise.race([closing.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
      expect(closedInTime, `close() still pending 3 s after the response (its connection header: ${answer.connection})`).toBe(true);
    } finally {
      agent.destroy();
      await closing;
    }
  });
});

describe("the service's pools by default", () => {
  it("have two sandbox workers per core (a short hook's call leaves its core idle while the service turns the answer around)", async () => {
    const root = tempDir("tenantbox-root-");
    writeTenants(root, { acme: { "m.js": BASIC } });
    const server = startServer({ root, config: parseConfig({ tenants: [{ id: "acme", tier: "enterprise" }] }), dataDir: tempDir("tenantbox-data-"), maxThreads: undefined });
    const base = await server.listen({ port: 0, host: "127.0.0.1" });
    expect(gauge((await call(base, "GET", "/metrics")).text, "tenantbox_pool_capacity")).toBe(2 * os.availableParallelism());
  });
});

describe("slow senders", () => {
  it("a request whose body stops arriving is answered 408 in the service's shape and cut off, within requestTimeoutMs and a second", async () => {
    const root = tempDir("tenantbox-root-");
    writeTenants(root, { acme: { "m.js": BASIC } });
    const server = startServer({ root, config: parseConfig({ tenants: [{ id: "acme", tier: "free" }] }), dataDir: tempDir("tenantbox-data-"), requestTimeoutMs: 1000 });
    const base = new URL(await server.listen({ port: 0, host: "127.0.0.1" }));
    const bearer = await token("acme");
    const started = performance.now();
    const reply = await new Promise<{ text: string; ms: number }>((resolve, reject) => {
      const socket = net.connect(Number(base.port), base.hostname, () =>
        socket.write(`POST /v1/run HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${bearer}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"file":`),
      );
      let text = "";
      socket.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
      socket.on("error", reject);
      socket.on("close", () => resolve({ text, ms: performance.now() - started }));
    });
    expect(reply.text).toMatch(/^HTTP\/1\.1 408/);
    expect(JSON.parse(reply.text.split("\r\n\r\n")[1]!)).toEqual({ error: { code: "INVALID_REQUEST", message: expect.any(String) } });
    // Node checks connections every second: well under the old 30 s check, generous for a busy machine.
    expect(reply.ms).toBeLessThan(10_000);
  });
});
