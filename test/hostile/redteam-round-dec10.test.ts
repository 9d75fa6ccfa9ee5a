import { afterAll, describe, expect, it } from "vitest";
import { cleanupTenants, longestStall, makeRuntime, makeTenant } from "../helpers.js";

/*
 * Red-team round of Dec 10 (the host's main thread, the realm's newest pieces). Findings:
 *
 *   H1 (high: the host's main thread) A tenant's tenantbox.json with an issue had its positions found by
 *      scanJson (json-positions.ts) on the host's main thread, which kept every value's start in one Map by the
 *      JSON text of its whole path: a member's key repeated the keys of every level above it. One key of
 *      17,000 characters over an array of N elements made N keys of 17 KB, and V8 hashes a string of more than
 *      16,383 characters by its length alone: every key collided, and each insert compared against all before
 *      it, 17 KB each. 3,000 elements held the main thread 7-20 s; a 256 KiB manifest (one 20,000-character key,
 *      100,000 elements) held it for hours, or ran the host out of memory (2 GB of keys). The scan keeps a tree
 *      of places now, each key parsed and kept once.
 *   H2 (high: the host's main thread) The same hash, in JSON.parse on the host's main thread: V8 interns every
 *      object key into the isolate's string table, which keeps them until a full collection, and hashes a
 *      key of more than 16,383 characters by its length alone. A call of 100 tool calls, each 1 MiB of 60 keys
 *      of 17,000 characters (distinct, one length), passed every shape check (60 layouts) and held the host's
 *      main thread 5-10 s per call, each parse slower than the one before (up to 1.3 s), the next call's slower
 *      still. jsonShapeProblem, which every JSON text the host parses for a tenant passes first (tool
 *      arguments, return values, frames, the service's bodies), now refuses such a key ("keys").
 *   H3 (low: semantics) The transform's `x.constructor = v` rewrite handed a comma expression to the realm's
 *      helper as two arguments: `(a, b).constructor = v` became `__tenantbox_ownConstructor(a, b).constructor = v`,
 *      which assigned to a, not b. The sequence keeps its own parentheses now.
 */

afterAll(() => cleanupTenants());

/** Generous for a busy 2-core machine (the host-main-thread suite's bound). */
const MAX_STALL_MS = 1000;

describe("H1: a manifest whose issue needs a position, under one long key", () => {
  it("hooks() does not stall the host's main thread", async () => {
    // The longest key a manifest may hold (review dec10 R1 refuses longer ones before any parse): each element's
    // path as JSON text (["k...k",N]) is still longer than 16,383 characters, what made the old Map's keys collide.
    const key = "k".repeat(16_383);
    const elements = 3000;
    const folder = makeTenant({
      "tenantbox.json": `{"${key}": [${new Array(elements).fill(0).join(",")}], "hooks": {"tick": ["h.js#f"]}}`,
      "h.js": "exports.f = () => 'ok';\n",
    });
    const runtime = makeRuntime({ maxThreads: 1 });
    try {
      // The runtime's start is not the scan's time.
      await runtime.run({ folder, file: "h.js", funcName: "f" });
      let hooks: Awaited<ReturnType<typeof runtime.hooks>> | undefined;
      const stall = await longestStall(async () => {
        hooks = await runtime.hooks(folder);
      });
      // 7 s before the fix in this test (3,000 inserts of colliding 17 KB keys), ~20 s on a loaded machine; a few milliseconds after.
      expect(stall).toBeLessThan(MAX_STALL_MS);
      const unknown = hooks!.issues.find((issue) => issue.message.startsWith("unknown field"));
      // The position is still found: the key's, at line 1, column 2.
      expect(unknown?.location).toEqual({ line: 1, column: 2 });
    } finally {
      await runtime.close();
    }
  }, 120_000);
});

/**
 * H2: JSON the host's main thread parses (tool arguments, return values, request bodies) with object keys longer
 * than V8 hashes by their characters. Every such key of one length has the same hash, and JSON.parse interns
 * keys in the isolate's string table, which keeps them until a full collection: a call of 100 tool calls, each
 * 1 MiB of 60 keys of 17,000 characters, held the host's main thread 5-10 s (each parse slower than the one
 * before, up to 1.3 s for one, and the next call's slower still). Such keys are refused before the parse now.
 */
describe("H2: object keys V8 hashes by their length alone never reach the host's JSON.parse", () => {
  it("tool arguments and return values with such a key are refused; one of 16,383 characters (escapes counted as one) passes", async () => {
    const seen: number[] = [];
    const runtime = makeRuntime({
      maxThreads: 1,
      timeout: 20_000,
      toolHandler: async (_name, args) => {
        seen.push(Math.max(...Object.keys(args as object).map((key) => key.length)));
        return "ok";
      },
    });
    try {
      const folder = makeTenant({
        "keys.js": `const key = (length, i) => "k".repeat(length - 6) + String(i).padStart(6, "0");
exports.tools = async (length, count) => {
  const out = [];
  for (let c = 0; c < 3; c++) {
    const args = {};
    for (let i = 0; i < count; i++) args[key(length, c * count + i)] = 0;
    try { out.push(await callTool("t", args)); } catch (e) { out.push(e.code + ": " + e.message); }
  }
  return out;
};
exports.value = (length) => ({ [key(length, 1)]: 1, [key(length, 2)]: 2 });
`,
      });
      const refused = "TOOL_ERROR: tool arguments hold an object key longer than 16383 characters";
      expect(await runtime.run({ folder, file: "keys.js", funcName: "tools", args: [17_000, 30] })).toEqual([refused, refused, refused]);
      expect(seen).toEqual([]);
      expect(await runtime.run({ folder, file: "keys.js", funcName: "tools", args: [16_383, 2] })).toEqual(["ok", "ok", "ok"]);
      expect(seen).toEqual([16_383, 16_383, 16_383]);
      const result = await runtime.execute({ folder, file: "keys.js", funcName: "value", args: [16_384] });
      expect(result.error?.code).toBe("OUTPUT_TOO_LARGE");
      expect(result.error?.message).toBe("return value holds an object key longer than 16383 characters");
      expect(await runtime.run({ folder, file: "keys.js", funcName: "value", args: [16_383] })).toBeTypeOf("object");
    } finally {
      await runtime.close();
    }
  }, 60_000);

  it("the host's own check counts an escape as the one character JSON.parse makes of it", async () => {
    const { toolArgsShapeRefusal, valueShapeRefusal } = await import("../../src/runner/protocol.js");
    const escaped = `{"${"\\u006b".repeat(16_383)}":1}`;
    expect(JSON.parse(escaped)).toEqual({ ["k".repeat(16_383)]: 1 });
    expect(toolArgsShapeRefusal(escaped)).toBeUndefined();
    expect(valueShapeRefusal(`{"${"\\n".repeat(16_384)}":1}`, 1024 * 1024)).toMatch(/object key longer than 16383/);
    // A long string value is no key.
    expect(valueShapeRefusal(JSON.stringify({ a: "k".repeat(100_000) }), 1024 * 1024)).toBeUndefined();
    expect(valueShapeRefusal(JSON.stringify(["k".repeat(100_000)]), 1024 * 1024)).toBeUndefined();
  });
});

describe("H2 (service): a request body with such a key is a 400 before it is parsed", () => {
  it("POST /v1/run", async () => {
    const { parseConfig, signToken, TenantboxServer } = await import("../../dist/service.js");
    const { call, expectError, removeTempDirs, SECRET, tempDir, writeTenants } = await import("../service-helpers.js");
    const root = tempDir();
    writeTenants(root, { a: { "m.js": "exports.f = (x) => Object.keys(x || {}).length;" } });
    const server = new TenantboxServer({
      root,
      config: parseConfig({ tenants: [{ id: "a", tier: "enterprise" }] }),
      dataDir: tempDir(),
      jwtSecret: SECRET,
      watch: false,
      maxThreads: 1,
    });
    try {
      const base = await server.listen({ port: 0 });
      const token = await signToken(SECRET, { tenantId: "a", sub: "u" });
      const arg = (length: number) => `{"${"k".repeat(length - 1)}1":0,"${"k".repeat(length - 1)}2":0}`;
      const refused = await call(base, "POST", "/v1/run", { token, raw: `{"file":"m.js","funcName":"f","args":[${arg(17_000)}]}` });
      expectError(refused, 400, "INVALID_REQUEST");
      expect(refused.body.error.message).toBe("the body holds an object key longer than 16383 characters");
      const ok = await call(base, "POST", "/v1/run", { token, raw: `{"file":"m.js","funcName":"f","args":[${arg(16_383)}]}` });
      expect(ok.status, ok.text).toBe(200);
      expect(ok.body.value).toBe(2);
    } finally {
      await server.close();
      removeTempDirs();
    }
  }, 60_000);
});

describe("H3: `(a, b).constructor = v` assigns to b, as in Node", () => {
  it("the sequence's value is the helper's argument", async () => {
    const runtime = makeRuntime();
    try {
      const folder = makeTenant({
        "seq.js": `exports.f = () => {
  const a = {}, b = [], c = new Uint8Array(1);
  (a, b).constructor = 5;
  (0, c).constructor = 6;
  return [Object.hasOwn(a, "constructor"), b.constructor, c.constructor];
};
`,
      });
      expect(await runtime.run({ folder, file: "seq.js", funcName: "f", args: [] })).toEqual([false, 5, 6]);
    } finally {
      await runtime.close();
    }
  });
});
