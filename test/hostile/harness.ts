import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IsolatedRuntime } from "../../dist/index.js";
import type { ExecuteResult, RunRequest, RuntimeOptions, SecurityLevel } from "../../dist/index.js";
import { MARKER, PRELUDE, type CaseEnv, type CaseExpectation, type HostileCase } from "./cases/types.js";

/*
 * The containment harness of the hostile suite. Each family file calls hostileFamily(name, cases, options):
 * one runtime per family (per level / variant), secrets planted before it exists, and for every case:
 *
 *   - the call settles within its limit plus a generous margin, with one of the expected codes;
 *   - no secret (host env, host global, a file outside the folder, another tenant's file) and no escape
 *     marker appears anywhere in what the caller gets (value, error, details, logs), nor a host path;
 *   - no file appeared or changed under the temp root (tenant folders, secrets, the outside folder);
 *   - no own property of the test process's globalThis, Object.prototype, Array.prototype,
 *     Function.prototype, Promise.prototype or JSON was added, removed or replaced;
 *   - a benign call on the same runtime succeeds afterwards.
 *
 * Escape families also run every CommonJS case through a naive node:vm runner in a child process, and
 * check that the cases marked `naiveEscapes: true` do leak a secret there (and the others do not): the
 * attacks are real, and the suite would fail on a sandbox without tenantbox's defenses.
 */

type Runtime = InstanceType<typeof IsolatedRuntime>;

export const ENV_NAME = "TENANTBOX_HOSTILE_SECRET";
export const GLOBAL_NAME = "__HOST_SECRET";
const HERE = path.dirname(fileURLToPath(import.meta.url));
const NAIVE_RUNNER = path.join(HERE, "naive-runner.cjs");
/** A call must settle within its limit plus this (the hard stop, a worker restart, a loaded machine). */
const SETTLE_MARGIN_MS = 4500;
const BENIGN = "exports.ping = (x) => ({ pong: x });\n";

export interface FamilyOptions {
  /** Runtime options of the family (defaults: maxThreads 2, minThreads 1, timeout 500). */
  runtime?: RuntimeOptions;
  /** Named variants with option overrides, chosen per case with `variant`. */
  variants?: Record<string, RuntimeOptions>;
  /** Per-call limit when a case gives none (default: the runtime's timeout). */
  defaultLimitMs?: number;
  /** Run the naive-runner check for this family (escape families). */
  naive?: boolean;
}

interface Secrets {
  env: string;
  global: string;
  file: string;
  other: string;
}

function tokens(label: string): Secrets {
  const tag = `${label}-${randomBytes(9).toString("hex")}`;
  return { env: `ENV-SECRET-${tag}`, global: `GLOBAL-SECRET-${tag}`, file: `FILE-SECRET-${tag}`, other: `OTHER-TENANT-SECRET-${tag}` };
}

interface Layout {
  root: string;
  outside: string;
  otherTenant: string;
  secretFile: string;
  otherSecretFile: string;
  tenants: string;
}

/** Plants the file secrets and the folders around the tenants. */
function plantFiles(root: string, secrets: Secrets): Layout {
  const outside = path.join(root, "outside");
  const otherTenant = path.join(root, "other-tenant");
  const tenants = path.join(root, "tenants");
  const secretFile = path.join(root, "secret.txt");
  const otherSecretFile = path.join(otherTenant, "secret.txt");
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };
  write(secretFile, secrets.file);
  write(path.join(root, "secret.js"), `exports.secret = ${JSON.stringify(secrets.file)};\nexports.f = () => exports.secret;\n`);
  write(path.join(root, "secret.json"), JSON.stringify({ secret: secrets.file }));
  write(path.join(outside, "outside.js"), `exports.secret = ${JSON.stringify(secrets.file)};\nexports.f = () => exports.secret;\n`);
  write(path.join(outside, "outside.mjs"), `export const secret = ${JSON.stringify(secrets.file)};\nexport function f() { return secret; }\n`);
  write(path.join(outside, "outside.json"), JSON.stringify({ secret: secrets.file }));
  write(path.join(outside, "dir", "x.js"), `exports.secret = ${JSON.stringify(secrets.file)};\nexports.f = () => exports.secret;\n`);
  write(path.join(outside, "dir", "index.js"), `exports.secret = ${JSON.stringify(secrets.file)};\nexports.f = () => exports.secret;\n`);
  write(path.join(outside, "pkg", "package.json"), JSON.stringify({ name: "pkg", main: "index.js" }));
  write(path.join(outside, "pkg", "index.js"), `exports.secret = ${JSON.stringify(secrets.file)};\nexports.f = () => exports.secret;\n`);
  write(otherSecretFile, secrets.other);
  write(path.join(otherTenant, "secret.js"), `exports.secret = ${JSON.stringify(secrets.other)};\nexports.f = () => exports.secret;\n`);
  write(path.join(otherTenant, "secret.json"), JSON.stringify({ secret: secrets.other }));
  fs.mkdirSync(tenants, { recursive: true });
  return { root, outside, otherTenant, secretFile, otherSecretFile, tenants };
}

/** Fills the placeholders of a source text for one environment. */
function fill(text: string, layout: Layout): string {
  return text
    .split("__PRELUDE__")
    .join(PRELUDE)
    .split("__SECRET_FILE__")
    .join(layout.secretFile)
    .split("__OTHER_SECRET__")
    .join(layout.otherSecretFile)
    .split("__TEMP_ROOT__")
    .join(layout.root)
    .split("__ENV_NAME__")
    .join(ENV_NAME);
}

function fillDeep<T>(value: T, layout: Layout): T {
  if (typeof value === "string") return fill(value, layout) as T;
  if (Array.isArray(value)) return value.map((v) => fillDeep(v, layout)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fillDeep(v, layout);
    return out as T;
  }
  return value;
}

function defaultFile(c: HostileCase): string {
  return c.file ?? (c.esm ? "main.mjs" : "main.js");
}

function writeCaseFolder(folder: string, c: HostileCase, layout: Layout): void {
  const files: Record<string, string> = { [defaultFile(c)]: c.source, ...(c.files ?? {}) };
  if (c.via === "emit" && !("tenantbox.json" in files)) {
    files["tenantbox.json"] = JSON.stringify({ hooks: { "hostile.event": [`${defaultFile(c)}#${c.funcName ?? "f"}`] } });
  }
  for (const [rel, text] of Object.entries(files)) {
    const full = path.join(folder, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, fill(text, layout));
  }
}

/** Every entry under `dir` (symlinks not followed): path -> kind, size, mtime. */
function listFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(d, entry.name);
      const stat = fs.lstatSync(full);
      out.set(full, `${entry.isDirectory() ? "d" : entry.isSymbolicLink() ? "l" : "f"}:${stat.size}:${stat.mtimeMs}`);
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out;
}

function diffListings(before: Map<string, string>, after: Map<string, string>): string[] {
  const changes: string[] = [];
  for (const [file, sig] of after) {
    if (!before.has(file)) changes.push(`new: ${file}`);
    else if (before.get(file) !== sig && !sig.startsWith("d:")) changes.push(`changed: ${file}`);
  }
  for (const file of before.keys()) if (!after.has(file)) changes.push(`removed: ${file}`);
  return changes;
}

const WATCHED: Record<string, object> = {
  "Object.prototype": Object.prototype,
  "Array.prototype": Array.prototype,
  "Function.prototype": Function.prototype,
  "Promise.prototype": Promise.prototype,
  JSON,
};

/** Own keys of the host's global and of the watched intrinsics, with the identity of every value. */
function hostSnapshot(): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const key of Reflect.ownKeys(globalThis)) out.set(`globalThis.${String(key)}`, true);
  for (const [name, target] of Object.entries(WATCHED)) {
    for (const key of Reflect.ownKeys(target)) {
      const d = Object.getOwnPropertyDescriptor(target, key)!;
      out.set(`${name}.${String(key)}`, "value" in d ? d.value : d.get ?? d.set);
      if (d.set) out.set(`${name}.${String(key)}<set>`, d.set);
    }
    out.set(`${name}<extensible>`, Object.isExtensible(target));
    out.set(`${name}<proto>`, Object.getPrototypeOf(target));
  }
  return out;
}

function diffHost(before: Map<string, unknown>, after: Map<string, unknown>): string[] {
  const changes: string[] = [];
  for (const [key, value] of after) {
    if (!before.has(key)) changes.push(`added ${key}`);
    else if (before.get(key) !== value) changes.push(`replaced ${key}`);
  }
  for (const key of before.keys()) if (!after.has(key)) changes.push(`removed ${key}`);
  return changes;
}

function outcomeOf(report: ExecuteResult): string {
  return report.success ? "success" : (report.error?.code ?? "NO_CODE");
}

function describeReport(report: ExecuteResult): string {
  const text = JSON.stringify({ success: report.success, value: report.value, error: report.error, logs: report.logs.slice(0, 5) });
  return text.length > 1500 ? text.slice(0, 1500) + "…" : text;
}

function checkExpectation(label: string, report: ExecuteResult, expectation: CaseExpectation): void {
  const allowed = expectation.codes === "success" ? ["success"] : expectation.codes;
  expect(allowed, `${label}: outcome ${outcomeOf(report)} not in [${allowed.join(", ")}]; report ${describeReport(report)}`).toContain(
    outcomeOf(report),
  );
  if (report.success && expectation.valueCheck) {
    const verdict = expectation.valueCheck(report.value);
    expect(verdict === true ? true : verdict, `${label}: valueCheck failed for ${describeReport(report)}`).toBe(true);
  }
  if (expectation.reportCheck) {
    const problem = expectation.reportCheck(report);
    expect(problem ?? undefined, `${label}: reportCheck failed for ${describeReport(report)}`).toBeUndefined();
  }
}

/**
 * Defines the describe block of one family: a test per case, and (for escape families) the naive-runner
 * check. Call it at the top level of <family>.test.ts.
 */
export function hostileFamily(family: string, cases: HostileCase[], options: FamilyOptions = {}): void {
  const ids = new Set<string>();
  for (const c of cases) {
    if (ids.has(c.id)) throw new Error(`duplicate case id ${family}/${c.id}`);
    ids.add(c.id);
  }

  describe(`hostile: ${family} (${cases.length} cases)`, () => {
    const secrets = tokens(family);
    const runtimes = new Map<string, Runtime>();
    const toolLog: CaseEnv["toolLog"] = [];
    let layout: Layout;
    let benignFolder: string;
    let previousEnv: string | undefined;
    let benignCount = 0;

    const baseTimeout = options.runtime?.timeout ?? 500;

    async function toolHandler(name: string, args: unknown, ctx: { folder: string }): Promise<unknown> {
      toolLog.push({ folder: ctx.folder, name, args: JSON.stringify(args) ?? "undefined", at: Date.now() });
      if (name === "fail") throw new Error("host tool failure");
      if (name === "never") return new Promise(() => {});
      if (name === "slow") return new Promise((resolve) => setTimeout(() => resolve({ slow: true }), 100));
      return { echoed: args ?? null };
    }

    function runtimeFor(level: SecurityLevel, variant: string | undefined): Runtime {
      const key = `${variant ?? "default"}:${level}`;
      let runtime = runtimes.get(key);
      if (!runtime) {
        if (variant && !options.variants?.[variant]) throw new Error(`unknown variant ${variant}`);
        runtime = new IsolatedRuntime({
          maxThreads: 2,
          minThreads: 1,
          timeout: 500,
          ...options.runtime,
          ...(variant ? options.variants![variant] : {}),
          securityLevel: level,
          toolHandler,
        });
        runtimes.set(key, runtime);
      }
      return runtime;
    }

    beforeAll(() => {
      const root = fs.mkdtempSync(path.join(os.tmpdir(), `tenantbox-hostile-${family}-`));
      layout = plantFiles(root, secrets);
      benignFolder = path.join(root, "benign");
      fs.mkdirSync(benignFolder);
      fs.writeFileSync(path.join(benignFolder, "benign.js"), BENIGN);
      // Planted before any runtime (and so any worker) exists: a worker that inherited the env would carry it.
      previousEnv = process.env[ENV_NAME];
      process.env[ENV_NAME] = secrets.env;
      (globalThis as Record<string, unknown>)[GLOBAL_NAME] = secrets.global;
    });

    afterAll(async () => {
      await Promise.all([...runtimes.values()].map((r) => r.close()));
      // Nothing any case started may write a file later either.
      const late = [...listFiles(layout.root).keys()].filter((f) => /pwned/.test(path.basename(f)));
      if (previousEnv === undefined) delete process.env[ENV_NAME];
      else process.env[ENV_NAME] = previousEnv;
      delete (globalThis as Record<string, unknown>)[GLOBAL_NAME];
      fs.rmSync(layout.root, { recursive: true, force: true });
      expect(late, "files written by tenant code").toEqual([]);
    });

    function envFor(folder: string): CaseEnv {
      return {
        folder,
        root: layout.root,
        outside: layout.outside,
        otherTenant: layout.otherTenant,
        secretFile: layout.secretFile,
        otherSecretFile: layout.otherSecretFile,
        toolLog,
      };
    }

    /** Everything the caller sees must be free of secrets, escape markers and host paths. */
    function assertNoLeak(label: string, report: unknown, allowRoot: boolean): void {
      const text = JSON.stringify(report) ?? "";
      for (const [kind, token] of Object.entries(secrets)) {
        expect(text.includes(token), `${label}: the ${kind} secret leaked: ${text.slice(0, 800)}`).toBe(false);
      }
      expect(text.includes(MARKER), `${label}: escape marker in the result: ${text.slice(0, 800)}`).toBe(false);
      expect(text.includes(process.cwd()), `${label}: host path (cwd) in the result: ${text.slice(0, 800)}`).toBe(false);
      expect(/node:internal|dist\/worker|tenantbox:sandbox/.test(text), `${label}: internal frames in the result: ${text.slice(0, 800)}`).toBe(false);
      if (!allowRoot) expect(text.includes(layout.root), `${label}: host temp path in the result: ${text.slice(0, 800)}`).toBe(false);
    }

    async function call(runtime: Runtime, request: RunRequest, via: "execute" | "emit" | undefined): Promise<{ report: ExecuteResult; raw: unknown }> {
      if (via !== "emit") {
        const report = await runtime.execute(request);
        return { report, raw: report };
      }
      const hooks = await runtime.emit("hostile.event", request.args?.[0], {
        folder: request.folder,
        context: request.context,
        ...(request.timeout !== undefined ? { timeout: request.timeout } : {}),
      });
      const first = hooks[0];
      const stats = first ? { durationMs: first.durationMs, loadMs: 0, totalMs: first.durationMs, toolCalls: 0, logBytes: 0, realmUses: 0 } : undefined;
      const report: ExecuteResult = first
        ? first.success
          ? { success: true, value: first.value, logs: first.logs, stats: stats! }
          : { success: false, error: first.error, logs: first.logs, stats: stats! }
        : {
            success: false,
            error: { code: "NO_HANDLERS" as never, name: "RuntimeError", message: "emit ran no handler" },
            logs: [],
            stats: { durationMs: 0, loadMs: 0, totalMs: 0, toolCalls: 0, logBytes: 0, realmUses: 0 },
          };
      return { report, raw: hooks };
    }

    async function expectBenign(runtime: Runtime, label: string): Promise<void> {
      const n = ++benignCount;
      const started = Date.now();
      const report = await runtime.execute({ folder: benignFolder, file: "benign.js", funcName: "ping", args: [n] });
      expect(report, `${label}: the benign call after the case failed: ${describeReport(report)}`).toMatchObject({ success: true, value: { pong: n } });
      expect(Date.now() - started, `${label}: the benign call took too long`).toBeLessThan(baseTimeout + SETTLE_MARGIN_MS);
    }

    for (const c of cases) {
      const level = c.level ?? "PERMISSIVE";
      it(`${c.id}: ${c.title}${level !== "PERMISSIVE" ? ` [${level}]` : ""}`, async () => {
        const runtime = runtimeFor(level, c.variant);
        const folder = path.join(layout.tenants, c.id);
        fs.mkdirSync(folder, { recursive: true });
        writeCaseFolder(folder, c, layout);
        const env = envFor(folder);
        c.setup?.(env);
        const limit = c.limitMs ?? options.defaultLimitMs ?? baseTimeout;
        const request: RunRequest = {
          folder,
          file: defaultFile(c),
          funcName: c.funcName ?? "f",
          timeout: limit,
          ...(c.args ? { args: c.args } : {}),
          ...(c.context !== undefined ? { context: c.context } : {}),
          ...fillDeep(c.request ?? {}, layout),
        };
        // A source or request that names a host path may see it echoed in a message; nothing else may.
        const named = c.source + JSON.stringify(c.files ?? {}) + JSON.stringify(c.request ?? {}) + (c.after?.source ?? "");
        const allowRoot = /__SECRET_FILE__|__OTHER_SECRET__|__TEMP_ROOT__/.test(named);

        // Realm reuse (after.expectReuse) needs the first call to end within the time after which the sandbox
        // retires a realm unverified (100 ms): a sandbox process's first use of big built-ins compiles them,
        // which took longer on a slow, busy machine. The same call once before, its result not the case's.
        if (c.after?.expectReuse) await call(runtime, request, c.via);
        const filesBefore = listFiles(layout.root);
        const hostBefore = hostSnapshot();
        const started = Date.now();
        const { report, raw } = await call(runtime, request, c.via);
        const elapsed = Date.now() - started;

        const label = `${family}/${c.id}`;
        if (process.env.HOSTILE_DEBUG) console.log(`[hostile] ${label} ${outcomeOf(report)} ${elapsed}ms ${describeReport(report).slice(0, 400)}`);
        expect(elapsed, `${label}: settled after ${elapsed} ms (limit ${limit} ms)`).toBeLessThan(limit + SETTLE_MARGIN_MS);
        assertNoLeak(label, raw, allowRoot);
        checkExpectation(label, report, c.expect);

        if (c.after) {
          const step = c.after;
          if (step.delayMs) await new Promise((r) => setTimeout(r, step.delayMs));
          let folderB = folder;
          let fileB = step.file ?? request.file;
          if (step.source !== undefined) {
            if (step.sameFolder) {
              fileB = step.file ?? "second.js";
            } else {
              folderB = path.join(layout.tenants, `${c.id}--second`);
              fileB = step.file ?? "second.js";
            }
            fs.mkdirSync(folderB, { recursive: true });
            fs.writeFileSync(path.join(folderB, fileB), fill(step.source, layout));
          }
          const limitB = step.limitMs ?? options.defaultLimitMs ?? baseTimeout;
          const startedB = Date.now();
          const second = await runtime.execute({
            folder: folderB,
            file: fileB,
            funcName: step.funcName ?? "f",
            timeout: limitB,
            ...(step.args ? { args: step.args } : {}),
            ...(step.context !== undefined ? { context: step.context } : {}),
          });
          expect(Date.now() - startedB, `${label} (second call): too slow`).toBeLessThan(limitB + SETTLE_MARGIN_MS);
          assertNoLeak(`${label} (second call)`, second, allowRoot);
          checkExpectation(`${label} (second call)`, second, step.expect);
          if (step.expectReuse) {
            expect(second.stats.realmUses, `${label}: the second call did not run on a reused realm`).toBeGreaterThan(1);
          }
          step.check?.(env, report, second);
        }

        const fileChanges = diffListings(filesBefore, listFiles(layout.root)).filter(
          // The second call's own folder is the harness's doing.
          (change) => !change.includes(`${c.id}--second`),
        );
        expect(fileChanges, `${label}: files changed`).toEqual([]);
        expect(diffHost(hostBefore, hostSnapshot()), `${label}: the host's globals or prototypes changed`).toEqual([]);
        expect((globalThis as Record<string, unknown>)[GLOBAL_NAME]).toBe(secrets.global);
        expect(process.env[ENV_NAME]).toBe(secrets.env);
        await expectBenign(runtime, label);
      });
    }

    if (options.naive) {
      const naiveCases = cases.filter((c) => c.naive !== false && !c.esm && !c.after && !c.request && !c.setup && c.via !== "emit");
      it(`naive runner: the ${naiveCases.filter((c) => c.naiveEscapes).length} cases marked naiveEscapes leak a secret through plain node:vm, the other ${naiveCases.filter((c) => !c.naiveEscapes).length} do not`, async () => {
        const results = await runNaive(family, naiveCases);
        const mismatches: string[] = [];
        for (const c of naiveCases) {
          const r = results.get(c.id);
          expect(r, `naive result for ${c.id}`).toBeDefined();
          if (r!.leaked !== Boolean(c.naiveEscapes)) {
            mismatches.push(`${c.id}: naiveEscapes is ${Boolean(c.naiveEscapes)} but the naive runner ${r!.leaked ? "leaked" : "did not leak"}: ${r!.output.slice(0, 300)}`);
          }
        }
        expect(mismatches).toEqual([]);
        expect(naiveCases.some((c) => c.naiveEscapes), "an escape family with no case that escapes a naive runner").toBe(true);
      }, 60_000);
    }
  });
}

/** Runs the cases through naive-runner.cjs in a child process with its own secrets; returns who leaked. */
async function runNaive(family: string, cases: HostileCase[]): Promise<Map<string, { leaked: boolean; output: string }>> {
  const secrets = tokens(`naive-${family}`);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `tenantbox-naive-${family}-`));
  try {
    const layout = plantFiles(root, secrets);
    const input = {
      globalName: GLOBAL_NAME,
      globalToken: secrets.global,
      timeoutMs: 1000,
      cases: cases.map((c) => {
        const folder = path.join(layout.tenants, c.id);
        fs.mkdirSync(folder, { recursive: true });
        writeCaseFolder(folder, c, layout);
        return {
          id: c.id,
          folder,
          file: defaultFile(c),
          source: fill(c.source, layout),
          funcName: c.funcName ?? "f",
          args: c.args ?? [],
          context: c.context,
        };
      }),
    };
    const inputFile = path.join(root, "input.json");
    fs.writeFileSync(inputFile, JSON.stringify(input));
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [NAIVE_RUNNER, inputFile], {
        cwd: root,
        env: { [ENV_NAME]: secrets.env, PATH: process.env.PATH ?? "" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      const timer = setTimeout(() => child.kill("SIGKILL"), 50_000);
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (err += d));
      child.on("error", reject);
      child.on("close", (code) => {
        clearTimeout(timer);
        if (!out.trim()) reject(new Error(`naive runner exited ${code} without output: ${err.slice(0, 2000)}`));
        else resolve(out);
      });
    });
    const parsed = JSON.parse(stdout.trim().split("\n").pop()!) as { id: string; output: string }[];
    const wrote = [...listFiles(root).keys()].some((f) => /pwned/.test(path.basename(f)));
    const out = new Map<string, { leaked: boolean; output: string }>();
    for (const r of parsed) {
      const leaked = Object.values(secrets).some((t) => r.output.includes(t));
      out.set(r.id, { leaked, output: r.output });
    }
    // Sanity: if a case leaked, the naive runner's escape also wrote a file (the loot payload does both).
    if ([...out.values()].some((r) => r.leaked && r.output.includes("wrote"))) expect(wrote).toBe(true);
    return out;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
