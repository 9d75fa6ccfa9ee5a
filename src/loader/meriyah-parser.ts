import type * as acorn from "acorn";
import type { parse } from "meriyah";
import type { FastParser } from "./parse.js";

const OFFSETS = { start: true, end: true, range: false } as const;

/**
 * Meriyah, set to make the trees acorn makes and to refuse what acorn refuses: offsets without lines,
 * literals' raw text, scope tracking (a redeclaration is an early error), and for scripts the web grammar
 * (HTML-like comments, Annex B) the engine compiles them with. On real code its trees equal acorn's
 * (test/parser-agreement.test.ts), in a third of acorn's time: parsing was most of a fresh module's compile.
 * Takes meriyah's `parse`: the loader threads bundle meriyah, the sandbox processes evaluate it when they
 * first compile generated code (runner/embedded-meriyah.ts).
 */
export function meriyahParserOf(meriyahParse: typeof parse): FastParser {
  return (code, goal, globalReturn) =>
    meriyahParse(code, { sourceType: goal, ranges: OFFSETS, raw: true, webcompat: goal === "script", globalReturn, lexical: true, next: false }) as unknown as acorn.Program;
}
