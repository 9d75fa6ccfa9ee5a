import { AT_EDGE, HOST_PROBE } from "./edge-probes.js";
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
 *   G4 (critical) F3 again, through a promise capability of the tenant's. The engine calls a capability's
 *      reject with a thrown value with no handler between: the promise `then` makes is built by the species
 *      constructor (`p.constructor = C`, with C[Symbol.species] = C), so a rejection passed on for want of a
 *      handler reached C's reject as it was; and Promise.try, all, allSettled, any and race called on C
 *      (`Promise.try.call(C, fn)`) reject through C's reject with what fn, the iterator or a `resolve` getter
 *      threw. A stack read at the edge on any of those paths handed the worker's RangeError to the tenant's
 *      function. Now `then` wraps both handlers (what they throw, and a missing one's pass-through, is
 *      cleaned), and those five, called on anything but the realm's Promise, build C's promise through a
 *      constructor whose reject cleans first.
 */

afterAll(() => cleanupTenants());

/** Counts what the hook finds of the worker's realm anywhere in the SuppressedErrors it catches. */
const NESTED = `"use strict";
${HOST_PROBE}
function anyHost(e, depth) {
  if (e === null || typeof e !== "object" || depth > 8) return false;
  if (host(e)) return true;
  return anyHost(Object.getOwnPropertyDescriptor(e, "error")?.value, depth + 1) || anyHost(Object.getOwnPropertyDescriptor(e, "suppressed")?.value, depth + 1);
}
const stackOf = (e) => e.stack;
${AT_EDGE}
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
      // The runtime's start (its first call: a loader thread, a worker) is not the cycle's time: 1,550 ms once in CI.
      await runtime.run({ folder: makeTenant({ "w.js": "exports.f = () => 1;\n" }), file: "w.js", funcName: "f" });
      const started = Date.now();
      // A cleaner going round the cycle would end in TIMEOUT (2,000 ms and the hard stop), not this value.
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

/** Counts what reaches the tenant's own reject functions, per path, of the worker's realm. */
const CAPABILITY = `"use strict";
${HOST_PROBE}
const stackOf = (e) => e.stack;
${AT_EDGE}
exports.f = async () => {
  const found = { then: 0, try: 0, all: 0, race: 0, reads: 0 };
  let path = "then";
  // Any constructor will do: its executor hands the engine the tenant's own reject.
  function C(executor) {
    executor(() => {}, (r) => { if (host(r)) found[path]++; });
  }
  C.resolve = (x) => x;
  C[Symbol.species] = C;
  function Getter(executor) {
    executor(() => {}, (r) => { if (host(r)) found.race++; });
  }
  Object.defineProperty(Getter, "resolve", { get() { stackOf(new Error("r")); return (x) => x; } });
  atEdge(() => {
    found.reads++;
    const p = (async () => { stackOf(new Error("z")); })();
    p[K] = C;
    p.then();
    path = "try";
    Promise.try.call(C, () => stackOf(new Error("t")));
    path = "all";
    Promise.all.call(C, { [Symbol.iterator]() { stackOf(new Error("a")); return [][Symbol.iterator](); } });
    Promise.race.call(Getter, [1]);
    path = "then";
  });
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 1));
  return found;
};
`;

describe("G4: a promise capability of the tenant's gets nothing of the worker's realm", () => {
  it.each(["process", "thread"] as const)("isolation %s, default security level", async (isolation) => {
    const runtime = makeRuntime({ isolation, timeout: 20_000 });
    try {
      const folder = makeTenant({ "capability.js": CAPABILITY });
      const found = (await runtime.run({ folder, file: "capability.js", funcName: "f", args: [] })) as Record<string, number>;
      expect({ then: found.then, try: found.try, all: found.all, race: found.race }).toEqual({ then: 0, try: 0, all: 0, race: 0 });
      expect(found.reads).toBeGreaterThan(750);
    } finally {
      await runtime.close();
    }
  });

  it("promises keep their behaviour: subclasses, species, combinators on a subclass, missing handlers", async () => {
    const runtime = makeRuntime();
    try {
      const folder = makeTenant({
        "promises.js": `class MyPromise extends Promise {}
exports.f = async () => {
  const out = [];
  const sub = MyPromise.all([1, MyPromise.resolve(2), Promise.resolve(3)]);
  out.push(sub instanceof MyPromise, await sub);
  out.push(await MyPromise.race([new Promise((r) => setTimeout(() => r("late"), 5)), "now"]));
  out.push((await MyPromise.allSettled([Promise.reject(new TypeError("no")), 1])).map((r) => r.status + ":" + (r.reason ? r.reason.name : r.value)));
  out.push(await MyPromise.any([Promise.reject(1), Promise.resolve("any")]));
  out.push(await MyPromise.try((a, b) => a + b, 2, 3));
  const tried = MyPromise.try(() => { throw new RangeError("thrown"); });
  out.push(tried instanceof MyPromise, await tried.then(null, (e) => e.name + " " + e.message));
  const derived = MyPromise.resolve(1).then((v) => v + 1);
  out.push(derived instanceof MyPromise, await derived);
  const reason = new Error("kept");
  out.push(await Promise.reject(reason).then((v) => v).then(null, (e) => e === reason));
  out.push(await Promise.resolve(4).then(null, () => 0));
  out.push(await Promise.resolve(5).then().then((v) => v));
  out.push(await Promise.resolve().then(() => { throw reason; }).catch((e) => e === reason));
  out.push(await Promise.reject(reason).finally(() => {}).catch((e) => e === reason));
  let settled = false;
  function Plain(ex) {
    ex((v) => { settled = v; }, () => {});
  }
  Plain.resolve = function (x) { return Promise.resolve(this === Plain ? x : "wrong this"); };
  Promise.all.call(Plain, [7]);
  await null;
  await null;
  out.push(settled);
  return out;
};
`,
      });
      expect(await runtime.run({ folder, file: "promises.js", funcName: "f", args: [] })).toEqual([
        true,
        [1, 2, 3],
        "now",
        ["rejected:TypeError", "fulfilled:1"],
        "any",
        5,
        true,
        "RangeError thrown",
        true,
        2,
        true,
        4,
        5,
        true,
        true,
        [7],
      ]);
    } finally {
      await runtime.close();
    }
  });
});
