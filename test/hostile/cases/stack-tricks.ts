import { contained } from "./constructor-chains.js";
import type { ExecuteResult } from "../../../dist/index.js";
import type { HostileCase } from "./types.js";

/** A stack the tenant sees: a head line, then only frames of its own files (tenant-relative paths). */
export function tenantOnlyStack(stack: unknown): boolean | string {
  if (typeof stack !== "string") return `not a string: ${typeof stack}`;
  const frames = stack.split("\n").filter((l) => /^\s+at /.test(l));
  const bad = frames.filter((l) => !/^\s+at (?:async )?(?:[^()]+ \()?(?:main|dep)\.m?js:\d+:\d+\)?$/.test(l));
  if (/node:|tenantbox:|\/tmp\/|file:\/\//.test(stack)) return `host detail in stack: ${stack}`;
  return bad.length === 0 ? true : `foreign frames: ${bad.join(" | ")}`;
}

const is = (expected: unknown) => (v: unknown) => JSON.stringify(v) === JSON.stringify(expected) || `expected ${JSON.stringify(expected)}`;

/** Every element: either one of `allowed`, or a tenant-only stack. */
function stacksAnd(allowed: string[]) {
  return (v: unknown) => {
    if (!Array.isArray(v)) return "not an array";
    for (const item of v) {
      if (allowed.includes(item as string)) continue;
      const r = tenantOnlyStack(item);
      if (r !== true) return r;
    }
    return true;
  };
}

function errorField(field: "name" | "message", check: (text: string) => boolean | string) {
  return (r: ExecuteResult) => {
    const text = r.error?.[field] ?? "";
    const verdict = check(text);
    return verdict === true ? undefined : `${field}: ${verdict === false ? text : verdict}`;
  };
}

/**
 * Stack tricks: Error.prepareStackTrace (assignment, defineProperty, subclasses, the global Error), CallSite
 * getThis/getFunction, Error.captureStackTrace on objects with getters, fn.caller and arguments.callee
 * from getters, toJSON, then and timer callbacks, and the hooks the runtime's own serialization and error
 * description trigger (toJSON, then, getters, Symbol.toPrimitive, toString, Symbol.species).
 */
export const stackTrickCases: HostileCase[] = [
  {
    id: "prepare-assign-callsites",
    title: "Error.prepareStackTrace = (e, cs) => cs, then getThis()/getFunction() on every CallSite",
    source: `__PRELUDE__
exports.f = function () {
  let assigned;
  try { Error.prepareStackTrace = (e, cs) => cs; assigned = "assigned"; } catch (e) { assigned = e.name; }
  const cs = new Error("x").stack;
  const target = {};
  Error.captureStackTrace(target);
  const captured = target.stack;
  const found = [];
  if (Array.isArray(captured)) {
    for (const c of captured) {
      try { const t = c.getThis(); if (t) found.push(viaObject(t)); } catch (e) {}
      try { const fn = c.getFunction(); if (fn) found.push(viaObject(fn)); } catch (e) {}
      found.push(String(c), viaObject(c), viaObject(c.getFileName), Object.isFrozen(c) && Object.isFrozen(Object.getPrototypeOf(c)));
    }
  }
  return [assigned, typeof cs, typeof captured, ...found];
};`,
    // The assignment is a hook: \`new Error().stack\` keeps the runtime's text (no tenant code runs while V8
    // formats), and Error.captureStackTrace hands the hook the realm's own CallSites of tenant frames only: no
    // receiver, no function, frozen, nothing reached through them (viaObject reports a blocked chain as a string).
    expect: {
      codes: "success",
      valueCheck: (v) =>
        Array.isArray(v) && v.length === 7 && v[0] === "assigned" && v[1] === "string" && v[2] === "object" && /^(?:[\w.]+ \()?main\.js:\d+:\d+\)?$/.test(String(v[3])) && contained(v[4]) === true && contained(v[5]) === true && v[6] === true
          ? true
          : `got ${JSON.stringify(v)}`,
    },
    naiveEscapes: true,
  },
  {
    id: "prepare-define-property",
    title: "Object.defineProperty / Reflect.defineProperty / delete on Error.prepareStackTrace",
    source: `exports.f = function () {
  const out = [];
  const fmt = (e, cs) => cs;
  try { Object.defineProperty(Error, "prepareStackTrace", { value: fmt }); out.push("defined"); } catch (e) { out.push(e.name); }
  out.push(String(Reflect.defineProperty(Error, "prepareStackTrace", { get: () => fmt })));
  try { delete Error.prepareStackTrace; out.push("deleted"); } catch (e) { out.push(e.name); }
  out.push(typeof new Error("x").stack);
  return out;
};`,
    expect: { codes: "success", valueCheck: is(["TypeError", "false", "TypeError", "string"]) },
    naiveEscapes: false,
  },
  {
    id: "prepare-on-subclass-and-global",
    title: "prepareStackTrace on an Error subclass, on a replaced global Error, and on Object.prototype",
    source: `__PRELUDE__
exports.f = function () {
  const out = [];
  const grab = (e, cs) => cs.map((c) => { try { return viaObject(c.getThis()) + viaObject(c.getFunction()); } catch (x) { return "t"; } }).join();
  class E extends Error {}
  try { Object.defineProperty(E, "prepareStackTrace", { value: grab }); out.push("subclass-set"); } catch (e) { out.push(e.name); }
  out.push(typeof new E("x").stack);
  try { globalThis.Error = { prepareStackTrace: grab }; out.push("global-set"); } catch (e) { out.push(e.name); }
  try { Object.prototype.prepareStackTrace = grab; out.push("proto-set"); } catch (e) { out.push(e.name); }
  out.push(typeof new Error("y").stack, typeof new RangeError("z").stack);
  return out;
};`,
    expect: { codes: "success", valueCheck: is(["subclass-set", "string", "TypeError", "TypeError", "string", "string"]) },
    naiveEscapes: true,
  },
  {
    id: "prepare-read-and-call",
    title: "the locked formatter itself: its constructor chain, and calling it with forged CallSites",
    source: `__PRELUDE__
exports.f = function () {
  const fmt = Error.prepareStackTrace;
  const forged = { getFileName: () => "main.js", getLineNumber: () => 1, getColumnNumber: () => 2, getFunctionName: () => "x", getThis() { return globalThis; } };
  const text = fmt.call(null, { name: "N", message: "M" }, [forged, forged]);
  return [typeof fmt, viaObject(fmt), text];
};`,
    expect: {
      codes: "success",
      // A forged CallSite naming "main.js" is no script the realm compiled for a tenant module: no frame shown.
      valueCheck: (v) => Array.isArray(v) && v[0] === "function" && contained(v[1]) === true && v[2] === "N: M",
    },
    naiveEscapes: false,
  },
  {
    id: "capture-stack-trace-getters",
    title: "Error.captureStackTrace on an object with stack/name/message getters, with and without constructorOpt",
    source: `exports.f = function outer() {
  const seen = [];
  const target = {
    get stack() { seen.push("stack-getter"); return "fake"; },
    get name() { seen.push("name-getter"); return "N"; },
    get message() { seen.push("message-getter"); return "M"; },
  };
  Object.defineProperty(target, "stack", { get() { seen.push("stack-getter"); return "fake"; }, configurable: true });
  Error.captureStackTrace(target);
  const plain = {};
  Error.captureStackTrace(plain, outer);
  return [String(target.stack), String(plain.stack), seen.join(",")];
};`,
    expect: { codes: "success", valueCheck: (v) => Array.isArray(v) && tenantOnlyStack(v[0]) === true && tenantOnlyStack(v[1]) === true },
    naiveEscapes: false,
  },
  {
    id: "capture-stack-trace-frozen",
    title: "Error.captureStackTrace on frozen and non-extensible objects, and on a function",
    source: `exports.f = function () {
  const out = [];
  for (const target of [Object.freeze({}), Object.preventExtensions({}), function g() {}]) {
    try { Error.captureStackTrace(target); out.push(typeof target.stack); } catch (e) { out.push(e.name); }
  }
  return out;
};`,
    expect: { codes: "success", valueCheck: (v) => Array.isArray(v) && v.length === 3 && v.every((x) => ["TypeError", "string", "undefined"].includes(x)) },
    naiveEscapes: false,
  },
  {
    id: "stack-trace-limit",
    title: "Error.stackTraceLimit cannot be raised to see more frames; stacks show tenant frames only",
    source: `exports.f = function () {
  let set;
  try { Error.stackTraceLimit = Infinity; set = "set"; } catch (e) { set = e.name; }
  const deep = (n) => (n === 0 ? new Error("deep").stack : deep(n - 1));
  return [set, deep(5)];
};`,
    expect: { codes: "success", valueCheck: stacksAnd(["TypeError"]) },
    naiveEscapes: false,
  },
  {
    id: "stacks-in-callbacks",
    title: "stacks taken in timer, microtask, tool-continuation and promise callbacks show tenant frames only",
    source: `exports.f = async function () {
  const stacks = [];
  await new Promise((r) => setTimeout(() => { stacks.push(new Error("timer").stack); r(); }, 1));
  await new Promise((r) => queueMicrotask(() => { stacks.push(new Error("micro").stack); r(); }));
  await callTool("echo", {}).then(() => stacks.push(new Error("tool").stack));
  await Promise.resolve().then(() => stacks.push(new Error("then").stack));
  const obj = {};
  Error.captureStackTrace(obj);
  stacks.push(obj.stack);
  return stacks;
};`,
    expect: { codes: "success", valueCheck: stacksAnd([]) },
    naiveEscapes: false,
  },
  {
    id: "stack-during-serialization",
    title: "a stack taken inside toJSON and inside a getter while the runtime serializes the result",
    source: `exports.f = () => ({
  viaToJSON: { toJSON() { return new Error("toJSON").stack; } },
  get viaGetter() { return new Error("getter").stack; },
});`,
    expect: { codes: "success", valueCheck: (v) => stacksAnd([])([(v as Record<string, string>).viaToJSON, (v as Record<string, string>).viaGetter]) },
    naiveEscapes: false,
  },
  {
    id: "stack-during-error-description",
    title: "a stack taken by a message getter while the runtime describes a thrown object",
    source: `exports.f = () => { throw { name: "Hostile", get message() { return new Error("inside").stack; } }; };`,
    expect: { codes: ["RUNTIME_ERROR"], reportCheck: errorField("message", tenantOnlyStack) },
    naiveEscapes: false,
  },
  {
    id: "caller-from-getters",
    title: "fn.caller, arguments.callee and the Function.prototype.caller accessor from a getter the runtime calls",
    source: `exports.f = () => ({
  get x() {
    const out = [];
    const self = Object.getOwnPropertyDescriptor(this, "x").get;
    try { out.push(typeof arguments.callee); } catch (e) { out.push(e.name); }
    try { out.push(typeof self.caller); } catch (e) { out.push(e.name); }
    try { out.push(typeof Object.getOwnPropertyDescriptor(Function.prototype, "caller").get.call(self)); } catch (e) { out.push(e.name); }
    try { out.push(typeof self.arguments); } catch (e) { out.push(e.name); }
    return out;
  },
});`,
    expect: { codes: "success", valueCheck: (v) => JSON.stringify(v) === JSON.stringify({ x: ["TypeError", "TypeError", "TypeError", "TypeError"] }) },
    naiveEscapes: false,
  },
  {
    id: "caller-from-tojson-and-then",
    title: "caller walks from toJSON and from a then() the runtime calls, and from the resolve/reject it is handed",
    source: `__PRELUDE__
exports.f = () => ({
  then(resolve, reject) {
    const out = [viaObject(resolve), viaObject(reject), viaObject(this)];
    for (const fn of [resolve, reject]) { try { out.push(typeof fn.caller); } catch (e) { out.push(e.name); } }
    resolve({
      inner: out,
      viaToJSON: { toJSON(key) { const self = this.toJSON; try { return typeof self.caller; } catch (e) { return e.name; } } },
    });
  },
});`,
    expect: {
      codes: "success",
      valueCheck: (v) => {
        const r = v as { inner: string[]; viaToJSON: string };
        return contained(r.inner.slice(0, 3)) === true && r.inner.slice(3).every((x) => x === "TypeError" || x === "object") && r.viaToJSON === "TypeError";
      },
    },
    naiveEscapes: false,
  },
  {
    id: "caller-from-callbacks",
    title: "cb.caller in timer, microtask, tool and promise callbacks",
    source: `exports.f = async function () {
  const out = [];
  const look = (fn) => { try { out.push(typeof fn.caller); } catch (e) { out.push(e.name); } };
  await new Promise((r) => setTimeout(function cb() { look(cb); r(); }, 1));
  await new Promise((r) => queueMicrotask(function cb() { look(cb); r(); }));
  await callTool("echo", {}).then(function cb() { look(cb); });
  return out;
};`,
    expect: { codes: "success", valueCheck: is(["TypeError", "TypeError", "TypeError"]) },
    naiveEscapes: false,
  },
  {
    id: "thrown-to-primitive",
    title: "a thrown error whose name and message convert through Symbol.toPrimitive and toString",
    source: `__PRELUDE__
exports.f = () => {
  const name = { [Symbol.toPrimitive](hint) { return "N:" + viaObject(this) + ":" + typeof hint; } };
  const message = { toString() { return "M:" + viaObject(this) + ":" + new Error("m").stack.split("\\n").length; } };
  throw Object.assign(new Error(), { name, message });
};`,
    expect: {
      codes: ["RUNTIME_ERROR"],
      reportCheck: (r) => {
        const name = r.error?.name ?? "";
        const message = r.error?.message ?? "";
        if (!/^N:/.test(name) || contained(name.slice(2).replace(/:string$/, "")) !== true) return `name ${name}`;
        if (!/^M:/.test(message) || contained(message.slice(2).replace(/:\d+$/, "")) !== true) return `message ${message}`;
        return undefined;
      },
    },
    naiveEscapes: false,
  },
  {
    id: "symbol-name-error",
    title: "the 'error generation primitive': e.name = Symbol() then e.stack, and thrown",
    source: `__PRELUDE__
exports.f = () => {
  const e = new Error("x");
  e.name = Symbol("s");
  let stack;
  try { stack = e.stack; } catch (err) { stack = viaObject(err); }
  const e2 = new TypeError("y");
  e2.name = Symbol("t");
  e2.detail = String(stack);
  throw e2;
};`,
    expect: { codes: ["RUNTIME_ERROR"], reportCheck: (r) => (r.error?.name === "Symbol(t)" ? undefined : `name ${r.error?.name}`) },
    naiveEscapes: true,
  },
  {
    id: "thrown-functions",
    title: "throwing a function (vm2's 'throw f => f.constructor(...)') from the export itself",
    source: `__PRELUDE__
const trap = (x) => { console.log("trap called:" + viaObject(x)); return viaObject(x); };
exports.f = () => { throw trap; };`,
    expect: { codes: ["RUNTIME_ERROR"], reportCheck: (r) => (r.logs.length === 0 ? undefined : `the runtime called a thrown function: ${JSON.stringify(r.logs)}`) },
    naiveEscapes: false,
  },
  {
    id: "thrown-function-from-getter",
    title: "a getter that throws a function while the runtime serializes",
    source: `const trap = (x) => { console.log("trap called"); return x; };
exports.f = () => ({ get x() { throw trap; } });`,
    expect: { codes: ["RUNTIME_ERROR"], reportCheck: (r) => (r.logs.length === 0 ? undefined : "the runtime called the thrown function") },
    naiveEscapes: false,
  },
  {
    id: "thrown-function-from-tojson",
    title: "a toJSON that throws a function while the runtime serializes",
    source: `const trap = (x) => { console.log("trap called"); return x; };
exports.f = () => ({ nested: { toJSON() { throw trap; } } });`,
    expect: { codes: ["RUNTIME_ERROR"], reportCheck: (r) => (r.logs.length === 0 ? undefined : "the runtime called the thrown function") },
    naiveEscapes: false,
  },
  {
    id: "thrown-function-async",
    title: "an async export that rejects with a function",
    source: `const trap = (x) => { console.log("trap called"); return x; };
exports.f = async () => { await null; throw trap; };`,
    expect: { codes: ["RUNTIME_ERROR"], reportCheck: (r) => (r.logs.length === 0 ? undefined : "the runtime called the thrown function") },
    naiveEscapes: false,
  },
  {
    id: "thrown-function-from-then-getter",
    title: "a then getter that throws a function while the runtime awaits the result",
    source: `const trap = (x) => { console.log("trap called"); return x; };
exports.f = () => ({ get then() { throw trap; } });`,
    expect: { codes: ["RUNTIME_ERROR"], reportCheck: (r) => (r.logs.length === 0 ? undefined : "the runtime called the thrown function") },
    naiveEscapes: false,
  },
  {
    id: "species-on-returned-values",
    title: "Symbol.species on a returned Array, Promise and typed array subclass records what the runtime hands it",
    source: `__PRELUDE__
const seen = [];
class A extends Array { static get [Symbol.species]() { seen.push("array-species"); return A; } }
class P extends Promise {
  static get [Symbol.species]() { seen.push("promise-species"); return P; }
  then(onOk, onFail) { seen.push("then:" + viaObject(onOk) + "/" + viaObject(onFail)); return super.then(onOk, onFail); }
}
class U extends Uint8Array { static get [Symbol.species]() { seen.push("u8-species"); return U; } }
exports.f = () => P.resolve(1).then(() => {
  const a = A.from([1, 2]);
  return { a, u: U.from([1]), seen };
});`,
    expect: {
      codes: "success",
      valueCheck: (v) => {
        const seen = (v as { seen: string[] }).seen;
        const probes = seen.filter((s) => s.startsWith("then:")).map((s) => s.slice(5).replace("/", ";"));
        return (probes.length >= 2 && contained(probes) === true) || `seen ${JSON.stringify(seen)}`;
      },
    },
    naiveEscapes: false,
  },
  {
    id: "species-constructor-hijack-on-result",
    title: "a returned promise whose constructor[Symbol.species] is a fake that captures the resolving functions",
    source: `__PRELUDE__
exports.f = async () => {
  const captured = [];
  const p = Promise.resolve("value");
  // (Assignment would throw: Promise.prototype.constructor is frozen. An own property does it.)
  Object.defineProperty(p, "constructor", {
    value: {
      [Symbol.species]: function Fake(executor) {
        executor((v) => captured.push("ok:" + viaObject(v)), (e) => captured.push("fail:" + viaObject(e)));
        captured.push("executor:" + viaObject(executor));
      },
    },
  });
  p.then((v) => "next:" + v);
  await new Promise((r) => setTimeout(r, 5));
  return captured;
};`,
    expect: {
      codes: "success",
      valueCheck: (v) =>
        (Array.isArray(v) && v.length === 2 && String(v[0]).startsWith("executor:") && String(v[1]).startsWith("ok:") &&
          contained(v.map((x) => String(x).replace(/^[a-z]+:/, ""))) === true) || `captured ${JSON.stringify(v)}`,
    },
    naiveEscapes: false,
  },
  {
    id: "recursive-name-getter",
    title: "a name getter that recurses forever while the stack is formatted and while the error is described",
    source: `exports.f = () => {
  const e = new Error("x");
  Object.defineProperty(e, "name", { get() { return this.stack; } });
  let first;
  try { first = typeof e.stack; } catch (err) { first = err.name; }
  e.note = first;
  throw e;
};`,
    expect: { codes: ["RUNTIME_ERROR"] },
    naiveEscapes: false,
  },
  {
    id: "aggregate-and-cause",
    title: "AggregateError, SuppressedError and Error.cause carrying hostile objects are described as data only",
    source: `__PRELUDE__
exports.f = () => {
  const trap = { get message() { return "trap:" + viaObject(this); } };
  const s = new SuppressedError(trap, new Error("inner", { cause: trap }), "suppressed");
  throw new AggregateError([s, trap], "aggregate", { cause: s });
};`,
    expect: { codes: ["RUNTIME_ERROR"], reportCheck: (r) => (r.error?.name === "AggregateError" && r.error?.message === "aggregate" ? undefined : "unexpected error") },
    naiveEscapes: false,
  },
  {
    id: "proxy-absent",
    title: "Proxy (whose traps host code could trigger) is absent under every name, and Reflect cannot make one",
    source: `exports.f = () => [
  typeof Proxy,
  typeof globalThis["Pro" + "xy"],
  "Proxy" in globalThis,
  Reflect.ownKeys(globalThis).some((k) => String(k) === "Proxy"),
  (() => { try { return typeof Reflect.construct(globalThis["Pro" + "xy"], [{}, {}]); } catch (e) { return e.name; } })(),
];`,
    expect: { codes: "success", valueCheck: is(["undefined", "undefined", false, false, "TypeError"]) },
    naiveEscapes: false,
  },
  {
    id: "prepare-stack-trace-async",
    title: "prepareStackTrace assignment, then errors created in async functions, rejected and left unhandled",
    source: `__PRELUDE__
exports.f = async function () {
  const found = [];
  try { Error.prepareStackTrace = (e, cs) => { for (const c of cs) { try { found.push(viaObject(c.getThis())); } catch (x) {} } return "patched"; }; } catch (e) { found.push("nullish"); }
  async function boom() { await null; throw new Error("async"); }
  Promise.reject(new Error("unhandled"));
  try { await boom(); } catch (e) { found.push(e.stack === "patched" ? "patched" : "nullish"); }
  return found;
};`,
    // The assignment is a hook, which a thrown error's stack never runs (only Error.captureStackTrace does).
    expect: { codes: "success", valueCheck: is(["nullish"]) },
    naiveEscapes: true,
  },
  {
    id: "caller-walk-from-sloppy-library",
    title: "a sloppy library module walks .caller (a computed key, past the static rule) from every place the realm calls tenant code: only tenant functions, then null",
    files: {
      "node_modules/walker/package.json": JSON.stringify({ name: "walker", main: "index.js" }),
      "node_modules/walker/index.js": `var KEY = ["cal", "ler"].join(""); // WALKER_MARK
var toText = Function.prototype.toString;
var accessor = Object.getOwnPropertyDescriptor(Function.prototype, KEY);
var seen = [];
function walk(where, fn) { // WALKER_MARK
  var out = where + ":";
  for (var i = 0; i < 40 && typeof fn === "function"; i++) {
    var next;
    try { next = fn[KEY]; } catch (e) { out += " throws " + e.name; break; }
    try { if (accessor && accessor.get && next === undefined) next = accessor.get.call(fn); } catch (e) {}
    if (next === null || next === undefined) { out += " end"; break; }
    var text = "";
    try { text = toText.call(next); } catch (e) { text = "?" + e.name; }
    if (text.indexOf("WALKER_MARK") < 0 && text.indexOf("MAIN_MARK") < 0) { out += " FOREIGN(" + text.slice(0, 80) + ")"; break; }
    out += " own";
    fn = next;
  }
  seen.push(out);
  return out;
}
exports.seen = seen;
exports.probe = function probe(where) { return walk(where, probe); }; // WALKER_MARK
exports.wrap = function wrap(where, f) { return function wrapped() { walk(where, wrapped); return f && f.apply(this, arguments); }; }; // WALKER_MARK
walk("module body", function body() {}); // WALKER_MARK
(function atLoad() { walk("at load", atLoad); })(); // WALKER_MARK
`,
    },
    source: `const w = require("walker"); // MAIN_MARK
exports.f = async function () { // MAIN_MARK
  w.probe("export call");
  [1].map(w.wrap("array map"));
  [2, 1].sort(w.wrap("sort comparator", () => 0));
  JSON.parse("[1]", w.wrap("json reviver", (k, v) => v));
  "a".replace(/a/, w.wrap("replace callback", () => "b"));
  await new Promise((r) => setTimeout(w.wrap("timer", r), 1));
  await new Promise((r) => queueMicrotask(w.wrap("microtask", r)));
  await Promise.resolve().then(w.wrap("promise reaction"));
  await callTool("echo", {}).then(w.wrap("tool reply"));
  await { then: w.wrap("thenable", (resolve) => resolve()) };
  const value = { list: w.seen, late: {} };
  Object.defineProperty(value.late, "g", { enumerable: true, get: w.wrap("result getter", () => 1) });
  value.late.toJSON = w.wrap("toJSON", function () { return { g: 1 }; });
  return value;
};`,
    expect: {
      codes: "success",
      valueCheck: (v) => {
        const list = (v as { list?: unknown }).list;
        if (!Array.isArray(list) || list.length < 12) return `walks: ${JSON.stringify(list)}`;
        const bad = list.filter((line) => typeof line !== "string" || / FOREIGN\(|throws /.test(line) || !/ end$/.test(line));
        return bad.length === 0 || `walks that reached beyond tenant code: ${JSON.stringify(bad)}`;
      },
    },
    naiveEscapes: false,
  },
];
