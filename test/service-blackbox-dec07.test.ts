// Findings of the black-box pass of dec07 over the HTTP service, each against a real TenantboxServer on
// 127.0.0.1, a real SQLite file in a temp dir, and real clients (fetch, and node:http for exact bytes).
// Builds nothing: `npm test` builds first.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken, TenantboxServer } from "../dist/service.js";

const SECRET = "tenantbox-blackbox-dec07-secret-0123456789";

let temp: string;
let server: TenantboxServer;
let base: string;
let token: string;
let echoed = 0;

beforeAll(async () => {
  temp = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-blackbox-dec07-"));
  const folder = path.join(temp, "root", "acme");
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(
    path.join(folder, "tools.js"),
    [
      "exports.twice = async () => {",
      "  let refused;",
      '  try { await callTool("echo", { text: 42 }); } catch (error) { refused = error.code + ": " + error.message; }',
      '  const answer = await callTool("echo", { text: "hello" });',
      "  return { refused, answer };",
      "};",
      "",
    ].join("\n"),
  );
  server = new TenantboxServer({
    root: path.join(temp, "root"),
    config: {
      tenants: [{ id: "acme", tier: "starter", permissions: ["tool:echo"], tools: { echo: { rateLimit: { points: 1, duration: 60 } } } }],
    },
    dataDir: path.join(temp, "data"),
    jwtSecret: SECRET,
    watch: false,
    maxThreads: 1,
    logger: false,
  });
  server.tool("echo", {
    schema: { type: "object", required: ["text"], additionalProperties: false, properties: { text: { type: "string" } } },
    handler: async (args) => {
      echoed++;
      return { echo: (args as { text: string }).text };
    },
  });
  base = await server.listen({ port: 0, host: "127.0.0.1" });
  token = await signToken(SECRET, { tenantId: "acme" });
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (temp) fs.rmSync(temp, { recursive: true, force: true });
});

/** One POST with exactly these body bytes and this content-type, over node:http. */
function postBytes(route: string, contentType: string, body: Buffer): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const url = new URL(route, base);
    const request = http.request(
      url,
      { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": contentType, "content-length": body.length } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) }));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

describe("request bodies are UTF-8 JSON", () => {
  const script = (value: string) => JSON.stringify({ code: "return context.s", context: { s: value } });

  it("a body said to be latin1 (or any charset but UTF-8) is refused with 415, not read as UTF-8", async () => {
    // "café" in latin1: the é is one byte, 0xE9, which UTF-8 decoding turned into U+FFFD (the run answered "caf\uFFFD").
    const latin1 = Buffer.from(script("café"), "latin1");
    for (const type of ["application/json; charset=latin1", "application/json; charset=ISO-8859-1", 'application/json; charset="utf-16"']) {
      const reply = await postBytes("/v1/execute", type, latin1);
      expect(reply.status, type).toBe(415);
      expect(reply.body.error.code).toBe("INVALID_REQUEST");
      expect(reply.body.error.message).toMatch(/UTF-8/);
    }
    // UTF-8, said or not, in any spelling, is read as it is.
    const utf8 = Buffer.from(script("café"), "utf8");
    for (const type of ["application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8", 'application/json; charset="utf8"', "application/json; foo=bar"]) {
      const reply = await postBytes("/v1/execute", type, utf8);
      expect(reply, type).toMatchObject({ status: 200, body: { success: true, value: "café" } });
    }
  }, 30_000);

  it("a body whose bytes are not UTF-8 is refused with 400, nothing replaced by U+FFFD", async () => {
    const reply = await postBytes("/v1/execute", "application/json", Buffer.from(script("café"), "latin1"));
    expect(reply.status).toBe(400);
    expect(reply.body.error).toEqual({ code: "INVALID_REQUEST", message: expect.stringMatching(/not UTF-8/) });
    // A U+FFFD the client sent itself is its data.
    const own = await postBytes("/v1/execute", "application/json", Buffer.from(script("\uFFFD"), "utf8"));
    expect(own).toMatchObject({ status: 200, body: { success: true, value: "\uFFFD" } });
  }, 30_000);

  it("an empty body is still no body, whatever its charset says", async () => {
    const reply = await postBytes("/v1/run", "application/json; charset=latin1", Buffer.alloc(0));
    expect(reply).toEqual({ status: 400, body: { error: { code: "INVALID_REQUEST", message: "body must be object" } } });
  });
});

describe("a tool call whose arguments fail the tool's schema", () => {
  it("costs no point of the tool's rate limit and no tool call of the day: the corrected call runs", async () => {
    // echo allows one call a minute; the first call's arguments are wrong (text: 42).
    const reply = await fetch(`${base}/v1/run`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ file: "tools.js", funcName: "twice" }),
    });
    const result = (await reply.json()) as any;
    expect(result, JSON.stringify(result)).toMatchObject({ success: true, value: { refused: expect.stringMatching(/^TOOL_ERROR: .*invalid arguments/), answer: { echo: "hello" } } });
    expect(echoed).toBe(1);
    // Both calls count toward the execution's tool calls; only the one that ran toward the day's.
    expect(result.stats.toolCalls).toBe(2);
    const usage = (await (await fetch(`${base}/v1/usage`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
    expect(usage.toolCalls.used).toBe(1);
  }, 30_000);
});

describe("a request the route's schema refuses says what to send", () => {
  const send = async (method: string, route: string, body?: unknown) => {
    const reply = await fetch(`${base}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: reply.status, body: (await reply.json()) as any };
  };
  const refused = (message: string) => ({ status: 400, body: { error: { code: "INVALID_REQUEST", message } } });

  it("names an unknown field or query parameter and lists the route's own", async () => {
    // It said "body must NOT have additional properties", naming neither.
    expect(await send("POST", "/v1/run", { file: "tools.js", funcName: "twice", arg: [] })).toEqual(
      refused('body must NOT have additional properties: "arg" is not a field of this route (its fields: file, funcName, args, context)'),
    );
    expect(await send("GET", "/v1/events/failed?limit=5&page=2")).toEqual(
      refused('querystring must NOT have additional properties: "page" is not a query parameter of this route (its query parameters: limit, before)'),
    );
  });

  it("says a pattern in words, an enum's values, and a query parameter given twice", async () => {
    // They were the regular expressions themselves ("must match pattern \"^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$\"").
    expect(await send("GET", "/v1/events/failed?limit=1000")).toEqual(refused("querystring/limit must be a whole number from 1 to 500"));
    expect(await send("GET", "/v1/events/failed?limit=5&limit=6")).toEqual(refused("querystring/limit must be given once"));
    expect(await send("POST", "/v1/events/caf%C3%A9", {})).toEqual(refused("params/event must be an event name: 1-128 letters, digits or . _ : -"));
    expect(await send("POST", "/v1/events/order.created", { delivery: "later" })).toEqual(refused('body/delivery must be one of "sync", "queued"'));
    // ajv's own words where they say it.
    expect(await send("POST", "/v1/run", { file: "tools.js" })).toEqual(refused("body must have required property 'funcName'"));
  });
});

describe("a tool the config enables for a tenant whose permissions do not grant it", () => {
  it("is said once at start, as a tool nobody registered is: its calls are refused", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-blackbox-dec07-grant-"));
    fs.mkdirSync(path.join(dir, "root", "acme"), { recursive: true });
    const lines: string[] = [];
    const quiet = new TenantboxServer({
      root: path.join(dir, "root"),
      // data:query is enabled and granted; data:insert enabled but not granted (a prefix grant of another family).
      config: { tenants: [{ id: "acme", tier: "free", permissions: ["tool:data:query", "tool:crm:*"], tools: { "data:query": {}, "data:insert": {} } }] },
      dataDir: path.join(dir, "data"),
      jwtSecret: SECRET,
      watch: false,
      maxThreads: 1,
      log: (message: string) => lines.push(message),
    });
    try {
      await quiet.listen({ port: 0, host: "127.0.0.1" });
      expect(lines.filter((line) => line.includes("is enabled for tenant"))).toEqual([
        'tool "data:insert" is enabled for tenant "acme" but its permissions do not grant "tool:data:insert"; its calls are refused',
      ]);
    } finally {
      await quiet.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe("TenantboxServer's options", () => {
  const options = () => ({ root: temp, config: { tenants: [{ id: "acme", tier: "free" as const }] }, dataDir: path.join(temp, "options-data"), jwtSecret: SECRET });

  it("an unknown option is a TypeError naming it, as IsolatedRuntime's are (a port here was ignored: the server listened on 3000)", () => {
    expect(() => new TenantboxServer({ ...options(), port: 4000 } as never)).toThrow(
      new TypeError('tenantbox: unknown service option "port" (where to listen is listen()\'s: server.listen({ port, host }))'),
    );
    expect(() => new TenantboxServer({ ...options(), dataDirectory: "/tmp/x" } as never)).toThrow(new TypeError('tenantbox: unknown service option "dataDirectory"'));
  });

  it("an empty dataDir is refused (it was the working directory), and requestTimeoutMs is checked by its own name", () => {
    expect(() => new TenantboxServer({ ...options(), dataDir: "" })).toThrow(new TypeError('tenantbox: service option dataDir must be a directory\'s path, got ""'));
    // It said "auth secret must be at least 32 characters", not which secret.
    expect(() => new TenantboxServer({ ...options(), jwtSecret: "short" })).toThrow(
      new TypeError('tenantbox: option "jwtSecret" must be a string of at least 32 characters (openssl rand -hex 32 makes one)'),
    );
    expect(() => new TenantboxServer({ ...options(), requestTimeoutMs: -1 })).toThrow(
      new TypeError('tenantbox: option "requestTimeoutMs" must be a positive integer (ms), got -1'),
    );
  });
});
