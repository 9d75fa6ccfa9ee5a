import { LEVEL_DEFAULTS, type SecurityLevel } from "../security-levels.js";
import type { ValidationIssue, ValidationResult } from "./issues.js";
import { parseFunctionBody, ParseFailure } from "./parse.js";
import { prescan } from "./prescan.js";
import { checkModule, TOO_DEEP } from "./validate.js";

/** The module id an inline script has in errors, logs and the compile cache. */
// .cjs: always parsed as a script. As a .js, a body whose HTML-like comment reads differently in module
// code could make the wrapped text parse as an ES module with the body closed early.
export const INLINE_SCRIPT_ID = "inline-script.cjs";

// The body runs as an async function, so top-level `await` and `return` work as in Enclave's run(code).
// It starts on the wrapper's line, so stack lines are the caller's own. (The one token that reads
// differently after "{" than at the start of a line is an HTML close comment `-->`: that body then fails
// to parse, closed rather than open.)
const PREFIX = "module.exports = async function script() {";
const SUFFIX = "\n};\n";
/** Characters of line 1 that are the wrapper's, not the caller's. */
export const INLINE_PREFIX_LENGTH = PREFIX.length;

/** The CommonJS module an inline script runs as. The body was parsed on its own first, so it cannot close the wrapper early. */
export function wrapInlineScript(code: string): string {
  return PREFIX + code + SUFFIX;
}

/** Moves an issue found in the wrapped module back onto the caller's own columns (line 1 carries the wrapper). */
export function unwrapIssue(issue: ValidationIssue): ValidationIssue {
  if (issue.location.line !== 1) return issue;
  return { ...issue, location: { ...issue.location, column: Math.max(1, issue.location.column - INLINE_PREFIX_LENGTH) } };
}

/**
 * The checks on the body alone, before it is wrapped: size and nesting, then a parse as a function body.
 * Errors point at the caller's lines, and a body that would close the wrapper early does not parse.
 */
export function scriptBodyIssues(code: string, level: SecurityLevel): ValidationIssue[] {
  const early = prescan(code, LEVEL_DEFAULTS[level]);
  if (early.some((issue) => issue.severity === "error")) return early;
  try {
    parseFunctionBody(code);
  } catch (error) {
    if (error instanceof ParseFailure) return [error.issue];
    if (error instanceof RangeError) return [TOO_DEEP];
    throw error;
  }
  return early;
}

/** Static checks of an inline script (layers 0 and 1), as `validate(code, { kind: "script" })` reports them. */
export function checkInlineScript(code: string, level: SecurityLevel): ValidationResult {
  const early = scriptBodyIssues(code, level);
  if (early.some((issue) => issue.severity === "error")) return { valid: false, issues: early };
  const { result } = checkModule(wrapInlineScript(code), ".cjs", level);
  return { valid: result.valid, issues: result.issues.map(unwrapIssue) };
}
