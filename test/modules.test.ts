import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupTenants, expectCode, IsolatedRuntime, libraryPackage, makeRuntime, makeTenant, RuntimeError, runError, writeFiles } from "./helpers.js";

let runtime: InstanceType<typeof IsolatedRuntime>;

beforeAll(() => {
  runtime = makeRuntime();
});

afterAll(async () => {
  await runtime?.close();
  cleanupTenants();
});

describe("CommonJS", () => {
  it("calls a function assigned on module.exports", async () => {
    const folder = makeTenant({ "hooks/orders.js": "module.exports = { onOrder(order) { return { id: order.id, total: order.qty * 2 }; } };" });
    await expect(runtime.run({ folder, file: "hooks/orders.js", funcName: "onOrder", args: [{ id: "o1", qty: 21 }] })).resolves.toEqual({
      id: "o1",
      total: 42,
    });
  });

  it("calls a function assigned on exports.x", async () => {
    const folder = makeTenant({ "a.js": "exports.add = (a, b) => a + b;\nexports.mul = function (a, b) { return a * b; };" });
    await expect(runtime.run({ folder, file: "a.js", funcName: "add", args: [2, 3] })).resolves.toBe(5);
    await expect(runtime.run({ folder, file: "a.js", funcName: "mul", args: [2, 3] })).resolves.toBe(6);
  });

  it("awaits an async function's value", async () => {
    const folder = makeTenant({ "a.js": "exports.later = async (x) => { await null; return x + 1; };" });
    await expect(runtime.run({ folder, file: "a.js", funcName: "later", args: [1] })).resolves.toBe(2);
  });

  it('funcName "default" calls module.exports when it is a function', async () => {
    const folder = makeTenant({ "fn.js": "module.exports = function (x) { return 'default:' + x; };" });
    await expect(runtime.run({ folder, file: "fn.js", funcName: "default", args: ["hi"] })).resolves.toBe("default:hi");
  });

  it("requires a relative module, with and without extension, and a directory index", async () => {
    const folder = makeTenant({
      "main.js": [
        "const a = require('./lib/a.js');",
        "const b = require('./lib/b');",
        "const c = require('./lib/dir');",
        "exports.f = () => [a.name, b.name, c.name];",
      ].join("\n"),
      "lib/a.js": "exports.name = 'a';",
      "lib/b.js": "exports.name = 'b';",
      "lib/dir/index.js": "exports.name = 'dir';",
    });
    await expect(runtime.run({ folder, file: "main.js", funcName: "f" })).resolves.toEqual(["a", "b", "dir"]);
  });

  it("a specifier ending in a slash names a directory only, as in Node: './lib/ok.js/' is MODULE_NOT_FOUND, './lib/dir/' and 'pkg/sub/' find their index", async () => {
    const folder = makeTenant({
      "main.js": [
        "exports.dir = () => [require('./lib/dir/').name, require('./lib/dir/.').name, require('pkg/sub/').name, require('./lib/dir/x/..').name];",
        "exports.file = () => require('./lib/ok.js/');",
        "exports.pkgFile = () => require('pkg/ok.js/');",
      ].join("\n"),
      "lib/ok.js": "exports.name = 'ok';",
      "lib/dir/index.js": "exports.name = 'dir';",
      "lib/dir/x/y.js": "",
      "node_modules/pkg/package.json": JSON.stringify({ name: "pkg" }),
      "node_modules/pkg/ok.js": "exports.name = 'pkg-ok';",
      "node_modules/pkg/sub/index.js": "exports.name = 'pkg-sub';",
    });
    await expect(runtime.run({ folder, file: "main.js", funcName: "dir" })).resolves.toEqual(["dir", "dir", "pkg-sub", "dir"]);
    await expectCode(runtime, { folder, file: "main.js", funcName: "file" }, "MODULE_NOT_FOUND");
    await expectCode(runtime, { folder, file: "main.js", funcName: "pkgFile" }, "MODULE_NOT_FOUND");
  });

  it("a request field run() does not take (a typo: arg for args, timout) is INVALID_REQUEST naming it, for run(), execute() and runCode()", async () => {
    const folder = makeTenant({ "a.js": "exports.f = (x) => x;" });
    const typo = await expectCode(runtime, { folder, file: "a.js", funcName: "f", arg: [1] } as never, "INVALID_REQUEST");
    expect(typo.message).toMatch(/^a run\(\) request has no field "arg"; its fields are folder, file, funcName, args, /);
    const report = await runtime.execute({ folder, file: "a.js", funcName: "f", args: [1], timout: 5 } as never);
    expect(report.error).toMatchObject({ code: "INVALID_REQUEST", message: expect.stringContaining('no field "timout"') });
    await expect(runtime.runCode({ code: "return 1", cotext: {} } as never)).rejects.toMatchObject({ code: "INVALID_REQUEST", message: expect.stringContaining('no field "cotext"') });
    // Every documented field, and the per-call limits, are taken; an inherited one is not the request's own.
    const request = Object.assign(Object.create({ inherited: true }), { folder, file: "a.js", funcName: "f", args: [2], context: {}, env: {}, meta: 1, rawValue: false, timeout: 1000 });
    await expect(runtime.run(request)).resolves.toBe(2);
  });

  it("'pkg/' names the package's directory only: node_modules/pkg.js beside it is not it, as in Node (review dec11)", async () => {
    const folder = makeTenant({
      "main.js": "exports.f = () => [require('pkg/'), require('pkg'), require('pkg/.')];",
      "node_modules/pkg/package.json": JSON.stringify({ name: "pkg", main: "m.js" }),
      "node_modules/pkg/m.js": "module.exports = 'pkg-main';",
      "node_modules/pkg.js": "module.exports = 'pkg-js-file';",
    });
    // Node 24: [ 'pkg-main', 'pkg-js-file', 'pkg-main' ] (before: 'pkg/' loaded node_modules/pkg.js).
    await expect(runtime.run({ folder, file: "main.js", funcName: "f" })).resolves.toEqual(["pkg-main", "pkg-js-file", "pkg-main"]);
  });

  it("a module required twice in one invocation is one instance", async () => {
    const folder = makeTenant({
      "main.js": "const x = require('./x.js'); const y = require('./x'); exports.f = () => [x === y, x.n];",
      "x.js": "let n = 0; n++; exports.n = n;",
    });
    await expect(runtime.run({ folder, file: "main.js", funcName: "f" })).resolves.toEqual([true, 1]);
  });

  it("__filename and __dirname are tenant-relative, never host paths", async () => {
    const folder = makeTenant({ "lib/where.js": "exports.f = () => [__filename, __dirname];" });
    const value = (await runtime.run({ folder, file: "lib/where.js", funcName: "f" })) as string[];
    expect(value).toEqual(["lib/where.js", "lib"]);
    expect(JSON.stringify(value)).not.toContain(folder);
  });

  it("a tenant exception is RUNTIME_ERROR with its own name and message", async () => {
    const folder = makeTenant({
      "a.js": "class MyError extends Error { constructor(m) { super(m); this.name = 'MyError'; } }\nexports.f = () => { throw new MyError('boom 42'); };\nexports.g = async () => { throw new TypeError('async boom'); };",
    });
    const error = await expectCode(runtime, { folder, file: "a.js", funcName: "f" }, "RUNTIME_ERROR");
    expect(error.message).toContain("boom 42");
    expect(error.details?.name).toBe("MyError");
    // details.stack: the tenant's own frames (file:line:column), no host paths.
    const stack = String(error.details?.stack);
    expect(stack).toContain("a.js:2:");
    expect(stack).not.toContain(folder);
    expect(stack).not.toMatch(/node:internal|dist\/worker|node_modules/);
    const report = await runtime.execute({ folder, file: "a.js", funcName: "g" });
    expect(report.success).toBe(false);
    expect(report.error?.code).toBe("RUNTIME_ERROR");
    expect(report.error?.name).toBe("TypeError");
    expect(report.error?.message).toContain("async boom");
  });
});

describe("ES modules", () => {
  it("export function, export const, export default", async () => {
    const folder = makeTenant({
      "m.js": [
        "export function named(x) { return 'named:' + x; }",
        "export const arrow = (x) => 'arrow:' + x;",
        "export default function (x) { return 'default:' + x; }",
      ].join("\n"),
    });
    await expect(runtime.run({ folder, file: "m.js", funcName: "named", args: [1] })).resolves.toBe("named:1");
    await expect(runtime.run({ folder, file: "m.js", funcName: "arrow", args: [2] })).resolves.toBe("arrow:2");
    await expect(runtime.run({ folder, file: "m.js", funcName: "default", args: [3] })).resolves.toBe("default:3");
  });

  it("export default of an anonymous arrow expression and of a named async function", async () => {
    const folder = makeTenant({
      "arrow.mjs": "export default (a, b) => a - b",
      "named.mjs": "export default async function handler(x) { await null; return x * 10; }",
    });
    await expect(runtime.run({ folder, file: "arrow.mjs", funcName: "default", args: [10, 4] })).resolves.toBe(6);
    await expect(runtime.run({ folder, file: "named.mjs", funcName: "default", args: [4] })).resolves.toBe(40);
  });

  it("export { local as alias } and export let", async () => {
    const folder = makeTenant({
      "m.js": "function inner() { return 'inner'; }\nexport let counter = 0;\nexport function bump() { counter++; return counter; }\nexport { inner as outer };",
    });
    await expect(runtime.run({ folder, file: "m.js", funcName: "outer" })).resolves.toBe("inner");
    await expect(runtime.run({ folder, file: "m.js", funcName: "inner" })).rejects.toMatchObject({ code: "FUNCTION_NOT_FOUND" });
    await expect(runtime.run({ folder, file: "m.js", funcName: "bump" })).resolves.toBe(1);
  });

  it("a namespace lists its names in code-unit order, as Node's (Object.keys, for...in, JSON.stringify; log-symbols' `export * as default`)", async () => {
    const files = {
      "main.mjs": [
        "import * as ns from './lib/x.mjs';",
        "import re, { again } from './lib/re.mjs';",
        "export async function f() { const keys = []; for (const k in ns) keys.push(k); return [Object.keys(ns), keys, Object.keys(re), Object.keys(again), JSON.stringify(ns), Object.keys(await import('./lib/x.mjs'))]; }",
      ].join("\n"),
      "lib/x.mjs": "export const zeta = 1; export const Alpha = 2; export function mid() {} export default 5; const b = 3; export { b as beta };",
      "lib/re.mjs": "export * as default from './x.mjs'; export * as again from './x.mjs';",
    };
    const folder = makeTenant(files);
    // What Node 24 answers for main.mjs (node --input-type=module; vitest's own import() is not Node's loader).
    const names = ["Alpha", "beta", "default", "mid", "zeta"];
    await expect(runtime.run({ folder, file: "main.mjs", funcName: "f" })).resolves.toEqual([names, names, names, names, '{"Alpha":2,"beta":3,"default":5,"zeta":1}', names]);
  });

  it("imports named, default and namespace bindings from './x.js'", async () => {
    const folder = makeTenant({
      "main.js": [
        "import greet, { shout as loud, PI } from './lib/x.js';",
        "import * as ns from './lib/x.js';",
        "export function f(name) { return [greet(name), loud(name), PI, Object.keys(ns).sort(), ns.shout('ns')]; }",
      ].join("\n"),
      "lib/x.js": "export default function greet(n) { return 'hello ' + n; }\nexport const shout = (n) => n.toUpperCase();\nexport const PI = 3;",
    });
    await expect(runtime.run({ folder, file: "main.js", funcName: "f", args: ["bob"] })).resolves.toEqual([
      "hello bob",
      "BOB",
      3,
      ["PI", "default", "shout"],
      "NS",
    ]);
  });

  it("re-exports: export { x } from, export * from, export * as ns from, export { default as y } from", async () => {
    const folder = makeTenant({
      "index.js": [
        "export { one } from './a.js';",
        "export * from './b.js';",
        "export * as c from './c.js';",
        "export { default as d } from './d.js';",
      ].join("\n"),
      "a.js": "export const one = () => 1; export const notReexported = () => 0;",
      "b.js": "export const two = () => 2; export default function ignoredByStar() { return 'no'; }",
      "c.js": "export const three = 3;",
      "d.js": "export default () => 4;",
      "use.js": "import * as all from './index.js';\nexport function f() { return [all.one(), all.two(), all.c.three, all.d(), 'notReexported' in all, 'default' in all]; }",
    });
    await expect(runtime.run({ folder, file: "index.js", funcName: "one" })).resolves.toBe(1);
    await expect(runtime.run({ folder, file: "index.js", funcName: "two" })).resolves.toBe(2);
    await expect(runtime.run({ folder, file: "index.js", funcName: "d" })).resolves.toBe(4);
    await expect(runtime.run({ folder, file: "use.js", funcName: "f" })).resolves.toEqual([1, 2, 3, 4, false, false]);
  });

  it("export * of two modules that export one name as different bindings leaves it out, and importing it is Node's SyntaxError; one binding reached twice is kept", async () => {
    const folder = makeTenant({
      "a.mjs": 'export const x = "a"; export const onlyA = 1; export * from "./c.mjs";',
      "b.mjs": 'export const x = "b"; export const onlyB = 2; export * from "./c.mjs";',
      "c.mjs": 'export let shared = "c"; export function bump() { shared = "c2"; }',
      "main.mjs": 'export * from "./a.mjs"; export * from "./b.mjs"; export const own = 0;',
      "use.mjs": 'import * as ns from "./main.mjs"; export const f = () => { const before = ns.shared; ns.bump(); return [Object.keys(ns).sort(), before, ns.shared, "x" in ns]; };',
      "bad.mjs": 'import { x } from "./main.mjs"; export const f = () => x;',
    });
    // As Node 24 answers for the same files.
    await expect(runtime.run({ folder, file: "use.mjs", funcName: "f" })).resolves.toEqual([["bump", "onlyA", "onlyB", "own", "shared"], "c", "c2", false]);
    const error = await expectCode(runtime, { folder, file: "bad.mjs", funcName: "f" }, "RUNTIME_ERROR");
    expect(error.message).toBe("The requested module './main.mjs' contains conflicting star exports for name 'x'");
  });

  it("export * follows re-exports to the binding, as Node's ResolveExport: a name re-exported or imported and exported is not ambiguous against its source (review dec11)", async () => {
    // Before: each path's getter was compared, so these were left out and importing them was a SyntaxError.
    const folder = makeTenant({
      "c.mjs": "export let x = 1; export function bump() { x++; }",
      "c.cjs": "exports.y = 2;",
      "a.mjs": 'export { x } from "./c.mjs"; export * from "./c.cjs";',
      "a2.mjs": 'import { x as xx } from "./c.mjs"; export { xx as x };',
      "b.mjs": 'export * from "./c.mjs"; export * from "./c.cjs";',
      "top.mjs": 'export * from "./a.mjs"; export * from "./b.mjs";',
      "top2.mjs": 'export * from "./a2.mjs"; export * from "./b.mjs";',
      "deep.mjs": 'export * from "./top.mjs"; export * from "./top2.mjs";',
      "n1.mjs": 'export * as ns from "./c.mjs";',
      "n2.mjs": 'export * as ns from "./c.mjs";',
      "n3.mjs": 'import * as q from "./c.mjs"; export { q as ns };',
      "nsboth.mjs": 'export * from "./n1.mjs"; export * from "./n2.mjs"; export * from "./n3.mjs";',
      "use.mjs": [
        'import * as t from "./top.mjs"; import * as t2 from "./top2.mjs"; import * as d from "./deep.mjs"; import * as n from "./nsboth.mjs";',
        'import { x, y } from "./deep.mjs"; import { bump } from "./c.mjs";',
        "export const f = () => { const r = [Object.keys(t).sort(), Object.keys(t2).sort(), Object.keys(d).sort(), Object.keys(n), x, y]; bump(); r.push(t.x, t2.x, d.x, x); return r; };",
      ].join("\n"),
    });
    // As Node 24 answers (but for its CommonJS namespaces' "module.exports" key): `export * as ns` and a namespace
    // imported and exported are each their module's own binding in V8, so those conflict.
    await expect(runtime.run({ folder, file: "use.mjs", funcName: "f" })).resolves.toEqual([["bump", "x", "y"], ["bump", "x", "y"], ["bump", "x", "y"], [], 1, 2, 2, 2, 2, 2]);
  });

  it("live bindings: an imported let sees the exporter's updates", async () => {
    const folder = makeTenant({
      "counter.js": "export let count = 0;\nexport function inc() { count++; }",
      "main.js": "import { count, inc } from './counter.js';\nexport function f() { inc(); inc(); return count; }",
    });
    await expect(runtime.run({ folder, file: "main.js", funcName: "f" })).resolves.toBe(2);
  });

  it("an import of a name an ES module does not export is Node's SyntaxError, before the importer runs (a cycle, CommonJS and TypeScript as Node or tsc have them)", async () => {
    const folder = makeTenant({
      "b.mjs": "export const a = 1;\nexport default 2;",
      "c.mjs": "export const z = 1;",
      "named.mjs": "import { nope } from './b.mjs';\nconsole.log('the importer ran');\nexport const f = () => nope;",
      "default.mjs": "import x from './c.mjs';\nexport const f = () => x;",
      "reexport.mjs": "export { nope } from './b.mjs';\nexport const f = () => 1;",
      "ok.mjs": "import d, { a } from './b.mjs';\nexport { z as y } from './c.mjs';\nexport const f = () => [d, a];",
      // In a cycle the module still running is not checked: its `export *` names come after its imports.
      "cycle1.mjs": "import { two, z } from './cycle2.mjs';\nexport const one = 1;\nexport const f = () => [two(), z];",
      "cycle2.mjs": "import { one } from './cycle1.mjs';\nexport * from './c.mjs';\nexport const two = () => one;",
      // CommonJS lends the keys it has (Node's lexer would refuse some): a missing one reads undefined.
      "lib.cjs": "exports.k = 1;",
      "from-cjs.mjs": "import { nope, k } from './lib.cjs';\nexport const f = () => [nope === undefined, k];",
      // Strip-only TypeScript keeps an import of a type, which tsc's output drops.
      "types.ts": "export interface Shape { a: number }\nexport const v = 3;",
      "use-types.mts": "import { Shape, v } from './types.ts';\nexport const f = (s?: Shape) => v;",
    });
    for (const [file, missing, from] of [["named.mjs", "nope", "./b.mjs"], ["default.mjs", "default", "./c.mjs"], ["reexport.mjs", "nope", "./b.mjs"]] as const) {
      const result = await runtime.execute({ folder, file, funcName: "f" });
      expect(result.error, file).toMatchObject({ code: "RUNTIME_ERROR", name: "SyntaxError", message: `The requested module '${from}' does not provide an export named '${missing}'` });
      expect(result.logs, file).toEqual([]);
    }
    await expect(runtime.run({ folder, file: "ok.mjs", funcName: "f" })).resolves.toEqual([2, 1]);
    await expect(runtime.run({ folder, file: "cycle1.mjs", funcName: "f" })).resolves.toEqual([1, 1]);
    await expect(runtime.run({ folder, file: "from-cjs.mjs", funcName: "f" })).resolves.toEqual([true, 1]);
    await expect(runtime.run({ folder, file: "use-types.mts", funcName: "f" })).resolves.toBe(3);
  });

  it("ESM imports CommonJS (default = module.exports, named = its keys) and CommonJS requires ESM", async () => {
    const folder = makeTenant({
      "esm.mjs": "import cjs, { add } from './lib.cjs';\nexport function f() { return [cjs.add(1, 2), add(2, 2), cjs.tag]; }",
      "lib.cjs": "module.exports = { add: (a, b) => a + b, tag: 'cjs' };",
      "cjs.cjs": "const m = require('./mod.mjs');\nexports.f = () => [m.value, m.default()];",
      "mod.mjs": "export const value = 'esm';\nexport default () => 'esm-default';",
    });
    await expect(runtime.run({ folder, file: "esm.mjs", funcName: "f" })).resolves.toEqual([3, 4, "cjs"]);
    await expect(runtime.run({ folder, file: "cjs.cjs", funcName: "f" })).resolves.toEqual(["esm", "esm-default"]);
  });
});

describe("import() of a string literal", () => {
  it("gives the module's namespace, from an ES module or CommonJS: an ES module's exports, or CommonJS's as default and named", async () => {
    const folder = makeTenant({
      "b.mjs": "export const x = 41;\nexport default function g() { return 'g'; }",
      "c.js": "exports.y = 2;",
      "esm.mjs": "export async function f() { const b = await import('./b.mjs'); const c = await import(`./c.js`); return [b.x, b.default(), c.default.y, c.y, Object.prototype.toString.call(b)]; }",
      "cjs.js": "exports.f = async () => { const b = await import('./b.mjs'); const path = await import('node:path'); return [b.x, path.join('a', 'b')]; };",
    });
    await expect(runtime.run({ folder, file: "esm.mjs", funcName: "f" })).resolves.toEqual([41, "g", 2, 2, "[object Module]"]);
    await expect(runtime.run({ folder, file: "cjs.js", funcName: "f" })).resolves.toEqual([41, "a/b"]);
  });

  it("loads the module in a job of its own, once per invocation, and rejects where it fails: a missing module (MODULE_NOT_FOUND), one that throws", async () => {
    const folder = makeTenant({
      "counted.js": "globalThis.loads = (globalThis.loads ?? 0) + 1; exports.n = globalThis.loads;",
      "throws.js": "throw new Error('broken module');",
      "a.js": `exports.f = async () => {
  const order = [];
  const pending = import('./counted.js').then((m) => order.push('loaded ' + m.n));
  order.push('after the call');
  await pending;
  const again = await import('./counted.js');
  const failures = [];
  for (const load of [() => import('./missing.js'), () => import('./throws.js')]) {
    try { await load(); failures.push('no error'); } catch (e) { failures.push(e.code ?? e.message); }
  }
  return [order, again.n, failures];
};`,
    });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual([["after the call", "loaded 1"], 1, ["MODULE_NOT_FOUND", "broken module"]]);
    // A fresh instance next call, as for every module.
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual([["after the call", "loaded 1"], 1, ["MODULE_NOT_FOUND", "broken module"]]);
  });

  it("library code may compute the specifier: it resolves among the module's own validated dependencies, or rejects", async () => {
    const folder = makeTenant({
      ...libraryPackage("lazy", "exports.load = (name) => import(name); exports.chunk = () => import('./chunk.js');"),
      "node_modules/lazy/chunk.js": "exports.part = 'chunk';",
      "a.js": `const lazy = require('lazy');
exports.f = async () => {
  const chunk = await lazy.chunk();
  const same = await lazy.load('./chunk.js');
  let other; try { await lazy.load('./elsewhere.js'); other = 'loaded'; } catch (e) { other = e.code; }
  return [chunk.part, same.part, other];
};`,
    });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual(["chunk", "chunk", "MODULE_NOT_FOUND"]);
  });

  it("is refused in code compiled at run time (no module graph of its own)", async () => {
    const folder = makeTenant({
      ...libraryPackage("gen", "exports.make = () => Function(\"return import('./x.js')\");"),
      "a.js": "exports.f = () => { try { require('gen').make(); return 'compiled'; } catch (e) { return e.name + ': ' + e.message; } };",
    });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toBe("EvalError: generated code refused: no-dynamic-import: import() is not available in code compiled at run time");
  });
});

describe("format detection by syntax", () => {
  it(".js with export is ESM, .js with module.exports is CommonJS, the word 'import' in a string does not make ESM", async () => {
    const folder = makeTenant({
      "esm.js": "export const kind = () => typeof module;",
      "cjs.js": "exports.kind = () => typeof module + ':' + 'import x from \"y\"; export default 1';",
    });
    // In ESM there is no `module` binding; in CommonJS there is.
    await expect(runtime.run({ folder, file: "esm.js", funcName: "kind" })).resolves.toBe("undefined");
    await expect(runtime.run({ folder, file: "cjs.js", funcName: "kind" })).resolves.toBe('object:import x from "y"; export default 1');
  });

  it(".mjs is always ESM and .cjs is always CommonJS", async () => {
    const folder = makeTenant({
      "plain.mjs": "export const f = () => typeof exports;",
      "plain.cjs": "module.exports.f = () => typeof exports;",
    });
    await expect(runtime.run({ folder, file: "plain.mjs", funcName: "f" })).resolves.toBe("undefined");
    await expect(runtime.run({ folder, file: "plain.cjs", funcName: "f" })).resolves.toBe("object");
  });

  it("ESM syntax in a .cjs file is a VALIDATION_ERROR", async () => {
    const folder = makeTenant({ "bad.cjs": "export function f() { return 1; }" });
    await expectCode(runtime, { folder, file: "bad.cjs", funcName: "f" }, "VALIDATION_ERROR");
  });

  it("CommonJS runs in strict mode", async () => {
    const folder = makeTenant({ "s.js": "exports.f = function () { return this === undefined; };\nexports.g = () => { undeclared = 1; return 'sloppy'; };" });
    await expect(runtime.run({ folder, file: "s.js", funcName: "f" })).resolves.toBe(true);
    const error = await expectCode(runtime, { folder, file: "s.js", funcName: "g" }, "RUNTIME_ERROR");
    expect(error.details?.name).toBe("ReferenceError");
  });
});

describe("library code that runs sloppy", () => {
  it("a function's own \"use strict\" still makes it strict (its entry guard goes after the directive)", async () => {
    const folder = makeTenant({
      "a.js": "const lib = require('lib');\nexports.f = () => [(0, lib.strict)(), (0, lib.strictNoSemicolon)(), (0, lib.arrow)(), (0, lib.sloppy)()];",
      ...libraryPackage("lib", [
        "exports.strict = function () { 'use strict'; return this === undefined; };",
        "exports.strictNoSemicolon = function () { /* prologue */ \"use strict\"\n  return this === undefined };",
        "exports.arrow = () => { 'use strict'; return (function () { return this === undefined; })(); };",
        "exports.sloppy = function () { return this === undefined; };",
      ].join("\n")),
    });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual([true, true, true, false]);
  });

  it("a file whose directive prologue says \"use strict\" after another directive is strict, as in Node", async () => {
    const folder = makeTenant({
      "a.js": "const lib = require('lib');\nexports.f = () => [(0, lib.strict)(), lib.implicitGlobal()];",
      ...libraryPackage("lib", [
        "'use client';",
        "// a comment between directives",
        "\"use strict\";",
        "exports.strict = function () { return this === undefined; };",
        "exports.implicitGlobal = function () { try { undeclared = 1; return 'assigned'; } catch (e) { return e.name; } };",
      ].join("\n")),
    });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual([true, "ReferenceError"]);
  });
});

describe("JSON modules", () => {
  it("require('./data.json') returns the parsed data", async () => {
    const folder = makeTenant({
      "data.json": JSON.stringify({ rate: 0.2, tags: ["a", "b"] }),
      "a.js": "const data = require('./data.json');\nexports.f = (x) => [x * data.rate, data.tags.length];",
    });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f", args: [10] })).resolves.toEqual([2, 2]);
  });

  it("import data from './data.json' gives the data as the default export", async () => {
    const folder = makeTenant({
      "data.json": JSON.stringify({ rate: 0.5 }),
      "a.mjs": "import data from './data.json';\nexport function f(x) { return x * data.rate; }",
    });
    await expect(runtime.run({ folder, file: "a.mjs", funcName: "f", args: [10] })).resolves.toBe(5);
  });

  it("import data from './data.json' with { type: 'json' } (Node's own syntax) works", async () => {
    const folder = makeTenant({
      "data.json": JSON.stringify({ rate: 0.25 }),
      "a.mjs": "import data from './data.json' with { type: 'json' };\nexport function f(x) { return x * data.rate; }",
    });
    await expect(runtime.run({ folder, file: "a.mjs", funcName: "f", args: [8] })).resolves.toBe(2);
  });

  it("JSON module data is fresh per invocation (a mutation does not leak into the next call)", async () => {
    const folder = makeTenant({
      "data.json": JSON.stringify({ n: 0 }),
      "a.js": "const data = require('./data.json');\nexports.f = () => ++data.n;",
    });
    for (let i = 0; i < 4; i++) await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toBe(1);
  });

  it("a JSON file that starts with a UTF-8 byte order mark loads, as Node's require and import skip it", async () => {
    const folder = makeTenant({
      "data.json": "\uFEFF" + JSON.stringify({ rate: 0.5 }),
      "a.js": "const data = require('./data.json');\nexports.f = (x) => x * data.rate;",
      "b.mjs": "import data from './data.json';\nexport function f(x) { return x * data.rate; }",
      "bad.json": '\uFEFF{"a": }',
      "c.js": "exports.f = () => require('./bad.json');",
    });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f", args: [10] })).resolves.toBe(5);
    await expect(runtime.run({ folder, file: "b.mjs", funcName: "f", args: [4] })).resolves.toBe(2);
    // Only the mark is skipped: what follows it must still be JSON, at the column an editor shows.
    const report = await runtime.execute({ folder, file: "c.js", funcName: "f" });
    expect(report.error?.code).toBe("VALIDATION_ERROR");
    expect((report.error?.details as { issues: { location: unknown }[] }).issues[0]!.location).toEqual({ line: 1, column: 7 });
  });

  it("invalid JSON is a VALIDATION_ERROR at the place the text goes wrong, as `tenantbox check` says", async () => {
    const folder = makeTenant({ "bad.json": "{ not json", "a.js": "const d = require('./bad.json'); exports.f = () => d;", "data.json": '{"a": 1,\n "b": }\n', "b.js": "exports.f = () => require('./data.json');" });
    await expectCode(runtime, { folder, file: "a.js", funcName: "f" }, "VALIDATION_ERROR");
    const report = await runtime.execute({ folder, file: "b.js", funcName: "f" });
    const issue = (report.error?.details as { issues?: { location: unknown; message: string }[] } | undefined)?.issues?.[0];
    expect(issue?.location).toEqual({ line: 2, column: 7 });
    expect(issue?.message).toMatch(/^invalid JSON: /);
    expect(issue?.message).not.toMatch(/position \d+/);
  });
});

describe("bare specifiers from the folder's own node_modules", () => {
  it("require('pkg') uses node_modules/pkg/package.json main", async () => {
    const folder = makeTenant({
      "node_modules/pkg/package.json": JSON.stringify({ name: "pkg", main: "lib/main.js" }),
      "node_modules/pkg/lib/main.js": "exports.hello = (n) => 'pkg says hi to ' + n;",
      "hooks/a.js": "const pkg = require('pkg');\nexports.f = (n) => pkg.hello(n);",
    });
    await expect(runtime.run({ folder, file: "hooks/a.js", funcName: "f", args: ["ann"] })).resolves.toBe("pkg says hi to ann");
  });

  it("import from a scoped package and a package subpath", async () => {
    const folder = makeTenant({
      "node_modules/@acme/util/package.json": JSON.stringify({ name: "@acme/util", main: "index.js" }),
      "node_modules/@acme/util/index.js": "export const twice = (x) => x * 2;",
      "node_modules/@acme/util/extra.js": "export const thrice = (x) => x * 3;",
      "m.mjs": "import { twice } from '@acme/util';\nimport { thrice } from '@acme/util/extra.js';\nexport function f(x) { return [twice(x), thrice(x)]; }",
    });
    await expect(runtime.run({ folder, file: "m.mjs", funcName: "f", args: [5] })).resolves.toEqual([10, 15]);
  });

  it("a built-in's name with a slash or a path after it is an npm package ('buffer/', 'process/browser.js'), as in Node", async () => {
    const folder = makeTenant({
      "node_modules/events/package.json": JSON.stringify({ name: "events", main: "events.js" }),
      "node_modules/events/events.js": "exports.fromNpm = true;",
      "node_modules/process/package.json": JSON.stringify({ name: "process", main: "browser.js" }),
      "node_modules/process/browser.js": "exports.browserShim = true;",
      "a.js": "exports.f = () => [require('events/').fromNpm, require('process/browser.js').browserShim, typeof require('events').EventEmitter];",
      // A built-in's own subpath stays the built-in (fs is not in the sandbox).
      "b.js": "exports.f = () => require('fs/promises');",
    });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual([true, true, "function"]);
    await expect(runtime.run({ folder, file: "b.js", funcName: "f" })).rejects.toMatchObject({ code: "MODULE_NOT_FOUND", message: expect.stringContaining("built-in") });
  });

  it("require() matches an exports map's \"module-sync\" condition, as Node 22.10+ does (multiformats and uint8arrays export only import and module-sync)", async () => {
    const files = {
      "node_modules/only-esm/package.json": JSON.stringify({ name: "only-esm", type: "module", exports: { ".": { import: "./index.js", "module-sync": "./index.js" } } }),
      "node_modules/only-esm/index.js": "export const via = 'module-sync';",
      "node_modules/first/package.json": JSON.stringify({ name: "first", exports: { "module-sync": "./a.mjs", default: "./b.cjs" } }),
      "node_modules/first/a.mjs": "export const via = 'module-sync';",
      "node_modules/first/b.cjs": "exports.via = 'default';",
      "a.js": "exports.f = () => [require('only-esm').via, require('first').via];",
    };
    const folder = makeTenant(files);
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual(["module-sync", "module-sync"]);
    // Node agrees.
    expect(createRequire(path.join(folder, "a.js"))(path.join(folder, "a.js")).f()).toEqual(["module-sync", "module-sync"]);
  });

  it("a library's require of a conditional between literals finds either file (later: require(process.env.LATER_COV ? './later-cov' : './later')); a branch that cannot run is left out", async () => {
    const folder = makeTenant({
      "node_modules/later/package.json": JSON.stringify({ name: "later", main: "index.js" }),
      "node_modules/later/index.js":
        "const main = require(process.env.LATER_COV ? './later-cov' : './later');\n" +
        "exports.pick = (n) => require(n === 1 ? './one' : n === 2 ? `./two` : './later').name;\nexports.main = main.name;",
      "node_modules/later/later.js": "exports.name = 'later';",
      "node_modules/later/one.js": "exports.name = 'one';",
      "node_modules/later/two.js": "exports.name = 'two';",
      // A branch that cannot run is left out (as a context's file), not the load's end.
      "node_modules/later/bad.js": "with ({}) {}",
      "node_modules/later/other.js": "exports.pick = (ok) => { try { return require(ok ? './one' : './bad').name; } catch (e) { return e.code; } };",
      "a.js": "const later = require('later'), other = require('later/other.js');\nexports.f = () => [later.main, later.pick(1), later.pick(2), later.pick(3), other.pick(true), other.pick(false)];",
    });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual(["later", "one", "two", "later", "one", "MODULE_NOT_FOUND"]);
  });

  it("a library's require of literals joined by + or in a template finds what they name (rollup's require('u' + 'rl') for import.meta.url, pdfkit): built-ins and files", async () => {
    const folder = makeTenant({
      "node_modules/rolled/package.json": JSON.stringify({ name: "rolled", main: "index.js" }),
      "node_modules/rolled/index.js":
        "exports.href = require('u' + 'rl').pathToFileURL(__filename).href;\n" +
        "exports.own = require(`./o${'w'}n` + '.js').name;\n" +
        "exports.bad = () => { try { return require('./b' + 'ad'); } catch (e) { return e.code; } };",
      "node_modules/rolled/own.js": "exports.name = 'own';",
      // A joined name that cannot run is left out (as a branch), not the load's end.
      "node_modules/rolled/bad.js": "with ({}) {}",
      "a.js": "const r = require('rolled');\nexports.f = () => [r.href, r.own, r.bad()];",
    });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual(["file:///node_modules/rolled/index.js", "own", "MODULE_NOT_FOUND"]);
  });

  it("a package missing from node_modules is MODULE_NOT_FOUND", async () => {
    const folder = makeTenant({ "a.js": "const x = require('not-installed-pkg');\nexports.f = () => x;" });
    await expectCode(runtime, { folder, file: "a.js", funcName: "f" }, "MODULE_NOT_FOUND");
  });

  it("tenant-bundled packages are validated with the library profile: eval loads, and throws EvalError when it runs", async () => {
    const folder = makeTenant({
      ...libraryPackage("evil", "exports.x = () => eval('1 + 1');"),
      "a.js": "const evil = require('evil');\nexports.f = () => evil.x();",
    });
    const error = await expectCode(runtime, { folder, file: "a.js", funcName: "f" }, "RUNTIME_ERROR");
    expect(error.message).toMatch(/^Code generation from strings disallowed/);
  });

  it("the library profile still refuses with, module-level arguments and .caller", async () => {
    for (const source of ["with ({}) {}", "exports.a = arguments;", "exports.p = function f() { return f.caller; };"]) {
      const folder = makeTenant({
        "node_modules/lib/index.js": source,
        "a.js": "const lib = require('lib');\nexports.f = () => typeof lib;",
      });
      await expectCode(runtime, { folder, file: "a.js", funcName: "f" }, "VALIDATION_ERROR");
    }
  });

  it("a bare specifier never falls back to the host's node_modules", async () => {
    // acorn is installed in the host project's node_modules; the tenant folder has none.
    const folder = makeTenant({ "a.js": "const acorn = require('acorn');\nexports.f = () => typeof acorn.parse;" });
    await expectCode(runtime, { folder, file: "a.js", funcName: "f" }, "MODULE_NOT_FOUND");
  });
});

describe("Node built-ins are not available", () => {
  for (const spec of ["fs", "node:fs", "child_process", "node:child_process", "fs/promises", "worker_threads", "vm"]) {
    it(`require('${spec}') is MODULE_NOT_FOUND saying it is a built-in`, async () => {
      const folder = makeTenant({ "a.js": `const m = require(${JSON.stringify(spec)});\nexports.f = () => typeof m;` });
      const error = await expectCode(runtime, { folder, file: "a.js", funcName: "f" }, "MODULE_NOT_FOUND");
      expect(error.message).toMatch(/built-in/i);
    });
  }

  it("import fs from 'node:fs' in ESM is MODULE_NOT_FOUND saying it is a built-in", async () => {
    const folder = makeTenant({ "a.mjs": "import fs from 'node:fs';\nexport function f() { return typeof fs; }" });
    const error = await expectCode(runtime, { folder, file: "a.mjs", funcName: "f" }, "MODULE_NOT_FOUND");
    expect(error.message).toMatch(/built-in/i);
  });

  it("a require of a built-in inside a function fails only when called, and can be caught", async () => {
    const folder = makeTenant({
      "a.js": "exports.f = () => { try { require('child_process'); return 'loaded'; } catch (e) { return e.code + ':' + /built-in/i.test(e.message); } };",
    });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toBe("MODULE_NOT_FOUND:true");
  });
});

describe("missing files and exports", () => {
  it("a missing entry file is MODULE_NOT_FOUND", async () => {
    const folder = makeTenant({ "a.js": "exports.f = () => 1;" });
    await expectCode(runtime, { folder, file: "nope.js", funcName: "f" }, "MODULE_NOT_FOUND");
  });

  it("a missing relative dependency is MODULE_NOT_FOUND", async () => {
    const folder = makeTenant({ "a.js": "const m = require('./missing.js');\nexports.f = () => m;" });
    await expectCode(runtime, { folder, file: "a.js", funcName: "f" }, "MODULE_NOT_FOUND");
  });

  it("a missing folder is MODULE_NOT_FOUND (or INVALID_REQUEST)", async () => {
    const folder = path.join(os.tmpdir(), "tenantbox-does-not-exist-" + process.pid);
    const error = await runError(runtime, { folder, file: "a.js", funcName: "f" });
    expect(["MODULE_NOT_FOUND", "INVALID_REQUEST"]).toContain(error.code);
  });

  it("a directory as the entry file is MODULE_NOT_FOUND (or INVALID_REQUEST)", async () => {
    const folder = makeTenant({ "dir/a.js": "exports.f = () => 1;" });
    const error = await runError(runtime, { folder, file: "dir", funcName: "f" });
    expect(["MODULE_NOT_FOUND", "INVALID_REQUEST"]).toContain(error.code);
  });

  it("a missing export is FUNCTION_NOT_FOUND naming it", async () => {
    const folder = makeTenant({ "a.js": "exports.present = () => 1;", "b.mjs": "export const present = () => 1;" });
    const e1 = await expectCode(runtime, { folder, file: "a.js", funcName: "absent" }, "FUNCTION_NOT_FOUND");
    expect(e1.message).toContain("absent");
    // Documented: details.exports lists the functions the module does export.
    expect(e1.details?.exports).toEqual(["present"]);
    const e2 = await expectCode(runtime, { folder, file: "b.mjs", funcName: "absent" }, "FUNCTION_NOT_FOUND");
    expect(e2.message).toContain("absent");
  });

  it("an export that is not a function is FUNCTION_NOT_FOUND", async () => {
    const folder = makeTenant({ "a.js": "exports.value = 42;", "b.mjs": "export const value = 42; export default { x: 1 };" });
    await expectCode(runtime, { folder, file: "a.js", funcName: "value" }, "FUNCTION_NOT_FOUND");
    await expectCode(runtime, { folder, file: "b.mjs", funcName: "value" }, "FUNCTION_NOT_FOUND");
    await expectCode(runtime, { folder, file: "b.mjs", funcName: "default" }, "FUNCTION_NOT_FOUND");
  });

  it('funcName "default" on CommonJS exports without a default function is FUNCTION_NOT_FOUND', async () => {
    const folder = makeTenant({ "a.js": "exports.f = () => 1;" });
    await expectCode(runtime, { folder, file: "a.js", funcName: "default" }, "FUNCTION_NOT_FOUND");
  });

  it("inherited names (toString, constructor, hasOwnProperty, call, bind) are not exports", async () => {
    const folder = makeTenant({
      "obj.js": "exports.f = () => 1;",
      "fn.js": "module.exports = function () { return 1; };",
      "esm.mjs": "export const f = () => 1;",
    });
    for (const funcName of ["toString", "constructor", "hasOwnProperty", "__proto__", "valueOf"]) {
      await expectCode(runtime, { folder, file: "obj.js", funcName }, "FUNCTION_NOT_FOUND");
      await expectCode(runtime, { folder, file: "esm.mjs", funcName }, "FUNCTION_NOT_FOUND");
    }
    for (const funcName of ["call", "apply", "bind", "constructor", "toString"]) {
      await expectCode(runtime, { folder, file: "fn.js", funcName }, "FUNCTION_NOT_FOUND");
    }
  });
});

describe("freshness and isolation between invocations", () => {
  it("a changed file is picked up by the next run (same size, no waiting)", async () => {
    const folder = makeTenant({ "v.js": "exports.version = () => 'v1';" });
    const file = path.join(folder, "v.js");
    await expect(runtime.run({ folder, file: "v.js", funcName: "version" })).resolves.toBe("v1");
    for (const v of ["v2", "v3", "v4"]) {
      fs.writeFileSync(file, `exports.version = () => '${v}';`);
      await expect(runtime.run({ folder, file: "v.js", funcName: "version" })).resolves.toBe(v);
    }
  });

  it("a changed dependency is picked up by the next run", async () => {
    const folder = makeTenant({
      "main.mjs": "import { rate } from './cfg.mjs';\nexport function f(x) { return x * rate; }",
      "cfg.mjs": "export const rate = 2;",
    });
    await expect(runtime.run({ folder, file: "main.mjs", funcName: "f", args: [10] })).resolves.toBe(20);
    writeFiles(folder, { "cfg.mjs": "export const rate = 3;" });
    await expect(runtime.run({ folder, file: "main.mjs", funcName: "f", args: [10] })).resolves.toBe(30);
  });

  it("a file that becomes invalid keeps its last good version serving, and the fix serves once it lands", async () => {
    const folder = makeTenant({ "a.js": "exports.f = () => 'ok';" });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toBe("ok");
    writeFiles(folder, { "a.js": "exports.f = () => eval('1');" });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toBe("ok");
    writeFiles(folder, { "a.js": "exports.f = () => 'ok again';" });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toBe("ok again");
  });

  it("a deleted file is MODULE_NOT_FOUND on the next run", async () => {
    const folder = makeTenant({ "a.js": "exports.f = () => 'ok';" });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toBe("ok");
    fs.rmSync(path.join(folder, "a.js"));
    await expectCode(runtime, { folder, file: "a.js", funcName: "f" }, "MODULE_NOT_FOUND");
  });

  it("module-level state is fresh per call (CommonJS and ESM)", async () => {
    const folder = makeTenant({
      "c.js": "let count = 0;\nexports.inc = () => ++count;",
      "e.mjs": "let count = 0;\nexport function inc() { return ++count; }",
      "dep-user.js": "const dep = require('./dep.js');\nexports.inc = () => dep.inc();",
      "dep.js": "let count = 0;\nexports.inc = () => ++count;",
      // Strict wrappers are made once per realm and called again (invocation.ts wrapperIn): still a fresh
      // instance, with fresh functions, every call.
      "s.js": '"use strict";\nlet count = 0;\nexports.inc = function inc() { inc.calls = (inc.calls || 0) + 1; return ++count + inc.calls - 1; };',
    });
    const calls = [];
    for (let i = 0; i < 6; i++) {
      calls.push(runtime.run({ folder, file: "c.js", funcName: "inc" }));
      calls.push(runtime.run({ folder, file: "e.mjs", funcName: "inc" }));
      calls.push(runtime.run({ folder, file: "dep-user.js", funcName: "inc" }));
      calls.push(runtime.run({ folder, file: "s.js", funcName: "inc" }));
    }
    expect(await Promise.all(calls)).toEqual(new Array(24).fill(1));
    // And sequentially, so the same worker is certainly reused.
    for (let i = 0; i < 4; i++) {
      for (const file of ["c.js", "e.mjs", "s.js"]) await expect(runtime.run({ folder, file, funcName: "inc" })).resolves.toBe(1);
    }
  });

  it("globalThis writes in one call are invisible to the next call and to another tenant", async () => {
    const writer = makeTenant({
      "w.js": "exports.write = () => { globalThis.leak = 'secret'; globalThis.counter = (globalThis.counter || 0) + 1; return globalThis.counter; };",
    });
    const reader = makeTenant({ "r.js": "exports.read = () => [typeof globalThis.leak, typeof globalThis.counter];" });
    for (let i = 0; i < 4; i++) {
      await expect(runtime.run({ folder: writer, file: "w.js", funcName: "write" })).resolves.toBe(1);
      await expect(runtime.run({ folder: reader, file: "r.js", funcName: "read" })).resolves.toEqual(["undefined", "undefined"]);
      await expect(runtime.run({ folder: writer, file: "w.js", funcName: "write" })).resolves.toBe(1);
    }
  });

  it("built-in prototype changes in one call are invisible to the next call and to another tenant", async () => {
    // The write may throw (frozen intrinsics) or succeed in this call's realm; either way it must not persist.
    const READ =
      "exports.read = async () => [String(({}).polluted), [1].includes(2), ' x '.trim(), JSON.stringify([1]), await Promise.resolve(7)];";
    const writer = makeTenant({
      "w.js": [
        "exports.pollute = () => {",
        "  const outcomes = [];",
        "  const attempt = (label, fn) => { try { fn(); outcomes.push(label + ':ok'); } catch (e) { outcomes.push(label + ':' + (e instanceof TypeError ? 'TypeError' : 'other')); } };",
        "  attempt('obj', () => { Object.prototype.polluted = 'yes'; });",
        "  attempt('arr', () => { Array.prototype.includes = () => true; });",
        "  attempt('str', () => { String.prototype.trim = function () { return 'hacked'; }; });",
        "  attempt('json', () => { JSON.stringify = () => '\"hacked\"'; });",
        "  attempt('promise', () => { Promise.prototype.then = function () { return 'hacked'; }; });",
        "  return outcomes;",
        "};",
      ].join("\n"),
      "w2.js": READ,
    });
    const reader = makeTenant({ "r.js": READ });
    const clean = ["undefined", false, "x", "[1]", 7];
    for (let i = 0; i < 3; i++) {
      const outcomes = (await runtime.run({ folder: writer, file: "w.js", funcName: "pollute" })) as string[];
      expect(outcomes).toHaveLength(5);
      for (const o of outcomes) expect(o).toMatch(/:(ok|TypeError)$/);
      // Another tenant, then the same tenant's next call.
      await expect(runtime.run({ folder: reader, file: "r.js", funcName: "read" })).resolves.toEqual(clean);
      await expect(runtime.run({ folder: writer, file: "w2.js", funcName: "read" })).resolves.toEqual(clean);
    }
    // The host is untouched too.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect([1].includes(2)).toBe(false);
  });
});

describe("syntax errors", () => {
  it("a syntax error is VALIDATION_ERROR with the issue's line and column", async () => {
    const folder = makeTenant({ "bad.js": "exports.f = () => {\n  return 1 +;\n};\n" });
    const error = await expectCode(runtime, { folder, file: "bad.js", funcName: "f" }, "VALIDATION_ERROR");
    const issues = error.details?.issues as { rule: string; location: { line: number; column: number } }[];
    expect(Array.isArray(issues)).toBe(true);
    expect(issues[0]!.rule).toBe("syntax");
    // 1-based line and column, as editors count; the stray ";" is at column 13 of line 2.
    expect(issues[0]!.location).toEqual({ line: 2, column: 13 });
  });

  it("a syntax error on line 1 of a CommonJS file has the right column (no wrapper offset)", async () => {
    const folder = makeTenant({ "bad.js": "exports.f = ;" });
    const error = await expectCode(runtime, { folder, file: "bad.js", funcName: "f" }, "VALIDATION_ERROR");
    const issues = error.details?.issues as { rule: string; location: { line: number; column: number } }[];
    expect(issues[0]!.rule).toBe("syntax");
    expect(issues[0]!.location).toEqual({ line: 1, column: 13 });
  });

  it("a syntax error in an ES module has the right line and column", async () => {
    const folder = makeTenant({ "bad.mjs": "export function f() {\n  const x = ;\n}\n" });
    const error = await expectCode(runtime, { folder, file: "bad.mjs", funcName: "f" }, "VALIDATION_ERROR");
    const issues = error.details?.issues as { rule: string; location: { line: number; column: number } }[];
    expect(issues[0]!.rule).toBe("syntax");
    expect(issues[0]!.location).toEqual({ line: 2, column: 13 });
  });

  it("a syntax error in a dependency names that file", async () => {
    const folder = makeTenant({ "main.js": "const d = require('./lib/dep.js');\nexports.f = () => d;", "lib/dep.js": "\n\nlet = = 1;" });
    const error = await expectCode(runtime, { folder, file: "main.js", funcName: "f" }, "VALIDATION_ERROR");
    expect(error.details?.file ?? error.message).toContain("lib/dep.js");
    const issues = error.details?.issues as { location: { line: number } }[];
    expect(issues[0]!.location.line).toBe(3);
  });

  it("execute() reports a syntax error without rejecting", async () => {
    const folder = makeTenant({ "bad.js": "function (" });
    const report = await runtime.execute({ folder, file: "bad.js", funcName: "f" });
    expect(report.success).toBe(false);
    expect(report.error?.code).toBe("VALIDATION_ERROR");
    expect(Array.isArray(report.logs)).toBe(true);
  });
});

it("RuntimeError is an Error with code and message", async () => {
  const folder = makeTenant({ "a.js": "exports.f = () => 1;" });
  const error = await runError(runtime, { folder, file: "a.js", funcName: "missing" });
  expect(error).toBeInstanceOf(Error);
  expect(error).toBeInstanceOf(RuntimeError);
  expect(typeof error.message).toBe("string");
  expect(error.message.length).toBeGreaterThan(0);
});

it("context is an empty object when the caller passes none (the README's context.userId reads undefined)", async () => {
  const runtime = makeRuntime({ maxThreads: 1 });
  try {
    const folder = makeTenant({ "a.js": "exports.f = () => ({ type: typeof context, user: context.userId === undefined, keys: Object.keys(context) });" });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual({ type: "object", user: true, keys: [] });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f", context: { userId: "u1" } })).resolves.toEqual({ type: "object", user: false, keys: ["userId"] });
  } finally {
    await runtime.close();
  }
});
