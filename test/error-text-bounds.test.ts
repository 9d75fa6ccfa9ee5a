import * as acorn from "acorn";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_ERROR_MESSAGE, RuntimeError } from "../src/errors.js";
import { clipIssue, clipText, fileIssue, limitIssues, MAX_ISSUE_MESSAGE, MAX_LISTED_ISSUES, type ValidationIssue } from "../src/loader/issues.js";
import { scoreModule } from "../src/loader/scoring.js";
import { parseManifest } from "../src/registry/manifest.js";
import { cleanupTenants, makeRuntime, makeTenant } from "./helpers.js";

// Issue 10, fix 8: every error text has a fixed bound, whatever tenant text it quotes (a 300 KB identifier
// declared twice made a 600 KB VALIDATION_ERROR), and issue lists are bounded in count.
describe("error text bounds", () => {
  it("clipText cuts at the bound, adds an ellipsis, never splits a surrogate pair", () => {
    expect(clipText("short", 10)).toBe("short");
    expect(clipText("x".repeat(20), 10)).toBe("x".repeat(10) + "…");
    const emoji = "a".repeat(9) + "😀" + "b".repeat(10);
    expect(clipText(emoji, 10)).toBe("a".repeat(9) + "…");
    expect(clipText(clipText("y".repeat(5000), 100), 100)).toBe(clipText("y".repeat(5000), 100));
  });

  it("issues made by fileIssue or passed through clipIssue carry at most MAX_ISSUE_MESSAGE characters", () => {
    expect(fileIssue("syntax", "z".repeat(300_000)).message).toHaveLength(MAX_ISSUE_MESSAGE + 1);
    const long: ValidationIssue = { rule: "syntax", message: "q".repeat(300_000), severity: "error", location: { line: 2, column: 4 } };
    expect(clipIssue(long)).toEqual({ ...long, message: "q".repeat(MAX_ISSUE_MESSAGE) + "…" });
    const short = fileIssue("manifest", "fine");
    expect(clipIssue(short)).toBe(short);
  });

  it("limitIssues lists errors first, then counts the rest", () => {
    const warnings = Array.from({ length: 3000 }, (_, i) => fileIssue("scoring", `warning ${i}`, "warning"));
    const errors = Array.from({ length: 50 }, (_, i) => fileIssue("syntax", `error ${i}`));
    const listed = limitIssues([...warnings, ...errors]);
    expect(listed).toHaveLength(MAX_LISTED_ISSUES + 1);
    expect(listed.slice(0, 50).every((i) => i.severity === "error")).toBe(true);
    expect(listed.at(-1)).toMatchObject({ rule: "max-issues", message: "2950 more issues not listed", severity: "error" });
    expect(limitIssues(errors)).toBe(errors);
  });

  it("a RuntimeError's message is bounded, whoever made it", () => {
    expect(new RuntimeError("MODULE_NOT_FOUND", `cannot find module "${"m".repeat(1e6)}"`).message.length).toBe(MAX_ERROR_MESSAGE + 1);
    expect(RuntimeError.from({ code: "RUNTIME_ERROR", name: "Error", message: "e".repeat(1e6) }).message.length).toBe(MAX_ERROR_MESSAGE + 1);
  });

  it("a manifest quotes at most a clipped key per issue and lists at most MAX_LISTED_ISSUES issues", () => {
    const huge = parseManifest(JSON.stringify({ ["k".repeat(200_000)]: 1 }));
    expect(huge.issues).toHaveLength(1);
    expect(huge.issues[0]!.message.length).toBeLessThan(300);
    const many = parseManifest(JSON.stringify(Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`f${i}`, 1]))));
    expect(many.issues).toHaveLength(MAX_LISTED_ISSUES + 1);
    expect(many.issues.at(-1)!.message).toBe(`${20_000 - MAX_LISTED_ISSUES} more issues not listed`);
    expect(JSON.stringify(many).length).toBeLessThan(16 * 1024);
  });

  it("scoring signals quote clipped names and are listed up to a bound (the score counts them all)", () => {
    const name = "password" + "x".repeat(100_000) + "token";
    const functions = Array.from({ length: 500 }, (_, i) => `function f${i}(o) { return o.${name}; }`).join("\n");
    const report = scoreModule(acorn.parse(functions, { ecmaVersion: "latest" }), "m.js", functions);
    expect(report.score).toBe(100);
    expect(report.signals).toHaveLength(MAX_LISTED_ISSUES + 1);
    expect(report.signals.at(-1)).toMatchObject({ rule: "more-signals", message: "400 more signals not listed", weight: 0 });
    expect(Math.max(...report.signals.map((s) => s.message.length))).toBeLessThan(300);
  });
});

describe("error text bounds, end to end", () => {
  const runtime = makeRuntime({ securityLevel: "PERMISSIVE", timeout: 5000 });
  afterAll(async () => {
    await runtime.close();
    cleanupTenants();
  });

  it("a module-not-found raised in the sandbox for a 200 KB specifier is bounded", async () => {
    const folder = makeTenant({
      "main.js": `exports.f = () => { try { require("node:${"x".repeat(200_000)}"); } catch (e) { return [e.code, e.message.length]; } };\n`,
    });
    const [code, length] = (await runtime.run({ folder, file: "main.js", funcName: "f" })) as [string, number];
    expect(code).toBe("MODULE_NOT_FOUND");
    expect(length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE + 1);
  });

  const huge = "a".repeat(300_000);
  it.each([
    ["a 300 KB identifier declared twice", "dup.js", `let ${huge} = 1;\nlet ${huge} = 2;\nexports.f = () => 1;\n`],
    ["a 300 KB reserved identifier", "res.js", `const __tenantbox${huge} = 1;\nexports.f = () => 1;\n`],
    ["a 300 KB reserved property", "prop.js", `exports.f = (o) => o.__tenantbox${huge};\n`],
  ])("%s: a VALIDATION_ERROR of bounded size", async (_title, file, source) => {
    const folder = makeTenant({ [file]: source });
    const report = await runtime.execute({ folder, file, funcName: "f" });
    expect(report.error?.code).toBe("VALIDATION_ERROR");
    expect(JSON.stringify(report.error).length).toBeLessThan(4 * 1024);
  });
});
