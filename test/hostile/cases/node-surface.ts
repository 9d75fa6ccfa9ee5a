import type { HostileCase } from "./types.js";

const is = (expected: unknown) => (v: unknown) => JSON.stringify(v) === JSON.stringify(expected) || `got ${JSON.stringify(v)}`;
/** No part says that a host object or a host Function was reached. */
const blockedOnly = (v: unknown) => {
  const text = JSON.stringify(v);
  return !/got:|not-a-function:function|ESCAPED/.test(text) || `got ${text}`;
};
/** The call timed out through the realm's own guards (the worker's hard stop was not needed). */
const cooperativeTimeout = (report: { error?: { details?: Record<string, unknown> } }) =>
  report.error?.details?.hardStop === true ? "the hard stop had to end it: the guards in generated code did not fire" : undefined;

const library = (source: string) => ({ "node_modules/lib/package.json": '{ "name": "lib", "main": "index.js" }', "node_modules/lib/index.js": source });

/**
 * The Node surface built in the realm (process, Buffer, crypto, the built-in module polyfills, library
 * code's sloppy mode and code generation): shared polyfills cannot be polluted across calls or tenants,
 * none of their objects leads to the host, allocations are charged, and generated code is held to the
 * same guards as any module.
 */
export const nodeSurfaceCases: HostileCase[] = [
  {
    id: "polyfill-pollution-across-calls",
    title: "A patches EventEmitter, Buffer, util, path, process.env and crypto; B (same tenant, reused realm) sees the originals",
    source: `exports.f = () => {
  const events = require("events"), util = require("util"), path = require("path");
  events.EventEmitter.prototype.emit = () => "A";
  Buffer.prototype.toString = () => "A";
  Buffer.from = () => "A";
  util.format = () => "A";
  path.join = () => "A";
  process.env.SECRET = "A";
  process.nextTick = () => "A";
  const out = [];
  for (const act of [() => { crypto.randomUUID = () => "A"; }, () => { crypto.subtle.digest = () => "A"; }, () => { performance.now = () => 0; }]) {
    try { act(); out.push("ok"); } catch (e) { out.push(e.name); }
  }
  return out;
};
exports.g = () => {
  const events = require("events"), util = require("util"), path = require("path");
  const e = new events.EventEmitter(); let got = 0; e.on("x", () => got++); e.emit("x");
  return [got, Buffer.from("hi").toString("hex"), util.format("%d", 1), path.join("a", "b"), String(process.env.SECRET), typeof process.nextTick(() => {}), crypto.randomUUID().length];
};`,
    expect: { codes: "success", valueCheck: is(["TypeError", "TypeError", "TypeError"]) },
    after: {
      sameFolder: true,
      funcName: "g",
      expect: { codes: "success", valueCheck: is([1, "6869", "1", "a/b", "undefined", "undefined", 36]) },
      expectReuse: true,
    },
  },
  {
    id: "web-globals-pollution-across-calls",
    title: "A patches Blob, DOMException, the web streams, stream/web and punycode, and writes into a Blob's bytes from outside; B (same tenant, reused realm) sees the originals",
    source: `exports.f = async () => {
  const source = new Uint8Array([104, 105]);
  const blob = new Blob([source]);
  source[0] = 0;
  (await blob.bytes())[1] = 0;
  new Uint8Array(await blob.arrayBuffer())[1] = 0;
  const own = Object.getOwnPropertyNames(blob).concat(Object.getOwnPropertySymbols(blob).map(String));
  Blob.prototype.text = () => "A";
  File.prototype.constructor = null;
  Object.defineProperty(DOMException.prototype, "name", { get: () => "A" });
  ReadableStream.prototype.getReader = () => "A";
  TextDecoderStream.prototype.constructor = null;
  require("stream/web").ReadableStream = function () { return "A"; };
  require("punycode").toASCII = () => "A";
  return [await new Blob(["x"]).text(), new DOMException("m", "AbortError").name, await blob.slice(0).bytes().then((b) => b.join()), own];
};
exports.g = async () => {
  const reader = new (require("stream/web").ReadableStream)({ start(c) { c.enqueue(1); c.close(); } }).getReader();
  return [await new Blob(["hi"]).text(), new DOMException("m", "AbortError").name, (await reader.read()).value, require("punycode").toASCII("\u00e9.com"), typeof new File([], "f").constructor, typeof TextDecoderStream.prototype.constructor];
};`,
    expect: { codes: "success", valueCheck: is(["A", "A", "104,105", []]) },
    after: {
      sameFolder: true,
      funcName: "g",
      expect: { codes: "success", valueCheck: is(["hi", "AbortError", 1, "xn--9ca.com", "function", "function"]) },
      expectReuse: true,
    },
  },
  {
    id: "polyfill-pollution-across-tenants",
    title: "A replaces Buffer, process and the events module's exports; another tenant's call sees its own",
    source: `exports.f = () => {
  global.Buffer = { from: () => "A" };
  globalThis.process = { env: { SECRET: "A" } };
  require("events").EventEmitter = function () { return "A"; };
  return [Buffer.from("x"), process.env.SECRET];
};`,
    expect: { codes: "success", valueCheck: is(["A", "A"]) },
    after: {
      source: `exports.f = () => [Buffer.isBuffer(Buffer.from("x")), Object.keys(process.env), typeof new (require("events").EventEmitter)().on];`,
      expect: { codes: "success", valueCheck: is([true, ["NODE_ENV"], "function"]) },
    },
  },
  {
    id: "node-objects-constructor-chains",
    title: "constructor chains of process, Buffer, crypto, performance, AbortSignal and the built-in modules reach no host Function",
    source: `__PRELUDE__
exports.f = () => {
  const targets = [process, process.hrtime, process.env, process.nextTick, Buffer, Buffer.alloc(1), crypto, crypto.subtle, crypto.getRandomValues,
    performance, new AbortController().signal, new EventTarget(), require("events"), require("util").inspect, require("crypto").createHash("sha256"),
    require("stream").Readable, require("url").parse("http://a/b"), require("os"), require("assert"), global];
  return targets.map((t) => viaObject(t)).join(";");
};`,
    expect: { codes: "success", valueCheck: blockedOnly },
  },
  {
    id: "process-reaches-nothing",
    title: "the realm's process has no pid, binding, dlopen, getBuiltinModule, mainModule or exit, and its env is the call's own",
    source: `exports.f = () => {
  const names = ["pid", "ppid", "binding", "_linkedBinding", "dlopen", "getBuiltinModule", "mainModule", "reallyExit", "_rawDebug", "moduleLoadList", "report"];
  const out = names.map((n) => typeof process[n]);
  try { process.exit(1); out.push("exited"); } catch (e) { out.push("exit:" + e.name); }
  out.push(JSON.stringify(process.env), process.cwd());
  return out;
};`,
    expect: { codes: "success", valueCheck: is([...new Array(11).fill("undefined"), "exit:Error", '{"NODE_ENV":"production"}', "/"]) },
  },
  {
    id: "random-values-limits",
    title: "crypto.getRandomValues refuses floats, more than 65536 bytes and forged views; the host gets only a byte count",
    source: `exports.f = () => {
  const out = [];
  for (const make of [() => new Float64Array(2), () => new Uint8Array(65537), () => ({ length: 8 }), () => Object.create(Uint8Array.prototype)]) {
    try { crypto.getRandomValues(make()); out.push("filled"); } catch (e) { out.push(e.name); }
  }
  const a = crypto.getRandomValues(new Uint32Array(4));
  out.push(a.some((x) => x !== 0) ? "random" : "zeros");
  return out;
};`,
    expect: { codes: "success", valueCheck: is(["TypeMismatchError", "QuotaExceededError", "TypeMismatchError", "TypeMismatchError", "random"]) },
  },
  {
    id: "buffer-allocation-charged",
    title: "Buffer.alloc and Buffer.allocUnsafe of a gigabyte are charged like any ArrayBuffer",
    source: `exports.f = () => { const a = Buffer.allocUnsafe(2 ** 29); const b = Buffer.alloc(2 ** 29); return a.length + b.length; };`,
    expect: { codes: ["MEMORY_LIMIT_EXCEEDED"] },
  },
  {
    id: "unavailable-builtin-placeholder",
    title: "library code's placeholder for fs loads, throws MODULE_NOT_FOUND when called, and leads nowhere",
    files: library(`const fs = require("fs"); module.exports = { fs, read: (p) => fs.readFileSync(p, "utf8") };`),
    source: `__PRELUDE__
const lib = require("lib");
exports.f = () => {
  const out = [];
  try { out.push(lib.read("__SECRET_FILE__")); } catch (e) { out.push(e.code); }
  try { out.push(String(lib.fs.promises.readFile("__SECRET_FILE__"))); } catch (e) { out.push(e.code); }
  out.push(viaObject(lib.fs.readFileSync), viaObject(lib.fs));
  try { require("fs"); out.push("tenant-loaded-fs"); } catch (e) { out.push("tenant:" + e.code); }
  return out.join(";");
};`,
    expect: { codes: "success", valueCheck: (v) => (typeof v === "string" && v.startsWith("MODULE_NOT_FOUND;MODULE_NOT_FOUND;") && v.endsWith(";tenant:MODULE_NOT_FOUND") && blockedOnly(v) === true) || `got ${String(v)}` },
  },
  {
    id: "sloppy-caller-finds-no-guards",
    // The wrapper itself can be called again with forged guards (see the next case): its arguments hold none.
    title: "a sloppy library reaches its module wrapper through .caller: the wrapper's arguments hold no guards (taken once)",
    files: library(`
function probe() {
  const wrapper = probe["cal" + "ler"];
  const args = wrapper && wrapper["argu" + "ments"];
  const take = args && args[5];
  let again;
  try { again = typeof take === "function" ? take() : "no-take"; } catch (e) { again = "threw"; }
  let rerun;
  try { wrapper({}, () => {}, { exports: {} }, "x", ".", () => [ { n: 1e15, l: 1e15 } ]); rerun = "ran"; } catch (e) { rerun = e.name; }
  return [typeof wrapper, args ? args.length : -1, again, rerun];
}
module.exports = probe();`),
    source: `exports.f = () => require("lib");`,
    expect: { codes: "success", valueCheck: is(["function", 6, null, "ran"]) },
  },
  {
    id: "sloppy-wrapper-rerun-with-forged-guards",
    title: "a sloppy library that runs its own module wrapper again with forged guards and loops for ever: the worker's hard stop ends it, TIMEOUT",
    files: library(`
var state = globalThis.__rerun || (globalThis.__rerun = { runs: 0 });
state.runs++;
if (state.runs === 2) for (;;) {}
function probe() {
  const wrapper = probe["cal" + "ler"];
  wrapper({}, () => {}, { exports: {} }, "x", ".", () => [{ n: 1e15, l: 1e15 }, () => {}, () => {}, null, null]);
}
if (state.runs === 1) probe();
module.exports = () => state.runs;`),
    source: `exports.f = () => require("lib")();`,
    limitMs: 300,
    expect: { codes: ["TIMEOUT"] },
    naive: false,
  },
  {
    id: "generated-infinite-loop",
    title: "library code's Function('for (;;) {}')() ends with TIMEOUT from the guards inside the generated code",
    files: library(`module.exports = () => Function("for (;;) {}")();`),
    source: `exports.f = () => require("lib")();`,
    limitMs: 300,
    expect: { codes: ["TIMEOUT"], reportCheck: cooperativeTimeout },
  },
  {
    id: "generated-with-cannot-shadow-guards",
    title: "generated code's with over an object naming the guards still times out through them",
    files: library(`module.exports = () => {
  const data = {};
  for (const name of ["b", "enter", "loop", "g", "take"]) data["__tenant" + "box_" + name] = name === "b" ? { n: 1e15, l: 1e15 } : () => {};
  return Function("data", "with (data) { for (;;) {} }")(data);
};`),
    source: `exports.f = () => require("lib")();`,
    limitMs: 300,
    expect: { codes: ["TIMEOUT"], reportCheck: cooperativeTimeout },
  },
  {
    id: "generated-with-many-names",
    title: "with over an object of 400,000 names: making its scope (an accessor per name) ends within the call's limits",
    files: library(`module.exports = () => {
  const data = Object.fromEntries(Array.from({ length: 400000 }, (_, i) => ["k" + i, i]));
  return Function("o", "with (o) { return k1; }")(data);
};`),
    source: `exports.f = () => require("lib")();`,
    limitMs: 500,
    expect: { codes: ["TIMEOUT", "MEMORY_LIMIT_EXCEEDED"] },
  },
  {
    id: "generated-code-too-large",
    title: "generated code larger than the level's largest module is refused before it is read",
    files: library(`module.exports = () => { try { Function("return '" + "x".repeat(5 * 1024 * 1024) + "'"); return "compiled"; } catch (e) { return e.name + ": " + e.message.slice(0, 40); } };`),
    source: `exports.f = () => require("lib")();`,
    expect: { codes: "success", valueCheck: is("EvalError: generated code is larger than 4194304 by") },
  },
  {
    id: "generated-code-cannot-close-early",
    title: "a body that closes the generated function early (to run code of its own) is refused with an EvalError",
    files: library(`module.exports = () => { try { return Function("}); globalThis.leak = 1; (function () {")(); } catch (e) { return e.name + ":" + typeof globalThis.leak; } };`),
    source: `exports.f = () => require("lib")();`,
    expect: { codes: "success", valueCheck: is("EvalError:undefined") },
  },
  {
    id: "generated-code-is-the-realm",
    title: "what generated code sees as this, globalThis and process is the realm's; its Function replacement leads nowhere",
    files: library(`module.exports = { F: Function, run: (body) => Function(body)() };`),
    source: `__PRELUDE__
const lib = require("lib");
exports.f = () => [lib.run("return this") === globalThis, loot(lib.run("return process")), viaFunction(lib.F), viaObject(lib.F), lib.F instanceof Function];`,
    expect: { codes: "success", valueCheck: (v) => (Array.isArray(v) && v[0] === true && v[1] === "not-process:object" && v[4] === true && blockedOnly(v) === true) || `got ${JSON.stringify(v)}` },
  },
  {
    id: "generated-code-refused-at-secure",
    title: "at SECURE, library code's Function(...) throws an EvalError saying code generation is not allowed",
    level: "SECURE",
    files: library(`module.exports = () => { try { return Function("return 1")(); } catch (e) { return e.name + ": " + e.message; } };`),
    source: `exports.f = () => require("lib")();`,
    expect: { codes: "success", valueCheck: is("EvalError: code generation from strings is not allowed at security level SECURE") },
  },
  {
    id: "generated-code-keeps-job-order",
    title: "compiling generated code runs no pending promise job early (nothing of the tenant runs under the worker's frames)",
    files: library(`module.exports = () => {
  const order = [];
  Promise.resolve().then(() => order.push("job"));
  Function("return 1")();
  order.push("compiled");
  return new Promise((resolve) => setTimeout(() => resolve(order), 0));
};`),
    source: `exports.f = () => require("lib")();`,
    expect: { codes: "success", valueCheck: is(["compiled", "job"]) },
  },
  {
    id: "tenant-code-keeps-the-strict-rules",
    title: "the tenant's own code (outside node_modules) still may not call Function or eval, or require computed names",
    level: "STANDARD",
    source: `exports.f = (name) => [Function("return 1")(), require(name)];`,
    expect: { codes: ["VALIDATION_ERROR"] },
  },
];
