import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, signToken, TenantboxServer } from "../dist/service.js";
import { call, expectError, manifest, removeTempDirs, SECRET, tempDir, writeTenants } from "./service-helpers.js";

// Regressions for the service red-team review: what a tenant can do with files in its own folder and with
// requests, each answered quickly and leaving every other tenant served.
describe("the service against hostile tenants", () => {
  let server: TenantboxServer;
  let base = "";
  let root = "";
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    root = tempDir();
    writeTenants(root, {
      fifo: { "m.js": "exports.f = () => 1;" },
      zero: { "m.js": "exports.f = () => 1;" },
      big: { "small.js": "exports.f = () => 1;", "huge.js": `exports.f = () => ${JSON.stringify("x".repeat(60 * 1024))};` },
      proto: { "m.js": "exports.f = () => 1;", "tenantbox.json": manifest({ e: ["m.js#f"] }) },
      data: {},
      other: { "m.js": "exports.f = () => 'other ok';", "secret.json": '{"secret":"OTHER-SECRET"}' },
      linked: {
        // Written as text: an object literal's __proto__ key would set its prototype instead.
        "real/tenantbox.json": '{ "hooks": { "__proto__": ["m.js#f"], "ping": ["m.js#f"] } }',
        "m.js": "exports.f = () => 'pong';",
        "probe.js": `exports.f = () => {
          const out = [];
          try { require("./host/etc/passwd"); out.push("found"); } catch (e) { out.push(e.message); }
          try { require("./host/etc/no-such-file"); out.push("found"); } catch (e) { out.push(e.message); }
          return out;
        };`,
      },
    });
    // A volume-mount style manifest: a symlink to a file inside the folder is fine.
    fs.symlinkSync("real/tenantbox.json", path.join(root, "linked", "tenantbox.json"));
    // A symlink to "/" inside the folder must not tell the tenant which host files exist.
    fs.symlinkSync("/", path.join(root, "linked", "host"));
    // A FIFO in place of the manifest would block any plain read forever; a symlink to /dev/zero would fill memory.
    execFileSync("mkfifo", [path.join(root, "fifo", "tenantbox.json")]);
    execFileSync("mkfifo", [path.join(root, "fifo", "pipe.js")]);
    fs.symlinkSync("/dev/zero", path.join(root, "zero", "tenantbox.json"));
    const tenant = (id: string, extra: Record<string, unknown> = {}) => ({ id, tier: "free", permissions: ["tool:data:*"], tools: { "data:insert": {}, "data:update": {}, "data:query": {} }, ...extra });
    server = new TenantboxServer({
      root,
      config: parseConfig({
        tenants: [
          tenant("fifo"),
          tenant("zero"),
          tenant("big"),
          tenant("proto"),
          tenant("data", { tier: "enterprise" }),
          tenant("other", { tier: "enterprise" }),
          tenant("linked"),
        ],
      }),
      dataDir: tempDir(),
      jwtSecret: SECRET,
      watch: false,
      maxThreads: 1,
    });
    base = await server.listen({ port: 0 });
    for (const id of ["fifo", "zero", "big", "proto", "data", "other", "linked"]) tokens[id] = await signToken(SECRET, { tenantId: id, sub: "u" });
  });

  afterAll(async () => {
    await server?.close();
    removeTempDirs();
  });

  const otherStillServed = async () => {
    const reply = await call(base, "POST", "/v1/run", { token: tokens.other, json: { file: "m.js", funcName: "f" } });
    expect(reply.body.value).toBe("other ok");
  };

  it("a body that would cost the JSON parse more than its bytes (distinct object layouts, a flood of arrays) is a 400 before it is parsed", async () => {
    // 20,000 one-key objects with distinct keys (220 KB) cost the service's main thread 10-20 ms to parse; a
    // tenant allowed bigger bodies, 50-90 ms per megabyte.
    const distinct = JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ [`k${i.toString(36)}`]: 0 })));
    const layouts = await call(base, "POST", "/v1/run", { token: tokens.data, raw: `{"file":"m.js","funcName":"f","args":[${distinct}]}` });
    expectError(layouts, 400, "INVALID_REQUEST");
    expect(layouts.body.error.message).toMatch(/^the body holds more than 8192 distinct object layouts/);
    const arrays = await call(base, "POST", "/v1/events/e", { token: tokens.data, raw: `{"payload":[${Array(70_000).fill("[]").join(",")}]}` });
    expectError(arrays, 400, "INVALID_REQUEST");
    expect(arrays.body.error.message).toBe("the body holds more than 65536 arrays and objects");
    // Rows that share their keys are one layout: the same count of them is an ordinary body.
    const rows = JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ k: i })));
    const ok = await call(base, "POST", "/v1/run", { token: tokens.other, raw: `{"file":"m.js","funcName":"f","args":[${rows}]}` });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.value).toBe("other ok");
  });

  it("a value crosses into the reply as the sandbox wrote it (never parsed by the service), strings that look like its placeholder included", async () => {
    const code = `console.log("\\u0000tenantbox-raw-00000000-0000-0000-0000-000000000000-0"); return { text: "\\u0000tenantbox-raw-x-0", n: [1, 2.5, -0, 1e21], nested: { ok: true }, s: "\\u2028é" };`;
    const reply = await call(base, "POST", "/v1/execute", { token: tokens.data, json: { code } });
    expect(reply.status, reply.text).toBe(200);
    expect(reply.headers.get("content-type")).toMatch(/^application\/json/);
    expect(reply.body.value).toEqual({ text: "\u0000tenantbox-raw-x-0", n: [1, 2.5, 0, 1e21], nested: { ok: true }, s: "\u2028é" });
    expect(reply.body.logs[0].message).toBe("\u0000tenantbox-raw-00000000-0000-0000-0000-000000000000-0");
    expect(reply.body.success).toBe(true);
  });

  it("a FIFO manifest or module is refused at once, never waited on", async () => {
    const modules = await call(base, "GET", "/v1/modules", { token: tokens.fifo });
    expect(modules.status).toBe(200);
    expect(modules.body.hooks.valid).toBe(false);
    expect(JSON.stringify(modules.body.hooks.issues)).toMatch(/not a regular file/);
    const event = await call(base, "POST", "/v1/events/e", { token: tokens.fifo, json: {} });
    expect(event.body.results).toEqual([]);
    const run = await call(base, "POST", "/v1/run", { token: tokens.fifo, json: { file: "pipe.js", funcName: "f" } });
    expect(run.body.success).toBe(false);
    await otherStillServed();
  });

  it("a manifest symlinked to /dev/zero is refused, not read", async () => {
    const modules = await call(base, "GET", "/v1/modules", { token: tokens.zero });
    expect(modules.body.hooks.valid).toBe(false);
    expect(JSON.stringify(modules.body.hooks.issues)).toMatch(/leads outside the tenant folder/);
    await otherStillServed();
  });

  it("a file over the tenants' code quota is refused before it is read or parsed", async () => {
    const modules = await call(base, "GET", "/v1/modules", { token: tokens.big });
    const huge = modules.body.modules.find((m: { file: string }) => m.file === "huge.js");
    expect(huge.valid).toBe(false);
    expect(huge.issues[0].rule).toBe("max-module-size");
    const run = await call(base, "POST", "/v1/run", { token: tokens.big, json: { file: "huge.js", funcName: "f" } });
    expect(run.body.error.code).toBe("VALIDATION_ERROR");
  });

  it("an event named after an Object.prototype member has no handlers and costs nothing", async () => {
    const before = (await call(base, "GET", "/v1/usage", { token: tokens.proto })).body.executions.used;
    for (const event of ["constructor", "__defineGetter__", "toString"]) {
      const reply = await call(base, "POST", `/v1/events/${event}`, { token: tokens.proto, json: {} });
      expect(reply.status).toBe(200);
      expect(reply.body.results).toEqual([]);
    }
    expect((await call(base, "GET", "/v1/usage", { token: tokens.proto })).body.executions.used).toBe(before);
  });

  it("an unknown route answers 404 without reading its body, and a /v1 route however spelled needs a token", async () => {
    // Were the body parsed, this invalid JSON would be a 400.
    expectError(await call(base, "POST", "/nope", { raw: "{not json" }), 404, "NOT_FOUND");
    expectError(await call(base, "POST", "/%761/run", { json: { file: "m.js", funcName: "f" } }), 401, "UNAUTHORIZED");
  });

  it("one data:update may rewrite at most 200 documents", async () => {
    const code = `
      for (let i = 0; i < 201; i++) await callTool("data:insert", { collection: "c", doc: { i } });
      try { await callTool("data:update", { collection: "c", where: { i: { $gte: 0 } }, set: { y: 1 } }); }
      catch (e) { return { code: e.code, message: e.message }; }`;
    const reply = await call(base, "POST", "/v1/execute", { token: tokens.data, json: { code } });
    expect(reply.body.value).toEqual({ code: "TOOL_ERROR", message: expect.stringMatching(/more than 200 documents/) });
    const fewer = `return await callTool("data:update", { collection: "c", where: { i: { $lt: 200 } }, set: { y: 1 } });`;
    expect((await call(base, "POST", "/v1/execute", { token: tokens.data, json: { code: fewer } })).body.value).toEqual({ updated: 200 });
    const usage = (await call(base, "GET", "/v1/usage", { token: tokens.data })).body;
    expect(usage.storage.usedBytes).toBeGreaterThan(201 * 7);
    expect(usage.storage.limitBytes).toBe(10_000 * 1024 * 1024);
  });

  it("maxMemoryMB is each tenant's own: 90 MB of objects end a free tenant's call, an enterprise tenant's succeeds", async () => {
    const code = "const a = []; for (let i = 0; i < 1500000; i++) a.push({ i, s: 'x' + i }); return a.length;";
    const free = await call(base, "POST", "/v1/execute", { token: tokens.big, json: { code } });
    expect(free.body.error.code).toBe("MEMORY_LIMIT_EXCEEDED");
    const enterprise = await call(base, "POST", "/v1/execute", { token: tokens.data, json: { code } });
    expect(enterprise.body.value).toBe(1500000);
    await otherStillServed();
  });

  it("a manifest symlinked inside the folder works, and an event named __proto__ is an event", async () => {
    const modules = await call(base, "GET", "/v1/modules", { token: tokens.linked });
    expect(modules.body.hooks.valid).toBe(true);
    expect(Object.keys(modules.body.hooks.events).sort()).toEqual(["__proto__", "ping"]);
    const reply = await call(base, "POST", "/v1/events/__proto__", { token: tokens.linked, json: {} });
    expect(reply.body.results.map((r: { value: unknown }) => r.value)).toEqual(["pong"]);
  });

  it("a host path reached through a symlink reads the same as a missing module", async () => {
    const reply = await call(base, "POST", "/v1/run", { token: tokens.linked, json: { file: "probe.js", funcName: "f" } });
    const [passwd, missing] = reply.body.value as string[];
    expect(passwd).toMatch(/cannot find module/);
    expect(passwd.replace("passwd", "X")).toBe(missing!.replace("no-such-file", "X"));
  });

  it("one data:query returns at most 4 MiB of documents", async () => {
    const code = `
      const big = "x".repeat(60 * 1024);
      for (let i = 0; i < 70; i++) await callTool("data:insert", { collection: "big", doc: { big } });
      try { await callTool("data:query", { collection: "big" }); } catch (e) { return e.message; }`;
    const reply = await call(base, "POST", "/v1/execute", { token: tokens.data, json: { code } });
    expect(reply.body.value).toMatch(/more than 4194304 bytes/);
  });

  it("a tenant renaming directories in a loop does not hold up another tenant (no watcher by default)", async () => {
    // A directory and a symlink to a directory trade places as fast as renames go (what flooded the watcher).
    const churn = path.join(root, "linked", "churn");
    fs.mkdirSync(path.join(churn, "sub"), { recursive: true });
    fs.symlinkSync(path.join(root, "other"), path.join(churn, "link"));
    const script = `const fs = require("fs"); const d = ${JSON.stringify(churn)}; const end = Date.now() + 4000;
      while (Date.now() < end) { fs.renameSync(d + "/sub", d + "/tmp"); fs.renameSync(d + "/link", d + "/sub"); fs.renameSync(d + "/tmp", d + "/link"); }`;
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, ["-e", script], { stdio: "ignore" });
    const exited = new Promise((r) => child.once("exit", r));
    let slowest = 0;
    const end = Date.now() + 3000;
    while (Date.now() < end) {
      const started = performance.now();
      await otherStillServed();
      slowest = Math.max(slowest, performance.now() - started);
    }
    await exited;
    // A flooded watcher held such a call until the renames stopped (here 4 s; 20 s in the review).
    expect(slowest).toBeLessThan(2000);
  });

  it("a refusal sent before the request's body arrived closes the connection", async () => {
    const { request } = await import("node:http");
    const url = new URL(base);
    const answer = await new Promise<{ status: number; connection: string | undefined; closed: Promise<void> }>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method: "POST", path: "/nope", headers: { "content-type": "application/json", "content-length": "10000000" } });
      req.on("error", () => undefined);
      req.on("response", (res) => {
        const closed = new Promise<void>((done) => req.socket!.once("close", () => done()));
        res.resume();
        resolve({ status: res.statusCode!, connection: res.headers.connection, closed });
      });
      req.on("socket", (socket) => socket.on("error", reject));
      req.write("{".repeat(1000));
    });
    expect(answer.status).toBe(404);
    expect(answer.connection).toBe("close");
    await answer.closed;
  });
});

describe("tenantbox audit output", () => {
  it("escapes every character that could reorder, hide or overprint text on a terminal", async () => {
    const { openDatabase } = await import("../src/service/database.js");
    const { SqliteAuditLog } = await import("../src/service/sqlite-audit-log.js");
    const dataDir = tempDir();
    const db = openDatabase(dataDir);
    const file = "a\u061Cb\u{E0041}c\u0301d\u202E.js";
    await new SqliteAuditLog(db).record({ tenant: "t", kind: "run", file, funcName: "f", success: true, durationMs: 1, toolCalls: 0, at: Date.now() });
    db.close();
    const node = path.join(process.cwd(), "node_modules", ".bin", "node");
    const out = execFileSync(node, ["dist/cli.js", "audit", "--data", dataDir], { encoding: "utf8" });
    expect(out).not.toMatch(/[\p{Cf}\p{M}\p{Default_Ignorable_Code_Point}]/u);
    expect(out).toContain("a\\u{61c}b\\u{e0041}c\\u{301}d\\u{202e}.js#f");
    const json = execFileSync(node, ["dist/cli.js", "audit", "--data", dataDir, "--json"], { encoding: "utf8" });
    expect(json).not.toMatch(/[\p{Cf}\p{M}\p{Default_Ignorable_Code_Point}]/u);
    expect(JSON.parse(json).file).toBe(file);
    removeTempDirs();
  });
});
