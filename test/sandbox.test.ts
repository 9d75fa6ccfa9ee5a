import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupTenants, expectCode, expectUsable, IsolatedRuntime, libraryPackage, makeRuntime, makeTenant, sleep } from "./helpers.js";

interface ToolCall {
  name: string;
  args: unknown;
  ctx: { folder: string; file: string; funcName: string; context: unknown };
}

const toolCalls: ToolCall[] = [];

async function toolHandler(name: string, args: unknown, ctx: ToolCall["ctx"]): Promise<unknown> {
  toolCalls.push({ name, args, ctx });
  switch (name) {
    case "echo":
      return { got: args };
    case "nothing":
      return undefined;
    case "fail":
      throw new Error("db down: " + JSON.stringify(args));
    case "failString":
      throw "plain string failure";
    case "slow":
      await sleep((args as { ms: number }).ms);
      return "slow done";
    case "tick":
      return "tock";
    case "date":
      return new Date(0);
    case "bigint":
      return 10n;
    case "double":
      await sleep(Math.floor(Math.random() * 5));
      return (args as { n: number }).n * 2;
    default:
      throw new Error("unknown tool " + name);
  }
}

let runtime: InstanceType<typeof IsolatedRuntime>;

beforeAll(() => {
  runtime = makeRuntime({ toolHandler });
});

afterAll(async () => {
  await runtime?.close();
  cleanupTenants();
});

/** Snippet (CommonJS) that tries to reach `process` through x.constructor.constructor; needs PERMISSIVE. */
const PROBE = `
function probe(x) {
  try {
    const F = x.constructor.constructor;
    const p = F("return process")();
    return "got:" + typeof p + (p && p.pid ? ":pid" : "");
  } catch (e) {
    return "blocked:" + (e && e.name);
  }
}`;

describe("globals that are present", () => {
  it("console is captured in execute().logs with its level", async () => {
    const folder = makeTenant({
      "a.js": [
        "exports.f = async () => {",
        "  console.log('hello', 1, { a: 1, b: [1, 2] });",
        "  console.info('info line');",
        "  console.warn('warn line');",
        "  console.error('error line');",
        "  console.debug('debug line');",
        "  await new Promise((r) => setTimeout(r, 5));",
        "  console.log('after timer');",
        "  return 'ok';",
        "};",
      ].join("\n"),
    });
    const report = await runtime.execute({ folder, file: "a.js", funcName: "f" });
    expect(report.success).toBe(true);
    expect(report.value).toBe("ok");
    expect(report.logs.map((l) => l.level)).toEqual(["log", "info", "warn", "error", "debug", "log"]);
    expect(report.logs[0]!.message).toMatch(/^hello 1 /);
    expect(report.logs[0]!.message).toContain("a: 1");
    expect(report.logs.slice(1).map((l) => l.message)).toEqual(["info line", "warn line", "error line", "debug line", "after timer"]);
    expect(typeof report.stats.durationMs).toBe("number");
  });

  it("console.log shows a Map or Set as Node does: its size and the first 100 entries", async () => {
    const folder = makeTenant({
      "a.js": "exports.f = () => { console.log(new Map([[1, 'a'], ['k', { v: 2 }]])); console.log(new Set(Array.from({ length: 150 }, (_, i) => i))); console.log(new Set()); };",
    });
    const report = await runtime.execute({ folder, file: "a.js", funcName: "f" });
    expect(report.success).toBe(true);
    const [map, set, empty] = report.logs.map((l) => l.message);
    expect(map).toBe('Map(2) { 1 => "a", "k" => { v: 2 } }');
    expect(set).toMatch(/^Set\(150\) \{ 0, 1, 2, .*, 99, \.\.\. 50 more items \}$/);
    expect(empty).toBe("Set(0) {  }");
  });

  it("logs are kept when the function fails", async () => {
    const folder = makeTenant({ "a.js": "exports.f = () => { console.log('before the throw'); throw new Error('x'); };" });
    const report = await runtime.execute({ folder, file: "a.js", funcName: "f" });
    expect(report.success).toBe(false);
    expect(report.error?.code).toBe("RUNTIME_ERROR");
    expect(report.logs).toEqual([{ level: "log", message: "before the throw" }]);
  });

  it("logs of one invocation never appear in another", async () => {
    const folder = makeTenant({ "a.js": "exports.f = (n) => { console.log('call ' + n); return n; };" });
    const reports = await Promise.all([1, 2, 3, 4].map((n) => runtime.execute({ folder, file: "a.js", funcName: "f", args: [n] })));
    reports.forEach((r, i) => expect(r.logs).toEqual([{ level: "log", message: `call ${i + 1}` }]));
  });

  it("setTimeout, setInterval, clearTimeout, clearInterval and queueMicrotask work", async () => {
    const folder = makeTenant({
      "a.js": [
        "exports.f = () => new Promise((resolve) => {",
        "  const order = [];",
        "  queueMicrotask(() => order.push('micro'));",
        "  const cancelled = setTimeout(() => order.push('cancelled-timeout'), 1);",
        "  clearTimeout(cancelled);",
        "  setTimeout((a, b) => order.push('timeout:' + a + b), 5, 'x', 'y');",
        "  let n = 0;",
        "  const iv = setInterval(() => {",
        "    n++;",
        "    order.push('interval' + n);",
        "    if (n === 3) { clearInterval(iv); setTimeout(() => resolve(order), 30); }",
        "  }, 10);",
        "  order.push('sync');",
        "});",
      ].join("\n"),
    });
    const order = (await runtime.run({ folder, file: "a.js", funcName: "f" })) as string[];
    expect(order.slice(0, 2)).toEqual(["sync", "micro"]);
    expect(order).toContain("timeout:xy");
    expect(order).not.toContain("cancelled-timeout");
    expect(order.filter((x) => x.startsWith("interval"))).toEqual(["interval1", "interval2", "interval3"]);
  });

  it("an exception thrown in a timer callback fails the invocation with RUNTIME_ERROR", async () => {
    const folder = makeTenant({
      "a.js": "exports.f = () => new Promise(() => { setTimeout(() => { throw new RangeError('timer boom'); }, 1); });",
    });
    const error = await expectCode(runtime, { folder, file: "a.js", funcName: "f" }, "RUNTIME_ERROR");
    expect(error.message).toContain("timer boom");
  });

  it("context is the request's context, read-only, and a copy", async () => {
    const folder = makeTenant({
      "a.js": [
        "exports.f = () => {",
        "  const r = { seen: context };",
        "  try { context.userId = 'mallory'; r.write = 'allowed'; } catch (e) { r.write = e.name; }",
        "  try { context.nested.role = 'admin'; r.nested = 'allowed'; } catch (e) { r.nested = e.name; }",
        "  try { context = { userId: 'mallory' }; r.assign = 'allowed'; } catch (e) { r.assign = e.name; }",
        "  try { delete context.userId; r.del = 'allowed'; } catch (e) { r.del = e.name; }",
        "  r.after = [context.userId, context.nested.role];",
        "  return r;",
        "};",
      ].join("\n"),
    });
    const ctx = { userId: "u1", nested: { role: "viewer" }, when: new Date(0) };
    const value = (await runtime.run({ folder, file: "a.js", funcName: "f", context: ctx })) as Record<string, unknown>;
    expect(value.seen).toEqual({ userId: "u1", nested: { role: "viewer" }, when: "1970-01-01T00:00:00.000Z" });
    // Writes either throw or are ignored; the tenant keeps seeing the original data.
    expect(value.after).toEqual(["u1", "viewer"]);
    // The host's object is untouched.
    expect(ctx).toEqual({ userId: "u1", nested: { role: "viewer" }, when: new Date(0) });
  });

  it("context of one call is not the context of the next", async () => {
    const folder = makeTenant({ "a.js": "exports.f = () => context && context.userId;" });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f", context: { userId: "alice" } })).resolves.toBe("alice");
    await expect(runtime.run({ folder, file: "a.js", funcName: "f", context: { userId: "bob" } })).resolves.toBe("bob");
    const noContext = await runtime.run({ folder, file: "a.js", funcName: "f" });
    expect(noContext == null).toBe(true);
  });

  it("structuredClone, URL, URLSearchParams, TextEncoder, TextDecoder, atob, btoa", async () => {
    const folder = makeTenant({
      "a.js": [
        "exports.f = () => {",
        "  const src = { a: [1, { b: 2 }], m: new Map([['k', 1]]), d: new Date(0) };",
        "  const copy = structuredClone(src);",
        "  const url = new URL('https://user@example.com:8080/p/a?x=1&y=two#frag');",
        "  const params = new URLSearchParams('a=1&b=2&a=3');",
        "  params.append('c', 'd e');",
        "  const bytes = new TextEncoder().encode('héllo');",
        "  return {",
        "    cloneEqual: copy.a[1].b === 2 && copy.m.get('k') === 1 && copy.d.getTime() === 0,",
        "    cloneDistinct: copy !== src && copy.a !== src.a && copy.m !== src.m,",
        "    url: [url.hostname, url.port, url.pathname, url.searchParams.get('y'), url.hash, url.username],",
        "    relative: new URL('../q', 'https://example.com/a/b/c').href,",
        "    params: [params.getAll('a'), params.get('b'), params.toString()],",
        "    bytes: [bytes.length, bytes instanceof Uint8Array],",
        "    decoded: new TextDecoder().decode(bytes),",
        "    b64: [btoa('hello'), atob('aGVsbG8=')],",
        "    types: [typeof structuredClone, typeof URL, typeof URLSearchParams, typeof TextEncoder, typeof TextDecoder, typeof atob, typeof btoa, typeof callTool],",
        "  };",
        "};",
      ].join("\n"),
    });
    const value = (await runtime.run({ folder, file: "a.js", funcName: "f" })) as Record<string, unknown>;
    expect(value).toEqual({
      cloneEqual: true,
      cloneDistinct: true,
      url: ["example.com", "8080", "/p/a", "two", "#frag", "user"],
      relative: "https://example.com/a/q",
      params: [["1", "3"], "2", "a=1&b=2&a=3&c=d+e"],
      bytes: [6, true],
      decoded: "héllo",
      b64: ["aGVsbG8=", "hello"],
      types: ["function", "function", "function", "function", "function", "function", "function", "function"],
    });
  });

  it("a method assigned over an inherited built-in one lands on the object, strict or sloppy; the shared built-in stays as it is", async () => {
    // core-js-pure does `store.get = store.get` on a WeakMap; sloppy code that overrode `push` saw it ignored.
    const folder = makeTenant({
      "strict.js": [
        '"use strict";',
        "exports.f = () => {",
        "  const m = new WeakMap(); m.get = m.get;",
        "  const a = []; a.push = function (x) { Array.prototype.push.call(this, x * 10); }; a.push(1);",
        "  let shared; try { Array.prototype.push = () => 0; shared = 'assigned'; } catch (e) { shared = e.name; }",
        "  const d = Object.getOwnPropertyDescriptor(Map.prototype, 'get');",
        "  return [Object.hasOwn(m, 'get'), a, shared, [1, 2].push(3), d.get.originalValue === Map.prototype.get];",
        "};",
      ].join("\n"),
      "sloppy.js": [
        "exports.f = () => {",
        "  var a = []; a.push = function (x) { Array.prototype.push.call(this, x * 10); }; a.push(1);",
        "  var m = new Map(); m.set = function (k, v) { return Map.prototype.set.call(this, k, v * 2); }; m.set('k', 1);",
        "  var b = []; b.push(1);",
        "  return [a, m.get('k'), b];",
        "};",
      ].join("\n"),
    });
    await expect(runtime.run({ folder, file: "strict.js", funcName: "f" })).resolves.toEqual([true, [10], "TypeError", 3, true]);
    await expect(runtime.run({ folder, file: "sloppy.js", funcName: "f" })).resolves.toEqual([[10], 2, [1]]);
  });

  it("Symbol.observable is there, as the Observable ponyfills define it at load (symbol-observable 1.x assigns it in strict code), and interoperates", async () => {
    const folder = makeTenant({
      // symbol-observable 1.2's ponyfill, as Babel compiled it.
      ...libraryPackage("ponyfill", '"use strict";\nvar S = global.Symbol; var result;\nif (S.observable) { result = S.observable; } else { result = S("observable"); S.observable = result; }\nmodule.exports = result;\n'),
      "a.js": [
        "const $$observable = require('ponyfill');",
        "exports.f = () => {",
        "  const source = { [$$observable]() { return this; }, subscribe(o) { o.next(1); return { unsubscribe() {} }; } };",
        "  let assigned; try { Symbol.observable = Symbol('other'); assigned = 'assigned'; } catch (e) { assigned = e.name; }",
        "  return [typeof Symbol.observable, $$observable === Symbol.observable, Symbol.observable.description, typeof source[Symbol.observable], assigned];",
        "};",
      ].join("\n"),
    });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual(["symbol", true, "Symbol.observable", "function", "TypeError"]);
  });

  it("the properties V8 guards with its protectors stay data properties (made accessors, spread, map and slice ran 4-30x slower)", async () => {
    const folder = makeTenant({
      "p.js": [
        "exports.f = () => {",
        "  const data = (o, k) => 'value' in Object.getOwnPropertyDescriptor(o, k);",
        "  const iterators = [Array.prototype, String.prototype, Map.prototype, Set.prototype, Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]()))];",
        "  return [",
        "    iterators.every((o) => data(o, Symbol.iterator)),",
        "    data(Array.prototype, 'constructor'), data(Promise.prototype, 'then'),",
        "    ['entries', 'keys', 'values'].every((k) => data(Map.prototype, k) && data(Set.prototype, k)),",
        "    ['exec', Symbol.replace, Symbol.split, Symbol.match, 'flags'].every((k) => k === 'flags' || data(RegExp.prototype, k)),",
        "    data(Array.prototype, 'push'),",
        "  ];",
        "};",
      ].join("\n"),
    });
    // The last: an ordinary method is an accessor (assignable on one's own object), as the test above needs.
    await expect(runtime.run({ folder, file: "p.js", funcName: "f" })).resolves.toEqual([true, true, true, true, true, false]);
  });

  it("TextEncoder.encodeInto writes the whole code points that fit, as Node does", async () => {
    const folder = makeTenant({
      "e.js": [
        "exports.f = (cases) => cases.map(([text, size]) => {",
        "  const dest = new Uint8Array(size);",
        "  const { read, written } = new TextEncoder().encodeInto(text, dest);",
        "  return [read, written, [...dest]];",
        "});",
        "exports.bad = () => { try { new TextEncoder().encodeInto('a', [0]); return 'wrote'; } catch (e) { return e.name; } };",
      ].join("\n"),
    });
    const cases: [string, number][] = [["héllo", 10], ["héllo", 2], ["a\u{1F600}b", 4], ["a\u{1F600}b", 5], ["a\u{1F600}b", 6], ["x\ud800y", 8], ["", 3], ["€€", 5]];
    const node = cases.map(([text, size]) => {
      const dest = new Uint8Array(size);
      const { read, written } = new TextEncoder().encodeInto(text, dest);
      return [read, written, [...dest]];
    });
    await expect(runtime.run({ folder, file: "e.js", funcName: "f", args: [cases] })).resolves.toEqual(node);
    await expect(runtime.run({ folder, file: "e.js", funcName: "bad" })).resolves.toBe("TypeError");
  });

  it("TextDecoder decodes UTF-16 (LE, BE, with its BOM) and latin1/windows-1252 as Node does", async () => {
    const folder = makeTenant({
      "d.js": [
        "exports.f = (le, be, latin) => {",
        "  const bytes = (list) => new Uint8Array(list);",
        "  const out = [",
        "    new TextDecoder('utf-16le').decode(bytes(le)),",
        "    new TextDecoder('utf-16be').decode(bytes(be)),",
        "    new TextDecoder('latin1').decode(bytes(latin)),",
        "    new TextDecoder('utf-16le').encoding, new TextDecoder('ascii').encoding,",
        "    new TextDecoder('utf-16le').decode(bytes([0x41, 0x00, 0x42])),",
        "  ];",
        "  try { new TextDecoder('utf-16le', { fatal: true }).decode(bytes([0x41])); out.push('decoded'); } catch (e) { out.push(e.name); }",
        "  try { new TextDecoder('koi8-r').decode(bytes([0xc1])) === '\u0430' && new TextDecoder('utf-32'); out.push('made'); } catch (e) { out.push(e.name); }",
        "  return out;",
        "};",
      ].join("\n"),
    });
    const le = [...Buffer.from("\ufeffhé €", "utf16le")];
    const be = [...Buffer.from("hé €", "utf16le")].map((_, i, all) => all[i % 2 === 0 ? i + 1 : i - 1]!);
    const latin = [0x63, 0x61, 0x66, 0xe9, 0x20, 0x80, 0x9f];
    const node = [new TextDecoder("utf-16le").decode(new Uint8Array(le)), new TextDecoder("utf-16be").decode(new Uint8Array(be)), new TextDecoder("latin1").decode(new Uint8Array(latin))];
    await expect(runtime.run({ folder, file: "d.js", funcName: "f", args: [le, be, latin] })).resolves.toEqual([
      ...node,
      "utf-16le",
      "windows-1252",
      "A\ufffd",
      "TypeError",
      "RangeError",
    ]);
    expect(node).toEqual(["hé €", "hé €", "café €Ÿ"]);
  });

  it("TextDecoder joins UTF-16 surrogate pairs, replaces unpaired ones (or throws when fatal), trims labels and decodes streams in pieces, as Node does", async () => {
    const folder = makeTenant({
      "s.js": [
        "exports.f = (cases) => cases.map(([label, chunks, fatal]) => {",
        "  try {",
        "    const d = new TextDecoder(label, { fatal });",
        "    let out = '';",
        "    chunks.forEach((chunk, i) => (out += d.decode(new Uint8Array(chunk), { stream: i < chunks.length - 1 })));",
        "    return [...out].map((c) => c.codePointAt(0));",
        "  } catch (e) { return e.name; }",
        "});",
      ].join("\n"),
    });
    const cases: [string, number[][], boolean][] = [
      ["utf-16le", [[0x00, 0xdc]], false],
      ["utf-16le", [[0x3d, 0xd8]], true],
      ["utf-16le", [[0x3d, 0xd8, 0x00, 0xde]], false],
      ["utf-16le", [[0x41], [0x00]], false],
      ["utf-16le", [[0xff, 0xfe, 0x41, 0x00], [0xff, 0xfe]], false],
      [" UTF-16BE ", [[0x00, 0x41, 0xd8], [0x3d, 0xde, 0x00]], false],
      ["utf-8", [[0xe2, 0x82], [0xac]], false],
      ["unicode", [[0x41, 0x00]], false],
    ];
    const node = cases.map(([label, chunks, fatal]) => {
      try {
        const d = new TextDecoder(label, { fatal });
        let out = "";
        chunks.forEach((chunk, i) => (out += d.decode(new Uint8Array(chunk), { stream: i < chunks.length - 1 })));
        return [...out].map((c) => c.codePointAt(0));
      } catch (e) {
        return (e as Error).name;
      }
    });
    await expect(runtime.run({ folder, file: "s.js", funcName: "f", args: [cases] })).resolves.toEqual(node);
  });

  it("invalid URLs and bad base64 throw inside the sandbox as catchable errors", async () => {
    const folder = makeTenant({
      "a.js": [
        "exports.f = () => {",
        "  const out = [];",
        "  try { new URL('not a url'); out.push('parsed'); } catch (e) { out.push(e instanceof TypeError); }",
        "  try { atob('***'); out.push('decoded'); } catch (e) { out.push(e instanceof Error); }",
        "  try { btoa('\\u0100'); out.push('encoded'); } catch (e) { out.push(e instanceof Error); }",
        "  return out;",
        "};",
      ].join("\n"),
    });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual([true, true, true]);
  });
});

describe("a call's stats", () => {
  it("say where its time went: loading the graph (a new file's validation) apart from the time inside the worker", async () => {
    const folder = makeTenant({ "s.js": `exports.f = () => ${JSON.stringify("x".repeat(20_000))}.length;\n` });
    const first = await runtime.execute({ folder, file: "s.js", funcName: "f" });
    const again = await runtime.execute({ folder, file: "s.js", funcName: "f" });
    for (const { stats } of [first, again]) {
      expect(stats.loadMs).toBeGreaterThanOrEqual(0);
      expect(stats.loadMs + stats.durationMs).toBeLessThanOrEqual(stats.totalMs + 0.001);
    }
    // The first call validated the file on a loader thread; the second found the version loaded.
    expect(first.stats.loadMs).toBeGreaterThan(again.stats.loadMs);
    const refused = await runtime.execute({ folder, file: "missing.js", funcName: "f" });
    expect(refused.stats.loadMs).toBeGreaterThanOrEqual(0);
  });
});

describe("how a call ends", () => {
  it("thrown non-Error values and rejected promises are RUNTIME_ERROR", async () => {
    const folder = makeTenant({
      "e.js": [
        "exports.str = () => { throw 'plain string'; };",
        "exports.nul = () => { throw null; };",
        "exports.num = () => { throw 42; };",
        "exports.rejected = () => Promise.reject(new RangeError('rejected here'));",
        "exports.asyncThrow = async () => { await null; throw new SyntaxError('async syntax'); };",
        "exports.obj = () => { throw { code: 42, reason: 'x'.repeat(100), nested: { a: 1 }, list: [1] }; };",
        "exports.arr = () => { throw [1, 'two', null]; };",
        "exports.many = () => { const o = {}; for (let i = 0; i < 100000; i++) o['k' + i] = i; throw o; };",
      ].join("\n"),
    });
    // A thrown object or array says what it was, one level deep and bounded.
    const obj = await expectCode(runtime, { folder, file: "e.js", funcName: "obj" }, "RUNTIME_ERROR");
    expect(obj.message).toBe(`Uncaught {"code":42,"reason":"${"x".repeat(60)}…","nested":{…},"list":[…]}`);
    expect((await expectCode(runtime, { folder, file: "e.js", funcName: "arr" }, "RUNTIME_ERROR")).message).toBe('Uncaught [1,"two",null]');
    expect((await expectCode(runtime, { folder, file: "e.js", funcName: "many" }, "RUNTIME_ERROR")).message).toBe(
      'Uncaught {"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,…}',
    );
    expect((await expectCode(runtime, { folder, file: "e.js", funcName: "str" }, "RUNTIME_ERROR")).message).toContain("plain string");
    await expectCode(runtime, { folder, file: "e.js", funcName: "nul" }, "RUNTIME_ERROR");
    expect((await expectCode(runtime, { folder, file: "e.js", funcName: "num" }, "RUNTIME_ERROR")).message).toContain("42");
    const rejected = await expectCode(runtime, { folder, file: "e.js", funcName: "rejected" }, "RUNTIME_ERROR");
    expect(rejected.message).toContain("rejected here");
    expect(rejected.details?.name).toBe("RangeError");
    const asyncThrow = await expectCode(runtime, { folder, file: "e.js", funcName: "asyncThrow" }, "RUNTIME_ERROR");
    expect(asyncThrow.details?.name).toBe("SyntaxError");
  });

  it("an unhandled rejection left behind does not change the result or harm the worker", async () => {
    const folder = makeTenant({
      "u.js": "exports.f = () => { Promise.reject(new Error('nobody handles me')); setTimeout(() => Promise.reject(new Error('later')), 1); return 'ok'; };",
    });
    for (let i = 0; i < 3; i++) await expect(runtime.run({ folder, file: "u.js", funcName: "f" })).resolves.toBe("ok");
    await expectUsable(runtime);
  });

  it("the value of the first settlement wins; later throws in timers do not change it", async () => {
    const folder = makeTenant({
      "s.js": "exports.f = () => new Promise((resolve) => { setTimeout(() => resolve('first'), 1); setTimeout(() => { throw new Error('after'); }, 20); });",
    });
    await expect(runtime.run({ folder, file: "s.js", funcName: "f" })).resolves.toBe("first");
  });
});

describe("globals that are absent", () => {
  it("require, module, WebAssembly, SharedArrayBuffer, Atomics, fetch and friends are undefined; process, Buffer, global and setImmediate are the realm's (CommonJS)", async () => {
    const folder = makeTenant({
      "a.js": [
        "exports.f = () => ({",
        "  process: typeof process,",
        "  Buffer: typeof Buffer,",
        "  WebAssembly: typeof WebAssembly,",
        "  SharedArrayBuffer: typeof SharedArrayBuffer,",
        "  Atomics: typeof Atomics,",
        "  global: global === globalThis,",
        "  setImmediate: typeof setImmediate,",
        "  globalRequire: typeof globalThis.require,",
        "  globalModule: typeof globalThis.module,",
        "  fetch: typeof globalThis.fetch,",
        "  names: ['require', 'module', 'WebAssembly', 'SharedArrayBuffer', 'Atomics', 'fetch', 'FinalizationRegistry'].filter((n) => n in globalThis),",
        "});",
      ].join("\n"),
    });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual({
      process: "object",
      Buffer: "function",
      WebAssembly: "undefined",
      SharedArrayBuffer: "undefined",
      Atomics: "undefined",
      global: true,
      setImmediate: "function",
      globalRequire: "undefined",
      globalModule: "undefined",
      fetch: "undefined",
      names: [],
    });
  });

  it("the same from an ES module, where require and module do not exist at all", async () => {
    const folder = makeTenant({
      "a.mjs": [
        "export function f() {",
        "  const g = globalThis;",
        "  return [typeof process, typeof Buffer, typeof g['req' + 'uire'], typeof g.module, typeof g.exports, typeof WebAssembly, typeof SharedArrayBuffer, typeof Atomics];",
        "}",
      ].join("\n"),
    });
    await expect(runtime.run({ folder, file: "a.mjs", funcName: "f" })).resolves.toEqual(["object", "function", ...new Array(6).fill("undefined")]);
  });
});

describe("values cross as JSON", () => {
  const folderFor = () =>
    makeTenant({
      "j.js": [
        "exports.describeArg = (d) => [typeof d, d];",
        "exports.nothing = () => undefined;",
        "exports.nothingAsync = async () => {};",
        "exports.date = () => new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 6));",
        "exports.mixed = () => ({ keep: 1, drop: undefined, fn() {}, nan: NaN, inf: -Infinity, arr: [undefined, () => 1], m: new Map([[1, 2]]), nested: { d: new Date(0) } });",
        "exports.fn = () => function () {};",
        "exports.big = () => 10n;",
        "exports.cyclic = () => { const o = {}; o.self = o; return o; };",
        "exports.withToJSON = () => ({ toJSON() { return { serialized: 'inside' }; } });",
        "exports.nullValue = () => null;",
        "exports.args = (...all) => all;",
      ].join("\n"),
    });

  it("a Date argument arrives as its ISO string", async () => {
    const folder = folderFor();
    await expect(runtime.run({ folder, file: "j.js", funcName: "describeArg", args: [new Date(0)] })).resolves.toEqual([
      "string",
      "1970-01-01T00:00:00.000Z",
    ]);
  });

  it("arguments are copies: undefined in arrays becomes null, functions and undefined properties vanish", async () => {
    const folder = folderFor();
    const arg = { a: 1, u: undefined, list: [1, undefined] };
    await expect(runtime.run({ folder, file: "j.js", funcName: "args", args: [arg, "s", 2, true, null] })).resolves.toEqual([
      { a: 1, list: [1, null] },
      "s",
      2,
      true,
      null,
    ]);
  });

  it("a top-level undefined return stays undefined (run and execute)", async () => {
    const folder = folderFor();
    await expect(runtime.run({ folder, file: "j.js", funcName: "nothing" })).resolves.toBeUndefined();
    await expect(runtime.run({ folder, file: "j.js", funcName: "nothingAsync" })).resolves.toBeUndefined();
    const report = await runtime.execute({ folder, file: "j.js", funcName: "nothing" });
    expect(report.success).toBe(true);
    expect(report.value).toBeUndefined();
    await expect(runtime.run({ folder, file: "j.js", funcName: "nullValue" })).resolves.toBeNull();
  });

  it("a returned Date becomes its ISO string; JSON rules apply to the rest", async () => {
    const folder = folderFor();
    await expect(runtime.run({ folder, file: "j.js", funcName: "date" })).resolves.toBe("2020-01-02T03:04:05.006Z");
    await expect(runtime.run({ folder, file: "j.js", funcName: "mixed" })).resolves.toEqual({
      keep: 1,
      nan: null,
      inf: null,
      arr: [null, null],
      m: {},
      nested: { d: "1970-01-01T00:00:00.000Z" },
    });
    await expect(runtime.run({ folder, file: "j.js", funcName: "withToJSON" })).resolves.toEqual({ serialized: "inside" });
  });

  it("a returned function is undefined; BigInt and cycles are RUNTIME_ERROR", async () => {
    const folder = folderFor();
    await expect(runtime.run({ folder, file: "j.js", funcName: "fn" })).resolves.toBeUndefined();
    await expectCode(runtime, { folder, file: "j.js", funcName: "big" }, "RUNTIME_ERROR");
    await expectCode(runtime, { folder, file: "j.js", funcName: "cyclic" }, "RUNTIME_ERROR");
  });

  it("more than maxOutputBytes is OUTPUT_TOO_LARGE, at or under it is fine (bytes, not characters)", async () => {
    const small = makeRuntime({ maxOutputBytes: 1024, maxThreads: 1 });
    try {
      const folder = makeTenant({
        "o.js": [
          "exports.str = (n) => 'x'.repeat(n);",
          "exports.arr = (n) => new Array(n).fill(1);",
          "exports.multibyte = (n) => 'é'.repeat(n);",
          "exports.deep = (n) => { const out = []; for (let i = 0; i < n; i++) out.push({ k: 'v' + i }); return out; };",
        ].join("\n"),
      });
      await expect(small.run({ folder, file: "o.js", funcName: "str", args: [1000] })).resolves.toHaveLength(1000);
      await expectCode(small, { folder, file: "o.js", funcName: "str", args: [1100] }, "OUTPUT_TOO_LARGE");
      await expectCode(small, { folder, file: "o.js", funcName: "str", args: [5_000_000] }, "OUTPUT_TOO_LARGE");
      await expectCode(small, { folder, file: "o.js", funcName: "arr", args: [2000] }, "OUTPUT_TOO_LARGE");
      await expectCode(small, { folder, file: "o.js", funcName: "deep", args: [500] }, "OUTPUT_TOO_LARGE");
      // 600 'é' are 1200 bytes of UTF-8 (plus quotes): over the limit although only 602 characters.
      await expectCode(small, { folder, file: "o.js", funcName: "multibyte", args: [600] }, "OUTPUT_TOO_LARGE");
      const report = await small.execute({ folder, file: "o.js", funcName: "str", args: [4000] });
      expect(report.success).toBe(false);
      expect(report.error?.code).toBe("OUTPUT_TOO_LARGE");
    } finally {
      await small.close();
    }
  });

  it("a return value nested too deeply is OUTPUT_TOO_LARGE, whatever the serializer's stack; a tenant's own recursion stays RUNTIME_ERROR", async () => {
    const folder = makeTenant({
      "d.js": [
        "exports.arrays = (n) => { const top = []; let at = top; for (let i = 1; i < n; i++) { const inner = []; at.push(inner); at = inner; } return top; };",
        "exports.objects = (n) => { const top = {}; let at = top; for (let i = 1; i < n; i++) { at.a = {}; at = at.a; } return top; };",
        "exports.selfJson = () => ({ toJSON() { return this.toJSON(); } });",
      ].join("\n"),
    });
    // Past the 3,000 levels the host parses: said as that (it was RUNTIME_ERROR 'Maximum call stack size exceeded').
    for (const funcName of ["arrays", "objects"]) {
      for (const n of [4_500, 100_000]) {
        const report = await runtime.execute({ folder, file: "d.js", funcName, args: [n] });
        expect(report.error, `${funcName} ${n}`).toMatchObject({ code: "OUTPUT_TOO_LARGE", message: "return value is nested more than 3000 levels deep" });
      }
    }
    await expect(runtime.run({ folder, file: "d.js", funcName: "objects", args: [3000] })).resolves.toBeTypeOf("object");
    // Arrays within arrays run V8's serializer out of stack sooner (with isolation process): a limit of the output too.
    const arrays = await runtime.execute({ folder, file: "d.js", funcName: "arrays", args: [2_900] });
    if (!arrays.success) expect(arrays.error).toMatchObject({ code: "OUTPUT_TOO_LARGE", message: expect.stringMatching(/nested too deeply to serialize/) });
    const own = await runtime.execute({ folder, file: "d.js", funcName: "selfJson" });
    expect(own.error).toMatchObject({ code: "RUNTIME_ERROR", message: expect.stringMatching(/Maximum call stack size exceeded/) });
    await expectUsable(runtime);
  });

  it("a return value that cannot be serialized cannot be caught around by the tenant", async () => {
    // OUTPUT_TOO_LARGE applies even when the tenant wraps the value in a getter that swallows errors.
    const small = makeRuntime({ maxOutputBytes: 64, maxThreads: 1 });
    try {
      const folder = makeTenant({
        "o.js": "exports.f = () => ({ get a() { return 'y'.repeat(200); } });",
      });
      await expectCode(small, { folder, file: "o.js", funcName: "f" }, "OUTPUT_TOO_LARGE");
    } finally {
      await small.close();
    }
  });
});

describe("console limits", () => {
  it("maxLogBytes truncates the logs and adds a marker, and the call still succeeds", async () => {
    const small = makeRuntime({ maxLogBytes: 100, maxThreads: 1 });
    try {
      const folder = makeTenant({
        "l.js": "exports.f = () => { for (let i = 0; i < 1000; i++) console.log('line-' + String(i).padStart(4, '0')); return 'done'; };",
      });
      const report = await small.execute({ folder, file: "l.js", funcName: "f" });
      expect(report.success).toBe(true);
      expect(report.value).toBe("done");
      const markers = report.logs.filter((l) => /truncat/i.test(l.message));
      expect(markers).toHaveLength(1);
      expect(report.logs[report.logs.length - 1]).toBe(markers[0]);
      const kept = report.logs.filter((l) => !/truncat/i.test(l.message));
      expect(kept[0]!.message).toBe("line-0000");
      // Each entry counts its text plus a 16-byte overhead (so empty lines are not free).
      const keptBytes = kept.reduce((n, l) => n + Buffer.byteLength(l.message, "utf8") + 16, 0);
      expect(keptBytes).toBeLessThanOrEqual(100);
      expect(keptBytes).toBeGreaterThan(50);
      expect(kept.length).toBeLessThan(20);
    } finally {
      await small.close();
    }
  });

  it("one huge log line is truncated too", async () => {
    const small = makeRuntime({ maxLogBytes: 1000, maxThreads: 1 });
    try {
      const folder = makeTenant({ "l.js": "exports.f = () => { console.log('z'.repeat(100000)); return 1; };" });
      const report = await small.execute({ folder, file: "l.js", funcName: "f" });
      expect(report.success).toBe(true);
      const total = report.logs.reduce((n, l) => n + Buffer.byteLength(l.message, "utf8"), 0);
      expect(total).toBeLessThan(1000 + 200);
      expect(report.logs.some((l) => /truncat/i.test(l.message))).toBe(true);
    } finally {
      await small.close();
    }
  });

  it("process.stdout.write, process.stderr.write and emitWarning keep 16 KiB of a line, as console does", async () => {
    const folder = makeTenant({
      "w.js": "exports.f = () => { process.stdout.write('o'.repeat(100000)); process.stderr.write('e'.repeat(100000)); process.emitWarning('w'.repeat(100000)); return 1; };",
    });
    const report = await runtime.execute({ folder, file: "w.js", funcName: "f" });
    expect(report.success).toBe(true);
    expect(report.logs.map((l) => [l.level, l.message.length, l.message.endsWith("…")])).toEqual([
      ["log", 16 * 1024 + 1, true],
      ["error", 16 * 1024 + 1, true],
      ["warn", 16 * 1024 + 1, true],
    ]);
  });

  it("console.count and console.timeEnd keep 16 KiB of a line too: their label is not cut before it crosses", async () => {
    const folder = makeTenant({
      "c.js": "exports.f = () => { const label = 'c'.repeat(100000); console.count(label); console.time(label); console.timeEnd(label); return 1; };",
    });
    const report = await runtime.execute({ folder, file: "c.js", funcName: "f" });
    expect(report.success).toBe(true);
    expect(report.logs.map((l) => [l.level, l.message.length, l.message.endsWith("…")])).toEqual([
      ["info", 16 * 1024 + 1, true],
      ["info", 16 * 1024 + 1, true],
    ]);
  });
});

describe("tools", () => {
  it("callTool reaches toolHandler(name, args, { folder, file, funcName, context }) and returns its result", async () => {
    const folder = makeTenant({
      "hooks/t.js": "exports.useTool = async (x) => { const r = await callTool('echo', { x, when: new Date(0) }); return r; };",
    });
    const before = toolCalls.length;
    const context = { userId: "u-77", plan: "pro" };
    const report = await runtime.execute({ folder, file: "hooks/t.js", funcName: "useTool", args: [5], context });
    expect(report.success).toBe(true);
    expect(report.value).toEqual({ got: { x: 5, when: "1970-01-01T00:00:00.000Z" } });
    expect(report.stats.toolCalls).toBe(1);
    const calls = toolCalls.slice(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.name).toBe("echo");
    expect(calls[0]!.args).toEqual({ x: 5, when: "1970-01-01T00:00:00.000Z" });
    expect(calls[0]!.ctx).toEqual({ folder, file: "hooks/t.js", funcName: "useTool", context });
  });

  it("a tool returning undefined or a Date gives undefined or the ISO string inside", async () => {
    const folder = makeTenant({ "t.js": "exports.f = async () => { const a = await callTool('nothing'); const d = await callTool('date', {}); return [typeof a, d]; };" });
    await expect(runtime.run({ folder, file: "t.js", funcName: "f" })).resolves.toEqual(["undefined", "1970-01-01T00:00:00.000Z"]);
  });

  it("a handler that throws is TOOL_ERROR with its message", async () => {
    const folder = makeTenant({ "t.js": "exports.f = async () => { await callTool('fail', { q: 1 }); return 'unreachable'; };" });
    const error = await expectCode(runtime, { folder, file: "t.js", funcName: "f" }, "TOOL_ERROR");
    expect(error.message).toContain('db down: {"q":1}');
  });

  it("a handler that throws a non-Error is TOOL_ERROR with its text", async () => {
    const folder = makeTenant({ "t.js": "exports.f = async () => callTool('failString');" });
    const error = await expectCode(runtime, { folder, file: "t.js", funcName: "f" }, "TOOL_ERROR");
    expect(error.message).toContain("plain string failure");
  });

  it("the tenant can catch a tool error: a plain sandbox error with code and message, no host stack", async () => {
    const folder = makeTenant({
      "t.js": [
        "exports.f = async () => {",
        "  try { await callTool('fail', 'x'); return 'no error'; }",
        "  catch (e) { return { isError: e instanceof Error, code: e.code, message: e.message, stack: String(e.stack), keys: Object.keys(e) }; }",
        "};",
      ].join("\n"),
    });
    const value = (await runtime.run({ folder, file: "t.js", funcName: "f" })) as Record<string, unknown>;
    expect(value.isError).toBe(true);
    expect(value.code).toBe("TOOL_ERROR");
    expect(value.message).toContain("db down");
    expect(value.stack).not.toContain(process.cwd());
    expect(value.stack).not.toMatch(/node:internal|sandbox\.test|helpers\.ts|isolated-runtime/);
  });

  it("a caught tool error cannot produce process through e.constructor.constructor (PERMISSIVE)", async () => {
    const permissive = makeRuntime({ toolHandler, securityLevel: "PERMISSIVE", maxThreads: 1 });
    try {
      const folder = makeTenant({
        "t.js": `${PROBE}
exports.f = async () => {
  const out = {};
  try { await callTool('fail', 1); } catch (e) { out.rejection = probe(e); out.proto = probe(Object.getPrototypeOf(e)); }
  out.promise = probe(callTool('echo', 1));
  out.result = probe(await callTool('echo', 2));
  return out;
};`,
      });
      const value = (await permissive.run({ folder, file: "t.js", funcName: "f" })) as Record<string, string>;
      for (const [where, outcome] of Object.entries(value)) {
        expect(outcome, where).toMatch(/^blocked:|^got:undefined$/);
      }
      expect(Object.keys(value).sort()).toEqual(["promise", "proto", "rejection", "result"]);
    } finally {
      await permissive.close();
    }
  });

  it("more than maxToolCalls is MAX_TOOL_CALLS, even when the tenant catches it", async () => {
    const limited = makeRuntime({ toolHandler, maxToolCalls: 3, maxThreads: 1 });
    try {
      const folder = makeTenant({
        "t.js": [
          "exports.calls = async (n) => { for (let i = 0; i < n; i++) await callTool('echo', i); return n; };",
          "exports.swallow = async () => { for (let i = 0; i < 10; i++) { try { await callTool('echo', i); } catch (e) {} } return 'swallowed'; };",
          "exports.parallel = async () => Promise.all([1, 2, 3, 4, 5].map((i) => callTool('echo', i).catch(() => 'caught')));",
        ].join("\n"),
      });
      await expect(limited.run({ folder, file: "t.js", funcName: "calls", args: [3] })).resolves.toBe(3);
      await expectCode(limited, { folder, file: "t.js", funcName: "calls", args: [4] }, "MAX_TOOL_CALLS");
      await expectCode(limited, { folder, file: "t.js", funcName: "swallow" }, "MAX_TOOL_CALLS");
      await expectCode(limited, { folder, file: "t.js", funcName: "parallel" }, "MAX_TOOL_CALLS");
      // The budget is per invocation.
      await expect(limited.run({ folder, file: "t.js", funcName: "calls", args: [3] })).resolves.toBe(3);
    } finally {
      await limited.close();
    }
  });

  it("callTool without a toolHandler is TOOL_ERROR", async () => {
    const bare = makeRuntime({ maxThreads: 1 });
    try {
      const folder = makeTenant({ "t.js": "exports.f = async () => callTool('echo', 1);" });
      await expectCode(bare, { folder, file: "t.js", funcName: "f" }, "TOOL_ERROR");
    } finally {
      await bare.close();
    }
  });

  it("tool time counts against the timeout", async () => {
    const folder = makeTenant({
      "t.js": [
        "exports.one = async () => callTool('slow', { ms: 2000 });",
        "exports.many = async () => { for (let i = 0; i < 10; i++) await callTool('slow', { ms: 100 }); return 'all done'; };",
      ].join("\n"),
    });
    let started = Date.now();
    const error = await expectCode(runtime, { folder, file: "t.js", funcName: "one", timeout: 300 }, "TIMEOUT");
    expect(error.message.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(1500);
    // Ten 100 ms calls (1 s) do not fit in 500 ms, although each fits on its own.
    started = Date.now();
    await expectCode(runtime, { folder, file: "t.js", funcName: "many", timeout: 500 }, "TIMEOUT");
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("a tool result that is not JSON-serializable is TOOL_ERROR; non-serializable tool arguments reject inside", async () => {
    const folder = makeTenant({
      "t.js": [
        "exports.badResult = async () => callTool('bigint', {});",
        "exports.badArgs = async () => { try { await callTool('echo', { n: 1n }); return 'sent'; } catch (e) { return e.code || e.name; } };",
      ].join("\n"),
    });
    await expectCode(runtime, { folder, file: "t.js", funcName: "badResult" }, "TOOL_ERROR");
    const before = toolCalls.length;
    await expect(runtime.run({ folder, file: "t.js", funcName: "badArgs" })).resolves.toMatch(/TOOL_ERROR|TypeError/);
    expect(toolCalls.length).toBe(before);
  });

  it("concurrent tool calls in one invocation each get their own result", async () => {
    const folder = makeTenant({
      "t.js": "exports.f = async (n) => Promise.all(Array.from({ length: n }, (_, i) => callTool('double', { n: i })));",
    });
    await expect(runtime.run({ folder, file: "t.js", funcName: "f", args: [12] })).resolves.toEqual(Array.from({ length: 12 }, (_, i) => i * 2));
  });

  it("many concurrent invocations with tools, context and logs never mix up their data", async () => {
    const folder = makeTenant({
      "t.js": [
        "exports.f = async (n) => {",
        "  console.log('start ' + n);",
        "  const doubled = await callTool('double', { n });",
        "  await new Promise((r) => setTimeout(r, n % 3));",
        "  console.log('end ' + n);",
        "  return { n, doubled, user: context.user };",
        "};",
      ].join("\n"),
    });
    const reports = await Promise.all(
      Array.from({ length: 40 }, (_, n) => runtime.execute({ folder, file: "t.js", funcName: "f", args: [n], context: { user: `user-${n}` } })),
    );
    reports.forEach((report, n) => {
      expect(report.success, JSON.stringify(report.error)).toBe(true);
      expect(report.value).toEqual({ n, doubled: n * 2, user: `user-${n}` });
      expect(report.logs).toEqual([
        { level: "log", message: `start ${n}` },
        { level: "log", message: `end ${n}` },
      ]);
    });
    const handled = toolCalls.filter((c) => c.name === "double" && c.ctx.file === "t.js" && c.ctx.folder === folder);
    expect(handled).toHaveLength(40);
    for (const call of handled) {
      const n = (call.args as { n: number }).n;
      // The handler learns the context of the invocation that called it, not another one's.
      expect(call.ctx).toEqual({ folder, file: "t.js", funcName: "f", context: { user: `user-${n}` } });
    }
  });

  it("a tool reply that arrives after its invocation timed out does not reach a later invocation", async () => {
    const single = makeRuntime({ toolHandler, maxThreads: 1 });
    try {
      const folder = makeTenant({
        "t.js": [
          "exports.slow = async () => callTool('slow', { ms: 300 });",
          "exports.fast = async () => { const r = await callTool('echo', 'mine'); await new Promise((res) => setTimeout(res, 400)); return r; };",
        ].join("\n"),
      });
      await expectCode(single, { folder, file: "t.js", funcName: "slow", timeout: 100 }, "TIMEOUT");
      await expect(single.run({ folder, file: "t.js", funcName: "fast" })).resolves.toEqual({ got: "mine" });
    } finally {
      await single.close();
    }
  });

  it("timers left running after the function returns are cancelled", async () => {
    // One thread, so the next invocation shares the worker (and possibly the realm) with the finished one.
    const single = makeRuntime({ toolHandler, maxThreads: 1 });
    try {
      const folder = makeTenant({
        "t.js": [
          "exports.leave = (tag) => {",
          "  setInterval(() => { globalThis.leakedTicks = (globalThis.leakedTicks || 0) + 1; callTool('tick', tag).catch(() => {}); }, 5);",
          "  setTimeout(() => { globalThis.leakedTimeout = true; callTool('tick', tag).catch(() => {}); }, 20);",
          "  return 'returned';",
          "};",
          "exports.leaveAsync = async (tag) => {",
          "  setInterval(() => { globalThis.leakedTicks = (globalThis.leakedTicks || 0) + 1; callTool('tick', tag).catch(() => {}); }, 5);",
          "  await new Promise((r) => setTimeout(r, 30));",
          "  return 'returned after ticks';",
          "};",
          "exports.observe = () => new Promise((resolve) => setTimeout(() => resolve([typeof globalThis.leakedTicks, typeof globalThis.leakedTimeout]), 100));",
        ].join("\n"),
      });
      const ticks = (tag: string) => toolCalls.filter((c) => c.name === "tick" && c.args === tag).length;

      await expect(single.run({ folder, file: "t.js", funcName: "leave", args: ["sync-return"] })).resolves.toBe("returned");
      const afterReturn = ticks("sync-return");
      // While the next invocation runs for 100 ms, nothing of the previous one may fire.
      await expect(single.run({ folder, file: "t.js", funcName: "observe" })).resolves.toEqual(["undefined", "undefined"]);
      await sleep(50);
      expect(ticks("sync-return")).toBe(afterReturn);

      await expect(single.run({ folder, file: "t.js", funcName: "leaveAsync", args: ["async-return"] })).resolves.toBe("returned after ticks");
      await sleep(30); // let in-flight tool messages arrive
      const settled = ticks("async-return");
      expect(settled).toBeGreaterThan(0);
      await expect(single.run({ folder, file: "t.js", funcName: "observe" })).resolves.toEqual(["undefined", "undefined"]);
      await sleep(50);
      expect(ticks("async-return")).toBe(settled);
    } finally {
      await single.close();
    }
  });
});
