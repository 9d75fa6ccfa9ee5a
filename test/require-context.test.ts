import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { walkGraph } from "../src/loader/graph-walk.js";
import { cleanupTenants, expectCode, IsolatedRuntime, makeRuntime, makeTenant, writeFiles } from "./helpers.js";

/*
 * A library's computed require spelled with its directory (`require("./langs/" + code + ".json")`): the files of
 * that directory it could name join the graph (src/loader/require-context.ts), as webpack's context modules.
 */
let runtime: InstanceType<typeof IsolatedRuntime>;
beforeAll(() => {
  runtime = makeRuntime();
});
afterAll(async () => {
  await runtime?.close();
  cleanupTenants();
});

const answer = `(run) => { try { return run(); } catch (e) { return [e.code, e.message]; } }`;

function libraryWithContexts(): Record<string, string> {
  return {
    "node_modules/ctx/package.json": JSON.stringify({ name: "ctx", main: "index.js" }),
    "node_modules/ctx/index.js": [
      `const answer = ${answer};`,
      "exports.langs = (codes) => codes.map((c) => answer(() => require('./langs/' + c + '.json').hello));",
      "exports.providers = (names) => names.map((n) => answer(() => require('./providers/' + n).name));",
      "exports.template = (n) => answer(() => require(`./locale/moment-${n}.js`).locale);",
      "exports.outside = (p) => answer(() => require('../../../' + p));",
      "",
    ].join("\n"),
    "node_modules/ctx/langs/en.json": JSON.stringify({ hello: "hello" }),
    "node_modules/ctx/langs/de.json": JSON.stringify({ hello: "hallo" }),
    "node_modules/ctx/langs/notes.txt": "not a language",
    "node_modules/ctx/providers/address.js": "exports.name = 'address';\n",
    "node_modules/ctx/providers/phone.cjs": "exports.name = 'phone';\n",
    // Refused by validation (with): never required by name, so it must not fail the package's loads.
    "node_modules/ctx/providers/broken.js": "with (Math) { exports.name = max(1, 2); }\n",
    "node_modules/ctx/locale/moment-fr.js": "exports.locale = 'fr';\n",
    "a.js": [
      "const ctx = require('ctx');",
      "exports.langs = (codes) => ctx.langs(codes);",
      "exports.providers = (names) => ctx.providers(names);",
      "exports.template = (n) => ctx.template(n);",
      "exports.outside = (p) => ctx.outside(p);",
      "",
    ].join("\n"),
    "secret.js": "exports.name = 'the tenant folder, not the package';\n",
  };
}


/** The loader threads' walk of a folder's a.js, as a loader thread runs it (sources left out). */
function walkFrom(realFolder: string): ReturnType<typeof walkGraph> {
  return walkGraph({
    realFolder,
    entryFile: "a.js",
    known: {},
    securityLevel: "STANDARD",
    scoring: false,
    countIterations: true,
    maxModuleBytes: 2 * 1024 * 1024,
    withCode: false,
    limits: { maxModules: 1000, maxSpecifiers: 10000 },
  });
}

describe("computed requires spelled with a directory (context requires)", () => {
  it("find the files of that directory they could name, as in Node; a name no file answers is MODULE_NOT_FOUND", async () => {
    const folder = makeTenant(libraryWithContexts());
    await expect(runtime.run({ folder, file: "a.js", funcName: "langs", args: [["en", "de", "fr"]] })).resolves.toEqual([
      "hello",
      "hallo",
      ["MODULE_NOT_FOUND", 'cannot find module "./langs/fr.json"'],
    ]);
    const providers = (await runtime.run({ folder, file: "a.js", funcName: "providers", args: [["address", "address.js", "phone", "phone.cjs", "broken", "nope"]] })) as unknown[];
    expect(providers.slice(0, 4)).toEqual(["address", "address", "phone", "phone"]);
    // The refused file is left out of the graph: requiring it by its computed name says why.
    expect(providers[4]).toEqual(["MODULE_NOT_FOUND", expect.stringContaining("node_modules/ctx/providers/broken.js")]);
    expect(providers[5]).toEqual(["MODULE_NOT_FOUND", 'cannot find module "./providers/nope"']);
    await expect(runtime.run({ folder, file: "a.js", funcName: "template", args: ["fr"] })).resolves.toBe("fr");
    // A directory outside the tenant folder is not listed (its files could not be required anyway).
    const name = path.basename(folder) + "/secret.js";
    await expect(runtime.run({ folder, file: "a.js", funcName: "outside", args: [name] })).resolves.toEqual(["MODULE_NOT_FOUND", `cannot find module "../../../${name}"`]);
  });

  it("a file added to the directory is found by the next call (the directory's stamp is part of the load)", async () => {
    const folder = makeTenant(libraryWithContexts());
    await expect(runtime.run({ folder, file: "a.js", funcName: "langs", args: [["it"]] })).resolves.toEqual([["MODULE_NOT_FOUND", 'cannot find module "./langs/it.json"']]);
    writeFiles(folder, { "node_modules/ctx/langs/it.json": JSON.stringify({ hello: "ciao" }) });
    await expect(runtime.run({ folder, file: "a.js", funcName: "langs", args: [["it"]] })).resolves.toEqual(["ciao"]);
  });

  it("a directory of more than 1,024 entries adds nothing (a bounded listing): the load still works, the computed name is MODULE_NOT_FOUND", async () => {
    const files: Record<string, string> = {
      "node_modules/big/package.json": JSON.stringify({ name: "big", main: "index.js" }),
      "node_modules/big/index.js": `const answer = ${answer};\nexports.get = (n) => answer(() => require('./many/' + n).n);\nexports.ok = 1;\n`,
      "c.js": "const big = require('big'); exports.f = (n) => [big.ok, big.get(n)];\n",
    };
    for (let i = 0; i < 1100; i++) files[`node_modules/big/many/f${i}.js`] = `exports.n = ${i};\n`;
    const folder = makeTenant(files);
    await expect(runtime.run({ folder, file: "c.js", funcName: "f", args: ["f7"] })).resolves.toEqual([1, ["MODULE_NOT_FOUND", 'cannot find module "./many/f7"']]);
  });

  it("a refused file still fails the load when a literal require names it", async () => {
    const folder = makeTenant({ ...libraryWithContexts(), "b.js": "const broken = require('ctx/providers/broken.js'); exports.f = () => broken.name;\n" });
    await expectCode(runtime, { folder, file: "b.js", funcName: "f" }, "VALIDATION_ERROR");
  });

  it("the loader threads' walk adds the same files and leaves out the refused one", () => {
    const folder = makeTenant(libraryWithContexts());
    const realFolder = fs.realpathSync(folder);
    const walked = walkFrom(realFolder);
    expect(walked.ok).toBe(true);
    if (!walked.ok) return;
    const index = walked.modules.find((m) => m.realPath === path.join(realFolder, "node_modules/ctx/index.js"))!;
    expect(Object.keys(index.deps).sort()).toEqual(
      ["./langs/de.json", "./langs/en.json", "./locale/moment-fr.js", "./providers/address", "./providers/address.js", "./providers/broken", "./providers/broken.js", "./providers/phone", "./providers/phone.cjs"].sort(),
    );
    expect(index.contextDeps?.length).toBe(9);
    // The refused version is handed back (the host leaves it out); the walk went on past it.
    const broken = walked.modules.find((m) => m.realPath.endsWith("broken.js"))!;
    expect(broken.version?.rejection).toBeDefined();
    expect(walked.modules.some((m) => m.realPath.endsWith("phone.cjs"))).toBe(true);
  });
});

describe("requires of a path computed from the module's own directory (__dirname)", () => {
  const files = (): Record<string, string> => ({
    "node_modules/own/package.json": JSON.stringify({ name: "own", version: "1.2.3", main: "lib/index.js" }),
    "node_modules/own/lib/index.js": [
      "const path = require('path');",
      `const answer = ${answer};`,
      // pg-format's spelling, then a template, path.join up a directory, path.resolve, a path through '..'.
      "const reserved = require(__dirname + '/reserved.js');",
      "const data = require(`${__dirname}/data/x.json`);",
      "const pkg = require(path.join(__dirname, '..', 'package.json'));",
      "const sub = require(path.resolve(__dirname, 'data/sub.js'));",
      "const back = require(__dirname + '/data/../reserved');",
      "exports.f = () => [reserved.ALL, data.x, pkg.version, sub.name, back === reserved, require.resolve(__dirname + '/reserved.js'),",
      "  answer(() => require(__dirname + '/nope.js')), require(__dirname + '/../../../secret.js').secret, answer(() => require(__dirname + '/../../../../outside.js'))];",
      "",
    ].join("\n"),
    "node_modules/own/lib/reserved.js": "exports.ALL = true;\n",
    "node_modules/own/lib/data/x.json": JSON.stringify({ x: 7 }),
    "node_modules/own/lib/data/sub.js": "exports.name = 'sub';\n",
    "a.js": "exports.f = () => require('own').f();\n",
    "secret.js": "exports.secret = 1;\n",
  });

  it("find the file as Node does (pg-format's require(__dirname + '/reserved.js')); a path no dependency names is MODULE_NOT_FOUND", async () => {
    const folder = makeTenant(files());
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual([
      true,
      7,
      "1.2.3",
      "sub",
      true,
      "/node_modules/own/lib/reserved.js",
      // A file that is not there: what require("./nope.js") says.
      ["MODULE_NOT_FOUND", 'cannot find module "./nope.js"'],
      // Up to the folder's root is inside the folder, as a literal "../../../secret.js" is; past it, nothing.
      1,
      ["MODULE_NOT_FOUND", 'cannot find module "node_modules/own/lib/../../../../outside.js"'],
    ]);
  });

  it("the loader records each spelling as the relative specifier it names", () => {
    const folder = makeTenant(files());
    const realFolder = fs.realpathSync(folder);
    const walked = walkFrom(realFolder);
    expect(walked.ok).toBe(true);
    if (!walked.ok) return;
    const index = walked.modules.find((m) => m.realPath === path.join(realFolder, "node_modules/own/lib/index.js"))!;
    expect(Object.keys(index.deps).sort()).toEqual(["../../../../outside.js", "../../../secret.js", "../package.json", "./data/sub.js", "./data/x.json", "./nope.js", "./reserved", "./reserved.js", "path"].sort());
  });
});

describe("a __dirname-built require of a file the loader refuses", () => {
  it("leaves the file out (MODULE_NOT_FOUND where it is required), as before such requires were recorded: the package still loads", async () => {
    const folder = makeTenant({
      "node_modules/opt/package.json": JSON.stringify({ name: "opt", main: "index.js" }),
      "node_modules/opt/index.js": [
        `const answer = ${answer};`,
        "const dev = answer(() => require(__dirname + '/dev.js'));",
        "const cfg = require(require('path').join(__dirname, 'cfg.json'));",
        "exports.f = () => [dev[0], cfg.ok];",
        "",
      ].join("\n"),
      // Refused by validation (with): a development helper the package only tries.
      "node_modules/opt/dev.js": "with (Math) { exports.x = max(1, 2); }\n",
      "node_modules/opt/cfg.json": JSON.stringify({ ok: true }),
      "a.js": "exports.f = () => require('opt').f();\n",
    });
    await expect(runtime.run({ folder, file: "a.js", funcName: "f" })).resolves.toEqual(["MODULE_NOT_FOUND", true]);
  });
});
