// Tenant folders built to make the host work: each was a finding of the second red-team round (issue 10),
// where the host's main thread spent seconds on it. Shared by test/hostile/host-main-thread.test.ts and
// bench/host-lag.mjs (the event-loop lag while tenants deploy and call them).

/** A package.json of about `bytes` bytes, most of it one deeply nested array. */
const nestedPackageJson = (bytes) => {
  const depth = Math.floor((bytes - 40) / 2);
  return `{"main":"index.js","pad":${"[".repeat(depth)}${"]".repeat(depth)}}`;
};

/** name -> { files, file, funcName, kind } ; kind "module" (run it) or "script" (executeCode) */
export function pathologicalTenants(scale = 1) {
  const plusses = "+".repeat(48_000 * scale);
  const starGroups = "a*".repeat(32_000 * scale);
  const bounded = "x{2,}".repeat(12_000 * scale);
  const spaces = " ".repeat(80_000 * scale);
  const specifiers = (n, tag) =>
    Array.from({ length: n }, (_, i) => `try { require("./node_modules/p/${"./".repeat(i + 1)}${tag}"); } catch {}`).join("\n");
  return {
    // Finding 1: the validator's own nested-quantifier pattern backtracked on these.
    "regexp-plus-string": { files: { "a.js": `exports.f = () => { try { new RegExp("(${plusses}"); } catch { return "refused"; } };` }, file: "a.js", funcName: "f" },
    "regex-literal-stars": { files: { "a.js": `exports.f = () => /(${starGroups})/.source.length;` }, file: "a.js", funcName: "f" },
    "regexp-bounded-repeats": { files: { "a.js": `exports.f = () => { try { return new RegExp("(${bounded}").source.length; } catch { return "refused"; } };` }, file: "a.js", funcName: "f" },
    // Finding 2: acorn's message quotes the name; stripping its position with \s*... was quadratic.
    "parse-error-long-names": { files: { "a.mjs": `const a = 1;\nexport { a as "${spaces}", a as "${spaces}" };\n` }, file: "a.mjs", funcName: "default" },
    // Finding 3: resolution repeated per call, re-reading a 64 KiB package.json per specifier.
    "resolution-flood": {
      files: {
        "a.js": `require("./b.js"); require("./c.js"); require("./d.js");\n${specifiers(490, "")}\nexports.f = () => 1;`,
        "b.js": specifiers(490, "."),
        "c.js": specifiers(490, "./."),
        "d.js": specifiers(490, "././."),
        "node_modules/p/package.json": nestedPackageJson(65_000),
        "node_modules/p/index.js": "module.exports = 1;",
      },
      file: "a.js",
      funcName: "f",
    },
    // Finding 7: 60,000 warnings in one valid file.
    "warning-flood": { files: { "a.js": "exports.f = () => 1;\n" + "typeof WebAssembly;\n".repeat(60_000) }, file: "a.js", funcName: "f" },
    // Finding 8: a 300 KB name declared twice; the error echoed it twice.
    "long-duplicate-name": { files: { "a.js": `let ${"x".repeat(300_000)} = 1;\nlet ${"x".repeat(300_000)} = 2;\n` }, file: "a.js", funcName: "f" },
  };
}
