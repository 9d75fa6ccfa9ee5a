import * as acorn from "acorn";
import { clipText, MAX_QUOTED_TEXT, type ValidationIssue } from "./issues.js";

export type ModuleFormat = "esm" | "cjs";

export interface ParsedModule {
  ast: acorn.Program;
  format: ModuleFormat;
  /**
   * The text that was parsed, which AST offsets index: for CommonJS the source behind a strict-mode
   * directive line (see STRICT_PREFIX), for ESM the source itself; a hashbang is blanked out either way.
   */
  code: string;
  /** Characters of `code` before the tenant's first one (the directive line for CommonJS). */
  prefixLength: number;
  /** Lines of `code` before the tenant's first one: subtract from AST line numbers. */
  lineShift: number;
  /** Library CommonJS without a "use strict" directive: it runs sloppy, as Node runs it (library-profile.ts). */
  sloppy?: true;
  /** The nodes the transform and the export reader act on, recorded by the rule walk (ast-index.ts). */
  indexed?: acorn.AnyNode[];
}

// CommonJS runs in strict mode here; acorn has no strict option for scripts, so it parses the source
// behind a directive on a line of its own (offsets shift by the prefix, columns do not, lines by one).
const STRICT_PREFIX = '"use strict";\n';

// No `locations`: positions come from offsets, for the few nodes that need one (line-index.ts).
const BASE: acorn.Options = { ecmaVersion: "latest", locations: false, allowHashBang: false };

/**
 * Acorn decides regular expression or division while it tokenizes, from the tokens before (its "token
 * contexts"), and four of its guesses are wrong where the engine reads a division: after an anonymous
 * `async function () {}` expression, after a keyword (or `of`/`yield`) named behind `?.` (`a?.typeof`),
 * after a function or class expression behind a conditional's `:` (`a ? b : function () {}`, which the
 * tokenizer takes for a labelled statement's `label: function f() {}`), and after a variable named `of`
 * behind a name (`a` newline `of`, which it takes for a for-of head's `of`). There acorn read
 * `x = async function () {}` newline `/ 1; hidden(); y = g /` newline `g` as a statement and a regular
 * expression, the engine as a division and code: code no rule saw, without loop guards
 * (test/parser-agreement.test.ts). This parser makes the four guesses as the engine does: a keyword behind
 * `?.` is a property name (as acorn already has it behind `.`; `function` and `class` keep the context they
 * push, which acorn pops again when it reads them as a name), the override acorn applies to the async
 * function's context lands on that context instead of on the parenthesis pushed after it, a `function`
 * or `class` the parser reads as an expression gets an expression's context, and an `of` the parser reads
 * as a name is followed by an operator (a for-of head's `of` is never read as a name).
 */
const tt = acorn.tokTypes;
/** Acorn's token contexts (exported by acorn, missing from its typings). */
type TokContext = { readonly token: string; readonly isExpr: boolean };
const contexts = (acorn as unknown as { tokContexts: Record<"f_expr" | "f_stat" | "p_expr", TokContext> }).tokContexts;
type ContextParser = acorn.Parser & {
  type: acorn.TokenType;
  exprAllowed: boolean;
  context: TokContext[];
  updateContext(prevType: acorn.TokenType): void;
  overrideContext(context: TokContext): void;
  parseExprAtom(...args: unknown[]): acorn.Expression;
  parseIdent(liberal?: boolean): acorn.Identifier;
  value: unknown;
};
const Parser = acorn.Parser.extend(
  (Base) =>
    class extends (Base as unknown as new (...args: never[]) => ContextParser) {
      override updateContext(prevType: acorn.TokenType): void {
        // Not `function`/`class`: acorn pops the context they push when it reads them as a name behind
        // `?.` (parseIdentNode), so a context they did not push would be one of their parents'.
        if (prevType === tt.questionDot && (this.type.keyword || this.type === tt.name) && this.type !== tt._function && this.type !== tt._class) this.exprAllowed = false;
        else super.updateContext(prevType);
      }
      override parseExprAtom(...args: unknown[]): acorn.Expression {
        // The token is `function` or `class` and the context on top is the one it pushed: an expression's.
        if (this.type === tt._function || this.type === tt._class) this.overrideContext(contexts.f_expr);
        return super.parseExprAtom(...args);
      }
      override parseIdent(liberal?: boolean): acorn.Identifier {
        // The token is `of` read as a name; the next one, read by this call, follows a name.
        if (this.type === tt.name && this.value === "of") this.exprAllowed = false;
        return super.parseIdent(liberal);
      }
      override overrideContext(context: TokContext): void {
        const stack = this.context;
        const n = stack.length;
        if (context === contexts.f_expr && this.type === tt.parenL && stack[n - 1] === contexts.p_expr && stack[n - 2] === contexts.f_stat) stack[n - 2] = contexts.f_expr;
        else super.overrideContext(context);
      }
    } as unknown as typeof acorn.Parser,
);

function acornParse(code: string, options: acorn.Options): acorn.Program {
  return Parser.parse(code, options) as acorn.Program;
}

/** Parses a text with another parser into acorn's ESTree; throws when it refuses the text. */
export type FastParser = (code: string, goal: "script" | "module", globalReturn: boolean) => acorn.Program;

let fastParser: FastParser | undefined;

/**
 * Meriyah (meriyah-parser.ts), installed by whatever reads tenant text: the loader threads when they start,
 * the sandbox processes when they first compile generated code (runner/embedded-meriyah.ts), `tenantbox
 * check` before it checks. Without one (tests of acorn's own reading), acorn parses alone.
 */
export function installFastParser(parser: FastParser | undefined): void {
  fastParser = parser;
}

/** What the fast parser made of a text: its tree, or why it refused it. */
type FastVerdict = { ast: acorn.Program } | { refusal: unknown };

/** The fast parser's verdict on a text; undefined when none is installed. */
function fastVerdict(code: string, options: acorn.Options): FastVerdict | undefined {
  if (!fastParser) return undefined;
  try {
    return { ast: fastParser(code, options.sourceType === "module" ? "module" : "script", options.allowReturnOutsideFunction === true) };
  } catch (refusal) {
    return { refusal };
  }
}

/**
 * The fast parser's tree (its verdict taken now, or the one given); a text it refuses is refused. Acorn then
 * words the syntax error (up to ACORN_WORDING_MAX_CHARS), but acorn's tree is never taken for a text the fast parser refuses: two parsers
 * that read some texts differently must not let a tenant choose which one reads its file (one construct
 * the fast parser wrongly refuses, such as `` this`\u` ``, would hand acorn the rest of the file, with
 * whatever acorn misreads in it).
 */
function parseProgram(code: string, options: acorn.Options, verdict = fastVerdict(code, options)): acorn.Program {
  if (verdict === undefined) return acornParse(code, options);
  if ("ast" in verdict) return verdict.ast;
  if (code.length <= ACORN_WORDING_MAX_CHARS) acornParse(code, options);
  throw fastRefusal(verdict.refusal);
}

/**
 * The longest refused text acorn words the error of; a longer one gets the fast parser's words. Acorn's
 * scope checks are quadratic in a module's declarations (48,000 top-level functions: 5 s, against 0.1 s
 * for meriyah), and wording a refusal must not cost a loader thread its whole deadline.
 */
const ACORN_WORDING_MAX_CHARS = 256 * 1024;

/**
 * The fast parser's refusal of a text acorn accepts, as the error acorn would throw: a SyntaxError with
 * acorn's `pos` and `loc`, or the RangeError of a parser out of stack (a module too deeply nested).
 */
function fastRefusal(error: unknown): Error {
  if (error instanceof RangeError && /call stack/i.test(error.message)) return error;
  const e = error as { message?: unknown; description?: unknown; start?: unknown; loc?: { start?: { line?: unknown; column?: unknown } } };
  const message = typeof e?.description === "string" ? e.description : String(e?.message ?? "syntax error");
  const failure = new SyntaxError(message) as SyntaxError & { pos?: number; loc?: { line: number; column: number } };
  if (typeof e?.start === "number") failure.pos = e.start;
  const at = e?.loc?.start;
  if (typeof at?.line === "number" && typeof at.column === "number") failure.loc = { line: at.line, column: at.column };
  return failure;
}

export class ParseFailure extends Error {
  constructor(readonly issue: ValidationIssue) {
    super(issue.message);
  }
}

function syntaxIssue(error: unknown, lineShift: number, prefixLength: number): ValidationIssue & { pos: number } {
  // Only acorn's SyntaxError is a finding; a stack overflow in the parser is for the caller to judge.
  if (!(error instanceof SyntaxError)) throw error;
  const e = error as SyntaxError & { loc?: { line: number; column: number }; pos?: number };
  const loc = e.loc ?? { line: 1 + lineShift, column: 0 };
  const message = withoutPosition(String(e.message ?? "syntax error"));
  return {
    rule: "syntax",
    message,
    severity: "error",
    location: { line: Math.max(1, loc.line - lineShift), column: loc.column + 1 },
    pos: (e.pos ?? 0) - prefixLength,
  };
}

/**
 * Acorn's message without the " (line:column)" it appends, clipped. No regular expression runs over the
 * message's own text (a `\s*` before the position was quadratic on a name of spaces).
 */
function withoutPosition(message: string): string {
  const at = message.lastIndexOf(" (");
  if (at >= 0 && /^ \(\d+:\d+\)$/.test(message.slice(at, at + 32))) message = message.slice(0, at);
  return clipText(message, MAX_QUOTED_TEXT * 2).trimEnd();
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

function strip(issue: ValidationIssue & { pos: number }): ValidationIssue {
  const { pos: _pos, ...rest } = issue;
  return rest;
}

function parseCommonJs(source: string): ParsedModule {
  const code = STRICT_PREFIX + source;
  const ast = parseProgram(code, { ...BASE, sourceType: "script", allowReturnOutsideFunction: true });
  // The directive is ours, not tenant code.
  ast.body = ast.body.filter((node) => node.start >= STRICT_PREFIX.length);
  return { ast, format: "cjs", code, prefixLength: STRICT_PREFIX.length, lineShift: 1 };
}

/** Library CommonJS parsed as Node parses it: sloppy unless the file says "use strict" itself. */
function parseSloppyCommonJs(code: string): ParsedModule {
  const ast = parseProgram(code, { ...BASE, sourceType: "script", allowReturnOutsideFunction: true });
  const parsed: ParsedModule = { ast, format: "cjs", code, prefixLength: 0, lineShift: 0 };
  // Any directive of the prologue may be "use strict" ('use client'; 'use strict'; is strict, and acorn
  // checked it so): the wrapper's guards end the file's own prologue, so the wrapper must say it.
  let strict = false;
  for (const statement of ast.body as (acorn.Statement & { directive?: string })[]) {
    if (typeof statement.directive !== "string") break;
    if (statement.directive === "use strict") strict = true;
  }
  if (!strict) parsed.sloppy = true;
  return parsed;
}

const ESM: acorn.Options = { ...BASE, sourceType: "module" };

function parseEsm(code: string): acorn.Program {
  return parseProgram(code, ESM);
}

/**
 * Parses an inline script as a function body (top-level `return` and `await`), strict, as the wrapper it
 * runs in will see it: so that syntax errors point at the caller's own lines.
 */
export function parseFunctionBody(source: string): void {
  try {
    acornParse(STRICT_PREFIX + source, { ...BASE, sourceType: "script", allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true });
  } catch (error) {
    throw new ParseFailure(strip(syntaxIssue(error, 1, STRICT_PREFIX.length)));
  }
}

/**
 * Parses a module and decides its format by what parses: `.mjs` is always ESM and `.cjs` always CommonJS;
 * a `.js` file is ESM when it parses as a module and has import/export declarations, CommonJS otherwise.
 * `library`: CommonJS may be sloppy (library-profile.ts). Throws ParseFailure with the most useful syntax error.
 */
export function parseModule(source: string, extension: string, library = false): ParsedModule {
  const parseCjs = library ? parseSloppyCommonJs : parseCommonJs;
  const cjsShift = library ? 0 : 1;
  const cjsPrefix = library ? 0 : STRICT_PREFIX.length;
  const code = source.startsWith("#!") ? "//" + source.slice(2) : source;
  if (extension === ".mjs") {
    try {
      return { ast: parseEsm(code), format: "esm", code, prefixLength: 0, lineShift: 0 };
    } catch (error) {
      throw new ParseFailure(strip(syntaxIssue(error, 0, 0)));
    }
  }
  if (extension === ".cjs") {
    try {
      return parseCjs(code);
    } catch (error) {
      throw new ParseFailure(strip(syntaxIssue(error, cjsShift, cjsPrefix)));
    }
  }
  // A file without the words import/export cannot be ESM; skip the second parse for it. The module reading's
  // verdict is kept: it is needed again only when the script reading fails too (for its error), and no text
  // parses both as a script and as a module with import or export declarations.
  const words = /\b(?:import|export)\b/.test(code);
  const esm = words ? fastVerdict(code, ESM) : undefined;
  if (esm && "ast" in esm && hasModuleSyntax(esm.ast)) return { ast: esm.ast, format: "esm", code, prefixLength: 0, lineShift: 0 };
  // A module reading the fast parser accepted (without declarations) is no module; one it refused, or none
  // taken (no fast parser), may still give the better error.
  const maybeModule = words && !(esm && "ast" in esm);
  try {
    return parseCjs(code);
  } catch (error) {
    const scriptError = syntaxIssue(error, cjsShift, cjsPrefix);
    let moduleError: (ValidationIssue & { pos: number }) | undefined;
    if (maybeModule) {
      try {
        const ast = parseProgram(code, ESM, esm);
        if (hasModuleSyntax(ast)) return { ast, format: "esm", code, prefixLength: 0, lineShift: 0 };
      } catch (esmError) {
        moduleError = syntaxIssue(esmError, 0, 0);
      }
    }
    // Report the error that got further into the file: that parse understood more of it.
    const best = moduleError && moduleError.pos > scriptError.pos ? moduleError : scriptError;
    throw new ParseFailure(strip(best));
  }
}
