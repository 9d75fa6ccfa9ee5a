import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse as meriyahParse } from "meriyah";
import { meriyahParserOf } from "../src/loader/meriyah-parser.js";
import { installFastParser, parseModule, ParseFailure, type ParsedModule } from "../src/loader/parse.js";
import { CORNER_CASES, corpusFiles, CORPUS_ROOT } from "./js-corpus.js";

const meriyahParser = meriyahParserOf(meriyahParse);

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

afterEach(() => installFastParser(undefined));

describe("meriyah and acorn read the same programs", () => {
  it("library and example code: the same trees, file by file", () => {
    const files = corpusFiles();
    expect(files.length).toBeGreaterThan(150);
    for (const file of files) {
      const code = fs.readFileSync(file, "utf8");
      const library = file.includes("node_modules") || file.includes("builtins");
      try {
        expectSameTrees(code, path.extname(file), library);
      } catch (error) {
        throw new Error(`${path.relative(CORPUS_ROOT, file)}: ${(error as Error).message.slice(0, 2000)}`);
      }
    }
  });

  it.each(CORNER_CASES)("%s %j", (extension, code) => {
    expectSameTrees(code, extension);
    expectSameTrees(code, extension, true);
  });

  it("a text the fast parser refuses is refused, in acorn's words when acorn refuses it too", () => {
    installFastParser(() => {
      throw new Error("refused");
    });
    expect(() => parseModule("export const a = 1;", ".js")).toThrow(ParseFailure);
    expect(() => parseModule("module.exports = 1;", ".cjs")).toThrow(ParseFailure);
    try {
      parseModule("let x = ;", ".cjs");
      expect.unreachable();
    } catch (error) {
      expect((error as ParseFailure).issue.message).toBe("Unexpected token");
      expect((error as ParseFailure).issue.location).toEqual({ line: 1, column: 9 });
    }
  });

  it("a refused text past 256 KB gets meriyah's words: acorn's scope checks are quadratic in a module's declarations", () => {
    installFastParser(meriyahParser);
    // 48,000 top-level functions and a syntax error at the end (about 930 KB): acorn took 5 s to word it.
    const code = Array.from({ length: 48_000 }, (_, i) => `function f${i}() {}`).join("\n") + "\nlet x = ;\n";
    const started = performance.now();
    const refused = parseWith(true, code, ".mjs", false) as { failure: { message: string; location: unknown } };
    expect(performance.now() - started).toBeLessThan(2_500);
    // Meriyah's message names the token (acorn's says "Unexpected token" alone), at the same place.
    expect(refused.failure).toMatchObject({ message: expect.stringMatching(/^Unexpected token: ';'$/), location: { line: 48_001, column: 9 } });
  });
});

/** Whether a tree has an identifier of that name anywhere. */
function names(value: unknown, name: string): boolean {
  if (Array.isArray(value)) return value.some((v) => names(v, name));
  if (value === null || typeof value !== "object") return false;
  const node = value as Record<string, unknown>;
  if (node.type === "Identifier" && node.name === name) return true;
  return Object.values(node).some((v) => names(v, name));
}

/** What the engine runs: the text as a module's function body; true when it calls hidden(). */
function engineCallsHidden(code: string): boolean {
  let called = false;
  const any: unknown = new Proxy(function () {}, { get: (_t, key) => (key === Symbol.toPrimitive ? () => 1 : any), apply: () => any });
  new Function("a", "g", "y", "hidden", `"use strict";\n${code}\n`)(any, 1, undefined, () => (called = true));
  return called;
}

describe("regular expression or division, as the engine reads it", () => {
  // Acorn guessed a regular expression where the engine reads a division (and code): after an anonymous async
  // function expression, and after a keyword named behind `?.`. The rules never saw the code in between.
  const hiding = [
    "x = async function () {}\n/ 1; hidden(); y = g /\ng",
    "x = !async function () {} / 1; hidden(); y = g /g",
    "x = a?.typeof\n/ 1; hidden(); y = g /\ng",
    "x = a?.delete / 1; hidden(); y = g /g",
    "x = a?.in / 1; hidden(); y = g /g",
    "x = a?.of / 1; hidden(); y = g /g",
    "x = a?.b?.void / 1; hidden(); y = g /g",
    "x = a?.\\u0074ypeof / 1; hidden(); y = g /g",
    "x = a?.\ninstanceof\n/ 1; hidden(); y = g /\ng",
    // A function or class expression behind a conditional's `:`, which acorn's tokenizer took for a label's.
    "x = a ? a : function () {}\n/ 1; hidden(); y = g /\ng",
    "x = a ? a : class {}\n/ 1; hidden(); y = g /\ng",
    "x = a ? a : class extends function () {} {}\n/ 1; hidden(); y = g /\ng",
    "switch (1) { case 1: x = a ? a : function* () {}\n/ 1; hidden(); y = g /\ng }",
    // `function`/`class` behind `?.`: acorn pops the context they push; one they did not push was a parent's.
    "{ x = (a?.function)\n/ 1; hidden(); y = g /\ng }",
    "{ x = (a?.class)\n/ 1; hidden(); y = g /\ng }",
    "{ x = (a?.\\u0066unction)\n/ 1; hidden(); y = g /\ng }",
    // A variable named `of` behind a name, which acorn's tokenizer took for a for-of head's `of`.
    "let of = 1; x = a\nof\n/ 1; hidden(); y = g /\ng",
    "let of = 1; x = [a]\nof\n/ 1; hidden(); y = g /\ng",
  ];
  it.each(hiding)("%j: both parsers see the code the engine runs", (text) => {
    const code = `let x;\n${text};\n`;
    expect(engineCallsHidden(code)).toBe(true);
    for (const extension of [".cjs", ".mjs"]) {
      expectSameTrees(code, extension);
      expectSameTrees(code, extension, true);
      const acornOnly = parseWith(false, code, extension, false);
      expect("ast" in acornOnly && names(acornOnly.ast, "hidden")).toBe(true);
    }
  });

  it("a keyword behind `?.` at the top of a program leaves acorn's context stack whole", () => {
    for (const code of ["x = a?.\\u0066unction", "x = a?.function", "x = a?.class / 2"]) {
      const acornOnly = parseWith(false, code, ".cjs", true);
      expect(acornOnly).toHaveProperty("ast");
      expectSameTrees(code, ".cjs", true);
    }
  });

  it("a regular expression stays one where the engine reads one", () => {
    for (const text of [
      "async function f() {}\n/ 1; hidden(); y = g /g",
      "x = a.b\n/ 1; y = g /g",
      "x = function () {}\n/ 1; y = g /g",
      "l: function f() {}\n/ 1; y = g /g",
      "x = a ? () => {} : b\n/ 1; y = g /g",
      "{ function f() {}\n/ 1; y = g /g }",
      "class Q { m() { return a ? b : function () {} } }\n/ 1; y = g /g",
      "for (const q of /re/g.exec(b)) {}",
      "for (of of /re/g.exec(b)) {}",
    ]) {
      expectSameTrees(text, ".cjs");
    }
    const statement = parseWith(false, "async function f() {}\n/ 1; hidden(); y = g /g", ".cjs", false);
    expect("ast" in statement && names(statement.ast, "hidden")).toBe(false);
  });

  // Meriyah wrongly refuses some valid texts (a tagged template with an invalid escape behind `this`, a
  // literal, `[]`): such a construct once handed the rest of the file to acorn, and acorn's misreadings with it.
  it.each(["this`\\u`", "[]`\\u`", "1`\\u`"])("a file with %s (refused by meriyah) is refused, not read by acorn", (tag) => {
    const code = `function never() { ${tag} }\nlet x;\nx = async function () {}\n/ 1; hidden(); y = g /\ng;\n`;
    for (const extension of [".cjs", ".js", ".mjs"]) {
      const fast = parseWith(true, code, extension, false);
      expect(fast).toHaveProperty("failure");
      expect((fast as { failure: { rule: string; location: { line: number } } }).failure).toMatchObject({ rule: "syntax", location: { line: 1 } });
    }
  });
});
