import { describe, expect, it } from "vitest";
import { isJsonText } from "../src/json-syntax.js";

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe("isJsonText: one JSON value, as JSON.parse accepts it, checked without building it", () => {
  it("agrees with JSON.parse on hand-picked corners", () => {
    const corners = [
      "0", "-0", "1.5e-3", "1E+2", "-1.0", "01", "1.", ".5", "+1", "1e", "-", "NaN", "Infinity",
      '""', '"a\\"b"', '"\\u00e9\\n"', '"\\x41"', '"\\u00g0"', '"tab\there"', '"unterminated', '"\\"',
      "true", "false", "null", "tru", "nul", "True",
      "[]", "[ ]", "[1,]", "[,1]", "[1 2]", "[1,[2,[3]]]", "{}", "{ }", '{"a":1}', '{"a":1,}', '{a:1}', '{"a" 1}', '{"a":}', '{"a":1 "b":2}',
      " \n\t\r 1 \n", "1 2", "", " ", "{}}", "[[]", '{"a":[{"b":null}],"c":"d"}', '"\u2028"', "1,\"success\":false",
    ];
    for (const text of corners) expect(isJsonText(text), JSON.stringify(text)).toBe(parses(text));
  });

  it("agrees with JSON.parse on mutations of real values (deterministic)", () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 1000) / 1000;
    const base = JSON.stringify({ id: "A-1", items: [{ sku: "x\"y", qty: 2, price: 12.5e-1 }, null, true, false], nested: { a: [[], {}], s: "é\u0001" }, n: -0.5 });
    const alphabet = ' {}[],:"\\0123456789.-+eEtrufalsn\u0001x';
    for (let k = 0; k < 3000; k++) {
      const at = Math.floor(random() * base.length);
      const mutated = random() < 0.5 ? base.slice(0, at) + base.slice(at + 1) : base.slice(0, at) + alphabet[Math.floor(random() * alphabet.length)] + base.slice(at);
      expect(isJsonText(mutated), mutated).toBe(parses(mutated));
    }
  });
});
