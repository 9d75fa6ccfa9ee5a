import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { meriyahParser } from "../src/loader/meriyah-parser.js";
import { installFastParser, parseModule, ParseFailure, type ParsedModule } from "../src/loader/parse.js";

/**
 * The loader threads parse with meriyah (meriyah-parser.ts) and fall back to acorn whenever it refuses a
 * text. The rules, the transform and the export reader were written against acorn's trees, so meriyah must
 * make the very same trees: this suite parses real library code and hand-picked corner cases both ways.
 */

type Outcome = { format: ParsedModule["format"]; sloppy: boolean; ast: unknown } | { failure: unknown };

function parseWith(fast: boolean, code: string, extension: string, library: boolean): Outcome {
  installFastParser(fast ? meriyahParser : undefined);
  try {
    const parsed = parseModule(code, extension, library);
    return { format: parsed.format, sloppy: parsed.sloppy === true, ast: parsed.ast };
  } catch (error) {
    if (error instanceof ParseFailure) return { failure: error.issue };
    throw error;
  }
}

/**
 * The tree as plain data, without the two fields acorn adds and meriyah leaves out, both constant: a
 * non-arrow function's `expression: false` and an arrow's `id: null` (nothing reads either).
 */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== "object" || value instanceof RegExp) return typeof value === "bigint" ? `${value}n` : value;
  const node = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(node).sort()) {
    if (key === "expression" && node[key] === false && (node.type === "FunctionExpression" || node.type === "FunctionDeclaration")) continue;
    if (key === "id" && node[key] === null && node.type === "ArrowFunctionExpression") continue;
    out[key] = plain(node[key]);
  }
  return out;
}

function expectSameTrees(code: string, extension: string, library = false): void {
  const fast = parseWith(true, code, extension, library);
  const slow = parseWith(false, code, extension, library);
  if ("ast" in fast && "ast" in slow) expect({ ...fast, ast: plain(fast.ast) }).toEqual({ ...slow, ast: plain(slow.ast) });
  else expect(fast).toEqual(slow);
}

function filesUnder(dir: string, into: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(full, into);
    else if (/\.(?:c|m)?js$/.test(entry.name) && fs.statSync(full).size < 512 * 1024) into.push(full);
  }
  return into;
}

const root = path.resolve(__dirname, "..");
// Library code the loader really parses (the realm's built-in bundles, from npm polyfills), npm packages
// in several styles (CommonJS, ESM, generated, hand-written), and the examples.
const corpus = [
  path.join(root, "dist/builtins"),
  path.join(root, "examples/modules"),
  path.join(root, "test/compat/tenant/checks"),
  ...["fastify/lib", "ajv/dist/compile", "pako/lib", "readable-stream/lib", "@noble/hashes/esm", "magic-string/dist", "acorn/dist", "chokidar", "jose/dist/webapi/jws"].map((p) =>
    path.join(root, "node_modules", p),
  ),
].filter((dir) => fs.existsSync(dir));

afterEach(() => installFastParser(undefined));

describe("meriyah and acorn read the same programs", () => {
  it("library and example code: the same trees, file by file", () => {
    const files = corpus.flatMap((dir) => filesUnder(dir));
    expect(files.length).toBeGreaterThan(150);
    for (const file of files) {
      const code = fs.readFileSync(file, "utf8");
      const library = file.includes("node_modules") || file.includes("builtins");
      try {
        expectSameTrees(code, path.extname(file), library);
      } catch (error) {
        throw new Error(`${path.relative(root, file)}: ${(error as Error).message.slice(0, 2000)}`);
      }
    }
  });

  const corners: Array<[string, string]> = [
    // HTML-like comments: comments in the script grammar, operators in a module's.
    [".cjs", "x = 1 <!-- y\n"],
    [".cjs", "x = 1;\n--> comment\ny = 2"],
    [".cjs", "/* a\n*/ --> c\nz"],
    [".cjs", "x /*\n*/ --> y"],
    [".mjs", "let a = 1, b = 2; a <!--b;\nexport { a };"],
    [".mjs", "let a = 1, b = 2;\na-->b;\nexport { a };"],
    // Sloppy library code and Annex B.
    [".cjs", "if (a) function f(){}\nlabel: function g(){}\nwith (o) { x }\n'\\07'; delete x; var let = 1;"],
    // Regular expression or division, ASI.
    [".cjs", "x = y / 2 / 1; z = {} / 1 / g\nif (a) /re/.test(b)\na\n++b\nq = r\n(s)\nx\n/foo/g.exec(y)"],
    [".cjs", "a = b ? .5 : c; a ||= b; c &&= d; e ??= f; x = a++ / 2; y = `${b}${`${c}`}`; t = tag`a${b}c`"],
    [".cjs", "class A { static { this.x = 1 } #p = 1; static #q() {} get [k]() {} m() { return #p in this } }"],
    [".cjs", "({ get [a]() {}, set b(v) {}, async *c() {}, __proto__: null, 'd': 1, 2: 3 }); var \\u{1d4d0} = 1; 1_000n + 0x1_0 + 0o7 + .1e-2"],
    [".cjs", "async function f() { for await (const x of y) {} await using r = s; } function* g() { yield* h(); }"],
    [".cjs", "/(?<a>x)|(?<a>y)/; /[\\p{L}--\\p{N}]/v; /a/dgimsuy; /[/]/"],
    [".cjs", "return; 'use strict'"],
    [".mjs", "import x, { y as z, 'w' as v } from 'm'; import * as ns from 'n' with { type: 'json' }; export * as q from 'p'; export default class {}; await import.meta.resolve('x');"],
    [".js", "// import and export are words here only\nmodule.exports = function () { return 1 };"],
    [".js", "import fs from 'fs';\nexport const a = fs;"],
    // Syntax errors: acorn's messages and positions either way.
    [".cjs", "let x = ;"],
    [".mjs", "export default 1;\nexport default 2;"],
    [".js", "import x from 'y';\nreturn x;"],
    [".js", "// export\nfunction (a) {}"],
    [".cjs", "'use strict'; with (a) {}"],
    [".cjs", "a ?? b || c"],
    [".cjs", "@dec class A {}"],
    [".cjs", "x = <div/>"],
  ];
  it.each(corners)("%s %j", (extension, code) => {
    expectSameTrees(code, extension);
    expectSameTrees(code, extension, true);
  });

  it("a text the fast parser refuses is parsed by acorn", () => {
    installFastParser(() => {
      throw new Error("refused");
    });
    const parsed = parseModule("export const a = 1;", ".js");
    expect(parsed.format).toBe("esm");
    expect(parsed.ast.body[0]!.type).toBe("ExportNamedDeclaration");
  });
});
