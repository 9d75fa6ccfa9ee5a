import * as acorn from "acorn";
import type { ValidationIssue } from "./issues.js";

export type ModuleFormat = "esm" | "cjs";

export interface ParsedModule {
  ast: acorn.Program;
  format: ModuleFormat;
  /** The text that was parsed: the original with a hashbang blanked out (same length, same lines). */
  code: string;
}

// CommonJS runs in strict mode here; acorn has no strict option for scripts, so parse behind a directive
// placed on the first line (line numbers stay true; columns on line 1 are shifted back below).
const STRICT_PREFIX = '"use strict";';

const BASE: acorn.Options = { ecmaVersion: "latest", locations: true, allowHashBang: false };

export class ParseFailure extends Error {
  constructor(readonly issue: ValidationIssue) {
    super(issue.message);
  }
}

function syntaxIssue(error: unknown, prefixLength: number): ValidationIssue & { pos: number } {
  // Only acorn's SyntaxError is a finding; a stack overflow in the parser is for the caller to judge.
  if (!(error instanceof SyntaxError)) throw error;
  const e = error as { message?: string; loc?: { line: number; column: number }; pos?: number };
  const loc = e.loc ?? { line: 1, column: 0 };
  const column = loc.line === 1 ? Math.max(0, loc.column - prefixLength) : loc.column;
  const message = String(e.message ?? "syntax error").replace(/\s*\(\d+:\d+\)$/, "");
  return { rule: "syntax", message, severity: "error", location: { line: loc.line, column }, pos: (e.pos ?? 0) - prefixLength };
}

function parseScript(code: string): acorn.Program {
  return acorn.parse(STRICT_PREFIX + code, { ...BASE, sourceType: "script", allowReturnOutsideFunction: true });
}

function hasModuleSyntax(ast: acorn.Program): boolean {
  return ast.body.some(
    (node) =>
      node.type === "ImportDeclaration" ||
      node.type === "ExportNamedDeclaration" ||
      node.type === "ExportDefaultDeclaration" ||
      node.type === "ExportAllDeclaration",
  );
}

/**
 * Parses a module and decides its format by what parses: `.mjs` is always ESM and `.cjs` always CommonJS;
 * a `.js` file is ESM when it parses as a module and has import/export declarations, CommonJS otherwise.
 * Throws ParseFailure with the most useful syntax error.
 */
export function parseModule(source: string, extension: string): ParsedModule {
  const code = source.startsWith("#!") ? "//" + source.slice(2) : source;
  if (extension === ".mjs") {
    try {
      return { ast: acorn.parse(code, { ...BASE, sourceType: "module" }), format: "esm", code };
    } catch (error) {
      throw new ParseFailure(strip(syntaxIssue(error, 0)));
    }
  }
  if (extension === ".cjs") {
    try {
      return { ast: shiftAst(parseScript(code)), format: "cjs", code };
    } catch (error) {
      throw new ParseFailure(strip(syntaxIssue(error, STRICT_PREFIX.length)));
    }
  }
  let moduleError: (ValidationIssue & { pos: number }) | undefined;
  // A file without the words import/export cannot be ESM; skip the second parse for it.
  if (/\b(?:import|export)\b/.test(code)) {
    try {
      const ast = acorn.parse(code, { ...BASE, sourceType: "module" });
      if (hasModuleSyntax(ast)) return { ast, format: "esm", code };
    } catch (error) {
      moduleError = syntaxIssue(error, 0);
    }
  }
  try {
    return { ast: shiftAst(parseScript(code)), format: "cjs", code };
  } catch (error) {
    const scriptError = syntaxIssue(error, STRICT_PREFIX.length);
    // Report the error that got further into the file: that parse understood more of it.
    const best = moduleError && moduleError.pos > scriptError.pos ? moduleError : scriptError;
    throw new ParseFailure(strip(best));
  }
}

function strip(issue: ValidationIssue & { pos: number }): ValidationIssue {
  const { pos: _pos, ...rest } = issue;
  return rest;
}

/** Removes the strict-mode prefix from offsets so that node.start/end index the tenant's text. */
function shiftAst(ast: acorn.Program): acorn.Program {
  const n = STRICT_PREFIX.length;
  const visit = (node: unknown): void => {
    if (!node || typeof node !== "object") return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    const record = node as Record<string, unknown> & { start?: number; end?: number; loc?: acorn.SourceLocation };
    if (typeof record.type === "string" && typeof record.start === "number") {
      record.start -= n;
      (record as { end: number }).end -= n;
      const loc = record.loc;
      if (loc) {
        if (loc.start.line === 1) loc.start = { ...loc.start, column: loc.start.column - n } as acorn.Position;
        if (loc.end.line === 1) loc.end = { ...loc.end, column: loc.end.column - n } as acorn.Position;
      }
    }
    for (const key in record) {
      if (key !== "loc") visit(record[key]);
    }
  };
  // The directive itself is not tenant code.
  ast.body = ast.body.filter((node) => node.start >= n);
  visit(ast);
  return ast;
}
