import fs from "node:fs";
import path from "node:path";
import type { ExecuteResult } from "../../../dist/index.js";
import type { CaseEnv, HostileCase } from "./types.js";

const allNotFound = (n: number) => (v: unknown) =>
  (Array.isArray(v) && v.length === n && v.every((x) => x === "MODULE_NOT_FOUND")) || `expected ${n} x MODULE_NOT_FOUND`;

/** A CommonJS module whose f() tries each require lazily and reports the code (or what it read). */
function requires(specifiers: string[]): string {
  return `const attempt = (load) => { try { const m = load(); return "LOADED:" + JSON.stringify(m); } catch (e) { return e.code || e.name; } };
exports.f = () => [
${specifiers.map((s) => `  attempt(() => require(${JSON.stringify(s)})),`).join("\n")}
];
`;
}

function requireCase(id: string, title: string, specifiers: string[], extra: Partial<HostileCase> = {}): HostileCase {
  return { id, title, source: requires(specifiers), expect: { codes: "success", valueCheck: allNotFound(specifiers.length) }, naive: false, ...extra };
}

function link(target: string, at: string): void {
  fs.mkdirSync(path.dirname(at), { recursive: true });
  fs.symlinkSync(target, at);
}

/** A hard link: realpath, O_NOFOLLOW and /proc/self/fd all see `at` inside the folder; only st_nlink tells. */
function hardLink(target: string, at: string): void {
  fs.mkdirSync(path.dirname(at), { recursive: true });
  fs.linkSync(target, at);
}

const HARD_LINK_REFUSED = /has 2 hard links; tenant files must have exactly one/;

/** The load is refused with a not-a-file issue that says why (a hard link). */
const refusedAsHardLink = (report: ExecuteResult): string | undefined => {
  const issues = (report.error?.details as { issues?: { rule: string; message: string }[] } | undefined)?.issues ?? [];
  if (!issues.some((i) => i.rule === "not-a-file" && HARD_LINK_REFUSED.test(i.message))) return `expected a not-a-file issue naming the hard link: ${JSON.stringify(report.error)}`;
  return undefined;
};

function writeAt(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/**
 * Paths: '..', absolute paths, symlinks to a file and to a folder outside, another tenant's folder, encoded
 * names, package.json main/exports pointing outside, node_modules symlinks, and the same through the entry
 * file of the request and the hooks manifest. Layout: <root>/secret.txt|js|json, <root>/outside/...,
 * <root>/other-tenant/..., and each case's folder at <root>/tenants/<id>.
 */
export const pathCases: HostileCase[] = [
  requireCase("dot-dot", "require('../../secret.js') and friends, one and two levels up", [
    "../../secret.js",
    "../../secret",
    "../../secret.json",
    "../../outside/outside.js",
    "../../outside/dir",
  ]),
  requireCase("dot-dot-through-inside", "'..' that passes through folders inside first (./sub/../../..)", [
    "./sub/../../../secret.js",
    "./../../secret.js",
    "./sub/./../../../outside/outside.js",
  ], { files: { "sub/keep.js": "exports.x = 1;\n" } }),
  requireCase("absolute", "absolute specifiers: the secret, /etc/passwd, a file: URL", ["__TEMP_ROOT__/secret.js", "__SECRET_FILE__", "/etc/passwd", "file://__TEMP_ROOT__/secret.js"]),
  requireCase("other-tenant", "another tenant's folder, by '..' and by absolute path", ["../../other-tenant/secret.js", "../../other-tenant/secret.json", "__TEMP_ROOT__/other-tenant/secret.js"]),
  requireCase("sibling-tenant", "a sibling tenant folder next to this one", ["../sibling-of-paths/secret.js", "../sibling-of-paths"], {
    setup: (env: CaseEnv) =>
      writeAt(path.join(path.dirname(env.folder), "sibling-of-paths", "secret.js"), `exports.secret = ${JSON.stringify(fs.readFileSync(env.otherSecretFile, "utf8"))};\n`),
  }),
  requireCase("directories", "'..', '../..' and '../../outside' as directories", ["..", "../..", "../../outside"]),
  requireCase("symlink-file", "a symlink inside the folder to a file outside", ["./link.js", "./link"], {
    setup: (env) => link(path.join(env.root, "secret.js"), path.join(env.folder, "link.js")),
  }),
  requireCase("symlink-relative-target", "a symlink whose relative target climbs out (../../secret.js)", ["./rel.js"], {
    setup: (env) => link("../../secret.js", path.join(env.folder, "rel.js")),
  }),
  requireCase("symlink-chain", "a chain of symlinks that ends outside (a.js -> b.js -> secret)", ["./a.js", "./b.js"], {
    setup: (env) => {
      link(path.join(env.root, "secret.js"), path.join(env.folder, "b.js"));
      link(path.join(env.folder, "b.js"), path.join(env.folder, "a.js"));
    },
  }),
  requireCase("symlink-folder", "a symlink inside the folder to a folder outside", ["./lib/x.js", "./lib", "./lib/index.js"], {
    setup: (env) => link(path.join(env.outside, "dir"), path.join(env.folder, "lib")),
  }),
  requireCase("symlink-other-tenant", "a symlink to another tenant's folder", ["./friend/secret.js", "./friend/secret.json"], {
    setup: (env) => link(env.otherTenant, path.join(env.folder, "friend")),
  }),
  requireCase("symlink-loop", "a symlink loop and a dangling symlink", ["./loop.js", "./dangling.js"], {
    setup: (env) => {
      link(path.join(env.folder, "loop.js"), path.join(env.folder, "loop.js"));
      link(path.join(env.root, "no-such-file.js"), path.join(env.folder, "dangling.js"));
    },
  }),
  requireCase("encoded-names", "percent-encoded and backslash spellings of '..' are names, never decoded", [
    "./%2e%2e/%2e%2e/secret.js",
    "..%2f..%2fsecret.js",
    "./..%2F..%2Fsecret.js",
    "./..\\..\\secret.js",
    "%2e%2e/%2e%2e/secret.js",
  ]),
  requireCase("nul-and-odd-names", "NUL bytes, '~', a trailing slash and a scheme in specifiers", [
    "./main.js\u0000../../secret.js",
    "~/secret.js",
    "../../secret.js/",
    "node:../../secret.js",
  ]),
  requireCase("package-main-outside", "node_modules/evil/package.json with main climbing out of the folder", ["evil", "evil/index.js"], {
    files: { "node_modules/evil/package.json": JSON.stringify({ name: "evil", main: "../../../../secret.js" }) },
  }),
  requireCase("package-exports-outside", "package.json exports (conditions) pointing outside", ["evil2"], {
    files: { "node_modules/evil2/package.json": JSON.stringify({ name: "evil2", exports: { ".": { require: "../../../../secret.js", default: "../../../../secret.js" } } }) },
  }),
  requireCase("package-main-absolute", "package.json main with an absolute path", ["evil3"], {
    files: { "node_modules/evil3/package.json": JSON.stringify({ name: "evil3", main: "__TEMP_ROOT__/secret.js" }) },
  }),
  requireCase("node-modules-symlink", "a package in node_modules that is a symlink to a folder outside", ["pkg", "pkg/index.js"], {
    setup: (env) => link(path.join(env.outside, "pkg"), path.join(env.folder, "node_modules", "pkg")),
  }),
  requireCase("node-modules-folder-symlink", "node_modules itself is a symlink to a folder outside", ["pkg", "dir/x.js"], {
    setup: (env) => link(env.outside, path.join(env.folder, "node_modules")),
  }),
  requireCase("bare-specifier-traversal", "bare specifiers with '..' inside (pkg/../../x, @scope/../..)", [
    "pkg/../../../../secret.js",
    "@scope/../../../../secret.js",
    "./node_modules/../../../secret.js",
    "../node_modules/x",
  ], { files: { "node_modules/pkg/index.js": "exports.ok = 1;\n" } }),
  {
    id: "esm-import-outside",
    title: "import { secret } from '../../secret.js' in an ES module",
    esm: true,
    source: `import { secret } from "../../secret.js";\nexport function f() { return secret; }\n`,
    expect: { codes: ["MODULE_NOT_FOUND"] },
  },
  {
    id: "esm-export-star-outside",
    title: "export * from an ES module outside the folder",
    esm: true,
    source: `export * from "../../outside/outside.mjs";\nexport function f() { return "loaded"; }\n`,
    expect: { codes: ["MODULE_NOT_FOUND"] },
  },
  {
    id: "esm-import-json-outside",
    title: "import data from '../../secret.json' and from a symlinked JSON file",
    esm: true,
    setup: (env) => link(path.join(env.root, "secret.json"), path.join(env.folder, "data.json")),
    source: `import data from "./data.json";\nexport function f() { return data; }\n`,
    expect: { codes: ["MODULE_NOT_FOUND"] },
  },
  {
    id: "top-level-require-outside",
    title: "a module-level require of a file outside fails the whole load",
    source: `const s = require("../../secret.js");\nexports.f = () => s.secret;\n`,
    expect: { codes: ["MODULE_NOT_FOUND"] },
  },
  {
    id: "entry-dot-dot",
    title: "the request's file climbs out of the folder (../../secret.js)",
    source: "exports.f = () => 1;\n",
    request: { file: "../../secret.js" },
    expect: { codes: ["INVALID_REQUEST"] },
  },
  {
    id: "entry-dot-dot-through-inside",
    title: "the request's file goes in, then out (sub/../../../secret.js)",
    source: "exports.f = () => 1;\n",
    files: { "sub/x.js": "exports.f = () => 1;\n" },
    request: { file: "sub/../../../secret.js" },
    expect: { codes: ["INVALID_REQUEST"] },
  },
  {
    id: "entry-absolute",
    title: "the request's file is an absolute path",
    source: "exports.f = () => 1;\n",
    request: { file: "__TEMP_ROOT__/secret.js" },
    expect: { codes: ["INVALID_REQUEST"] },
  },
  {
    id: "entry-symlink-file",
    title: "the request's file is a symlink to a file outside",
    source: "exports.f = () => 1;\n",
    setup: (env) => link(path.join(env.root, "secret.js"), path.join(env.folder, "entry-link.js")),
    request: { file: "entry-link.js" },
    expect: { codes: ["MODULE_NOT_FOUND"] },
  },
  {
    id: "entry-symlink-folder",
    title: "the request's file is inside a symlinked folder that points outside",
    source: "exports.f = () => 1;\n",
    setup: (env) => link(path.join(env.outside, "dir"), path.join(env.folder, "lib")),
    request: { file: "lib/x.js" },
    expect: { codes: ["MODULE_NOT_FOUND"] },
  },
  {
    id: "entry-other-tenant",
    title: "the request's file reaches into another tenant's folder",
    source: "exports.f = () => 1;\n",
    request: { file: "../../other-tenant/secret.js" },
    expect: { codes: ["INVALID_REQUEST"] },
  },
  {
    id: "entry-encoded",
    title: "the request's file with percent-encoded dots is a name, not a path",
    source: "exports.f = () => 1;\n",
    request: { file: "%2e%2e/%2e%2e/secret.js" },
    expect: { codes: ["MODULE_NOT_FOUND"] },
  },
  {
    id: "entry-nul",
    title: "a NUL byte in the request's file",
    source: "exports.f = () => 1;\n",
    request: { file: "main.js\u0000../../secret.js" },
    expect: { codes: ["INVALID_REQUEST"] },
  },
  {
    id: "folder-relative",
    title: "a relative folder in the request",
    source: "exports.f = () => 1;\n",
    request: { folder: "tenants/../.." },
    expect: { codes: ["INVALID_REQUEST"] },
  },
  {
    id: "folder-is-a-file",
    title: "the request's folder is the secret file itself",
    source: "exports.f = () => 1;\n",
    request: { folder: "__SECRET_FILE__", file: "." },
    expect: { codes: ["MODULE_NOT_FOUND"] },
  },
  {
    id: "manifest-handler-outside",
    title: "a hooks manifest whose handler climbs out of the folder (emit runs nothing)",
    via: "emit",
    args: [{}],
    source: "exports.f = () => 1;\n",
    files: { "tenantbox.json": JSON.stringify({ hooks: { "hostile.event": ["../../secret.js#f", "__TEMP_ROOT__/secret.js#f"] } }) },
    expect: { codes: ["NO_HANDLERS"] },
  },
  {
    id: "manifest-handler-symlink",
    title: "a hooks manifest whose handler is a symlink to a module outside",
    via: "emit",
    args: [{}],
    source: "exports.f = () => 1;\n",
    setup: (env) => link(path.join(env.outside, "outside.js"), path.join(env.folder, "hook.js")),
    files: { "tenantbox.json": JSON.stringify({ hooks: { "hostile.event": ["hook.js#f"] } }) },
    expect: { codes: ["NO_HANDLERS"] },
  },
  {
    id: "hard-link-other-tenant",
    title: "a hard link inside the folder to another tenant's module, required",
    source: `const s = require("./friend.js");\nexports.f = () => s.secret;\n`,
    setup: (env) => hardLink(path.join(env.otherTenant, "secret.js"), path.join(env.folder, "friend.js")),
    expect: { codes: ["VALIDATION_ERROR"], reportCheck: refusedAsHardLink },
  },
  {
    id: "hard-link-host-secret",
    title: "a hard link to a host file outside every tenant folder, as the request's own file",
    source: "exports.f = () => 1;\n",
    setup: (env) => hardLink(path.join(env.root, "secret.js"), path.join(env.folder, "entry.js")),
    request: { file: "entry.js" },
    expect: { codes: ["VALIDATION_ERROR"], reportCheck: refusedAsHardLink },
  },
  {
    id: "hard-link-json",
    title: "import data from a JSON file hard-linked to another tenant's JSON",
    esm: true,
    source: `import data from "./data.json";\nexport function f() { return data; }\n`,
    setup: (env) => hardLink(path.join(env.otherTenant, "secret.json"), path.join(env.folder, "data.json")),
    expect: { codes: ["VALIDATION_ERROR"], reportCheck: refusedAsHardLink },
  },
  {
    id: "hard-link-package-json",
    title: "node_modules/p/package.json hard-linked to a package.json outside (its main names the secret)",
    source: `exports.f = () => { try { return "LOADED:" + JSON.stringify(require("p")); } catch (e) { return e.code + ": " + e.message; } };\n`,
    files: { "node_modules/p/index.js": "exports.mine = 1;\n", "node_modules/p/secret.js": "exports.mine = 2;\n" },
    setup: (env) => {
      writeAt(path.join(env.outside, "pkg-json", "package.json"), JSON.stringify({ name: "p", main: "secret.js" }));
      hardLink(path.join(env.outside, "pkg-json", "package.json"), path.join(env.folder, "node_modules", "p", "package.json"));
    },
    expect: {
      codes: "success",
      valueCheck: (v) => (typeof v === "string" && v.startsWith("MODULE_NOT_FOUND: ") && HARD_LINK_REFUSED.test(v)) || `expected MODULE_NOT_FOUND naming the hard link, got ${JSON.stringify(v)}`,
    },
  },
  {
    id: "hard-link-manifest",
    title: "tenantbox.json hard-linked to a manifest outside the folder (emit runs nothing)",
    via: "emit",
    args: [{}],
    source: "exports.f = () => 1;\n",
    setup: (env) => {
      writeAt(path.join(env.outside, "manifest", "tenantbox.json"), JSON.stringify({ hooks: { "hostile.event": ["main.js#f"] } }));
      // In place of the harness's own manifest (which names the same handler: so emit runs f only if the link is read).
      fs.rmSync(path.join(env.folder, "tenantbox.json"));
      hardLink(path.join(env.outside, "manifest", "tenantbox.json"), path.join(env.folder, "tenantbox.json"));
    },
    expect: { codes: ["NO_HANDLERS"] },
  },
];
