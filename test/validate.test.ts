import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupTenants, IsolatedRuntime, makeRuntime, makeTenant, RuntimeError } from "./helpers.js";

type Level = "STRICT" | "SECURE" | "STANDARD" | "PERMISSIVE";
interface Issue {
  rule: string;
  message: string;
  severity: "error" | "warning";
  location: { line: number; column: number };
}

let runtime: InstanceType<typeof IsolatedRuntime>;
const toolNames: string[] = [];

beforeAll(() => {
  runtime = makeRuntime({ maxThreads: 1, toolHandler: (name) => void toolNames.push(name) });
});

afterAll(async () => {
  await runtime?.close();
  cleanupTenants();
});

async function check(code: string, options: { filename?: string; securityLevel?: Level } = {}) {
  const result = (await runtime.validate(code, options)) as { valid: boolean; issues: Issue[] };
  expect(typeof result.valid).toBe("boolean");
  expect(Array.isArray(result.issues)).toBe(true);
  for (const issue of result.issues) {
    expect(typeof issue.rule).toBe("string");
    expect(typeof issue.message).toBe("string");
    expect(["error", "warning"]).toContain(issue.severity);
    expect(Number.isInteger(issue.location.line)).toBe(true);
    expect(Number.isInteger(issue.location.column)).toBe(true);
  }
  return result;
}

function errorsOf(result: { issues: Issue[] }, rule?: string) {
  return result.issues.filter((i) => i.severity === "error" && (rule === undefined || i.rule === rule));
}

function warningsOf(result: { issues: Issue[] }, rule?: string) {
  return result.issues.filter((i) => i.severity === "warning" && (rule === undefined || i.rule === rule));
}

describe("clean code", () => {
  it("a clean CommonJS module is valid with no issues", async () => {
    const result = await check("const util = require('./util.js');\nexports.f = async (order) => { const items = order.items.map((i) => i.qty); return items.reduce((a, b) => a + b, 0); };");
    expect(result).toEqual({ valid: true, issues: [] });
  });

  it("a clean ES module is valid with no issues", async () => {
    const result = await check("import { x } from './x.js';\nexport default function f(a) { return a + x; }\nexport class C { #p = 1; get p() { return this.#p; } }", { filename: "m.mjs" });
    expect(result).toEqual({ valid: true, issues: [] });
  });

  it("the words eval and Function inside strings and comments are not findings", async () => {
    const result = await check("// eval(x) and new Function('y')\nexports.f = () => ['eval(1)', \"new Function('a')\", `with (x) {}`];");
    expect(result).toEqual({ valid: true, issues: [] });
  });
});

describe("code generation and dynamic loading", () => {
  const cases: [string, string, string[], string?][] = [
    ["eval", "exports.f = (s) => eval(s);", ["no-eval"]],
    ["an alias of eval", "const e = eval;\nexports.f = (s) => e(s);", ["no-eval"]],
    ["new Function", "exports.f = () => new Function('return 1')();", ["no-function-constructor"]],
    ["Function called without new", "exports.f = () => Function('return 1')();", ["no-function-constructor"]],
    ["with", "exports.f = (o) => { with (o) { return x; } };", ["no-with", "syntax"]],
    ["import() of a computed specifier", "exports.f = (name) => import(name);", ["no-dynamic-import"]],
    ["import() of a template with an expression", "exports.f = (n) => import(`./${n}.js`);", ["no-dynamic-import"]],
    ["import() of a computed specifier in an ES module", "export const f = (name) => import('./' + name);", ["no-dynamic-import"], "m.mjs"],
    ["import.meta", "export const f = () => import.meta.url;", ["no-import-meta"], "m.mjs"],
    ["setTimeout('code')", "exports.f = () => setTimeout('doEvil()', 1);", ["no-string-timer"]],
    ["setInterval(`code`)", "exports.f = () => setInterval(`doEvil()`, 1);", ["no-string-timer"]],
    ["require(variable)", "exports.f = (name) => require(name);", ["static-require"]],
    ["require(template with expression)", "exports.f = (n) => require(`./${n}.js`);", ["static-require"]],
    ["require passed around", "const r = require;\nexports.f = () => r('./x.js');", ["static-require"]],
    ["a __tenantbox identifier", "exports.f = () => __tenantbox('run');", ["no-reserved-identifier"]],
    ["a __tenantbox property", "exports.f = () => globalThis.__tenantbox;", ["no-reserved-identifier"]],
    ["a __tenantbox computed property", "exports.f = () => globalThis['__tenantbox_tick'];", ["no-reserved-identifier"]],
    ["a __tenantbox property destructured", "exports.f = () => { const { __tenantbox: entry } = globalThis; return entry; };", ["no-reserved-identifier"]],
    ["a __tenantbox declaration", "const __tenantbox_exports = 1;\nexports.f = () => __tenantbox_exports;", ["no-reserved-identifier"]],
  ];
  for (const [what, code, rules, filename] of cases) {
    it(`refuses ${what} at every level`, async () => {
      for (const securityLevel of ["STRICT", "SECURE", "STANDARD", "PERMISSIVE"] as Level[]) {
        const result = await check(code, { securityLevel, ...(filename ? { filename } : {}) });
        expect(result.valid, `${what} at ${securityLevel}`).toBe(false);
        expect(
          errorsOf(result).some((i) => rules.includes(i.rule)),
          `${what} at ${securityLevel}: ${JSON.stringify(result.issues)}`,
        ).toBe(true);
      }
    });
  }

  it("accepts import() of a string literal at every level, CommonJS and ES module (it joins the module graph)", async () => {
    for (const securityLevel of ["STRICT", "SECURE", "STANDARD", "PERMISSIVE"] as Level[]) {
      for (const [code, filename] of [
        ["exports.f = () => import('./x.js');", "a.js"],
        ["exports.f = () => import /* a comment */ (\n`./x.js`, { with: { type: 'json' } });", "a.js"],
        ["export const f = async () => (await import('./x.mjs')).default;", "m.mjs"],
      ] as const) {
        const result = await check(code, { securityLevel, filename });
        expect(result.valid, `${code} at ${securityLevel}: ${JSON.stringify(result.issues)}`).toBe(true);
      }
    }
  });

  it("reports the location of a finding", async () => {
    const result = await check("const a = 1;\nconst b = eval('2');\nexports.f = () => b;");
    const [issue] = errorsOf(result, "no-eval");
    expect(issue!.location).toEqual({ line: 2, column: 11 });
  });

  it("reports the location of a finding on line 1 of a CommonJS file without the wrapper's offset", async () => {
    const result = await check("exports.f = () => eval('1');");
    const [issue] = errorsOf(result, "no-eval");
    expect(issue!.location).toEqual({ line: 1, column: 19 });
  });

  it("a .json file is checked as JSON, as the runtime loads it", async () => {
    expect(await check('{ "a": [1, 2] }', { filename: "data.json" })).toEqual({ valid: true, issues: [] });
    const word = await check("x", { filename: "data.json" });
    expect(word.valid).toBe(false);
    expect(word.issues[0]).toMatchObject({ rule: "syntax", message: expect.stringMatching(/^invalid JSON/), location: { line: 1, column: 1 } });
    const broken = await check('{\n  "a": 1,\n  bad\n}', { filename: "DATA.JSON" });
    expect(broken.issues[0]).toMatchObject({ rule: "syntax", location: { line: 3, column: 3 } });
    // A byte order mark first is skipped, as the runtime (and Node's require) skip it.
    expect(await check('\uFEFF{ "a": 1 }', { filename: "data.json" })).toEqual({ valid: true, issues: [] });
  });

  it("require in an ES module is refused", async () => {
    const result = await check("export const f = () => require('./x.js');", { filename: "m.mjs" });
    expect(result.valid).toBe(false);
    expect(errorsOf(result, "static-require")).toHaveLength(1);
  });

  it("top-level await in an ES module is refused", async () => {
    const result = await check("const v = await Promise.resolve(1);\nexport const f = () => v;", { filename: "m.mjs" });
    expect(result.valid).toBe(false);
  });

  // `await using` awaits with no AwaitExpression node: the rule missed it, and the module failed only when the
  // engine compiled its wrapper (a non-async function), after `tenantbox check` had called it valid.
  // The rule walk does not enter import specifiers: `import * as __tenantbox_q from "./y.mjs"` declared a
  // const of the module's wrapper with a reserved name (beside __tenantbox_import and the module variables).
  it("reserved names as import bindings are refused", async () => {
    for (const code of ["import * as __tenantbox_q from './y.mjs';\nexport { __tenantbox_q };", "import { y as __tenantbox_b } from './y.mjs';", "import __tenantbox_d from './y.mjs';"]) {
      const result = await check(code, { filename: "m.mjs", securityLevel: "PERMISSIVE" });
      expect(result.valid, code).toBe(false);
      expect(errorsOf(result, "no-reserved-identifier"), code).toHaveLength(1);
    }
  });

  it("top-level await using (and for (await using ...)) in an ES module is refused", async () => {
    for (const code of ["await using r = null;\nexport const f = () => 1;", "for (await using r of []) ;\nexport const f = () => 1;"]) {
      const result = await check(code, { filename: "m.mjs", securityLevel: "PERMISSIVE" });
      expect(result.valid, code).toBe(false);
      expect(errorsOf(result, "no-top-level-await"), code).toHaveLength(1);
    }
    const inside = await check("export async function f() { await using r = null; for (await using q of []) ; return 1; }", { filename: "m.mjs" });
    expect(errorsOf(inside, "no-top-level-await")).toHaveLength(0);
  });
});

describe("escape shapes depend on the security level", () => {
  it("constructor.constructor is an error at STANDARD and above, a warning at PERMISSIVE", async () => {
    const code = "exports.f = (x) => x.constructor.constructor('return process')();";
    for (const level of ["STRICT", "SECURE", "STANDARD"] as Level[]) {
      const result = await check(code, { securityLevel: level });
      expect(result.valid, level).toBe(false);
      expect(errorsOf(result, "no-constructor-chain"), level).toHaveLength(1);
    }
    const permissive = await check(code, { securityLevel: "PERMISSIVE" });
    expect(permissive.valid).toBe(true);
    expect(warningsOf(permissive, "no-constructor-chain")).toHaveLength(1);
  });

  it("constructor.constructor written with computed string keys is still found", async () => {
    const result = await check("exports.f = (x) => x['constructor']['constructor']('return 1')();");
    expect(errorsOf(result, "no-constructor-chain")).toHaveLength(1);
  });

  it("a host global is an error at SECURE, a warning at STANDARD", async () => {
    const code = "exports.f = () => typeof WebAssembly;";
    for (const level of ["STRICT", "SECURE"] as Level[]) {
      const result = await check(code, { securityLevel: level });
      expect(result.valid, level).toBe(false);
      expect(errorsOf(result, "no-host-globals"), level).toHaveLength(1);
    }
    const standard = await check(code, { securityLevel: "STANDARD" });
    expect(standard.valid).toBe(true);
    expect(warningsOf(standard, "no-host-globals")).toHaveLength(1);
  });

  it("WebAssembly, SharedArrayBuffer, Atomics and FinalizationRegistry are host globals; process, Buffer and global are the realm's own", async () => {
    for (const name of ["WebAssembly", "SharedArrayBuffer", "Atomics", "FinalizationRegistry"]) {
      const result = await check(`exports.f = () => typeof ${name};`, { securityLevel: "SECURE" });
      expect(errorsOf(result, "no-host-globals"), name).toHaveLength(1);
    }
    for (const name of ["process", "Buffer", "global", "setImmediate"]) {
      const result = await check(`exports.f = () => typeof ${name};`, { securityLevel: "SECURE" });
      expect(result.valid, name).toBe(true);
    }
  });

  it("Proxy and Reflect are errors at STRICT and allowed at STANDARD", async () => {
    const code = "exports.f = () => new Proxy({}, {});\nexports.g = () => Reflect.ownKeys({});";
    const strict = await check(code, { securityLevel: "STRICT" });
    expect(strict.valid).toBe(false);
    expect(errorsOf(strict, "no-reflection").length).toBeGreaterThanOrEqual(2);
    expect((await check(code, { securityLevel: "STANDARD" })).valid).toBe(true);
    // Read from the global object, by name or by destructuring: the same globals.
    for (const read of ["globalThis.Reflect.ownKeys({})", 'global["Proxy"]', "(() => { const { Reflect: R } = globalThis; return R; })()"]) {
      const result = await check(`exports.h = () => ${read};`, { securityLevel: "STRICT" });
      expect(errorsOf(result, "no-reflection").length, read).toBeGreaterThanOrEqual(1);
      expect((await check(`exports.h = () => ${read};`, { securityLevel: "STANDARD" })).valid, read).toBe(true);
    }
  });

  it("Error.prepareStackTrace and arguments.callee are errors at STANDARD", async () => {
    const result = await check("Error.prepareStackTrace = (e, s) => s;\nexports.f = function () { return arguments.callee; };");
    expect(result.valid).toBe(false);
    expect(errorsOf(result, "no-stack-tricks").length).toBeGreaterThanOrEqual(2);
  });

  it("__proto__ is an error at SECURE", async () => {
    const result = await check("exports.f = () => ({}).__proto__;", { securityLevel: "SECURE" });
    expect(errorsOf(result, "no-proto")).toHaveLength(1);
  });

  it("the runtime's own level is the default", async () => {
    const permissive = makeRuntime({ securityLevel: "PERMISSIVE", maxThreads: 1, minThreads: 0 });
    try {
      const code = "exports.f = (x) => x.constructor.constructor;";
      expect((await permissive.validate(code)).valid).toBe(true);
      expect((await runtime.validate(code)).valid).toBe(false);
    } finally {
      await permissive.close();
    }
  });

  it("an unknown level or a non-string code throws", async () => {
    await expect(runtime.validate("exports.f = 1;", { securityLevel: "LAX" as never })).rejects.toThrow();
    await expect(runtime.validate(42 as never)).rejects.toThrow(TypeError);
  });
});

describe("syntax errors", () => {
  it("a syntax error is rule 'syntax' with line and column", async () => {
    const result = await check("exports.f = () => {\n  return 1 +;\n};");
    expect(result.valid).toBe(false);
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ rule: "syntax", severity: "error", location: { line: 2, column: 13 } });
  });

  it("a syntax error on line 1 has the right column", async () => {
    const result = await check("const = 5;");
    expect(result.issues[0]).toMatchObject({ rule: "syntax", location: { line: 1, column: 7 } });
  });

  it("a syntax error in an ES module has line and column", async () => {
    const result = await check("import { a } from './a.js';\nexport function f() {\n  return a +* 2;\n}", { filename: "m.mjs" });
    expect(result.issues[0]).toMatchObject({ rule: "syntax", location: { line: 3, column: 13 } });
  });

  it("the message does not repeat the position in parentheses", async () => {
    const result = await check("let let = 1;");
    expect(result.issues[0]!.rule).toBe("syntax");
    expect(result.issues[0]!.message).not.toMatch(/\(\d+:\d+\)$/);
  });
});

describe("pre-scan", () => {
  it("BiDi control characters are rejected with their location", async () => {
    for (const ch of ["\u202E", "\u2066", "\u2067", "\u2068", "\u2069", "\u202A"]) {
      const result = await check(`const ok = true;\nconst s = "x${ch}y";\nexports.f = () => s;`);
      expect(result.valid).toBe(false);
      const bidi = result.issues.find((i) => i.severity === "error" && /bidi/i.test(i.rule));
      expect(bidi, JSON.stringify(result.issues)).toBeDefined();
      expect(bidi!.location).toEqual({ line: 2, column: 13 });
    }
  });

  it('a nesting-depth bomb "[".repeat(10000) is rejected without crashing', async () => {
    for (const bomb of ["[".repeat(10000), "(".repeat(100000), "{".repeat(50000), "x = " + "[".repeat(300) + "]".repeat(300)]) {
      const result = await check(bomb);
      expect(result.valid).toBe(false);
      expect(errorsOf(result).length).toBeGreaterThan(0);
    }
  });

  it("deep nesting without brackets (unary chains, arrow chains, long + chains) does not crash validate()", async () => {
    const inputs = [
      "x = " + "!".repeat(100000) + "1;",
      "x = " + "- ".repeat(3000) + "1;",
      "x = " + "a => ".repeat(5000) + "1;",
      "x = " + "1 + ".repeat(3000) + "1;",
      "x = " + "a ? b : ".repeat(3000) + "1;",
      "x = " + "'s' + ".repeat(5000) + "'t';",
    ];
    for (const input of inputs) {
      const result = await check(input);
      expect(typeof result.valid, input.slice(0, 20)).toBe("boolean");
    }
  });

  it("a long string concatenation in a tenant module fails cleanly or runs: never a raw host error", async () => {
    const folder = makeTenant({ "concat.js": "exports.f = () => " + "'a' + ".repeat(3000) + "'b';" });
    let outcome: unknown;
    try {
      outcome = await runtime.run({ folder, file: "concat.js", funcName: "f" });
    } catch (error) {
      outcome = error;
    }
    if (typeof outcome === "string") expect(outcome).toBe("a".repeat(3000) + "b");
    else {
      expect(outcome).toBeInstanceOf(RuntimeError);
      expect((outcome as InstanceType<typeof RuntimeError>).code).toBe("VALIDATION_ERROR");
    }
    const report = await runtime.execute({ folder, file: "concat.js", funcName: "f" }).catch((e: unknown) => ({ rejected: e }));
    expect(report).not.toHaveProperty("rejected");
  });

  it("modules over the level's size limit are rejected", async () => {
    const big = "// " + "x".repeat(300 * 1024) + "\nexports.f = () => 1;";
    const strict = await check(big, { securityLevel: "STRICT" });
    expect(strict.valid).toBe(false);
    expect((await check(big, { securityLevel: "STANDARD" })).valid).toBe(true);
  });

  it("a catastrophic regex literal is at least a warning", async () => {
    const result = await check("exports.f = (s) => /^(a+)+$/.test(s);");
    expect(result.issues.length).toBeGreaterThan(0);
  });
});

describe("validate never runs code", () => {
  it("top-level side effects, infinite loops and tool calls do not run", async () => {
    const started = Date.now();
    const result = await check("callTool('validate-ran', {});\nwhile (true) {}\nthrow new Error('ran');");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.valid).toBe(true);
    expect(toolNames).not.toContain("validate-ran");
  });

  it("validating an invalid module does not affect the runtime", async () => {
    await check("exports.f = () => eval('1');");
    const folder = makeTenant({ "a.js": "exports.f = () => 'still fine';" });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toBe("still fine");
  });
});

describe("run() applies the same validation", () => {
  it("eval in a module is VALIDATION_ERROR with its issue, before anything runs", async () => {
    const folder = makeTenant({ "a.js": "callTool('module-ran', {});\nexports.f = () => eval('1');" });
    const error = (await runtime.run({ folder, file: "a.js", funcName: "f" }).catch((e: unknown) => e)) as InstanceType<typeof RuntimeError>;
    expect(error).toBeInstanceOf(RuntimeError);
    expect(error.code).toBe("VALIDATION_ERROR");
    const issues = error.details?.issues as Issue[];
    expect(issues.some((i) => i.rule === "no-eval" && i.location.line === 2)).toBe(true);
    expect(toolNames).not.toContain("module-ran");
  });
});
