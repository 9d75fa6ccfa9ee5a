import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupTenants, IsolatedRuntime, libraryPackage, makeRuntime, makeTenant } from "./helpers.js";

/*
 * The transform must not change what correct code does (third red-team review): names inferred from
 * bindings, `this` of imported functions, anonymous default exports, String and Intl wrappers, logs.
 */

let runtime: InstanceType<typeof IsolatedRuntime>;
beforeAll(() => {
  runtime = makeRuntime({ maxThreads: 1, securityLevel: "PERMISSIVE" });
});
afterAll(async () => {
  await runtime?.close();
  cleanupTenants();
});

describe("the transform keeps ES semantics", () => {
  it("functions in default parameters and class fields keep their inferred names", async () => {
    const folder = makeTenant({
      "n.js": "function g(cb = () => {}) { return cb.name; }\nclass A { handler = () => 1; static s = function () {}; }\nexports.f = () => [g(), new A().handler.name, A.s.name];\n",
    });
    await expect(runtime.run({ folder, file: "n.js", funcName: "f" })).resolves.toEqual(["cb", "handler", "s"]);
  });

  it("the legacy RegExp statics work within an invocation (showdown reads RegExp.$1)", async () => {
    const folder = makeTenant({ "r.js": "exports.f = () => { /(\\d+)-(\\d+)/.test('a 12-34 b'); return [RegExp.$1, RegExp.$2, RegExp.lastMatch, RegExp.leftContext]; };\n" });
    await expect(runtime.run({ folder, file: "r.js", funcName: "f" })).resolves.toEqual(["12", "34", "12-34", "a "]);
  });

  it("code without semicolons keeps its meaning: a call of an imported function that starts a statement does not continue the one before", async () => {
    const folder = makeTenant({
      "f.mjs": "export default function f(o) { return o.a }\nexport function g(s) { return String(s) }\n",
      "m.mjs": [
        "import f, { g } from './f.mjs'",
        "export function check() {",
        "  const o = { a: 1 }",
        "  f(o)",
        "  const s = 'x'",
        "  g`tpl`",
        "  let n = 1",
        "  if (n) f(o)",
        "  else g(n)",
        "  switch (n) { case 1: f(o) }",
        "  return [f(o), s, n]",
        "}",
        "",
      ].join("\n"),
    });
    await expect(runtime.run({ folder, file: "m.mjs", funcName: "check" })).resolves.toEqual([1, "x", 1]);
  });

  // Library code's `Function` becomes `(__tenantbox_Function(Function))` (loader/code-generation.ts): at the start
  // of a statement, after one that relies on ASI, its "(" called the expression before with the routed
  // constructor (`var b = function () {}` newline `Function.prototype...` ran b).
  it("library code without semicolons keeps its meaning where a statement starts with Function", async () => {
    const folder = makeTenant({
      ...libraryPackage("nosemi", [
        "var called = 0",
        "var b = function () { called++; return {} }",
        "Function.prototype.toString",
        "var c = b",
        "Function`x`",
        "if (called) Function.prototype.x",
        "else c = null",
        "module.exports = () => [called, typeof c]",
        "",
      ].join("\n")),
      "t.cjs": "const n = require('nosemi'); exports.f = () => n();\n",
    });
    await expect(runtime.run({ folder, file: "t.cjs", funcName: "f" })).resolves.toEqual([0, "object"]);
  });

  it("library code reaching Function through the global object by name gets the routed constructor; writes stay writes", async () => {
    const folder = makeTenant({
      ...libraryPackage("globalfn", [
        "var called = 0",
        "var b = function () { called++; return {} }",
        "globalThis.Function.prototype.toString",
        "const add = new globalThis.Function('a', 'b', 'return a + b')",
        "const mul = global.Function('a', 'b', 'return a * b')",
        "const sub = new globalThis['Function']('a', 'b', 'return a - b')",
        "const same = globalThis?.Function === Function",
        "let threw = 'no'",
        "try { globalThis.Function = null } catch (e) { threw = e.name }",
        "const after = new globalThis.Function('return 7')()",
        // A loop body that is one statement gets braces and a guard at the same offset as the routing.
        "let looped = 0",
        "for (var i = 0; i < 2; i++) looped += globalThis.Function('return 1')()",
        "do looped += global.Function('return 10')(); while (0)",
        // Write targets stay writes (a pattern's, a deletion through ?.).
        "const o = { a: 1 }",
        "let pattern = 'no'",
        "try { ({ a: globalThis.Function } = o) } catch (e) { pattern = e.name }",
        "try { ({ ...globalThis.Function } = o) } catch (e) { pattern += e.name }",
        "const deleted = [delete globalThis?.Function, typeof globalThis.Function]",
        "module.exports = () => [add(2, 3), mul(2, 3), sub(2, 3), same, called, threw, after, looped, pattern, deleted]",
        "",
      ].join("\n")),
      "t.cjs": "const g = require('globalfn'); exports.f = () => g();\n",
    });
    // `globalThis.Function = null` stays a write: to a read-only global, which sloppy code ignores.
    await expect(runtime.run({ folder, file: "t.cjs", funcName: "f" })).resolves.toEqual([5, 6, -1, true, 0, "no", 7, 12, "no", [false, "function"]]);
  });

  it("library code's indirect eval of an expression works as Node's (doT's `(0, eval)(\"this\")`, json-logic-engine's `(typeof globalThis !== 'undefined' ? globalThis : global).eval(text)`); direct eval, statements and declarations stay EvalErrors (a tenant's own: hostile code-generation cases)", async () => {
    const folder = makeTenant({
      ...libraryPackage("indirect", [
        "var g = (function () { return this || (0, eval)('this'); }).call(undefined)",
        "module.exports = function () {",
        "  'use strict'",
        "  var e = eval",
        "  var t = function (f) { try { var v = f(); return v === globalThis ? 'global' : v; } catch (x) { return x.name; } }",
        "  return [",
        "    t(function () { return (0, eval)('this'); }),",
        "    t(function () { return e('1 + 2'); }),",
        "    t(function () { return e('(' + '{\"a\":[1,2]}' + ')').a[1]; }),",
        "    t(function () { return globalThis.eval('typeof Math'); }),",
        "    t(function () { return global['eval']('/* c */ `t${1}`'); }),",
        "    t(function () { return (typeof globalThis !== 'undefined' ? globalThis : global).eval('2 * 21'); }),",
        "    t(function () { return (global || globalThis).Function('a', 'return a + 1')(6); }),",
        "    t(function () { return eval?.('40 + 2'); }),",
        "    t(function () { return e(5); }),",
        "    t(function () { return e('var x = 1'); }),",
        "    t(function () { return e('{ a: 1 }'); }),",
        "    t(function () { return e(' // c\\n function f() {}'); }),",
        "    t(function () { return e('class A {}'); }),",
        "    t(function () { return eval('1'); }),",
        "    t(function () { return e.name + (typeof e.prototype) + (e === eval); }),",
        "    g === globalThis,",
        "  ];",
        "}",
        "",
      ].join("\n")),
      "t.cjs": "const run = require('indirect'); exports.f = () => run(); \n",
    });
    // As Node's but for what indirect eval would run as statements (a var, a block, a declaration): refused.
    await expect(runtime.run({ folder, file: "t.cjs", funcName: "f" })).resolves.toEqual(
      ["global", 3, 2, "object", "t1", 42, 7, 42, 5, "EvalError", "EvalError", "EvalError", "EvalError", "EvalError", "evalundefinedtrue", true],
    );
    const secure = makeRuntime({ maxThreads: 1, securityLevel: "SECURE" });
    try {
      await expect(secure.run({ folder, file: "t.cjs", funcName: "f" })).resolves.toEqual(
        ["EvalError", "EvalError", "EvalError", "EvalError", "EvalError", "EvalError", "EvalError", "EvalError", 5, "EvalError", "EvalError", "EvalError", "EvalError", "EvalError", "evalundefinedtrue", true],
      );
    } finally {
      await secure.close();
    }
  });

  it("library code's subclass of Function makes functions of the subclass, as Node's (argparse's callable Action: super(body) forwarding to its own call())", async () => {
    const folder = makeTenant({
      ...libraryPackage("callable", [
        "class Action extends Function {",
        "  constructor(name) { super('return arguments.callee.call.apply(arguments.callee, arguments)'); this.label = name; }",
        "  call(a, b) { return this.label + ':' + (a + b); }",
        "}",
        "class Plain extends Function {}",
        "module.exports = () => { const act = new Action('sum'); const p = new Plain('a', 'return a * 2');",
        "  return [act(2, 3), act instanceof Action, act instanceof Function, typeof act, p(21), p instanceof Plain, Object.getPrototypeOf(new Function('')) === Function.prototype]; };",
        "",
      ].join("\n")),
      "t.cjs": "exports.f = () => require('callable')();\n",
    });
    await expect(runtime.run({ folder, file: "t.cjs", funcName: "f" })).resolves.toEqual(["sum:5", true, true, "function", 42, true, true]);
  });

  it("library code's shorthand `{ eval }` keeps its key (the routed read of eval is not named Function)", async () => {
    const folder = makeTenant({
      ...libraryPackage("shorthand-eval", "module.exports = function () { var o = { eval }; return [Object.keys(o), typeof o.eval, o.eval('1 + 1')]; }\n"),
      "t.cjs": "const run = require('shorthand-eval'); exports.f = () => run();\n",
    });
    await expect(runtime.run({ folder, file: "t.cjs", funcName: "f" })).resolves.toEqual([["eval"], "function", 2]);
  });

  it("a library ES module's import.meta is an object of its own (where the module lies); a tenant module's is refused", async () => {
    const folder = makeTenant({
      "node_modules/metapkg/package.json": JSON.stringify({ name: "metapkg", type: "module", exports: "./lib/index.js" }),
      "node_modules/metapkg/lib/index.js": [
        'import { createRequire } from "module";',
        "let optional = 'loaded';",
        // cbor-x and msgpackr probe an optional native module this way.
        'try { createRequire(import.meta.url)("native-extra"); } catch (e) { optional = e.code; }',
        "const meta = import.meta;",
        "export const where = () => [meta.url, meta.filename, meta.dirname, Object.getPrototypeOf(meta), new URL('./data.json', import.meta.url).pathname, optional, meta === import.meta];",
        "export function back() { return import.meta.url; }",
        'import { spaced, cycle } from "./odd name#1.js";',
        "export const odd = () => [spaced(), cycle];",
        "",
      ].join("\n"),
      // Comments between the tokens; an import cycle that reads import.meta before this module's body ran; a name to encode.
      "node_modules/metapkg/lib/odd name#1.js": "import { back } from './index.js';\nexport const spaced = () => import /* a */ . // b\n  meta.url;\nexport const cycle = back();\n",
      "t.mjs": "import { where, odd } from 'metapkg';\nexport const f = () => [...where(), ...odd()];\n",
      "own.mjs": "export const f = () => import.meta.url;\n",
    });
    await expect(runtime.run({ folder, file: "t.mjs", funcName: "f" })).resolves.toEqual([
      "file:///node_modules/metapkg/lib/index.js",
      "/node_modules/metapkg/lib/index.js",
      "/node_modules/metapkg/lib",
      null,
      "/node_modules/metapkg/lib/data.json",
      "MODULE_NOT_FOUND",
      true,
      "file:///node_modules/metapkg/lib/odd%20name%231.js",
      "file:///node_modules/metapkg/lib/index.js",
    ]);
    await expect(runtime.run({ folder, file: "own.mjs", funcName: "f" })).rejects.toMatchObject({ code: "VALIDATION_ERROR", message: expect.stringMatching(/import\.meta/) });
  });

  it("an imported function called directly or as a tag has no `this`; namespaces are sealed modules", async () => {
    const folder = makeTenant({
      "d.mjs": "export function g() { return this === undefined ? 'undef' : typeof this; }\n",
      "c.mjs": "import { g } from './d.mjs';\nimport * as ns from './d.mjs';\nexport function f() { let added = 'added'; try { ns.x = 1; } catch { added = 'refused'; } return [g(), g`x`, Object.prototype.toString.call(ns), added]; }\n",
    });
    await expect(runtime.run({ folder, file: "c.mjs", funcName: "f" })).resolves.toEqual(["undef", "undef", "[object Module]", "refused"]);
  });

  it("an anonymous default function is hoisted and named default; an anonymous default class is named default", async () => {
    const folder = makeTenant({
      "a.mjs": "import b, { early } from './b.mjs';\nexport default function () { return 'hoisted'; }\nexport function f() { return [early, b.name]; }\n",
      "b.mjs": "import a from './a.mjs';\nexport const early = a();\nexport default class {}\n",
    });
    await expect(runtime.run({ folder, file: "a.mjs", funcName: "f" })).resolves.toEqual(["hoisted", "default"]);
  });

  it("String.prototype.repeat and padStart behave as the built-ins (one conversion, their own RangeError)", async () => {
    const folder = makeTenant({
      "s.js": `exports.f = () => {
  let reads = 0;
  const n = { valueOf() { reads++; return 2; } };
  const out = ["ab".repeat(n), reads, String.prototype.repeat.length, "x".padStart(3, "-")];
  try { "a".repeat(Infinity); out.push("no error"); } catch (e) { out.push(e.name); }
  try { String.prototype.repeat.call(Symbol("s"), 2); out.push("no error"); } catch (e) { out.push(e.name); }
  return out;
};
`,
    });
    await expect(runtime.run({ folder, file: "s.js", funcName: "f" })).resolves.toEqual(["abab", 1, 1, "--x", "RangeError", "TypeError"]);
  });

  it("a few thousand Intl formatters in one call are fine", async () => {
    const folder = makeTenant({
      "i.js": "exports.f = () => { const out = []; for (let i = 0; i < 5000; i++) out.push(new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(i)); return out.length; };\n",
    });
    await expect(runtime.run({ folder, file: "i.js", funcName: "f" })).resolves.toBe(5000);
  });
});

describe("assigning a constructor where the frozen realm keeps V8's fast paths (Array's, the typed arrays')", () => {
  // Run in plain Node too: the realm must answer what Node answers.
  const CODE = `"use strict";
exports.typed = () => { const ta = new Uint8Array(1); ta.constructor = function (n) { return new Uint8Array(n); }; const u = new Uint16Array(2); u["constructor"] = 7; return [Object.keys(ta).length, ta.slice() instanceof Uint8Array, Object.getOwnPropertyDescriptor(ta, "constructor").enumerable, u.constructor, Uint8Array.prototype.constructor === Uint8Array]; };
exports.list = () => { function List() {} List.prototype = Object.create(Array.prototype); List.prototype.constructor = List; const l = new List(); return [l.constructor === List, Array.prototype.constructor === Array, Object.keys(List.prototype), (0, (x) => x)([]).constructor === Array]; };
exports.intrinsic = () => { try { Array.prototype.constructor = 1; return "assigned"; } catch (e) { return e instanceof TypeError; } };
exports.frozenOwn = () => { const p = Object.freeze({ constructor: 1 }); const o = Object.create(p); try { o.constructor = 2; return "assigned"; } catch (e) { return e instanceof TypeError; } };
exports.sealed = () => { const a = Object.preventExtensions(new Uint8Array(1)); try { a.constructor = 1; return "assigned"; } catch (e) { return e instanceof TypeError; } };
`;
  // In a context of its own: `Array.prototype.constructor = 1` succeeds in an unfrozen realm.
  const node = (name: string): unknown =>
    JSON.parse(vm.runInNewContext(`const module = { exports: {} }; (function (exports, module) { ${CODE} })(module.exports, module); JSON.stringify(module.exports[${JSON.stringify(name)}]())`) as string);

  it("an own constructor on an instance or a prototype object, as in Node (typedarray.prototype.slice's test in traverse and exceljs; Array subclasses)", async () => {
    const folder = makeTenant({ "c.js": CODE });
    for (const name of ["typed", "list", "frozenOwn", "sealed"]) {
      await expect(runtime.run({ folder, file: "c.js", funcName: name }), name).resolves.toEqual(node(name));
    }
    // The built-in prototype itself stays frozen (README: changing a built-in prototype throws), where Node assigns.
    expect(node("intrinsic")).toBe("assigned");
    await expect(runtime.run({ folder, file: "c.js", funcName: "intrinsic" })).resolves.toBe(true);
    // The same from a library (sloppy, node_modules).
    const lib = makeTenant({ "node_modules/ta/index.js": CODE.slice('"use strict";\n'.length), "h.js": "exports.f = () => require('ta').typed();\n" });
    await expect(runtime.run({ folder: lib, file: "h.js", funcName: "f" })).resolves.toEqual(node("typed"));
  });
});

describe("what a call can make the host hold", () => {
  it("empty console lines count against maxLogBytes", async () => {
    const folder = makeTenant({ "l.js": "exports.f = () => { for (let i = 0; i < 200000; i++) console.debug(); return 1; };\n" });
    const report = await runtime.execute({ folder, file: "l.js", funcName: "f" });
    expect(report.success).toBe(true);
    expect(report.logs.length).toBeLessThan(64 * 1024 / 16 + 2);
    expect(report.logs[report.logs.length - 1]!.message).toMatch(/truncated/);
  });

  it("FUNCTION_NOT_FOUND details stay small whatever the export names", async () => {
    const folder = makeTenant({ "e.js": "const big = 'k'.repeat(1e6);\nfor (let i = 0; i < 50; i++) exports[big + i] = () => 1;\n" });
    const report = await runtime.execute({ folder, file: "e.js", funcName: "nope" });
    expect(report.error?.code).toBe("FUNCTION_NOT_FOUND");
    expect(JSON.stringify(report.error).length).toBeLessThan(10_000);
  });
});
