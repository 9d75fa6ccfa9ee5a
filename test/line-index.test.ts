import * as acorn from "acorn";
import { describe, expect, it } from "vitest";
import { LineIndex } from "../src/loader/line-index.js";
import { checkModule } from "../src/loader/validate.js";

/* Modules are parsed without acorn's `locations`: positions come from offsets, and must be acorn's own. */
describe("line and column of an offset", () => {
  it("agree with acorn's at every offset, whatever the line breaks", () => {
    const text = 'a\nbb\r\nccc\rdddd\u2028e\u2029\n\r\n"x"\n';
    const lines = new LineIndex(text);
    for (let offset = 0; offset <= text.length; offset++) {
      // Between the two characters of a CRLF no token starts (acorn's answer there is not a position).
      if (text[offset - 1] === "\r" && text[offset] === "\n") continue;
      const expected = acorn.getLineInfo(text, offset);
      expect(lines.at(offset), `offset ${offset}`).toEqual({ line: expected.line, column: expected.column });
    }
  });

  it("issues point at the tenant's line and column after CRLF and U+2028 line breaks", () => {
    const code = 'const a = 1;\r\nconst b = 2;\u2028  const c = x.constructor.constructor;\r\n';
    const { result } = checkModule(code, ".js", "STANDARD");
    expect(result.issues).toEqual([expect.objectContaining({ rule: "no-constructor-chain", location: { line: 3, column: 13 } })]);
  });
});
