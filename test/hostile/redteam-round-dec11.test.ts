import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTenants, longestStall, makeRuntime, makeTenant } from "../helpers.js";

/*
 * Red-team round of Dec 11 (the host's main thread, listings and other answers built from tenant files). Findings:
 *
 *   L1 (high: the host's main thread) A folder listing (runtime.modules(), the service's GET /v1/modules) carried
 *      every file's issues (up to 101) and export names in full, twice for a refused file (`issues` and
 *      `rejected.issues`), bounded per file but not in all: 5,000 files of 101 `eval(x);` lines each (4.4 MB on
 *      disk, one version validated once) made a listing of 163 MB of JSON, which the service serializes on its
 *      main thread: 0.6-1.4 s per request, 60 requests a minute allowed. Export names were unbounded even per
 *      file (a 480 KB file of exports: 480 KB of names). A listing now holds at most MAX_LISTING_DETAIL
 *      characters of issues and export names in all; past it a file's are counted, not listed.
 */

afterAll(() => cleanupTenants());

/** Generous for a busy 2-core machine (the host-main-thread suite's bound). */
const MAX_STALL_MS = 1000;

describe("L1: a folder listing's issues and exports are bounded in all, not only per file", () => {
  it("5,000 files of 101 issues each list within a few megabytes, the first ones in full", async () => {
    // 101 errors per file: the file's listing already counts the 101st (limitIssues keeps 100 and a count).
    const body = "eval(x);\n".repeat(101);
    const files: Record<string, string> = {};
    for (let i = 0; i < 5000; i++) files[`m${i}.js`] = body;
    const folder = makeTenant(files);
    const runtime = makeRuntime({ maxThreads: 1 });
    try {
      // The first listing validates (on loader threads); the next ones answer from the versions kept.
      const first = await runtime.modules(folder);
      expect(first).toHaveLength(5000);
      let json = "";
      const stall = await longestStall(async () => {
        json = JSON.stringify(await runtime.modules(folder));
      });
      // 163 MB and a 0.6-1.4 s stall before (one version's 101 issues, twice, in each of 5,000 entries).
      expect(json.length).toBeLessThan(8 * 1024 * 1024);
      expect(stall).toBeLessThan(MAX_STALL_MS);
      const listing = JSON.parse(json) as { file: string; valid: boolean; issues: { rule: string; message: string; severity: string }[]; rejected?: { issues: unknown[] } }[];
      // Every file is still listed, and still refused; the first ones with every issue, the rest with a count.
      expect(listing.every((entry) => entry.valid === false && entry.issues.length > 0 && entry.rejected !== undefined)).toBe(true);
      const full = listing.filter((entry) => entry.issues.length === 101);
      const counted = listing.filter((entry) => entry.issues.length === 1);
      expect(full.length).toBeGreaterThan(0);
      expect(full.length + counted.length).toBe(5000);
      expect(counted[0]!.issues[0]).toMatchObject({ rule: "max-issues", severity: "error" });
      expect(counted[0]!.issues[0]!.message).toMatch(/^this file's issues are not listed/);
    } finally {
      await runtime.close();
    }
  }, 300_000);

  it("export names count too: files of 480 KB of names each are listed with exportsComplete false past the bound", async () => {
    const names: string[] = [];
    for (let i = 0; names.join("").length < 480_000; i++) names.push(`exports.a${i.toString(36).padStart(90, "_")} = 0;\n`);
    const body = names.join("");
    const folder = makeTenant({});
    for (let i = 0; i < 60; i++) fs.writeFileSync(path.join(folder, `m${i}.js`), body);
    fs.writeFileSync(path.join(folder, "small.js"), "exports.a = 1; exports.b = 2;\n");
    const runtime = makeRuntime({ maxThreads: 1 });
    try {
      const listing = await runtime.modules(folder);
      const json = JSON.stringify(listing);
      // 26 MB before (every name of every file).
      expect(json.length).toBeLessThan(8 * 1024 * 1024);
      const big = listing.filter((entry) => entry.file !== "small.js");
      expect(big.every((entry) => entry.valid)).toBe(true);
      expect(big.some((entry) => entry.exports.length === names.length && entry.exportsComplete)).toBe(true);
      const cut = big.filter((entry) => entry.exports.length < names.length);
      expect(cut.length).toBeGreaterThan(0);
      expect(cut.every((entry) => entry.exportsComplete === false)).toBe(true);
    } finally {
      await runtime.close();
    }
  }, 300_000);
});
