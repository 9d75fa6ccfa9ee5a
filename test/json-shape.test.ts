import { describe, expect, it } from "vitest";
import { jsonShapeProblem } from "../src/json-shape.js";

const layouts = (json: string, maxShapes: number) => jsonShapeProblem(json, { maxDepth: 1000, maxShapes });

describe("jsonShapeProblem: what JSON text costs the host's main thread to parse, before it parses it", () => {
  it("counts nesting, values and containers outside strings only", () => {
    expect(jsonShapeProblem("[[[]]]", { maxDepth: 2 })).toBe("depth");
    expect(jsonShapeProblem("[[[]]]", { maxDepth: 3 })).toBeUndefined();
    expect(jsonShapeProblem("[1,2,3]", { maxDepth: 9, maxValues: 3 })).toBeUndefined();
    expect(jsonShapeProblem("[1,2,3,4]", { maxDepth: 9, maxValues: 3 })).toBe("values");
    expect(jsonShapeProblem("[[],{},0,0,0]", { maxDepth: 9, maxContainers: 3 })).toBeUndefined();
    expect(jsonShapeProblem("[[],{},[]]", { maxDepth: 9, maxContainers: 3 })).toBe("containers");
    // Brackets, braces, commas and escaped quotes inside strings are text.
    const text = JSON.stringify(['[{,"\\'.repeat(1000), { k: '"}]['.repeat(100) }]);
    expect(jsonShapeProblem(text, { maxDepth: 2, maxValues: 3, maxContainers: 2, maxShapes: 1 })).toBeUndefined();
  });

  it("counts object layouts: rows that share their keys are one, distinct keys are one each", () => {
    const rows = JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ id: i, name: `n${i}`, tags: ["a"], nested: { x: i } })));
    // { id, name, tags, nested } is four steps from the empty layout, { x } one more.
    expect(layouts(rows, 5)).toBeUndefined();
    expect(layouts(rows, 4)).toBe("shapes");
    const distinct = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ [`k${i}`]: 0 })));
    expect(layouts(distinct, 100)).toBeUndefined();
    expect(layouts(distinct, 99)).toBe("shapes");
    // The same keys in another order are other layouts, as V8 builds them.
    expect(layouts('[{"a":1,"b":2},{"b":1,"a":2}]', 3)).toBe("shapes");
    expect(layouts('[{"a":1,"b":2},{"a":3,"b":4}]', 2)).toBeUndefined();
    // An empty object has no layout of its own; an array's strings are not keys.
    expect(layouts(JSON.stringify([{}, {}, ["a", "b", "c"]]), 0)).toBeUndefined();
  });

  it("keys are told apart by their whole text, escapes included, and a key's escaped quote does not end it", () => {
    expect(layouts('[{"a\\"b":1},{"a\\"c":1}]', 1)).toBe("shapes");
    expect(layouts('[{"a\\\\":1},{"a\\\\":2}]', 1)).toBeUndefined();
    // The string after a key's colon is a value, not a key; the key after a nested object's end is a key.
    expect(layouts('[{"a":"x","b":{"c":"y"},"d":"z"}]', 4)).toBeUndefined();
    expect(layouts('[{"a":"x","b":{"c":"y"},"d":"z"}]', 3)).toBe("shapes");
  });

  it("every new step counts, however big the object (a dictionary's keys, keys past the 32nd); array-index keys do not", () => {
    const dictionary = (keys: string[]) => `{${keys.map((k) => `"${k}":0`).join(",")}}`;
    const distinct = Array.from({ length: 1000 }, (_, i) => `key${i}`);
    expect(layouts(dictionary(distinct), 1000)).toBeUndefined();
    expect(layouts(dictionary(distinct), 999)).toBe("shapes");
    // The same keys in many objects are the same steps.
    expect(layouts(`[${Array(50).fill(dictionary(distinct)).join(",")}]`, 1000)).toBeUndefined();
    // 32 shared keys and a few drawn at random after them (red team: V8 keeps such objects fast, a hidden class each).
    const shared = Array.from({ length: 32 }, (_, i) => `s${i}`);
    const rows = Array.from({ length: 200 }, (_, i) => dictionary([...shared, `x${i}`, `y${i}`]));
    expect(layouts(`[${rows.join(",")}]`, 32 + 400)).toBeUndefined();
    expect(layouts(`[${rows.join(",")}]`, 32 + 399)).toBe("shapes");
    // Keys that are array indexes are elements: "0", "17", "4294967294"; not "007", "4294967295" or "1.5".
    expect(layouts(dictionary(Array.from({ length: 5000 }, (_, i) => String(i))), 0)).toBeUndefined();
    expect(layouts('{"0":1,"17":2,"4294967294":3}', 0)).toBeUndefined();
    for (const key of ["007", "4294967295", "1.5", "-1", "", "12345678901"]) expect(layouts(`{"${key}":1}`, 0), key).toBe("shapes");
  });

  it("past 1,000 distinct next keys from one layout, a further one counts at each occurrence (V8 keeps about 1,536 transitions a hidden class)", () => {
    const distinct = Array.from({ length: 1600 }, (_, i) => `{"k${i}":0}`);
    // 1,600 distinct one-key objects, then the last one 5,000 times more: 33-68 ms to parse, 1,601 layouts by the first count.
    const repeated = `[${[...distinct, ...Array(5000).fill(distinct[1599])].join(",")}]`;
    expect(layouts(repeated, 5000)).toBe("shapes");
    // Within the fan-out, repeats are free.
    const within = `[${[...distinct.slice(0, 1000), ...Array(5000).fill(distinct[999])].join(",")}]`;
    expect(layouts(within, 1000)).toBeUndefined();
  });

  it("text that is not JSON passes or fails as it may: the parse decides", () => {
    for (const text of ['"unterminated', '{"a', "]]]", "{,,}", '{"a":}']) expect(() => jsonShapeProblem(text, { maxDepth: 4, maxValues: 9, maxContainers: 9, maxShapes: 9 })).not.toThrow();
  });
});
