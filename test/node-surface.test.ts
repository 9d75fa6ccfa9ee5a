import { createHmac } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import { deflateSync, gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTenants, expectCode, IsolatedRuntime, libraryPackage, makeTenant } from "./helpers.js";


/** The Node surface tenant code sees (process, Buffer, crypto, built-in modules); its hostile side is test/hostile/node-surface. */
const runtimes: InstanceType<typeof IsolatedRuntime>[] = [];
function runtimeWith(options: ConstructorParameters<typeof IsolatedRuntime>[0] = {}) {
  const runtime = new IsolatedRuntime({ isolation: "thread", maxThreads: 1, ...options });
  runtimes.push(runtime);
  return runtime;
}

afterAll(async () => {
  await Promise.all(runtimes.map((runtime) => runtime.close()));
  cleanupTenants();
});

describe("process.env", () => {
  const folder = makeTenant({ "a.js": "exports.f = () => { const env = { ...process.env }; process.env.WRITTEN = '1'; return env; };" });

  it("is { NODE_ENV: 'production' } by default, the runtime's env option otherwise, a call's own env over both", async () => {
    await expect(runtimeWith().run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual({ NODE_ENV: "production" });
    const runtime = runtimeWith({ env: { NODE_ENV: "development", API: "x" } });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual({ NODE_ENV: "development", API: "x" });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f", env: { ONLY: "this call" } })).resolves.toEqual({ ONLY: "this call" });
    // What a call wrote is gone for the next one.
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual({ NODE_ENV: "development", API: "x" });
  });

  it("reaches hooks too: emit() takes the call's env", async () => {
    const hooks = makeTenant({ "tenantbox.json": JSON.stringify({ hooks: { "order.created": ["h.js#f"] } }), "h.js": "exports.f = () => process.env.REGION;" });
    const results = await runtimeWith().emit("order.created", {}, { folder: hooks, env: { REGION: "eu" } });
    expect(results.map((r) => r.value)).toEqual(["eu"]);
  });

  it("refuses anything but strings, typed: a TypeError for the option, INVALID_REQUEST for a call", async () => {
    expect(() => new IsolatedRuntime({ env: { N: 1 } as unknown as Record<string, string> })).toThrow(/option "env": env.N must be a string/);
    expect(() => new IsolatedRuntime({ env: [] as unknown as Record<string, string> })).toThrow(/plain object/);
    await expectCode(runtimeWith(), { folder, file: "a.js", funcName: "f", env: { A: null } as unknown as Record<string, string> }, "INVALID_REQUEST");
  });
});

describe("Node's globals and built-in modules", () => {
  it("module, for library code: createRequire gives a require that finds nothing (MODULE_NOT_FOUND, as for a missing module); isBuiltin and builtinModules as Node's; a tenant's own code still cannot load it", async () => {
    const folder = makeTenant({
      // fflate's Node build: createRequire at load, optional modules asked for inside a try.
      "node_modules/lib/package.json": JSON.stringify({ name: "lib", type: "module", exports: "./index.js" }),
      "node_modules/lib/index.js": [
        "import { createRequire, isBuiltin, builtinModules } from 'module';",
        "const require = createRequire('/');",
        "let worker;",
        "try { worker = require('worker_threads').Worker; } catch (error) { worker = error.code; }",
        "export const answers = [worker, isBuiltin('events'), isBuiltin('fs'), isBuiltin('node:test'), isBuiltin('left-pad'), builtinModules.includes('buffer')];",
      ].join("\n"),
      "a.mjs": "import { answers } from 'lib';\nexport function f() { return answers; }\n",
      "own.js": "exports.f = () => require('module');\n",
    });
    await expect(runtimeWith().run({ folder, file: "a.mjs", funcName: "f" })).resolves.toEqual(["MODULE_NOT_FOUND", true, true, true, false, true]);
    await expect(runtimeWith().run({ folder, file: "own.js", funcName: "f" })).rejects.toMatchObject({ code: "MODULE_NOT_FOUND" });
  });

  it("library code's unavailable built-ins: functions throw MODULE_NOT_FOUND when called, but http's and https's Agent can be made (and extended) at load, inert, as stripe and agentkeepalive do; a request still fails", async () => {
    const folder = makeTenant({
      ...libraryPackage(
        "sdk",
        [
          "const http = require('http'); const https = require('https'); const fs = require('fs');",
          "const shared = new https.Agent({ keepAlive: true, maxSockets: 5 });",
          "class KeepAlive extends http.Agent { constructor(o) { super(o); this.on('free', () => {}); this.tagged = true; } }",
          "const code = (run) => { try { run(); return 'ok'; } catch (e) { return [e.code, e.message]; } };",
          "exports.answers = () => {",
          "  const own = new KeepAlive({ keepAliveMsecs: 500 });",
          "  return [shared.keepAlive, shared.maxSockets, shared.defaultPort, shared.protocol, own.tagged, own.keepAliveMsecs, own.protocol, own instanceof http.Agent, own instanceof require('events'),",
          "    http.Agent({}) instanceof http.Agent, code(() => shared.createConnection({})), code(() => https.request('https://example.com')), code(() => fs.readFileSync('x'))];",
          "};",
        ].join("\n"),
      ),
      "a.js": "const { answers } = require('sdk');\nexports.f = () => answers();\n",
    });
    await expect(runtimeWith().run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual([
      true,
      5,
      443,
      "https:",
      true,
      500,
      "http:",
      true,
      true,
      true,
      ["MODULE_NOT_FOUND", 'Node built-in module "https" is not available in the sandbox (https.Agent.prototype.createConnection was called)'],
      ["MODULE_NOT_FOUND", 'Node built-in module "https" is not available in the sandbox (https.request was called)'],
      ["MODULE_NOT_FOUND", 'Node built-in module "fs" is not available in the sandbox (fs.readFileSync was called)'],
    ]);
  });

  it("library code's unavailable built-ins keep Node's constants, arrays of them included: http.METHODS and STATUS_CODES (the methods package maps over METHODS at load: express, superagent)", async () => {
    const folder = makeTenant({
      ...libraryPackage(
        "methods-like",
        "const http = require('http');\nexports.lower = http.METHODS.map((m) => m.toLowerCase());\nexports.answers = () => [Array.isArray(http.METHODS), http.STATUS_CODES[404], typeof require('tls').rootCertificates];\n",
      ),
      "a.js": "const m = require('methods-like');\nexports.f = () => [m.lower, ...m.answers()];\n",
    });
    const http = await import("node:http");
    await expect(runtimeWith().run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual([http.METHODS.map((m) => m.toLowerCase()), true, "Not Found", "undefined"]);
  });

  it("the inert https.Agent has the methods Node's inherits from http.Agent (destroy, addRequest, ...), each throwing MODULE_NOT_FOUND, not TypeError", async () => {
    const folder = makeTenant({
      ...libraryPackage(
        "sdk",
        [
          "const https = require('https'); const http = require('http');",
          "const agent = new https.Agent({ keepAlive: true });",
          "const code = (run) => { try { run(); return 'ok'; } catch (e) { return e.code || e.name; } };",
          "exports.answers = () => ['destroy', 'addRequest', 'createSocket', 'removeSocket', 'reuseSocket', 'keepSocketAlive', 'getName', 'createConnection']",
          "  .map((m) => [m, typeof agent[m], code(() => agent[m]({})), typeof new http.Agent()[m]]);",
        ].join("\n"),
      ),
      "a.js": "exports.f = () => require('sdk').answers();\n",
    });
    const answers = (await runtimeWith().run({ folder, file: "a.js", funcName: "f" })) as unknown[][];
    for (const [method, type, code, httpType] of answers) expect([method, type, code, httpType]).toEqual([method, "function", "MODULE_NOT_FOUND", "function"]);
  });

  it("library code's async_hooks: AsyncResource works as Node's (runInAsyncScope, bind, static bind: raw-body's callbacks for body-parser and express.json()); AsyncLocalStorage and the rest still throw MODULE_NOT_FOUND", async () => {
    const folder = makeTenant({
      ...libraryPackage(
        "hooked",
        [
          "const ah = require('async_hooks');",
          "const code = (run) => { try { run(); return 'ok'; } catch (e) { return e.code || e.name; } };",
          "exports.answers = () => {",
          "  const r = new ah.AsyncResource('X');",
          "  const bound = ah.AsyncResource.bind(function named(a, b) { return [this && this.t, a + b]; }, undefined, { t: 1 });",
          "  const inst = r.bind(function (a) { return [this.t, a]; });",
          "  return [r.runInAsyncScope(function (a, b) { return [this.t, a, b]; }, { t: 'T' }, 1, 2), bound(2, 3), bound.length, inst.call({ t: 'c' }, 5), inst.asyncResource === r, typeof r.asyncId(), typeof r.triggerAsyncId(), code(() => new ah.AsyncResource(5)), code(() => new ah.AsyncLocalStorage()), r.emitDestroy() === r];",
          "};",
        ].join("\n"),
      ),
      "a.js": "exports.f = () => require('hooked').answers();\n",
    });
    // Node's answers but for AsyncLocalStorage, which it has.
    await expect(runtimeWith().run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual([["T", 1, 2], [1, 5], 2, ["c", 5], true, "number", "number", "ERR_INVALID_ARG_TYPE", "MODULE_NOT_FOUND", true]);
  });

  it("zlib: deflate, inflate, raw, gzip, gunzip and unzip, sync, with callbacks and as streams; bad data is Z_DATA_ERROR; a bomb ends at the memory limit", async () => {
    const folder = makeTenant({
      "z.js": [
        "const zlib = require('zlib');",
        "const { promisify } = require('util');",
        "exports.f = async (text, nodeGzip) => {",
        "  const gz = zlib.gzipSync(text);",
        "  const round = [zlib.gunzipSync(gz).toString(), zlib.inflateSync(zlib.deflateSync(Buffer.from(text))).toString(), zlib.inflateRawSync(zlib.deflateRawSync(text)).toString(), zlib.unzipSync(gz).toString(), zlib.unzipSync(zlib.deflateSync(text)).toString()];",
        "  const fromNode = zlib.gunzipSync(Buffer.from(nodeGzip, 'base64')).toString();",
        "  const viaCallback = (await promisify(zlib.inflate)(await promisify(zlib.deflate)(text))).toString();",
        "  let bad; try { zlib.inflateSync(Buffer.from('not zlib')); } catch (e) { bad = e.code; }",
        "  const streamed = await new Promise((resolve, reject) => { const z = zlib.createGzip(); const parts = []; z.on('data', (c) => parts.push(c)); z.on('end', () => resolve(zlib.gunzipSync(Buffer.concat(parts)).toString())); z.on('error', reject); z.write(text.slice(0, 3)); z.end(text.slice(3)); });",
        "  return { round, fromNode, viaCallback, bad, streamed, gzipHeader: [gz[0], gz[1]], level: zlib.constants.Z_BEST_COMPRESSION };",
        "};",
        "exports.bomb = (packed) => zlib.inflateSync(Buffer.from(packed, 'base64')).length;",
        "exports.node = (gz, z) => {",
        "  const out = [];",
        "  const code = (run) => { try { run(); return 'ok'; } catch (e) { return e.code; } };",
        "  const gzip = Buffer.from(gz, 'base64'), deflated = Buffer.from(z, 'base64');",
        "  out.push(code(() => zlib.inflateSync(gzip)), code(() => zlib.gunzipSync(deflated)));",
        "  out.push(code(() => zlib.inflateSync(deflated.subarray(0, deflated.length - 4))));",
        "  out.push(code(() => zlib.inflateSync(deflated, { maxOutputLength: 5 })), zlib.inflateSync(deflated, { maxOutputLength: 1000 }).toString());",
        "  return out;",
        "};",
      ].join("\n"),
    });
    const text = "hello hello hello zlib";
    const nodeGzip = gzipSync(text).toString("base64");
    // Refused as Node refuses them: the other format, a truncated stream, more output than maxOutputLength.
    await expect(runtimeWith().run({ folder, file: "z.js", funcName: "node", args: [nodeGzip, deflateSync(text).toString("base64")] })).resolves.toEqual([
      "Z_DATA_ERROR",
      "Z_DATA_ERROR",
      "Z_BUF_ERROR",
      "ERR_BUFFER_TOO_LARGE",
      text,
    ]);
    await expect(runtimeWith().run({ folder, file: "z.js", funcName: "f", args: [text, nodeGzip] })).resolves.toEqual({
      round: [text, text, text, text, text],
      fromNode: text,
      viaCallback: text,
      bad: "Z_DATA_ERROR",
      streamed: text,
      gzipHeader: [0x1f, 0x8b],
      level: 9,
    });
    // A gigabyte of zeros packed on the host (about 1 MB): only its inflating runs in the sandbox.
    const bomb = deflateSync(Buffer.alloc(1024 * 1024 * 1024)).toString("base64");
    await expect(runtimeWith({ timeout: 30_000 }).run({ folder, file: "z.js", funcName: "bomb", args: [bomb] })).rejects.toMatchObject({ code: "MEMORY_LIMIT_EXCEEDED" });
  });

  it("zlib's stream classes (Deflate ... Unzip): with or without new, what create* returns, and extended with _transform and push overridden as crc32-stream does (archiver, exceljs): as Node", async () => {
    const fixture = new URL("./fixtures/node-zlib-classes.cjs", import.meta.url);
    const folder = makeTenant({ "z.js": fs.readFileSync(fixture, "utf8") });
    const node = await (createRequire(import.meta.url)("./fixtures/node-zlib-classes.cjs") as { f: () => Promise<unknown> }).f();
    await expect(runtimeWith().run({ folder, file: "z.js", funcName: "f" })).resolves.toEqual(JSON.parse(JSON.stringify(node)));
  });

  it("Web Crypto HMAC keys: importKey (raw, oct JWK), generateKey, sign, verify, exportKey, as jose's HS256 uses them", async () => {
    const folder = makeTenant({
      "jwt.mjs": [
        "import nodeCrypto from 'node:crypto';",
        "const enc = new TextEncoder();",
        "const b64url = (buf) => Buffer.from(buf).toString('base64url');",
        "export async function f(secret, payload) {",
        "  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);",
        "  const input = b64url(enc.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))) + '.' + b64url(enc.encode(JSON.stringify(payload)));",
        "  const sig = await crypto.subtle.sign('HMAC', key, enc.encode(input));",
        "  const ok = await crypto.subtle.verify({ name: 'HMAC' }, key, sig, enc.encode(input));",
        "  const tampered = await crypto.subtle.verify('HMAC', key, sig, enc.encode(input + 'x'));",
        "  const jwk = await crypto.subtle.importKey('jwk', { kty: 'oct', k: b64url(enc.encode(secret)) }, { name: 'HMAC', hash: { name: 'SHA-256' } }, true, ['sign']);",
        "  const same = b64url(await crypto.subtle.sign('HMAC', jwk, enc.encode(input))) === b64url(sig);",
        "  const generated = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-512' }, true, ['sign']);",
        "  // What a key is stays out of reach: its usages and hash are copies, and the crypto module's exports",
        "  // (which a tenant may replace) are not what subtle calls.",
        "  const verifyOnly = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);",
        "  let seen = 'nothing';",
        "  try { nodeCrypto.createHmac = () => { seen = 'key'; return { update: () => ({ digest: () => new Uint8Array(32) }) }; }; } catch {}",
        "  try { verifyOnly.usages.push('sign'); } catch {}",
        "  try { key.algorithm.hash.name = 'SHA-1'; } catch {}",
        "  const stillRight = b64url(await crypto.subtle.sign('HMAC', key, enc.encode(input))) === b64url(sig);",
        "  const lies = await crypto.subtle.verify('HMAC', key, new Uint8Array(32), enc.encode(input));",
        "  const refusals = [];",
        "  refusals.push(await crypto.subtle.sign('HMAC', verifyOnly, enc.encode(input)).then(() => 'signed', (e) => e.name));",
        "  for (const attempt of [",
        "    () => crypto.subtle.exportKey('raw', key),",
        "    () => crypto.subtle.sign('HMAC', generated, new Uint8Array(1)).then(() => crypto.subtle.verify('HMAC', generated, new Uint8Array(64), new Uint8Array(1))),",
        "    () => crypto.subtle.encrypt({ name: 'AES-GCM' }, key, new Uint8Array(1)),",
        "    () => crypto.subtle.importKey('raw', new Uint8Array(8), { name: 'AES-GCM' }, false, ['encrypt']),",
        "  ]) refusals.push(await attempt().then((v) => 'ok:' + v, (e) => e.name));",
        "  return {",
        "    token: input + '.' + b64url(sig), ok, tampered, same,",
        "    tag: Object.prototype.toString.call(key), algorithm: key.algorithm, usages: key.usages, extractable: key.extractable,",
        "    generatedBits: (await crypto.subtle.exportKey('raw', generated)).byteLength * 8,",
        "    refusals, seen, stillRight, lies,",
        "  };",
        "}",
      ].join("\n"),
    });
    const payload = { sub: "u1", iat: 1700000000 };
    const header = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
    const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
    const expected = createHmac("sha256", "s3cret").update(`${header}.${body}`).digest("base64url");
    await expect(runtimeWith().run({ folder, file: "jwt.mjs", funcName: "f", args: ["s3cret", payload] })).resolves.toEqual({
      token: `${header}.${body}.${expected}`,
      ok: true,
      tampered: false,
      same: true,
      tag: "[object CryptoKey]",
      algorithm: { name: "HMAC", hash: { name: "SHA-256" }, length: 48 },
      usages: ["sign", "verify"],
      extractable: false,
      generatedBits: 1024,
      // Not extractable; generated key used with its own usages only (verify refused); no AES in the sandbox.
      refusals: ["InvalidAccessError", "InvalidAccessError", "InvalidAccessError", "NotSupportedError", "NotSupportedError"],
      seen: "nothing",
      stillRight: true,
      lies: false,
    });
  });

  it("process, Buffer, crypto, performance, queueMicrotask, setImmediate, EventTarget and AbortController work as in Node", async () => {
    const folder = makeTenant({
      "a.mjs": [
        "import { EventEmitter } from 'node:events';",
        "import { promisify, inspect } from 'util';",
        "import { createHash, createHmac, randomBytes } from 'crypto';",
        "export async function f() {",
        "  const order = [];",
        "  process.nextTick(() => order.push('tick'));",
        "  queueMicrotask(() => order.push('micro'));",
        "  await new Promise((resolve) => setImmediate(resolve));",
        "  const controller = new AbortController();",
        "  let aborted = false;",
        "  controller.signal.addEventListener('abort', () => (aborted = true));",
        "  controller.abort();",
        "  const e = new EventEmitter();",
        "  const got = new Promise((resolve) => e.once('x', resolve));",
        "  e.emit('x', 42);",
        "  const digest = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('abc'))).toString('hex');",
        "  return {",
        "    order, aborted, got: await got, digest,",
        "    sha1: createHash('sha1').update('abc').digest('hex'),",
        "    hmac: createHmac('sha256', 'key').update('msg').digest('base64'),",
        "    md5: createHash('md5').update(Buffer.from('abc')).digest('hex'),",
        "    bytes: randomBytes(8).length,",
        "    uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()),",
        "    inspect: inspect({ a: [1, { b: 2 }] }),",
        "    promisified: await promisify((cb) => cb(null, 'ok'))(),",
        "    hrtime: Array.isArray(process.hrtime()) && typeof performance.now() === 'number',",
        "    version: process.version.startsWith('v'),",
        "  };",
        "}",
      ].join("\n"),
    });
    await expect(runtimeWith().run({ folder, file: "a.mjs", funcName: "f" })).resolves.toEqual({
      order: ["tick", "micro"],
      aborted: true,
      got: 42,
      digest: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      sha1: "a9993e364706816aba3e25717850c26c9cd0d89d",
      hmac: "LZPLwb4We8sWN6SiPL/wGnh48MUO6DOVTqUiG7G4xig=",
      md5: "900150983cd24fb0d6963f7d28e17f72",
      bytes: 8,
      uuid: true,
      inspect: "{ a: [ 1, { b: 2 } ] }",
      promisified: "ok",
      hrtime: true,
      version: true,
    });
  });

  it("Blob, File, DOMException, CustomEvent, the web streams (globals and stream/web), buffer.Blob and punycode work as in Node", async () => {
    const folder = makeTenant({
      "a.js": [
        "const web = require('node:stream/web');",
        "const { Blob: BufferBlob, File: BufferFile, atob: bufferAtob } = require('buffer');",
        "const punycode = require('punycode');",
        "exports.f = async () => {",
        "  const source = new Uint8Array([33]);",
        "  const blob = new Blob(['h\u00e9llo', source], { type: 'Text/Plain' });",
        "  source[0] = 63;",
        "  const file = new File([blob], 'a.txt', { type: 'text/x', lastModified: 5 });",
        "  const copy = new Uint8Array(await blob.arrayBuffer());",
        "  copy[0] = 0;",
        "  const streamed = [];",
        "  for await (const chunk of blob.stream()) streamed.push(...chunk);",
        "  const text = new ReadableStream({ start(c) { c.enqueue('\\ud83d'); c.enqueue('\\ude00!'); c.close(); } })",
        "    .pipeThrough(new TextEncoderStream()).pipeThrough(new TextDecoderStream());",
        "  const pieces = [];",
        "  for await (const piece of text) pieces.push(piece);",
        "  const written = [];",
        "  const writer = new WritableStream({ write(chunk) { written.push(chunk * 2); } }).getWriter();",
        "  await writer.write(1); await writer.write(2); await writer.close();",
        "  const controller = new AbortController();",
        "  controller.abort();",
        "  const reason = controller.signal.reason;",
        "  const error = new DOMException('late', { name: 'TimeoutError', cause: 1 });",
        "  let detail;",
        "  const target = new EventTarget();",
        "  target.addEventListener('x', (event) => (detail = event.detail));",
        "  target.dispatchEvent(new CustomEvent('x', { detail: { n: 1 } }));",
        "  return {",
        "    blob: [blob.size, blob.type, await blob.text(), await blob.slice(-1).text(), await blob.slice(1, 3, 'a/b').text(), blob.slice(1, 3, 'a/b').type, copy[0] !== (await blob.bytes())[0]],",
        "    file: [file.name, file.type, file.lastModified, file.size, file instanceof Blob, Object.prototype.toString.call(file)],",
        "    streamed: streamed.length, pieces: pieces.join(''), written,",
        "    reason: [reason instanceof DOMException, reason instanceof Error, reason.name, reason.code, reason.message, reason.stack.split('\\n')[0]],",
        "    error: [error.name, error.code, error.cause, DOMException.TIMEOUT_ERR, new DOMException().name, String(error)],",
        "    detail,",
        "    same: [web.ReadableStream === ReadableStream, typeof web.TransformStream, BufferBlob === Blob, BufferFile === File, bufferAtob('aGk=')],",
        "    punycode: [punycode.toASCII('ma\u00f1ana.com'), punycode.toUnicode('xn--maana-pta.com')],",
        "  };",
        "};",
      ].join("\n"),
    });
    await expect(runtimeWith().run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual({
      blob: [7, "text/plain", "h\u00e9llo!", "!", "\u00e9", "a/b", true],
      file: ["a.txt", "text/x", 5, 7, true, "[object File]"],
      streamed: 7,
      pieces: "\u{1f600}!",
      written: [2, 4],
      reason: [true, true, "AbortError", 20, "This operation was aborted", "AbortError: This operation was aborted"],
      error: ["TimeoutError", 23, 1, 23, "Error", "TimeoutError: late"],
      detail: { n: 1 },
      same: [true, "function", true, true, "hi"],
      punycode: ["xn--maana-pta.com", "ma\u00f1ana.com"],
    });
  });

  it("require.resolve answers as Node does with the tenant folder as the root, and MODULE_NOT_FOUND for what the module does not depend on", async () => {
    const folder = makeTenant({
      "node_modules/lib/package.json": '{ "name": "lib", "exports": { ".": { "require": "./main.cjs" } } }',
      "node_modules/lib/main.cjs": "module.exports = (name) => { try { return require.resolve(name); } catch (e) { return e.code; } };\nif (false) require('./main.cjs'), require('events');",
      "a.js": "const resolve = require('lib');\nexports.f = () => [resolve('./main.cjs'), resolve('events'), resolve('./other.js')];",
    });
    await expect(runtimeWith().run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual(["/node_modules/lib/main.cjs", "events", "MODULE_NOT_FOUND"]);
  });

  it("require.resolve of a literal the module never requires (art-template's own index.js, a template file) answers its path without running it; one that does not resolve is MODULE_NOT_FOUND", async () => {
    const folder = makeTenant({
      "node_modules/lib/package.json": '{ "name": "lib", "main": "lib/main.js" }',
      "node_modules/lib/index.js": "globalThis.ran = true; module.exports = 1;",
      "node_modules/lib/tpl.art": "<p>{{ x }}</p>",
      "node_modules/lib/lib/main.js":
        "const at = (f) => { try { return f(); } catch (e) { return e.code; } };\nmodule.exports = () => [at(() => require.resolve('../index.js')), at(() => require.resolve(`../tpl.art`)), at(() => require.resolve('./gone.js')), at(() => require.resolve('events')), typeof globalThis.ran];",
      "a.js": "const f = require('lib');\nexports.f = () => f();",
    });
    await expect(runtimeWith().run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual([
      "/node_modules/lib/index.js",
      "/node_modules/lib/tpl.art",
      "MODULE_NOT_FOUND",
      "events",
      "undefined",
    ]);
  });

  it("require(esm) of a module with a default export carries __esModule: true as Node 22.12+ (compiled CommonJS's __importDefault takes the default); require.extensions, require.cache and require.main are there and inert", async () => {
    const files = {
      "node_modules/esm/package.json": '{ "name": "esm", "type": "module", "exports": "./index.js" }',
      "node_modules/esm/index.js": "export default function pretty(n) { return n + ' ms'; }\nexport const unit = 'ms';\nexport let count = 0;\nexport function bump() { count++; }",
      "node_modules/named/package.json": '{ "name": "named", "type": "module", "exports": "./index.js" }',
      "node_modules/named/index.js": "export const a = 1;",
      "node_modules/lib/package.json": '{ "name": "lib", "main": "index.js" }',
      "node_modules/lib/index.js": [
        '"use strict";',
        "var __importDefault = (this && this.__importDefault) || function (mod) { return (mod && mod.__esModule) ? mod : { \"default\": mod }; };",
        'const esm = require("esm"), named = require("named");',
        "const pretty = __importDefault(esm);",
        "require.extensions['.art'] = function () {};",
        "delete require.cache['/x.js'];",
        "module.exports = () => { esm.bump(); return [pretty.default(5), Object.keys(esm), esm.__esModule, esm.count, Object.prototype.toString.call(esm), Object.isExtensible(esm), Object.keys(named), named.__esModule, Object.keys(require.extensions), typeof require.cache, require.main]; };",
      ].join("\n"),
      "a.js": "const f = require('lib');\nexports.f = () => f();",
    };
    const folder = makeTenant(files);
    const expected = ["5 ms", ["__esModule", "bump", "count", "default", "unit"], true, 1, "[object Module]", false, ["a"], null, [".js", ".json", ".node", ".art"], "object", null];
    await expect(runtimeWith().run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual(expected);
    // Node agrees (but for require.main, this test's own module there; and its handlers' names).
    const node = createRequire(`${folder}/a.js`)("lib")();
    expect(JSON.parse(JSON.stringify([...node.slice(0, 8), node[8].slice(0, 3).concat(".art"), node[9]]))).toEqual(expected.slice(0, 10));
  });

  it("fs, net, child_process, worker_threads, vm, v8 and inspector stay MODULE_NOT_FOUND for the tenant's own code", async () => {
    for (const name of ["fs", "net", "child_process", "worker_threads", "vm", "v8", "inspector"]) {
      const folder = makeTenant({ "a.js": `exports.f = () => { try { require(${JSON.stringify(`node:${name}`)}); return "loaded"; } catch (e) { return e.code; } };` });
      await expect(runtimeWith().run({ folder, file: "a.js", funcName: "f" }), name).resolves.toBe("MODULE_NOT_FOUND");
    }
  });
});

describe("Node APIs libraries reach for beside the documented ones (compat helper)", () => {
  it("Buffer's per-encoding slices and writes, copyBytesFrom, both BigUint spellings; buffer's isUtf8, isAscii, constants; url's file: URL helpers, domains and urlToHttpOptions; buffer.resolveObjectURL (no blob: URL names a Blob); querystring's escape and unescape: as Node", async () => {
    const fixture = new URL("./fixtures/node-api-extras.cjs", import.meta.url);
    const folder = makeTenant({ "n.js": fs.readFileSync(fixture, "utf8") });
    const node = createRequire(import.meta.url)("./fixtures/node-api-extras.cjs").f();
    await expect(runtimeWith().run({ folder, file: "n.js", funcName: "f" })).resolves.toEqual(JSON.parse(JSON.stringify(node, (_k, v) => (typeof v === "bigint" ? String(v) : v))));
  });
});

describe("crypto's digests and key derivation (the host's Node is the oracle)", () => {
  it("createHash, createHmac and hash by every name getHashes() gives (SHA-2, SHA-512/t, SHA-3, SHAKE with outputLength, RIPEMD-160, BLAKE2, OpenSSL's aliases), pbkdf2, hkdf and scrypt sync and with callbacks, and their argument errors: as Node", async () => {
    const fixture = new URL("./fixtures/crypto-digests.cjs", import.meta.url);
    const folder = makeTenant({ "d.js": fs.readFileSync(fixture, "utf8") });
    const node = await createRequire(import.meta.url)("./fixtures/crypto-digests.cjs").f();
    expect(node.names.length).toBeGreaterThan(40);
    await expect(runtimeWith().run({ folder, file: "d.js", funcName: "f" })).resolves.toEqual(node);
  });

  it("a derivation runs under the call's time limit", async () => {
    const folder = makeTenant({ "slow.js": "exports.f = () => require('crypto').pbkdf2Sync('p', 's', 2 ** 30, 32, 'sha512');" });
    await expectCode(runtimeWith({ timeout: 300 }), { folder, file: "slow.js", funcName: "f" }, "TIMEOUT");
  });
});

describe("built-in modules' names (the host's Node is the oracle)", () => {
  it("Buffer, EventEmitter, the stream classes, AssertionError, ... are named as in Node (what util.inspect and libraries print), not as the bundle renamed them", async () => {
    const fixture = new URL("./fixtures/builtin-names.cjs", import.meta.url);
    const folder = makeTenant({ "n.js": fs.readFileSync(fixture, "utf8") });
    const node = createRequire(import.meta.url)("./fixtures/builtin-names.cjs").f();
    await expect(runtimeWith().run({ folder, file: "n.js", funcName: "f" })).resolves.toEqual(node);
  });

  it("the bundles mark only the names bundling changed: each mark runs at every instantiation, that is every call", () => {
    const dir = new URL("../dist/builtins/", import.meta.url);
    let marks = 0;
    for (const file of fs.readdirSync(dir)) {
      const text = fs.readFileSync(new URL(file, dir), "utf8");
      for (const [, target, name] of text.matchAll(/__name\(([\w$]+), "([^"]*)"\)/g)) {
        marks++;
        expect(target, `${file}: ${name} marked with the name it has`).not.toBe(name);
      }
    }
    // keepNames alone wrote ~1,600; what is left is renamed (Buffer3 -> "Buffer", a class renamed _Blob).
    expect(marks).toBeGreaterThan(0);
    expect(marks).toBeLessThan(400);
  });
});

describe("stream's web adapters (the host's Node is the oracle)", () => {
  it("Readable.fromWeb/toWeb, Writable.fromWeb/toWeb and Duplex.fromWeb/toWeb: chunks (Buffers as Uint8Arrays), object mode, encodings, errors, cancel, pipeline: as Node", async () => {
    const fixture = new URL("./fixtures/stream-web-adapters.cjs", import.meta.url);
    const folder = makeTenant({ "s.js": fs.readFileSync(fixture, "utf8") });
    const node = await createRequire(import.meta.url)("./fixtures/stream-web-adapters.cjs").f();
    await expect(runtimeWith().run({ folder, file: "s.js", funcName: "f" })).resolves.toEqual(node);
  });
});

describe("events as Node 22+ has it (the host's Node is the oracle)", () => {
  it("errorMonitor, ERR_UNHANDLED_ERROR, once with a signal, on (queue, error, close, return, abort, watermarks), captureRejections, the statics: as Node", async () => {
    const fixture = new URL("./fixtures/node-events.cjs", import.meta.url);
    const folder = makeTenant({ "e.js": fs.readFileSync(fixture, "utf8") });
    const node = await (createRequire(import.meta.url)("./fixtures/node-events.cjs") as { f: () => Promise<unknown> }).f();
    const expected = JSON.parse(JSON.stringify(node)) as Record<string, unknown>;
    await expect(runtimeWith().run({ folder, file: "e.js", funcName: "f" })).resolves.toEqual(expected);
  });

  it("getEventListeners of an EventTarget says it is unavailable (event-target-shim keeps its listeners private)", async () => {
    const folder = makeTenant({ "e.js": "const { getEventListeners } = require('events');\nexports.f = () => { try { getEventListeners(new EventTarget(), 'x'); return 'listed'; } catch (e) { return e.code; } };" });
    await expect(runtimeWith().run({ folder, file: "e.js", funcName: "f" })).resolves.toBe("ERR_FEATURE_UNAVAILABLE_ON_PLATFORM");
  });
});

describe("path: posix and win32 (the host's Node is the oracle)", () => {
  /*
   * path-unified is Node 21.5's lib/path.js. Node 22+ hardened win32 since: a relative path whose text has
   * a colon after its first character gets a ".\" in front, so that it never turns into a drive ("a\C:\x"),
   * and device namespace paths (\\.\pipe, \\?\C:) keep their root differently. Those two kinds are the only
   * disagreements allowed; any other one fails.
   */
  function knownWin32Difference(flavour: string, args: unknown[]): boolean {
    if (flavour !== "win32") return false;
    const texts = args.filter((arg): arg is string => typeof arg === "string");
    const colonPastDrive = texts.some((text, index) => text.indexOf(":", index === 0 ? 2 : 0) !== -1);
    const device = texts.some((text) => /^[\\/]{2}[.?][\\/]/.test(text));
    return colonPastDrive || device;
  }

  it("every call agrees with Node's, but for the two kinds of Node 22+ win32 hardening; the modules are cross-linked as in Node", async () => {
    const fixture = new URL("./fixtures/node-path.cjs", import.meta.url);
    const folder = makeTenant({ "p.js": fs.readFileSync(fixture, "utf8") });
    const node = (createRequire(import.meta.url)("./fixtures/node-path.cjs") as { f: () => string[][] }).f();
    const realm = (await runtimeWith().run({ folder, file: "p.js", funcName: "f" })) as string[][];
    expect(realm.length).toBe(node.length);
    const unexpected: string[] = [];
    let known = 0;
    for (let i = 0; i < node.length; i++) {
      const [flavour, name, args, expected] = node[i]!;
      expect(realm[i]!.slice(0, 3)).toEqual([flavour, name, args]);
      if (realm[i]![3] === expected) continue;
      if (knownWin32Difference(flavour!, JSON.parse(args || "[]") as unknown[])) known++;
      else unexpected.push(`${flavour}.${name}(${args}): node ${expected}, realm ${realm[i]![3]}`);
    }
    expect(unexpected).toEqual([]);
    expect(node.length).toBeGreaterThan(4900);
    // The hardening differences are a minority of the win32 calls that could show them.
    expect(known).toBeLessThan(300);
  });
});

describe("util.inspect and util.format (the host's Node is the oracle)", () => {
  it("Map, Set, typed arrays, ArrayBuffer, classes, symbols, bigints, boxed values, cycles, options; %i %f %o %O %c %s %d %j: as Node prints them", async () => {
    const fixture = new URL("./fixtures/node-util.cjs", import.meta.url);
    const folder = makeTenant({ "u.js": fs.readFileSync(fixture, "utf8") });
    const node = (createRequire(import.meta.url)("./fixtures/node-util.cjs") as { f: () => unknown[][] }).f();
    const realm = (await runtimeWith().run({ folder, file: "u.js", funcName: "f" })) as unknown[][];
    expect(realm.length).toBe(node.length);
    const differences = node.flatMap((row, i) => (JSON.stringify(realm[i]) === JSON.stringify(row) ? [] : [`node ${JSON.stringify(row)}\nrealm ${JSON.stringify(realm[i])}`]));
    expect(differences).toEqual([]);
  });
});

describe("Headers and FormData globals (the host's Node is the oracle)", () => {
  it("Headers (validation, sort and combine, Set-Cookie, set/delete, iterators) and FormData (strings, Blob to File, filenames, live iteration) behave as Node's; there is no fetch", async () => {
    const fixture = new URL("./fixtures/node-fetch-classes.cjs", import.meta.url);
    const folder = makeTenant({
      "h.js": fs.readFileSync(fixture, "utf8"),
      "absent.js": "exports.f = () => [typeof fetch, Object.getPrototypeOf(Headers.prototype) === Object.prototype, Object.getPrototypeOf(Response.prototype) === Object.prototype];",
    });
    const node = await (createRequire(import.meta.url)("./fixtures/node-fetch-classes.cjs") as { f: () => Promise<string[][]> }).f();
    await expect(runtimeWith().run({ folder, file: "h.js", funcName: "f" })).resolves.toEqual(node);
    await expect(runtimeWith().run({ folder, file: "absent.js", funcName: "f" })).resolves.toEqual(["undefined", true, true]);
  });
});

describe("Headers and FormData: tenant text", () => {
  it("a header value with a long inner run of whitespace is stripped in linear time (a trailing-whitespace regular expression backtracks quadratically)", async () => {
    const folder = makeTenant({ "w.js": "exports.f = () => { const h = new Headers({ a: ' a' + ' '.repeat(400000) + 'b ' }); return h.get('a').length; };" });
    await expect(runtimeWith({ timeout: 2000 }).run({ folder, file: "w.js", funcName: "f" })).resolves.toBe(400002);
  });
});

describe("Request and Response globals, as values (the host's Node is the oracle)", () => {
  it("bodies of every kind with their Content-Type, read once, cloned, as streams; multipart and urlencoded formData(); status and method rules; Response.json/error/redirect; Request options, signals and copies: as Node's", async () => {
    const fixture = new URL("./fixtures/node-request-response.cjs", import.meta.url);
    const folder = makeTenant({ "r.js": fs.readFileSync(fixture, "utf8") });
    const node = await (createRequire(import.meta.url)("./fixtures/node-request-response.cjs") as { f: () => Promise<string[][]> }).f();
    await expect(runtimeWith().run({ folder, file: "r.js", funcName: "f" })).resolves.toEqual(node);
  });
});

describe("process.arch, memoryUsage and cpuUsage (the host's Node is the oracle)", () => {
  it("have Node's shapes, types and argument errors", async () => {
    const fixture = new URL("./fixtures/node-process-usage.cjs", import.meta.url);
    const folder = makeTenant({ "p.js": fs.readFileSync(fixture, "utf8") });
    const node = (createRequire(import.meta.url)("./fixtures/node-process-usage.cjs") as { f: () => unknown }).f();
    await expect(runtimeWith().run({ folder, file: "p.js", funcName: "f" })).resolves.toEqual(node);
  });

  it("tell only what the invocation knows of itself: its allocations outside the heap, its own time; arch is fixed as os.arch()", async () => {
    const folder = makeTenant({
      "p.js": [
        "exports.f = () => {",
        "  const before = process.memoryUsage();",
        "  const kept = new Uint8Array(1 << 20);",
        "  const after = process.memoryUsage();",
        "  const start = Date.now(); while (Date.now() - start < 30);",
        "  const cpu = process.cpuUsage();",
        "  return [process.arch, before.heapUsed, before.heapTotal, after.arrayBuffers - before.arrayBuffers >= kept.length, after.external === after.arrayBuffers, process.memoryUsage.rss() === after.rss, cpu.user >= 30000, cpu.system];",
        "};",
      ].join("\n"),
    });
    await expect(runtimeWith().run({ folder, file: "p.js", funcName: "f" })).resolves.toEqual(["x64", 0, 0, true, true, true, true, 0]);
  });
});

describe("buffer.transcode and zlib.crc32 (the host's Node is the oracle)", () => {
  it("transcode between utf8, ucs2, latin1 and ascii (ICU's replacements and errors), crc32 of strings and views with a running value, their argument errors: as Node", async () => {
    const fixture = new URL("./fixtures/node-transcode-crc32.cjs", import.meta.url);
    const folder = makeTenant({ "t.js": fs.readFileSync(fixture, "utf8") });
    const node = (createRequire(import.meta.url)("./fixtures/node-transcode-crc32.cjs") as { f: () => { transcodes: unknown[] } }).f();
    const realm = (await runtimeWith().run({ folder, file: "t.js", funcName: "f" })) as typeof node;
    expect(realm.transcodes.length).toBe(node.transcodes.length);
    const differences = node.transcodes.flatMap((row, i) => (JSON.stringify(realm.transcodes[i]) === JSON.stringify(row) ? [] : [`${i}: node ${JSON.stringify(row)}\nrealm ${JSON.stringify(realm.transcodes[i])}`]));
    expect(differences).toEqual([]);
    expect(realm).toEqual(JSON.parse(JSON.stringify(node)));
  });

  it("crc32 of a big input runs under the call's time limit", async () => {
    const folder = makeTenant({ "c.js": "exports.f = () => { const b = Buffer.alloc(1 << 24); let c = 0; for (;;) c = require('zlib').crc32(b, c); };" });
    await expectCode(runtimeWith({ timeout: 300 }), { folder, file: "c.js", funcName: "f" }, "TIMEOUT");
  });
});

describe("TextDecoder (the host's Node, with full ICU, is the oracle)", () => {
  it("malformed UTF-8 is one U+FFFD per maximal subpart, whole, fatal and streamed: as Node", async () => {
    const fixture = new URL("./fixtures/text-decoder.cjs", import.meta.url);
    const folder = makeTenant({ "t.js": fs.readFileSync(fixture, "utf8") });
    const node = (createRequire(import.meta.url)("./fixtures/text-decoder.cjs") as { f: () => unknown }).f();
    await expect(runtimeWith().run({ folder, file: "t.js", funcName: "f" })).resolves.toEqual(JSON.parse(JSON.stringify(node)));
  });
});

describe("util's Node 20+ additions (the host's Node is the oracle)", () => {
  it("parseArgs (tokens, defaults, short groups, allowNegative, strict errors), styleText, MIMEType/MIMEParams, aborted, toUSVString, getSystemErrorName/Message/Map: as Node", async () => {
    const fixture = new URL("./fixtures/node-util-additions.cjs", import.meta.url);
    const folder = makeTenant({ "u.js": fs.readFileSync(fixture, "utf8") });
    const node = await (createRequire(import.meta.url)("./fixtures/node-util-additions.cjs") as { f: () => Promise<Record<string, unknown[]>> }).f();
    const realm = (await runtimeWith().run({ folder, file: "u.js", funcName: "f" })) as typeof node;
    for (const key of Object.keys(node)) {
      const differences = node[key]!.flatMap((row, i) => (JSON.stringify(realm[key]![i]) === JSON.stringify(row) ? [] : [`${key}[${i}]: node ${JSON.stringify(row)}\nrealm ${JSON.stringify(realm[key]![i])}`]));
      expect(differences).toEqual([]);
    }
    expect(realm).toEqual(JSON.parse(JSON.stringify(node)));
  });
});

describe("CompressionStream and DecompressionStream (the host's Node is the oracle)", () => {
  it("deflate, deflate-raw and gzip: the bytes Node makes of chunks of every kind, round trips a byte at a time, zlib's data read back, the classes' shape: as Node", async () => {
    const fixture = new URL("./fixtures/compression-streams.cjs", import.meta.url);
    const folder = makeTenant({ "c.js": fs.readFileSync(fixture, "utf8") });
    const node = await (createRequire(import.meta.url)("./fixtures/compression-streams.cjs") as { f: () => Promise<unknown> }).f();
    await expect(runtimeWith().run({ folder, file: "c.js", funcName: "f" })).resolves.toEqual(JSON.parse(JSON.stringify(node)));
  });

  it("bad data, a truncated stream and trailing junk fail the stream with zlib's codes; brotli is refused; a bomb ends at the memory limit", async () => {
    const folder = makeTenant({
      "c.js": [
        "const zlib = require('zlib');",
        "async function through(stream, chunks) {",
        "  const writer = stream.writable.getWriter(); const out = [];",
        "  const reading = (async () => { for await (const c of stream.readable) out.push(c); })();",
        "  reading.catch(() => {});",
        "  try { for (const c of chunks) await writer.write(c); await writer.close(); await reading; return out.length; } catch (e) { return [e.name, e.code, e.message, e.cause ? [e.cause.code, e.cause.message] : null]; }",
        "}",
        "exports.f = async () => {",
        "  const z = zlib.deflateSync('hello world');",
        "  let brotli; try { new DecompressionStream('brotli'); } catch (e) { brotli = e.name; }",
        "  return [await through(new DecompressionStream('deflate'), [new Uint8Array([1, 2, 3, 4])]), await through(new DecompressionStream('deflate'), [z.subarray(0, 5)]),",
        "    await through(new DecompressionStream('deflate'), [Buffer.concat([z, Buffer.from('junk')])]), await through(new DecompressionStream('deflate'), [z, Buffer.from('junk')]), await through(new CompressionStream('gzip'), [{}]), brotli];",
        "};",
        "exports.bomb = async (packed) => { const s = new DecompressionStream('gzip'); const w = s.writable.getWriter(); w.write(Buffer.from(packed, 'base64')); w.close(); let n = 0; for await (const c of s.readable) n += c.length; return n; };",
      ].join("\n"),
    });
    await expect(runtimeWith().run({ folder, file: "c.js", funcName: "f" })).resolves.toEqual([
      ["TypeError", "Z_DATA_ERROR", "", ["Z_DATA_ERROR", "incorrect header check"]],
      ["TypeError", "Z_BUF_ERROR", "", ["Z_BUF_ERROR", "unexpected end of file"]],
      ["TypeError", "ERR_TRAILING_JUNK_AFTER_STREAM_END", "Trailing junk found after the end of the compressed stream", null],
      ["TypeError", "ERR_TRAILING_JUNK_AFTER_STREAM_END", "Trailing junk found after the end of the compressed stream", null],
      // Node 24's words for it, "Received ..." included.
      ["TypeError", "ERR_INVALID_ARG_TYPE", 'The "chunk" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received an instance of Object', null],
      "TypeError",
    ]);
    // 256 MiB of zeros against 64 MiB outside the heap (4 x memoryLimitMb).
    const packed = gzipSync(Buffer.alloc(256 * 1024 * 1024)).toString("base64");
    await expectCode(runtimeWith({ memoryLimitMb: 16, timeout: 30_000 }), { folder, file: "c.js", funcName: "bomb", args: [packed] }, "MEMORY_LIMIT_EXCEEDED");
  });
});

describe("shims the compat sweep found differing from Node (the host's Node is the oracle)", () => {
  it("util.inherits re-parents the constructor's own prototype (methods defined before the call stay), with Node's super_ and argument errors", async () => {
    const fixture = new URL("./fixtures/node-shims-sweep.cjs", import.meta.url);
    const folder = makeTenant({ "s.js": fs.readFileSync(fixture, "utf8") });
    const node = (createRequire(import.meta.url)("./fixtures/node-shims-sweep.cjs") as { f: () => Record<string, unknown[]> }).f();
    const realm = (await runtimeWith().run({ folder, file: "s.js", funcName: "f" })) as typeof node;
    expect(realm).toEqual(JSON.parse(JSON.stringify(node)));
  });

  it("Response, Request, Headers, FormData, Blob and File list their attributes and methods in for-in, as WebIDL's classes do (redaxios copies a Response's fields so)", async () => {
    const source =
      "exports.f = () => { const out = {}; for (const [name, o] of [['Response', new Response('x')], ['Request', new Request('http://x/')], ['Headers', new Headers()], ['FormData', new FormData()], ['Blob', new Blob([])], ['File', new File([], 'a')]]) {\n" +
      "  const listed = new Set(); for (const k in o) listed.add(k);\n" +
      "  const missing = []; for (let p = Object.getPrototypeOf(o); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) for (const k of Object.getOwnPropertyNames(p)) if (k !== 'constructor' && !listed.has(k)) missing.push(k);\n" +
      "  out[name] = [missing, ['status', 'ok', 'json', 'method', 'get', 'append', 'entries', 'size', 'type', 'name', 'slice'].filter((k) => listed.has(k))];\n" +
      "} return out; };";
    const folder = makeTenant({ "e.js": source });
    const node = new Function("exports", source + "\nreturn exports;")({}) as { f: () => unknown };
    await expect(runtimeWith().run({ folder, file: "e.js", funcName: "f" })).resolves.toEqual(node.f());
  });

  it("zlib's streams below the stream API: _handle.writeSync with _writeState, _processChunk, the buffer fields and chunkSize's check; every constant, the legacy Z_ names and codes: as Node's", async () => {
    const fixture = new URL("./fixtures/node-shims-sweep.cjs", import.meta.url);
    const folder = makeTenant({ "s.js": fs.readFileSync(fixture, "utf8") });
    const node = (createRequire(import.meta.url)("./fixtures/node-shims-sweep.cjs") as { zlib: () => Record<string, unknown> }).zlib();
    const realm = (await runtimeWith().run({ folder, file: "s.js", funcName: "zlib" })) as typeof node;
    expect(realm).toEqual(JSON.parse(JSON.stringify(node)));
  });
});
