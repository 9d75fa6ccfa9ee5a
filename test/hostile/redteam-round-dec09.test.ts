import { AT_EDGE, HOST_PROBE } from "./edge-probes.js";
import { createHmac } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTenants, makeRuntime, makeTenant } from "../helpers.js";

/*
 * Red-team round of Dec 09 (the newest shims, the ES-module export check, the host's main thread). Findings:
 *
 *   F1 `export { x as "__proto__" }` was lost: the transform wrote each export as `"name": () => x` in the
 *      object literal it hands the module's namespace, and a literal `"__proto__":` key sets that object's
 *      prototype instead of making a property. `import { "__proto__" as p } from './b.mjs'` then threw the new
 *      "does not provide an export named '__proto__'" SyntaxError (Node exports it; arbitrary string names are
 *      ES2022). Keys are computed now (`["name"]: ...`).
 *   F2 The second layer behind the validator's "no import()" rule did not hold. compile-cache.ts compiled every
 *      module with `importModuleDynamically: () => { throw "..." }`, "so that an import() that gets through
 *      fails with a primitive, not a host error object"; but Node calls that function only under
 *      --experimental-vm-modules, which no worker had: a native import() in a realm rejected with Node's own
 *      TypeError (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG), an object of the worker's realm, and
 *      `e.constructor.constructor("return process")()` was the sandbox process's `process` (the thread
 *      isolation's: the host's). Generated code (vm.compileFunction) had no callback at all
 *      (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING, a host error too). One parser differential that hides an
 *      `import(` from meriyah was a whole escape. Workers now run with the flag (and refuse to start
 *      without it), and generated code has the callback. The test plays the differential: it signs a version
 *      into the version store (compileCacheDir, as the loader would have stored it) whose source holds a
 *      native import(). Not covered (documented in dynamic-import.ts): an import() at the very edge of the
 *      stack overflows in Node's own frames, whose RangeError is the worker's; the validator's rule stays
 *      load-bearing.
 *   F3 (critical) A hook at the default security level got the worker's `process`: V8 formats a realm error's
 *      `stack` when it is first read, by calling Node's own formatter, a function of the worker's realm; read
 *      at the very edge of the stack, that function overflows, and the RangeError it throws (the worker's)
 *      reaches the tenant's catch clause, or a rejection handler, or Promise.allSettled's result. Its
 *      `[K][K]("return process")()` (K = "constructor", spelled so the rule misses it) was the sandbox
 *      process's `process` (permission model: no files, no children) and, with isolation "thread", the host's
 *      own: /etc/passwd read and `id` run as root from a hook. Now every catch clause's binding goes through
 *      the realm's cleaner (the transform), and Promise.prototype.then hands rejection handlers a cleaned
 *      reason (the combinators and `finally` call it; `await` throws into a catch clause): another realm's
 *      object becomes a RangeError of the realm (sandbox/caught.ts). It also takes F2's stack-edge import().
 */

afterAll(() => cleanupTenants());

describe("F1: an export named by a string that is special in an object literal", () => {
  const runtime = makeRuntime();
  afterAll(async () => runtime.close());

  it('`export { x as "__proto__" }` is exported and imported, as in Node', async () => {
    const folder = makeTenant({
      "b.mjs": 'const x = 1, y = 2, z = 3; export { x as "__proto__", y as "a-b", z as "constructor" };\n',
      "main.mjs":
        'import { "__proto__" as p, "a-b" as ab, "constructor" as c } from "./b.mjs";\nimport * as ns from "./b.mjs";\n' +
        "export const f = () => ({ p, ab, c, keys: Object.keys(ns), own: Object.hasOwn(ns, '__proto__') });\n",
      "re.mjs": 'export { "__proto__" } from "./b.mjs";\n',
      "main2.mjs": 'import { "__proto__" as q } from "./re.mjs";\nexport const f = () => q;\n',
    });
    expect(await runtime.run({ folder, file: "main.mjs", funcName: "f", args: [] })).toEqual({
      p: 1,
      ab: 2,
      c: 3,
      keys: ["__proto__", "a-b", "constructor"],
      own: true,
    });
    expect(await runtime.run({ folder, file: "main2.mjs", funcName: "f", args: [] })).toBe(1);
  });
});

/** What the tenant function reports about the rejection of its (forged) native import(). */
const PROBE = `function describe(e) {
  if (e === null || (typeof e !== "object" && typeof e !== "function")) return ["primitive", String(e)];
  let reached = "no";
  try {
    reached = typeof e.constructor.constructor("return process")();
  } catch (x) {
    reached = "refused";
  }
  return ["object", String(e && e.message), reached];
}
exports.f = async () => {
  let result = ["pending"];
  try {
    IMPORT("node:fs").then(() => { result = ["loaded"]; }, (e) => { result = describe(e); });
  } catch (e) {
    return describe(e);
  }
  // The import settles in a job of the realm's own queue, run when the realm runs next (a timer).
  for (let i = 0; i < 50 && result[0] === "pending"; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  return result;
};
`;

/** Re-signs every stored version whose source holds `IMPORT(` with a native `import(` there instead. */
function forgeNativeImport(dir: string): number {
  const key = Buffer.from(fs.readFileSync(path.join(dir, "key"), "utf8").trim(), "hex");
  let forged = 0;
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith(".version"))) {
    const text = fs.readFileSync(path.join(dir, name), "utf8");
    const body = text.slice(text.indexOf("\n") + 1);
    const version = JSON.parse(body) as { source: string };
    if (!version.source.includes("IMPORT(")) continue;
    version.source = version.source.replaceAll("IMPORT(", "import(");
    const newBody = JSON.stringify(version);
    const mac = createHmac("sha256", key).update(name).update("\n").update(newBody).digest("hex");
    fs.writeFileSync(path.join(dir, name), `${mac}\n${newBody}`);
    forged++;
  }
  return forged;
}

describe("F2: a native import() that got past the validator rejects with a primitive, never a host error", () => {
  const stores: string[] = [];
  afterAll(() => {
    for (const dir of stores) fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(["process", "thread"] as const)("isolation %s", async (isolation) => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-dec09-store-"));
    stores.push(base);
    const compileCacheDir = path.join(base, "versions");
    const folder = makeTenant({ "probe.js": PROBE });
    // The first runtime validates and stores the module (IMPORT is a plain call to an undefined name).
    const first = makeRuntime({ compileCacheDir, isolation, securityLevel: "PERMISSIVE" });
    try {
      // A realm error: its constructor chain ends at the realm's Function, which compiles nothing.
      expect(await first.run({ folder, file: "probe.js", funcName: "f", args: [] })).toEqual(["object", "IMPORT is not defined", "refused"]);
    } finally {
      await first.close();
    }
    expect(forgeNativeImport(compileCacheDir)).toBe(1);
    // A new runtime reads the forged version from the store: as if a parser differential had let import() through.
    const second = makeRuntime({ compileCacheDir, isolation, securityLevel: "PERMISSIVE" });
    try {
      const outcome = await second.run({ folder, file: "probe.js", funcName: "f", args: [] });
      expect(outcome).toEqual(["primitive", "dynamic import() is not available in the sandbox"]);
    } finally {
      await second.close();
    }
  });
});

/**
 * F3: a hook at the default security level reaching for the worker's `process` through an error's `stack`
 * read at the very edge of the stack: caught by a catch clause, by a destructuring one, and as a rejection
 * reason read through Promise.allSettled (no catch clause at all). Several frame shapes, so that some read
 * lands where Node's formatter, not the tenant's frame, overflows. Each path reports what it found.
 */
const EDGE = `"use strict";
${HOST_PROBE}
const stackOf = (e) => e.stack;
const twice = (e) => stackOf(e);
const thrice = (e, a, b) => twice(e, a, b);
// The levels unwind deepest first: the first 400 reads of each recursion are the ones at its edge.
function atEdge(at) {
  const got = [];
  let left = 0;
  function deep(n) { try { deep(n + 1); } catch (e) {} if (left-- > 0) got.push(at()); }
  function wide(n, a, b, c) { try { wide(n + 1, a, b, c); } catch (e) {} if (left-- > 0) got.push(at()); }
  left = 400;
  deep(0);
  left = 400;
  wide(0, 1, 2, 3);
  return got;
}
exports.f = async () => {
  const found = { caught: 0, destructured: 0, rejected: 0, reads: 0 };
  for (const read of [stackOf, twice, thrice]) {
    atEdge(() => {
      found.reads++;
      try { read(new Error("x")); } catch (e) { if (host(e)) found.caught++; }
      try { read(new Error("y")); } catch ({ [K]: C }) { if (C && host({ [K]: C })) found.destructured++; }
    });
    const settled = await Promise.allSettled(atEdge(() => (async () => { read(new Error("z")); })()));
    for (const r of settled) if (r.status === "rejected" && host(r.reason)) found.rejected++;
  }
  return found;
};
`;

describe("F3: an error's stack read at the edge of the stack hands tenant code nothing of the worker's realm", () => {
  it.each(["process", "thread"] as const)("isolation %s, default security level", async (isolation) => {
    const runtime = makeRuntime({ isolation, timeout: 20_000 });
    try {
      const folder = makeTenant({ "edge.js": EDGE });
      const found = (await runtime.run({ folder, file: "edge.js", funcName: "f", args: [] })) as Record<string, number>;
      expect({ caught: found.caught, destructured: found.destructured, rejected: found.rejected }).toEqual({ caught: 0, destructured: 0, rejected: 0 });
      // It did read at the edge: 400 levels of each of six recursions (the deepest read of one may not run).
      expect(found.reads).toBeGreaterThan(1500);
    } finally {
      await runtime.close();
    }
  });
});

/**
 * F3, review: V8 nests SuppressedErrors in `error` as well as in `suppressed` (a disposal that throws a
 * SuppressedError of its own: a nested DisposableStack's dispose()), and the cleaner followed `suppressed` only,
 * so a stack-edge RangeError of the worker's inside the inner one reached the catch clause as e.error.error (20 of
 * 2,400 reads before). And a tenant's own SuppressedError whose `suppressed` is itself held the cleaner (runtime
 * code, no loop guard) until the hard stop.
 */
const NESTED = `"use strict";
${HOST_PROBE}
const stackOf = (e) => e.stack;
const twice = (e) => stackOf(e);
const thrice = (e, a, b) => twice(e, a, b);
${AT_EDGE}
const reach = (e, depth) => {
  if (e === null || typeof e !== "object" || depth > 3) return 0;
  return (host(e) ? 1 : 0) + reach(Object.getOwnPropertyDescriptor(e, "error")?.value, depth + 1) + reach(Object.getOwnPropertyDescriptor(e, "suppressed")?.value, depth + 1);
};
exports.f = () => {
  const found = { suppressed: 0, reached: 0, reads: 0 };
  for (const read of [stackOf, twice, thrice]) {
    atEdge(() => {
      found.reads++;
      try {
        const outer = new DisposableStack();
        outer.defer(() => {
          const inner = new DisposableStack();
          inner.defer(() => { read(new Error("q")); });
          inner.defer(() => { throw 1; });
          inner.dispose();
        });
        outer.defer(() => { throw 2; });
        outer.dispose();
      } catch (e) {
        if (e instanceof SuppressedError) found.suppressed++;
        found.reached += reach(e, 0);
      }
    });
  }
  return found;
};
exports.cycle = () => {
  const s = new SuppressedError(1, 2);
  s.suppressed = s;
  try { throw s; } catch (e) { return e === s ? "kept" : e.name; }
};
`;

describe("F3 (review): SuppressedErrors nested in a disposal's error, and a cyclic one", () => {
  it.each(["process", "thread"] as const)("isolation %s: nothing of the worker's realm at any depth; a cycle ends", async (isolation) => {
    const runtime = makeRuntime({ isolation, timeout: 5_000 });
    try {
      const folder = makeTenant({ "nested.js": NESTED });
      const found = (await runtime.run({ folder, file: "nested.js", funcName: "f", args: [] })) as Record<string, number>;
      expect(found.reached).toBe(0);
      expect(found.reads).toBeGreaterThan(1500);
      expect(found.suppressed).toBeGreaterThan(1500);
      // Before: TIMEOUT (the cleaner went round the cycle until the hard stop). The walk keeps what it saw
      // (red team dec09b, G2), so the tenant's own SuppressedError, holding nothing foreign, is caught as itself,
      // as in Node.
      await expect(runtime.run({ folder, file: "nested.js", funcName: "cycle", args: [] })).resolves.toBe("kept");
    } finally {
      await runtime.close();
    }
  });
});
