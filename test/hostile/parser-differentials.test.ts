import { afterAll, describe, expect, it } from "vitest";
import { cleanupTenants, makeRuntime, makeTenant } from "../helpers.js";

/*
 * Red-team round on the meriyah fast path (loader threads parse with meriyah, acorn when meriyah refused).
 * Acorn misreads a division as a regular expression after an anonymous `async function () {}` expression and
 * after a keyword behind `?.` (`a?.typeof`); the engine and meriyah read a division and code. Code there ran
 * unseen by the rules and without loop guards: `__tenantbox_b.l = 1e15` switches off maxIterations and the
 * cooperative timeout. Before meriyah every module could do it; with meriyah's fast path a module only had to
 * hold one valid construct meriyah wrongly refuses (`` this`\u` ``) to be read by acorn again; generated code
 * (library `new Function`) is parsed by acorn alone in the sandbox process. Each case here ran 5,000,000
 * iterations past a maxIterations of 10,000 before the fix.
 */
const hide = "let g = 1, y;\nconst x = async function () {}\n/ 1; __tenantbox_b.l = 1e15; y = g /\ng;\n";
const hideOptional = "const a = {}; let g = 1, y;\nconst x = a?.typeof\n/ 1; __tenantbox_b.l = 1e15; y = g /\ng;\n";
const count = "exports.count = function (n) { let i = 0; while (i < n) i++; return i; };\n";

/** A library under node_modules whose `new Function` text holds `hiding` in a block, and the tenant file that calls it. */
function generated(name: string, hiding: string): Record<string, string> {
  const body = `let i = 0, g = 1, y, a = {};\n{ ${hiding}\n/ 1; __tenantbox_b.l = 1e15; y = g /\ng; }\nwhile (i < n) i++; return i;`;
  return {
    [`node_modules/${name}/package.json`]: JSON.stringify({ name, main: "index.js" }),
    [`node_modules/${name}/index.js`]: `module.exports = (n) => new Function("n", ${JSON.stringify(body)})(n);\n`,
    [`${name}.cjs`]: `const gen = require("${name}"); exports.count = (n) => gen(n);\n`,
  };
}

afterAll(() => cleanupTenants());

describe("regular expression or division: the validator reads what the engine runs", () => {
  const runtime = makeRuntime({ maxIterations: 10_000 });
  afterAll(async () => {
    await runtime.close();
  });
  const folder = makeTenant({
    "plain.cjs": hide + count,
    "optional.mjs": hideOptional.replace("const a", "export const a") + "export function count(n) { let i = 0; while (i < n) i++; return i; }\n",
    "forced.cjs": "function never() { this`\\u` }\n" + hide + count,
    "forced-optional.js": "function never() { [] `\\u` }\n" + hideOptional + count,
    "node_modules/gen/package.json": '{"name":"gen","main":"index.js"}',
    "node_modules/gen/index.js":
      "module.exports = (n) => new Function('n', 'let i = 0, g = 1, y; const x = async function () {}\\n/ 1; __tenantbox_b.l = 1e15; y = g /\\ng; while (i < n) i++; return i;')(n);\n",
    "gen.cjs": "const gen = require('gen'); exports.count = (n) => gen(n);\n",
    // Generated code (acorn alone): `function`/`class` behind `?.` (the context acorn pops for them was never
    // pushed), and a function or class expression behind a conditional's `:` (acorn took it for a label's).
    ...generated("gen-optional-function", "const x = (a?.function)"),
    ...generated("gen-optional-class", "const x = (a?.class)"),
    ...generated("gen-conditional", "const x = g ? g : function () {}"),
    ...generated("gen-conditional-class", "const x = g ? g : class {}"),
    // ... and a variable named `of` behind a name (acorn took it for a for-of head's `of`).
    ...generated("gen-of", "const of = 2, x = a\nof"),
  });
  it.each(["plain.cjs", "optional.mjs", "forced.cjs", "forced-optional.js", "gen.cjs", "gen-optional-function.cjs", "gen-optional-class.cjs", "gen-conditional.cjs", "gen-conditional-class.cjs", "gen-of.cjs"])("%s is refused, never run past its guards", async (file) => {
    let outcome: unknown;
    try {
      outcome = await runtime.run({ folder, file, funcName: "count", args: [5_000_000] });
    } catch (error) {
      const { code, message, details } = error as { code?: string; message?: string; details?: unknown };
      outcome = `${code}: ${message} ${JSON.stringify(details ?? null)}`;
    }
    // Refused for the very code it hid (a module's validation, or the library's generated code), or, for
    // the files meriyah refuses, for that construct; not for anything else a typo in a case could throw.
    if (file.startsWith("forced")) expect(outcome).toMatch(/^VALIDATION_ERROR: .*1:2\d syntax: Invalid hexadecimal escape sequence/);
    else expect(outcome).toMatch(/^(VALIDATION_ERROR|RUNTIME_ERROR): .*__tenantbox_b/s);
  });

  // Generated code is read by meriyah in the sandbox too (runner/embedded-meriyah.ts), as tenant files are on
  // the loader threads: a construct only meriyah refuses (acorn and the engine accept it) is refused there.
  it("generated code is parsed by meriyah in the sandbox: what meriyah alone refuses is refused there as well", async () => {
    const gen = makeTenant({
      "node_modules/tpl/package.json": '{"name":"tpl","main":"index.js"}',
      "node_modules/tpl/index.js": "module.exports = (text) => new Function(text)();\n",
      "t.cjs": "const tpl = require('tpl'); exports.f = (text) => tpl(text);\n",
    });
    expect(await runtime.run({ folder: gen, file: "t.cjs", funcName: "f", args: ["return 40 + 2"] })).toBe(42);
    await expect(runtime.run({ folder: gen, file: "t.cjs", funcName: "f", args: ["function never() { this`\\u` }\nreturn 1"] })).rejects.toMatchObject({
      code: "RUNTIME_ERROR",
      message: expect.stringMatching(/Invalid hexadecimal escape sequence/),
    });
  });
});

/*
 * Red team on the transform: `export default <expression>` became `const __tenantbox_default =` by
 * searching the text for the word `default` from the export's start; a comment between the two keywords
 * that held the word was cut there, and the rest of the comment ran as code no rule saw and no guard counted
 * (`export /*default/x/; code; var z = 1*\/ default 1/g`: the engine read a regular expression, the code, and
 * `1 * / default 1/g`). The hidden code took the wrapper's `arguments` (the guards' budget) and switched the
 * guards off: 5,000,000 iterations past a maxIterations of 10,000. The same search found an anonymous
 * default function's `(` and a static block's `{` inside comments.
 */
describe("the transform finds keywords as tokens, never inside comments", () => {
  const runtime = makeRuntime({ maxIterations: 10_000 });
  afterAll(async () => {
    await runtime.close();
  });
  const countFn = "export function count(n) { let i = 0; while (i < n) i++; return i; }\n";
  const folder = makeTenant({
    "hidden.mjs": "export /*default/x/;arguments[2].l=1e15;arguments[2].n=1e15;var zz=1*/ default 1/g;\n" + countFn,
    "hidden-loop.mjs": "export /*default/x/;for(;;){}var zz=1*/ default 1/g;\n" + countFn,
    "comments.mjs":
      "export default /* ( */ async /* ( */ function /* ( */ * /* ( */ () { yield 1; }\n" +
      "export function f(n) { class A { static /* { */ { this.x = 1 } } return A.x + n; }\n",
    "html.cjs": "exports.f = function (n) { class A { static <!-- {\n {this.x = 1 } } return A.x + n; }\n",
  });
  it.each(["hidden.mjs", "hidden-loop.mjs"])("%s: the comment stays a comment", async (file) => {
    const started = Date.now();
    // The default export is `1 / g`, evaluated when the module loads: g is not defined.
    await expect(runtime.run({ folder, file, funcName: "count", args: [5_000_000] })).rejects.toMatchObject({
      code: "RUNTIME_ERROR",
      message: expect.stringMatching(/g is not defined/),
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
  it("comments holding ( and { beside an anonymous default function and a static block", async () => {
    expect(await runtime.run({ folder, file: "comments.mjs", funcName: "f", args: [1] })).toBe(2);
    expect(await runtime.run({ folder, file: "html.cjs", funcName: "f", args: [1] })).toBe(2);
  });
});

/*
 * Red team on the ESM rewrite: an import or export declaration that goes (`import ... ;`, `export { a };`,
 * `export * from ...;`, `export { y } from ...;`) was replaced by its newlines alone, semicolon included. The
 * statement before it, ended by ASI in the module (`let a = 1, g = 1` newline `import`), then ran on into the
 * line after it: `/ 1; code; a = a /g` was a regular expression in the module the rules saw, a division and
 * code in the wrapper the engine ran. The hidden code took the wrapper's `arguments` (the guards' budget) and
 * switched the guards off: 5,000,000 iterations past a maxIterations of 10,000.
 */
describe("a removed import or export declaration still ends the statement before it", () => {
  const runtime = makeRuntime({ maxIterations: 10_000 });
  afterAll(async () => {
    await runtime.close();
  });
  const hidden = "/ 1; arguments[2].l = 1e15; arguments[2].n = 1e15; a = a /g\n";
  const countFn = "export function count(n) { let i = 0; while (i < n) i++; return i; }\n";
  const folder = makeTenant({
    "y.mjs": "export const y = 1;\n",
    "import.mjs": "let a = 1, g = 1\nimport { y } from './y.mjs';\n" + hidden + countFn,
    "export.mjs": "let a = 1, g = 1\nexport { a };\n" + hidden + countFn,
    "star.mjs": "let a = 1, g = 1\nexport * from './y.mjs';\n" + hidden + countFn,
    "from.mjs": "let a = 1, g = 1\nexport { y } from './y.mjs';\n" + hidden + countFn,
    "star-as.mjs": "let a = 1, g = 1\nexport * as ns from './y.mjs';\n" + hidden + countFn,
  });
  it.each(["import.mjs", "export.mjs", "star.mjs", "from.mjs", "star-as.mjs"])("%s: the line after stays a regular expression", async (file) => {
    let outcome: unknown;
    try {
      outcome = await runtime.run({ folder, file, funcName: "count", args: [5_000_000] });
    } catch (error) {
      const { code, message } = error as { code?: string; message?: string };
      outcome = `${code}: ${message}`;
    }
    expect(outcome).toMatch(/^MAX_ITERATIONS/);
  });
});
