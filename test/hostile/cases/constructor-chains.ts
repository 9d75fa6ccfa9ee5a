import type { HostileCase } from "./types.js";

/**
 * Every part of a probe's answer must say "blocked" (the realm's own Function refused to compile) or that
 * there was no function to try. Anything else means code generation worked or a foreign object was met.
 */
export function contained(value: unknown): boolean | string {
  const text = Array.isArray(value) ? value.join(";") : String(value);
  const parts = text.split(";").filter((p) => p !== "");
  const bad = parts.filter((p) => !/^(blocked:EvalError|not-a-function:undefined|nullish|own:true|compile:EvalError)$/.test(p));
  return bad.length === 0 && parts.length > 0 ? true : `unexpected parts: ${bad.join(" | ") || "(none at all)"}`;
}

const ok = { codes: "success" as const, valueCheck: contained };

/** A module whose exported function `f` returns `body` (an expression or statements returning the probe). */
function probeCase(id: string, title: string, body: string, extra: Partial<HostileCase> = {}): HostileCase {
  return { id, title, source: `__PRELUDE__\nexports.f = ${body};\n`, expect: ok, ...extra };
}

/** Function kinds: the object's chain, and its own constructor used as a compiler. */
const KINDS: [string, string, string][] = [
  ["arrow", "an arrow function", "() => 1"],
  ["async-arrow", "an async arrow function (AsyncFunction)", "async () => 1"],
  ["function", "a plain function expression", "function () { return 1; }"],
  ["async-function", "an async function (AsyncFunction)", "async function () { return 1; }"],
  ["generator", "a generator function (GeneratorFunction)", "function* () { yield 1; }"],
  ["async-generator", "an async generator function (AsyncGeneratorFunction)", "async function* () { yield 1; }"],
  ["class", "a class and its static method", "class K { static s() {} m() {} }"],
  ["bound", "a bound function", "function () {}.bind(null)"],
  ["getter-setter", "a getter and a setter taken from their descriptor", "Object.getOwnPropertyDescriptor({ get x() { return 1; }, set x(v) {} }, 'x').get"],
  ["method", "an object method (shorthand)", "({ m() { return 1; } }).m"],
  ["generator-object", "a generator object and its prototype chain", "(function* () {})()"],
  ["async-generator-object", "an async generator object and its prototype chain", "(async function* () {})()"],
  ["promise", "a promise returned by an async function", "(async () => 1)()"],
  ["iterator-helper", "an iterator helper object (Iterator.prototype.map)", "[1].values().map((x) => x)"],
];

const kindCases: HostileCase[] = KINDS.map(([id, what, expr]) =>
  probeCase(
    `kind-${id}`,
    `from ${what}: its constructor chain, and its constructor used as a compiler`,
    `() => {
  const x = (${expr});
  const out = [viaObject(x)];
  if (typeof x === "function") {
    // The kind's own constructor (Function, AsyncFunction, GeneratorFunction, AsyncGeneratorFunction).
    const C = Object.getPrototypeOf(x).constructor;
    try { C("return process"); out.push("compile:worked"); } catch (e) { out.push("compile:" + e.name); }
  }
  return out.join(";");
}`,
    { naiveEscapes: false },
  ),
);

/**
 * Constructor chains from every object the sandbox hands in, and from every kind of function: each walks
 * `.constructor.constructor` (and the prototype chain's) to a Function and tries `F("return process")()`.
 */
export const constructorChainCases: HostileCase[] = [
  probeCase("args-object", "from an object argument and its nested objects", "(obj) => [viaObject(obj), viaObject(obj.a), viaObject(obj.a.b)]", {
    args: [{ a: { b: { c: 1 } } }],
    naiveEscapes: true,
  }),
  probeCase("args-array", "from an array argument and a nested array", "(arr) => [viaObject(arr), viaObject(arr[1])]", {
    args: [[1, [2, 3]]],
    naiveEscapes: true,
  }),
  probeCase("args-primitives", "from string, number and boolean arguments (boxed)", "(s, n, b) => [viaObject(s), viaObject(n), viaObject(b)]", {
    args: ["s", 1, true],
    naiveEscapes: false,
  }),
  probeCase("arguments-object", "from the arguments object of the exported function", "function () { return viaObject(arguments); }", {
    args: [{ a: 1 }],
    naiveEscapes: false,
  }),
  probeCase(
    "context-object",
    "from the context global, its nested objects and its accessor on the global",
    `() => {
  const d = Object.getOwnPropertyDescriptor(globalThis, "context");
  return [viaObject(context), viaObject(context.user), viaObject(d.get || d.value), "own:" + (Object.getPrototypeOf(context) === Object.prototype)];
}`,
    { context: { user: { id: 1, roles: ["a"] } }, naiveEscapes: true },
  ),
  probeCase("console-object", "from the console object", "() => viaObject(console)", { naiveEscapes: true }),
  probeCase(
    "console-methods",
    "from every console method",
    `() => ["log", "info", "warn", "error", "debug", "trace", "dir", "table", "assert", "count", "time", "timeEnd"]
  .map((m) => viaFunction(console[m].constructor))`,
    { naiveEscapes: true },
  ),
  probeCase(
    "console-method-derivatives",
    "from console.log.bind(), console.log.call and console.log's prototype",
    `() => [viaObject(console.log.bind(null)), viaFunction(console.log.call.constructor), viaObject(Object.getPrototypeOf(console.log))]`,
    { naiveEscapes: true },
  ),
  probeCase(
    "timer-functions",
    "from setTimeout, setInterval, clearTimeout, clearInterval and queueMicrotask",
    `() => [setTimeout, setInterval, clearTimeout, clearInterval, queueMicrotask].map((fn) => viaObject(fn))`,
    { naiveEscapes: true },
  ),
  probeCase(
    "timeout-handle",
    "from a setTimeout handle, its prototype, its class and its methods",
    `() => {
  const h = setTimeout(() => {}, 1000);
  const proto = Object.getPrototypeOf(h);
  const out = [viaObject(h), viaObject(proto.constructor)];
  for (const k of Reflect.ownKeys(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, k);
    if (typeof d.value === "function") out.push(viaFunction(d.value.constructor));
  }
  clearTimeout(h);
  return out;
}`,
    { naiveEscapes: true },
  ),
  probeCase(
    "interval-handle",
    "from a setInterval handle and the value it converts to",
    `() => {
  const h = setInterval(() => {}, 1000);
  const out = [viaObject(h), viaObject(Object(+h))];
  clearInterval(h);
  return out;
}`,
    { naiveEscapes: true },
  ),
  probeCase(
    "timer-callback-this",
    "from `this` and the arguments a timer callback is called with",
    `() => new Promise((resolve) => {
  setTimeout(function () {
    resolve([this === undefined ? "nullish" : viaObject(this), viaObject(arguments)]);
  }, 1, { extra: 1 });
})`,
    { naiveEscapes: true },
  ),
  probeCase(
    "microtask-callback-this",
    "from `this` and arguments of a queueMicrotask callback",
    `() => new Promise((resolve) => {
  queueMicrotask(function () {
    resolve([this === undefined ? "nullish" : viaObject(this), viaObject(arguments)]);
  });
})`,
    { naiveEscapes: true },
  ),
  probeCase("calltool-function", "from callTool itself", "() => viaObject(callTool)", { naiveEscapes: true }),
  probeCase(
    "calltool-promise",
    "from the promise callTool returns and its then method",
    `async () => {
  const p = callTool("echo", { x: 1 });
  const out = [viaObject(p), viaFunction(p.then.constructor)];
  await p;
  return out;
}`,
    { naiveEscapes: true },
  ),
  probeCase(
    "calltool-result",
    "from a tool's result object and its nested values",
    `async () => {
  const r = await callTool("echo", { x: { y: [1] } });
  return [viaObject(r), viaObject(r.echoed), viaObject(r.echoed.x.y)];
}`,
    { naiveEscapes: true },
  ),
  probeCase(
    "calltool-rejection",
    "from the error a failing tool rejects with",
    `async () => {
  try { await callTool("fail", {}); return "no-error"; } catch (e) { return [viaObject(e), "own:" + (Object.getPrototypeOf(e) === Error.prototype)]; }
}`,
    { naiveEscapes: true },
  ),
  probeCase(
    "calltool-pending-promise",
    "from a tool promise that never settles (without waiting for it)",
    `() => {
  const p = callTool("never", {});
  return [viaObject(p), viaObject(p.catch(() => {})), viaFunction(p.finally.constructor)];
}`,
    { naiveEscapes: true },
  ),
  probeCase(
    "calltool-argument-errors",
    "from the errors callTool raises for a bad name and unserializable arguments",
    `async () => {
  const out = [];
  for (const call of [() => callTool(""), () => callTool("echo", { big: 1n }), () => callTool("echo", { self: globalThis })]) {
    try { out.push(viaObject(await call())); } catch (e) { out.push(viaObject(e)); }
  }
  return out;
}`,
    { naiveEscapes: true },
  ),
  {
    id: "required-module-exports",
    title: "from the exports object of a required module and its functions",
    source: `__PRELUDE__
const dep = require("./dep.js");
exports.f = () => [viaObject(dep), viaObject(dep.fn), viaObject(dep.data)];`,
    files: { "dep.js": "exports.fn = () => 1;\nexports.data = { list: [1] };\n" },
    expect: ok,
    naiveEscapes: true,
  },
  probeCase(
    "module-exports-objects",
    "from module, exports and module.exports",
    "() => [viaObject(module), viaObject(exports), viaObject(module.exports)]",
    { naiveEscapes: true },
  ),
  {
    id: "require-missing-error",
    title: "from the MODULE_NOT_FOUND error a missing relative module throws",
    source: `__PRELUDE__
exports.f = () => { try { return viaObject(require("./missing.js")); } catch (e) { return [viaObject(e), "own:" + (e instanceof Error)]; } };`,
    expect: ok,
    naiveEscapes: true,
  },
  {
    id: "require-builtin-error",
    title: "from the MODULE_NOT_FOUND error require('fs') throws",
    source: `__PRELUDE__
exports.f = () => { try { return viaObject(require("fs")); } catch (e) { return [viaObject(e), "own:" + (e instanceof Error)]; } };`,
    expect: ok,
    naiveEscapes: true,
  },
  {
    id: "runtime-timeout-error",
    title: "from the TIMEOUT error caught inside the tenant (no function may run after it trips)",
    source: `exports.f = () => {
  function burn(n) { if (n > 0) { burn(n - 1); burn(n - 1); } }
  let out = "none";
  try { burn(60); } catch (e) {
    try { out = e.constructor.constructor("return process")(); } catch (e2) { out = "blocked:" + e2.name; }
  }
  return String(out);
};`,
    expect: { codes: ["TIMEOUT"] },
    naive: false,
  },
  {
    id: "runtime-max-iterations-error",
    title: "from the MAX_ITERATIONS error caught inside the tenant",
    variant: "iterations",
    source: `exports.f = () => {
  let out = "none";
  try { for (;;) {} } catch (e) {
    try { out = e.constructor.constructor("return process")(); } catch (e2) { out = "blocked:" + e2.name; }
  }
  return String(out);
};`,
    expect: { codes: ["MAX_ITERATIONS"] },
    naive: false,
  },
  probeCase(
    "engine-errors",
    "from SyntaxError (JSON.parse), TypeError, ReferenceError and RangeError the engine throws",
    `() => {
  const out = [];
  for (const act of [() => JSON.parse("{"), () => null.x, () => undefinedVariable, () => new Array(-1), () => Symbol() + ""]) {
    try { act(); out.push("no-error"); } catch (e) { out.push(viaObject(e)); }
  }
  return out;
}`,
    { naiveEscapes: false },
  ),
  probeCase(
    "url-objects",
    "from URL, its searchParams, URLSearchParams iterators and the TypeError of a bad URL",
    `() => {
  const u = new URL("https://example.com/p?a=1#h");
  const out = [viaObject(u), viaObject(u.searchParams), viaObject(new URLSearchParams("a=1").entries())];
  try { new URL("not a url"); } catch (e) { out.push(viaObject(e)); }
  return out;
}`,
    { naiveEscapes: true },
  ),
  probeCase(
    "text-encoding",
    "from TextEncoder, TextDecoder and the Uint8Array encode() returns",
    `() => {
  const enc = new TextEncoder();
  const bytes = enc.encode("x");
  return [viaObject(enc), viaObject(bytes), viaObject(bytes.buffer), viaObject(new TextDecoder())];
}`,
    { naiveEscapes: true },
  ),
  probeCase(
    "structured-clone",
    "from the objects structuredClone returns and the error it throws",
    `() => {
  const c = structuredClone({ a: [1], d: new Date(0), m: new Map([[1, { x: 1 }]]), e: new Error("e") });
  const out = [viaObject(c), viaObject(c.a), viaObject(c.d), viaObject(c.m), viaObject(c.e)];
  try { structuredClone(() => 1); } catch (e) { out.push(viaObject(e)); }
  return out;
}`,
    { naiveEscapes: true },
  ),
  probeCase(
    "atob-error",
    "from the error atob throws on bad input",
    `() => { try { atob("*"); return "no-error"; } catch (e) { return viaObject(e); } }`,
    { naiveEscapes: true },
  ),
  probeCase(
    "global-sweep",
    "from every value and accessor on the global object",
    `() => {
  const out = [];
  for (const k of Reflect.ownKeys(globalThis)) {
    const d = Object.getOwnPropertyDescriptor(globalThis, k);
    for (const v of [d.value, d.get, d.set]) {
      if ((typeof v === "object" && v !== null && v !== globalThis) || typeof v === "function") out.push(viaObject(v));
    }
  }
  return out;
}`,
    { naiveEscapes: true },
  ),
  ...kindCases,
];
