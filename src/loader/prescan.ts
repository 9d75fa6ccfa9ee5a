import { fileIssue, locate, type ValidationIssue } from "./issues.js";

export interface PrescanLimits {
  maxModuleBytes: number;
  maxNestingDepth: number;
}

// Trojan-source: bidirectional overrides and isolates make code read differently than it runs.
const BIDI = /[\u202A-\u202E\u2066-\u2069]/;

/**
 * Layer 0: cheap checks before the parser sees the text (regular expressions are judged on the AST). The nesting check keeps acorn (which recurses)
 * away from inputs built to overflow its stack.
 */
export function prescan(code: string, limits: PrescanLimits): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const bytes = Buffer.byteLength(code, "utf8");
  if (bytes > limits.maxModuleBytes) {
    issues.push(fileIssue("max-module-size", `module is ${bytes} bytes; the limit is ${limits.maxModuleBytes}`));
    return issues;
  }
  const bidi = BIDI.exec(code);
  if (bidi) {
    issues.push({
      rule: "no-bidi-characters",
      message: `bidirectional control character U+${bidi[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} can hide what code does`,
      severity: "error",
      location: locate(code, bidi.index),
    });
  }
  let depth = 0;
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) {
      if (++depth > limits.maxNestingDepth) {
        issues.push({
          rule: "max-nesting-depth",
          message: `nesting deeper than ${limits.maxNestingDepth} levels`,
          severity: "error",
          location: locate(code, i),
        });
        break;
      }
    } else if (c === 41 || c === 93 || c === 125) {
      if (depth > 0) depth--;
    }
  }
  return issues;
}
