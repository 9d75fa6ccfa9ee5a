import fs from "node:fs";
import path from "node:path";
import * as walk from "acorn-walk";
import type * as acorn from "acorn";
import { describe, expect, it } from "vitest";
import { walkWithAncestors } from "../src/loader/ast-walk.js";
import { parse as meriyahParse } from "meriyah";
import { meriyahParserOf } from "../src/loader/meriyah-parser.js";
import { installFastParser, parseModule, ParseFailure } from "../src/loader/parse.js";
import { CORNER_CASES, corpusFiles, CORPUS_ROOT } from "./js-corpus.js";

const meriyahParser = meriyahParserOf(meriyahParse);

/**
 * The rule walk (ast-walk.ts) must visit what acorn-walk's fullAncestor visits: the same nodes, in the same
 * order, each with the same ancestors. A node it skipped would be a node no rule sees.
 */

type Visit = { node: acorn.AnyNode; ancestors: acorn.AnyNode[] };

function acornWalkVisits(ast: acorn.Program): Visit[] {
  const visits: Visit[] = [];
  walk.fullAncestor(ast, (node, _state, ancestors) => visits.push({ node: node as acorn.AnyNode, ancestors: [...ancestors] as acorn.AnyNode[] }));
  return visits;
}

function ourVisits(ast: acorn.Program): Visit[] {
  const visits: Visit[] = [];
  walkWithAncestors(ast as acorn.AnyNode, (node, ancestors) => visits.push({ node, ancestors: [...ancestors] }));
  return visits;
}

function expectSameVisits(code: string, extension: string, library: boolean): number {
  let ast: acorn.Program;
  try {
    ast = parseModule(code, extension, library).ast;
  } catch (error) {
    if (error instanceof ParseFailure) return 0;
    throw error;
  }
  const theirs = acornWalkVisits(ast);
  const ours = ourVisits(ast);
  expect(ours.length).toBe(theirs.length);
  for (let i = 0; i < ours.length; i++) {
    if (ours[i]!.node !== theirs[i]!.node || ours[i]!.ancestors.length !== theirs[i]!.ancestors.length || ours[i]!.ancestors.some((a, k) => a !== theirs[i]!.ancestors[k])) {
      const at = theirs[i]!.node;
      throw new Error(`visit ${i} differs: acorn-walk at ${at.type} ${at.start}-${at.end}, ours at ${ours[i]!.node.type} ${ours[i]!.node.start}-${ours[i]!.node.end}`);
    }
  }
  return ours.length;
}

describe("the rule walk visits what acorn-walk visits", () => {
  it("library and example code, parsed as the loader threads parse it", () => {
    installFastParser(meriyahParser);
    try {
      let visits = 0;
      for (const file of corpusFiles()) {
        const library = file.includes("node_modules") || file.includes("builtins");
        try {
          visits += expectSameVisits(fs.readFileSync(file, "utf8"), path.extname(file), library);
        } catch (error) {
          throw new Error(`${path.relative(CORPUS_ROOT, file)}: ${(error as Error).message}`);
        }
      }
      expect(visits).toBeGreaterThan(100_000);
    } finally {
      installFastParser(undefined);
    }
  });

  it.each(CORNER_CASES)("%s %j", (extension, code) => {
    expectSameVisits(code, extension, false);
    expectSameVisits(code, extension, true);
  });

  it("a node type it does not know stops the walk, as acorn-walk's does", () => {
    const ast = { type: "Program", start: 0, end: 1, body: [{ type: "Decorator", start: 0, end: 1 }] } as unknown as acorn.AnyNode;
    expect(() => walkWithAncestors(ast, () => {})).toThrow(/Decorator/);
    expect(() => walk.fullAncestor(ast as acorn.Node, () => {})).toThrow(/Decorator/);
  });
});
