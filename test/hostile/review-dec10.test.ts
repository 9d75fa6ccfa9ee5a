import { afterAll, describe, expect, it } from "vitest";
import { CompileRate } from "../../src/runner/compile-rate.js";
import { cleanupTenants, makeRuntime, makeTenant } from "../helpers.js";

/*
 * Review of Dec 10's changes (the red team's dec10 round and the compat sweep). Findings:
 *
 *   R1 (high: the host's main thread) Red team dec10 H2 refused object keys longer than 16,383 characters
 *      (V8 hashes them by their length alone: they collide in the isolate's string table, where JSON.parse
 *      interns them) in the JSON the host parses for a tenant: tool arguments, return values, frames, request
 *      bodies. Two more texts the host's main thread parses were left: a package.json in the tenant folder
 *      (resolution, up to 1 MiB: about 60 such keys) and tenantbox.json (256 KiB). 300 parses of 1 MiB of 60
 *      such keys took 45 s here, up to 0.4 s for one parse, each slower than the last until a full collection.
 *      Both are refused before the parse now (json-shape.ts, hasOverlongJsonKey).
 *   R2 (medium: one tenant's refusals for all) The sandbox worker's estimate of how long generated code takes
 *      to check became the median of the last 15 big texts' rates, so that one tenant's slow text no longer made
 *      every tenant's next big Function() a TIMEOUT before it started. But the 15 were texts, not invocations:
 *      one invocation's 8 slow Function() calls were the majority, and moved the median as one text had moved
 *      the maximum. An invocation counts once now, with its fastest big text (compile-rate.ts).
 *   R3 (medium: host data in the realm) Placeholders of unavailable built-ins (builtins.ts) describe the host's
 *      module and keep its constants; since the compat sweep they keep arrays of constants too, at any level
 *      they describe. The host's own state came with them: once the host process had forked (cluster), every
 *      library's `require("cluster").settings.args` was the host's command line (a token passed on it), and a
 *      runtime embedded in a worker thread handed its workerData (strings, now arrays) to tenant code. Such host
 *      state is never described now, and arrays are kept only as a module's own constants (http.METHODS).
 *   R4 (high: the host's main thread) The same hash, in the keys of a module's dependencies: every require or
 *      import specifier becomes an object key on the host's main thread (the host walk's deps, and again as the
 *      host reads a loader thread's walk), interned in its string table. A 2 MiB module of 120 requires of
 *      distinct 17,000-character literals held the host's main thread 0.2-0.6 s per such module read, each
 *      slower than the last. A specifier longer than any path (MAX_SPECIFIER_LENGTH, 4,096) is not recorded now:
 *      the require is MODULE_NOT_FOUND where it runs, as Node's ENAMETOOLONG is.
 */

afterAll(() => cleanupTenants());

const longKey = (length: number, i: number) => "k".repeat(length - 6) + String(i).padStart(6, "0");

describe("R1: a tenant's package.json and tenantbox.json with a key V8 hashes by its length never reach the host's JSON.parse", () => {
  it("a package.json holding such a key is refused, naming why; one of 16,383 characters resolves", async () => {
    const pkg = (length: number) =>
      `{"name":"p","main":"index.js",${[1, 2, 3].map((i) => JSON.stringify(longKey(length, i)) + ":0").join(",")}}`;
    const folder = makeTenant({
      "node_modules/long/package.json": pkg(17_000),
      "node_modules/long/index.js": "exports.x = 1;\n",
      "node_modules/edge/package.json": pkg(16_383),
      "node_modules/edge/index.js": "exports.x = 2;\n",
      "a.js": "exports.long = () => { try { return require('long').x; } catch (e) { return [e.code, e.message]; } };\nexports.edge = () => require('edge').x;\n",
    });
    const runtime = makeRuntime({ maxThreads: 1 });
    try {
      const result = await runtime.execute({ folder, file: "a.js", funcName: "long" });
      expect(JSON.stringify(result)).toMatch(/package\.json in [^ ]*long[^ ]* holds an object key longer than 16383 characters/);
      expect(await runtime.run({ folder, file: "a.js", funcName: "edge" })).toBe(2);
    } finally {
      await runtime.close();
    }
  }, 60_000);
});

describe("R1 (manifest): tenantbox.json", () => {
  it("a manifest holding such a key is an issue, not a parse; the check counts escapes as JSON.parse does and skips values", async () => {
    const { hasOverlongJsonKey } = await import("../../src/json-shape.js");
    expect(hasOverlongJsonKey(`{"a":[{"${"k".repeat(16_384)}":1}]}`)).toBe(true);
    expect(hasOverlongJsonKey(`{"${"k".repeat(16_383)}":1}`)).toBe(false);
    expect(hasOverlongJsonKey(`{"${"\\u006b".repeat(16_383)}":1}`)).toBe(false);
    expect(hasOverlongJsonKey(`{"${"\\n".repeat(16_384)}":1}`)).toBe(true);
    expect(hasOverlongJsonKey(JSON.stringify({ a: "k".repeat(100_000), b: ["k".repeat(100_000)] }))).toBe(false);
    expect(hasOverlongJsonKey(JSON.stringify([{ a: 1 }, "k".repeat(100_000)]))).toBe(false);

    const folder = makeTenant({
      "tenantbox.json": `{"hooks": {"tick": ["h.js#f"]}, ${JSON.stringify(longKey(17_000, 1))}: 0}`,
      "h.js": "exports.f = () => 'ok';\n",
    });
    const runtime = makeRuntime({ maxThreads: 1 });
    try {
      const hooks = await runtime.hooks(folder);
      expect(hooks.issues.map((issue) => issue.message)).toContain("tenantbox.json holds an object key longer than 16383 characters");
    } finally {
      await runtime.close();
    }
  }, 60_000);
});

describe("R2: one invocation's texts move the shared compile-rate estimate once", () => {
  it("eight slow texts in one call do not raise it for every tenant; slow invocations, most of the recent ones, do", () => {
    const rate = new CompileRate(0.25);
    for (let i = 0; i < 15; i++) rate.record(20, 100 * 1024, {});
    const attacker = {};
    for (let i = 0; i < 8; i++) rate.record(200 * 100, 100 * 1024, attacker);
    expect(rate.msPerKiB).toBeCloseTo(0.2);
    // Its fastest text is its sample.
    const mixed = {};
    rate.record(200 * 100, 100 * 1024, mixed);
    rate.record(10, 100 * 1024, mixed);
    expect(rate.msPerKiB).toBeCloseTo(0.2);
    // The slow invocation's own next text is expected to be as slow as its slowest; nobody else's is.
    expect(rate.msPerKiBFor(mixed)).toBeCloseTo(200);
    expect(rate.msPerKiBFor({})).toBeCloseTo(0.2);
    // The machine is slower: most recent invocations were slow.
    for (let i = 0; i < 8; i++) rate.record(200, 100 * 1024, {});
    expect(rate.msPerKiB).toBeCloseTo(2);
  });
});

describe("R3: placeholders of unavailable built-ins carry no host state", () => {
  it("cluster.settings (the host's command line once it forked) and worker_threads.workerData are not in the realm; http.METHODS still is", async () => {
    const cluster = (await import("node:cluster")).default;
    const http = await import("node:http");
    // The host forks service processes (serve --workers) or an embedding application's own: its settings hold its command line.
    cluster.setupPrimary({ args: ["--admin-token", "tok-review-dec10"] });
    const folder = makeTenant({
      "node_modules/probe/package.json": JSON.stringify({ name: "probe", main: "index.js" }),
      "node_modules/probe/index.js":
        "const cluster = require('cluster'); const wt = require('worker_threads'); const http = require('http');\n" +
        "exports.f = () => [JSON.stringify(cluster.settings) ?? null, typeof wt.workerData, typeof wt.resourceLimits, http.METHODS.length, typeof cluster.fork];\n",
      "a.js": "exports.f = () => require('probe').f();\n",
    });
    const runtime = makeRuntime({ maxThreads: 1 });
    try {
      const [settings, workerData, resourceLimits, methods, fork] = (await runtime.run({ folder, file: "a.js", funcName: "f" })) as unknown[];
      expect(String(settings)).not.toContain("tok-review-dec10");
      expect(settings).toBeNull();
      expect([workerData, resourceLimits, methods, fork]).toEqual(["undefined", "undefined", http.METHODS.length, "function"]);
    } finally {
      await runtime.close();
    }
  }, 60_000);
});

describe("R4: a specifier longer than any path is never a key of the host's dependency tables", () => {
  it("is not recorded; its require is MODULE_NOT_FOUND, the module's other requires resolve", async () => {
    const { compileModule, MAX_SPECIFIER_LENGTH } = await import("../../src/loader/compile.js");
    const long = (i: number) => "./" + "x".repeat(17_000) + i;
    const code = `exports.f = (i) => { try { return require(${JSON.stringify(long(1))}); } catch (e) { return e.code; } };
exports.g = () => { try { require(${JSON.stringify(long(2))}); } catch {} return require("./ok.js").ok; };
`;
    const version = compileModule(code, "a.js", "STANDARD", false, { countIterations: true });
    expect(version.rejection).toBeUndefined();
    expect(version.specifiers.every((specifier) => specifier.length <= MAX_SPECIFIER_LENGTH)).toBe(true);
    expect(version.specifiers).toContain("./ok.js");
    const folder = makeTenant({ "a.js": code, "ok.js": "exports.ok = 'ok';\n" });
    const runtime = makeRuntime({ maxThreads: 1 });
    try {
      expect(await runtime.run({ folder, file: "a.js", funcName: "f" })).toBe("MODULE_NOT_FOUND");
      expect(await runtime.run({ folder, file: "a.js", funcName: "g" })).toBe("ok");
    } finally {
      await runtime.close();
    }
  }, 60_000);
});
