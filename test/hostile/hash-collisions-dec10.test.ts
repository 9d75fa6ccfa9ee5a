import { afterAll, describe, expect, it } from "vitest";
import { cleanupTenants, makeRuntime, makeTenant } from "../helpers.js";

/*
 * Red team dec10, hash collisions (the host's main thread): V8 hashes a string of more than 16,383 characters
 * (String::kMaxHashCalcLength) by its length alone, so distinct strings of one such length collide wherever the
 * host hashes them. What was left after H1, H2, R1 and R4:
 *
 *   C1 (high: the host's main thread, growing) A run request's `file` had no length limit, and the caller's
 *      spelling of it keys the host's graph caches: `${realFolder}\0${file}` in module-graph.ts (graphs, 64 MiB,
 *      and lastWalks), and the file alone in the registry's graphs of a watched folder. Distinct 17,000-character
 *      spellings of one module ("b/../c/../.../a.js", path.resolve makes them "a.js") all fell in one bucket, and
 *      every lookup compared against all kept before it: 3,000 calls took each call to 21 ms of the main thread
 *      (16,000-character spellings: 0.6 ms throughout), and the graph cache keeps ~40,000 such entries (its byte
 *      count leaves the key out). The HTTP service caps `file` at 1,024 characters; the library API and a
 *      manifest's handler files ("file#function", up to 256 KiB) did not. A file is now at most 4,096 characters
 *      (MAX_ENTRY_FILE_LENGTH, PATH_MAX): run() refuses a longer one (INVALID_REQUEST), so does checkEntryPath for
 *      every other way to a graph, and a manifest's handler with one is an issue.
 *   C2 (high: the host's main thread, growing) runCode()'s `folder` names the tenant for fair queueing and is never
 *      looked up on disk, so nothing bounded its length (run()'s folder dies in realpath past PATH_MAX, after a
 *      lookup in the registry's map of spellings). Its spelling keys the invocation scheduler's tenants: 2,000
 *      queued calls with distinct 17,000-character folders took 9.8 s of the main thread (16,000 characters:
 *      0.6 s), 4,000 took 56 s, each dispatch slower than the last, while every other tenant's calls waited. A
 *      request's folder is now at most 4,096 characters (INVALID_REQUEST) wherever the runtime takes one.
 *      validate()'s folder the same, for the loader threads' scheduler: 2,000 concurrent validations with distinct
 *      17,000-character folders took 10.6 s (16,000 characters: 0.33 s).
 */

afterAll(() => cleanupTenants());

/** A spelling of `a.js` exactly `length` characters long, distinct for each i (the bits of i at its end). */
function spelling(length: number, i: number): string {
  const segments = (length - "a.js".length) / 5;
  const bits = i.toString(2).padStart(16, "0");
  return "b/../".repeat(segments - 16) + [...bits].map((bit) => (bit === "1" ? "c/../" : "b/../")).join("") + "a.js";
}

describe("C1: a run's file spelled past 16,383 characters never keys the host's caches", () => {
  it("run() refuses a file longer than 4,096 characters, fast and every time; one of 4,094 runs", async () => {
    const folder = makeTenant({ "a.js": "exports.f = () => 1;\n" });
    const runtime = makeRuntime({ maxThreads: 1 });
    try {
      expect(spelling(17_004, 1)).toHaveLength(17_004);
      expect(await runtime.run({ folder, file: spelling(4_094, 1), funcName: "f" })).toBe(1);
      const started = performance.now();
      for (let i = 0; i < 300; i++) {
        const error = await runtime.run({ folder, file: spelling(17_004, i), funcName: "f" }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toMatchObject({ code: "INVALID_REQUEST", message: "file must be at most 4096 characters" });
      }
      // Refused before any map: 300 refusals are milliseconds (the 300 runs they were took ~1 s and grew).
      expect(performance.now() - started).toBeLessThan(3000);
    } finally {
      await runtime.close();
    }
  }, 30_000);

  it("the loader refuses such a file for every caller (emit's handlers reach it without run()'s check)", async () => {
    const { checkEntryPath } = await import("../../src/loader/resolve.js");
    expect(() => checkEntryPath("/srv/t", spelling(17_004, 1))).toThrow(/file must be at most 4096 characters/);
    expect(checkEntryPath("/srv/t", spelling(4_094, 1))).toBe("/srv/t/a.js");
  });

  it("a manifest's handler file longer than 4,096 characters is an issue, not a graph load", async () => {
    const long = spelling(17_004, 3);
    const folder = makeTenant({
      "tenantbox.json": JSON.stringify({ hooks: { tick: [`${long}#f`, "a.js#f"] } }),
      "a.js": "exports.f = () => 'ok';\n",
    });
    const runtime = makeRuntime({ maxThreads: 1 });
    try {
      const hooks = await runtime.hooks(folder);
      expect(hooks.issues.map((issue) => issue.message).join("\n")).toMatch(/is longer than 4096 characters/);
      expect(hooks.valid).toBe(false);
    } finally {
      await runtime.close();
    }
  }, 30_000);
});

describe("C2: a request's folder past 4,096 characters is refused before it keys a scheduler", () => {
  const longFolder = (i: number) => "/" + "f".repeat(16_990) + String(i).padStart(9, "0");

  it("runCode(), run(), hooks() and validate() refuse it (INVALID_REQUEST), fast and every time; runCode() with a 4,096-character folder runs", async () => {
    const runtime = makeRuntime({ maxThreads: 1, maxQueue: 10_000 });
    try {
      expect(await runtime.runCode({ code: "return 1", folder: "/" + "f".repeat(4_095) })).toBe(1);
      const started = performance.now();
      const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => runtime.executeCode({ code: "return 1", folder: longFolder(i) }).then(
        (r) => r,
        (e: unknown) => e,
      )));
      for (const result of results) expect(result).toMatchObject({ success: false, error: { code: "INVALID_REQUEST", message: "folder must be at most 4096 characters" } });
      // 1,000 such calls queued ran ~2.5 s of the main thread (2,000: 9.8 s); refused, milliseconds.
      expect(performance.now() - started).toBeLessThan(2000);
      await expect(runtime.run({ folder: longFolder(1), file: "a.js", funcName: "f" })).rejects.toMatchObject({ code: "INVALID_REQUEST", message: "folder must be at most 4096 characters" });
      await expect(runtime.hooks(longFolder(2))).rejects.toMatchObject({ code: "INVALID_REQUEST" });
      const checking = performance.now();
      const checks = await Promise.all(Array.from({ length: 1000 }, (_, i) => runtime.validate("export const a = 1;", { folder: longFolder(i) }).then(
        (r) => r,
        (e: unknown) => e,
      )));
      for (const check of checks) expect(check).toMatchObject({ code: "INVALID_REQUEST", message: "folder must be at most 4096 characters" });
      expect(performance.now() - checking).toBeLessThan(2000);
      expect((await runtime.validate("export const a = 1;", { folder: "/" + "f".repeat(4_095) })).valid).toBe(true);
    } finally {
      await runtime.close();
    }
  }, 30_000);
});
