import { fileIssue, locate, type ValidationIssue } from "./issues.js";

export interface PrescanLimits {
  maxModuleBytes: number;
  maxNestingDepth: number;
}

// Trojan-source: bidirectional overrides and isolates make code read differently than it runs.
const BIDI = /[\u202A-\u202E\u2066-\u2069]/;

/**
 * Layer 0: cheap checks before the parser sees the text (regular expressions are judged on the AST). The nesting check keeps acorn (which recurses)
 * away from inputs built to overflow its stack; brackets in strings, comments, template text and regex classes are
 * not nesting (faker's data has strings with hundreds of unbalanced `(`).
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
  const overflow = nestingOverflow(code, limits.maxNestingDepth);
  if (overflow >= 0) {
    issues.push({
      rule: "max-nesting-depth",
      message: `nesting deeper than ${limits.maxNestingDepth} levels`,
      severity: "error",
      location: locate(code, overflow),
    });
  }
  return issues;
}

/**
 * The deepest bracket nesting of code outside string literals, comments, template text and regular expression
 * literals (whose unescaped groups outside classes count), and the offset where `limit` is first passed (-1 if
 * never). One pass, linear. The scan is a cheap guess at the tokens, not a parser: where it guesses wrong (a `/`
 * read as a regex where the parser reads a division, or the reverse), a string or regex it thinks it is in ends
 * at the line's end at the latest, and any nesting it misses still meets the parser's own stack check, which
 * ends in the typed TOO_DEEP refusal (validate.ts).
 */
export function nestingOverflow(code: string, limit: number): number {
  const n = code.length;
  let depth = 0;
  // Depths at which a `${` of a template literal opened: a `}` that returns to one resumes the template's text.
  const templates: number[] = [];
  // The last significant character of code (0 at the start), and where the word it ends began, for the regex guess.
  let last = 0;
  let wordStart = -1;
  let wordEnd = -1;
  let i = 0;
  const open = (at: number): boolean => ++depth > limit && ((overflowAt = at), true);
  let overflowAt = -1;
  // templateText stops after `${` (a new substitution: a level opens, the template resumes at its `}`) or after
  // the closing backtick. Whether that passed the limit.
  const pastText = (): boolean => {
    if (code.charCodeAt(i - 1) !== 123) {
      last = 96;
      return false;
    }
    templates.push(depth);
    last = 123;
    return open(i - 1);
  };
  outer: while (i < n) {
    const c = code.charCodeAt(i);
    // Whitespace and line terminators.
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029) {
      i++;
      continue;
    }
    if (c === 40 || c === 91 || c === 123) {
      if (open(i)) return overflowAt;
      last = c;
      i++;
      continue;
    }
    if (c === 41 || c === 93 || c === 125) {
      if (depth > 0) depth--;
      if (c === 125 && templates.length > 0 && templates[templates.length - 1] === depth) {
        templates.pop();
        i = templateText(code, i + 1);
        if (i < 0) return -1;
        if (pastText()) return overflowAt;
        continue;
      }
      last = c;
      i++;
      continue;
    }
    if (c === 39 || c === 34) {
      i = quoted(code, i + 1, c);
      last = c;
      continue;
    }
    if (c === 96) {
      i = templateText(code, i + 1);
      if (i < 0) return -1;
      if (pastText()) return overflowAt;
      continue;
    }
    if (c === 47) {
      const next = code.charCodeAt(i + 1);
      if (next === 47) {
        i = lineEnd(code, i + 2);
        continue;
      }
      if (next === 42) {
        const end = code.indexOf("*/", i + 2);
        if (end < 0) return -1;
        i = end + 2;
        continue;
      }
      if (regexAllowed(code, last, wordStart, wordEnd)) {
        // A regex literal: escapes and classes skipped; a group opens a level; ends at `/` or the line's end.
        let inClass = false;
        i++;
        while (i < n) {
          const r = code.charCodeAt(i);
          if (r === 10 || r === 13 || r === 0x2028 || r === 0x2029) break;
          if (r === 92) {
            i += 2;
            continue;
          }
          if (inClass) {
            if (r === 93) inClass = false;
          } else if (r === 91) inClass = true;
          else if (r === 47) {
            i++;
            break;
          } else if (r === 40) {
            if (open(i)) return overflowAt;
          } else if (r === 41 && depth > 0) depth--;
          i++;
        }
        last = EXPRESSION_END;
        continue;
      }
      last = c;
      i++;
      continue;
    }
    if (c === 35 && i === 0 && code.charCodeAt(1) === 33) {
      i = lineEnd(code, 2);
      continue;
    }
    if (isWordChar(c)) {
      wordStart = i;
      while (i < n && isWordChar(code.charCodeAt(i))) i++;
      wordEnd = i;
      last = -1; // a word: see regexAllowed
      continue outer;
    }
    // `++` and `--` before a `/` are postfix (a regex cannot be incremented): a division follows.
    last = (c === 43 || c === 45) && code.charCodeAt(i - 1) === c ? EXPRESSION_END : c;
    i++;
  }
  return -1;
}

/** A `last` that ends an expression as `)` does: a regex literal, a postfix `++` or `--`. */
const EXPRESSION_END = 0x10000;

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 36 || c === 95 || c === 92 || c > 0x7f;
}

/** After a word, a `/` starts a regex only if the word is a keyword that precedes an expression. */
const REGEX_AFTER_WORD = new Set(["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await"]);

function regexAllowed(code: string, last: number, wordStart: number, wordEnd: number): boolean {
  if (last === -1) return wordEnd - wordStart <= 10 && REGEX_AFTER_WORD.has(code.slice(wordStart, wordEnd));
  // After `)`, `]`, a literal, a regex or a postfix operator, a `/` divides; after `}` or any operator or at the start, a regex begins.
  return !(last === 41 || last === 93 || last === 39 || last === 34 || last === 96 || last === EXPRESSION_END);
}

function lineEnd(code: string, i: number): number {
  const n = code.length;
  while (i < n) {
    const c = code.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) return i;
    i++;
  }
  return n;
}

/** Past a quoted string's closing quote; a line terminator not escaped ends it too (the parser refuses that). */
function quoted(code: string, i: number, quote: number): number {
  const n = code.length;
  while (i < n) {
    const c = code.charCodeAt(i);
    if (c === quote) return i + 1;
    if (c === 92) {
      i += 2;
      continue;
    }
    if (c === 10 || c === 13) return i;
    i++;
  }
  return n;
}

/** Past a template's text: just after `${` or the closing backtick; -1 if it never ends (the parser refuses that). */
function templateText(code: string, i: number): number {
  const n = code.length;
  while (i < n) {
    const c = code.charCodeAt(i);
    if (c === 96) return i + 1;
    if (c === 92) {
      i += 2;
      continue;
    }
    if (c === 36 && code.charCodeAt(i + 1) === 123) return i + 2;
    i++;
  }
  return -1;
}
