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
 */

afterAll(() => cleanupTenants());

/** Generous for a busy 2-core machine (the host-main-thread suite's bound). */
const MAX_STALL_MS = 1000;

describe("H1: a manifest whose issue needs a position, under one long key", () => {
  it("hooks() does not stall the host's main thread", async () => {
    const key = "k".repeat(17_000);
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
