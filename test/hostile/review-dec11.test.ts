import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTenants, makeRuntime, makeTempDir, makeTenant } from "../helpers.js";
import { deepPackageGraph } from "./deep-package-graph.js";

/*
 * Review of Dec 11's change (a graph's module list crosses to a sandbox process once, G1). Findings:
 *
 *   V1 (high: the host's memory) The list's JSON text was kept on the host for as long as its graph lived (a
 *      WeakMap on the modules array), uncounted by any cache: a watched folder caches up to 1,024 graphs, each
 *      with its own text. 20 entry files sharing one library of 1,000 modules with two failing 1,500-character
 *      requires each held ~7 MB more per graph (145 MB for 19; ~1 MB per graph before): 1,024 entries of a
 *      folder, or many folders, could exhaust the host's heap. Texts are kept now in a byte-bounded cache.
 *   V2 (low: compatibility) require("__proto__") was MODULE_NOT_FOUND: the walks' deps objects took it as their prototype.
 *   V3 (high: the host's memory) A graph refused for its limits is kept against its stamps (R1, now off the main
 *      thread too), counted as 128 bytes a stamp whatever its path: 2,010 modules 3,800 characters deep held
 *      ~7.6 MB per refused entry for 257 KB counted, one entry per spelling of the entry file ("e.js", "./e.js",
 *      ...): the 64 MB cache could hold ~2 GB. Now counted as a kept graph's stamps are.
 *   V4 (high: the host's memory) Kept graphs were counted by their sources only (unwatched folders: 64 MB cache),
 *      or not at all (watched folders: 1,024 graphs a folder, whatever each held). 1,200 modules requiring a
 *      library's main 3,800 characters deep hold ~5 MB a graph (a fresh id string per dependency), one graph per
 *      spelling of the entry file: ~800 MB in the unwatched cache, ~5 GB a watched folder. Graphs are counted with
 *      their ids and dependencies now, and watched folders' graphs share one cache bounded in bytes.
 *   V5 (medium: a tenant's availability) A sandbox kept 2,000 compiled scripts: a graph of 1,996 modules requiring
 *      five built-ins ran once, then failed on that process at every call ("sandbox setup failed"): compiling the
 *      versions evicted since evicted others the call held compiled and was sent without their sources.
 */

afterAll(() => cleanupTenants());

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
v8.setFlagsFromString("--no-expose-gc");

function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

describe("V1: graphs' list texts kept on the host are bounded in bytes", () => {
  it("24 entries of a watched folder sharing a library with a 6 MB list do not hold 24 texts", async () => {
    const root = makeTempDir();
    const folder = path.join(root, "t");
    fs.mkdirSync(path.join(folder, "d"), { recursive: true });
    let body = "";
    for (let k = 0; k < 2; k++) body += `try { require("./${String(k).padEnd(1500, "z")}"); } catch (e) { exports.caught = (exports.caught || 0) + 1; }\n`;
    for (let i = 0; i < 1000; i++) fs.writeFileSync(path.join(folder, `d/m${i}.js`), body);
    for (let h = 0; h < 3; h++) {
      const lines: string[] = [];
      for (let i = h; i < 1000; i += 3) lines.push(`total += require("./d/m${i}.js").caught;`);
      fs.writeFileSync(path.join(folder, `h${h}.js`), `let total = 0;\n${lines.join("\n")}\nmodule.exports = total;\n`);
    }
    const entries = 24;
    for (let e = 0; e < entries; e++) fs.writeFileSync(path.join(folder, `e${e}.js`), `exports.f = () => require("./h0.js") + require("./h1.js") + require("./h2.js") + ${e};\n`);
    const runtime = makeRuntime({ maxThreads: 1, timeout: 20_000, root, watch: true });
    try {
      expect(await runtime.run({ folder, file: "e0.js", funcName: "f" })).toBe(2000);
      const before = heapMb();
      for (let e = 1; e < entries; e++) expect(await runtime.run({ folder, file: `e${e}.js`, funcName: "f" })).toBe(2000 + e);
      const grown = heapMb() - before;
      // ~7 MB per graph before (145-165 MB here); ~1 MB per graph is the graphs themselves, the texts 32 Mi
      // characters at most (two bytes each: a clipped error message's ellipsis makes a list two-byte), ~76 MB in all.
      expect(grown).toBeLessThan(110);
      // Every graph still runs (a text evicted is made again when a process lacks it).
      expect(await runtime.run({ folder, file: "e1.js", funcName: "f" })).toBe(2001);
    } finally {
      await runtime.close();
    }
  }, 300_000);
});

describe("V1: a list made a slice at a time is the list JSON.stringify made", () => {
  it("specifiers spelled with quotes, escapes, __proto__ and constructor resolve as before, in a short list and a long one", async () => {
    const odd = (tag: string): Record<string, string> => ({
      [`${tag}/q"x.js`]: 'module.exports = "quote";\n',
      [`${tag}/\u00e9\u4e2d.js`]: 'module.exports = "unicode";\n',
      [`${tag}/back\\slash.js`]: 'module.exports = "backslash";\n',
      "node_modules/constructor/index.js": 'module.exports = "ctor";\n',
      "node_modules/__proto__/index.js": 'module.exports = "proto";\n',
      [`${tag}/odd.js`]: [
        `const out = [require('./q"x.js'), require("./\u00e9\u4e2d.js"), require("./back\\\\slash.js"), require("constructor"), require("__proto__")];`,
        'try { require("./missing\\u2028\\"x"); } catch (e) { out.push(e.code); }',
        "module.exports = out;",
      ].join("\n"),
    });
    const expected = ["quote", "unicode", "backslash", "ctor", "proto", "MODULE_NOT_FOUND"];
    const files: Record<string, string> = { ...odd("a"), "small.js": 'exports.f = () => require("./a/odd.js");\n' };
    // A long list (over a turn's 256 K characters): made a slice at a time.
    const pad = "x".repeat(1500);
    for (let i = 0; i < 300; i++) files[`p/m${i}.js`] = `try { require("./${pad}${i}"); } catch (e) {}\nmodule.exports = 1;\n`;
    files["big.js"] = `exports.f = () => { let n = 0; ${Array.from({ length: 300 }, (_, i) => `n += require("./p/m${i}.js");`).join(" ")} return [n, require("./a/odd.js")]; };\n`;
    const folder = makeTenant(files);
    const runtime = makeRuntime({ maxThreads: 1, timeout: 20_000 });
    try {
      for (let i = 0; i < 2; i++) {
        expect(await runtime.run({ folder, file: "small.js", funcName: "f" })).toEqual(expected);
        expect(await runtime.run({ folder, file: "big.js", funcName: "f" })).toEqual([300, expected]);
      }
    } finally {
      await runtime.close();
    }
  }, 120_000);
});

describe("V2: a specifier \"__proto__\" is a key like any other, as in Node", () => {
  it("require(\"__proto__\") loads node_modules/__proto__ in sandbox processes and threads (the walks on either thread)", async () => {
    const folder = makeTenant({
      "node_modules/__proto__/index.js": 'module.exports = "proto";\n',
      "e.js": 'exports.f = () => [require("__proto__"), require("./l.js")];\n',
      "l.js": 'module.exports = require("__proto__") + "!";\n',
    });
    for (const isolation of ["process", "thread"] as const) {
      const runtime = makeRuntime({ maxThreads: 1, timeout: 10_000, isolation });
      try {
        // Node: [ 'proto', 'proto!' ] (before: MODULE_NOT_FOUND, the host's deps object took it as its prototype).
        expect(await runtime.run({ folder, file: "e.js", funcName: "f" })).toEqual(["proto", "proto!"]);
      } finally {
        await runtime.close();
      }
    }
  }, 120_000);
});

describe("V3: refused graphs are counted with their stamps' paths", () => {
  it("16 spellings of an entry over the module limit, 3,800 characters deep, do not hold 16 x 7.6 MB", async () => {
    const deep = Array.from({ length: 19 }, (_, i) => String(i).padEnd(200, "d")).join("/");
    const files: Record<string, string> = {};
    const count = 2010;
    for (let i = 0; i < count; i++) files[`${deep}/m${i}.js`] = "module.exports = 1;\n";
    for (let h = 0; h < 5; h++) {
      const lines: string[] = [];
      for (let i = h; i < count; i += 5) lines.push(`t += require("./${deep}/m${i}.js");`);
      files[`h${h}.js`] = `let t = 0;\n${lines.join("\n")}\nmodule.exports = t;\n`;
    }
    files["e.js"] = `exports.f = () => ${[0, 1, 2, 3, 4].map((h) => `require("./h${h}.js")`).join(" + ")};\n`;
    const folder = makeTenant(files);
    const runtime = makeRuntime({ maxThreads: 1, timeout: 20_000 });
    try {
      await expect(runtime.run({ folder, file: "e.js", funcName: "f" })).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
      const before = heapMb();
      for (let k = 1; k <= 16; k++) await expect(runtime.run({ folder, file: "./".repeat(k) + "e.js", funcName: "f" })).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
      // ~122 MB before (7.6 MB a spelling); the graph cache's 64 MB counted at two bytes a character now.
      expect(heapMb() - before).toBeLessThan(70);
    } finally {
      await runtime.close();
    }
  }, 300_000);
});

describe("V4: kept graphs are counted with their ids and dependencies, watched folders' in bytes too", () => {
  const deepMain = (): Record<string, string> => deepPackageGraph("e.js");

  for (const watch of [false, true]) {
    it(`${watch ? "a watched" : "an unwatched"} folder: 24 spellings of one entry hold far less than 24 x 5 MB, and a change still reloads`, async () => {
      const root = makeTempDir();
      const folder = makeTenant(deepMain(), fs.mkdirSync(path.join(root, "t"), { recursive: true })!);
      const runtime = makeRuntime({ maxThreads: 1, timeout: 20_000, ...(watch ? { root, watch: true } : {}) });
      try {
        expect(await runtime.run({ folder, file: "e.js", funcName: "f" })).toBe(1200);
        const before = heapMb();
        for (let k = 1; k <= 24; k++) expect(await runtime.run({ folder, file: "./".repeat(k) + "e.js", funcName: "f" })).toBe(1200);
        // ~5 MB a graph before (~120 MB); the caches count them now.
        expect(heapMb() - before).toBeLessThan(70);
        fs.writeFileSync(path.join(folder, "e.js"), 'exports.f = () => require("./h0.js") + 1;\n');
        if (watch) await new Promise((resolve) => setTimeout(resolve, 1500));
        expect(await runtime.run({ folder, file: "./e.js", funcName: "f" })).toBe(401);
      } finally {
        await runtime.close();
      }
    }, 300_000);
  }
});

describe("V5: a graph near the module limit, with built-ins, runs more than once", () => {
  it("1,996 modules and five built-ins: every call runs", async () => {
    const files: Record<string, string> = {};
    const count = 1990;
    for (let i = 0; i < count; i++) files[`d/m${i}.js`] = i === 0 ? 'require("events"); require("util"); require("buffer"); require("string_decoder"); require("path");\nmodule.exports = 1;\n' : "module.exports = 1;\n";
    for (let h = 0; h < 5; h++) {
      const lines: string[] = [];
      for (let i = h; i < count; i += 5) lines.push(`t += require("./d/m${i}.js");`);
      files[`h${h}.js`] = `let t = 0;\n${lines.join("\n")}\nmodule.exports = t;\n`;
    }
    files["e.js"] = `exports.f = () => ${[0, 1, 2, 3, 4].map((h) => `require("./h${h}.js")`).join(" + ")};\n`;
    const folder = makeTenant(files);
    const runtime = makeRuntime({ maxThreads: 1, timeout: 20_000 });
    try {
      // Before: 1990, then VALIDATION_ERROR "sandbox setup failed" at every call.
      for (let k = 0; k < 3; k++) expect(await runtime.run({ folder, file: "e.js", funcName: "f" })).toBe(count);
    } finally {
      await runtime.close();
    }
  }, 300_000);
});
