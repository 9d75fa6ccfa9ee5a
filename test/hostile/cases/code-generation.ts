import type { HostileCase } from "./types.js";

const is = (expected: unknown) => (v: unknown) => JSON.stringify(v) === JSON.stringify(expected) || `expected ${JSON.stringify(expected)}`;

/**
 * A module whose f() runs each attempt; an attempt returns what it compiled (looted if it is a process)
 * or the name of the error that stopped it.
 */
function attempts(lines: string[]): string {
  return `__PRELUDE__
async function attempt(make) {
  try {
    let r = make();
    if (r && typeof r.then === "function") r = await r;
    if (typeof r === "function") r = r();
    return loot(r);
  } catch (e) { return e && e.name; }
}
exports.f = async () => {
  const out = [];
${lines.map((l) => `  out.push(await attempt(() => ${l}));`).join("\n")}
  return out;
};
`;
}

/** Validator on (STANDARD): the static rules refuse each shape before anything runs. */
const validatorOn: HostileCase[] = [
  ["std-eval", "direct eval", `exports.f = () => eval("typeof process");`],
  ["std-indirect-eval", "indirect eval (0, eval)", `exports.f = () => (0, eval)("this");`],
  ["std-optional-eval", "optional-call eval?.()", `exports.f = () => eval?.("1");`],
  ["std-function-call", "Function('...')()", `exports.f = () => Function("return process")();`],
  ["std-new-function", "new Function('...')()", `exports.f = () => new Function("return process")();`],
  ["std-constructor-chain", "(() => {}).constructor.constructor('...')", `exports.f = () => (() => {}).constructor.constructor("return process")();`],
  ["std-computed-constructor-chain", "x['constructor']['constructor'] with string literals", `exports.f = () => ({})["constructor"]["constructor"]("return process")();`],
  ["std-string-timer", "setTimeout('code')", `exports.f = () => { setTimeout("globalThis.x = 1", 0); return 1; };`],
  ["std-string-interval", "setInterval(`code`) with a template literal", "exports.f = () => { setInterval(`globalThis.x = 1`, 5); return 1; };"],
  ["std-dynamic-import", "import() of a computed specifier ('f' + 's') in CommonJS", `exports.f = () => import("f" + "s").then((m) => m.readFileSync("/etc/hostname", "utf8"));`],
  ["std-with", "a with statement", `exports.f = function () { with ({ x: 1 }) { return x; } };`],
].map(([id, title, source]) => ({
  id: id!,
  title: `${title} is refused by the validator`,
  level: "STANDARD" as const,
  source: source!,
  expect: { codes: ["VALIDATION_ERROR"] },
  naive: false as const,
}));

export const codeGenerationCases: HostileCase[] = [
  ...validatorOn,
  {
    id: "std-import-meta",
    title: "import.meta in an ES module is refused by the validator",
    level: "STANDARD",
    esm: true,
    source: `export function f() { return import.meta.url; }`,
    expect: { codes: ["VALIDATION_ERROR"] },
  },
  {
    id: "std-async-function-constructor",
    title: "a shape the STANDARD rules let through ((async () => {}).constructor('...')) still fails at run time",
    level: "STANDARD",
    source: attempts([`(async () => {}).constructor("return process")`]),
    expect: { codes: "success", valueCheck: is(["EvalError"]) },
    naiveEscapes: false,
  },
  {
    id: "std-function-alias",
    title: "an alias of Function at STANDARD (const F = Function) still fails at run time",
    level: "STANDARD",
    source: attempts([`(() => { const F = Function; return F("return process"); })()`]),
    expect: { codes: "success", valueCheck: is(["EvalError"]) },
    naiveEscapes: false,
  },
  // Validator off (PERMISSIVE): the shapes the every-level rules cannot see reach the realm, which refuses.
  {
    id: "perm-computed-eval",
    title: "eval reached by computed names (globalThis['ev' + 'al'], globalThis.eval, .call)",
    source: attempts([
      `globalThis["ev" + "al"]("typeof process === 'undefined' ? undefined : process")`,
      `globalThis.eval("this")`,
      `globalThis.eval.call(null, "1 + 1")`,
      `[globalThis["eval"]][0]("1")`,
    ]),
    expect: { codes: "success", valueCheck: is(["EvalError", "EvalError", "EvalError", "EvalError"]) },
    naiveEscapes: false,
  },
  {
    id: "perm-function-computed",
    title: "Function reached by computed names, aliases, Reflect.construct, call and apply",
    source: attempts([
      `globalThis["Func" + "tion"]("return process")`,
      `new globalThis["Function"]("return process")`,
      `(() => { const F = Function; return F("return process"); })()`,
      `Reflect.construct(Function, ["return process"])`,
      `Function.call(null, "return process")`,
      `Function.prototype.constructor.apply(null, ["return process"])`,
      `Function.bind(null, "return process")()`,
    ]),
    expect: { codes: "success", valueCheck: is(new Array(7).fill("EvalError")) },
    naiveEscapes: false,
  },
  {
    id: "perm-tagged-template-function",
    title: "Function`return process` (a tagged template, not a call expression) fails at run time",
    source: attempts(["Function`return process`"]),
    expect: { codes: "success", valueCheck: is(["EvalError"]) },
    naiveEscapes: false,
  },
  {
    id: "perm-constructor-chain",
    title: "[].constructor.constructor('...') (a warning at PERMISSIVE) fails at run time",
    source: attempts([`[].constructor.constructor("return process")`, `"".constructor.constructor("return process")`, `(1).constructor.constructor("return process")`]),
    expect: { codes: "success", valueCheck: is(["EvalError", "EvalError", "EvalError"]) },
    naiveEscapes: false,
  },
  {
    id: "perm-async-function-constructor",
    title: "AsyncFunction through a prototype compiles nothing",
    source: attempts([`(async () => {}).constructor("return process")`, `Object.getPrototypeOf(async function () {}).constructor("return process")`]),
    expect: { codes: "success", valueCheck: is(["EvalError", "EvalError"]) },
    naiveEscapes: false,
  },
  {
    id: "perm-generator-function-constructor",
    title: "GeneratorFunction through a prototype compiles nothing",
    source: attempts([`Object.getPrototypeOf(function* () {}).constructor("yield process")().next().value`]),
    expect: { codes: "success", valueCheck: is(["EvalError"]) },
    naiveEscapes: false,
  },
  {
    id: "perm-async-generator-function-constructor",
    title: "AsyncGeneratorFunction through a prototype compiles nothing",
    source: attempts([`Object.getPrototypeOf(async function* () {}).constructor("yield process")`]),
    expect: { codes: "success", valueCheck: is(["EvalError"]) },
    naiveEscapes: false,
  },
  {
    id: "perm-function-subclass",
    title: "class X extends Function { } ; new X('...') compiles nothing",
    source: attempts([`(() => { class X extends Function {} return new X("return process"); })()`]),
    expect: { codes: "success", valueCheck: is(["EvalError"]) },
    naiveEscapes: false,
  },
  {
    id: "perm-function-as-callback",
    title: "Function handed to map, then, reduce and sort as a callback compiles nothing",
    source: attempts([
      `["return process"].map(Function)[0]`,
      `Promise.resolve("return process").then(Function)`,
      `["return process", 0].reduce(Function)`,
      `Array.from(["return process"], Function)[0]`,
    ]),
    expect: { codes: "success", valueCheck: is(["EvalError", "EvalError", "EvalError", "EvalError"]) },
    naiveEscapes: false,
  },
  {
    id: "perm-host-function-as-callback",
    title: "the Function behind console.log and setTimeout, called through Reflect.apply, compiles nothing",
    source: attempts([`Reflect.apply(console.log.constructor, null, ["return process"])`, `Reflect.apply(setTimeout.constructor, null, ["return process"])`]),
    expect: { codes: "success", valueCheck: is(["EvalError", "EvalError"]) },
    naiveEscapes: true,
  },
  {
    id: "perm-string-timers",
    title: "string timers built at run time (variable, template with expressions, String object, queueMicrotask)",
    source: attempts([
      `(() => { const code = "globalThis.x = 1"; return setTimeout(code, 0); })()`,
      `(() => { const code = "globalThis.x = 1"; return setInterval(code, 5); })()`,
      "setTimeout(`globalThis.x = ${1}`, 0)",
      `setTimeout(new String("globalThis.x = 1"), 0)`,
      `queueMicrotask("globalThis.x = 1")`,
    ]),
    expect: { codes: "success", valueCheck: is(new Array(5).fill("TypeError")) },
    naiveEscapes: false,
  },
  {
    id: "perm-dynamic-import",
    title: "import('node:fs') at PERMISSIVE is the realm's import of the module graph, not the engine's: fs is the placeholder whose functions throw",
    source: `exports.f = () => import("node:fs").then((fs) => fs.readFileSync("__SECRET_FILE__", "utf8"));`,
    expect: { codes: ["MODULE_NOT_FOUND"] },
    naiveEscapes: false,
  },
  {
    id: "perm-dynamic-import-computed",
    title: "import() of a computed specifier is refused at every level, PERMISSIVE included",
    source: `exports.f = (name = "fs") => import(name).then((fs) => fs.readFileSync("__SECRET_FILE__", "utf8"));`,
    expect: { codes: ["VALIDATION_ERROR"] },
    naiveEscapes: false,
  },
  {
    id: "perm-dynamic-import-spellings",
    title: "import () with comments, whitespace and a computed specifier, inside a nested function, is refused too",
    source: `exports.f = () => { const later = () => import /* hidden */ (
  "f" + "s"); return typeof later; };`,
    expect: { codes: ["VALIDATION_ERROR"] },
    naiveEscapes: false,
  },
  {
    id: "perm-dynamic-import-literal-spellings",
    title: "import () of a literal with comments and whitespace, inside a nested arrow, is rewritten too: the realm's import answers (a missing module: MODULE_NOT_FOUND, never the engine's callback error)",
    source: `exports.f = async () => { const later = () => import /* hidden */ (
  "./not-there.js"); try { await later(); return "imported"; } catch (e) { return [e.name, e.code, String(e.message).slice(0, 60)]; } };`,
    expect: { codes: "success", valueCheck: is(["Error", "MODULE_NOT_FOUND", 'cannot find module "./not-there.js"']) },
    naiveEscapes: false,
  },
  {
    id: "perm-dynamic-import-outside",
    title: "import() of paths and URLs outside the tenant folder (absolute, ../, file:, data:) resolves to nothing: each rejects with MODULE_NOT_FOUND",
    source: `exports.f = async () => {
  const out = [];
  for (const load of [() => import("__SECRET_FILE__"), () => import("../../../../../../etc/passwd"), () => import("file:///etc/passwd"), () => import("data:text/javascript,export default globalThis.process")]) {
    try { const m = await load(); out.push("loaded:" + typeof m.default); } catch (e) { out.push(e.code); }
  }
  return out;
};`,
    expect: { codes: "success", valueCheck: is(new Array(4).fill("MODULE_NOT_FOUND")) },
    naiveEscapes: false,
  },
  {
    id: "perm-dynamic-import-validated",
    title: "a module that only import() loads is validated with the graph, before anything runs: one that uses eval refuses the call",
    source: `exports.f = async () => { globalThis.ran = true; return (await import("./later.js")).run(); };`,
    files: { "later.js": `exports.run = () => eval("1 + 1");` },
    expect: { codes: ["VALIDATION_ERROR"] },
    naiveEscapes: false,
  },
  {
    id: "perm-dynamic-import-many-literals",
    title: "a module of 100,000 different literal import() calls is refused for its specifier count at once: collecting them was quadratic, a loader thread's whole 10 s deadline",
    source: `exports.f = () => 1;\nfunction never() {\n${Array.from({ length: 100_000 }, (_, i) => `import("./m${i}.js");`).join("\n")}\n}\n`,
    expect: {
      codes: ["VALIDATION_ERROR"],
      reportCheck: (r) => {
        const issues = (r.error?.details as { issues?: { rule?: string }[] } | undefined)?.issues ?? [];
        return issues.some((issue) => issue.rule === "max-specifiers") ? undefined : `refused for ${JSON.stringify(issues.map((issue) => issue.rule))}, not max-specifiers`;
      },
    },
    naive: false,
  },
  {
    id: "perm-dynamic-import-after-let",
    title: "sloppy library code: a variable named let on a line of its own, then import newline (...): the engine ends the let statement there, and the rewritten call still imports (not a let declaration of the rewrite's name with the call gone)",
    source: `exports.f = async () => { const got = await require("lib").go(); return got; };`,
    files: {
      "node_modules/lib/package.json": JSON.stringify({ name: "lib", main: "index.js" }),
      "node_modules/lib/index.js": `var let = "L";
exports.go = function () {
  {
    let
    import
    ("./x.js").then(function (m) { exports.got = m.x; });
  }
  return Promise.resolve().then(function () {}).then(function () { return [exports.got, let]; });
};
`,
      "node_modules/lib/x.js": `exports.x = "X";`,
    },
    expect: { codes: "success", valueCheck: is(["X", "L"]) },
    naive: false,
  },
  {
    id: "perm-dynamic-import-take-once",
    title: "sloppy library code that reaches its wrapper's take through .caller and arguments gets neither the guards nor the module's import again (both were taken once by the header)",
    source: `exports.f = () => require("lib").seen;`,
    files: {
      "node_modules/lib/package.json": JSON.stringify({ name: "lib", main: "index.js" }),
      "node_modules/lib/index.js": `function probe() { return probe["cal" + "ler"]; }
var wrapper = probe();
var args = wrapper && wrapper["argu" + "ments"];
var take = args && args[5];
exports.seen = [typeof take, typeof (take && take(1)), typeof (take && take())];
exports.later = function () { return import("./x.js"); };
`,
      "node_modules/lib/x.js": `exports.x = "X";`,
    },
    expect: { codes: "success", valueCheck: is(["function", "object", "object"]) },
    naive: false,
  },
  {
    id: "perm-dynamic-import-esm",
    title: "import('fs') in an ES module at PERMISSIVE: the placeholder, whose functions throw",
    esm: true,
    source: `export async function f() { const fs = await import("fs"); return fs.readFileSync("__SECRET_FILE__", "utf8"); }`,
    expect: { codes: ["MODULE_NOT_FOUND"] },
  },
  {
    id: "perm-import-meta",
    title: "import.meta at PERMISSIVE (import.meta.resolve, import.meta.dirname)",
    esm: true,
    source: `export function f() { return [import.meta.dirname, typeof import.meta.resolve]; }`,
    expect: { codes: ["VALIDATION_ERROR"] },
  },
  {
    id: "perm-eval-via-with-lookalike",
    title: "an escaped identifier (ev\\u0061l) still names eval for the validator",
    source: `exports.f = () => ev\\u0061l("1 + 1");`,
    expect: { codes: ["VALIDATION_ERROR"] },
    naive: false,
  },
  {
    id: "perm-webassembly",
    title: "WebAssembly is absent, under every name, and no wasm can be compiled",
    source: `exports.f = () => {
  const W = globalThis.WebAssembly || globalThis["WebAss" + "embly"];
  const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
  let compiled = "no-wasm";
  if (W) { try { new W.Module(bytes); compiled = "compiled"; } catch (e) { compiled = e.name; } }
  return [typeof W, compiled, typeof globalThis.ShadowRealm, typeof globalThis.Worker];
};`,
    expect: { codes: "success", valueCheck: is(["undefined", "no-wasm", "undefined", "undefined"]) },
    naiveEscapes: false,
  },
  {
    id: "perm-codegen-unhandled",
    title: "a code generation error left unhandled in a promise fails the call with RUNTIME_ERROR, nothing more",
    source: `exports.f = async () => { const F = [].constructor.constructor; return F("return process")(); };`,
    expect: { codes: ["RUNTIME_ERROR"], reportCheck: (r) => (r.error?.name === "EvalError" ? undefined : `name ${r.error?.name}`) },
    naiveEscapes: false,
  },
];
