import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compile, type CompiledVersion, type CompileInput } from "../src/loader/compile.js";
import { storeShare, VersionStore } from "../src/loader/version-store.js";
import { openVersionStore } from "../src/loader/version-store-key.js";
import { cleanupTenants, makeRuntime, makeTenant, runError } from "./helpers.js";

/** The entry guard's use of the budget object, whatever the compile's random suffix. */
const GUARD_BUDGET = /__tenantbox_b_[0-9a-f]{8}\.n/;
/** A compiled version with its guards' random suffix taken out (two compiles of one module differ only there). */
function withoutGuardSuffix<T extends { source: string }>(version: T): T {
  return { ...version, source: version.source.replace(/(__tenantbox_(?:b|enter|loop|tick|c))_[0-9a-f]{8}/g, "$1") };
}

/*
 * The opt-in version store (compileCacheDir) keeps validated, transformed versions on disk. Its directory is
 * attacker-adjacent: an entry must only ever answer for the exact input it was made from, and only if the
 * runtime made it.
 */
const dirs: string[] = [];
function storeDir(): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-store-")), "versions");
  dirs.push(path.dirname(dir));
  return dir;
}
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  cleanupTenants();
});

/** A store, and a compile that counts how often it really ran. */
function storeWithCounter(dir = storeDir(), maxBytes?: number) {
  const store = new VersionStore(openVersionStore(dir), storeShare(), maxBytes);
  let compiles = 0;
  const counted = (input: CompileInput): CompiledVersion => {
    compiles++;
    return compile(input);
  };
  return { dir, store, compileThrough: (input: CompileInput) => store.compile(input, counted), compiles: () => compiles };
}

const input = (code: string, more: Partial<CompileInput> = {}): CompileInput => ({ kind: "module", id: "hooks/a.js", code, securityLevel: "STANDARD", scoring: false, countIterations: false, ...more });
const entries = (dir: string) => fs.readdirSync(dir).filter((name) => name.endsWith(".version"));

describe("the version store", () => {
  it("never keeps a refusal that depends on the thread (a stack too deep, which a cold thread reaches sooner): it is compiled again", () => {
    const { dir, compileThrough, compiles } = storeWithCounter();
    // Deep enough for a walker's stack (TOO_DEEP) on any thread, and for acorn's ("Not enough stack space").
    for (const depth of [6_000, 100_000]) {
      const deep = input(`module.exports = ${"- ".repeat(depth)}1;\n`);
      const first = compileThrough(deep);
      expect(first.rejection?.[0]?.message).toMatch(/too deeply nested|Not enough stack space/);
      compileThrough(deep);
    }
    expect(entries(dir)).toHaveLength(0);
    expect(compiles()).toBe(4);
  });

  it("runtimes that make a new store at the same moment all open it, with one key", async () => {
    const module = path.resolve(import.meta.dirname, "../src/loader/version-store-key.ts");
    const node = path.resolve(import.meta.dirname, "../node_modules/.bin/node");
    for (let round = 0; round < 3; round++) {
      const dir = storeDir();
      const script = `const m = await import(${JSON.stringify(module)}); process.stdout.write(m.openVersionStore(${JSON.stringify(dir)}).key);`;
      const runs = await Promise.all(
        Array.from({ length: 6 }, () =>
          new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
            const child = spawn(node, ["--input-type=module", "--no-warnings", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
            let out = "";
            let err = "";
            child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
            child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
            child.on("exit", (code) => resolve({ code, out, err }));
          }),
        ),
      );
      for (const run of runs) expect(run.code, run.err).toBe(0);
      expect(new Set(runs.map((run) => run.out)).size).toBe(1);
      expect(fs.readdirSync(dir)).toEqual(["key"]);
    }
  });

  it("refuses to serve a folder that holds it (its tenant could read the key), and a compileCacheDir inside root", async () => {
    const folder = makeTenant({ "hooks/a.js": "exports.f = () => 1;\n" });
    const runtime = makeRuntime({ compileCacheDir: path.join(folder, ".cache", "versions") });
    try {
      const error = await runError(runtime, { folder, file: "hooks/a.js", funcName: "f" });
      expect(error.code).toBe("INVALID_REQUEST");
      expect(error.message).toMatch(/compileCacheDir is inside this folder/);
    } finally {
      await runtime.close();
    }
    const root = makeTenant({});
    expect(() => makeRuntime({ root, compileCacheDir: path.join(root, "cache") })).toThrow(/compileCacheDir" must be outside "root"/);
  });

  it("refuses a compileCacheDir that reaches into root through a symbolic link before making it (black-box pass)", () => {
    const root = makeTenant({ "acme/a.js": "exports.f = () => 1;\n" });
    const outside = path.dirname(storeDir());
    fs.mkdirSync(outside, { recursive: true });
    // A link beside the root to one of its tenants: the spelling is outside the root, the directory is not.
    const link = path.join(outside, `into-acme-${process.pid}`);
    fs.symlinkSync(path.join(root, "acme"), link);
    const dir = path.join(link, "cache", "versions");
    expect(() => makeRuntime({ root, compileCacheDir: dir })).toThrow(/compileCacheDir" must be outside "root"/);
    // Nothing was made in the tenant's folder: no directory, no key.
    expect(fs.readdirSync(path.join(root, "acme"))).toEqual(["a.js"]);
    // A root spelled through a link holds it as much.
    const rootLink = path.join(outside, `root-link-${process.pid}`);
    fs.symlinkSync(root, rootLink);
    expect(() => makeRuntime({ root: rootLink, compileCacheDir: path.join(root, "cache") })).toThrow(/compileCacheDir" must be outside "root"/);
    expect(fs.existsSync(path.join(root, "cache"))).toBe(false);
  });

  it("a compileCacheDir the file system refuses (a file there, a path through a file) is a TypeError naming the option", () => {
    const parent = path.dirname(storeDir());
    fs.mkdirSync(parent, { recursive: true });
    const file = path.join(parent, "not-a-dir");
    fs.writeFileSync(file, "x");
    expect(() => openVersionStore(file)).toThrow(new TypeError(`tenantbox: compileCacheDir ${file} is not a directory (a symbolic link is refused)`));
    expect(() => openVersionStore(path.join(file, "below"))).toThrow(new TypeError(`tenantbox: compileCacheDir ${path.join(file, "below")} cannot be used: ENOTDIR`));
    expect(() => makeRuntime({ compileCacheDir: file })).toThrow(TypeError);
  });

  it("serves a stored version for the same input only: text, id, kind, level, scoring and loop counting all count", () => {
    const { compileThrough, compiles } = storeWithCounter();
    const code = "exports.f = function f(x) { for (const y of x) y(); return 1; };\n";
    const first = compileThrough(input(code));
    expect(compileThrough(input(code))).toEqual(first);
    expect(compiles()).toBe(1);
    compileThrough(input(code + " "));
    compileThrough(input(code, { id: "hooks/b.js" }));
    compileThrough(input(code, { kind: "script" }));
    compileThrough(input(code, { securityLevel: "STRICT" }));
    compileThrough(input(code, { scoring: true }));
    // A runtime with maxIterations on never gets a version whose loops do not count (and the reverse).
    const counted = compileThrough(input(code, { countIterations: true }));
    expect(counted.source).toMatch(/\.l < 0/);
    expect(first.source).not.toMatch(/\.l < 0/);
    expect(compiles()).toBe(7);
  });

  it("keeps refusals as verdicts too, for the same input only", () => {
    const { compileThrough, compiles } = storeWithCounter();
    const refused = compileThrough(input("module.exports = eval('1');\n"));
    expect(refused.rejection?.[0]?.rule).toBe("no-eval");
    expect(compileThrough(input("module.exports = eval('1');\n"))).toEqual(refused);
    expect(compiles()).toBe(1);
  });

  it("never trusts an entry it did not sign: a changed body, another key's entry, a symbolic link are misses", () => {
    const { dir, compileThrough, compiles } = storeWithCounter();
    const code = "exports.f = () => 1;\n";
    const honest = compileThrough(input(code));
    const [name] = entries(dir);
    const file = path.join(dir, name!);
    // An entry for this very input, changed to say something else (no guards, say): refused, recompiled.
    const text = fs.readFileSync(file, "utf8");
    expect(text).toMatch(GUARD_BUDGET);
    fs.writeFileSync(file, text.replace(GUARD_BUDGET, "__tenantbox_x.n"));
    // Recompiled: the same module, its guards under another random suffix.
    expect(withoutGuardSuffix(compileThrough(input(code)))).toEqual(withoutGuardSuffix(honest));
    expect(compiles()).toBe(2);
    // The same entry signed with another directory's key.
    const other = storeWithCounter();
    other.compileThrough(input(code));
    fs.copyFileSync(path.join(other.dir, entries(other.dir)[0]!), file);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(GUARD_BUDGET, "__tenantbox_x.n"));
    expect(compileThrough(input(code)).source).toMatch(GUARD_BUDGET);
    expect(compiles()).toBe(3);
    // A symbolic link to an entry elsewhere.
    fs.rmSync(file);
    fs.symlinkSync(path.join(other.dir, entries(other.dir)[0]!), file);
    compileThrough(input(code));
    expect(compiles()).toBe(4);
  });

  it("stays within its bound: the oldest entries go", () => {
    const { dir, compileThrough } = storeWithCounter(storeDir(), 64 * 1024);
    for (let i = 0; i < 60; i++) compileThrough(input(`exports.f${i} = function () { return "${"x".repeat(2000)}"; };\n`));
    const bytes = entries(dir).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
    expect(bytes).toBeLessThanOrEqual(64 * 1024);
    expect(entries(dir).length).toBeGreaterThan(0);
  });

  it("refuses a directory other users may write, and keeps its key readable by its owner only", () => {
    const dir = storeDir();
    openVersionStore(dir);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, "key")).mode & 0o777).toBe(0o600);
    fs.chmodSync(dir, 0o777);
    expect(() => openVersionStore(dir)).toThrow(/open to other users/);
    fs.chmodSync(dir, 0o700);
    fs.chmodSync(path.join(dir, "key"), 0o644);
    expect(() => openVersionStore(dir)).toThrow(/open to other users/);
    expect(() => openVersionStore("relative/dir")).toThrow(TypeError);
  });
});

describe("a runtime with compileCacheDir", () => {
  it("stores what its loader compiles, serves it to the next runtime, and a changed file is compiled anew", async () => {
    const dir = storeDir();
    const folder = makeTenant({ "hooks/a.js": "exports.f = (x) => x * 2;\n" });
    const first = makeRuntime({ compileCacheDir: dir });
    try {
      expect(await first.run({ folder, file: "hooks/a.js", funcName: "f", args: [21] })).toBe(42);
    } finally {
      await first.close();
    }
    expect(entries(dir)).toHaveLength(1);
    const second = makeRuntime({ compileCacheDir: dir });
    try {
      expect(await second.run({ folder, file: "hooks/a.js", funcName: "f", args: [21] })).toBe(42);
      expect(entries(dir)).toHaveLength(1);
      fs.writeFileSync(path.join(folder, "hooks/a.js"), "exports.f = (x) => x * 3;\n");
      expect(await second.run({ folder, file: "hooks/a.js", funcName: "f", args: [21] })).toBe(63);
      expect(entries(dir)).toHaveLength(2);
      // A refused file stays refused, stored or not.
      fs.writeFileSync(path.join(folder, "hooks/bad.js"), "exports.f = () => eval('1');\n");
      expect((await runError(second, { folder, file: "hooks/bad.js", funcName: "f" })).code).toBe("VALIDATION_ERROR");
      expect((await runError(second, { folder, file: "hooks/bad.js", funcName: "f" })).code).toBe("VALIDATION_ERROR");
    } finally {
      await second.close();
    }
    const third = makeRuntime({ compileCacheDir: dir });
    try {
      expect((await runError(third, { folder, file: "hooks/bad.js", funcName: "f" })).code).toBe("VALIDATION_ERROR");
    } finally {
      await third.close();
    }
  });
});
