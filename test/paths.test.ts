import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupTenants, expectCode, IsolatedRuntime, makeRuntime, makeTempDir, makeTenant, runError, writeFiles } from "./helpers.js";

let runtime: InstanceType<typeof IsolatedRuntime>;
/** parent/ holds tenantA/, tenantB/, other/, shared/ and files that sit outside every tenant. */
let parent: string;
let tenantA: string;
let tenantB: string;

const ESCAPED = "ESCAPED";
const OUTSIDE = `exports.f = () => '${ESCAPED}';\nexports.secret = 'top secret';\n`;

beforeAll(() => {
  runtime = makeRuntime();
  parent = makeTempDir();
  writeFiles(parent, {
    "outside.js": OUTSIDE,
    "outside.mjs": `export const f = () => '${ESCAPED}';`,
    "secret.json": JSON.stringify({ secret: ESCAPED }),
    "other/x.js": OUTSIDE,
    "shared/x.js": OUTSIDE,
    "tenantB/x.js": OUTSIDE,
    "tenantB/data.json": JSON.stringify({ secret: ESCAPED }),
    "tenantA/ok.js": "exports.f = () => 'inside';",
  });
  tenantA = path.join(parent, "tenantA");
  tenantB = path.join(parent, "tenantB");
});

afterAll(async () => {
  await runtime?.close();
  cleanupTenants();
});

/** Runs and asserts that nothing outside the folder ran: the call fails with one of `codes`. */
async function expectRefused(request: Parameters<InstanceType<typeof IsolatedRuntime>["run"]>[0], codes: string[]) {
  const error = await runError(runtime, request);
  expect(codes, `${error.code}: ${error.message}`).toContain(error.code);
  return error;
}

describe("the entry file stays inside the folder", () => {
  it("sanity: a file inside the folder runs", async () => {
    await expect(runtime.run({ folder: tenantA, file: "ok.js", funcName: "f" })).resolves.toBe("inside");
  });

  it('file "../other/x.js" is refused', async () => {
    await expectRefused({ folder: tenantA, file: "../other/x.js", funcName: "f" }, ["INVALID_REQUEST", "MODULE_NOT_FOUND"]);
  });

  it('file "sub/../../other/x.js" (escaping after a detour) is refused', async () => {
    await expectRefused({ folder: tenantA, file: "sub/../../other/x.js", funcName: "f" }, ["INVALID_REQUEST", "MODULE_NOT_FOUND"]);
  });

  it('file "./sub/../ok.js" (a detour that stays inside) works', async () => {
    const folder = makeTenant({ "ok.js": "exports.f = () => 'inside';", "sub/keep.txt": "" });
    await expect(runtime.run({ folder, file: "./sub/../ok.js", funcName: "f" })).resolves.toBe("inside");
  });

  it("an absolute file is INVALID_REQUEST, even one inside the folder", async () => {
    await expectCode(runtime, { folder: tenantA, file: path.join(parent, "outside.js"), funcName: "f" }, "INVALID_REQUEST");
    await expectCode(runtime, { folder: tenantA, file: path.join(tenantA, "ok.js"), funcName: "f" }, "INVALID_REQUEST");
    await expectCode(runtime, { folder: tenantA, file: "/etc/passwd", funcName: "f" }, "INVALID_REQUEST");
  });

  it("another tenant's folder is unreachable via ../tenantB/x.js", async () => {
    await expectRefused({ folder: tenantA, file: "../tenantB/x.js", funcName: "f" }, ["INVALID_REQUEST", "MODULE_NOT_FOUND"]);
  });

  it("the folder itself or its parent is not a module", async () => {
    await expectRefused({ folder: tenantA, file: ".", funcName: "f" }, ["INVALID_REQUEST", "MODULE_NOT_FOUND"]);
    await expectRefused({ folder: tenantA, file: "..", funcName: "f" }, ["INVALID_REQUEST", "MODULE_NOT_FOUND"]);
  });

  it("file names with %2e%2e stay literal", async () => {
    const folder = path.join(parent, "tenantPct");
    writeFiles(folder, { "%2e%2e/x.js": "exports.f = () => 'literal percent folder';" });
    await expect(runtime.run({ folder, file: "%2e%2e/x.js", funcName: "f" })).resolves.toBe("literal percent folder");
    // Decoded, these would reach parent/other/x.js; literally, they do not exist.
    await expectRefused({ folder, file: "%2e%2e/other/x.js", funcName: "f" }, ["MODULE_NOT_FOUND", "INVALID_REQUEST"]);
    await expectRefused({ folder, file: "%2e%2e%2fother%2fx.js", funcName: "f" }, ["MODULE_NOT_FOUND", "INVALID_REQUEST"]);
    await expectRefused({ folder, file: "..%2fother%2fx.js", funcName: "f" }, ["MODULE_NOT_FOUND", "INVALID_REQUEST"]);
  });

  it("backslashes are literal characters, not separators", async () => {
    await expectRefused({ folder: tenantA, file: "..\\other\\x.js", funcName: "f" }, ["MODULE_NOT_FOUND", "INVALID_REQUEST"]);
  });
});

describe("require and import stay inside the folder", () => {
  it("require('../../outside.js') from inside is MODULE_NOT_FOUND", async () => {
    const folder = path.join(parent, "tenantReq");
    writeFiles(folder, { "hooks/a.js": "const o = require('../../outside.js');\nexports.f = () => o.f();" });
    // Sanity: the path would point at parent/outside.js.
    expect(fs.existsSync(path.resolve(folder, "hooks", "../../outside.js"))).toBe(true);
    await expectCode(runtime, { folder, file: "hooks/a.js", funcName: "f" }, "MODULE_NOT_FOUND");
  });

  it("import from '../outside.mjs' is MODULE_NOT_FOUND", async () => {
    const folder = path.join(parent, "tenantImp");
    writeFiles(folder, { "a.mjs": "import { f as g } from '../outside.mjs';\nexport function f() { return g(); }" });
    await expectCode(runtime, { folder, file: "a.mjs", funcName: "f" }, "MODULE_NOT_FOUND");
  });

  it("a caught require of an outside file gets nothing and learns no host path", async () => {
    const folder = path.join(parent, "tenantCaught");
    // require(variable) is refused statically, so each specifier is spelled out.
    writeFiles(folder, {
      "a.js": [
        "const attempt = (load) => { try { return 'loaded:' + JSON.stringify(load()); } catch (e) { return e.code + '|' + e.message; } };",
        "exports.f = () => [",
        "  attempt(() => require('../outside.js')),",
        "  attempt(() => require('../secret.json')),",
        "  attempt(() => require('../tenantB/x.js')),",
        "];",
      ].join("\n"),
    });
    const value = (await runtime.run({ folder, file: "a.js", funcName: "f" })) as string[];
    expect(value).toHaveLength(3);
    for (const entry of value) {
      expect(entry).toMatch(/^MODULE_NOT_FOUND\|/);
      expect(entry).not.toContain(ESCAPED);
      expect(entry).not.toContain(parent);
    }
  });

  it("an absolute require is MODULE_NOT_FOUND", async () => {
    const folder = path.join(parent, "tenantAbs");
    writeFiles(folder, { "a.js": `const o = require(${JSON.stringify(path.join(parent, "outside.js"))});\nexports.f = () => o.f();` });
    await expectCode(runtime, { folder, file: "a.js", funcName: "f" }, "MODULE_NOT_FOUND");
  });

  it("a file: URL or a bare name with .. is MODULE_NOT_FOUND", async () => {
    const folder = path.join(parent, "tenantUrl");
    writeFiles(folder, {
      "url.js": `const o = require(${JSON.stringify("file://" + path.join(parent, "outside.js"))});\nexports.f = () => o.f();`,
      "dots.js": "const o = require('pkg/../../../outside.js');\nexports.f = () => o.f();",
      "node_modules/pkg/package.json": JSON.stringify({ main: "index.js" }),
      "node_modules/pkg/index.js": "exports.x = 1;",
    });
    await expectCode(runtime, { folder, file: "url.js", funcName: "f" }, "MODULE_NOT_FOUND");
    await expectCode(runtime, { folder, file: "dots.js", funcName: "f" }, "MODULE_NOT_FOUND");
  });

  it("a package whose main points outside the folder is refused", async () => {
    const folder = path.join(parent, "tenantMain");
    writeFiles(folder, {
      "node_modules/evil/package.json": JSON.stringify({ main: "../../../outside.js" }),
      "a.js": "const e = require('evil');\nexports.f = () => e.f();",
    });
    await expectCode(runtime, { folder, file: "a.js", funcName: "f" }, "MODULE_NOT_FOUND");
  });

  it("a require of another tenant's file is MODULE_NOT_FOUND", async () => {
    const folder = path.join(parent, "tenantC");
    writeFiles(folder, { "a.js": "const o = require('../tenantB/x.js');\nexports.f = () => o.f();" });
    await expectCode(runtime, { folder, file: "a.js", funcName: "f" }, "MODULE_NOT_FOUND");
  });
});

describe("symlinks are followed, then checked", () => {
  it("a symlinked entry file pointing outside is refused", async () => {
    const folder = makeTenant({});
    fs.symlinkSync(path.join(parent, "outside.js"), path.join(folder, "link.js"));
    await expectRefused({ folder, file: "link.js", funcName: "f" }, ["MODULE_NOT_FOUND", "INVALID_REQUEST"]);
  });

  it("a required symlink pointing outside is refused", async () => {
    const folder = makeTenant({ "a.js": "const o = require('./link.js');\nexports.f = () => o.f();" });
    fs.symlinkSync(path.join(parent, "outside.js"), path.join(folder, "link.js"));
    await expectCode(runtime, { folder, file: "a.js", funcName: "f" }, "MODULE_NOT_FOUND");
  });

  it("a relative symlink pointing outside is refused", async () => {
    const folder = makeTenant({ "a.js": "const o = require('./rel.js');\nexports.f = () => o.f();" });
    fs.symlinkSync(path.relative(folder, path.join(parent, "outside.js")), path.join(folder, "rel.js"));
    await expectCode(runtime, { folder, file: "a.js", funcName: "f" }, "MODULE_NOT_FOUND");
    await expectRefused({ folder, file: "rel.js", funcName: "f" }, ["MODULE_NOT_FOUND", "INVALID_REQUEST"]);
  });

  it("a symlinked directory pointing outside is refused (as entry and as dependency)", async () => {
    const folder = makeTenant({ "a.js": "const o = require('./lib/x.js');\nexports.f = () => o.f();" });
    fs.symlinkSync(path.join(parent, "shared"), path.join(folder, "lib"), "dir");
    await expectRefused({ folder, file: "lib/x.js", funcName: "f" }, ["MODULE_NOT_FOUND", "INVALID_REQUEST"]);
    await expectCode(runtime, { folder, file: "a.js", funcName: "f" }, "MODULE_NOT_FOUND");
  });

  it("a symlinked directory pointing at another tenant is refused", async () => {
    const folder = makeTenant({ "a.js": "const o = require('./peer/x.js');\nexports.f = () => o.f();" });
    fs.symlinkSync(tenantB, path.join(folder, "peer"), "dir");
    await expectRefused({ folder, file: "peer/x.js", funcName: "f" }, ["MODULE_NOT_FOUND", "INVALID_REQUEST"]);
    await expectCode(runtime, { folder, file: "a.js", funcName: "f" }, "MODULE_NOT_FOUND");
  });

  it("a node_modules package symlinked outside the folder is refused", async () => {
    const outsidePkg = path.join(parent, "outside-pkg");
    writeFiles(outsidePkg, { "package.json": JSON.stringify({ main: "index.js" }), "index.js": OUTSIDE });
    const folder = makeTenant({ "a.js": "const o = require('linked');\nexports.f = () => o.f();" });
    fs.mkdirSync(path.join(folder, "node_modules"));
    fs.symlinkSync(outsidePkg, path.join(folder, "node_modules", "linked"), "dir");
    await expectCode(runtime, { folder, file: "a.js", funcName: "f" }, "MODULE_NOT_FOUND");
  });

  it("a symlink inside the folder to another file inside works", async () => {
    const folder = makeTenant({
      "real/impl.js": "exports.f = () => 'via symlink';",
      "a.js": "const m = require('./alias.js');\nexports.f = () => m.f();",
    });
    fs.symlinkSync(path.join(folder, "real", "impl.js"), path.join(folder, "alias.js"));
    fs.symlinkSync("real", path.join(folder, "dirlink"), "dir");
    await expect(runtime.run({ folder, file: "alias.js", funcName: "f" })).resolves.toBe("via symlink");
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toBe("via symlink");
    await expect(runtime.run({ folder, file: "dirlink/impl.js", funcName: "f" })).resolves.toBe("via symlink");
  });

  it("a folder given through a symlink works (its real path is the boundary)", async () => {
    const real = makeTenant({ "a.js": "exports.f = () => 'real folder';" });
    const linkParent = makeTempDir();
    const link = path.join(linkParent, "tenant-link");
    fs.symlinkSync(real, link, "dir");
    await expect(runtime.run({ folder: link, file: "a.js", funcName: "f" })).resolves.toBe("real folder");
  });

  it("a symlink loop is MODULE_NOT_FOUND, not a hang", async () => {
    const folder = makeTenant({ "a.js": "const m = require('./loop.js');\nexports.f = () => m;" });
    fs.symlinkSync(path.join(folder, "loop.js"), path.join(folder, "loop.js"));
    await expectCode(runtime, { folder, file: "a.js", funcName: "f" }, "MODULE_NOT_FOUND");
    await expectRefused({ folder, file: "loop.js", funcName: "f" }, ["MODULE_NOT_FOUND", "INVALID_REQUEST"]);
  });

  it("a symlink that is re-pointed outside after a successful run is refused on the next run", async () => {
    const folder = makeTenant({ "real.js": "exports.f = () => 'inside';" });
    const link = path.join(folder, "entry.js");
    fs.symlinkSync(path.join(folder, "real.js"), link);
    await expect(runtime.run({ folder, file: "entry.js", funcName: "f" })).resolves.toBe("inside");
    fs.unlinkSync(link);
    fs.symlinkSync(path.join(parent, "outside.js"), link);
    await expectRefused({ folder, file: "entry.js", funcName: "f" }, ["MODULE_NOT_FOUND", "INVALID_REQUEST"]);
  });
});
