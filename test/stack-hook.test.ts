import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupTenants, libraryPackage, makeRuntime, makeTenant } from "./helpers.js";

/*
 * Error.prepareStackTrace as libraries use it (depd, pino: set a hook, capture a stack, put the old value back):
 * the hook runs, handed the realm's own CallSites of the tenant's frames. What must hold: V8's CallSites never
 * reach tenant code, the hook lives for one invocation, it runs under the invocation's limits, and a stack read
 * inside it, or a hook that throws, gets the runtime's format.
 */

// A library (node_modules: sloppy CommonJS, where the stack-trick rule is a warning) that reads its callers.
const CALLERS = `
function capture(hook) {
  var prep = Error.prepareStackTrace;
  Error.prepareStackTrace = hook;
  var obj = {};
  Error.captureStackTrace(obj);
  var stack = obj.stack;
  Error.prepareStackTrace = prep;
  return stack;
}
exports.frames = function frames() {
  return capture(function (e, cs) { return cs; });
};
exports.formatter = function formatter() {
  return Error.prepareStackTrace;
};
exports.setAndLeave = function setAndLeave() {
  Error.prepareStackTrace = function () { return "left behind"; };
};
exports.callerOfHook = function callerOfHook() {
  return capture(function hook(e, cs) {
    // Computed: the rules refuse \`.caller\` even in library code; the realm must hold without them.
    var seen = [], key = "cal" + "ler";
    try { seen.push(typeof hook[key], hook[key] === null ? "null" : String(hook[key])); } catch (x) { seen.push("caller:" + x.name); }
    try { seen.push(typeof arguments.callee[key]); } catch (x) { seen.push("callee:" + x.name); }
    return seen;
  });
};
exports.spin = function spin() {
  return capture(function () { for (;;) {} });
};
exports.nested = function nested() {
  return capture(function (e, cs) { return ["outer", typeof new Error("inner").stack, new Error("inner").stack.split("\\n")[0]]; });
};
exports.throwing = function throwing() {
  return capture(function () { throw new Error("hook failed"); });
};
`;

const MAIN = `"use strict";
const lib = require("callers");
exports.frames = function frames() {
  const cs = lib.frames();
  const proto = Object.getPrototypeOf(cs[0]);
  let foreign;
  try { proto.getFileName.call({}); foreign = "answered"; } catch (e) { foreign = e.name; }
  let write;
  try { proto.getThis = () => globalThis; write = "written"; } catch (e) { write = e.name; }
  let onFormatter;
  const formatter = lib.formatter();
  try { formatter.leak = 1; onFormatter = "written"; } catch (e) { onFormatter = e.name; }
  return {
    frames: cs.map((c) => [c.getFileName(), c.getLineNumber(), c.getColumnNumber(), c.getFunctionName(), c.getThis(), c.getFunction(), c.getTypeName(), c.isNative(), String(c)]),
    foreign, write, onFormatter,
    frozen: cs.every((c) => Object.isFrozen(c)) && Object.isFrozen(proto) && Object.isFrozen(formatter) && formatter === lib.formatter(),
    restored: typeof new Error("after").stack,
  };
};
exports.leave = function leave() { lib.setAndLeave(); return new Error("x").stack; };
exports.read = function read() { return new Error("later").stack; };
exports.callerOfHook = function callerOfHook() { return lib.callerOfHook(); };
exports.spin = function spin() { return lib.spin(); };
exports.nested = function nested() { return lib.nested(); };
exports.throwing = function throwing() { return lib.throwing(); };
`;

for (const isolation of ["process", "thread"] as const) {
  describe(`Error.prepareStackTrace set by a library (isolation ${isolation})`, () => {
    let folder: string;
    let runtime: ReturnType<typeof makeRuntime>;

    beforeAll(() => {
      folder = makeTenant({ "main.js": MAIN, ...libraryPackage("callers", CALLERS) });
      runtime = makeRuntime({ isolation, maxThreads: 1, minThreads: 1, timeout: 500 });
    });
    afterAll(async () => {
      await runtime.close();
      cleanupTenants();
    });

    const run = (funcName: string) => runtime.execute({ folder, file: "main.js", funcName });

    it("hands the hook the tenant's own frames as frozen CallSites of the realm, and reading it back gives the runtime's", async () => {
      const result = await run("frames");
      expect(result.error).toBeUndefined();
      const value = result.value as { frames: unknown[][]; foreign: string; write: string; onFormatter: string; frozen: boolean; restored: string };
      // capture (the library), frames (the library), frames (main.js): no host frame, tenant-relative files.
      expect(value.frames.map((f) => f[0])).toEqual(["node_modules/callers/index.js", "node_modules/callers/index.js", "main.js"]);
      expect(value.frames.map((f) => f[3])).toEqual(["capture", "frames", "frames"]);
      for (const frame of value.frames) {
        expect(typeof frame[1]).toBe("number");
        expect(typeof frame[2]).toBe("number");
        // getThis, getFunction, getTypeName, isNative: nothing of the frame's receiver or function.
        expect(frame.slice(4, 8)).toEqual([null, null, null, false]);
        expect(String(frame[8])).toMatch(/^\w+ \((?:main|node_modules\/callers\/index)\.js:\d+:\d+\)$/);
      }
      // The capture's line in the library: the tenant's own position, not the transformed one.
      expect(value.frames[0]![1]).toBe(6);
      expect(value).toMatchObject({ foreign: "TypeError", write: "TypeError", onFormatter: "TypeError", frozen: true, restored: "string" });
    });

    it("keeps a hook for its invocation only", async () => {
      expect((await run("leave")).value).toBe("left behind");
      const later = await run("read");
      expect(later.value).toMatch(/^Error: later\n {4}at read \(main\.js:\d+:\d+\)/);
    });

    it("gives a sloppy hook no caller to climb to", async () => {
      const result = await run("callerOfHook");
      expect(result.error).toBeUndefined();
      expect(result.value).toEqual(["object", "null", "object"]);
    });

    it("formats a stack read inside the hook itself, and a hook that throws, the runtime's way", async () => {
      const nested = await run("nested");
      expect(nested.value).toEqual(["outer", "string", "Error: inner"]);
      const throwing = await run("throwing");
      expect(throwing.error).toBeUndefined();
      expect(throwing.value).toMatch(/^Error\n {4}at capture \(node_modules\/callers\/index\.js:6:\d+\)/);
    });

    it("runs the hook under the invocation's time limit", async () => {
      const result = await run("spin");
      expect(result.error?.code).toBe("TIMEOUT");
      // The realm serves the next call as before.
      expect((await run("read")).value).toMatch(/^Error: later/);
    });
  });
}
