import { describe, expect, it } from "vitest";
import { duplicateJsonKeys, jsonErrorMessage, lineLocator, scanJson } from "../src/loader/json-positions.js";
import { parseManifest } from "../src/registry/manifest.js";

/** V8's own offset, where its message names one. */
function v8Offset(text: string): number | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const position = /at position (\d+)/.exec((error as Error).message);
    return position ? Number(position[1]) : undefined;
  }
}

describe("scanJson", () => {
  it("accepts what JSON.parse accepts", () => {
    for (const text of ['{"a":[1,-2.5e+3,true,false,null,"x\\u00e9\\n"]}', " [ ] ", "0", '""', '{"":{}}', '"\\/\\b"']) {
      expect(JSON.parse(text)).toBeDefined();
      expect(scanJson(text).errorOffset).toBeUndefined();
    }
  });

  it("finds the first bad character where V8 names one, and a position where V8 names none", () => {
    const bad = ['{"a": 1,}', '{"a" 1}', "[1,]", "[01]", '{"a": tru}', '["\u0001"]', "[1] x", "", "   ", '{"a": "x', '{"a": [1, 2', '["\\q"]', "{,}", "-", "1.", "+1", "1e", "1e+", "-x", "[1.5e3x]"];
    for (const text of bad) {
      expect(() => JSON.parse(text)).toThrow();
      const found = scanJson(text).errorOffset;
      expect(found, text).toBeTypeOf("number");
      const v8 = v8Offset(text);
      if (v8 !== undefined) expect(found, text).toBe(v8);
    }
    // "Unexpected token": V8 gives no position; the scan does.
    expect(scanJson('{\n  "x": [nope]\n}').errorOffset).toBe(10);
  });

  it("records where values a few levels deep start: object members at their key, array elements at themselves", () => {
    const text = '{\n  "hooks": {\n    "e": [ "a#f",\n      5 ]\n  },\n  "z": 1\n}';
    const { startOf } = scanJson(text, 3);
    const at = lineLocator(text);
    expect(at(startOf(["hooks"])!)).toEqual({ line: 2, column: 3 });
    expect(at(startOf(["hooks", "e"])!)).toEqual({ line: 3, column: 5 });
    expect(at(startOf(["hooks", "e", 1])!)).toEqual({ line: 4, column: 7 });
    expect(at(startOf(["z"])!)).toEqual({ line: 6, column: 3 });
    expect(startOf(["hooks", "e", 1, 0])).toBeUndefined();
  });

  it("handles hostile nesting without recursion and in linear time", () => {
    const deep = "[".repeat(200_000) + "]".repeat(200_000);
    expect(scanJson(deep, 3).errorOffset).toBeUndefined();
    const keys = '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000);
    expect(scanJson(keys, 3).errorOffset).toBeUndefined();
    expect(scanJson("[".repeat(100_000), 3).errorOffset).toBe(100_000);
  });

  it("jsonErrorMessage drops the position V8 appends", () => {
    try {
      JSON.parse('{"a":1,}');
    } catch (error) {
      expect(jsonErrorMessage(error)).toBe("Expected double-quoted property name");
    }
  });
});

describe("duplicateJsonKeys (black-box pass: JSON.parse keeps the last of a key written twice, silently)", () => {
  it("finds a key written twice in the same object, at its second spelling, with its path", () => {
    const text = '{"a":1,"b":{"c":[{"d":1,"d":2},{"d":3}],"c":0},"t\\u0069er":1,"tier":2,"s":"\\",\\"a\\":"}';
    expect(duplicateJsonKeys(text)).toEqual([
      { path: ["b", "c", 0, "d"], offset: text.indexOf('"d":2') },
      { path: ["b", "c"], offset: text.indexOf('"c":0') },
      { path: ["tier"], offset: text.indexOf('"tier":2') },
    ]);
    // The same key in sibling objects, in an array's items, or inside a string value is no duplicate.
    expect(duplicateJsonKeys('[{"a":1},{"a":2},"{\\"a\\":1,\\"a\\":2}"]')).toEqual([]);
    expect(duplicateJsonKeys('{"a":{"a":{"a":1}}}')).toEqual([]);
    expect(duplicateJsonKeys('{"a":1,"a":2,"a":3}', 1)).toHaveLength(1);
  });

  it("makes a warning of a manifest's event written twice (its first handlers were dropped without a word)", () => {
    const parsed = parseManifest('{ "hooks": {\n  "order.created": ["a.js#f"],\n  "order.created": ["b.js#g"] } }');
    expect(parsed.issues).toEqual([
      { rule: "manifest", severity: "warning", message: 'tenantbox.json["hooks"]["order.created"] is written twice: only the last one is used', location: { line: 3, column: 3 } },
    ]);
    expect([...parsed.manifest!.hooks.get("order.created")!]).toEqual([{ file: "b.js", funcName: "g" }]);
  });
});
