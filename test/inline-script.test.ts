import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupTenants, makeRuntime, makeTenant, RuntimeError } from "./helpers.js";

// Inline scripts (executeCode/runCode), per-call limits, tool refusal codes, emit concurrency, load().
describe("inline scripts and per-call limits", () => {
  const seen: unknown[] = [];
  const runtime = makeRuntime({
    toolHandler: async (name, args, ctx) => {
      seen.push({ name, meta: ctx.meta, folder: ctx.folder });
      if (name === "deny") throw new RuntimeError("PERMISSION_DENIED", "tool deny is not allowed");
      if (name === "limited") throw new RuntimeError("RATE_LIMITED", "slow down");
      if (name === "pretend-timeout") throw new RuntimeError("TIMEOUT", "not yours to say");
      return { echo: args };
    },
  });
  let folder = "";

  beforeAll(() => {
    folder = makeTenant({
      "big.js": `exports.f = () => ${JSON.stringify("x".repeat(3000))}.length;`,
      "small.js": `const big = require("./big.js"); exports.f = () => big.f();`,
      "slow.js": `exports.f = async (p) => { await new Promise((r) => setTimeout(r, 100)); return p; };`,
      "tenantbox.json": JSON.stringify({ hooks: { tick: ["slow.js#f", "slow.js#f", "slow.js#f"] } }),
    });
  });
  afterAll(async () => {
    await runtime.close();
    cleanupTenants();
  });

  it("runs a function body with top-level await, return, callTool and context", async () => {
    const value = await runtime.runCode({
      code: "const r = await callTool('echo', { n: context.n });\nreturn [r.echo.n, typeof process, Buffer.from('hi').toString('hex')];",
      context: { n: 7 },
      folder: "/tenants/acme",
      meta: { user: "u1" },
    });
    expect(value).toEqual([7, "object", "6869"]);
    expect(seen.at(-1)).toEqual({ name: "echo", meta: { user: "u1" }, folder: "/tenants/acme" });
  });

  it("reports syntax errors on the caller's own lines", async () => {
    const result = await runtime.executeCode({ code: "const a = 1;\n\nreturn a +;" });
    expect(result.error?.code).toBe("VALIDATION_ERROR");
    const issues = result.error?.details?.issues as { location: { line: number } }[];
    expect(issues[0]!.location.line).toBe(3);
  });

  it("keeps rule findings on the caller's lines too", async () => {
    const result = await runtime.executeCode({ code: "const a = 1;\nreturn eval('a');" });
    expect(result.error?.code).toBe("VALIDATION_ERROR");
    const issues = result.error?.details?.issues as { rule: string; location: { line: number } }[];
    expect(issues[0]).toMatchObject({ rule: "no-eval", location: { line: 2 } });
  });

  it("cannot close the wrapper early or reach modules", async () => {
    const breakout = await runtime.executeCode({ code: "}; module.exports = () => process; (function () {" });
    expect(breakout.error?.code).toBe("VALIDATION_ERROR");
    const requires = await runtime.executeCode({ code: "return require('fs')" });
    expect(requires.error?.code).toBe("MODULE_NOT_FOUND");
    const imports = await runtime.executeCode({ code: "return await import('fs')" });
    expect(imports.success).toBe(false);
  });

  it("is guarded like a module: loops time out, memory and output limits hold", async () => {
    const loop = await runtime.executeCode({ code: "while (true) {}", timeout: 150 });
    expect(loop.error?.code).toBe("TIMEOUT");
    const output = await runtime.executeCode({ code: "return 'x'.repeat(5000)", maxOutputBytes: 1000 });
    expect(output.error?.code).toBe("OUTPUT_TOO_LARGE");
    expect(await runtime.runCode({ code: "return 1 + 1" })).toBe(2);
  });

  it("caps tool calls per call", async () => {
    const result = await runtime.executeCode({ code: "for (let i = 0; i < 5; i++) await callTool('echo', i);", maxToolCalls: 2 });
    expect(result.error?.code).toBe("MAX_TOOL_CALLS");
    expect(result.stats.toolCalls).toBe(2);
  });

  it("lets a handler refuse on policy grounds, but not fake other codes", async () => {
    const denied = await runtime.executeCode({ code: "await callTool('deny')" });
    expect(denied.error).toMatchObject({ code: "PERMISSION_DENIED", message: "tool deny is not allowed" });
    const caught = await runtime.runCode({ code: "try { await callTool('limited') } catch (e) { return e.code }" });
    expect(caught).toBe("RATE_LIMITED");
    const faked = await runtime.executeCode({ code: "await callTool('pretend-timeout')" });
    expect(faked.error?.code).toBe("TOOL_ERROR");
  });

  it("refuses code over maxCodeBytes, counting every module of the graph", async () => {
    expect(await runtime.run({ folder, file: "small.js", funcName: "f", maxCodeBytes: 10_000 })).toBe(3000);
    const result = await runtime.execute({ folder, file: "small.js", funcName: "f", maxCodeBytes: 2000 });
    expect(result.error?.code).toBe("CODE_TOO_LARGE");
    const script = await runtime.executeCode({ code: "return 1;", maxCodeBytes: 5 });
    expect(script.error?.code).toBe("CODE_TOO_LARGE");
  });

  it("checks per-call limits", async () => {
    const result = await runtime.executeCode({ code: "return 1", maxToolCalls: -1 });
    expect(result.error?.code).toBe("INVALID_REQUEST");
    const folderless = await runtime.executeCode({ code: "return 1", folder: "relative/path" });
    expect(folderless.error?.code).toBe("INVALID_REQUEST");
  });

  it("runs an event's handlers at most `concurrency` at a time, in manifest order", async () => {
    const started = performance.now();
    const results = await runtime.emit("tick", 1, { folder, concurrency: 1 });
    expect(results.map((r) => r.success)).toEqual([true, true, true]);
    // Three 100 ms handlers one after another: at least ~300 ms (a generous lower bound, never an upper one).
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("lists an event's handlers as one snapshot; inherited names are no events", async () => {
    expect(await runtime.handlers("tick", folder)).toEqual([0, 1, 2].map(() => ({ file: "slow.js", funcName: "f" })));
    expect(await runtime.handlers("constructor", folder)).toEqual([]);
    expect(await runtime.handlers("none", folder)).toEqual([]);
  });

  it("reports its load", async () => {
    const pending = runtime.executeCode({ code: "await new Promise((r) => setTimeout(r, 1000)); return 1" });
    // Counted from when it is queued, after its script is compiled (on a loader thread: a few ms, more on a
    // busy machine, or behind a round of the loader's background warm-up).
    let load = runtime.load();
    for (let waited = 0; load.running + load.queued === 0 && waited < 900; waited += 10) {
      await new Promise((r) => setTimeout(r, 10));
      load = runtime.load();
    }
    expect(load.capacity).toBe(2);
    expect(load.running + load.queued).toBeGreaterThanOrEqual(1);
    await pending;
    expect(runtime.load()).toMatchObject({ running: 0, queued: 0, capacity: 2 });
    expect(runtime.load().workers).toBeGreaterThanOrEqual(1);
  });
});

describe("validate(code, { kind: 'script' })", () => {
  const runtime = makeRuntime();
  afterAll(() => runtime.close());

  it("accepts a function body and reports problems on the caller's lines", async () => {
    expect(await runtime.validate("const x = await callTool('a');\nreturn x;", { kind: "script" })).toEqual({ valid: true, issues: [] });
    const bad = await runtime.validate("let a = 1;\nreturn eval('a');", { kind: "script" });
    expect(bad.valid).toBe(false);
    expect(bad.issues[0]).toMatchObject({ rule: "no-eval", location: { line: 2 } });
    expect((await runtime.validate("return 1 +", { kind: "script" })).issues[0]).toMatchObject({ rule: "syntax", location: { line: 1 } });
    // The same text is not a valid module: top-level return and await belong to scripts.
    expect((await runtime.validate("await callTool('a');\nreturn 1;")).valid).toBe(false);
  });
});
