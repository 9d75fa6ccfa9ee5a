import { LEVEL_DEFAULTS, type SecurityLevel } from "../security-levels.js";
import type { ValidationIssue, ValidationResult } from "./issues.js";
import { parseFunctionBody, ParseFailure } from "./parse.js";
import { prescan } from "./prescan.js";
import { checkModule, TOO_DEEP } from "./validate.js";

/** The module id an inline script has in errors, logs and the compile cache. */
export const INLINE_SCRIPT_ID = "inline-script.js";

// The body runs as an async function, so top-level `await` and `return` work as in Enclave's run(code).
// The body starts on a line of its own: the wrapper never changes how its first line tokenizes.
const PREFIX = "module.exports = async function script() {\n";
const SUFFIX = "\n};\n";

/** The CommonJS module an inline script runs as. The body was parsed on its own first, so it cannot close the wrapper early. */
export function wrapInlineScript(code: string): string {
  return PREFIX + code + SUFFIX;
}

/** Moves an issue found in the wrapped module back onto the caller's own lines. */
export function unwrapIssue(issue: ValidationIssue): ValidationIssue {
  return { ...issue, location: { ...issue.location, line: Math.max(1, issue.location.line - 1) } };
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
  const { result } = checkModule(wrapInlineScript(code), ".js", level);
  return { valid: result.valid, issues: result.issues.map(unwrapIssue) };
}
