import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { meriyahParser } from "../src/loader/meriyah-parser.js";
import { installFastParser, parseModule, ParseFailure, type ParsedModule } from "../src/loader/parse.js";
import { CORNER_CASES, corpusFiles, CORPUS_ROOT } from "./js-corpus.js";

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

  it("a text the fast parser refuses is parsed by acorn", () => {
    installFastParser(() => {
      throw new Error("refused");
    });
    const parsed = parseModule("export const a = 1;", ".js");
    expect(parsed.format).toBe("esm");
    expect(parsed.ast.body[0]!.type).toBe("ExportNamedDeclaration");
  });
});
