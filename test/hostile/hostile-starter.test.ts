import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupTenants, expectCode, expectUsable, IsolatedRuntime, makeRuntime, makeTempDir, makeTenant, runError, writeFiles } from "../helpers.js";

/*
 * A starter set of hostile modules. The runtime runs at PERMISSIVE so the validator does not stop the
 * escape shapes first: each test checks containment by the sandbox itself.
 */

const SECRET = `tenantbox-secret-${process.pid}-${Math.random().toString(36).slice(2)}`;
const toolCalls: string[] = [];

async function toolHandler(name: string, args: unknown): Promise<unknown> {
  toolCalls.push(name);
  if (name === "fail") throw new Error("host tool failure");
  return { echoed: args };
}

let runtime: InstanceType<typeof IsolatedRuntime>;

beforeAll(() => {
  // Set before the runtime (and its workers) exist: a worker that inherited the host env would carry it.
  process.env.TENANTBOX_TEST_SECRET = SECRET;
  runtime = makeRuntime({ securityLevel: "PERMISSIVE", toolHandler });
});

afterAll(async () => {
  await runtime?.close();
  delete process.env.TENANTBOX_TEST_SECRET;
  cleanupTenants();
});

/**
 * Probe helpers (CommonJS source). probe(x) tries `.constructor.constructor("return process")()` on x and on
 * every object of its prototype chain, and checks that every constructor on the chain belongs to this realm.
 * Each step gives "blocked" (the escape threw), "nullish", "got:<type>" (code generation worked at all),
 * "ESCAPED:..." (a host realm was reached) or "FOREIGN" (an object of another realm was seen).
 */
const PROBE = String.raw`
const SECRET_NAME = "TENANTBOX_TEST_SECRET";
function tryEscape(x) {
  try {
    if (x === null || x === undefined) return "nullish";
    const F = x.constructor.constructor;
    const p = F("return process")();
    if (p && typeof p === "object") return "ESCAPED:" + (p.env ? p.env[SECRET_NAME] : "");
    return "got:" + typeof p;
  } catch (e) {
    return "blocked";
  }
}
function ctorOf(obj) {
  const d = Object.getOwnPropertyDescriptor(obj, "constructor");
  if (!d) return undefined;
  if ("value" in d) return d.value;
  return d.get ? d.get.call(obj) : undefined;
}
function foreign(x) {
  let cur = x;
  for (let i = 0; i < 32 && cur !== null && (typeof cur === "object" || typeof cur === "function"); i++) {
    const c = ctorOf(cur);
    if (typeof c === "function" && c.constructor !== Function) return true;
    cur = Object.getPrototypeOf(cur);
  }
  return false;
}
function probe(x) {
  const out = [];
  try {
    let cur = x;
    for (let i = 0; i < 10; i++) {
      out.push(tryEscape(cur));
      if (cur === null || cur === undefined) break;
      if (typeof cur !== "object" && typeof cur !== "function") cur = Object(cur);
      cur = Object.getPrototypeOf(cur);
      if (cur === null) break;
    }
    if (foreign(x)) out.push("FOREIGN");
  } catch (e) {
    out.push("probe-threw:" + (e && e.name));
  }
  return out.join(",");
}
`;

/** CommonJS module: mark() in one call, detect() in the next; detect() lists paths of marked objects. */
const LEAK_DETECTOR = String.raw`function roots() {
  const r = { globalThis };
  const add = (name, fn) => { try { r[name] = fn(); } catch (e) { r[name + "Error"] = e; } };
  add("timeout", () => setTimeout(() => {}, 1000));
  add("interval", () => setInterval(() => {}, 1000));
  add("url", () => new URL("https://example.com/p?a=1#h"));
  add("searchParams", () => new URL("https://example.com/p?a=1").searchParams);
  add("uspEntries", () => new URLSearchParams("a=1").entries());
  add("uspKeys", () => new URLSearchParams("a=1").keys());
  add("uspValues", () => new URLSearchParams("a=1").values());
  add("uspIterator", () => new URLSearchParams("a=1")[Symbol.iterator]());
  add("encoder", () => new TextEncoder());
  add("decoder", () => new TextDecoder());
  add("encoded", () => new TextEncoder().encode("x"));
  add("clone", () => structuredClone({ m: new Map([[1, { a: 1 }]]), s: new Set([1]), d: new Date(0), r: /x/g }));
  add("toolPromise", () => { const p = callTool("leak-probe", {}); p.catch(() => {}); return p; });
  add("jsonError", () => { try { JSON.parse("{"); } catch (e) { return e; } });
  add("builtinRequireError", () => { try { require("fs"); } catch (e) { return e; } });
  add("module", () => module);
  add("exports", () => exports);
  add("context", () => context);
  add("args", () => arguments);
  add("consoleMethod", () => console.log);
  add("generator", () => (function* () {})());
  add("asyncGenerator", () => (async function* () {})());
  add("stackOverflow", () => { try { (function r() { r(); })(); } catch (e) { return e; } });
  return r;
}
function walk(visit) {
  const seen = new WeakSet();
  const queue = [];
  const r = roots();
  for (const k of Object.keys(r)) queue.push([r[k], k]);
  let count = 0;
  while (queue.length && count < 20000) {
    const [v, p] = queue.shift();
    if ((typeof v !== "object" && typeof v !== "function") || v === null || seen.has(v)) continue;
    seen.add(v);
    count++;
    visit(v, p);
    let keys = [];
    try { keys = Reflect.ownKeys(v); } catch (e) {}
    for (const k of keys) {
      let d;
      try { d = Object.getOwnPropertyDescriptor(v, k); } catch (e) { continue; }
      if (!d) continue;
      const name = p + "." + String(k);
      if ("value" in d) queue.push([d.value, name]);
      if (d.get) queue.push([d.get, name + "<get>"]);
      if (d.set) queue.push([d.set, name + "<set>"]);
    }
    try { queue.push([Object.getPrototypeOf(v), p + ".__proto__"]); } catch (e) {}
  }
  return count;
}
exports.mark = () => {
  let marked = 0;
  walk((v) => { if (v === globalThis) return; try { Object.defineProperty(v, "leakMark", { value: 1, configurable: true }); marked++; } catch (e) {} });
  return marked;
};
exports.detect = () => {
  const found = [];
  walk((v, p) => { if (v !== globalThis && Object.prototype.hasOwnProperty.call(v, "leakMark")) found.push(p); });
  return found;
};
`;

const CONTAINED = /^(blocked|nullish)(,(blocked|nullish))*$/;

/** Asserts that every probe in a { label: probeResult } map shows containment. */
function expectContained(results: Record<string, string>, expectedLabels?: string[]) {
  if (expectedLabels) expect(Object.keys(results).sort()).toEqual([...expectedLabels].sort());
  for (const [label, outcome] of Object.entries(results)) {
    expect(outcome, `${label}: ${outcome}`).toMatch(CONTAINED);
  }
  expect(JSON.stringify(results)).not.toContain(SECRET);
}

describe("host objects never reach tenant code", () => {
  it("this.constructor.constructor('return process')() fails at module level and on the global", async () => {
    const folder = makeTenant({
      "a.js": `${PROBE}
const moduleThis = probe(this);
exports.f = function () {
  return { moduleThis, globalThis: probe(globalThis), globalProto: probe(Object.getPrototypeOf(globalThis)), fnThis: probe(this) };
};`,
    });
    const value = (await runtime.run({ folder, file: "a.js", funcName: "f" })) as Record<string, string>;
    expectContained(value, ["moduleThis", "globalThis", "globalProto", "fnThis"]);
  });

  it("... and on every object the sandbox hands in", async () => {
    const folder = makeTenant({
      "dep.js": "exports.x = { y: 1 };",
      "a.js": `${PROBE}
exports.f = async function (obj, arr, str, num) {
  const r = {};
  r.argObject = probe(obj);
  r.argNested = probe(obj.nested);
  r.argArray = probe(arr);
  r.argString = probe(str);
  r.argNumber = probe(num);
  r.arguments = probe(arguments);
  r.context = probe(context);
  r.contextNested = probe(context.nested);
  r.console = probe(console);
  r.consoleLog = probe(console.log);
  r.setTimeout = probe(setTimeout);
  const handle = setTimeout(() => {}, 1000);
  r.timeoutHandle = probe(handle);
  clearTimeout(handle);
  const iv = setInterval(() => {}, 1000);
  r.intervalHandle = probe(iv);
  clearInterval(iv);
  r.queueMicrotask = probe(queueMicrotask);
  r.callTool = probe(callTool);
  const pending = callTool("echo", { a: 1 });
  r.callToolPromise = probe(pending);
  const result = await pending;
  r.callToolResult = probe(result);
  r.callToolResultNested = probe(result.echoed);
  r.structuredClone = probe(structuredClone({ a: [1] }));
  r.url = probe(new URL("https://example.com/?a=1"));
  r.urlSearchParams = probe(new URL("https://example.com/?a=1").searchParams);
  r.textEncoderOutput = probe(new TextEncoder().encode("x"));
  r.textDecoder = probe(new TextDecoder());
  r.module = probe(module);
  r.exports = probe(exports);
  r.requiredModule = probe(require("./dep.js"));
  try { JSON.parse("{"); } catch (e) { r.jsonParseError = probe(e); }
  try { await callTool("fail", {}); } catch (e) { r.toolRejection = probe(e); }
  try { require("fs"); } catch (e) { r.builtinRequireError = probe(e); }
  try { new URL("not a url"); } catch (e) { r.urlError = probe(e); }
  try { atob("*"); } catch (e) { r.atobError = probe(e); }
  try { null.x; } catch (e) { r.typeError = probe(e); }
  try { undefinedVariable; } catch (e) { r.referenceError = probe(e); }
  try { callTool(""); } catch (e) { r.callToolSyncError = probe(e); }
  try { await callTool(""); } catch (e) { r.callToolBadName = probe(e); }
  try { const code = "x"; setTimeout(code); } catch (e) { r.stringTimerError = probe(e); }
  try { structuredClone(() => 1); } catch (e) { r.structuredCloneError = probe(e); }
  try { (function r2() { r2(); })(); } catch (e) { r.stackOverflow = probe(e); }
  return r;
};`,
    });
    const value = (await runtime.run({
      folder,
      file: "a.js",
      funcName: "f",
      args: [{ nested: { deep: true } }, [1, 2], "s", 1],
      context: { nested: { userId: "u" } },
    })) as Record<string, string>;
    expect(Object.keys(value).length).toBeGreaterThanOrEqual(35);
    expectContained(value);
  });

  it("... and from every kind of function", async () => {
    const folder = makeTenant({
      "a.js": `${PROBE}
exports.f = function () {
  class K { m() {} static s() {} get g() { return 1; } }
  const kinds = {
    arrow: () => 1,
    asyncArrow: async () => 1,
    fn: function () {},
    asyncFn: async function () {},
    generator: function* () {},
    asyncGenerator: async function* () {},
    klass: K,
    method: new K().m,
    staticMethod: K.s,
    getter: Object.getOwnPropertyDescriptor(K.prototype, "g").get,
    bound: function () {}.bind(null),
    generatorObject: (function* () {})(),
    asyncGeneratorObject: (async function* () {})(),
    promise: Promise.resolve(1),
    regexp: /x/,
    date: new Date(0),
    map: new Map(),
    weakMap: new WeakMap(),
    typedArray: new Uint8Array(1),
    arrayBuffer: new ArrayBuffer(1),
    symbolObject: Object(Symbol("s")),
    error: new Error("e"),
    aggregate: new AggregateError([]),
    iterator: [][Symbol.iterator](),
  };
  const out = {};
  for (const key of Object.keys(kinds)) out[key] = probe(kinds[key]);
  // The constructors of the function kinds are code generators too: all must be blocked.
  const gens = {
    AsyncFunction: (async () => {}).constructor,
    GeneratorFunction: (function* () {}).constructor,
    AsyncGeneratorFunction: (async function* () {}).constructor,
    FunctionViaGlobal: globalThis["Func" + "tion"],
  };
  for (const key of Object.keys(gens)) {
    try { const r = gens[key]("return process"); out["gen:" + key] = "got:" + typeof r; } catch (e) { out["gen:" + key] = "blocked"; }
  }
  return out;
};`,
    });
    const value = (await runtime.run({ folder, file: "a.js", funcName: "f" })) as Record<string, string>;
    expect(Object.keys(value).length).toBe(28);
    expectContained(value);
  });

  it("require reached as a value (through the wrapper's arguments) only loads the static module graph, or is refused", async () => {
    const body = `
exports.f = (name) => {
  const out = [probe(req)];
  for (const spec of ['./dep.js', './' + name, '../outside.js', 'fs']) {
    try { const m = req(spec); out.push(spec + '=' + JSON.stringify(m)); } catch (e) { out.push(spec + '=' + e.code); }
  }
  return out;
};`;
    const folder = makeTenant({
      "dep.js": "exports.x = 'dep';",
      "other.js": "exports.x = 'not in the graph';",
      "viaArguments.js": `${PROBE}\nrequire('./dep.js');\nconst req = arguments[1];${body}`,
      "viaArrow.js": `${PROBE}\nrequire('./dep.js');\nconst req = (() => arguments)()[1];${body}`,
    });
    for (const file of ["viaArguments.js", "viaArrow.js"]) {
      const outcome = await runtime.run({ folder, file, funcName: "f", args: ["other.js"] }).catch((e: { code?: string }) => e.code);
      if (outcome === "VALIDATION_ERROR") continue; // refused before running: contained
      expect(outcome, file).toEqual([
        expect.stringMatching(CONTAINED),
        './dep.js={"x":"dep"}',
        "./other.js=MODULE_NOT_FOUND",
        "../outside.js=MODULE_NOT_FOUND",
        "fs=MODULE_NOT_FOUND",
      ]);
    }
  });

  it("code generation from strings is off: eval, Function, string timers fail at run time", async () => {
    const folder = makeTenant({
      "a.js": `
exports.f = async function () {
  const attempts = {
    indirectEval: () => (0, globalThis["ev" + "al"])("1 + 1"),
    functionCtor: () => globalThis["Func" + "tion"]("return 1")(),
    viaArrow: () => (() => 1).constructor("return 1")(),
    reflectConstruct: () => Reflect.construct(globalThis["Func" + "tion"], ["return 1"])(),
    asyncCtor: () => Object.getPrototypeOf(async () => {}).constructor("return 1"),
    stringTimer: () => { const code = "globalThis.ranTimer = 1"; return setTimeout(code, 1); },
    wasm: () => typeof WebAssembly === "undefined" ? (() => { throw new Error("no wasm"); })() : new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])),
  };
  const out = {};
  for (const key of Object.keys(attempts)) {
    try { attempts[key](); out[key] = "ran"; } catch (e) { out[key] = "threw"; }
  }
  await new Promise((r) => setTimeout(r, 10));
  out.ranTimer = typeof globalThis.ranTimer;
  return out;
};`,
    });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual({
      indirectEval: "threw",
      functionCtor: "threw",
      viaArrow: "threw",
      reflectConstruct: "threw",
      asyncCtor: "threw",
      stringTimer: "threw",
      wasm: "threw",
      ranTimer: "undefined",
    });
  });

  it("Error.prepareStackTrace cannot hand out host CallSites or host objects", async () => {
    const folder = makeTenant({
      "a.js": `${PROBE}
exports.f = async function () {
  const out = { frames: [] };
  const grab = (e, sites) => {
    for (const s of sites) {
      let thisProbe = "n/a", fnProbe = "n/a", file = "";
      try { thisProbe = probe(s.getThis()); } catch (x) { thisProbe = "blocked"; }
      try { fnProbe = probe(s.getFunction()); } catch (x) { fnProbe = "blocked"; }
      try { file = String(s.getFileName()); } catch (x) {}
      out.frames.push({ thisProbe, fnProbe, file });
    }
    return "custom";
  };
  try { Error.prepareStackTrace = grab; out.assigned = "assigned"; } catch (e) { out.assigned = "threw"; }
  try { Object.defineProperty(Error, "prepareStackTrace", { value: grab }); out.defined = "defined"; } catch (e) { out.defined = "threw"; }
  const stacks = [];
  try { stacks.push(String(new Error("x").stack)); } catch (e) { stacks.push("stack threw"); }
  try { null.x; } catch (e) { stacks.push(String(e.stack)); }
  try { await callTool("fail", {}); } catch (e) { stacks.push(String(e.stack)); }
  try { JSON.parse("{"); } catch (e) { stacks.push(String(e.stack)); }
  try { console.log({ get x() { throw new Error("getter"); } }); } catch (e) { stacks.push(String(e.stack)); }
  const obj = {};
  try { Error.captureStackTrace(obj); stacks.push(String(obj.stack)); } catch (e) { stacks.push("capture threw"); }
  out.stacks = stacks;
  return out;
};`,
    });
    const value = (await runtime.run({ folder, file: "a.js", funcName: "f" })) as {
      frames: { thisProbe: string; fnProbe: string; file: string }[];
      stacks: string[];
    };
    const text = JSON.stringify(value);
    expect(text).not.toContain("ESCAPED");
    expect(text).not.toContain("FOREIGN");
    expect(text).not.toContain(SECRET);
    for (const frame of value.frames) {
      expect(frame.thisProbe).toMatch(CONTAINED);
      expect(frame.fnProbe).toMatch(CONTAINED);
      // No host frames: only the tenant's own files.
      expect(frame.file).not.toMatch(/^(node:|file:|\/)/);
    }
    for (const stack of value.stacks) {
      expect(stack).not.toContain(process.cwd());
      expect(stack).not.toMatch(/node:internal|node_modules|dist\/worker/);
    }
  });

  it("thrown objects and returned values with getters and toJSON only ever see sandbox objects; Proxy does not exist", async () => {
    const folder = makeTenant({
      "a.js": `${PROBE}
exports.thrower = function () {
  throw { get name() { return "Hostile"; }, get message() { return probe(this) + "|" + probe(arguments); }, get stack() { return probe(this); } };
};
exports.returner = function () {
  return {
    get viaGetter() { return probe(this) + "|" + probe(arguments); },
    viaToJSON: { toJSON(key) { return probe(this) + "|" + probe(arguments) + "|" + typeof key; } },
  };
};
exports.thenable = function () {
  return { then(resolve, reject) { resolve(probe(resolve) + "|" + probe(reject) + "|" + probe(this)); } };
};
exports.proxy = function () {
  return [typeof Proxy, typeof globalThis.Proxy, "Proxy" in globalThis];
};`,
    });
    const thrown = await runError(runtime, { folder, file: "a.js", funcName: "thrower" });
    expect(thrown.code).toBe("RUNTIME_ERROR");
    for (const part of thrown.message.split("|")) expect(part).toMatch(CONTAINED);

    const returned = (await runtime.run({ folder, file: "a.js", funcName: "returner" })) as Record<string, unknown>;
    for (const part of String(returned.viaGetter).split("|")) expect(part).toMatch(CONTAINED);
    const [t1, t2, keyType] = String(returned.viaToJSON).split("|");
    expect(t1).toMatch(CONTAINED);
    expect(t2).toMatch(CONTAINED);
    expect(keyType).toBe("string");

    const thenable = await runtime.run({ folder, file: "a.js", funcName: "thenable" });
    for (const part of String(thenable).split("|")) expect(part).toMatch(CONTAINED);

    // Host code (Node's unhandled-rejection bookkeeping) reads properties of tenant promises: a Proxy in a
    // promise's prototype chain would run tenant code on host frames. So the realm has no Proxy at all.
    await expect(runtime.run({ folder, file: "a.js", funcName: "proxy" })).resolves.toEqual(["undefined", "undefined", false]);
  });

  it("a stack overflow inside host calls (console, callTool, timers) only ever throws sandbox errors", async () => {
    const folder = makeTenant({
      "a.js": `${PROBE}
const seen = [];
function deep(call) {
  function r() {
    try { r(); } catch (e) {
      try { call(); } catch (e2) { if (seen.length < 200) seen.push(e2); }
    }
  }
  r();
}
exports.f = function () {
  deep(() => console.log("x"));
  deep(() => callTool("echo", 1));
  deep(() => clearTimeout(setTimeout(() => {}, 1000)));
  deep(() => new TextEncoder().encode("abc"));
  deep(() => new URL("https://example.com/a"));
  const results = {};
  for (let i = 0; i < seen.length; i++) {
    const p = probe(seen[i]);
    results[p] = (results[p] || 0) + 1;
  }
  return { count: seen.length, results };
};`,
    });
    const value = (await runtime.run({ folder, file: "a.js", funcName: "f", timeout: 1000 }).catch((e: unknown) => e)) as
      | { count: number; results: Record<string, number> }
      | InstanceType<typeof Error>;
    if (value instanceof Error) {
      // Ending as an error (e.g. TIMEOUT) is containment too; it must not be a host failure.
      expect((value as { code?: string }).code).toMatch(/^(TIMEOUT|RUNTIME_ERROR|MEMORY_LIMIT_EXCEEDED)$/);
    } else {
      for (const outcome of Object.keys(value.results)) expect(outcome).toMatch(CONTAINED);
    }
    await expectUsable(runtime);
  });

  it("fn.caller and arguments.callee do not reach the runtime's frames", async () => {
    const folder = makeTenant({
      "a.js": `${PROBE}
exports.f = function entry() {
  const out = {};
  try { out.caller = probe(entry.caller); } catch (e) { out.caller = "blocked"; }
  try { out.callee = probe(arguments.callee); } catch (e) { out.callee = "blocked"; }
  try { out.timerCaller = "pending"; } catch (e) {}
  return new Promise((resolve) => {
    setTimeout(function cb() {
      try { out.timerCaller = probe(cb.caller); } catch (e) { out.timerCaller = "blocked"; }
      resolve(out);
    }, 1);
  });
};`,
    });
    const value = (await runtime.run({ folder, file: "a.js", funcName: "f" })) as Record<string, string>;
    expectContained(value, ["caller", "callee", "timerCaller"]);
  });
});

describe("secrets of the host", () => {
  it("process.env of the host is unreachable", async () => {
    const folder = makeTenant({
      "a.js": `${PROBE}
exports.f = function () {
  const out = [];
  out.push(typeof process);
  try { out.push(String(globalThis.process && globalThis.process.env.TENANTBOX_TEST_SECRET)); } catch (e) { out.push("threw"); }
  try { out.push(tryEscape(this)); } catch (e) { out.push("threw"); }
  try { out.push(tryEscape(console.log)); } catch (e) { out.push("threw"); }
  try { out.push(String(require("process").env.TENANTBOX_TEST_SECRET)); } catch (e) { out.push(e.code); }
  try { out.push(Object.keys(require("node:process").env).join()); } catch (e) { out.push(e.code); }
  console.log(out.join(" "));
  return out;
};`,
    });
    const report = await runtime.execute({ folder, file: "a.js", funcName: "f" });
    expect(report.success).toBe(true);
    // process is the realm's own: its env is the call's (default NODE_ENV only), never the host's.
    expect(report.value).toEqual(["object", "undefined", "nullish", "blocked", "undefined", "NODE_ENV"]);
    expect(JSON.stringify(report)).not.toContain(SECRET);
  });

  it("a secret file outside the folder is unreachable via require", async () => {
    const parent = makeTempDir();
    writeFiles(parent, {
      "secret.json": JSON.stringify({ secret: SECRET }),
      "secret.js": `exports.secret = ${JSON.stringify(SECRET)};`,
      "tenant/a.js": [
        "const attempt = (load) => { try { return JSON.stringify(load()); } catch (e) { return e.code; } };",
        "exports.f = () => [",
        "  attempt(() => require('../secret.json')),",
        "  attempt(() => require('../secret.js')),",
        "  attempt(() => require('./../secret.js')),",
        "  attempt(() => require('../tenant/../secret.json')),",
        `  attempt(() => require(${JSON.stringify(path.join(parent, "secret.json"))})),`,
        "];",
      ].join("\n"),
    });
    const value = await runtime.run({ folder: path.join(parent, "tenant"), file: "a.js", funcName: "f" });
    expect(value).toEqual(new Array(5).fill("MODULE_NOT_FOUND"));
    expect(JSON.stringify(value)).not.toContain(SECRET);
  });

  it("tool errors carry only the message, never the host error object or stack", async () => {
    const folder = makeTenant({
      "a.js": `exports.f = async () => {
  try { await callTool("fail", {}); } catch (e) {
    return { message: e.message, stack: String(e.stack), own: Object.getOwnPropertyNames(e).sort(), protoIsError: Object.getPrototypeOf(e) === Error.prototype };
  }
};`,
    });
    const value = (await runtime.run({ folder, file: "a.js", funcName: "f" })) as { message: string; stack: string; own: string[]; protoIsError: boolean };
    expect(value.message).toBe("host tool failure");
    expect(value.protoIsError).toBe(true);
    expect(value.stack).not.toContain(process.cwd());
    expect(value.stack).not.toContain("hostile-starter");
  });
});

describe("prototype pollution", () => {
  it("Object.prototype.polluted = 1 in one call is invisible to the next call and to the host", async () => {
    const folder = makeTenant({
      "a.js": `exports.pollute = (arg) => {
  const out = [];
  for (const [label, act] of [
    ["Object.prototype", () => { Object.prototype.polluted = 1; }],
    ["arg proto", () => { Object.getPrototypeOf(arg).polluted = 1; }],
    ["__proto__", () => { ({}).__proto__.polluted = 1; }],
    ["Array.prototype", () => { Array.prototype.polluted = 1; }],
    ["Function.prototype", () => { Function.prototype.polluted = 1; }],
    ["defineProperty", () => { Object.defineProperty(Object.prototype, "polluted", { value: 1, configurable: true }); }],
    ["setPrototypeOf", () => { Object.setPrototypeOf(Object.prototype, { polluted: 1 }); }],
    ["context proto", () => { Object.getPrototypeOf(context).polluted = 1; }],
  ]) {
    try { act(); out.push(label + ":ok"); } catch (e) { out.push(label + ":" + e.name); }
  }
  return out;
};
exports.read = (arg) => [({}).polluted, [].polluted, (() => {}).polluted, arg.polluted, context && context.polluted].map(String);`,
    });
    const other = makeTenant({ "b.js": "exports.read = (arg) => [({}).polluted, [].polluted, (() => {}).polluted, arg.polluted].map(String);" });
    for (let i = 0; i < 3; i++) {
      const outcomes = (await runtime.run({ folder, file: "a.js", funcName: "pollute", args: [{}], context: {} })) as string[];
      expect(outcomes).toHaveLength(8);
      await expect(runtime.run({ folder, file: "a.js", funcName: "read", args: [{}], context: {} })).resolves.toEqual(new Array(5).fill("undefined"));
      await expect(runtime.run({ folder: other, file: "b.js", funcName: "read", args: [{}] })).resolves.toEqual(new Array(4).fill("undefined"));
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted")).toBe(false);
  });

  it("a returned __proto__ key does not pollute the host", async () => {
    const folder = makeTenant({
      "a.js": `exports.f = () => JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}');`,
    });
    const value = (await runtime.run({ folder, file: "a.js", funcName: "f" })) as Record<string, unknown>;
    // The value is plain data with an own "__proto__" key; its prototype and the host's are untouched.
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(value.polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("state never crosses invocations on one worker (realm reuse)", () => {
  let single: InstanceType<typeof IsolatedRuntime>;
  beforeAll(() => {
    // One thread: consecutive calls are certain to share a worker (and whatever it keeps warm).
    single = makeRuntime({ securityLevel: "PERMISSIVE", maxThreads: 1, toolHandler });
  });
  afterAll(async () => {
    await single?.close();
  });

  const READER = `exports.read = () => ({
  sticky: typeof globalThis.sticky,
  symbol: typeof globalThis[Symbol.for("tenantbox-test")],
  inherited: typeof globalThis.inherited,
  extensible: Object.isExtensible(globalThis),
  canAddGlobal: (() => { try { globalThis.fresh = 1; const ok = globalThis.fresh === 1; delete globalThis.fresh; return ok; } catch (e) { return false; } })(),
  regexpLast: String(RegExp.$1) + String(RegExp.lastMatch),
  consoleMark: String(console.mark),
  logMark: String(console.log.mark),
  setTimeoutMark: String(setTimeout.mark),
  callToolMark: String(callTool.mark),
  errorLimit: String(Error.stackTraceLimit),
  contextSeen: JSON.stringify(context),
});`;
  const CLEAN = {
    sticky: "undefined",
    symbol: "undefined",
    inherited: "undefined",
    extensible: true,
    canAddGlobal: true,
    regexpLast: "",
    consoleMark: "undefined",
    logMark: "undefined",
    setTimeoutMark: "undefined",
    callToolMark: "undefined",
    // The reader passes no context: it sees the default, an empty object, never the writer's.
    contextSeen: "{}",
  };

  it("nothing one invocation does to the global or the sandbox APIs is seen by the next", async () => {
    const writer = makeTenant({
      "w.js": `exports.write = () => {
  const out = [];
  const attempt = (label, act) => { try { act(); out.push(label + ":ok"); } catch (e) { out.push(label + ":" + e.name); } };
  attempt("sticky", () => Object.defineProperty(globalThis, "sticky", { value: "secret", configurable: false, writable: false }));
  attempt("symbol", () => { globalThis[Symbol.for("tenantbox-test")] = "secret"; });
  attempt("proto", () => Object.setPrototypeOf(globalThis, Object.assign(Object.create(Object.getPrototypeOf(globalThis)), { inherited: "secret" })));
  attempt("regexp", () => /(secret\\d+)/.exec("xx secret123 yy"));
  attempt("consoleMark", () => { console.mark = "secret"; });
  attempt("logMark", () => { console.log.mark = "secret"; });
  attempt("setTimeoutMark", () => { setTimeout.mark = "secret"; });
  attempt("callToolMark", () => { callTool.mark = "secret"; });
  attempt("errorLimit", () => { Error.stackTraceLimit = 0; });
  attempt("context", () => Object.defineProperty(globalThis, "context", { value: { leaked: "secret" } }));
  attempt("freeze", () => Object.freeze(globalThis));
  return out;
};`,
    });
    const reader = makeTenant({ "r.js": READER });
    const baseline = (await single.run({ folder: reader, file: "r.js", funcName: "read" })) as Record<string, unknown>;
    expect(baseline).toMatchObject(CLEAN);
    for (let i = 0; i < 3; i++) {
      const outcomes = (await single.run({ folder: writer, file: "w.js", funcName: "write" })) as string[];
      expect(outcomes).toHaveLength(11);
      const after = (await single.run({ folder: reader, file: "r.js", funcName: "read" })) as Record<string, unknown>;
      expect(after).toEqual(baseline);
    }
  });

  it("no object reachable from one invocation can be marked and found again by the next", async () => {
    // A generic detector: call 1 walks everything reachable from the global and from the objects the
    // sandbox hands out, and defines a property on every object it can; call 2 walks again and lists
    // every object that still has it. Per-call objects are gone; a shared, unfrozen object shows up.
    const folder = makeTenant({ "leak.js": LEAK_DETECTOR });
    const marked = (await single.run({ folder, file: "leak.js", funcName: "mark" })) as number;
    expect(marked).toBeGreaterThan(0);
    const found = (await single.run({ folder, file: "leak.js", funcName: "detect" })) as string[];
    expect(found).toEqual([]);
  });

  it("a Timeout handle's prototype or class cannot carry code or data from one tenant's invocation into another's", async () => {
    const attacker = makeTenant({
      "a.js": `exports.plant = () => {
  const out = [];
  const proto = Object.getPrototypeOf(setTimeout(() => {}, 1000));
  const attempt = (label, act) => { try { act(); out.push(label + ":ok"); } catch (e) { out.push(label + ":" + e.name); } };
  attempt("data", () => { proto.planted = "from attacker"; });
  attempt("method", () => { proto.unref = function () { try { proto.stolen = JSON.stringify(context); } catch (e) {} return this; }; });
  attempt("static", () => {
    const K = proto.constructor;
    const original = K.idOf;
    K.idOf = function (h) { try { K.stolenViaClear = JSON.stringify(context); } catch (e) {} return original.call(this, h); };
  });
  return out;
};
exports.collect = () => {
  const proto = Object.getPrototypeOf(setTimeout(() => {}, 1000));
  return [String(proto.stolen), String(proto.constructor.stolenViaClear)];
};`,
    });
    // An ordinary hook using two everyday timer idioms.
    const victim = makeTenant({
      "v.js": `exports.hook = () => {
  const t = setTimeout(() => {}, 5);
  t.unref();
  const u = setTimeout(() => {}, 1000);
  clearTimeout(u);
  return [typeof t.planted, "victim done"];
};`,
    });
    for (let i = 0; i < 2; i++) {
      await single.run({ folder: attacker, file: "a.js", funcName: "plant" });
      await expect(single.run({ folder: victim, file: "v.js", funcName: "hook", context: { apiKey: "victim-secret" } })).resolves.toEqual([
        "undefined",
        "victim done",
      ]);
      const collected = await single.run({ folder: attacker, file: "a.js", funcName: "collect" });
      expect(JSON.stringify(collected)).not.toContain("victim-secret");
      expect(collected).toEqual(["undefined", "undefined"]);
    }
  });

  it("console.count and console.time do not carry over between invocations", async () => {
    const folder = makeTenant({
      "c.js": "exports.count = () => { console.count('k'); console.count('k'); };\nexports.start = () => { console.time('t'); };\nexports.end = () => { console.timeEnd('t'); };",
    });
    for (let i = 0; i < 3; i++) {
      const report = await single.execute({ folder, file: "c.js", funcName: "count" });
      expect(report.logs.map((l) => l.message)).toEqual(["k: 1", "k: 2"]);
    }
    await single.run({ folder, file: "c.js", funcName: "start" });
    const ended = await single.execute({ folder, file: "c.js", funcName: "end" });
    // A timer label started by an earlier invocation (perhaps another tenant's) is unknown here.
    expect(ended.logs.filter((l) => /^t: /.test(l.message))).toEqual([]);
  });

  it("a callback left behind by one invocation never runs during the next", async () => {
    const folder = makeTenant({
      "a.js": `exports.leave = () => {
  setTimeout(() => { globalThis.lateWrite = "from the previous call"; callTool("late-timer", {}).catch(() => {}); }, 30);
  Promise.resolve().then(() => { globalThis.microWrite = "microtask"; });
  return "left";
};
exports.wait = () => new Promise((resolve) => setTimeout(() => resolve([typeof globalThis.lateWrite, typeof globalThis.microWrite]), 120));`,
    });
    const before = toolCalls.filter((n) => n === "late-timer").length;
    await expect(single.run({ folder, file: "a.js", funcName: "leave" })).resolves.toBe("left");
    await expect(single.run({ folder, file: "a.js", funcName: "wait" })).resolves.toEqual(["undefined", "undefined"]);
    expect(toolCalls.filter((n) => n === "late-timer").length).toBe(before);
  });

  it("a failed or timed-out invocation leaves nothing behind either", async () => {
    const folder = makeTenant({
      "a.js": `exports.failAfterWrite = () => { globalThis.half = "written"; throw new Error("boom"); };
exports.spinAfterWrite = () => { globalThis.half = "written"; for (;;) {} };
exports.read = () => typeof globalThis.half;`,
    });
    await expectCode(single, { folder, file: "a.js", funcName: "failAfterWrite" }, "RUNTIME_ERROR");
    await expect(single.run({ folder, file: "a.js", funcName: "read" })).resolves.toBe("undefined");
    await expectCode(single, { folder, file: "a.js", funcName: "spinAfterWrite", timeout: 200 }, "TIMEOUT");
    await expect(single.run({ folder, file: "a.js", funcName: "read" })).resolves.toBe("undefined");
  });
});

describe("resource attacks end with the right code and a usable runtime", () => {
  it("an infinite loop ends as TIMEOUT, then a benign call works", async () => {
    const folder = makeTenant({ "a.js": "exports.f = () => { while (true) {} };" });
    const started = Date.now();
    await expectCode(runtime, { folder, file: "a.js", funcName: "f", timeout: 300 }, "TIMEOUT");
    expect(Date.now() - started).toBeLessThan(5000);
    await expectUsable(runtime);
  });

  it("a memory bomb ends as MEMORY_LIMIT_EXCEEDED, then a benign call works", async () => {
    const small = makeRuntime({ securityLevel: "PERMISSIVE", memoryLimitMb: 32, maxThreads: 1, timeout: 8000 });
    try {
      const folder = makeTenant({ "a.js": "exports.f = () => { let s = 'x'; const keep = []; for (;;) { keep.push(s + keep.length); s += s.length < 1e6 ? s : ''; } };" });
      const started = Date.now();
      await expectCode(small, { folder, file: "a.js", funcName: "f" }, "MEMORY_LIMIT_EXCEEDED");
      expect(Date.now() - started).toBeLessThan(15_000);
      await expectUsable(small);
    } finally {
      await small.close();
    }
  });

  it("a path escape ends as MODULE_NOT_FOUND (or INVALID_REQUEST), then a benign call works", async () => {
    const parent = makeTempDir();
    writeFiles(parent, { "outside.js": "exports.f = () => 'ESCAPED';", "tenant/a.js": "const o = require('../outside.js');\nexports.f = () => o.f();" });
    const folder = path.join(parent, "tenant");
    fs.symlinkSync(path.join(parent, "outside.js"), path.join(folder, "link.js"));
    await expectCode(runtime, { folder, file: "a.js", funcName: "f" }, "MODULE_NOT_FOUND");
    const viaFile = await runError(runtime, { folder, file: "../outside.js", funcName: "f" });
    expect(["MODULE_NOT_FOUND", "INVALID_REQUEST"]).toContain(viaFile.code);
    const viaLink = await runError(runtime, { folder, file: "link.js", funcName: "f" });
    expect(["MODULE_NOT_FOUND", "INVALID_REQUEST"]).toContain(viaLink.code);
    await expectUsable(runtime);
  });
});
