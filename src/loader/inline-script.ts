import type { ValidationIssue } from "./issues.js";

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
