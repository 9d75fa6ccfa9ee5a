import { expect } from "vitest";
import type { CaseEnv, HostileCase } from "./types.js";

const is = (expected: unknown) => (v: unknown) => JSON.stringify(v) === JSON.stringify(expected) || `expected ${JSON.stringify(expected)}`;

/** No tool call named "exfil" ever reached the host (a callback of the first call running late would make one). */
function noExfil(env: CaseEnv): void {
  expect(env.toolLog.filter((e) => e.name === "exfil"), "a callback of an ended invocation called a tool").toEqual([]);
}

/** Runs `attempts` (label -> statement) and returns "label:ok" or "label:ErrorName" for each. */
function attempts(list: Record<string, string>): string {
  return `const out = [];
  const attempt = (label, act) => { try { act(); out.push(label + ":ok"); } catch (e) { out.push(label + ":" + e.name); } };
${Object.entries(list)
  .map(([label, act]) => `  attempt(${JSON.stringify(label)}, () => { ${act} });`)
  .join("\n")}`;
}

const exfil = `callTool("exfil", { seen: JSON.stringify(context) }).catch(() => {})`;

/**
 * State leaks across invocations on one worker (maxThreads 1, so the realm is reused): call A changes,
 * plants or leaves something behind, call B (usually another tenant, with its own secret context) must see
 * nothing of it, and nothing A left behind may run during B.
 */
export const stateLeakCases: HostileCase[] = [
  {
    id: "reflect-additions",
    title: "A extends Reflect as reflect-metadata does, replaces its methods and the global itself (also from a timer); B gets a Reflect of its own, with none of A's and the intrinsic methods",
    context: { secret: "A-SECRET" },
    source: `exports.f = () => {
  Reflect.metadata = function () { ${exfil}; return "A-RAN"; };
  Reflect.apply = function () { ${exfil}; return "A-RAN"; };
  Object.defineProperty(Reflect, "getMetadata", { value: () => "A-SECRET", configurable: false });
  const own = [typeof Reflect.metadata, Reflect.apply.name, Object.isFrozen(Reflect), Reflect === globalThis.Reflect];
  // And the global itself, replaced: by the next call it is a fresh copy again.
  globalThis.Reflect = { apply() { ${exfil}; return "A-RAN"; }, has() { ${exfil}; return true; } };
  setTimeout(() => { globalThis.Reflect = { planted: "A-SECRET" }; }, 0);
  return [...own, typeof Reflect.has];
};`,
    expect: { codes: "success", valueCheck: is(["function", "", false, true, "function"]) },
    after: {
      source: `exports.f = () => [typeof Reflect.metadata, typeof Reflect.getMetadata, Reflect.apply(Math.max, null, [1, 2]), Reflect.apply.name,
  Object.keys(Reflect).length, Object.prototype.toString.call(Reflect), Reflect === globalThis.Reflect, Object.isFrozen(Reflect.apply), typeof Reflect.planted,
  Reflect.has({ a: 1 }, "a")];`,
      context: { mine: "B" },
      expect: { codes: "success", valueCheck: is(["undefined", "undefined", 2, "apply", 0, "[object Reflect]", true, true, "undefined", true]) },
      expectReuse: true,
      check: noExfil,
    },
  },
  {
    id: "override-mistake-originals",
    title: "A plants own properties on the shared originals behind harden's override-mistake accessors (hasOwnProperty, toString, ...); B's calls through them run nothing of A's",
    context: { secret: "A-SECRET" },
    source: `exports.f = () => {
  const planted = [];
  const targets = [Object.prototype.hasOwnProperty, Object.prototype.toString, Object.prototype.valueOf, Object.prototype.isPrototypeOf,
    Object.prototype.propertyIsEnumerable, Object.prototype.toLocaleString, Function.prototype.toString, Error.prototype.toString];
  for (const fn of targets) {
    for (const key of ["call", "apply", "bind"]) {
      try {
        Object.defineProperty(fn, key, { value: function () { ${exfil}; return "A-RAN"; }, configurable: true, writable: true });
        planted.push(fn.name + "." + key);
      } catch (e) {}
    }
    try { fn.marker = "A-SECRET"; planted.push(fn.name + ".marker"); } catch (e) {}
  }
  return planted;
};`,
    expect: { codes: "success", valueCheck: is([]) },
    after: {
      source: `exports.f = () => {
  const record = { apiKey: "B" };
  return [Object.prototype.hasOwnProperty.call(record, "apiKey"), Object.prototype.toString.call([]), typeof Object.prototype.hasOwnProperty.marker,
    Object.isFrozen(Object.prototype.hasOwnProperty), Object.isFrozen(Function.prototype.toString), Object.isFrozen(Error.prototype.toString)];
};`,
      context: { mine: "B" },
      expect: { codes: "success", valueCheck: is([true, "[object Array]", "undefined", true, true, true]) },
      expectReuse: true,
      check: noExfil,
    },
  },
  {
    id: "global-property",
    title: "a global written by A (with A's context secret) is gone in B",
    context: { secret: "A-SECRET" },
    source: `exports.f = () => { globalThis.leaked = context.secret; globalThis.fn = () => context; return "written"; };`,
    expect: { codes: "success" },
    after: {
      source: `exports.f = () => [typeof globalThis.leaked, typeof globalThis.fn, JSON.stringify(context)];`,
      context: { mine: "B" },
      expect: { codes: "success", valueCheck: is(["undefined", "undefined", '{"mine":"B"}']) },
      expectReuse: true,
    },
  },
  {
    id: "global-non-configurable",
    title: "a non-configurable, non-writable global from A (the realm is discarded, B starts clean)",
    source: `exports.f = () => { Object.defineProperty(globalThis, "sticky", { value: "A-SECRET", configurable: false, writable: false }); return globalThis.sticky; };`,
    expect: { codes: "success" },
    after: {
      source: `exports.f = () => [typeof globalThis.sticky, (() => { try { globalThis.sticky = 1; return globalThis.sticky; } catch (e) { return e.name; } })()];`,
      expect: { codes: "success", valueCheck: is(["undefined", 1]) },
    },
  },
  {
    id: "global-symbol-and-accessor",
    title: "symbol-keyed globals and accessor globals from A are gone in B",
    source: `exports.f = () => {
  globalThis[Symbol.for("k")] = "A-SECRET";
  globalThis[Symbol.iterator] = function* () { yield "A-SECRET"; };
  Object.defineProperty(globalThis, "trap", { get() { ${exfil}; return 1; }, configurable: true });
  return "planted";
};`,
    expect: { codes: "success" },
    after: {
      source: `exports.f = () => [typeof globalThis[Symbol.for("k")], typeof globalThis[Symbol.iterator], typeof globalThis.trap, Object.getOwnPropertySymbols(globalThis).length];`,
      expect: { codes: "success", valueCheck: (v) => Array.isArray(v) && v.slice(0, 3).join() === "undefined,undefined,undefined" },
      expectReuse: true,
      check: noExfil,
    },
  },
  {
    id: "global-prototype-swap",
    title: "A swaps the global's prototype and freezes the global (the realm is discarded)",
    source: `exports.f = () => {
  ${attempts({
    proto: `Object.setPrototypeOf(globalThis, Object.assign(Object.create(Object.getPrototypeOf(globalThis)), { inherited: "A-SECRET" }))`,
    freeze: "Object.freeze(globalThis)",
  })}
  return out;
};`,
    expect: { codes: "success" },
    after: {
      source: `exports.f = () => { globalThis.mine = 1; return [typeof globalThis.inherited, Object.isFrozen(globalThis), globalThis.mine]; };`,
      expect: { codes: "success", valueCheck: is(["undefined", false, 1]) },
    },
  },
  {
    id: "builtin-prototypes",
    title: "A pollutes Object/Array/Function/String/Error prototypes (every way it can); B sees none of it",
    source: `exports.f = () => {
  ${attempts({
    objectAssign: "Object.prototype.polluted = 'A'",
    objectDefine: "Object.defineProperty(Object.prototype, 'polluted', { value: 'A', configurable: true })",
    objectDefineGetter: "Object.prototype.__defineGetter__('polluted', () => 'A')",
    protoSetter: "({}).__proto__.polluted = 'A'",
    arrayPush: "Array.prototype.push = function () { return 0; }",
    arrayIndex: "Object.defineProperty(Array.prototype, '0', { get() { return 'A'; } })",
    functionCall: "Function.prototype.call = function () { return 'A'; }",
    stringReplace: "String.prototype.replace = () => 'A'",
    errorName: "Error.prototype.name = 'A'",
    errorToString: "Error.prototype.toString = () => 'A'",
    objectPrototypeSwap: "Object.setPrototypeOf(Object.prototype, { polluted: 'A' })",
  })}
  return out;
};`,
    expect: { codes: "success", valueCheck: (v) => Array.isArray(v) && v.every((x) => /:TypeError$/.test(String(x))) },
    after: {
      source: `exports.f = () => {
  const a = [];
  a.push(1);
  return [String(({}).polluted), String([][0]), a.length, "x".replace("x", "y"), new Error("e").name, String(new Error("m")), (function () { return 1; }).call(null)];
};`,
      expect: { codes: "success", valueCheck: is(["undefined", "undefined", 1, "y", "Error", "Error: m", 1]) },
      expectReuse: true,
    },
  },
  {
    id: "anonymous-intrinsics",
    title: "A pollutes the anonymous intrinsics (%IteratorPrototype%, %GeneratorPrototype%, %TypedArray%, AsyncFunction.prototype)",
    source: `exports.f = () => {
  ${attempts({
    iterator: "Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())).polluted = 'A'",
    arrayIterator: "Object.getPrototypeOf([][Symbol.iterator]()).next = () => ({ done: true })",
    generator: "Object.getPrototypeOf(function* () {}).prototype.polluted = 'A'",
    asyncFunction: "Object.getPrototypeOf(async function () {}).polluted = 'A'",
    typedArray: "Object.getPrototypeOf(Uint8Array).prototype.polluted = 'A'",
    regexpExec: "RegExp.prototype.exec = () => null",
    mapSet: "Map.prototype.set = () => 'A'",
  })}
  return out;
};`,
    expect: { codes: "success", valueCheck: (v) => Array.isArray(v) && v.every((x) => /:TypeError$/.test(String(x))) },
    after: {
      source: `exports.f = () => [
  String(Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())).polluted),
  [...[1, 2]].length,
  String((function* () {})().polluted),
  String(new Uint8Array(1).polluted),
  /a/.exec("a")[0],
  new Map().set(1, 2).get(1),
];`,
      expect: { codes: "success", valueCheck: is(["undefined", 2, "undefined", "undefined", "a", 2]) },
      expectReuse: true,
    },
  },
  {
    id: "json-override",
    title: "A replaces JSON.stringify / JSON.parse (and the global JSON); B and the runtime's serialization are untouched",
    source: `exports.f = () => {
  ${attempts({
    stringify: `JSON.stringify = () => { ${exfil}; return '"A"'; }`,
    parse: "JSON.parse = () => 'A'",
    global: "globalThis.JSON = { stringify: () => 'A', parse: () => 'A' }",
    define: "Object.defineProperty(JSON, 'stringify', { value: () => 'A' })",
  })}
  return out;
};`,
    expect: { codes: "success", valueCheck: (v) => Array.isArray(v) && v.every((x) => /:TypeError$/.test(String(x))) },
    after: {
      source: `exports.f = () => ({ s: JSON.stringify({ a: 1 }), p: JSON.parse('{"b":2}'), native: /native code/.test(String(JSON.stringify)) });`,
      expect: { codes: "success", valueCheck: is({ s: '{"a":1}', p: { b: 2 }, native: true }) },
      expectReuse: true,
      check: noExfil,
    },
  },
  {
    id: "promise-then-override",
    title: "A replaces Promise.prototype.then, Promise.resolve and the global Promise; B's awaits are untouched",
    source: `exports.f = () => {
  ${attempts({
    then: `Promise.prototype.then = function () { ${exfil}; }`,
    resolve: "Promise.resolve = () => 'A'",
    global: "globalThis.Promise = function () {}",
    species: "Object.defineProperty(Promise, Symbol.species, { get() { return function () {}; } })",
  })}
  return out;
};`,
    expect: { codes: "success", valueCheck: (v) => Array.isArray(v) && v.every((x) => /:TypeError$/.test(String(x))) },
    after: {
      source: `exports.f = async () => { const v = await Promise.resolve(41); const t = await callTool("echo", { n: v + 1 }); return [t.echoed.n, /native code/.test(String(Promise.prototype.then))]; };`,
      context: { victim: "B-SECRET" },
      expect: { codes: "success", valueCheck: is([42, true]) },
      expectReuse: true,
      check: noExfil,
    },
  },
  {
    id: "sandbox-api-hijack",
    title: "A tries to replace console, callTool, setTimeout, queueMicrotask, Symbol.for and context for the next tenant",
    source: `exports.f = () => {
  ${attempts({
    console: `globalThis.console = { log() { ${exfil}; } }`,
    consoleLog: `console.log = function () { ${exfil}; }`,
    callTool: "globalThis.callTool = () => 'A'",
    setTimeout: "globalThis.setTimeout = () => 'A'",
    queueMicrotask: "globalThis.queueMicrotask = () => 'A'",
    symbolFor: "Symbol.for = () => Symbol('A')",
    context: "Object.defineProperty(globalThis, 'context', { value: { hijacked: true } })",
    deleteTimers: "delete globalThis.setTimeout",
  })}
  return out;
};`,
    expect: { codes: "success", valueCheck: (v) => Array.isArray(v) && v.every((x) => /:TypeError$/.test(String(x))) },
    after: {
      source: `exports.f = async () => {
  console.log("victim log");
  await new Promise((r) => setTimeout(r, 1));
  await new Promise((r) => queueMicrotask(r));
  const echoed = await callTool("echo", { key: context.apiKey });
  return [echoed.echoed.key, Symbol.for("k") === Symbol.for("k"), typeof context.hijacked];
};`,
      context: { apiKey: "VICTIM-KEY" },
      expect: {
        codes: "success",
        valueCheck: is(["VICTIM-KEY", true, "undefined"]),
        reportCheck: (r) => (JSON.stringify(r.logs) === JSON.stringify([{ level: "log", message: "victim log" }]) ? undefined : `logs ${JSON.stringify(r.logs)}`),
      },
      expectReuse: true,
      check: noExfil,
    },
  },
  {
    id: "module-state",
    title: "module-level state (a counter, a cache) starts fresh in every call of the same module",
    source: `let calls = 0;
const cache = new Map();
exports.f = (key) => { calls++; cache.set(key, (cache.get(key) || 0) + 1); return [calls, cache.get(key)]; };`,
    args: ["k"],
    expect: { codes: "success", valueCheck: is([1, 1]) },
    after: { args: ["k"], expect: { codes: "success", valueCheck: is([1, 1]) }, expectReuse: true },
  },
  {
    id: "required-module-mutation",
    title: "A mutates a required module's exports and a required JSON file; B (same folder) gets fresh instances",
    files: { "dep.js": "exports.value = 'original';\nexports.list = [];\n", "data.json": '{"n":1}' },
    source: `const dep = require("./dep.js");
const data = require("./data.json");
exports.f = () => { dep.value = "A-SECRET"; dep.list.push("A"); data.n = 99; return "mutated"; };
exports.g = () => [dep.value, dep.list.length, data.n];`,
    expect: { codes: "success" },
    after: { funcName: "g", expect: { codes: "success", valueCheck: is(["original", 0, 1]) }, expectReuse: true },
  },
  {
    id: "symbol-registry",
    title: "Symbol.for is a registry of the invocation: A's registrations and keyFor answers are not B's",
    source: `exports.f = () => {
  const s = Symbol.for("A-SECRET-KEY");
  ${attempts({ poison: "Symbol.for = () => s", keyFor: "Symbol.keyFor = () => 'A'" })}
  return [Symbol.keyFor(s), ...out];
};`,
    expect: { codes: "success", valueCheck: is(["A-SECRET-KEY", "poison:TypeError", "keyFor:TypeError"]) },
    after: {
      source: `exports.f = () => [Symbol.keyFor(Symbol.for("x")), Symbol.for("x") === Symbol.for("x"), typeof Symbol.keyFor(Symbol("local"))];`,
      expect: { codes: "success", valueCheck: is(["x", true, "undefined"]) },
      expectReuse: true,
    },
  },
  {
    id: "timeout-after-return",
    title: "a setTimeout callback left by A (reading context, calling a tool) never runs during B",
    context: { secret: "A-SECRET" },
    source: `exports.f = () => { setTimeout(() => { globalThis.late = context; ${exfil}; }, 20); return "left"; };`,
    expect: { codes: "success" },
    after: {
      source: `exports.f = () => new Promise((r) => setTimeout(() => r([typeof globalThis.late, JSON.stringify(context)]), 120));`,
      context: { victim: "B-SECRET" },
      expect: { codes: "success", valueCheck: is(["undefined", '{"victim":"B-SECRET"}']) },
      expectReuse: true,
      check: noExfil,
    },
  },
  {
    id: "interval-after-return",
    title: "an interval left by A (1 ms) never runs during B, and does not slow it down",
    source: `exports.f = () => { let n = 0; setInterval(() => { n++; globalThis.ticks = n; ${exfil}; }, 1); return "left"; };`,
    expect: { codes: "success" },
    after: {
      source: `exports.f = () => new Promise((r) => setTimeout(() => r(typeof globalThis.ticks), 60));`,
      context: { victim: "B-SECRET" },
      expect: { codes: "success", valueCheck: is("undefined") },
      expectReuse: true,
      check: noExfil,
    },
  },
  {
    id: "promise-chain-after-return",
    title: "a promise chain A leaves pending (timer, then a tool call) never resumes during B",
    source: `exports.f = () => {
  Promise.resolve().then(() => new Promise((r) => setTimeout(r, 20))).then(() => { globalThis.late = 1; ${exfil}; });
  return "left";
};`,
    expect: { codes: "success" },
    after: {
      source: `exports.f = () => new Promise((r) => setTimeout(() => r(typeof globalThis.late), 100));`,
      context: { victim: "B-SECRET" },
      expect: { codes: "success", valueCheck: is("undefined") },
      expectReuse: true,
      check: noExfil,
    },
  },
  {
    id: "pending-tool-after-return",
    title: "a slow tool call A does not await is never settled into B",
    source: `exports.f = () => { callTool("slow", {}).then(() => { globalThis.late = 1; ${exfil}; }); return "left"; };`,
    expect: { codes: "success" },
    after: {
      source: `exports.f = async () => { await new Promise((r) => setTimeout(r, 200)); return typeof globalThis.late; };`,
      context: { victim: "B-SECRET" },
      expect: { codes: "success", valueCheck: is("undefined") },
      expectReuse: true,
      check: noExfil,
    },
  },
  {
    id: "suspended-generator-finally",
    title: "an async generator A leaves suspended, with a finally that calls a tool, never resumes",
    source: `exports.f = () => {
  async function* gen() { try { yield 1; await new Promise((r) => setTimeout(r, 10)); yield 2; } finally { ${exfil}; } }
  const it = gen();
  it.next().then(() => it.next());
  return "left";
};`,
    expect: { codes: "success" },
    after: {
      source: `exports.f = () => new Promise((r) => setTimeout(() => r("b"), 60));`,
      context: { victim: "B-SECRET" },
      expect: { codes: "success", valueCheck: is("b") },
      expectReuse: true,
      check: noExfil,
    },
  },
  {
    id: "unhandled-rejections",
    title: "rejections A leaves unhandled (errors, thenables with getters) do not fail or touch B",
    source: `exports.f = () => {
  Promise.reject(new Error("A-SECRET"));
  const p = Promise.reject({ get message() { ${exfil}; return "m"; } });
  Object.defineProperty(p, "then", { get() { ${exfil}; return undefined; } });
  (async () => { throw new Error("async A"); })();
  return "left";
};`,
    expect: { codes: "success" },
    after: {
      source: `exports.f = async () => { await null; return "b"; };`,
      context: { victim: "B-SECRET" },
      expect: { codes: "success", valueCheck: is("b") },
      expectReuse: true,
      check: noExfil,
    },
  },
  {
    id: "console-count-time",
    title: "console.count and console.time labels of A are unknown in B",
    source: `exports.f = () => { console.count("k"); console.count("k"); console.time("t"); return "counted"; };`,
    expect: { codes: "success" },
    after: {
      source: `exports.f = () => { console.count("k"); console.timeEnd("t"); return "b"; };`,
      expect: {
        codes: "success",
        reportCheck: (r) => (JSON.stringify(r.logs.map((l) => l.message)) === JSON.stringify(["k: 1"]) ? undefined : `logs ${JSON.stringify(r.logs)}`),
      },
      expectReuse: true,
    },
  },
  {
    id: "regexp-statics",
    title: "RegExp.$1 / lastMatch / input do not carry A's last match (or what A wrote to RegExp.input) into B",
    source: `exports.f = () => { /(A-SECRET-\\d+)/.exec("xx A-SECRET-123 yy"); "A-SECRET-456".replace(/(\\d+)/, "$1"); RegExp.input = "A-SECRET-789"; return "matched"; };`,
    expect: { codes: "success" },
    after: {
      source: `exports.f = () => ["$1", "$2", "$9", "input", "$_", "lastMatch", "$&", "lastParen", "$+", "leftContext", "rightContext", "$'"].map((name) => String(RegExp[name]));`,
      expect: { codes: "success", valueCheck: is(["", "", "", "", "", "", "", "", "", "", "", ""]) },
      expectReuse: true,
    },
  },
  {
    id: "error-and-math-statics",
    // Error.stackTraceLimit is the invocation's own to set (libraries set it to 0 around hot error paths);
    // it is back to 10 for the next invocation.
    title: "A changes Error.stackTraceLimit (allowed, for A only), Math.random and Date.now (refused); B sees the originals",
    source: `exports.f = () => {
  ${attempts({ random: "Math.random = () => 0.5", now: "Date.now = () => 0", dateGlobal: "globalThis.Date = function () {}", extend: "Error.extra = 1" })}
  Error.stackTraceLimit = 0;
  out.push(new Error("x").stack.split("\\n").length === 1 ? "limit:applied" : "limit:ignored");
  return out;
};`,
    expect: { codes: "success", valueCheck: (v) => Array.isArray(v) && v.length === 5 && v.slice(0, 4).every((x) => /:TypeError$/.test(String(x))) && v[4] === "limit:applied" },
    after: {
      source: `exports.f = () => [new Error("x").stack.split("\\n").length > 1, Date.now() > 1e12, /native code/.test(String(Math.random))];`,
      expect: { codes: "success", valueCheck: is([true, true, true]) },
      expectReuse: true,
    },
  },
  {
    id: "failed-call-leaves-nothing",
    title: "A writes a global then throws (the realm is reused); B sees nothing",
    source: `exports.f = () => { globalThis.half = "A-SECRET"; throw new Error("boom"); };`,
    expect: { codes: ["RUNTIME_ERROR"] },
    after: { source: `exports.f = () => typeof globalThis.half;`, expect: { codes: "success", valueCheck: is("undefined") }, expectReuse: true },
  },
  {
    id: "timed-out-call-leaves-nothing",
    title: "A writes a global then spins until TIMEOUT (the realm is discarded); B sees nothing",
    limitMs: 200,
    source: `exports.f = () => { globalThis.half = "A-SECRET"; setInterval(() => { ${exfil}; }, 1); for (;;) {} };`,
    expect: { codes: ["TIMEOUT"] },
    after: { source: `exports.f = () => new Promise((r) => setTimeout(() => r(typeof globalThis.half), 30));`, expect: { codes: "success", valueCheck: is("undefined") }, check: noExfil },
  },
  {
    id: "context-tamper",
    title: "A tries to change its frozen context and the context accessor; B gets exactly its own context",
    context: { user: { id: "A" }, list: [1] },
    source: `exports.f = () => {
  ${attempts({
    write: "context.user.id = 'hijacked'",
    push: "context.list.push(2)",
    proto: "Object.getPrototypeOf(context).polluted = 1",
    accessor: "Object.defineProperty(globalThis, 'context', { get: () => ({ hijacked: true }) })",
  })}
  return out;
};`,
    expect: { codes: "success", valueCheck: (v) => Array.isArray(v) && v.every((x) => /:TypeError$/.test(String(x))) },
    after: {
      source: `exports.f = () => context;`,
      context: { user: { id: "B" } },
      expect: { codes: "success", valueCheck: is({ user: { id: "B" } }) },
      expectReuse: true,
    },
  },
  {
    // The global is reset after the call, outside its time limit: deleting a million added globals one by one
    // took seconds, and the call that had answered in time ended at the hard stop (details.hardStop).
    id: "million-globals",
    title: "A adds symbol- and string-keyed globals for 300 ms and returns; it is answered in time (not at the hard stop), and B sees none of them",
    context: { secret: "A-SECRET" },
    source: `exports.f = () => {
  const t = Date.now();
  let n = 0;
  while (Date.now() - t < 300) for (let k = 0; k < 1000; k++, n++) { globalThis[Symbol("A")] = n; globalThis["a" + n] = n; }
  return n > 0;
};`,
    expect: {
      codes: "success",
      valueCheck: is(true),
      reportCheck: (r) => (r.stats.durationMs < 500 ? undefined : "answered after " + Math.round(r.stats.durationMs) + " ms, past its 500 ms limit"),
    },
    after: {
      source: `exports.f = () => [Object.getOwnPropertySymbols(globalThis).length, typeof globalThis.a0, Object.keys(globalThis).filter((k) => /^a\\d/.test(k)).length];`,
      context: { mine: "B" },
      expect: { codes: "success", valueCheck: is([0, "undefined", 0]) },
    },
  },
];
