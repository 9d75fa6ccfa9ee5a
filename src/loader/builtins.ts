import fs from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Node's built-in modules as the tenant realm has them: polyfills, built from maintained registry packages
 * (src/runner/builtins/, bundled into dist/builtins/ at build time), instantiated fresh in each invocation.
 * A built-in module's id is "node:" + its canonical name; no tenant file can have such an id (the graph
 * refuses ids starting with "node:"). Anything else Node has (fs, net, child_process, worker_threads, vm,
 * v8, inspector, ...) stays MODULE_NOT_FOUND.
 */

/** Specifier (without "node:") -> the bundle that implements it (dist/builtins/<bundle>.cjs). */
const BUNDLES: Record<string, string> = {
  assert: "assert",
  buffer: "buffer",
  crypto: "crypto",
  diagnostics_channel: "diagnostics_channel",
  events: "events",
  module: "module",
  os: "os",
  path: "path",
  "path/posix": "path",
  "path/win32": "path-win32",
  punycode: "punycode",
  querystring: "querystring",
  stream: "stream",
  "stream/promises": "stream-promises",
  "stream/web": "stream-web",
  string_decoder: "string_decoder",
  timers: "timers",
  tty: "tty",
  "timers/promises": "timers-promises",
  url: "url",
  util: "util",
  zlib: "zlib",
};

/** Built by the realm itself (sandbox/process.ts), not from a bundle: it carries the invocation's env. */
export const REALM_BUILTINS = ["process"] as const;

/**
 * Built by the realm itself, for the built-in bundles (`require("node:internal/keys")` in crypto.cjs):
 * the asymmetric key engine (sandbox/crypto-keys.ts). A tenant can name it too: it gives nothing crypto's own
 * API does not.
 */
export const REALM_INTERNALS = ["internal/keys"] as const;

/** Internal bundles: reached through globals (web, blob, fetch) or by the built-ins that use them (inspect, for util). */
export const INTERNAL_BUNDLES = { "internal/web": "web", "internal/blob": "blob", "internal/inspect": "inspect", "internal/fetch": "fetch" } as const;

/** Every bundle the build makes: its entry is src/runner/builtins/<bundle>.cjs. */
export const BUILTIN_BUNDLES = [...new Set([...Object.values(BUNDLES), ...Object.values(INTERNAL_BUNDLES)])];

/**
 * Globals Node code expects that the realm provides per invocation, from a built-in module: global name ->
 * [module id, export name or "" for the whole module]. A module that names one of them (anywhere in its
 * text) brings that built-in into its graph; the realm's global getter reads it from the invocation's instance.
 */
export const LAZY_GLOBALS: Record<string, [id: string, exportName: string]> = {
  process: ["node:process", ""],
  Buffer: ["node:buffer", "Buffer"],
  EventTarget: ["node:internal/web", "EventTarget"],
  Event: ["node:internal/web", "Event"],
  CustomEvent: ["node:internal/web", "CustomEvent"],
  DOMException: ["node:internal/web", "DOMException"],
  Blob: ["node:internal/blob", "Blob"],
  File: ["node:internal/blob", "File"],
  ...Object.fromEntries(
    [
      "ReadableStream",
      "ReadableStreamDefaultReader",
      "ReadableStreamBYOBReader",
      "ReadableStreamBYOBRequest",
      "ReadableByteStreamController",
      "ReadableStreamDefaultController",
      "WritableStream",
      "WritableStreamDefaultController",
      "WritableStreamDefaultWriter",
      "TransformStream",
      "TransformStreamDefaultController",
      "ByteLengthQueuingStrategy",
      "CountQueuingStrategy",
      "TextEncoderStream",
      "TextDecoderStream",
      "CompressionStream",
      "DecompressionStream",
    ].map((name): [string, [string, string]] => [name, ["node:stream/web", name]]),
  ),
  AbortController: ["node:internal/web", "AbortController"],
  AbortSignal: ["node:internal/web", "AbortSignal"],
  Headers: ["node:internal/fetch", "Headers"],
  FormData: ["node:internal/fetch", "FormData"],
  Request: ["node:internal/fetch", "Request"],
  Response: ["node:internal/fetch", "Response"],
};

/** Names whose mention brings a built-in into the graph without a require: the lazy globals, and crypto (subtle.digest). */
export const IMPLICIT_BUILTINS: Record<string, string> = {
  ...Object.fromEntries(Object.entries(LAZY_GLOBALS).map(([name, [id]]) => [name, id])),
  crypto: "node:crypto",
};

/** The built-in module id a specifier names, or undefined when the realm has no such module. */
export function builtinId(specifier: string): string | undefined {
  const name = specifier.startsWith("node:") ? specifier.slice(5) : specifier;
  // Internal ones only as the implicit specifiers compile.ts adds (a tenant can write them too: harmless).
  if (specifier.startsWith("node:") && (Object.hasOwn(INTERNAL_BUNDLES, name) || (REALM_INTERNALS as readonly string[]).includes(name))) return specifier;
  if (Object.hasOwn(BUNDLES, name) || (REALM_BUILTINS as readonly string[]).includes(name)) return "node:" + canonical(name);
  return undefined;
}

function canonical(name: string): string {
  return name === "path/posix" ? "path" : name;
}

/** The bundle behind a built-in id from builtinId() or LAZY_GLOBALS; undefined for realm-built ones. */
export function bundleOf(id: string): string | undefined {
  const name = id.slice(5);
  if (Object.hasOwn(BUNDLES, name)) return BUNDLES[name];
  if (Object.hasOwn(INTERNAL_BUNDLES, name)) return INTERNAL_BUNDLES[name as keyof typeof INTERNAL_BUNDLES];
  return undefined;
}

/** Whether an id can be a built-in module's in a graph: a tenant file with such an id is never loaded. */
export function isReservedId(id: string): boolean {
  return id.startsWith(UNAVAILABLE) || bundleOf(id) !== undefined || id === "node:process" || id === "node:internal/keys";
}

/** A built-in's bundle, as the build wrote it next to the running entry (dist/builtins/). */
export function readBuiltinBundle(id: string): string {
  const bundle = bundleOf(id);
  if (bundle === undefined) throw new Error(`no bundle for built-in module ${id}`);
  return fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "builtins", `${bundle}.cjs`), "utf8");
}

/** Node's own built-in module names (the host's list: a fixed set). */
const NODE_BUILTINS = new Set(builtinModules);

/** The Node built-in a specifier names ("fs", "node:fs/promises" -> "fs/promises"), or undefined. */
export function nodeBuiltinName(specifier: string): string | undefined {
  const name = specifier.startsWith("node:") ? specifier.slice(5) : specifier;
  return NODE_BUILTINS.has(name) ? name : undefined;
}

const UNAVAILABLE = "node:unavailable/";
/** Polyfills only library code (node_modules) gets. */
const LIBRARY_ONLY: ReadonlySet<string> = new Set(["node:module"]);

/**
 * A module's dependency on a built-in, as a task carries it, or undefined when the specifier names none:
 * its polyfill; or, for library code (`library`), a placeholder whose exports throw MODULE_NOT_FOUND when
 * used (packages such as ejs require fs at load and read files only when asked to); or, for a tenant's own
 * code, MODULE_NOT_FOUND when it loads.
 */
export function builtinDependency(specifier: string, library: boolean): { id: string } | { error: string } | undefined {
  const id = builtinId(specifier);
  // `module` is for libraries' load-time probes (createRequire); a tenant's own code has no use for it.
  if (id && !library && LIBRARY_ONLY.has(id)) return { error: notAvailable(specifier) };
  if (id) return { id };
  const name = nodeBuiltinName(specifier);
  if (name === undefined) return specifier.startsWith("node:") ? { error: notAvailable(specifier) } : undefined;
  return library ? { id: UNAVAILABLE + name } : { error: notAvailable(specifier) };
}

/**
 * What unavailable built-ins hold of the host process rather than of Node: never described in a placeholder. The
 * host's command line (cluster.settings.args and execArgv, once the host forked: a token passed on it), the data
 * an embedding application gave the thread the runtime runs on (worker_threads.workerData), and the like (review
 * dec10: kept as constants, they were read by any library's `require("cluster").settings.args`).
 */
const HOST_STATE: Readonly<Record<string, ReadonlySet<string>>> = {
  cluster: new Set(["settings", "workers", "worker"]),
  worker_threads: new Set(["workerData", "threadId", "threadName", "resourceLimits"]),
};

/** Unavailable built-ins not loaded to describe them: loading them prints a warning on the host's stderr. */
const QUIET_UNAVAILABLE: ReadonlySet<string> = new Set(["sys", "wasi", "test", "sqlite"]);

function notAvailable(specifier: string): string {
  return `Node built-in module "${specifier.slice(0, 200)}" is not available in the sandbox`;
}

/**
 * Classes of unavailable built-ins whose instances are settings SDKs make at load, and which a placeholder
 * constructs as an inert object (an EventEmitter keeping its options; every method of the host class's
 * prototype throws MODULE_NOT_FOUND when called): stripe's `new https.Agent({ keepAlive: true })` at the top
 * of its HTTP client, agentkeepalive's `class extends http.Agent`. A request still fails where it is made.
 */
const INERT_AGENTS: ReadonlySet<string> = new Set(["http", "https"]);

/**
 * The source of a placeholder for an unavailable built-in (builtinDependency), or undefined for any other
 * id: the host module's own names, each a function (or an object of functions, like fs.promises) that
 * throws MODULE_NOT_FOUND when called. Reading them works, as libraries do at load (`promisify(fs.stat)`);
 * http's and https's `Agent` can also be constructed (INERT_AGENTS).
 */
export function placeholderSource(id: string): string | undefined {
  if (!id.startsWith(UNAVAILABLE)) return undefined;
  const name = id.slice(UNAVAILABLE.length);
  if (!NODE_BUILTINS.has(name)) return undefined;
  // Modules whose loading the host would report (deprecated, experimental) are described as empty.
  const host = (QUIET_UNAVAILABLE.has(name) ? {} : (process.getBuiltinModule(name) ?? {})) as Record<string, unknown>;
  // Functions become throwing functions ("f"); constants (os.EOL, fs.constants.F_OK) are kept, and so are small
  // arrays of them (http.METHODS: the methods package, which express and superagent load, maps over it at load;
  // tls.rootCertificates' 180 KB are left out). A module that is itself a function (Node's `module`) is
  // described by its own properties.
  const primitive = (item: unknown) => typeof item === "string" || typeof item === "number" || typeof item === "boolean";
  const shapeOf = (value: unknown, depth: number): unknown => {
    if (typeof value === "function" && depth > 0) return "f";
    if (primitive(value)) return { value };
    // A module's own arrays only (http.METHODS): one a level further down is a host object's state.
    if (Array.isArray(value)) return depth <= 1 && value.every(primitive) && JSON.stringify(value).length <= 4096 ? { value: [...value] } : undefined;
    if (depth > 1 || !value || (typeof value !== "object" && typeof value !== "function")) return undefined;
    const inner: Record<string, unknown> = {};
    const omitted = depth === 0 && Object.hasOwn(HOST_STATE, name) ? HOST_STATE[name] : undefined;
    for (const [key, item] of Object.entries(value)) {
      if (omitted?.has(key)) continue;
      const shape = shapeOf(item, depth + 1);
      if (shape !== undefined) inner[key] = shape;
    }
    return { object: inner };
  };
  const shape = (shapeOf(host, 0) as { object: Record<string, unknown> }).object;
  delete shape.default;
  let agent = "";
  if (INERT_AGENTS.has(name) && typeof host.Agent === "function") {
    // The methods of the host class's whole chain below EventEmitter: https.Agent inherits destroy, addRequest,
    // createSocket, ... from http.Agent (names only: no host object goes into the source).
    const methods = new Set<string>();
    const stop = (process.getBuiltinModule("events") as { prototype: object }).prototype;
    for (let proto = (host.Agent as { prototype: object | null }).prototype; proto && proto !== stop && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
      for (const key of Object.getOwnPropertyNames(proto)) {
        if (key !== "constructor" && typeof Object.getOwnPropertyDescriptor(proto, key)?.value === "function") methods.add(key);
      }
    }
    const port = name === "https" ? 443 : 80;
    agent = `
const EventEmitter = require("events");
function Agent(options) {
  if (!(this instanceof Agent)) return new Agent(options);
  EventEmitter.call(this);
  const o = Object.assign({ __proto__: null }, options);
  this.defaultPort = ${port};
  this.protocol = ${JSON.stringify(name + ":")};
  this.options = o;
  this.requests = { __proto__: null };
  this.sockets = { __proto__: null };
  this.freeSockets = { __proto__: null };
  this.keepAliveMsecs = o.keepAliveMsecs || 1000;
  this.keepAlive = o.keepAlive || false;
  this.maxSockets = o.maxSockets || Agent.defaultMaxSockets;
  this.maxFreeSockets = o.maxFreeSockets || 256;
  this.scheduling = o.scheduling || "lifo";
  this.maxTotalSockets = o.maxTotalSockets || Infinity;
  this.totalSocketCount = 0;
}
Object.setPrototypeOf(Agent.prototype, EventEmitter.prototype);
Object.setPrototypeOf(Agent, EventEmitter);
Agent.defaultMaxSockets = Infinity;
for (const key of ${JSON.stringify([...methods])}) Agent.prototype[key] = unavailable(${JSON.stringify(name + ".Agent.prototype.")} + key);
exports.Agent = Agent;
`;
  }
  // async_hooks' AsyncResource works: runInAsyncScope calls the function, as Node's does where nothing tracks async
  // context (the realm has no AsyncLocalStorage nor hooks, so there is no context to carry). raw-body (body-parser,
  // express.json()) and on-finished wrap their callbacks in one when `require("async_hooks")` gives the class.
  const asyncResource = name === "async_hooks" ? ASYNC_RESOURCE : "";
  return `"use strict";
function unavailable(path) {
  return function () {
    const error = new Error(${JSON.stringify(notAvailable(name) + " (")} + path + " was called)");
    error.code = "MODULE_NOT_FOUND";
    throw error;
  };
}
function build(target, shape, path) {
  for (const key of Object.keys(shape)) {
    const item = shape[key];
    if (item === "f") target[key] = unavailable(path + key);
    else if ("value" in item) target[key] = item.value;
    else target[key] = build({}, item.object, path + key + ".");
  }
  return target;
}
build(exports, ${JSON.stringify(shape)}, ${JSON.stringify(name + ".")});
${agent}${asyncResource}`;
}

/** Node's AsyncResource (lib/async_hooks.js) without the hooks it would report to: see placeholderSource. */
const ASYNC_RESOURCE = `
function invalidArg(name, expected, value) {
  const error = new TypeError('The "' + name + '" argument must be of type ' + expected + ". Received " + (value === null ? "null" : typeof value));
  error.code = "ERR_INVALID_ARG_TYPE";
  return error;
}
let lastAsyncId = 1;
class AsyncResource {
  #asyncId;
  #triggerAsyncId;
  constructor(type, options) {
    if (typeof type !== "string") throw invalidArg("type", "string", type);
    const trigger = typeof options === "number" ? options : options && options.triggerAsyncId;
    this.#asyncId = ++lastAsyncId;
    this.#triggerAsyncId = typeof trigger === "number" ? trigger : 1;
  }
  runInAsyncScope(fn, thisArg, ...args) {
    return Reflect.apply(fn, thisArg, args);
  }
  emitDestroy() {
    return this;
  }
  asyncId() {
    return this.#asyncId;
  }
  triggerAsyncId() {
    return this.#triggerAsyncId;
  }
  bind(fn, thisArg) {
    if (typeof fn !== "function") throw invalidArg("fn", "function", fn);
    const resource = this;
    const bound = thisArg === undefined
      ? function (...args) { return resource.runInAsyncScope(fn, this, ...args); }
      : function (...args) { return resource.runInAsyncScope(fn, thisArg, ...args); };
    Object.defineProperties(bound, {
      length: { configurable: true, enumerable: false, value: fn.length, writable: false },
      asyncResource: { configurable: true, enumerable: true, value: this, writable: true },
    });
    return bound;
  }
  static bind(fn, type, thisArg) {
    type = type || fn.name || "bound-anonymous-fn";
    return new AsyncResource(type).bind(fn, thisArg);
  }
}
exports.AsyncResource = AsyncResource;
`;
