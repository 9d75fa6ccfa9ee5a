import fs from "node:fs";
import * as acorn from "acorn";
import { describe, expect, it } from "vitest";
import { nestingOverflow, prescan } from "../src/loader/prescan.js";
import { CORNER_CASES, corpusFiles } from "./js-corpus.js";

/** The nesting a parser meets: brackets and `${` among acorn's tokens, and a regex's groups (-1: acorn refuses the text). */
function parserDepth(code: string): number {
  let depth = 0;
  let max = 0;
  try {
    for (const token of acorn.tokenizer(code, { ecmaVersion: "latest", allowHashBang: true, allowReturnOutsideFunction: true })) {
      const label = token.type.label;
      if (label === "(" || label === "[" || label === "{" || label === "${") max = Math.max(max, ++depth);
      else if (label === ")" || label === "]" || label === "}") depth--;
      else if (label === "regexp") {
        let groups = 0;
        let inClass = false;
        const pattern = (token as unknown as { value: { pattern: string } }).value.pattern;
        for (let i = 0; i < pattern.length; i++) {
          const c = pattern[i];
          if (c === "\\") i++;
          else if (inClass) inClass = c !== "]";
          else if (c === "[") inClass = true;
          else if (c === "(") max = Math.max(max, depth + ++groups);
          else if (c === ")") groups--;
        }
      }
    }
  } catch {
    return -1;
  }
  return max;
}

/** The deepest nesting the pre-scan counts. */
function scanDepth(code: string): number {
  let lo = 0;
  let hi = code.length + 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (nestingOverflow(code, mid) >= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const limits = { maxModuleBytes: 4 * 1024 * 1024, maxNestingDepth: 256 };
const nesting = (code: string) => prescan(code, limits).filter((issue) => issue.rule === "max-nesting-depth");

describe("the pre-scan's nesting count", () => {
  it("does not count brackets in strings, comments, template text or regex literals (faker's data: hundreds of unbalanced parentheses in strings)", () => {
    const lines = [
      `const a = ["${"(".repeat(300)}", '${"[".repeat(300)}'];`,
      `// ${"{".repeat(300)}`,
      `/* ${"(".repeat(300)} */`,
      "const t = `" + "(".repeat(300) + "${ x }" + "[".repeat(300) + "`;",
      `const r = /\\(${"\\(".repeat(300)}[(${"(".repeat(300)}]/g, d = a / 2 / (b) / [c][0] / 3;`,
      `if (x) return /${"\\[".repeat(300)}/.test(y) ? typeof /[{]/ : void /\\{/;`,
    ];
    for (const line of lines) {
      expect(nesting(line), line.slice(0, 40)).toEqual([]);
      expect(scanDepth(line)).toBeGreaterThanOrEqual(parserDepth(line));
    }
  });

  it("still counts code's brackets, template substitutions and regex groups", () => {
    for (const deep of [
      "x = " + "[".repeat(300) + "]".repeat(300),
      "x = " + "`${".repeat(300) + "1" + "}`".repeat(300),
      "x = /" + "(".repeat(300) + "a" + ")".repeat(300) + "/",
      "x = '(' + " + "(".repeat(300) + "1" + ")".repeat(300),
      "x = `${ '}' }` + " + "{a:".repeat(300) + "1" + "}".repeat(300),
    ]) {
      expect(nesting(deep), deep.slice(0, 40)).toHaveLength(1);
    }
  });

  it("never counts less than the parser meets, on real code and the corner cases", () => {
    const texts = [...CORNER_CASES.map(([, code]) => code), ...corpusFiles().map((file) => fs.readFileSync(file, "utf8"))];
    expect(texts.length).toBeGreaterThan(100);
    for (const text of texts) {
      const parser = parserDepth(text);
      if (parser >= 0) expect(scanDepth(text)).toBeGreaterThanOrEqual(parser);
    }
  });

  it("never throws, whatever the text (unterminated strings, templates, comments and regexes included)", () => {
    const alphabet = ["(", ")", "[", "]", "{", "}", "'", '"', "`", "${", "/", "//", "/*", "*/", "\\", "\n", "x", " ", "return ", "1"];
    let seed = 1;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let n = 0; n < 3000; n++) {
      let text = "";
      for (let k = next() % 60; k > 0; k--) text += alphabet[next() % alphabet.length];
      expect(() => nestingOverflow(text, 4)).not.toThrow();
      const parser = parserDepth(text);
      if (parser >= 0 && !/\/(?![/*])/.test(text)) expect(scanDepth(text), JSON.stringify(text)).toBeGreaterThanOrEqual(parser);
    }
  });

  it("is linear: a 2 MB file of strings, comments and regexes takes about as long as the plain bracket count did", () => {
    const chunk = `a = "(\\"(" + '[' + \`{\${b}(\` / 2; // (\n/* [ */ c = /\\((?:[(])/g.test(d) ? e[0] : f(g);\n`;
    const text = chunk.repeat(Math.ceil((2 * 1024 * 1024) / chunk.length));
    const started = performance.now();
    for (let i = 0; i < 5; i++) expect(nestingOverflow(text, 256)).toBe(-1);
    expect((performance.now() - started) / 5).toBeLessThan(200);
  });
});
