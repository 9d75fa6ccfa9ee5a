import { afterAll, describe, expect, it } from "vitest";
import { cleanupTenants, libraryPackage, makeRuntime, makeTenant } from "../helpers.js";

/*
 * Red-team round of Dec 09, second pass (what reaches tenant code other than through a catch clause or `then`
 * after F3's fix; the new code paths). Findings:
 *
 *   G1 (critical) F3 again, through a SuppressedError's `error`. caught.ts cleaned a SuppressedError's fields
 *      along its `suppressed` chain only; but V8 nests them through `error` too: a disposer that itself
 *      disposes (a `using` in its own body) and throws has V8 make a SuppressedError there, which leaves the
 *      disposer without passing a catch clause and becomes the `error` of the outer one. A stack read at the
 *      very edge of the stack in the inner disposal throws the worker's RangeError (Node's formatter
 *      overflows), and the hook found it at `e.error.error`: `[K][K]("return process")()` was the sandbox
 *      process's process (the host's with isolation "thread"), at the default security level. Now every
 *      SuppressedError reachable through either field is cleaned.
 *   G2 The same walk never ended on a cycle: a SuppressedError whose `suppressed` was itself, thrown and
 *      caught, looped in the realm's cleaner, where no guard runs, until the hard stop (the sandbox process
 *      killed, or the worker terminated). Each SuppressedError is walked once now.
 *   G3 (cross-tenant) One tenant made `Function("return this")` (core-js, lodash, regenerator, protobufjs and
 *      many more ask it for the global object) an EvalError for every tenant served by the same worker. Op
 *      "compile" checks generated code on the worker's side, on the stack of the library code that called
 *      Function(), as deep as that code chose; the parser, the rules and the transform recurse, and at the
 *      edge of the stack they refuse a text that compiles (too deeply nested; a regular expression's stack
 *      overflow read as a syntax error). The worker kept every verdict by the text's hash, refusals too, so
 *      the edge's refusal was every later caller's until the cache dropped it. Refusals are not kept now.
 */

afterAll(() => cleanupTenants());

/** Counts what the hook finds of the worker's realm anywhere in the SuppressedErrors it catches. */
const NESTED = `"use strict";
const K = ["constr", "uctor"].join("");
function host(x) {
  try {
    const p = x[K][K]("return process")();
    return p !== null && typeof p === "object";
  } catch (e) {
    return false;
  }
}
function anyHost(e, depth) {
  if (e === null || typeof e !== "object" || depth > 8) return false;
  if (host(e)) return true;
  return anyHost(Object.getOwnPropertyDescriptor(e, "error")?.value, depth + 1) || anyHost(Object.getOwnPropertyDescriptor(e, "suppressed")?.value, depth + 1);
}
const stackOf = (e) => e.stack;
function atEdge(at) {
  let left = 0;
  function deep(n) { try { deep(n + 1); } catch (e) {} if (left-- > 0) at(); }
  function wide(n, a, b, c) { try { wide(n + 1, a, b, c); } catch (e) {} if (left-- > 0) at(); }
  left = 400;
  deep(0);
  left = 400;
  wide(0, 1, 2, 3);
}
exports.f = () => {
  const found = { using: 0, stack: 0, reads: 0 };
  atEdge(() => {
    found.reads++;
    try {
      using a = { [Symbol.dispose]() { using b = { [Symbol.dispose]() { stackOf(new Error("x")); } }; throw 1; } };
      throw 2;
    } catch (e) {
      if (anyHost(e, 0)) found.using++;
    }
    try {
      const outer = new DisposableStack();
      outer.defer(() => {
        const inner = new DisposableStack();
        inner.defer(() => stackOf(new Error("y")));
        inner.defer(() => { throw 3; });
        inner.dispose();
      });
      outer.defer(() => { throw 4; });
      outer.dispose();
    } catch (e) {
      if (anyHost(e, 0)) found.stack++;
    }
  });
  return found;
};
`;

describe("G1: a SuppressedError nested in a SuppressedError's `error` hands tenant code nothing of the worker's realm", () => {
  it.each(["process", "thread"] as const)("isolation %s, default security level", async (isolation) => {
    const runtime = makeRuntime({ isolation, timeout: 20_000 });
    try {
      const folder = makeTenant({ "nested.js": NESTED });
      const found = (await runtime.run({ folder, file: "nested.js", funcName: "f", args: [] })) as Record<string, number>;
      expect({ using: found.using, stack: found.stack }).toEqual({ using: 0, stack: 0 });
      expect(found.reads).toBeGreaterThan(750);
    } finally {
      await runtime.close();
    }
  });
});

describe("G2: a cycle of SuppressedErrors is caught like any value", () => {
  it.each(["process", "thread"] as const)("isolation %s", async (isolation) => {
    const runtime = makeRuntime({ isolation, timeout: 2000 });
    try {
      const folder = makeTenant({
        "cycle.js": `exports.f = () => {
  const s = new SuppressedError(1, 2);
  const t = new SuppressedError(s, s);
  Object.defineProperty(s, "suppressed", { value: s });
  Object.defineProperty(s, "error", { value: t });
  let caught = 0;
  for (let i = 0; i < 3; i++) {
    try { throw t; } catch (e) { caught += e === t ? 1 : 0; }
  }
  return Promise.reject(s).then(null, (e) => [caught, e === s]);
};
`,
      });
      const started = Date.now();
      expect(await runtime.run({ folder, file: "cycle.js", funcName: "f", args: [] })).toEqual([3, true]);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await runtime.close();
    }
  });
});

describe("G3: generated code refused at the edge of one tenant's stack stays compilable for the others", () => {
  it.each(["process", "thread"] as const)("isolation %s", async (isolation) => {
    // One worker, so that both tenants' calls meet its cache of generated code.
    const runtime = makeRuntime({ isolation, maxThreads: 1, minThreads: 1, timeout: 20_000 });
    try {
      const poisoner = makeTenant({
        ...libraryPackage(
          "edge-gen",
          `exports.poison = (text) => {
  const seen = { refused: 0, compiled: 0 };
  let left = 0;
  function deep(n) { try { deep(n + 1); } catch (e) {} if (left-- > 0) { try { Function(text); seen.compiled++; } catch (e) { seen.refused++; } } }
  function wide(n, a, b, c) { try { wide(n + 1, a, b, c); } catch (e) {} if (left-- > 0) { try { Function(text); seen.compiled++; } catch (e) { seen.refused++; } } }
  left = 300;
  deep(0);
  left = 300;
  wide(0, 1, 2, 3);
  return seen;
};
`,
        ),
        "main.js": 'const lib = require("edge-gen");\nexports.f = () => lib.poison("return this");\n',
      });
      const victim = makeTenant({
        ...libraryPackage("global-this", 'exports.g = () => { try { return typeof Function("return this")(); } catch (e) { return e.name + ": " + e.message; } };\n'),
        "main.js": 'const lib = require("global-this");\nexports.f = () => lib.g();\n',
      });
      const seen = (await runtime.run({ folder: poisoner, file: "main.js", funcName: "f", args: [] })) as { refused: number; compiled: number };
      // It did compile at the edge, and some of those compiles were refused there.
      expect(seen.refused).toBeGreaterThan(0);
      expect(await runtime.run({ folder: victim, file: "main.js", funcName: "f", args: [] })).toBe("object");
    } finally {
      await runtime.close();
    }
  });
});
