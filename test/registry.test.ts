import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RuntimeEventName, RuntimeEvents } from "../dist/index.js";
import { cleanupTenants, expectCode, IsolatedRuntime, makeRuntime, makeTempDir, makeTenant, runError, sleep, waitFor, writeFiles } from "./helpers.js";

type Runtime = InstanceType<typeof IsolatedRuntime>;
type Recorded = { [E in RuntimeEventName]: { event: E; payload: RuntimeEvents[E] } }[RuntimeEventName];

const EVENT_NAMES: RuntimeEventName[] = ["module:loaded", "module:rejected", "module:removed", "manifest:loaded", "manifest:rejected", "reload"];

function record(runtime: Runtime): Recorded[] {
  const log: Recorded[] = [];
  for (const event of EVENT_NAMES) {
    runtime.on(event, (payload: RuntimeEvents[typeof event]) => {
      log.push({ event, payload } as Recorded);
    });
  }
  return log;
}

const real = (p: string) => fs.realpathSync(p);

/** A reload of `folder` that mentions `file`. */
function reloadOf(runtime: Runtime, folder: string, file: string, timeoutMs = 4000) {
  const realFolder = real(folder);
  return waitFor(runtime, "reload", (e) => e.folder === realFolder && e.files.includes(file), timeoutMs);
}

const version = (v: string | number) => `const V = ${JSON.stringify(v)};\nexports.v = () => V;\n`;

const watched: Runtime[] = [];

/**
 * A fresh root holding one tenant folder ("acme") with `files`, a watching runtime over the root, the
 * folder registered (first use) and the watcher ready. Events are recorded from the start.
 */
async function watchedTenant(files: Record<string, string>, options: { root?: boolean } = {}) {
  const root = makeTempDir();
  const folder = path.join(root, "acme");
  fs.mkdirSync(folder);
  writeFiles(folder, files);
  const runtime = makeRuntime(options.root === false ? { watch: true } : { root, watch: true });
  watched.push(runtime);
  const events = record(runtime);
  await runtime.ready();
  await runtime.modules(folder); // first use registers the folder with the registry (and its watcher without root)
  await runtime.ready();
  return { root, folder, runtime, events };
}

/** A second tenant under the same root with 20 module files, every one loaded (known to the sweep). */
async function otherTenantLoaded(root: string, runtime: Runtime): Promise<string> {
  const other = path.join(root, "other");
  fs.mkdirSync(other);
  writeFiles(other, Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`m${i}.js`, version(i)])));
  for (let i = 0; i < 20; i++) await expect(runtime.run({ folder: other, file: `m${i}.js`, funcName: "v" })).resolves.toBe(i);
  return other;
}

/** The paths fs.existsSync is asked about while `during` runs (the sweep's looks). */
async function existsLooks(during: () => Promise<void>): Promise<string[]> {
  const looked: string[] = [];
  const existsSync = fs.existsSync;
  fs.existsSync = ((file: fs.PathLike) => {
    looked.push(String(file));
    return existsSync(file);
  }) as typeof fs.existsSync;
  try {
    await during();
  } finally {
    fs.existsSync = existsSync;
  }
  return looked;
}

let plain: Runtime;

beforeAll(() => {
  plain = makeRuntime();
});

afterEach(async () => {
  await Promise.all(watched.splice(0).map((r) => r.close()));
});

afterAll(async () => {
  await plain?.close();
  cleanupTenants();
});

describe("registry listing: modules(folder)", () => {
  it("lists every module with file, hash, format, exports, validity, issues and loadedAt", async () => {
    const before = Date.now();
    const folder = makeTenant({
      "a.js": "exports.f = () => 1;\nexports.g = () => 2;\n",
      "lib/b.mjs": "export const x = 1;\nexport default function () { return 2; }\n",
      "data.json": '{ "k": 1 }',
      "node_modules/dep/index.js": "exports.hidden = 1;",
      ".secret.js": "exports.hidden = 1;",
      "notes.txt": "not a module",
      "tenantbox.json": '{ "hooks": {} }',
    });
    const list = await plain.modules(folder);
    const after = Date.now();
    expect(list.map((m) => m.file)).toEqual(["a.js", "data.json", "lib/b.mjs"]);
    const [a, data, b] = list as [(typeof list)[0], (typeof list)[0], (typeof list)[0]];
    expect(a).toMatchObject({ file: "a.js", format: "cjs", valid: true });
    expect(a.exports.sort()).toEqual(["f", "g"]);
    expect(b).toMatchObject({ file: "lib/b.mjs", format: "esm", valid: true });
    expect(b.exports.sort()).toEqual(["default", "x"]);
    expect(data).toMatchObject({ file: "data.json", format: "json", valid: true, exports: ["default"] });
    for (const m of list) {
      expect(m.hash).toMatch(/^[\w-]{16,}$/);
      expect(Array.isArray(m.issues)).toBe(true);
      expect(m.loadedAt).toBeGreaterThanOrEqual(before);
      expect(m.loadedAt).toBeLessThanOrEqual(after);
      expect(m.rejected).toBeUndefined();
    }
    expect(new Set(list.map((m) => m.hash)).size).toBe(3);
    // The listing never leaks host paths.
    expect(JSON.stringify(list)).not.toContain(folder);
  });

  it("the hash is the version: unchanged content keeps it, new content changes it", async () => {
    const folder = makeTenant({ "a.js": version(1) });
    const [first] = await plain.modules(folder);
    expect((await plain.modules(folder))[0]!.hash).toBe(first!.hash);
    await sleep(5);
    fs.writeFileSync(path.join(folder, "a.js"), version(2));
    const [second] = await plain.modules(folder);
    expect(second!.hash).not.toBe(first!.hash);
    expect(second!.loadedAt).toBeGreaterThanOrEqual(first!.loadedAt);
    // Writing back the first content gives back the first hash: the hash is the content's, not the time's.
    fs.writeFileSync(path.join(folder, "a.js"), version(1));
    expect((await plain.modules(folder))[0]!.hash).toBe(first!.hash);
  });

  it("shows `rejected` with its issues after a bad change while the last good version serves, and clears it after a fix", async () => {
    const folder = makeTenant({ "a.js": version(1) });
    const good = (await plain.modules(folder))[0]!;
    fs.writeFileSync(path.join(folder, "a.js"), "exports.v = () => eval('1');\n");
    const bad = (await plain.modules(folder))[0]!;
    expect(bad.file).toBe("a.js");
    expect(bad.valid).toBe(true);
    expect(bad.hash).toBe(good.hash);
    expect(bad.rejected?.issues.map((i) => i.rule)).toContain("no-eval");
    expect(bad.rejected!.at).toBeGreaterThanOrEqual(good.loadedAt);
    fs.writeFileSync(path.join(folder, "a.js"), version(3));
    const fixed = (await plain.modules(folder))[0]!;
    expect(fixed.valid).toBe(true);
    expect(fixed.rejected).toBeUndefined();
    expect(fixed.hash).not.toBe(good.hash);
  });

  it("a file it cannot load is listed with the reason, never 'valid: false' and no issue (a name that is not UTF-8)", async () => {
    const folder = makeTenant({ "a.js": "exports.f = () => 1;\n" });
    fs.writeFileSync(Buffer.concat([Buffer.from(path.join(folder, "n")), Buffer.from([0xff]), Buffer.from(".js")]), "exports.f = () => 1;\n");
    const list = await plain.modules(folder);
    const bad = list.find((m) => m.file !== "a.js")!;
    expect(bad).toMatchObject({ valid: false });
    expect(bad.issues).toHaveLength(1);
    expect(bad.issues[0]).toMatchObject({ rule: "read-error", severity: "error", message: expect.stringMatching(/not valid UTF-8/) });
    expect(JSON.stringify(list)).not.toContain(folder);
  });

  it("rejects a non-absolute folder", async () => {
    await expect(plain.modules("relative/folder")).rejects.toThrow(/absolute/);
  });
});

describe("without watch: every run checks the files", () => {
  it("a changed file is picked up by the very next run, even same-size rewrites in quick succession", async () => {
    const folder = makeTenant({ "a.js": version(0) });
    const file = path.join(folder, "a.js");
    for (let i = 0; i < 10; i++) {
      // Same length every time, no pause between the write and the run: the stat check must still see it.
      fs.writeFileSync(file, version(i));
      await expect(plain.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe(i);
    }
  });

  it("a changed dependency is picked up too", async () => {
    const folder = makeTenant({ "main.js": "const d = require('./dep');\nexports.f = () => d.v;\n", "dep.js": "exports.v = 'one';\n" });
    await expect(plain.run({ folder, file: "main.js", funcName: "f" })).resolves.toBe("one");
    fs.writeFileSync(path.join(folder, "dep.js"), "exports.v = 'two!';\n");
    await expect(plain.run({ folder, file: "main.js", funcName: "f" })).resolves.toBe("two!");
  });

  it("a deleted file is MODULE_NOT_FOUND", async () => {
    const folder = makeTenant({ "a.js": version(1) });
    await expect(plain.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe(1);
    fs.rmSync(path.join(folder, "a.js"));
    await expectCode(plain, { folder, file: "a.js", funcName: "v" }, "MODULE_NOT_FOUND");
    expect(await plain.modules(folder)).toEqual([]);
  });

  it("a deleted dependency is never served from memory", async () => {
    const folder = makeTenant({ "main.js": "const d = require('./dep.js');\nexports.f = () => d.v;\n", "dep.js": "exports.v = 1;\n" });
    await expect(plain.run({ folder, file: "main.js", funcName: "f" })).resolves.toBe(1);
    fs.rmSync(path.join(folder, "dep.js"));
    const error = await runError(plain, { folder, file: "main.js", funcName: "f" });
    expect(error.message).toMatch(/dep/);
  });

  it("a broken change (syntax error, then eval) is reported, and the last good version keeps serving, as with watch", async () => {
    const folder = makeTenant({ "a.js": version(1) });
    const rejected: { issues: { rule: string }[]; servingHash?: string }[] = [];
    plain.on("module:rejected", (event) => rejected.push(event));
    await expect(plain.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe(1);
    fs.writeFileSync(path.join(folder, "a.js"), "exports.v = () => {{;\n");
    await expect(plain.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe(1);
    fs.writeFileSync(path.join(folder, "a.js"), "exports.v = () => eval('2');\n");
    await expect(plain.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe(1);
    expect(rejected.map((e) => e.issues[0]!.rule)).toEqual(["syntax", "no-eval"]);
    expect(rejected.every((e) => typeof e.servingHash === "string" && e.servingHash.length > 0)).toBe(true);
    fs.writeFileSync(path.join(folder, "a.js"), version(4));
    await expect(plain.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe(4);
  });

  it("a file broken from its first version has no good one to serve: VALIDATION_ERROR", async () => {
    const folder = makeTenant({ "a.js": "exports.v = () => eval('1');\n" });
    const evil = await expectCode(plain, { folder, file: "a.js", funcName: "v" }, "VALIDATION_ERROR");
    expect((evil.details?.issues as { rule: string }[]).map((i) => i.rule)).toContain("no-eval");
  });

  it("an in-flight invocation finishes on the version it started with", async () => {
    const folder = makeTenant({ "slow.js": slowModule("old") });
    const pending = plain.run({ folder, file: "slow.js", funcName: "f" });
    await sleep(60);
    fs.writeFileSync(path.join(folder, "slow.js"), slowModule("new"));
    await expect(pending).resolves.toBe("old:old");
    await expect(plain.run({ folder, file: "slow.js", funcName: "f" })).resolves.toBe("new:new");
  });
});

/** Waits 300 ms, then returns a value computed from module-level code. */
function slowModule(tag: string): string {
  return `const TAG = ${JSON.stringify(tag)};\nfunction again() { return TAG; }\nexports.f = async () => { await new Promise((r) => setTimeout(r, 300)); return TAG + ":" + again(); };\n`;
}

describe("with watch: hot reload", () => {
  it("an edit is served after the reload is reported, with module:loaded carrying the new hash", async () => {
    const { folder, runtime } = await watchedTenant({ "a.js": version(1) });
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe(1);
    const oldHash = (await runtime.modules(folder))[0]!.hash;
    const loaded = waitFor(runtime, "module:loaded", (e) => e.file === "a.js");
    const reload = reloadOf(runtime, folder, "a.js");
    fs.writeFileSync(path.join(folder, "a.js"), version(2));
    const [l, r] = await Promise.all([loaded, reload]);
    expect(r).toMatchObject({ tenant: "acme", folder: real(folder) });
    expect(l).toMatchObject({ tenant: "acme", folder: real(folder), file: "a.js" });
    expect(l.hash).not.toBe(oldHash);
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe(2);
    expect((await runtime.modules(folder))[0]!.hash).toBe(l.hash);
  });

  it("an edited dependency is served through the module that requires it", async () => {
    const { folder, runtime } = await watchedTenant({ "main.js": "const d = require('./lib/dep');\nexports.f = () => d.v;\n", "lib/dep.js": "exports.v = 1;\n" });
    await expect(runtime.run({ folder, file: "main.js", funcName: "f" })).resolves.toBe(1);
    const reload = reloadOf(runtime, folder, "lib/dep.js");
    fs.writeFileSync(path.join(folder, "lib/dep.js"), "exports.v = 2;\n");
    await reload;
    await expect(runtime.run({ folder, file: "main.js", funcName: "f" })).resolves.toBe(2);
  });

  it("a root that is the file system's root is refused at construction (every folder was refused as outside it)", () => {
    expect(() => makeRuntime({ root: "/" })).toThrow(new TypeError('tenantbox: option "root" must be a directory of tenant folders, not the file system\'s root, got "/"'));
  });

  it("watch without root: the folder is watched from its first use", async () => {
    const { folder, runtime } = await watchedTenant({ "a.js": version(1) }, { root: false });
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe(1);
    const reload = waitFor(runtime, "reload", (e) => e.files.includes("a.js"));
    fs.writeFileSync(path.join(folder, "a.js"), version(2));
    expect((await reload).tenant).toBe("acme");
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe(2);
  });

  it("break (syntax, then eval) → module:rejected, the last good version keeps serving; fix → the fix serves", async () => {
    const { folder, runtime } = await watchedTenant({ "a.js": version("good") });
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe("good");
    const goodHash = (await runtime.modules(folder))[0]!.hash;

    let rejected = waitFor(runtime, "module:rejected", (e) => e.file === "a.js");
    fs.writeFileSync(path.join(folder, "a.js"), "exports.v = () => {{ 'syntax';\n");
    let event = await rejected;
    expect(event).toMatchObject({ tenant: "acme", folder: real(folder), file: "a.js", servingHash: goodHash });
    expect(event.issues.length).toBeGreaterThan(0);
    expect(event.issues[0]).toMatchObject({ severity: "error" });
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe("good");
    let info = (await runtime.modules(folder))[0]!;
    expect(info).toMatchObject({ file: "a.js", hash: goodHash, valid: true });
    expect(info.rejected?.issues.length).toBeGreaterThan(0);

    rejected = waitFor(runtime, "module:rejected", (e) => e.file === "a.js" && e.issues.some((i) => i.rule === "no-eval"));
    fs.writeFileSync(path.join(folder, "a.js"), "exports.v = () => eval('\"evil\"');\n");
    event = await rejected;
    expect(event).toMatchObject({ tenant: "acme", file: "a.js", servingHash: goodHash });
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe("good");
    info = (await runtime.modules(folder))[0]!;
    expect(info.hash).toBe(goodHash);
    expect(info.rejected?.issues.map((i) => i.rule)).toContain("no-eval");

    const loaded = waitFor(runtime, "module:loaded", (e) => e.file === "a.js");
    const reload = reloadOf(runtime, folder, "a.js");
    fs.writeFileSync(path.join(folder, "a.js"), version("fixed"));
    await Promise.all([loaded, reload]);
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe("fixed");
    info = (await runtime.modules(folder))[0]!;
    expect(info.valid).toBe(true);
    expect(info.rejected).toBeUndefined();
    expect(info.hash).not.toBe(goodHash);
  });

  it("a new file that never validated is rejected (no servingHash) and refused with VALIDATION_ERROR", async () => {
    const { folder, runtime } = await watchedTenant({ "a.js": version(1) });
    const rejected = waitFor(runtime, "module:rejected", (e) => e.file === "evil.js");
    fs.writeFileSync(path.join(folder, "evil.js"), "exports.f = () => new Function('return 1')();\n");
    const event = await rejected;
    expect(event.servingHash).toBeUndefined();
    await expectCode(runtime, { folder, file: "evil.js", funcName: "f" }, "VALIDATION_ERROR");
    const info = (await runtime.modules(folder)).find((m) => m.file === "evil.js")!;
    expect(info).toMatchObject({ valid: false, hash: "" });
  });

  it("delete → module:removed, then MODULE_NOT_FOUND", async () => {
    const { folder, runtime } = await watchedTenant({ "a.js": version(1), "keep.js": version("keep") });
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe(1);
    const removed = waitFor(runtime, "module:removed", (e) => e.file === "a.js");
    fs.rmSync(path.join(folder, "a.js"));
    expect(await removed).toEqual({ tenant: "acme", folder: real(folder), file: "a.js" });
    await expectCode(runtime, { folder, file: "a.js", funcName: "v" }, "MODULE_NOT_FOUND");
    expect((await runtime.modules(folder)).map((m) => m.file)).toEqual(["keep.js"]);
    await expect(runtime.run({ folder, file: "keep.js", funcName: "v" })).resolves.toBe("keep");
  });

  it("rename a.js → b.js: the old name is MODULE_NOT_FOUND, the new one works", async () => {
    const { folder, runtime, events } = await watchedTenant({ "a.js": version("moved") });
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe("moved");
    const removed = waitFor(runtime, "module:removed", (e) => e.file === "a.js");
    const added = waitFor(runtime, "reload", (e) => e.files.includes("b.js"));
    fs.renameSync(path.join(folder, "a.js"), path.join(folder, "b.js"));
    await Promise.all([removed, added]);
    await expectCode(runtime, { folder, file: "a.js", funcName: "v" }, "MODULE_NOT_FOUND");
    await expect(runtime.run({ folder, file: "b.js", funcName: "v" })).resolves.toBe("moved");
    expect((await runtime.modules(folder)).map((m) => m.file)).toEqual(["b.js"]);
    expect(events.filter((e) => e.event === "module:rejected")).toEqual([]);
  });

  it("a burst of 20 rapid writes settles into one (or very few) reloads and the final content serves", async () => {
    const { folder, runtime, events } = await watchedTenant({ "a.js": version(0) });
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe(0);
    const first = reloadOf(runtime, folder, "a.js");
    for (let i = 1; i <= 20; i++) {
      fs.writeFileSync(path.join(folder, "a.js"), version(i) + "//" + "x".repeat(i) + "\n");
      await sleep(2);
    }
    await first;
    // Let any straggling batch arrive before counting.
    await sleep(400);
    const reloads = events.filter((e) => e.event === "reload" && e.payload.files.includes("a.js"));
    expect(reloads.length).toBeGreaterThanOrEqual(1);
    expect(reloads.length).toBeLessThanOrEqual(3);
    expect(events.filter((e) => e.event === "module:rejected")).toEqual([]);
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe(20);
  });

  it("a partial write is never loaded as a broken version", async () => {
    const { folder, runtime, events } = await watchedTenant({ "a.js": version("before") });
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe("before");
    const full = `${version("after")}exports.more = () => ({ a: 1, b: [1, 2, 3], c: "${"y".repeat(200)}" });\n`;
    const half = full.slice(0, Math.floor(full.length / 2)); // cuts the object literal: a syntax error on its own
    expect(await plainValidate(half)).toBe(false);
    const reload = reloadOf(runtime, folder, "a.js");
    const fd = fs.openSync(path.join(folder, "a.js"), "w");
    try {
      fs.writeSync(fd, half);
      await sleep(15); // well under the watcher's settle time
      // A call in the middle of the write is served from memory: the old version.
      await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe("before");
      fs.writeSync(fd, full.slice(half.length));
    } finally {
      fs.closeSync(fd);
    }
    await reload;
    await sleep(150);
    expect(events.filter((e) => e.event === "module:rejected")).toEqual([]);
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe("after");
  });

  it("a whole tenant folder replaced at once (staged next to it, rm -rf, rename into place) serves the new code, and stays watched", async () => {
    const { root, folder, runtime } = await watchedTenant({ "a.js": version("v1"), "old-only.js": version("old"), "lib/dep.js": "exports.d = 1;\n" });
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe("v1");
    await expect(runtime.run({ folder, file: "old-only.js", funcName: "v" })).resolves.toBe("old");
    const staged = path.join(root, "acme.next");
    fs.mkdirSync(staged);
    writeFiles(staged, { "a.js": version("v2"), "new-only.js": version("new"), "lib/dep.js": "exports.d = 2;\n" });
    const realFolder = real(folder);
    const reload = waitFor(runtime, "reload", (e) => e.folder === realFolder && e.files.includes("a.js"));
    fs.rmSync(folder, { recursive: true, force: true });
    fs.renameSync(staged, folder);
    await reload;
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe("v2");
    await expect(runtime.run({ folder, file: "new-only.js", funcName: "v" })).resolves.toBe("new");
    await expectCode(runtime, { folder, file: "old-only.js", funcName: "v" }, "MODULE_NOT_FOUND");
    expect((await runtime.modules(folder)).map((m) => m.file)).toEqual(["a.js", "lib/dep.js", "new-only.js"]);

    // The replaced folder is still watched: a later edit inside it (also in a subfolder) is reported and served.
    await sleep(150); // let the replacement's trailing batches pass
    const edit = reloadOf(runtime, folder, "a.js");
    fs.writeFileSync(path.join(folder, "a.js"), version("v3"));
    await edit;
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe("v3");
    const rejected = waitFor(runtime, "module:rejected", (e) => e.file === "lib/dep.js");
    fs.writeFileSync(path.join(folder, "lib/dep.js"), "exports.d = eval('3');\n");
    expect((await rejected).tenant).toBe("acme");
  });

  it("a tenant folder linked into a dot-directory of the root (a release swapped in by a symlink) is checked on every call", async () => {
    const root = makeTempDir();
    writeFiles(path.join(root, ".releases", "acme-1"), { "a.js": version("r1") });
    writeFiles(path.join(root, ".releases", "acme-2"), { "a.js": version("r2") });
    const folder = path.join(root, "acme");
    fs.symlinkSync(".releases/acme-1", folder);
    const runtime = makeRuntime({ root, watch: true });
    watched.push(runtime);
    await runtime.ready();
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe("r1");
    await runtime.ready();
    await sleep(150);
    // The watcher ignores dot-entries below the root: an edit in place there is never reported, so it is read.
    fs.writeFileSync(path.join(root, ".releases", "acme-1", "a.js"), version("r1-edited"));
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe("r1-edited");
    // The link swapped to the next release (renamed over the old link): that release is served.
    fs.symlinkSync(".releases/acme-2", path.join(root, "acme.next"));
    fs.renameSync(path.join(root, "acme.next"), folder);
    let served: unknown;
    for (let i = 0; i < 50 && served !== "r2"; i++) {
      served = await runtime.run({ folder, file: "a.js", funcName: "v" });
      if (served !== "r2") await sleep(100);
    }
    expect(served).toBe("r2");
  });

  it("an in-flight invocation finishes on its version; the next call gets the new one", async () => {
    const { folder, runtime } = await watchedTenant({ "slow.js": slowModule("old") });
    await expect(runtime.run({ folder, file: "slow.js", funcName: "f" })).resolves.toBe("old:old");
    const pending = runtime.run({ folder, file: "slow.js", funcName: "f" });
    await sleep(30);
    const reload = reloadOf(runtime, folder, "slow.js");
    fs.writeFileSync(path.join(folder, "slow.js"), slowModule("new"));
    await reload; // the swap happens while the first call still waits on its timer
    await expect(pending).resolves.toBe("old:old");
    await expect(runtime.run({ folder, file: "slow.js", funcName: "f" })).resolves.toBe("new:new");
  });

  it("the hot path reads no file: a run right after a delete (before the watcher reports it) is served from memory; after the report it is MODULE_NOT_FOUND", async () => {
    const { folder, runtime } = await watchedTenant({ "a.js": version("warm"), "main.js": "const a = require('./a');\nexports.f = () => a.v();\n" });
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe("warm");
    await expect(runtime.run({ folder, file: "main.js", funcName: "f" })).resolves.toBe("warm");
    const removed = waitFor(runtime, "module:removed", (e) => e.file === "a.js");
    fs.rmSync(path.join(folder, "a.js"));
    // Documented behaviour: until the watcher reports the delete, the compiled version in memory serves.
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe("warm");
    await expect(runtime.run({ folder, file: "main.js", funcName: "f" })).resolves.toBe("warm");
    await removed;
    await expectCode(runtime, { folder, file: "a.js", funcName: "v" }, "MODULE_NOT_FOUND");
    const broken = await runError(runtime, { folder, file: "main.js", funcName: "f" });
    expect(broken.message).toMatch(/a/);
  });

  it("memory stays bounded when modules churn: 200 files created, run and deleted leave nothing listed", async () => {
    const { folder, runtime } = await watchedTenant({});
    const rss = process.memoryUsage().rss;
    const reported = new Set<string>();
    const removedFiles = new Set<string>();
    runtime.on("reload", (e) => e.files.forEach((f) => reported.add(f)));
    runtime.on("module:removed", (e) => removedFiles.add(e.file));
    for (let round = 0; round < 5; round++) {
      const names = Array.from({ length: 40 }, (_, i) => `m${round}-${i}.js`);
      for (const name of names) {
        fs.writeFileSync(path.join(folder, name), `const PAD = ${JSON.stringify("p".repeat(4000) + name)};\nexports.f = () => PAD.length;\n`);
      }
      const values = await Promise.all(names.map((file) => runtime.run({ folder, file, funcName: "f" })));
      expect(values).toEqual(names.map((n) => 4000 + n.length));
      // Delete only once the additions were reported (see the next test for deletes inside the settle window).
      await until(() => names.every((n) => reported.has(n)), `round ${round}: additions reported`);
      for (const name of names) fs.rmSync(path.join(folder, name));
      await until(() => names.every((n) => removedFiles.has(n)), `round ${round}: deletions reported`);
      await expectCode(runtime, { folder, file: names[0]!, funcName: "f" }, "MODULE_NOT_FOUND");
    }
    expect(await runtime.modules(folder)).toEqual([]);
    expect(removedFiles.size).toBe(200);
    expect(process.memoryUsage().rss - rss).toBeLessThan(200 * 1024 * 1024);
  });

  it("a file created, run and deleted within the watcher's settle time is not served after the delete", async () => {
    const { folder, runtime } = await watchedTenant({ "a.js": version(1) });
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe(1);
    fs.writeFileSync(path.join(folder, "tmp.js"), version("temporary"));
    await expect(runtime.run({ folder, file: "tmp.js", funcName: "v" })).resolves.toBe("temporary");
    fs.rmSync(path.join(folder, "tmp.js"));
    // chokidar drops an "add" still waiting for the write to settle when the file goes away, so no event
    // will come; give the watcher ample time, then the deleted file must not serve.
    await sleep(600);
    await expectCode(runtime, { folder, file: "tmp.js", funcName: "v" }, "MODULE_NOT_FOUND");
  });

  it("activity in one tenant's folder sweeps where it happened only: neither the folder's other known files nor another tenant's are looked at", async () => {
    // The sweep (files the loader holds, checked for existence after raw activity) once went over every known
    // file of every folder: 300 tenants of 30 files held the main thread 350 ms per write of any one of them.
    const { root, folder, runtime } = await watchedTenant({ "a.js": version(1) });
    const other = await otherTenantLoaded(root, runtime);
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe(1);
    writeFiles(folder, Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`keep/k${i}.js`, version(i)])));
    await sleep(400);
    for (let i = 0; i < 10; i++) await expect(runtime.run({ folder, file: `keep/k${i}.js`, funcName: "v" })).resolves.toBe(i);
    await sleep(400); // any sweep the loads above caused is over
    const looked = await existsLooks(async () => {
      fs.writeFileSync(path.join(folder, "tmp.js"), version("temporary"));
      await expect(runtime.run({ folder, file: "tmp.js", funcName: "v" })).resolves.toBe("temporary");
      fs.rmSync(path.join(folder, "tmp.js"));
      await sleep(600);
    });
    // The folder with activity was swept (tmp.js is gone from memory), the other was not looked at.
    await expectCode(runtime, { folder, file: "tmp.js", funcName: "v" }, "MODULE_NOT_FOUND");
    expect(looked.filter((file) => file.startsWith(real(other) + path.sep))).toEqual([]);
    // In the folder with activity, the places of activity only: tmp.js, not the other known files.
    expect([...new Set(looked.filter((file) => file.startsWith(real(folder) + path.sep)))]).toEqual([path.join(real(folder), "tmp.js")]);
    await expect(runtime.run({ folder: other, file: "m7.js", funcName: "v" })).resolves.toBe(7);
  });

  it("a burst of writes in one tenant's folder (more places than a sweep keeps) sweeps that folder whole, not another tenant's", async () => {
    const { root, folder, runtime } = await watchedTenant({ "a.js": version(1) });
    const other = await otherTenantLoaded(root, runtime);
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe(1);
    await sleep(400); // any sweep the loads above caused is over
    const looked = await existsLooks(async () => {
      fs.writeFileSync(path.join(folder, "tmp.js"), version("temporary"));
      await expect(runtime.run({ folder, file: "tmp.js", funcName: "v" })).resolves.toBe("temporary");
      // 300 files written at once (a deploy): more distinct places of raw activity than one sweep goes to.
      writeFiles(folder, Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`burst${i}.txt`, "x"])));
      fs.rmSync(path.join(folder, "tmp.js"));
      await sleep(800);
    });
    await expectCode(runtime, { folder, file: "tmp.js", funcName: "v" }, "MODULE_NOT_FOUND");
    // The writing tenant's folder was swept whole (a.js looked at), the other tenant's not at all.
    expect(looked).toContain(path.join(real(folder), "a.js"));
    expect(looked.filter((file) => file.startsWith(real(other) + path.sep))).toEqual([]);
    await expect(runtime.run({ folder: other, file: "m7.js", funcName: "v" })).resolves.toBe(7);
  });

  it("a partial write is not loaded even by the first call after another reload dropped the cached graphs", async () => {
    const { folder, runtime, events } = await watchedTenant({ "a.js": version("before") });
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe("before");
    const other = reloadOf(runtime, folder, "other.js");
    fs.writeFileSync(path.join(folder, "other.js"), "exports.x = 1;\n");
    await other; // the folder's cached graphs are gone now
    const reload = reloadOf(runtime, folder, "a.js");
    const fd = fs.openSync(path.join(folder, "a.js"), "w");
    let midWrite: unknown;
    try {
      // The first chunk happens to be a complete module on its own; the file is not finished.
      fs.writeSync(fd, "exports.v = () => 'half-written';\n");
      midWrite = await runtime.run({ folder, file: "a.js", funcName: "v" }).catch((e: { code: string }) => e.code);
      fs.writeSync(fd, "exports.v = () => 'complete';\n");
    } finally {
      fs.closeSync(fd);
    }
    await reload;
    expect(midWrite).toBe("before");
    expect(events.filter((e) => e.event === "module:rejected")).toEqual([]);
    await expect(runtime.run({ folder, file: "a.js", funcName: "v" })).resolves.toBe("complete");
  });
});

/** Polls `condition` every 10 ms; rejects after `timeoutMs`. */
async function until(condition: () => boolean, what: string, timeoutMs = 4000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(10);
  }
}

async function plainValidate(code: string): Promise<boolean> {
  return (await plain.validate(code, { filename: "a.js" })).valid;
}
