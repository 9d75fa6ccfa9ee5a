import MagicString from "magic-string";
import { describe, expect, it } from "vitest";
import { decodedLines } from "../src/loader/decoded-lines.js";

/*
 * The tenant-position map reads a transformed module's lines through decodedLines (no per-character scan):
 * it must see exactly what magic-string's own decoded map says, or stack positions would point elsewhere.
 */
const expectSameAsMagicString = (s: MagicString) => expect(decodedLines(s)).toEqual(s.generateDecodedMap({ hires: false }).mappings);

describe("a MagicString's lines, decoded", () => {
  const text = 'const a = 1;\nfor (const x of xs) y(x);\n\n\nfunction f() { return 2; }\r\nwhile (z) {\n  g();\n}\n"end"';

  it("agree with magic-string's decoded map after the edits the transform makes", () => {
    const s = new MagicString(text);
    s.appendLeft(text.indexOf("y(x)"), "{GUARD;");
    s.appendLeft(text.indexOf(";\n\n"), "}");
    s.appendLeft(text.indexOf("{ return") + 1, "ENTER;");
    s.prependRight(text.indexOf("g()"), "((n), ");
    s.appendLeft(text.indexOf("g()") + 3, ")");
    s.remove(0, 13);
    expectSameAsMagicString(s);
  });

  it("agree with it for overwrites with and without line breaks, intros, outros and untouched text", () => {
    expectSameAsMagicString(new MagicString(text));
    expectSameAsMagicString(new MagicString(""));
    const s = new MagicString(text);
    s.prepend("HEADER\n");
    s.append("\nFOOTER");
    s.overwrite(text.indexOf("const a"), text.indexOf("const a") + 5, "let");
    s.overwrite(text.indexOf("\n\n\n"), text.indexOf("function"), "\n\n\n");
    s.overwrite(text.indexOf('"end"'), text.length, "a\nb\nc\n");
    s.appendRight(text.indexOf("while"), "X\nY");
    s.appendLeft(text.indexOf("while"), "\n");
    expectSameAsMagicString(s);
  });

  it("agree with it on random edits", () => {
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 200; round++) {
      const s = new MagicString(text);
      for (let edit = 0; edit < 6; edit++) {
        const at = random(text.length);
        const insert = ["", "a", "\n", "bc\nd", "\n\n"][random(5)]!;
        switch (random(4)) {
          case 0:
            s.appendLeft(at, insert);
            break;
          case 1:
            s.prependRight(at, insert);
            break;
          case 2:
            if (at + 2 <= text.length) s.overwrite(at, at + 2, insert || "z");
            break;
          case 3:
            if (at + 1 <= text.length) s.remove(at, at + 1);
            break;
        }
      }
      expectSameAsMagicString(s);
    }
  });
});
