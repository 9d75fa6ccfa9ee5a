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

/**
 * The source line a case ends with to say its refusals came at once (`"fast"`, or how slow): `started` is
 * read after the case's own setup (big inputs, keys), so only the calls under test are timed (the unguarded
 * loops they guard against ran for seconds, to the hard stop).
 */
const atOnce = (ms: number) => `out.push(Date.now() - started < ${ms} ? "fast" : "slow:" + (Date.now() - started));`;
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
    title: "constructor chains of process, Buffer, crypto, performance, AbortSignal, Headers, FormData, Request, Response and the built-in modules (Node's inspect included) reach no host Function",
    source: `__PRELUDE__
exports.f = () => {
  const targets = [process, process.hrtime, process.env, process.nextTick, Buffer, Buffer.alloc(1), crypto, crypto.subtle, crypto.getRandomValues,
    performance, new AbortController().signal, new EventTarget(), require("events"), require("util").inspect, require("crypto").createHash("sha256"),
    require("stream").Readable, require("url").parse("http://a/b"), require("os"), require("assert"), global,
    new Headers([["a", "1"]]), new Headers().entries(), new FormData(), require("events").on(new (require("events"))(), "x"),
    require("path").win32, require("util").format, require("node:internal/inspect"), new Request("https://a.b/", { method: "POST", body: "x" }),
    new Response("x"), new Response("x").body, Response.error()];
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
    title: "library code's placeholder for fs loads, throws MODULE_NOT_FOUND when called, and leads nowhere; so does the inert https.Agent it can construct",
    files: library(`const fs = require("fs"); const https = require("https"); const agent = new https.Agent({ keepAlive: true });
module.exports = { fs, agent, Agent: https.Agent, read: (p) => fs.readFileSync(p, "utf8") };`),
    source: `__PRELUDE__
const lib = require("lib");
exports.f = () => {
  const out = [];
  try { out.push(lib.read("__SECRET_FILE__")); } catch (e) { out.push(e.code); }
  try { out.push(String(lib.fs.promises.readFile("__SECRET_FILE__"))); } catch (e) { out.push(e.code); }
  out.push(viaObject(lib.fs.readFileSync), viaObject(lib.fs), viaObject(lib.agent), viaObject(lib.Agent), viaObject(lib.agent.createConnection));
  try { lib.agent.createConnection({}); out.push("connected"); } catch (e) { out.push(e.code); }
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
  wrapper({}, () => {}, { exports: {} }, "x", ".", () => [{ n: 1e15, l: 1e15 }, () => {}, () => {}, null, null, () => {}]);
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
    // getOwnPropertyNames of a 16 MiB typed array (a string per element, in one call) ran to the hard stop.
    id: "generated-with-huge-elements",
    title: "with over a 16 MiB typed array, a 1 Mi-element array or a String of 16 Mi characters: refused at once (no element can be a variable); a small one scopes as before",
    files: library(`module.exports = () => {
  const scoped = Function("o", "with (o) { return typeof length; }");
  const out = [];
  for (const o of [new Uint8Array(2 ** 24), new Array(2 ** 20).fill(0), Object("x".repeat(2 ** 24)), new Uint8Array(8)]) {
    try { out.push(scoped(o)); } catch (e) { out.push(e.name); }
  }
  return out;
};`),
    source: `exports.f = () => require("lib")();`,
    expect: { codes: "success", valueCheck: is(["RangeError", "RangeError", "RangeError", "number"]) },
  },
  {
    id: "generated-code-too-large",
    title: "generated code larger than one Function() call compiles (and than the level's largest module) is refused before it is read",
    files: library(`module.exports = () => { try { Function("return '" + "x".repeat(5 * 1024 * 1024) + "'"); return "compiled"; } catch (e) { return e.name + ": " + e.message.slice(0, 40); } };`),
    source: `exports.f = () => require("lib")();`,
    expect: { codes: "success", valueCheck: is("EvalError: generated code is larger than 262144 byt") },
  },
  {
    // Compiling is one step no guard interrupts (3.5 MB: 2.2 s, past the limit to the hard stop).
    id: "generated-code-one-function-cap",
    title: "one Function() call of 3.5 MB (under the level's module size) is refused: the most one call compiles is 256 KiB",
    files: library(`module.exports = () => { try { Function("function a(){}".repeat(250000)); return "compiled"; } catch (e) { return e.name + ": " + e.message; } };`),
    source: `exports.f = () => require("lib")();`,
    expect: { codes: "success", valueCheck: is("EvalError: generated code is larger than 262144 bytes, the most one Function() call compiles") },
  },
  {
    // The library's loop reads the clock every 127 iterations: 127 compiles of 200 KB each before it did.
    id: "generated-code-compile-loop",
    title: "a loop of Function() calls of 200 KB each (each new text) ends by the clock, each compile reading it",
    files: library(`module.exports = () => { for (let i = 0; ; i++) Function("return " + i + ";" + "function a(){}".repeat(14000)); };`),
    source: `exports.f = () => require("lib")();`,
    expect: { codes: ["TIMEOUT"], reportCheck: cooperativeTimeout },
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

  {
    id: "crypto-keys-malformed-material",
    title: "every asymmetric entry point (createPublicKey/createPrivateKey, createSign/createVerify, sign/verify, KeyObject, subtle.importKey/sign/verify, the key engine itself) refuses malformed DER, PEM and JWK, wrong types and forged keys with a typed error whose constructor chain reaches no host Function",
    source: `__PRELUDE__
const crypto = require("crypto");
const engine = require("node:internal/keys");
exports.f = async () => {
  const out = [];
  const errors = [];
  const note = (label, e) => { out.push(label + ":" + (e && e.name) + ":" + (e && e.code)); errors.push(e); };
  const sync = (label, fn) => { try { fn(); out.push(label + ":returned"); } catch (e) { note(label, e); } };
  const async_ = async (label, fn) => { try { await fn(); out.push(label + ":returned"); } catch (e) { note(label, e); } };
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const x25519 = Buffer.concat([Buffer.from("302a300506032b656e032100", "hex"), Buffer.alloc(32, 9)]);
  const inputs = {
    text: "not a key",
    garbagePem: "-----BEGIN PUBLIC KEY-----\\n" + "A".repeat(1000) + "\\n-----END PUBLIC KEY-----",
    randomDer: { key: crypto.randomBytes(300), format: "der", type: "spki" },
    truncatedDer: { key: spki.subarray(0, 40), format: "der", type: "spki" },
    wrongDerType: { key: spki, format: "der", type: "evil" },
    noDerType: { key: spki, format: "der" },
    x25519: { key: x25519, format: "der", type: "spki" },
    jwkWrongTypes: { key: { kty: "RSA", n: 123, e: {} }, format: "jwk" },
    jwkOct: { key: { kty: "oct", k: "AAAA" }, format: "jwk" },
    jwkBadPoint: { key: { kty: "EC", crv: "P-256", x: "AAAA", y: "AAAA" }, format: "jwk" },
    jwkNotObject: { key: "{}", format: "jwk" },
    evilFormat: { key: spki, format: "evil" },
    symbol: Symbol("k"),
    nil: null,
    number: 42,
    array: [],
    toStringTrick: { toString() { return publicKey.export({ type: "spki", format: "pem" }); } },
    secretKey: crypto.createSecretKey(Buffer.alloc(16)),
    fakeKeyObject: Object.create(crypto.KeyObject.prototype),
  };
  for (const [name, input] of Object.entries(inputs)) {
    sync("createPublicKey/" + name, () => crypto.createPublicKey(input));
    sync("createPrivateKey/" + name, () => crypto.createPrivateKey(input));
  }
  sync("createPrivateKey/keyObject", () => crypto.createPrivateKey(privateKey));
  sync("createPublicKey/publicKeyObject", () => crypto.createPublicKey(publicKey));
  sync("sign/publicKey", () => crypto.sign("sha256", Buffer.from("x"), publicKey));
  sync("sign/fake", () => crypto.createSign("sha256").update("x").sign(inputs.fakeKeyObject));
  sync("sign/noKey", () => crypto.createSign("sha256").update("x").sign());
  sync("sign/data", () => crypto.sign("sha256", { length: 3 }, privateKey));
  sync("sign/digest", () => crypto.sign("md4", Buffer.from("x"), privateKey));
  sync("sign/padding", () => crypto.sign("sha256", Buffer.from("x"), { key: privateKey, dsaEncoding: "evil" }));
  sync("sign/saltLength", () => crypto.sign("sha256", Buffer.from("x"), { key: privateKey, saltLength: 1e9 }));
  sync("verify/signature", () => crypto.verify("sha256", Buffer.from("x"), publicKey, "not bytes"));
  sync("sign/twice", () => { const s = crypto.createSign("sha256").update("x"); s.sign(privateKey); s.sign(privateKey); });
  sync("export/cipher", () => privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-128-cbc", passphrase: "p" }));
  sync("export/format", () => publicKey.export({ format: "evil" }));
  sync("export/type", () => publicKey.export({ format: "der", type: "pkcs8" }));
  sync("export/none", () => publicKey.export());
  sync("keyObject/getter", () => Object.getOwnPropertyDescriptor(crypto.KeyObject.prototype, "type").get.call({}));
  sync("keyObject/new", () => new crypto.KeyObject("public", Object.freeze(Object.create(null))));
  sync("keyObject/equals", () => publicKey.equals({}));
  sync("engine/forged", () => engine.sign(Object.freeze(Object.create(null)), "sha256", new Uint8Array(1)));
  sync("engine/format", () => engine.importKey("public", "evil", undefined, "x"));
  sync("engine/material", () => engine.importKey("public", "der", "spki", "not bytes"));
  sync("engine/digest", () => engine.sign(engine.generate("ed25519").privateKey, {}, new Uint8Array(1)));
  sync("generate/type", () => crypto.generateKeyPairSync("dsa", { modulusLength: 1024 }));
  sync("generate/curve", () => crypto.generateKeyPairSync("ec", { namedCurve: "secp224r1" }));
  const subtle = crypto.webcrypto.subtle;
  const ecdsa = { name: "ECDSA", namedCurve: "P-256" };
  await async_("subtle/spki-random", () => subtle.importKey("spki", crypto.randomBytes(91), ecdsa, true, ["verify"]));
  await async_("subtle/pkcs8-as-spki", () => subtle.importKey("spki", privateKey.export({ type: "pkcs8", format: "der" }), ecdsa, true, ["verify"]));
  await async_("subtle/curve-mismatch", () => subtle.importKey("spki", spki, { name: "ECDSA", namedCurve: "P-384" }, true, ["verify"]));
  await async_("subtle/rsa-for-ec", () => subtle.importKey("spki", spki, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["verify"]));
  await async_("subtle/jwk-kty", () => subtle.importKey("jwk", { kty: "RSA", n: "AQAB", e: "AQAB" }, ecdsa, true, ["verify"]));
  await async_("subtle/raw-length", () => subtle.importKey("raw", new Uint8Array(64), ecdsa, true, ["verify"]));
  await async_("subtle/format", () => subtle.importKey("evil", spki, ecdsa, true, ["verify"]));
  await async_("subtle/usages", () => subtle.importKey("spki", spki, ecdsa, true, ["sign"]));
  await async_("subtle/usages-object", () => subtle.importKey("spki", spki, ecdsa, true, { length: 1, 0: "verify" }));
  await async_("subtle/fake-view", () => subtle.importKey("spki", Object.create(Uint8Array.prototype), ecdsa, true, ["verify"]));
  await async_("subtle/forged-key", () => subtle.sign({ name: "ECDSA", hash: "SHA-256" }, Object.create(CryptoKey.prototype), new Uint8Array(1)));
  const key = await subtle.importKey("spki", spki, ecdsa, false, ["verify"]);
  await async_("subtle/export", () => subtle.exportKey("spki", key));
  await async_("subtle/wrong-algorithm", () => subtle.verify("Ed25519", key, new Uint8Array(64), new Uint8Array(1)));
  await async_("subtle/sign-with-public", () => subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, new Uint8Array(1)));
  await async_("subtle/pss-no-salt", async () => {
    const pair = await subtle.generateKey({ name: "RSA-PSS", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, false, ["sign", "verify"]);
    return subtle.sign("RSA-PSS", pair.privateKey, new Uint8Array(1));
  });
  out.push("verify/garbage:" + (await subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, new Uint8Array(3), new Uint8Array(1))));
  // One error of each prototype (each chain walk asks the worker to compile, at PERMISSIVE: keep it short).
  const kinds = new Map();
  for (const e of errors) if (!kinds.has(Object.getPrototypeOf(e))) kinds.set(Object.getPrototypeOf(e), e);
  const chains = [...kinds.values(), publicKey, crypto.createSign("sha256"), crypto.createVerify("sha256"), key, key.algorithm, engine, engine.sign].map((e) => viaObject(e)).join(";");
  return { out, chains };
};`,
    expect: {
      codes: "success",
      valueCheck: (v) => {
        const { out, chains } = v as { out: string[]; chains: string };
        const known = /^[^:]+:(Error|TypeError|RangeError|DataError|NotSupportedError|InvalidAccessError|SyntaxError|OperationError):(ERR_[A-Z0-9_]+|undefined)$/;
        const wrong = out.filter((line) => !known.test(line) && line !== "verify/garbage:false");
        if (wrong.length) return `untyped or returned: ${wrong.join(", ")}`;
        if (out.length !== 78) return `expected 78 outcomes, got ${out.length}: ${out.join(", ")}`;
        return blockedOnly(chains);
      },
    },
  },
  {
    id: "crypto-keys-huge-and-costly",
    title: "a 16384-bit RSA modulus (DER and JWK), a 4096-bit public exponent, 100 KB of PEM, RSA generation past 2048 bits, 17 MiB to sign: refused at once with a typed error, no stall of the sandbox",
    source: `const crypto = require("crypto");
const len = (n) => (n < 128 ? [n] : n < 256 ? [0x81, n] : [0x82, n >> 8, n & 255]);
const tlv = (tag, bytes) => Buffer.concat([Buffer.from([tag, ...len(bytes.length)]), bytes]);
const integer = (bytes) => tlv(0x02, Buffer.concat([Buffer.from([0]), bytes]));
function rsaSpki(modulusBytes, exponent) {
  const n = Buffer.alloc(modulusBytes, 0xab);
  n[n.length - 1] |= 1;
  const key = tlv(0x30, Buffer.concat([integer(n), integer(exponent)]));
  const algorithm = Buffer.from("300d06092a864886f70d0101010500", "hex");
  return tlv(0x30, Buffer.concat([algorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), key]))]));
}
exports.f = async () => {
  const started = Date.now();
  const out = [];
  const sync = (label, fn) => { try { fn(); out.push(label + ":returned"); } catch (e) { out.push(label + ":" + e.name + ":" + e.code); } };
  sync("spki16384", () => crypto.createPublicKey({ key: rsaSpki(2048, Buffer.from([1, 0, 1])), format: "der", type: "spki" }));
  sync("spki-big-exponent", () => crypto.createPublicKey({ key: rsaSpki(256, Buffer.alloc(512, 0x7f)), format: "der", type: "spki" }));
  sync("spki-ok", () => crypto.createPublicKey({ key: rsaSpki(256, Buffer.from([1, 0, 1])), format: "der", type: "spki" }));
  sync("jwk16384", () => crypto.createPublicKey({ key: { kty: "RSA", n: Buffer.alloc(2048, 0xab).toString("base64url"), e: "AQAB" }, format: "jwk" }));
  sync("pem100k", () => crypto.createPublicKey("-----BEGIN PUBLIC KEY-----\\n" + "A".repeat(100000) + "\\n-----END PUBLIC KEY-----"));
  sync("der100k", () => crypto.createPublicKey({ key: Buffer.alloc(100000), format: "der", type: "spki" }));
  sync("generate8192", () => crypto.generateKeyPairSync("rsa", { modulusLength: 8192 }));
  sync("generate-exponent", () => crypto.generateKeyPairSync("rsa", { modulusLength: 1024, publicExponent: 7 }));
  const { privateKey } = crypto.generateKeyPairSync("ed25519");
  sync("sign17MiB", () => crypto.sign(null, Buffer.alloc(17 * 1024 * 1024), privateKey));
  try {
    await crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 16384, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, false, ["sign"]);
    out.push("subtle16384:returned");
  } catch (e) { out.push("subtle16384:" + e.name); }
  ${atOnce(3000)}
  return out;
};`,
    limitMs: 5000,
    expect: {
      codes: "success",
      valueCheck: is([
        "spki16384:Error:ERR_OUT_OF_RANGE",
        "spki-big-exponent:Error:ERR_OUT_OF_RANGE",
        "spki-ok:returned",
        "jwk16384:Error:ERR_OUT_OF_RANGE",
        "pem100k:RangeError:ERR_OUT_OF_RANGE",
        "der100k:RangeError:ERR_OUT_OF_RANGE",
        "generate8192:Error:ERR_OUT_OF_RANGE",
        "generate-exponent:Error:ERR_OUT_OF_RANGE",
        "sign17MiB:RangeError:ERR_OUT_OF_RANGE",
        "subtle16384:OperationError",
        "fast",
      ]),
    },
  },
  {
    id: "crypto-keys-sign-loop-times-out",
    title: "a loop of RSA signatures is stopped by the realm's guards at the time limit (each op is short and bounded)",
    source: `const crypto = require("crypto");
exports.f = () => {
  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  for (;;) crypto.sign("sha256", Buffer.from("x"), privateKey);
};`,
    expect: { codes: ["TIMEOUT"], reportCheck: cooperativeTimeout },
  },
  {
    id: "crypto-keys-huge-inputs-refused-before-encoding",
    title: "40 MiB of DER, PEM, signature or RSA public exponent at every key entry point: refused by its size at once, before any unguarded encoding loop (the engine's hex encoding of the whole input ran to the hard stop)",
    source: `const crypto = require("crypto");
const engine = require("node:internal/keys");
exports.f = async () => {
  const big = Buffer.alloc(40 * 1024 * 1024, 0x41);
  const out = [];
  const sync = (label, fn) => { try { out.push(label + ":" + fn()); } catch (e) { out.push(label + ":" + e.name + ":" + e.code); } };
  const async_ = async (label, fn) => { try { out.push(label + ":" + (await fn())); } catch (e) { out.push(label + ":" + e.name); } };
  const { publicKey } = crypto.generateKeyPairSync("ed25519");
  const started = Date.now();
  sync("der", () => crypto.createPublicKey({ key: big, format: "der", type: "spki" }));
  sync("pem", () => crypto.createPublicKey(big));
  sync("engine", () => engine.importKey("public", "raw", "Ed25519", big));
  sync("verify", () => crypto.verify(null, Buffer.from("x"), publicKey, big));
  sync("createVerify", () => crypto.createVerify("sha256").update("x").verify(publicKey, big));
  await async_("subtle-spki", () => crypto.subtle.importKey("spki", big, "Ed25519", true, ["verify"]));
  const key = await crypto.subtle.importKey("spki", publicKey.export({ type: "spki", format: "der" }), "Ed25519", true, ["verify"]);
  await async_("subtle-verify", () => crypto.subtle.verify("Ed25519", key, big, Buffer.from("x")));
  await async_("subtle-exponent", () => crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: big, hash: "SHA-256" }, false, ["sign"]));
  ${atOnce(400)}
  return out;
};`,
    expect: {
      codes: "success",
      valueCheck: is([
        "der:RangeError:ERR_OUT_OF_RANGE",
        "pem:RangeError:ERR_OUT_OF_RANGE",
        "engine:RangeError:ERR_OUT_OF_RANGE",
        "verify:false",
        "createVerify:false",
        "subtle-spki:DataError",
        "subtle-verify:false",
        "subtle-exponent:OperationError",
        "fast",
      ]),
    },
  },
  {
    id: "crypto-keys-sign-data-encoding-paced",
    title: "a loop of 16 MiB signatures straight on the key engine (no guard between them): the deadline is found by the engine's own encoding loop (the realm's TIMEOUT), not by the worker refusing the next operation",
    source: `const crypto = require("crypto");
const engine = require("node:internal/keys");
exports.f = () => {
  const { privateKey } = engine.generate("ed25519");
  const data = new Uint8Array(16 * 1024 * 1024);
  for (;;) {
    try {
      engine.sign(privateKey, null, data);
    } catch (e) {
      console.log("caught: " + e.message);
      throw e;
    }
  }
};`,
    expect: {
      codes: ["TIMEOUT"],
      reportCheck: (r) => {
        const hard = cooperativeTimeout(r);
        if (hard) return hard;
        const caught = r.logs.map((l) => l.message).join("|");
        return /caught: invocation timed out/.test(caught) ? undefined : `the encoding loop did not read the clock: ${caught}`;
      },
    },
  },
  {
    id: "crypto-keys-huge-usage-lists",
    title: "crypto.subtle importKey and generateKey with usage lists of length 2^32 - 1 (holes) or 4 Mi copies of a valid usage, asymmetric and HMAC: refused at once (the copy of the list was a loop without guards, to the hard stop)",
    source: `const crypto = require("crypto");
exports.f = async () => {
  const { publicKey } = crypto.generateKeyPairSync("ed25519");
  const spki = publicKey.export({ type: "spki", format: "der" });
  const holes = new Array(2 ** 32 - 1);
  const many = new Array(4 * 1024 * 1024).fill("verify");
  const out = [];
  const attempt = async (label, fn) => { try { await fn(); out.push(label + ":returned"); } catch (e) { out.push(label + ":" + e.name); } };
  const started = Date.now();
  for (const [name, usages] of [["holes", holes], ["many", many]]) {
    await attempt("ed25519-" + name, () => crypto.subtle.importKey("spki", spki, "Ed25519", true, usages));
    await attempt("ecdsa-generate-" + name, () => crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, usages));
    await attempt("hmac-" + name, () => crypto.subtle.importKey("raw", new Uint8Array(16), { name: "HMAC", hash: "SHA-256" }, true, usages));
    await attempt("hmac-generate-" + name, () => crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, usages));
  }
  const ok = await crypto.subtle.importKey("spki", spki, "Ed25519", true, ["verify", "verify"]);
  out.push(ok.usages.join());
  ${atOnce(400)}
  return out;
};`,
    expect: {
      codes: "success",
      valueCheck: is([
        "ed25519-holes:SyntaxError",
        "ecdsa-generate-holes:SyntaxError",
        "hmac-holes:SyntaxError",
        "hmac-generate-holes:SyntaxError",
        "ed25519-many:SyntaxError",
        "ecdsa-generate-many:SyntaxError",
        "hmac-many:SyntaxError",
        "hmac-generate-many:SyntaxError",
        "verify,verify",
        "fast",
      ]),
    },
  },
  {
    id: "crypto-keys-hostile-arguments",
    title: "getters that change their answer, toString and Symbol.toPrimitive tricks in key inputs, options and algorithms are read once: the key is what was checked, never a substitute",
    source: `const crypto = require("crypto");
exports.f = async () => {
  const out = [];
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  const pem = publicKey.export({ type: "spki", format: "pem" });
  let reads = 0;
  const flipping = { get key() { reads++; return reads === 1 ? pem : "x".repeat(1e6); }, get format() { return reads === 0 ? "jwk" : "pem"; } };
  const key = crypto.createPublicKey(flipping);
  out.push(key.equals(publicKey), reads);
  let conversions = 0;
  const trick = { [Symbol.toPrimitive]() { conversions++; throw new Error("tenant's own"); } };
  try { crypto.createSign(trick); } catch (e) { out.push(e.code || e.message); }
  try { crypto.generateKeyPairSync(trick); } catch (e) { out.push(e.code || e.message); }
  try { require("node:internal/keys").generate(trick); } catch (e) { out.push(e.message); }
  let names = 0;
  const algorithm = { get name() { names++; return names === 1 ? "Ed25519" : "HMAC"; } };
  const imported = await crypto.subtle.importKey("spki", publicKey.export({ type: "spki", format: "der" }), algorithm, true, ["verify"]);
  out.push(imported.algorithm.name, names);
  const usages = ["verify"];
  let usageReads = 0;
  Object.defineProperty(usages, 0, { get() { usageReads++; return usageReads === 1 ? "verify" : "sign"; } });
  const k2 = await crypto.subtle.importKey("spki", publicKey.export({ type: "spki", format: "der" }), "Ed25519", true, usages);
  out.push(k2.usages.join(), Object.isFrozen(k2.usages), Object.isFrozen(k2));
  const rsa = await crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["sign", "verify"]);
  const exponent = rsa.publicKey.algorithm.publicExponent;
  exponent[0] = 9;
  out.push(Array.from(rsa.publicKey.algorithm.publicExponent).join(), Object.isFrozen(rsa.publicKey.algorithm));
  const sig = crypto.sign(null, Buffer.from("m"), privateKey);
  const data = Buffer.from("m");
  const view = { get padding() { data[0] = 0; return undefined; } };
  out.push(crypto.verify(null, data, Object.assign(view, { key: publicKey }), sig));
  return out;
};`,
    expect: { codes: "success", valueCheck: is([true, 1, "ERR_INVALID_ARG_TYPE", "ERR_INVALID_ARG_TYPE", "tenant's own", "Ed25519", 1, "verify", true, true, "1,0,1", true, false]) },
  },
  {
    id: "crypto-keys-not-reusable-across-calls",
    title: "A makes keys (KeyObject, CryptoKey, engine handles) and tries to leave them anywhere; B (same tenant, reused realm) finds none, and its own keys work",
    source: `const crypto = require("crypto");
exports.f = async () => {
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const cryptoKey = await crypto.subtle.importKey("pkcs8", privateKey.export({ type: "pkcs8", format: "der" }), { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
  const engine = require("node:internal/keys");
  const stash = [[globalThis, "leftKey"], [crypto, "leftKey"], [crypto.subtle, "leftKey"], [crypto.KeyObject.prototype, "leftKey"], [CryptoKey.prototype, "leftKey"], [Object.prototype, "leftKey"], [engine, "leftKey"], [cryptoKey, "leftKey"]];
  const out = [];
  for (const [target, name] of stash) {
    try { target[name] = { privateKey, cryptoKey, handle: engine.generate("ed25519").privateKey }; out.push("kept"); } catch (e) { out.push(e.name); }
  }
  Symbol.for("left").description;
  return out;
};
exports.g = async () => {
  const crypto = require("crypto");
  const engine = require("node:internal/keys");
  const seen = [globalThis.leftKey, crypto.leftKey, crypto.subtle.leftKey, crypto.KeyObject.prototype.leftKey, CryptoKey.prototype.leftKey, ({}).leftKey, engine.leftKey].map((v) => typeof v);
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  const ok = crypto.verify(null, Buffer.from("b"), publicKey, crypto.sign(null, Buffer.from("b"), privateKey));
  return [seen, ok];
};`,
    expect: { codes: "success", valueCheck: (v) => (Array.isArray(v) && v.length === 8 ? true : `got ${JSON.stringify(v)}`) },
    after: {
      sameFolder: true,
      funcName: "g",
      expect: { codes: "success", valueCheck: is([["undefined", "undefined", "undefined", "undefined", "undefined", "undefined", "undefined"], true]) },
      expectReuse: true,
    },
  },
];
