import type { IssueRule } from "./rules.js";

/**
 * One finding of the pre-scan or the validator, positioned in the tenant's own file. Line and column are both
 * 1-based, as editors and stack traces count, wherever a person reads them (messages, details, `check`).
 */
export interface ValidationIssue {
  rule: IssueRule;
  message: string;
  severity: "error" | "warning";
  location: { line: number; column: number };
}

export interface ValidationResult {
  valid: boolean;
  issues: ValidationIssue[];
}

/**
 * Every issue message has a fixed bound, whatever tenant text (identifiers, keys, specifiers, parser
 * messages quoting names) it carries: a 300 KB identifier declared twice must not make a 600 KB error.
 */
export const MAX_ISSUE_MESSAGE = 1024;
/** Tenant text quoted inside a message (a name, a key, a specifier): enough to recognise it. */
export const MAX_QUOTED_TEXT = 128;
/** Issues or signals listed in one answer; the rest are counted. */
export const MAX_LISTED_ISSUES = 100;

/** `text` cut to at most `max` characters plus an ellipsis; never splits a surrogate pair. O(max). */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + "…";
}

/** The issue with its message bounded (the same object when it already was). */
export function clipIssue<T extends { message: string }>(issue: T): T {
  return issue.message.length <= MAX_ISSUE_MESSAGE ? issue : { ...issue, message: clipText(issue.message, MAX_ISSUE_MESSAGE) };
}

/** At most MAX_LISTED_ISSUES issues (errors first, in order), then one that counts the rest. */
export function limitIssues(issues: ValidationIssue[]): ValidationIssue[] {
  if (issues.length <= MAX_LISTED_ISSUES) return issues;
  const errors = issues.filter((issue) => issue.severity === "error");
  const kept = (errors.length >= MAX_LISTED_ISSUES ? errors : [...errors, ...issues.filter((issue) => issue.severity !== "error")]).slice(0, MAX_LISTED_ISSUES);
  const severity = kept.some((issue) => issue.severity === "error") ? "error" : "warning";
  kept.push(fileIssue("max-issues", `${issues.length - kept.length} more issues not listed`, severity));
  return kept;
}

/** An error (or warning) about a file as a whole, placed at its start unless a location is known. */
export function fileIssue(rule: IssueRule, message: string, severity: ValidationIssue["severity"] = "error", location = { line: 1, column: 1 }): ValidationIssue {
  return { rule, message: clipText(message, MAX_ISSUE_MESSAGE), severity, location };
}

/**
 * A listed file whose name is not UTF-8: the directory walk decodes it with U+FFFD, and that name finds
 * nothing (module listings and `tenantbox check` say so, rather than "not found").
 */
export function undecodableNameIssue(): ValidationIssue {
  return fileIssue("read-error", "cannot read file: its name is not valid UTF-8 (a module cannot be required or called by such a name)");
}

export function hasErrors(issues: readonly ValidationIssue[]): boolean {
  return issues.some((issue) => issue.severity === "error");
}

/** Line and column (both 1-based) of a character offset. */
export function locate(code: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < code.length; i++) {
    if (code.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
