/** One finding of the pre-scan or the validator, positioned in the tenant's own file. */
export interface ValidationIssue {
  rule: string;
  message: string;
  severity: "error" | "warning";
  location: { line: number; column: number };
}

export interface ValidationResult {
  valid: boolean;
  issues: ValidationIssue[];
}

/** An error (or warning) about a file as a whole, placed at its start. */
export function fileIssue(rule: string, message: string, severity: ValidationIssue["severity"] = "error"): ValidationIssue {
  return { rule, message, severity, location: { line: 1, column: 0 } };
}

export function hasErrors(issues: readonly ValidationIssue[]): boolean {
  return issues.some((issue) => issue.severity === "error");
}

/** Line (1-based) and column (0-based, as acorn counts) of a character offset. */
export function locate(code: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < code.length; i++) {
    if (code.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart };
}
