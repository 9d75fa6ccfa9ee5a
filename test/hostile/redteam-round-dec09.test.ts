import { afterAll, describe, expect, it } from "vitest";
import { cleanupTenants, makeRuntime, makeTenant } from "../helpers.js";

/*
 * Red-team round of Dec 09 (the newest shims, the ES-module export check, the host's main thread). Findings:
 *
 *   F1 `export { x as "__proto__" }` was lost: the transform wrote each export as `"name": () => x` in the
 *      object literal it hands the module's namespace, and a literal `"__proto__":` key sets that object's
 *      prototype instead of making a property. `import { "__proto__" as p } from './b.mjs'` then threw the new
 *      "does not provide an export named '__proto__'" SyntaxError (Node exports it; arbitrary string names are
 *      ES2022). Keys are computed now (`["name"]: ...`).
 */

afterAll(() => cleanupTenants());

describe("F1: an export named by a string that is special in an object literal", () => {
  const runtime = makeRuntime();
  afterAll(async () => runtime.close());

  it('`export { x as "__proto__" }` is exported and imported, as in Node', async () => {
    const folder = makeTenant({
      "b.mjs": 'const x = 1, y = 2, z = 3; export { x as "__proto__", y as "a-b", z as "constructor" };\n',
      "main.mjs":
        'import { "__proto__" as p, "a-b" as ab, "constructor" as c } from "./b.mjs";\nimport * as ns from "./b.mjs";\n' +
        "export const f = () => ({ p, ab, c, keys: Object.keys(ns), own: Object.hasOwn(ns, '__proto__') });\n",
      "re.mjs": 'export { "__proto__" } from "./b.mjs";\n',
      "main2.mjs": 'import { "__proto__" as q } from "./re.mjs";\nexport const f = () => q;\n',
    });
    expect(await runtime.run({ folder, file: "main.mjs", funcName: "f", args: [] })).toEqual({
      p: 1,
      ab: 2,
      c: 3,
      keys: ["__proto__", "a-b", "constructor"],
      own: true,
    });
    expect(await runtime.run({ folder, file: "main2.mjs", funcName: "f", args: [] })).toBe(1);
  });
});
