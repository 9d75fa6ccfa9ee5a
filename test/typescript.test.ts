import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTenants, expectCode, makeRuntime, makeTenant, makeTempDir, waitFor, writeFiles } from "./helpers.js";

/** TypeScript tenant modules (.ts, .mts, .cts): type-stripped in place, then validated, guarded and run like JavaScript. */
const runtime = makeRuntime();
const watching: ReturnType<typeof makeRuntime>[] = [];

afterAll(async () => {
  await Promise.all([runtime.close(), ...watching.map((r) => r.close())]);
  cleanupTenants();
});

describe("TypeScript modules", () => {
  it("run as ES modules (.ts, .mts) and CommonJS (.cts), importing each other by their .ts names or without extension", async () => {
    const folder = makeTenant({
      "types.ts": "export interface Item { price: number; qty: number }\nexport type Total = number;\n",
      "sum.ts": "import type { Item, Total } from './types.ts';\nexport const sum = (items: Item[]): Total => items.reduce((t: number, i: Item) => t + i.price * i.qty, 0);\n",
      "main.mts": "import { sum } from './sum';\nexport function f(items: Array<{ price: number; qty: number }>): string { return `${sum(items)}`; }\n",
      "importeq.mts": "import legacy = require('./legacy.cts');\nexport const f = () => legacy;\n",
      "legacy.cts": "const scale = (n: number): number => n * 2;\nmodule.exports = { scale };\n",
      "entry.cts": "const { scale } = require('./legacy.cts') as { scale(n: number): number };\nexports.f = (n: number) => scale(n);\n",
      "esm.ts": "import { sum } from './sum.ts';\nexport default function (n: number): number { return sum([{ price: n, qty: 3 }]); }\n",
    });
    await expect(runtime.run({ folder, file: "main.mts", funcName: "f", args: [[{ price: 2, qty: 5 }]] })).resolves.toBe("10");
    // `import x = require()` is not erasable: refused, as the next test shows in general.
    await expectCode(runtime, { folder, file: "importeq.mts", funcName: "f" }, "VALIDATION_ERROR");
    await expect(runtime.run({ folder, file: "entry.cts", funcName: "f", args: [21] })).resolves.toBe(42);
    await expect(runtime.run({ folder, file: "esm.ts", funcName: "default", args: [2] })).resolves.toBe(6);
  });

  it("keeps the tenant's lines and columns in stack traces and in validation issues", async () => {
    const folder = makeTenant({
      "a.ts": "interface Input {\n  n: number;\n}\nexport function f(input: Input): number {\n  if (input.n < 0) throw new RangeError(`negative: ${input.n}`);\n  return input.n;\n}\n",
      "b.ts": "type T = { a: string };\nexport const g = (t: T) => eval(t.a);\n",
    });
    const error = await expectCode(runtime, { folder, file: "a.ts", funcName: "f", args: [{ n: -1 }] }, "RUNTIME_ERROR");
    expect(error.details?.stack).toContain("at f (a.ts:5:26)");
    const refused = await expectCode(runtime, { folder, file: "b.ts", funcName: "g" }, "VALIDATION_ERROR");
    expect(refused.details?.issues).toEqual([expect.objectContaining({ rule: "no-eval", location: { line: 2, column: 28 } })]);
  });

  it("refuses enum, namespace and parameter properties with a VALIDATION_ERROR that names them", async () => {
    const folder = makeTenant({
      "enum.ts": "export enum Color { Red, Green }\nexport const f = () => Color.Red;\n",
      "ns.ts": "namespace N { export const a = 1; }\nexport const f = () => N.a;\n",
      "param.ts": "export class A { constructor(private x: number) {} }\nexport const f = () => 1;\n",
      "broken.ts": "export const f = (a: ) => 1;\n",
    });
    for (const [file, words] of [["enum.ts", /enum/], ["ns.ts", /namespace/], ["param.ts", /parameter propert/]] as const) {
      const error = await expectCode(runtime, { folder, file, funcName: "f" }, "VALIDATION_ERROR");
      expect(error.details?.issues).toEqual([expect.objectContaining({ rule: "typescript", message: expect.stringMatching(words) })]);
    }
    const broken = await expectCode(runtime, { folder, file: "broken.ts", funcName: "f" }, "VALIDATION_ERROR");
    expect(broken.details?.issues).toEqual([expect.objectContaining({ rule: "syntax", message: expect.stringMatching(/^TypeScript: /) })]);
  });

  it("says where TypeScript that cannot be stripped, or does not parse, is: its line and column, not 1:1", async () => {
    const issueOf = async (code: string) => (await runtime.validate(code, { filename: "x.ts" })).issues;
    expect(await issueOf("const a = 1;\n\n\n  enum E { A }\nexport const f = () => E.A;\n")).toEqual([
      expect.objectContaining({ rule: "typescript", message: expect.stringMatching(/enum .*write a const object instead$/), location: { line: 4, column: 3 } }),
    ]);
    expect(await issueOf("export class A {\n  constructor(private x: number) {}\n}\n")).toEqual([
      expect.objectContaining({ rule: "typescript", message: expect.stringMatching(/parameter property .*assign it in the constructor instead$/), location: { line: 2, column: 23 } }),
    ]);
    expect(await issueOf("import x = require('./y.cts');\n")).toEqual([expect.objectContaining({ message: expect.stringMatching(/write import or require\(\) instead$/), location: { line: 1, column: 1 } })]);
    // A syntax error in the middle of an object, and one after a tab and a non-ASCII character: the column counts characters.
    expect(await issueOf("let a = 1;\nlet b = {\n  c: 1,\n  e: enum\n};\n")).toEqual([expect.objectContaining({ rule: "syntax", location: { line: 4, column: 6 } })]);
    expect(await issueOf("const s = 'é';\n\tlet x: = 1;\n")).toEqual([expect.objectContaining({ rule: "syntax", location: { line: 2, column: 9 } })]);
  });

  it("validate() takes TypeScript by its filename", async () => {
    await expect(runtime.validate("export const f = (a: number): number => a;", { filename: "x.ts" })).resolves.toMatchObject({ valid: true });
    await expect(runtime.validate("export const f = (a: number): number => a;", { filename: "x.js" })).resolves.toMatchObject({ valid: false });
  });

  it("is hot-reloaded like JavaScript when the folder is watched", async () => {
    const root = makeTempDir();
    const folder = path.join(root, "acme");
    fs.mkdirSync(folder);
    writeFiles(folder, { "v.ts": "export const v = (): number => 1;\n" });
    const watched = makeRuntime({ root, watch: true });
    watching.push(watched);
    await watched.ready();
    await expect(watched.run({ folder, file: "v.ts", funcName: "v" })).resolves.toBe(1);
    const loaded = waitFor(watched, "module:loaded", (e) => e.file === "v.ts");
    fs.writeFileSync(path.join(folder, "v.ts"), "export const v = (): number => 2;\n");
    await loaded;
    await expect(watched.run({ folder, file: "v.ts", funcName: "v" })).resolves.toBe(2);
  });
});
