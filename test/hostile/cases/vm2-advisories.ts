import { contained } from "./constructor-chains.js";
import type { HostileCase } from "./types.js";

/** The probes a case collected ("label=probe" strings): every probe must be contained. */
function probesContained(v: unknown): boolean | string {
  if (!Array.isArray(v) || v.length === 0) return `no probes: ${JSON.stringify(v)}`;
  // "refused" marks an attempt the realm refused (a frozen intrinsic, a non-writable global): not a probe.
  const probes = v.map((x) => String(x).replace(/^[\w.-]+=/, "")).filter((x) => x !== "refused");
  return probes.length === 0 ? true : contained(probes);
}

const ok = { codes: "success" as const, valueCheck: probesContained };

/** Shared helpers: `stack()` overflows the stack the way the advisories do; `deepCall(fn)` calls fn at the edge. */
const HELPERS = `__PRELUDE__
/** The advisories' own overflow: a stack trace is formatted at every level (slow, about 0.5 s here). */
function stack() { new Error().stack; stack(); }
/** A plain overflow, for the cases that only need a RangeError from deep inside. */
function overflow() { overflow(); }
/** Recurses until the stack overflows, then calls fn at every level on the way back; returns what fn threw. */
function deepCall(fn, limit) {
  const seen = [];
  function r() {
    try { r(); } catch (e) {
      try { fn(); } catch (e2) { if (seen.length < (limit || 20)) seen.push(e2); }
    }
  }
  r();
  return seen;
}
`;

/**
 * The public vm2 advisories (GHSA / CVE list and docs/ATTACKS.md of the vm2 repository), re-expressed as
 * tenant modules: each keeps the advisory's mechanism and swaps what tenantbox does not have (Proxy,
 * Buffer, WebAssembly) for the nearest thing it does. Every probe must find only the realm's own objects.
 */
export const vm2Cases: HostileCase[] = [
  {
    id: "cve-2019-10761-stack-overflow",
    title: "CVE-2019-10761: overflow the stack, catch the RangeError, walk its constructor (classic PoC)",
    source: `${HELPERS}
exports.f = () => { try { stack(); return ["none"]; } catch (e) { return ["rangeerror=" + viaObject(e)]; } };`,
    expect: ok,
    naiveEscapes: true,
  },
  {
    id: "cve-2019-10761-host-calls-at-edge",
    title: "CVE-2019-10761 variant: at the stack's edge, call console, timers and callTool so the overflow happens in host code",
    source: `${HELPERS}
exports.f = () => {
  const out = [];
  for (const [label, fn] of [
    ["console", () => console.log("x")],
    ["setTimeout", () => clearTimeout(setTimeout(() => {}, 1000))],
    ["callTool", () => callTool("echo", { a: 1 })],
    ["queueMicrotask", () => queueMicrotask(() => {})],
  ]) {
    for (const e of deepCall(fn, 5)) out.push(label + "=" + viaObject(e));
  }
  return out.length ? out : ["none=nullish"];
};`,
    expect: ok,
    naiveEscapes: false,
  },
  {
    id: "cve-2019-10761-builtins-at-edge",
    title: "CVE-2019-10761 variant: at the stack's edge, URL, TextEncoder, structuredClone, atob and Symbol.for",
    source: `${HELPERS}
exports.f = () => {
  const out = [];
  for (const [label, fn] of [
    ["URL", () => new URL("https://example.com/a?b=1")],
    ["TextEncoder", () => new TextEncoder().encode("abc")],
    ["structuredClone", () => structuredClone({ a: [1] })],
    ["atob", () => atob("YWJj")],
    ["SymbolFor", () => Symbol.for("k")],
  ]) {
    for (const e of deepCall(fn, 5)) out.push(label + "=" + viaObject(e));
  }
  return out.length ? out : ["none=nullish"];
};`,
    expect: ok,
    naiveEscapes: false,
  },
  {
    id: "category-29-realm-skew-binary-search",
    title: "ATTACKS.md category 29: binary-search the depth at which a runtime call overflows, collect every error's realm",
    source: `${HELPERS}
exports.f = () => {
  let max = 0;
  (function probe(n) { max = n; try { probe(n + 1); } catch (e) {} })(0);
  const out = [];
  const seen = new Set();
  for (let back = 0; back < 60; back++) {
    const target = max - back;
    const at = (n) => { if (n < target) return at(n + 1); return console.log("edge"); };
    try { at(0); } catch (e) {
      const key = String(e && e.name) + ":" + String(e && e.constructor && e.constructor.name);
      if (!seen.has(key)) { seen.add(key); out.push(key + "=" + viaObject(e)); }
    }
  }
  return out.length ? out : ["none=nullish"];
};`,
    expect: ok,
    naiveEscapes: false,
  },
  {
    id: "cve-2021-23449-import",
    title: "CVE-2021-23449: import('fs') reached the host's loader (here it is the realm's import of the module graph: fs is a placeholder whose functions throw)",
    source: `exports.f = async () => { const fs = await import("fs"); return fs.readFileSync("__SECRET_FILE__", "utf8"); };`,
    expect: { codes: ["MODULE_NOT_FOUND"] },
    naive: false,
  },
  {
    id: "cve-2021-23449-import-through-function",
    title: "CVE-2021-23449 variant: import() inside code compiled at run time",
    source: `${HELPERS}
exports.f = async () => {
  try { const load = [].constructor.constructor("return import('fs')"); const fs = await load(); return ["import=" + loot(fs)]; }
  catch (e) { return ["import=blocked:" + e.name]; }
};`,
    expect: ok,
    naiveEscapes: false,
  },
  {
    id: "cve-2022-36067-sandbreak",
    title: "CVE-2022-36067 (SandBreak): replace the global Error, set prepareStackTrace on the fake, read an old Error's stack",
    source: `${HELPERS}
exports.f = () => {
  const out = [];
  const OldError = Error;
  const grab = (errStr, traces) => { for (const t of traces) { try { out.push("this=" + viaObject(t.getThis())); } catch (x) {} try { out.push("fn=" + viaObject(t.getFunction())); } catch (x) {} } return "grabbed"; };
  try { globalThis.Error = {}; out.push("replace=done"); } catch (e) { out.push("replace=blocked:" + e.name); }
  try { Object.defineProperty(globalThis, "Error", { value: { prepareStackTrace: grab } }); out.push("define=done"); } catch (e) { out.push("define=blocked:" + e.name); }
  try { Error.prepareStackTrace = grab; out.push("assign=done"); } catch (e) { out.push("assign=blocked:" + e.name); }
  const { stack } = new OldError();
  out.push("stack=" + (stack === "grabbed" ? "grabbed" : "nullish"));
  return out;
};`,
    expect: {
      codes: "success",
      valueCheck: (v) =>
        // Assigning the hook works (libraries such as depd do it), but an error's stack never runs it: only
        // Error.captureStackTrace does, with the realm's own CallSites (test/stack-hook.test.ts).
        JSON.stringify(v) === JSON.stringify(["replace=blocked:TypeError", "define=blocked:TypeError", "assign=done", "stack=nullish"]) ||
        `got ${JSON.stringify(v)}`,
    },
    naiveEscapes: true,
  },
  {
    id: "cve-2023-29017-async-prepare-stack-trace",
    title: "CVE-2023-29017: prepareStackTrace sees the frames array of an error raised in an async code path",
    source: `${HELPERS}
exports.f = async () => {
  const out = [];
  const grab = (e, frames) => { out.push("frames=" + viaObject(frames)); for (const f of frames) { try { out.push("this=" + viaObject(f.getThis())); } catch (x) {} } return "grabbed"; };
  try { Error.prepareStackTrace = grab; } catch (e) { out.push("assign=blocked:" + e.name); }
  try { Object.defineProperty(Error, "prepareStackTrace", { get: () => grab }); } catch (e) { out.push("getter=blocked:" + e.name); }
  let compiled;
  try { compiled = (async () => {}).constructor("return process"); } catch (e) { out.push("asyncfn=blocked:" + e.name); }
  try { await (async () => { await null; null.x; })(); } catch (e) { out.push("async=" + (typeof e.stack === "string" && e.stack !== "grabbed" ? "nullish" : "grabbed")); }
  return out;
};`,
    expect: {
      codes: "success",
      valueCheck: (v) =>
        // The assignment is a hook, which an error's stack never runs (only Error.captureStackTrace does).
        JSON.stringify(v) === JSON.stringify(["getter=blocked:TypeError", "asyncfn=blocked:EvalError", "async=nullish"]) ||
        `got ${JSON.stringify(v)}`,
    },
    naiveEscapes: true,
  },
  {
    id: "cve-2023-29199-catch-destructuring",
    title: "CVE-2023-29199: an exception caught through a destructuring catch clause (the transformer's blind spot)",
    source: `${HELPERS}
exports.f = async () => {
  const out = [];
  try { stack(); } catch ({ constructor: c }) { out.push("overflow=" + viaFunction(c.constructor)); }
  try { await callTool("fail", {}); } catch ({ constructor: { constructor: F } }) { out.push("tool=" + viaFunction(F)); }
  try { try { JSON.parse("{"); } catch ([first]) { out.push("iter=nullish"); } } catch (e) { out.push("destructure=" + viaObject(e)); }
  return out;
};`,
    expect: ok,
    naiveEscapes: true,
  },
  {
    id: "cve-2023-30547-exception-in-getter",
    title: "CVE-2023-30547: a getter that overflows the stack while the exception's constructor is read",
    source: `${HELPERS}
exports.f = () => {
  const out = ["proxy=" + (typeof Proxy === "undefined" ? "nullish" : "present")];
  const err = {};
  Object.defineProperty(err, "constructor", { get() { stack(); } });
  try {
    try { throw err; } catch ({ constructor: c }) { out.push("c=" + viaObject(c)); }
  } catch (inner) { out.push("inner=" + viaObject(inner)); }
  const err2 = Object.create(null, { constructor: { get() { throw (f) => f.constructor.constructor("return process")(); } } });
  try { try { throw err2; } catch ({ constructor: c }) { out.push("c2=" + viaObject(c)); } } catch (fn) { out.push("fn=" + viaObject(fn)); }
  return out;
};`,
    expect: ok,
    naiveEscapes: true,
  },
  {
    id: "cve-2023-32314-inspect-args",
    title: "CVE-2023-32314: err.name's toString receives arguments built by the stack formatter",
    source: `${HELPERS}
exports.f = () => {
  const out = ["proxy=" + (typeof Proxy === "undefined" ? "nullish" : "present")];
  const err = new Error();
  err.name = { toString(...args) { out.push("args=" + viaObject(args)); out.push("this=" + viaObject(this)); return "N"; } };
  try { err.stack; } catch (e) { out.push("thrown=" + viaObject(e)); }
  const err2 = new Error("m");
  err2.name = { toString: function () { out.push("callee-args=" + viaObject(arguments)); return "N2"; } };
  try { throw err2; } catch (e) { String(e.stack); }
  return out;
};`,
    expect: ok,
    naiveEscapes: false,
  },
  {
    id: "cve-2023-37466-promise-species",
    title: "CVE-2023-37466: a fake Promise species receives the rejection of an async function that overflowed",
    source: `${HELPERS}
exports.f = async () => {
  const out = [];
  async function fn() { stack(); }
  const p = fn();
  const Fake = class FakePromise { constructor(executor) { executor((x) => x, (err) => { out.push("err=" + viaObject(err)); }); } };
  try { p.constructor = { [Symbol.species]: Fake }; out.push("assign=nullish"); } catch (e) { out.push("assign=refused"); }
  Object.defineProperty(p, "constructor", { value: { [Symbol.species]: Fake } });
  p.then();
  await new Promise((r) => setTimeout(r, 5));
  return out;
};`,
    expect: { codes: "success", valueCheck: (v) => (Array.isArray(v) && v.some((x) => String(x).startsWith("err=")) && probesContained(v) === true) || `got ${JSON.stringify(v)}` },
    naiveEscapes: true,
  },
  {
    id: "cve-2023-37466-species-toctou",
    title: "CVE-2023-37466 follow-up (compound 8): a constructor getter that answers Promise first, then a fake species",
    source: `${HELPERS}
exports.f = async () => {
  const out = [];
  async function fn() { const e = new Error(); e.name = Symbol(); return e.stack; }
  let first = true;
  const p = fn();
  Object.defineProperty(p, "constructor", {
    get() {
      if (first) { first = false; return Promise; }
      return { [Symbol.species]: class FakePromise { constructor(executor) { executor((x) => { out.push("ok=" + viaObject(x)); }, (err) => { out.push("err=" + viaObject(err)); }); } } };
    },
  });
  p.then();
  p.then();
  await new Promise((r) => setTimeout(r, 5));
  return out;
};`,
    expect: { codes: "success", valueCheck: probesContained },
    naiveEscapes: true,
  },
  {
    id: "cve-2023-37903-custom-inspect",
    title: "CVE-2023-37903: an object with the custom inspect symbol handed to every place a host might inspect it",
    source: `${HELPERS}
const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");
const hostile = {
  [inspectSymbol](depth, options, inspect) { callTool("exfil", { how: "inspect" }); return viaFunction(inspect && inspect.constructor) + viaObject(options); },
  valueOf: undefined,
  toString: undefined,
};
exports.f = async () => {
  const out = ["wasm=" + (typeof WebAssembly === "undefined" ? "nullish" : "present")];
  console.log(hostile);
  console.error("%o", hostile, [hostile], new Map([[hostile, hostile]]));
  Promise.reject(hostile);
  queueMicrotask(() => { throw hostile; });
  setTimeout(() => { throw hostile; }, 0);
  try { await callTool("echo", hostile); } catch (e) { out.push("tool=" + viaObject(e)); }
  await new Promise((r) => setTimeout(r, 5));
  out.push("done=nullish");
  return out;
};`,
    // The microtask that throws the object fails the call first: RUNTIME_ERROR, described as data.
    expect: { codes: ["RUNTIME_ERROR"] },
    naiveEscapes: true,
  },
  {
    id: "cve-2023-37903-thrown-and-returned",
    title: "CVE-2023-37903 variant: the custom-inspect object thrown at the runtime and returned to it",
    source: `${HELPERS}
const inspectSymbol = Symbol.for("nodejs.util.inspect.custom");
exports.f = () => {
  const hostile = { [inspectSymbol](d, o, inspect) { callTool("exfil", { how: "inspect" }); return viaFunction(inspect && inspect.constructor); } };
  throw Object.assign(Object.create(hostile), { message: "m", nested: { value: hostile } });
};`,
    expect: { codes: ["RUNTIME_ERROR"] },
    naiveEscapes: true,
  },
  {
    id: "cve-2022-25893-weakmap-prototype",
    title: "CVE-2022-25893: the runtime's WeakMap.prototype.set/get lookups, overridden before runtime errors are raised",
    source: `${HELPERS}
exports.f = async () => {
  const out = [];
  for (const [label, act] of [
    ["set", () => { WeakMap.prototype.set = function (k, v) { out.push("captured=" + viaObject(k)); return this; }; }],
    ["get", () => { WeakMap.prototype.get = function (k) { out.push("captured=" + viaObject(k)); return undefined; }; }],
    ["has", () => { Object.defineProperty(WeakMap.prototype, "has", { value: () => true }); }],
  ]) {
    try { act(); out.push(label + "=nullish"); } catch (e) { out.push(label + "=refused"); }
  }
  try { require("fs"); } catch (e) { out.push("fs=" + (e.code === "MODULE_NOT_FOUND" ? "nullish" : "code:" + e.code)); }
  try { await callTool("fail", {}); } catch (e) { out.push("tool=" + (e.code === "TOOL_ERROR" ? "nullish" : "code:" + e.code)); }
  return out;
};`,
    expect: {
      codes: "success",
      valueCheck: (v) =>
        JSON.stringify(v) === JSON.stringify(["set=refused", "get=refused", "has=refused", "fs=nullish", "tool=nullish"]) || `got ${JSON.stringify(v)}`,
    },
    naiveEscapes: false,
  },
  {
    id: "lookup-getter-proto-walk",
    title: "ATTACKS.md category 21: ({}).__lookupGetter__('__proto__') applied to every object the runtime hands in",
    context: { user: { id: 1 } },
    args: [{ a: 1 }],
    source: `${HELPERS}
exports.f = async (arg) => {
  const getProto = ({}).__lookupGetter__("__proto__");
  const out = [];
  const handle = setTimeout(() => {}, 1000);
  const tool = callTool("echo", {});
  for (const [label, x] of [["console.log", console.log], ["callTool", callTool], ["handle", handle], ["context", context], ["arg", arg], ["promise", tool], ["setTimeout", setTimeout]]) {
    let cur = x;
    for (let i = 0; i < 4 && cur; i++) { cur = getProto.call(cur); if (cur) out.push(label + "=" + viaFunction(cur.constructor && cur.constructor.constructor)); }
  }
  clearTimeout(handle);
  await tool;
  return out;
};`,
    expect: ok,
    naiveEscapes: true,
  },
  {
    id: "proto-chain-global",
    title: "ATTACKS.md category 1/2 canonical: global.__proto__.constructor.constructor('return this')() and onwards",
    source: `${HELPERS}
exports.f = () => {
  const out = [];
  try {
    const g = globalThis.__proto__.constructor.constructor("return this")();
    out.push("global=" + loot(g.constructor.constructor("return process")()));
  } catch (e) { out.push("global=blocked:" + e.name); }
  out.push("protochain=" + viaObject(globalThis.__proto__), "objproto=" + viaObject(({}).__proto__.__proto__ === null ? Object.prototype : null));
  return out;
};`,
    expect: { codes: "success", valueCheck: probesContained },
    naiveEscapes: true,
  },
  {
    id: "lookup-setter-proto-mutation",
    title: "ATTACKS.md category 23: the __proto__ setter from __lookupSetter__ used to sever intrinsic prototypes",
    source: `${HELPERS}
exports.f = async () => {
  const setProto = ({}).__lookupSetter__("__proto__");
  const out = [];
  for (const [label, target] of [["TypeError.prototype", TypeError.prototype], ["Error.prototype", Error.prototype], ["Promise.prototype", Promise.prototype], ["console", console], ["callTool", callTool]]) {
    try { setProto.call(target, null); out.push(label + "=severed"); } catch (e) { out.push(label + "=refused"); }
  }
  try { null.x; } catch (e) { out.push("typeerror=" + viaObject(e)); }
  return out;
};`,
    expect: {
      codes: "success",
      valueCheck: (v) => (Array.isArray(v) && !v.some((x) => String(x).endsWith("=severed")) && probesContained(v) === true) || `got ${JSON.stringify(v)}`,
    },
    naiveEscapes: false,
  },
  {
    id: "array-species-self-return",
    title: "ATTACKS.md category 18/20: an array whose species returns a captured object, driven through map/filter/concat",
    args: [[1, 2, 3]],
    source: `${HELPERS}
exports.f = (arr) => {
  const out = [];
  const captured = [];
  const created = [];
  Object.defineProperty(arr, "constructor", {
    value: { [Symbol.species]: function (n) { created.push(this); return captured; } },
  });
  try { arr.map((x) => x); arr.filter(Boolean); arr.concat([4]); arr.slice(0); } catch (e) { out.push("threw=" + viaObject(e)); }
  for (const c of [...created, ...captured]) if (c && typeof c === "object") out.push("captured=" + viaObject(c));
  out.push("created=" + created.length, "arr=" + viaObject(Object.getPrototypeOf(arr)));
  return out;
};`,
    expect: { codes: "success", valueCheck: (v) => (Array.isArray(v) && v.includes("created=4") && probesContained(v.filter((x) => !String(x).startsWith("created="))) === true) || `got ${JSON.stringify(v)}` },
    naiveEscapes: true,
  },
  {
    id: "function-prototype-call-override",
    title: "ATTACKS.md category 7: override Function.prototype.call/apply/bind to intercept the runtime's promise dispatch",
    source: `${HELPERS}
exports.f = async () => {
  const out = [];
  const captured = [];
  for (const name of ["call", "apply", "bind"]) {
    try { Function.prototype[name] = function (...a) { captured.push(this); return 1; }; out.push(name + "=replaced"); } catch (e) { out.push(name + "=refused"); }
  }
  await Promise.resolve().then(() => {});
  await callTool("echo", {});
  await new Promise((r) => setTimeout(r, 1));
  for (const c of captured) out.push("captured=" + viaObject(c));
  return out;
};`,
    expect: { codes: "success", valueCheck: (v) => (Array.isArray(v) && !v.some((x) => String(x).endsWith("=replaced")) && probesContained(v) === true) || `got ${JSON.stringify(v)}` },
    naiveEscapes: false,
  },
  {
    id: "promise-static-stealing",
    title: "ATTACKS.md category 7: Promise.all/race/allSettled called with a fake constructor that receives the rejection",
    source: `${HELPERS}
exports.f = async () => {
  const out = [];
  class Fake {
    constructor(executor) { executor((v) => out.push("ok=" + viaObject(v)), (e) => out.push("err=" + viaObject(e))); }
    static resolve(v) { return Promise.resolve(v); }
  }
  const overflowing = { [Symbol.iterator]() { overflow(); } };
  for (const m of ["all", "race", "allSettled", "any"]) {
    try { Promise[m].call(Fake, overflowing); } catch (e) { out.push("sync=" + viaObject(e)); }
    try { Promise[m].call(Fake, [callTool("fail", {})]); } catch (e) { out.push("sync2=" + viaObject(e)); }
  }
  await new Promise((r) => setTimeout(r, 5));
  return out;
};`,
    expect: { codes: "success", valueCheck: probesContained },
    naiveEscapes: true,
  },
  {
    id: "reflect-construct-species",
    title: "compound 12: Reflect.construct(Promise, …, Fake) with Fake[Symbol.species] = Fake around a host-side rejection",
    source: `${HELPERS}
exports.f = async () => {
  const out = [];
  function Fake(executor) { executor((v) => out.push("ok=" + viaObject(v)), (e) => out.push("err=" + viaObject(e))); }
  Fake.prototype = Object.create(Promise.prototype, { constructor: { value: Fake } });
  Object.defineProperty(Fake, Symbol.species, { value: Fake });
  const p = Reflect.construct(Promise, [(res, rej) => rej(new Error("x"))], Fake);
  try { p.then(null, (e) => out.push("handler=" + viaObject(e))); } catch (e) { out.push("then=" + viaObject(e)); }
  const q = Reflect.construct(Promise, [(res) => res(callTool("fail", {}))], Fake);
  try { q.then(null, (e) => out.push("handler2=" + viaObject(e))); } catch (e) { out.push("then2=" + viaObject(e)); }
  await new Promise((r) => setTimeout(r, 5));
  return out;
};`,
    expect: { codes: "success", valueCheck: probesContained },
    naiveEscapes: true,
  },
  {
    id: "has-instance-override",
    title: "ATTACKS.md category 3: Symbol.hasInstance overrides on Object, Promise and Function (instanceof bypass)",
    source: `${HELPERS}
exports.f = () => {
  const out = [];
  for (const [label, target] of [["Object", Object], ["Promise", Promise], ["Function", Function], ["Error", Error]]) {
    try { Object.defineProperty(target, Symbol.hasInstance, { value: () => true }); out.push(label + "=overridden"); } catch (e) { out.push(label + "=refused"); }
    try { target.__defineGetter__(Symbol.hasInstance, () => () => true); out.push(label + "-getter=overridden"); } catch (e) { out.push(label + "-getter=refused"); }
  }
  out.push("instanceof=" + (({}) instanceof Promise ? "overridden" : "nullish"));
  return out;
};`,
    expect: { codes: "success", valueCheck: (v) => (Array.isArray(v) && !v.some((x) => String(x).includes("overridden")) && probesContained(v) === true) || `got ${JSON.stringify(v)}` },
    naiveEscapes: false,
  },
  {
    id: "suppressed-error-using",
    title: "ATTACKS.md category 16/18: using / DisposableStack with a dispose that raises the error-generation primitive",
    source: `${HELPERS}
exports.f = async () => {
  const out = [];
  const primitive = () => { const e = new Error(); e.name = Symbol(); e.stack; overflow(); };
  try {
    using a = { [Symbol.dispose]() { primitive(); } };
    throw new Error("body");
  } catch (e) {
    out.push("suppressed=" + viaObject(e));
    if (e && e.error) out.push("error=" + viaObject(e.error));
    if (e && e.suppressed) out.push("inner=" + viaObject(e.suppressed));
  }
  const s = new DisposableStack();
  s.defer(primitive);
  try { s.dispose(); } catch (e) { out.push("stack=" + viaObject(e)); }
  const as = new AsyncDisposableStack();
  as.defer(async () => primitive());
  try { await as.disposeAsync(); } catch (e) { out.push("async=" + viaObject(e)); }
  return out;
};`,
    expect: { codes: "success", valueCheck: probesContained },
    naiveEscapes: true,
  },
  {
    id: "async-generator-return-thenable",
    title: "compound 22: yield* into an iterator without return, then .return(thenable) whose then overflows",
    source: `${HELPERS}
exports.f = async () => {
  const out = [];
  const inner = { [Symbol.asyncIterator]() { return { next: () => Promise.resolve({ done: false, value: 1 }) }; } };
  async function* outer() { yield* inner; }
  const it = outer();
  await it.next();
  try {
    const r = await it.return({ then() { overflow(); } });
    out.push("value=" + viaObject(r && r.value));
  } catch (e) { out.push("rejected=" + viaObject(e)); }
  return out;
};`,
    expect: { codes: "success", valueCheck: probesContained },
    naiveEscapes: false,
  },
  {
    id: "receiver-write-through",
    title: "ATTACKS.md category 32: writes through Object.create(obj), Reflect.set with a forged receiver, Object.assign",
    context: { user: { id: 1 } },
    args: [{ a: 1 }],
    source: `${HELPERS}
exports.f = (arg) => {
  const out = [];
  const key = Symbol.for("nodejs.util.promisify.custom");
  for (const [label, target] of [["callTool", callTool], ["console.log", console.log], ["context", context], ["arg", arg], ["setTimeout", setTimeout]]) {
    const child = Object.create(target);
    try { child[key] = () => "hijacked"; child.x = "v"; } catch (e) {}
    try { Reflect.set(target, "y", "v", {}); } catch (e) {}
    try { Object.assign(Object.create(target), { z: "v" }); } catch (e) {}
    out.push(label + "=" + (Object.prototype.hasOwnProperty.call(target, key) || Object.prototype.hasOwnProperty.call(target, "x") || Object.prototype.hasOwnProperty.call(target, "y") ? "written" : "nullish"));
  }
  return out;
};`,
    expect: { codes: "success", valueCheck: (v) => (Array.isArray(v) && v.every((x) => String(x).endsWith("=nullish"))) || `got ${JSON.stringify(v)}` },
    naiveEscapes: false,
  },
  {
    id: "internal-state-probe",
    title: "GHSA-2cm2-m3w5-gp2f: probe the global for the runtime's internals by computed names and call them",
    source: `${HELPERS}
exports.f = () => {
  const out = [];
  const names = Reflect.ownKeys(globalThis).map(String).filter((k) => /tenantbox|internal|host|VM2/i.test(k));
  const entry = globalThis["__tenant" + "box"];
  out.push("entry=" + (typeof entry === "function" ? viaObject(entry) : "nullish"));
  if (typeof entry === "function") {
    for (const op of ["run", "pump", "begin", "end"]) { try { entry(op); } catch (e) { out.push(op + "=" + viaObject(e)); } }
  }
  for (const n of names) out.push("name-" + n.replace(/[^\\w]/g, "") + "=" + viaObject(globalThis[n]));
  return out;
};`,
    expect: { codes: "success", valueCheck: probesContained },
    naiveEscapes: false,
  },
  {
    id: "prototype-descriptor-pollution",
    title: "ATTACKS.md category 2/28: getters and setters planted on Object.prototype and Array.prototype[0] to catch the runtime's own reads",
    source: `${HELPERS}
exports.f = async () => {
  const out = [];
  const trap = { get() { out.push("read=" + viaObject(this)); throw (f) => f.constructor("return process")(); }, set(v) { out.push("write=" + viaObject(v)); } };
  for (const [label, target, key] of [["Object.get", Object.prototype, "get"], ["Object.value", Object.prototype, "value"], ["Object.then", Object.prototype, "then"], ["Array.0", Array.prototype, "0"], ["Object.message", Object.prototype, "message"]]) {
    try { Object.defineProperty(target, key, trap); out.push(label + "=planted"); } catch (e) { out.push(label + "=refused"); }
  }
  await callTool("echo", { a: [1] });
  try { require("fs"); } catch (e) {}
  return out;
};`,
    expect: { codes: "success", valueCheck: (v) => (Array.isArray(v) && !v.some((x) => String(x).endsWith("=planted")) && probesContained(v) === true) || `got ${JSON.stringify(v)}` },
    naiveEscapes: false,
  },
  {
    id: "symbol-extraction",
    title: "ATTACKS.md category 8/20: symbols read off every object the runtime hands in (no Node-internal symbol)",
    context: { user: { id: 1 } },
    source: `${HELPERS}
exports.f = async () => {
  const handle = setTimeout(() => {}, 1000);
  const found = [];
  for (const x of [console, console.log, callTool, setTimeout, handle, Object.getPrototypeOf(handle), context, callTool("echo", {}), new URL("https://e.com"), new TextEncoder()]) {
    let cur = x;
    for (let i = 0; i < 4 && cur; i++) {
      for (const s of Object.getOwnPropertySymbols(cur)) found.push(String(s.description));
      cur = Object.getPrototypeOf(cur);
    }
  }
  clearTimeout(handle);
  return [...new Set(found)].sort();
};`,
    expect: {
      codes: "success",
      valueCheck: (v) => (Array.isArray(v) && v.every((d) => /^Symbol\./.test(String(d)))) || `non-standard symbols: ${JSON.stringify(v)}`,
    },
    naiveEscapes: false,
  },
  {
    id: "webassembly-jstag",
    title: "ATTACKS.md category 19: WebAssembly.JSTag try_table catch (WebAssembly does not exist)",
    source: `${HELPERS}
exports.f = () => {
  const W = globalThis["WebAss" + "embly"];
  if (!W) return ["wasm=nullish"];
  return ["jstag=" + viaObject(W.JSTag)];
};`,
    expect: { codes: "success", valueCheck: (v) => JSON.stringify(v) === '["wasm=nullish"]' },
    naiveEscapes: false,
  },
];
