import { expect } from "vitest";
import type { HostileCase } from "./cases/types.js";
import { hostileFamily } from "./harness.js";

/*
 * Red-team round of Dec 07 on the surfaces added last: the stack hook (errors.ts, main.ts), util.inspect /
 * util.format (node-inspect-extracted), the fetch classes, events, path.win32 and the sandbox shims.
 * Every case runs in both isolations (variant "thread" is isolation: "thread"; the default is a sandbox process).
 *
 *   F1 util.inspect of a typed array (or a long array) listed every element's descriptor before printing the
 *      first 100: node-inspect-extracted's stand-in for V8's getOwnNonIndexProperties is
 *      Object.entries(Object.getOwnPropertyDescriptors(value)), one built-in call no guard interrupts. A 4 MiB
 *      Uint8Array (charged 4 MiB, well within the limits) made ~4 Mi descriptor objects: the sandbox process
 *      ran out of heap (MEMORY_LIMIT_EXCEEDED, process replaced), and with isolation "thread" V8 aborted the
 *      whole host process ("Reached heap limit"). Node prints it at once. Benign code reaches it (a logger's
 *      %o, assert's messages, util.inspect of a buffer-like value).
 *
 * Contained (regressions kept here): a stack hook planted by a built-in-only promise job after the function
 * returned does not outlive the invocation (the realm drains its jobs before end() resets the hook).
 */

const F1_SOURCE = `"use strict";
const util = require("util");
exports.f = () => {
  const bytes = util.inspect(new Uint8Array(4 * 1024 * 1024));
  const floats = util.format("%o", new Float64Array(1024 * 1024));
  const words = util.inspect(new Array(1024 * 1024).fill(7), { maxArrayLength: 2 });
  const hidden = util.inspect(new Uint16Array(1024 * 1024), { showHidden: true, maxArrayLength: 1 });
  // Small ones keep Node's output, own non-index properties included.
  const small = Object.assign(new Uint8Array(2), { tag: "x" });
  const list = Object.assign([1, 2], { tag: "y" });
  return { bytes: bytes.slice(0, 60), bytesLength: bytes.length, floats: floats.slice(0, 40), words, hidden: hidden.slice(0, 60), small: util.inspect(small), list: util.inspect(list) };
};
`;

function f1Check(value: unknown): true | string {
  const v = value as Record<string, string | number>;
  if (!String(v.bytes).startsWith("Uint8Array(4194304) [\n  0, 0, 0, 0, 0, 0, 0, 0, 0, 0")) return `bytes: ${v.bytes}`;
  if (!String(v.floats).startsWith("Float64Array(1048576) [")) return `floats: ${v.floats}`;
  if (v.words !== "[ 7, 7, ... 1048574 more items ]") return `words: ${v.words}`;
  if (!String(v.hidden).startsWith("Uint16Array(1048576) [")) return `hidden: ${v.hidden}`;
  if (v.small !== "Uint8Array(2) [ 0, 0, tag: 'x' ]") return `small: ${v.small}`;
  if (v.list !== "[ 1, 2, tag: 'y' ]") return `list: ${v.list}`;
  return true;
}

const HOOK_AFTER_RETURN = `"use strict";
const name = ["prepare", "StackTrace"].join("");
exports.f = () => {
  const set = Object.getOwnPropertyDescriptor(Error, name).set;
  const hook = function () {
    try { callTool("exfil", { context: globalThis.context }); } catch (e) {}
    return "tenant A's hook ran";
  };
  // Jobs of built-ins only (no tenant function, so no guard), queued to run after the value is returned.
  const plant = Reflect.apply.bind(null, set, Error, [hook]);
  Promise.resolve().then(() => undefined).then(plant).then(plant);
  return "planted";
};
`;

const CAPTURE_IN_B = `"use strict";
const capture = Error[["capture", "StackTrace"].join("")];
exports.f = () => {
  const target = {};
  capture(target);
  return String(target.stack);
};
`;

function cases(variant: string | undefined, suffix: string): HostileCase[] {
  return [
    {
      id: `inspect-huge-typed-array${suffix}`,
      title: "util.inspect / util.format of a 4 MiB typed array and a 1 Mi-element array (Node prints them at once)",
      source: F1_SOURCE,
      ...(variant ? { variant } : {}),
      limitMs: 2000,
      expect: { codes: "success", valueCheck: f1Check },
    },
    {
      id: `stack-hook-planted-after-return${suffix}`,
      title: "a stack hook set by built-in promise jobs after the function returned does not run in the next tenant's capture",
      source: HOOK_AFTER_RETURN,
      ...(variant ? { variant } : {}),
      context: { secret: "A-CONTEXT" },
      expect: { codes: "success" },
      after: {
        source: CAPTURE_IN_B,
        context: { secret: "B-CONTEXT-SECRET" },
        expect: {
          codes: "success",
          valueCheck: (v) => (typeof v === "string" && v.startsWith("Error\n    at exports.f (second.js:") ? true : `B's capture: ${String(v)}`),
        },
        expectReuse: true,
        check: (env) => {
          expect(env.toolLog.filter((t) => t.name === "exfil"), "tenant A's hook called a tool").toEqual([]);
        },
      },
    },
  ];
}

// The state-leak cases first: after the inspect cases a worker's heap can be more than half full for a while,
// and its realm pool then retires realms instead of reusing them (realm-pool.ts heapIsHigh).
const all = [...cases(undefined, ""), ...cases("thread", "-thread")];
hostileFamily("red team round dec07", [...all.filter((c) => c.after), ...all.filter((c) => !c.after)], {
  runtime: { timeout: 2000, memoryLimitMb: 32, maxThreads: 1 },
  defaultLimitMs: 1000,
  variants: { thread: { isolation: "thread" } },
});
