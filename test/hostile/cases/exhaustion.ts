import type { ExecuteResult } from "../../../dist/index.js";
import type { HostileCase } from "./types.js";

const is = (expected: unknown) => (v: unknown) => JSON.stringify(v) === JSON.stringify(expected) || `expected ${JSON.stringify(expected)}`;

/** The cooperative stop (a guard threw), not the worker's termination. */
const soft = (r: ExecuteResult) => (r.error?.details?.hardStop ? "ended by a hard stop; the guards should have stopped it" : undefined);
/** Code that runs no guard: only the worker's termination can end it. */
const hard = (r: ExecuteResult) => (r.error?.details?.hardStop === true ? undefined : "expected details.hardStop");
const named = (name: string, message?: RegExp) => (r: ExecuteResult) =>
  r.error?.name === name && (!message || message.test(r.error.message)) ? undefined : `error ${r.error?.name}: ${r.error?.message}`;

/** Refused by the realm's charge for memory outside the heap, not by the process's end (heap limit or hard stop). */
const charged = (r: ExecuteResult) => (/allocated more than/.test(r.error?.message ?? "") ? undefined : `not refused by the charge: ${r.error?.message}`);

/** Heap bombs get a longer limit, so that the heap limit (not the clock) is what ends them. */
const HEAP = 3000;

/**
 * Exhaustion: loops (sync, async, microtask), never-settling promises, heap, strings, arrays, typed arrays,
 * BigInt, deep recursion, deep/sparse/huge return values, console floods, timer bombs, ReDoS, Atomics.wait,
 * unhandled rejections, thrown objects whose conversions loop, tool floods, maxIterations. Each ends with
 * the limit's code near its limit, and the runtime serves the next call.
 */
export const exhaustionCases: HostileCase[] = [
  // Time.
  { id: "sync-loop", title: "for (;;) {}", source: `exports.f = () => { for (;;) {} };`, expect: { codes: ["TIMEOUT"], reportCheck: soft } },
  {
    id: "sync-loop-catching",
    title: "a loop that catches the TIMEOUT error and loops again",
    source: `exports.f = () => { for (;;) { try { for (;;) {} } catch (e) {} } };`,
    expect: { codes: ["TIMEOUT"], reportCheck: soft },
  },
  {
    id: "recursion-retry",
    title: "exponential recursion that retries in every catch",
    source: `exports.f = () => { function r() { try { r(); } catch (e) { r(); } } r(); };`,
    expect: { codes: ["TIMEOUT"], reportCheck: soft },
  },
  {
    id: "loop-without-calls",
    title: "a generator consumed forever by for-of (no allocation)",
    source: `exports.f = () => { function* g() { for (;;) yield 1; } let n = 0; for (const x of g()) n += x; return n; };`,
    expect: { codes: ["TIMEOUT"], reportCheck: soft },
  },
  // Uncounted loops (maxIterations off, the default) look at the clock through a counter of each function
  // call (transform.ts FIRST_TICK, TICK_EVERY): short loops called again and again, heavy loop bodies,
  // recursion with a loop in every frame and a module's own top level still end by the guards.
  {
    id: "uncounted-short-loops-called-forever",
    title: "a helper whose loop stays under the first tick (63 JSON parses a call), called forever",
    source: `const text = JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ i, s: "x" + i })));
function helper() { let n = 0; for (let i = 0; i < 63; i++) n += JSON.parse(text).length; return n; }
exports.f = () => { for (;;) helper(); };`,
    expect: { codes: ["TIMEOUT"], reportCheck: soft },
  },
  {
    id: "uncounted-heavy-bodies",
    title: "one call's loop of heavy bodies (a JSON parse of 300 objects each)",
    source: `const text = JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ i, s: "x" + i })));
exports.f = () => { let n = 0; for (;;) n += JSON.parse(text).length; };`,
    expect: { codes: ["TIMEOUT"], reportCheck: soft },
  },
  {
    id: "uncounted-loop-in-every-frame",
    title: "recursion 60 wide with a short loop in every frame, retried in a catch",
    source: `function r(d) { for (let i = 0; i < 60; i++) if (d < 2000) r(d + 1); }
exports.f = () => { for (;;) { try { r(0); } catch (e) {} } };`,
    expect: { codes: ["TIMEOUT"], reportCheck: soft },
  },
  {
    id: "uncounted-top-level-loop-esm",
    title: "an ES module whose top level loops forever",
    source: `export function f() { return 1; }\nlet n = 0;\nwhile (true) n++;`,
    esm: true,
    naive: false,
    expect: { codes: ["TIMEOUT"], reportCheck: soft },
  },
  {
    id: "uncounted-catching-helper",
    title: "a helper that catches the TIMEOUT of its inner loop and loops again, called from a loop that catches too",
    source: `function helper() { for (;;) { try { for (let i = 0; ; i++) {} } catch (e) {} } }
exports.f = () => { for (;;) { try { helper(); } catch (e) {} } };`,
    expect: { codes: ["TIMEOUT"], reportCheck: soft },
  },
  // Loop counts held by thousands of frames at once (below a callee on the stack, suspended generators or
  // async functions taking turns) are spent without a look at the clock when the frames get control back:
  // uncounted loops read the clock per frame, and a check of shared state at every iteration cost as much
  // as counting (red-team review of the uncounted guards). Ended by the hard stop, as a catastrophic
  // regular expression is: TIMEOUT, final, and the next call is served (maxIterations on counts them).
  {
    id: "uncounted-counts-spent-unwinding",
    title: "recursion 3,000 deep where every frame counts past its first tick, then spends its counter as the stack unwinds",
    source: `const text = JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ i, s: "x" + i })));
let n = 0;
function r(d) {
  for (let i = 0; i < 65; i++) {}
  try { if (d < 3000) r(d + 1); } catch (e) {}
  for (let j = 0; j < 1022; j++) n += JSON.parse(text).length;
}
exports.f = () => { for (;;) { try { r(0); } catch (e) {} } };`,
    expect: { codes: ["TIMEOUT"] },
  },
  {
    id: "uncounted-counts-spent-by-generators",
    title: "2,000 suspended generators resumed in turn by a built-in (map with Function.prototype.call), one heavy body each",
    source: `const text = JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ i, s: "x" + i })));
let n = 0;
function* g() { for (;;) { n += JSON.parse(text).length; yield; } }
exports.f = () => {
  const gens = [];
  for (let i = 0; i < 2000; i++) gens.push(g());
  const next = Object.getPrototypeOf(Object.getPrototypeOf(gens[0])).next;
  for (;;) gens.map(Function.prototype.call, next);
};`,
    expect: { codes: ["TIMEOUT"] },
  },
  {
    id: "uncounted-counts-spent-by-async-functions",
    title: "2,000 async functions taking turns through the microtask queue, one heavy body per turn",
    source: `const text = JSON.stringify(Array.from({ length: 300 }, (_, i) => ({ i, s: "x" + i })));
let n = 0;
async function w() { for (;;) { await null; n += JSON.parse(text).length; } }
exports.f = async () => { for (let i = 0; i < 2000; i++) w(); await new Promise(() => {}); };`,
    expect: { codes: ["TIMEOUT"] },
  },
  { id: "async-loop", title: "for (;;) await null", source: `exports.f = async () => { for (;;) await null; };`, expect: { codes: ["TIMEOUT"], reportCheck: soft } },
  {
    id: "microtask-loop",
    title: "queueMicrotask that queues itself forever",
    source: `exports.f = () => { const spin = () => queueMicrotask(spin); spin(); return new Promise(() => {}); };`,
    expect: { codes: ["TIMEOUT"], reportCheck: soft },
  },
  {
    id: "promise-loop",
    title: "a promise job that queues itself forever (nothing kept alive)",
    source: `exports.f = () => { const spin = () => { Promise.resolve().then(spin); }; spin(); return new Promise(() => {}); };`,
    expect: { codes: ["TIMEOUT"], reportCheck: soft },
  },
  {
    // Each promise is resolved with the next one, so the whole chain stays reachable: a loop and a heap
    // bomb at once. Whichever limit trips first ends it (on this machine the heap, in about 0.2 s).
    id: "promise-chain-growing",
    title: "a promise chain that extends itself forever, each link kept alive by the next",
    source: `exports.f = () => { const next = () => Promise.resolve().then(next); return next(); };`,
    expect: { codes: ["MEMORY_LIMIT_EXCEEDED", "TIMEOUT"] },
  },
  {
    id: "never-settles",
    title: "a promise that never settles",
    source: `exports.f = () => new Promise(() => {});`,
    expect: { codes: ["TIMEOUT"], reportCheck: soft },
  },
  {
    id: "never-settles-busy-interval",
    title: "a never-settling promise kept busy by a 1 ms interval",
    source: `exports.f = () => { let n = 0; setInterval(() => { n++; }, 1); return new Promise(() => {}); };`,
    expect: { codes: ["TIMEOUT"], reportCheck: soft },
  },
  {
    id: "catch-timeout-and-continue",
    title: "catching TIMEOUT, then trying to go on with timers and tools",
    source: `exports.f = async () => {
  try { for (;;) {} } catch (e) { setTimeout(() => {}, 0); await callTool("echo", {}); return "survived"; }
};`,
    expect: { codes: ["TIMEOUT"] },
  },
  {
    id: "redos-literal",
    title: "ReDoS: /^(a+)+$/ on 'aaaa…b' (no guard runs: the worker is terminated)",
    source: `exports.f = () => /^(a+)+$/.test("a".repeat(40) + "b");`,
    expect: { codes: ["TIMEOUT"], reportCheck: hard },
  },
  {
    id: "redos-constructed",
    title: "ReDoS with a RegExp built at run time (the pre-scan cannot see it)",
    source: `exports.f = () => new RegExp("^(" + "\\\\w+" + "\\\\s?)*$").test("a".repeat(5000) + "!");`,
    expect: { codes: ["TIMEOUT"], reportCheck: hard },
  },
  {
    id: "builtin-generic-loop",
    title: "one built-in call that loops 2**53 times (indexOf on an array-like): no guard runs, the worker is terminated",
    source: `exports.f = () => Array.prototype.lastIndexOf.call({ length: 2 ** 53 - 1 }, 1);`,
    expect: { codes: ["TIMEOUT"], reportCheck: hard },
  },
  {
    id: "url-flood",
    title: "a loop of host-backed URL parses",
    source: `exports.f = () => { for (let i = 0; ; i++) new URL("https://example.com/" + i); };`,
    expect: { codes: ["TIMEOUT"], reportCheck: soft },
  },
  // Iterations (maxIterations set on the variant).
  {
    id: "max-iterations-sync",
    title: "for (;;) {} with maxIterations",
    variant: "iterations",
    source: `exports.f = () => { for (;;) {} };`,
    expect: { codes: ["MAX_ITERATIONS"] },
  },
  {
    id: "max-iterations-async",
    title: "for (;;) await null with maxIterations",
    variant: "iterations",
    source: `exports.f = async () => { for (;;) await null; };`,
    expect: { codes: ["MAX_ITERATIONS"] },
  },
  {
    id: "max-iterations-caught",
    title: "catching MAX_ITERATIONS and looping on",
    variant: "iterations",
    source: `exports.f = () => { let n = 0; for (;;) { try { while (true) n++; } catch (e) { n++; } } };`,
    expect: { codes: ["MAX_ITERATIONS"] },
  },
  // Memory.
  {
    id: "heap-strings",
    title: "heap bomb: an array of ever new strings",
    limitMs: HEAP,
    source: `exports.f = () => { const keep = []; let s = "x".repeat(1024); for (let i = 0; ; i++) keep.push(s + i); };`,
    expect: { codes: ["MEMORY_LIMIT_EXCEEDED"] },
  },
  {
    id: "heap-objects",
    title: "heap bomb: an array of ever new objects",
    limitMs: HEAP,
    source: `exports.f = () => { const keep = []; for (let i = 0; ; i++) keep.push({ i, a: [i, i], s: "v" + i }); };`,
    expect: { codes: ["MEMORY_LIMIT_EXCEEDED"] },
  },
  {
    id: "heap-map",
    title: "heap bomb: a Map that never stops growing",
    limitMs: HEAP,
    source: `exports.f = () => { const m = new Map(); for (let i = 0; ; i++) m.set(i, { i }); };`,
    expect: { codes: ["MEMORY_LIMIT_EXCEEDED"] },
  },
  {
    id: "string-doubling",
    title: "string bomb: s += s until the engine's string length limit",
    source: `exports.f = () => { let s = "x"; for (;;) s += s; };`,
    expect: { codes: ["RUNTIME_ERROR"], reportCheck: named("RangeError", /Invalid string length/) },
  },
  {
    id: "string-flat-huge",
    title: "string bomb: one 1 GiB two-byte string, flattened (repeat alone builds a rope; indexOf flattens it)",
    limitMs: HEAP,
    source: `exports.f = () => "\u20ac".repeat(2 ** 29 - 24).indexOf("y");`,
    expect: { codes: ["MEMORY_LIMIT_EXCEEDED"] },
  },
  {
    id: "string-replace-bomb",
    title: "string bomb: replace every char of 10k with 10k chars (100 MB), flattened and kept, four times",
    limitMs: HEAP,
    source: `exports.f = () => {
  const keep = [];
  for (let i = 0; i < 4; i++) { const s = "x".repeat(1e4).replace(/x/g, "y".repeat(1e4) + i); s.indexOf("z"); keep.push(s); }
  return keep.length;
};`,
    expect: { codes: ["MEMORY_LIMIT_EXCEEDED"] },
  },
  {
    id: "array-fill",
    title: "array bomb: new Array(2 ** 26).fill(0)",
    limitMs: HEAP,
    source: `exports.f = () => new Array(2 ** 26).fill(0).length;`,
    expect: { codes: ["MEMORY_LIMIT_EXCEEDED"] },
  },
  {
    id: "typed-array-huge",
    title: "typed-array bomb: new Uint8Array(2 ** 30) (outside the heap, charged first)",
    source: `exports.f = () => new Uint8Array(2 ** 30).length;`,
    expect: { codes: ["MEMORY_LIMIT_EXCEEDED"] },
  },
  {
    id: "typed-array-accumulate",
    title: "typed-array bomb: 16 MiB buffers kept forever",
    source: `exports.f = () => { const keep = []; for (;;) keep.push(new Float64Array(2 ** 21)); };`,
    expect: { codes: ["MEMORY_LIMIT_EXCEEDED"] },
  },
  {
    // The constructor wrapper copied an array-like with Array.from before charging it: 4 Gi steps, no guard.
    id: "typed-array-of-array-like",
    title: "new Uint8Array({ length: 2 ** 32 - 1 }): charged before it is copied (the engine alone refuses at once)",
    source: `exports.f = () => new Uint8Array({ length: 2 ** 32 - 1 }).length;`,
    expect: { codes: ["MEMORY_LIMIT_EXCEEDED"], reportCheck: charged },
  },
  {
    id: "typed-array-of-holes",
    title: "new Float64Array(new Array(2 ** 31)): an array of holes, charged by its length before it is iterated",
    source: `exports.f = () => new Float64Array(new Array(2 ** 31)).length;`,
    expect: { codes: ["MEMORY_LIMIT_EXCEEDED"], reportCheck: charged },
  },
  {
    id: "resizable-buffer",
    title: "a resizable ArrayBuffer with a 2 GiB maxByteLength",
    source: `exports.f = () => { const b = new ArrayBuffer(1, { maxByteLength: 2 ** 31 }); b.resize(2 ** 31); return b.byteLength; };`,
    expect: { codes: ["MEMORY_LIMIT_EXCEEDED"] },
  },
  {
    id: "text-encoder-bomb",
    title: "TextEncoder output kept forever (16 MiB each)",
    // Sixteen 16 MiB encodes before the charge trips: ~300 ms of CPU alone, over 500 ms on a busy CI
    // machine, where it ended TIMEOUT. The heap cases' time; the expected outcome is unchanged.
    limitMs: HEAP,
    source: `exports.f = () => { const e = new TextEncoder(); const s = "x".repeat(2 ** 24); const keep = []; for (;;) keep.push(e.encode(s)); };`,
    expect: { codes: ["MEMORY_LIMIT_EXCEEDED"] },
  },
  // The realm's own encoders are loops without the transform's guards: one call on a big input ran past the
  // limit until the hard stop (UTF-16: 16 MiB decoded in 1.1 s and answered, past a 500 ms limit). Their loops
  // read the clock now. A roomy heap, so that the clock (not the heap limit) ends them.
  ...(
    [
      ["text-decoder-utf16", "TextDecoder('utf-16le') of 16 MiB", `new TextDecoder("utf-16le").decode(new Uint8Array(2 ** 24)).length`],
      ["text-decoder-latin1", "TextDecoder('latin1') of 16 MiB", `new TextDecoder("latin1").decode(new Uint8Array(2 ** 24)).length`],
      ["text-decoder-utf8", "TextDecoder() of 16 MiB of broken UTF-8", `new TextDecoder().decode(new Uint8Array(2 ** 24).fill(0xe2)).length`],
      ["text-decoder-single-byte", "TextDecoder('koi8-r') of 16 MiB", `new TextDecoder("koi8-r").decode(new Uint8Array(2 ** 24).fill(0xc1)).length`],
      // A lead byte and the byte that breaks it, read again each time: 16 MiB of E2 41.
      ["text-decoder-utf8-reread", "TextDecoder() of 16 MiB of broken UTF-8 sequences (each breaking byte read twice)", `new TextDecoder().decode(new Uint16Array(2 ** 23).fill(0x41e2)).length`],
      ["text-encoder-long", "TextEncoder of 8 Mi two-byte characters", `new TextEncoder().encode("\\u00e9".repeat(2 ** 23)).length`],
      // Surrogate pairs: the loops stepped i past a pair's second half, so i was always even where the clock was read.
      ["text-encoder-astral", "TextEncoder of 4 Mi emoji (surrogate pairs only)", `new TextEncoder().encode("\\u{1F600}".repeat(2 ** 22)).length`],
      ["text-decoder-utf16-pairs", "TextDecoder('utf-16le') of 32 MiB of surrogate pairs", `new TextDecoder("utf-16le").decode(new Uint32Array(2 ** 23).fill(0xde00d83d)).length`],
      ["btoa-long", "btoa of 16 MiB", `btoa("a".repeat(2 ** 24)).length`],
      ["atob-long", "atob of 16 MiB", `atob("YWFh".repeat(2 ** 22)).length`],
      ["structured-clone-long", "structuredClone of a 16 Mi-element array", `structuredClone(new Array(2 ** 24).fill(0)).length`],
      ["url-search-params-long", "URLSearchParams of 4 Mi pairs", `new URLSearchParams("a=1&".repeat(2 ** 22)).size`],
      ["url-search-params-sort", "URLSearchParams.sort of 2 Mi pairs", `{ const u = new URLSearchParams("b=1&a=2&".repeat(2 ** 20)); u.sort(); return 1; }`],
      ["url-search-params-to-string-constructed", "URLSearchParams.toString of 1 Mi pairs given to its constructor", `new URLSearchParams(new Array(2 ** 20).fill(["a", "\\u00e9".repeat(8)])).toString().length`],
      ["url-constructor-loop", "new URL() of an 8 MiB URL in a loop (each parsed by the host, 65 ms)", `{ const s = "http://x/" + "a".repeat(2 ** 23); for (;;) new URL(s); }`],
      ["url-search-params-to-string", "URLSearchParams.toString of 1 Mi appended pairs", `{ const u = new URLSearchParams(); for (let i = 0; i < 2 ** 20; i++) u.append("a", "1"); return u.toString().length; }`],
      ["url-search-params-lookups", "URLSearchParams has/getAll/set/delete over 1 Mi pairs, each call of the tenant's loop one walk of all of them", `{ const u = new URLSearchParams(); for (let i = 0; i < 2 ** 20; i++) u.append("a", "1"); for (let i = 0; ; i++) { u.has("b"); u.getAll("b"); u.set("b", "1"); u.delete("b"); } }`],
    ] as const
  ).map(([id, title, expression]): HostileCase => ({
    id,
    title: `${title}: one call of the realm's own code, stopped by the clock`,
    variant: "roomy",
    source: `exports.f = () => ${expression};`,
    expect: { codes: ["TIMEOUT"], reportCheck: soft },
  })),
  {
    id: "console-shared-references",
    title: "console.log of 100 references to 100 references ... 5 levels deep (10^10 values, no cycle): one line, cut",
    source: `exports.f = () => { let x = 1; for (let d = 0; d < 5; d++) { const a = []; for (let i = 0; i < 100; i++) a.push(x); x = a; } console.log(x); return 1; };`,
    expect: { codes: "success", valueCheck: is(1) },
  },
  {
    id: "console-shared-wide-object",
    title: "console.log of 100 x 100 references to one typed array of 2^20 elements (each was an Object.keys of 2^20 keys: 39 s for the line): shown by index, one line, cut",
    variant: "roomy",
    source: `exports.f = () => { const wide = new Uint8Array(2 ** 20); console.log(new Array(100).fill(new Array(100).fill(wide))); return 1; };`,
    expect: { codes: "success", valueCheck: is(1) },
  },
  {
    // Each reference to the object cost one Object.keys of all its keys, in the console's own code (no guards).
    id: "console-shared-huge-object",
    title: "console.log of 100 references to one object of 2^18 keys: stopped by the clock, not the hard stop",
    variant: "roomy",
    source: `exports.f = () => { const o = {}; for (let i = 0; i < 2 ** 18; i++) o["k" + i] = i; console.log(new Array(100).fill(o)); return 1; };`,
    expect: { codes: ["TIMEOUT"], reportCheck: soft },
  },
  {
    id: "console-shared-huge-string",
    title: "console.log of 2,000 references to one 4 MiB string (nested: each is quoted): one line, cut",
    variant: "roomy",
    source: `exports.f = () => { const s = "x".repeat(2 ** 22); const a = []; for (let i = 0; i < 20; i++) a.push(new Array(100).fill(s)); console.log(a); return 1; };`,
    expect: { codes: "success", valueCheck: is(1) },
  },
  {
    // Object.keys of a typed array makes a string per element, in one call.
    id: "console-typed-array",
    title: "console.log of an 8 MiB Uint8Array: shown by index (100 items and the length), not by Object.keys",
    variant: "roomy",
    source: `exports.f = () => { console.log(new Uint8Array(2 ** 23)); return 1; };`,
    expect: { codes: "success", valueCheck: is(1), reportCheck: (r) => (/^Uint8Array\(8388608\) \[ 0, 0, .* more items \]$/.test(r.logs[0]?.message ?? "") ? undefined : "log line " + r.logs[0]?.message?.slice(0, 80)) },
  },
  {
    // A String object has an element per character; the console listed its keys (one call, no guard).
    id: "console-string-object",
    title: "console.log of a String object of 16 Mi characters: shown as [String: ...], cut, not key by key",
    variant: "roomy",
    source: `exports.f = () => { console.log(Object("x".repeat(2 ** 24))); return 1; };`,
    expect: { codes: "success", valueCheck: is(1), reportCheck: (r) => (/^\[String: "x{16000}/.test(r.logs[0]?.message ?? "") ? undefined : "log line " + r.logs[0]?.message?.slice(0, 80)) },
  },
  {
    id: "structured-clone-string-object",
    title: "structuredClone of a String object of 16 Mi characters whose toStringTag says Object: cloned as a String object",
    variant: "roomy",
    source: `exports.f = () => { const s = Object("x".repeat(2 ** 24)); Object.defineProperty(s, Symbol.toStringTag, { value: "Object" }); const c = structuredClone([s, s]); return [c[1].length, c[0] === c[1], c[0] instanceof String]; };`,
    expect: { codes: "success", valueCheck: is([2 ** 24, true, true]) },
  },
  {
    // The module system copied Object.keys of a CommonJS module's exports into an import's namespace.
    id: "cjs-typed-array-exports-imported",
    title: "an ES module imports a CommonJS module whose exports are a 16 MiB Uint8Array (no named exports, as in Node)",
    variant: "roomy",
    esm: true,
    files: { "lib.cjs": `module.exports = new Uint8Array(2 ** 24);` },
    source: `import * as ns from "./lib.cjs";
export const f = () => [Object.keys(ns).length, ns.default.length];`,
    expect: { codes: "success", valueCheck: is([1, 2 ** 24]) },
  },
  {
    id: "function-not-found-in-array-exports",
    title: "a call of a function the module lacks, whose exports are an 8 Mi-element array (the error lists no exports)",
    variant: "roomy",
    funcName: "nope",
    source: `module.exports = new Array(2 ** 23).fill(0);`,
    expect: { codes: ["FUNCTION_NOT_FOUND"] },
  },
  {
    id: "console-huge-map",
    title: "console.log of a Map of 2^20 entries, 4,000 times: each line shows 100 entries and the size, without walking the rest",
    variant: "roomy",
    limitMs: 3000,
    source: `exports.f = () => { const m = new Map(); for (let i = 0; i < 2 ** 20; i++) m.set(i, i); for (let k = 0; k < 4000; k++) console.log(m); return 1; };`,
    expect: { codes: "success", valueCheck: is(1) },
  },
  {
    id: "catch-memory-and-continue",
    title: "catching the MEMORY_LIMIT_EXCEEDED of a typed array and allocating on",
    source: `exports.f = () => { const keep = []; for (;;) { try { keep.push(new Uint8Array(2 ** 25)); } catch (e) { keep.length = 0; } } };`,
    expect: { codes: ["MEMORY_LIMIT_EXCEEDED"] },
  },
  {
    id: "bigint-exponent",
    title: "BigInt bomb: 2n ** (2n ** 40n)",
    source: `exports.f = () => String(2n ** (2n ** 40n)).length;`,
    expect: { codes: ["RUNTIME_ERROR"], reportCheck: named("RangeError", /BigInt/) },
  },
  {
    // Squaring doubles the size each round: the engine's BigInt size limit, the heap limit, or one
    // multiplication too long for any guard (a hard stop) may come first; each is a contained end.
    id: "bigint-squaring",
    title: "BigInt bomb: x *= x until something gives",
    limitMs: HEAP,
    source: `exports.f = () => { let x = 3n; for (;;) x *= x; };`,
    expect: { codes: ["RUNTIME_ERROR", "MEMORY_LIMIT_EXCEEDED", "TIMEOUT"] },
  },
  {
    id: "deep-recursion",
    title: "unbounded recursion ends as a RangeError the tenant sees",
    source: `exports.f = () => { const r = (n) => r(n + 1) + 1; return r(0); };`,
    expect: { codes: ["RUNTIME_ERROR"], reportCheck: named("RangeError", /call stack/) },
  },
  // Output.
  {
    id: "deep-return-value",
    title: "a return value nested 100,000 deep",
    source: `exports.f = () => { let v = []; for (let i = 0; i < 1e5; i++) v = [v]; return v; };`,
    expect: { codes: ["RUNTIME_ERROR", "OUTPUT_TOO_LARGE"] },
  },
  {
    id: "deep-but-serializable-return",
    title: "a return value nested 2,000 deep still crosses (and the host parses it)",
    source: `exports.f = () => { let v = ["bottom"]; for (let i = 0; i < 2000; i++) v = [v]; return v; };`,
    expect: {
      codes: "success",
      valueCheck: (v) => {
        let depth = 0;
        let cur = v;
        while (Array.isArray(cur) && Array.isArray(cur[0])) { cur = cur[0]; depth++; }
        return (depth === 2000 && Array.isArray(cur) && cur[0] === "bottom") || `depth ${depth}`;
      },
    },
  },
  {
    // JSON lists a typed array's keys (one per element) in one call before the replacer sees any of them.
    id: "typed-array-return-value",
    title: "a 16 MiB Uint8Array as the return value: OUTPUT_TOO_LARGE before JSON lists its 16 Mi keys",
    variant: "roomy",
    source: `exports.f = () => new Uint8Array(2 ** 24);`,
    expect: { codes: ["OUTPUT_TOO_LARGE"], reportCheck: soft },
  },
  {
    id: "typed-array-tool-arguments",
    title: "a 16 MiB Uint8Array as a tool's arguments: refused (maxToolArgBytes) before JSON lists its keys",
    variant: "roomy",
    source: `exports.f = async () => { try { await callTool("echo", { bytes: new Uint8Array(2 ** 24) }); return "sent"; } catch (e) { return e.code; } };`,
    expect: { codes: "success", valueCheck: is("TOOL_ERROR") },
  },
  {
    // The early bound counted 5 characters per small number (4, and one for the array's comma): not a lower bound.
    id: "small-numbers-return-value",
    title: "300,000 zeros (600 KB of JSON) cross under the 1 MiB maxOutputBytes",
    source: `exports.f = () => new Array(300000).fill(0);`,
    expect: { codes: "success", valueCheck: (v) => (Array.isArray(v) && v.length === 300000) || "not the array" },
  },
  {
    id: "sparse-return-value",
    title: "a sparse array of length 2**32 - 1 as the return value",
    source: `exports.f = () => { const a = []; a[2 ** 32 - 2] = 1; return a; };`,
    expect: { codes: ["OUTPUT_TOO_LARGE"] },
  },
  {
    id: "huge-string-output",
    title: "a 2 MB string as the return value",
    source: `exports.f = () => "x".repeat(2e6);`,
    expect: { codes: ["OUTPUT_TOO_LARGE"] },
  },
  {
    id: "many-keys-output",
    title: "an object with 200,000 keys as the return value",
    // 200,000 keys made and serialized: ~190 ms when the machine is quiet, past 500 ms on a busy 2-core one,
    // where it ended TIMEOUT. The heap cases' time; the expected outcome is unchanged.
    limitMs: HEAP,
    source: `exports.f = () => { const o = {}; for (let i = 0; i < 2e5; i++) o["k" + i] = i; return o; };`,
    expect: { codes: ["OUTPUT_TOO_LARGE"] },
  },
  {
    id: "multibyte-output",
    title: "a return value under the limit in characters but over it in UTF-8 bytes",
    source: `exports.f = () => "\\u20ac".repeat(400000);`,
    expect: { codes: ["OUTPUT_TOO_LARGE"] },
  },
  {
    id: "huge-error-message",
    title: "an error with a 5 MB message and a 1 MB name",
    source: `exports.f = () => { const e = new Error("m".repeat(5e6)); e.name = "N".repeat(1e6); throw e; };`,
    expect: {
      codes: ["RUNTIME_ERROR"],
      reportCheck: (r) => ((r.error?.message.length ?? 0) <= 8200 && (r.error?.name.length ?? 0) <= 8200 ? undefined : "message or name not clipped"),
    },
  },
  // Logs.
  {
    id: "console-flood",
    title: "100,000 console.log lines",
    source: `exports.f = () => { for (let i = 0; i < 1e5; i++) console.log("line " + i); return "flooded"; };`,
    expect: {
      codes: "success",
      reportCheck: (r) => {
        const bytes = r.logs.reduce((n, l) => n + Buffer.byteLength(l.message), 0);
        const last = r.logs[r.logs.length - 1]?.message ?? "";
        return bytes <= 64 * 1024 + 100 && /truncated/.test(last) ? undefined : `logs not capped: ${r.logs.length} lines, ${bytes} bytes`;
      },
    },
  },
  {
    id: "console-huge-line",
    title: "one 10 MB console.log line and a 100,000-element array",
    source: `exports.f = () => { console.log("x".repeat(1e7)); console.error(new Array(1e5).fill("y")); return "logged"; };`,
    expect: {
      codes: "success",
      reportCheck: (r) => (r.logs.every((l) => l.message.length <= 64 * 1024) ? undefined : "a log line was not capped"),
    },
  },
  {
    id: "console-hostile-objects",
    title: "console.log of cyclic, deep and getter-laden objects",
    source: `exports.f = () => {
  const a = { self: null, get boom() { throw new Error("getter"); } };
  a.self = a;
  let deep = {};
  for (let i = 0; i < 1e4; i++) deep = { deep };
  console.log(a, deep, new Map([[a, a]]), new Set([a]));
  return "logged";
};`,
    expect: { codes: "success" },
  },
  // Timers.
  {
    id: "timer-bomb",
    title: "10,000 setTimeout calls (the 1,001st throws)",
    source: `exports.f = () => { let n = 0; try { for (let i = 0; i < 10000; i++) { setTimeout(() => {}, 60000); n++; } } catch (e) { return [n, e.name]; } return [n]; };`,
    expect: { codes: "success", valueCheck: is([1000, "RangeError"]) },
  },
  {
    id: "timer-bomb-uncaught",
    title: "10,000 setTimeout calls, uncaught",
    source: `exports.f = () => { for (let i = 0; i < 10000; i++) setTimeout(() => {}, 60000); };`,
    expect: { codes: ["RUNTIME_ERROR"], reportCheck: named("RangeError", /timers/) },
  },
  {
    id: "interval-storm",
    title: "900 intervals at 1 ms for 100 ms, then return (they die with the call)",
    source: `exports.f = async () => { let n = 0; for (let i = 0; i < 900; i++) setInterval(() => { n++; }, 1); await new Promise((r) => setTimeout(r, 100)); return n > 0; };`,
    expect: { codes: "success", valueCheck: is(true) },
  },
  // Atomics and unhandled rejections.
  {
    id: "atomics-wait",
    title: "Atomics.wait and SharedArrayBuffer are not there to block the worker",
    source: `exports.f = () => {
  const out = [];
  try { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); out.push("waited"); } catch (e) { out.push(e.name); }
  out.push(typeof globalThis["Atom" + "ics"], typeof globalThis["SharedArray" + "Buffer"]);
  return out;
};`,
    expect: { codes: "success", valueCheck: is(["ReferenceError", "undefined", "undefined"]) },
  },
  {
    id: "unhandled-rejection-flood",
    title: "10,000 unhandled rejections, then a normal return",
    source: `exports.f = () => { for (let i = 0; i < 10000; i++) Promise.reject(new Error("r" + i)); return "ok"; };`,
    expect: { codes: "success", valueCheck: is("ok") },
  },
  // Thrown values whose conversions loop.
  {
    id: "throw-looping-to-string",
    title: "a thrown object whose toString loops forever (never called: thrown objects are read as data)",
    source: `exports.f = () => { throw { toString() { for (;;) {} } }; };`,
    expect: { codes: ["RUNTIME_ERROR"] },
  },
  {
    id: "throw-looping-message-getter",
    title: "a thrown object whose message getter loops forever",
    source: `exports.f = () => { throw { get message() { for (;;) {} } }; };`,
    expect: { codes: ["TIMEOUT"] },
  },
  {
    id: "throw-looping-name-to-string",
    title: "a thrown error whose name is an object with a looping toString",
    source: `exports.f = () => { throw Object.assign(new Error("x"), { name: { toString() { for (;;) {} } } }); };`,
    expect: { codes: ["TIMEOUT"] },
  },
  {
    id: "throw-recursive-to-string",
    title: "a thrown error whose message converts by recursing forever",
    source: `exports.f = () => { const m = { toString() { return String(m); } }; throw Object.assign(new Error(), { message: m }); };`,
    expect: { codes: ["RUNTIME_ERROR"] },
  },
  {
    id: "reject-looping-getter",
    title: "an async function rejecting with an object whose name getter loops",
    source: `exports.f = async () => { await null; throw { get name() { for (;;) {} } }; };`,
    expect: { codes: ["TIMEOUT"] },
  },
  {
    id: "to-json-loop",
    title: "a return value whose toJSON loops forever",
    source: `exports.f = () => ({ a: { toJSON() { for (;;) {} } } });`,
    expect: { codes: ["TIMEOUT"] },
  },
  {
    id: "then-loop",
    title: "a returned thenable whose then loops forever",
    source: `exports.f = () => ({ then() { for (;;) {} } });`,
    expect: { codes: ["TIMEOUT"] },
  },
  // Tools.
  {
    id: "tool-flood-sequential",
    title: "1,000 tool calls one after the other (the 101st is one too many)",
    source: `exports.f = async () => { for (let i = 0; i < 1000; i++) { try { await callTool("echo", { i }); } catch (e) {} } return "done"; };`,
    expect: { codes: ["MAX_TOOL_CALLS"] },
  },
  {
    id: "tool-flood-parallel",
    title: "1,000 tool calls at once: the pending-call cap refuses most of them, and no more than maxToolCalls reach the host",
    source: `exports.f = async () => {
  const all = [];
  for (let i = 0; i < 1000; i++) all.push(callTool("echo", { i }).then(() => "ok", (e) => e.code));
  const codes = await Promise.all(all);
  return { ok: codes.filter((c) => c === "ok").length, refused: codes.filter((c) => c === "TOOL_ERROR").length };
};`,
    expect: {
      codes: ["success", "MAX_TOOL_CALLS"],
      valueCheck: (v) => {
        const r = v as { ok: number; refused: number };
        return (r.ok <= 100 && r.ok + r.refused === 1000) || `outcome ${JSON.stringify(v)}`;
      },
    },
  },
  {
    id: "tool-never-answers",
    title: "waiting on a tool that never answers",
    source: `exports.f = () => callTool("never", {});`,
    expect: { codes: ["TIMEOUT"], reportCheck: soft },
  },
];
