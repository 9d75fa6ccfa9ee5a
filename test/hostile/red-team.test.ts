import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupTenants, expectCode, expectUsable, IsolatedRuntime, makeRuntime, makeTenant, sleep } from "../helpers.js";

/*
 * Regressions for the findings of the first red-team review (one worker, so consecutive calls share a
 * reused realm). The grammar, species and guard cases reproduce the reported attacks; the Proxy vector
 * itself is closed by Proxy's absence (hostile-starter.test.ts), so the promise case here checks that the
 * remaining non-Proxy shape of it stays harmless.
 */

let runtime: InstanceType<typeof IsolatedRuntime>;
beforeAll(() => {
  runtime = makeRuntime({ maxThreads: 1, securityLevel: "PERMISSIVE", timeout: 1000 });
});
afterAll(async () => {
  await runtime?.close();
  cleanupTenants();
});

describe("script/module grammar mismatch", () => {
  it("an ES module cannot hide code behind <!-- (an HTML-like comment of the script grammar); a postfix --> reads the same in both grammars", async () => {
    const folder = makeTenant({
      "open.mjs": "let a = 1;\nlet imp = a <!--a /*\nimp = () => import('x');\n// */\nexport function fn() { return typeof imp; }\n",
      "close.mjs": "let a = 2;\nlet b = a-->0;\nexport function fn() { return b; }\n",
      "spaced.mjs": "let a = 2;\nlet b = a-- > 0;\nlet c = a < !--a;\nexport function fn() { return [b, c]; }\n",
    });
    const open = await expectCode(runtime, { folder, file: "open.mjs", funcName: "fn" }, "VALIDATION_ERROR");
    expect(JSON.stringify(open.details)).toContain("no-html-comment");
    // `a-->0` is `(a--) > 0` in a script too: a postfix -- has its operand before it on its line, and --> is a
    // comment only first on a line.
    await expect(runtime.run({ folder, file: "close.mjs", funcName: "fn" })).resolves.toBe(true);
    await expect(runtime.run({ folder, file: "spaced.mjs", funcName: "fn" })).resolves.toEqual([true, false]);
  });
});

describe("host code touching tenant promises", () => {
  it("a rejected promise with a hostile prototype neither escapes nor disturbs the next tenant's call", async () => {
    const attacker = makeTenant({
      "a.js": `exports.fn = async function () {
  const payload = { [Symbol.for("nodejs.util.inspect.custom")]() { return "inspected"; } };
  const hostile = Object.create(Promise.prototype, { then: { get() { throw payload; } } });
  const p = Promise.reject(payload);
  Object.setPrototypeOf(p, hostile);
  await new Promise((r) => setTimeout(r, 20));
  return "done";
};`,
    });
    const victim = makeTenant({ "b.js": "exports.fn = () => context.secret.length;" });
    const [a, b] = await Promise.all([
      runtime.execute({ folder: attacker, file: "a.js", funcName: "fn" }),
      runtime.execute({ folder: victim, file: "b.js", funcName: "fn", context: { secret: "s3cr3t" } }),
    ]);
    expect(a.success, JSON.stringify(a.error)).toBe(true);
    expect(b.value).toBe(6);
    await expectUsable(runtime);
  });

  it("Symbol.for is a registry of the invocation: no shared symbols with the host, nothing kept between calls", async () => {
    const folder = makeTenant({
      "s.js": `exports.fn = (tag) => {
  const mine = Symbol.for("tenantbox-test");
  return [Symbol.keyFor(mine), Symbol.for("tenantbox-test") === mine, Symbol.for("nodejs.util.inspect.custom") === Symbol.for("nodejs.util.inspect.custom"), typeof Symbol.keyFor(Symbol.iterator)];
};`,
    });
    await expect(runtime.run({ folder, file: "s.js", funcName: "fn" })).resolves.toEqual(["tenantbox-test", true, true, "undefined"]);
    // The host's well-known registered symbol is not the tenant's.
    const hostInspect = Symbol.for("nodejs.util.inspect.custom");
    expect(typeof hostInspect).toBe("symbol");
  });
});

describe("guards cannot be reached or disabled", () => {
  it("module-level arguments and __tenantbox names are refused at every level", async () => {
    const folder = makeTenant({
      "args.js": "const b = arguments[5];\nexports.fn = () => typeof b;\n",
      "name.js": "exports.fn = () => typeof __tenantbox_b;\n",
      "inner.js": "exports.fn = function () { return arguments.length; };\n",
    });
    await expectCode(runtime, { folder, file: "args.js", funcName: "fn" }, "VALIDATION_ERROR");
    await expectCode(runtime, { folder, file: "name.js", funcName: "fn" }, "VALIDATION_ERROR");
    await expect(runtime.run({ folder, file: "inner.js", funcName: "fn", args: [1, 2] })).resolves.toBe(2);
  });
});

describe("memory outside the heap", () => {
  it("copies through a species of undefined are charged", async () => {
    const small = makeRuntime({ maxThreads: 1, memoryLimitMb: 16, securityLevel: "PERMISSIVE", timeout: 5000 });
    try {
      const folder = makeTenant({
        "m.js": `exports.fn = () => {
  class X extends Uint8Array { static get [Symbol.species]() { return undefined; } }
  const seed = new X(16 * 2 ** 20);
  const keep = [];
  for (let i = 0; i < 30; i++) keep.push(seed.slice());
  return keep.length;
};`,
      });
      await expectCode(small, { folder, file: "m.js", funcName: "fn" }, "MEMORY_LIMIT_EXCEEDED");
    } finally {
      await small.close();
    }
  });
});

describe("timers of an ended invocation", () => {
  it("an interval left running never calls into the next invocation", async () => {
    const folder = makeTenant({
      "t.js": "exports.leave = () => { setInterval(() => { globalThis.leaked = context && context.who; }, 1); return 1; };\nexports.look = async () => { await new Promise((r) => setTimeout(r, 30)); return typeof globalThis.leaked; };\n",
    });
    await runtime.run({ folder, file: "t.js", funcName: "leave", context: { who: "a" } });
    await sleep(10);
    await expect(runtime.run({ folder, file: "t.js", funcName: "look", context: { who: "b" } })).resolves.toBe("undefined");
  });
});
