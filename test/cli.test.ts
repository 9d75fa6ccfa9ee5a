// End-to-end tests of the built command line (dist/cli.js). They build nothing: `npm test` builds first.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = path.join(ROOT, "dist", "cli.js");
const EXAMPLES = path.join(ROOT, "examples", "modules");

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd = ROOT): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: "utf8", timeout: 20_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The `{ code, message }` report: the last line of stderr (tenant logs come before it). */
function errorReport(stderr: string): { code: string; message: string; name?: string } {
  const lines = stderr.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!);
}

let temp: string;

function tenant(name: string, files: Record<string, string>): string {
  const folder = path.join(temp, name);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(folder, file)), { recursive: true });
    fs.writeFileSync(path.join(folder, file), text);
  }
  return folder;
}

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
  temp = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-cli-"));
});

afterAll(() => {
  if (temp) fs.rmSync(temp, { recursive: true, force: true });
});

describe("tenantbox (no command)", () => {
  it("prints usage for --help and with no arguments", () => {
    for (const args of [["--help"], []]) {
      const result = cli(args);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain("tenantbox run <folder> <file> <funcName>");
      expect(result.stdout).toContain("tenantbox check <folder>");
    }
  });

  it("a command's --help prints that command's usage (emit's with run's options)", () => {
    const check = cli(["check", "--help"]);
    expect(check.status).toBe(0);
    expect(check.stdout).toContain("tenantbox check <folder>");
    expect(check.stdout).not.toContain("tenantbox run <folder>");
    expect(check.stdout).toContain("Exit codes:");
    const emit = cli(["emit", "-h"]);
    expect(emit.stdout).toContain("tenantbox emit <folder> <event>");
    expect(emit.stdout).toContain("--context <json>");
    expect(emit.stdout).not.toContain("tenantbox serve");
  });

  it("exits 2 with usage for an unknown command", () => {
    const result = cli(["frobnicate"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
    expect(result.stderr).toContain("Usage:");
  });

  it("a command that takes options only refuses a stray operand (exit 2) rather than ignoring it", () => {
    const config = path.join(temp, "stray-operand.json");
    fs.writeFileSync(config, JSON.stringify({ tenants: [{ id: "acme", tier: "free" }] }));
    const commands = [
      ["token", "--config", config, "--tenant", "acme", "--dev", "extra"],
      ["audit", "--data", temp, "extra"],
      ["jobs", "--data", temp, "extra"],
      ["serve", "--root", temp, "--config", config, "--dev", "extra"],
    ];
    for (const args of commands) {
      const result = cli(args);
      expect(result.status, args[0]).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain('unexpected argument "extra"');
    }
  });

  it("serve --dev without a secret of one's own refuses a --host beyond this machine: its development secret is public (black-box pass)", () => {
    const config = path.join(temp, "dev-host.json");
    fs.writeFileSync(config, JSON.stringify({ tenants: [{ id: "acme", tier: "free" }] }));
    const env = { ...process.env };
    delete env.TENANTBOX_JWT_SECRET;
    for (const host of ["0.0.0.0", "::", "10.1.2.3", "example.com"]) {
      const result = spawnSync(process.execPath, [CLI, "serve", "--root", temp, "--config", config, "--dev", "--host", host, "--port", "0", "--data", path.join(temp, "dev-data")], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 20_000,
        env,
      });
      expect(result.status, host).toBe(2);
      expect(result.stderr).toContain("--dev's development secret is public: it serves only on a loopback --host");
      expect(result.stderr).toContain("set TENANTBOX_JWT_SECRET");
    }
  });

  it("an option that takes a value, given twice, is a usage error rather than the last one silently (black-box pass)", () => {
    const config = path.join(temp, "twice.json");
    fs.writeFileSync(config, JSON.stringify({ tenants: [{ id: "acme", tier: "free" }] }));
    const commands = [
      ["run", "examples/modules/acme", "hooks/orders.js", "onOrderCreated", "--timeout", "100", "--timeout=5000"],
      ["token", "--config", config, "--tenant", "acme", "--tenant", "other", "--dev"],
      ["serve", "--root", temp, "--config", config, "--config", config, "--dev"],
      ["audit", "--data", temp, "--limit", "5", "--limit", "6"],
    ];
    for (const args of commands) {
      const result = cli(args);
      expect(result.status, args.join(" ")).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/--(timeout|tenant|config|limit) is given more than once \(".*" and ".*"\): give it once/);
    }
    // A flag without a value said twice means what it says once.
    const twice = cli(["check", "examples/modules", "--help", "--help"]);
    expect(twice.status).toBe(0);
  });

  it("an empty folder or --data (an unset shell variable) is a usage error, never the working directory", () => {
    const config = path.join(temp, "empty-path.json");
    fs.writeFileSync(config, JSON.stringify({ tenants: [{ id: "acme", tier: "free" }] }));
    // Started in a tenant-like folder: "" must not resolve to it.
    const cwd = tenant("empty-path-cwd", { "m.js": "exports.f = () => 1;\n" });
    for (const [args, name] of [
      [["run", "", "m.js", "f"], "<folder>"],
      [["emit", "", "order.created"], "<folder>"],
      [["check", ""], "<folder>"],
      [["serve", "--root", "", "--config", config, "--dev", "--port", "0"], "--root"],
      [["serve", "--root", temp, "--config", config, "--dev", "--port", "0", "--data", ""], "--data"],
      [["audit", "--data", ""], "--data"],
      [["jobs", "--data", ""], "--data"],
      [["run", cwd, "m.js", "f", "--tools", ""], "--tools"],
    ] as const) {
      const result = cli([...args], cwd);
      expect(result.status, args.join(" ")).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain(`${name} must not be empty`);
    }
  });

  it("--redis-prefix without --redis (serve, jobs) is a usage error, not silently ignored", () => {
    const config = path.join(temp, "redis-prefix.json");
    fs.writeFileSync(config, JSON.stringify({ tenants: [{ id: "acme", tier: "free" }] }));
    for (const args of [
      ["jobs", "--data", temp, "--redis-prefix", "mine"],
      ["serve", "--root", temp, "--config", config, "--dev", "--port", "0", "--redis-prefix", "mine"],
    ]) {
      const result = cli(args);
      expect(result.status, args[0]).toBe(2);
      expect(result.stderr).toContain("--redis-prefix names keys in Redis: it needs --redis");
    }
  });

  it("a --redis that is no Redis URL (serve, jobs) is a usage error naming it, as --database's is, not ioredis's \"connect ENOENT //host\"", () => {
    const config = path.join(temp, "redis-url.json");
    fs.writeFileSync(config, JSON.stringify({ tenants: [{ id: "acme", tier: "free" }] }));
    for (const url of ["http://cache.internal:6379", "cache.internal", "redis://:hunter2@bad host:6379"]) {
      for (const args of [
        ["jobs", "--redis", url],
        ["serve", "--root", temp, "--config", config, "--dev", "--port", "0", "--data", path.join(temp, "redis-url-data"), "--redis", url],
      ]) {
        const result = cli(args);
        expect(result.status, `${args[0]} ${url}: ${result.stderr}`).toBe(2);
        expect(result.stdout).toBe("");
        expect(result.stderr).toMatch(new RegExp(`^tenantbox ${args[0]}: --redis: redis url must start with redis:// or rediss://`));
        expect(result.stderr).not.toContain("hunter2");
        expect(result.stderr).not.toContain("ENOENT");
      }
    }
  });
});

describe("tenantbox run", () => {
  it("a <file> spelled from the working directory (or absolute) inside the folder gets a hint how to write it (black-box pass)", () => {
    const cases: [string[], string, string][] = [
      [["examples/modules/acme/hooks/orders.js"], "MODULE_NOT_FOUND", 'cannot find module "examples/modules/acme/hooks/orders.js"'],
      [[path.join(ROOT, "examples/modules/acme/hooks/orders.js")], "INVALID_REQUEST", "file must be relative to folder"],
    ];
    for (const [[file], code, message] of cases) {
      const result = cli(["run", "examples/modules/acme", file!, "onOrderCreated", "{}"]);
      expect(result.status).toBe(1);
      expect(JSON.parse(result.stderr)).toMatchObject({ code, message: `${message} (<file> is relative to <folder>: did you mean "hooks/orders.js"?)` });
    }
    // A file that is nowhere gets none.
    const missing = cli(["run", "examples/modules/acme", "hooks/nope.js", "f"]);
    expect(JSON.parse(missing.stderr)).toMatchObject({ code: "MODULE_NOT_FOUND", message: 'cannot find module "hooks/nope.js"' });
  });

  it("runs an example hook from a relative folder and prints its JSON value", () => {
    const order = { id: "A-1", items: [{ sku: "mug", price: 12.5, qty: 4 }, { sku: "tee", price: 24, qty: 3 }], discountCode: "VIP20" };
    const result = cli([
      "run",
      "examples/modules/acme",
      "hooks/orders.js",
      "onOrderCreated",
      JSON.stringify(order),
      "--context",
      '{"userId":"u-7"}',
    ]);
    expect(result.stderr).toContain("[log] order A-1 for u-7: 2 item(s)");
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      orderId: "A-1",
      currency: "EUR",
      subtotal: 122,
      discount: 24.4,
      discountCode: "VIP20",
      tax: 19.52,
      total: 117.12,
    });
    // Pretty-printed with a 2-space indent.
    expect(result.stdout).toContain('\n  "orderId": "A-1",\n');
  });

  it("runs an ES module default export with a relative import", () => {
    const result = cli(["run", path.join(EXAMPLES, "globex"), "rules.mjs", "default", '{"email":" X@Y.Z ","name":"ann lee","totalSpend":600}']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ email: "x@y.z", name: "Ann Lee", tier: "silver" });
  });

  it("a --tools module that cannot load is a usage error saying why: whatever it throws (null, a string), never an internal error or the CLI's own path", () => {
    const folder = tenant("tools-load", { "m.js": "exports.f = () => 1;\n" });
    const cases: Array<[string, string | undefined, RegExp]> = [
      ["throws-null.mjs", "throw null;\n", /cannot load .*throws-null\.mjs: null$/m],
      ["throws-string.mjs", 'throw "no config for the CRM";\n', /cannot load .*throws-string\.mjs: no config for the CRM$/m],
      ["throws-error.mjs", 'throw new Error("CRM_URL is not set");\n', /cannot load .*throws-error\.mjs: CRM_URL is not set$/m],
      ["missing.mjs", undefined, /cannot load .*missing\.mjs: Cannot find module '[^']*missing\.mjs'$/m],
    ];
    for (const [name, text, message] of cases) {
      const file = path.join(temp, name);
      if (text !== undefined) fs.writeFileSync(file, text);
      const result = cli(["run", folder, "m.js", "f", "--tools", file]);
      expect(result.status, result.stderr).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/internal error|cli-main|    at /);
    }
  });

  it.skipIf(!fs.existsSync("/dev/full"))("output that cannot be written (a full disk: > /dev/full) fails with one line saying so, not a stack trace", () => {
    const folder = tenant("full-disk", { "m.js": "exports.f = () => ({ rows: Array.from({ length: 5000 }, (_, i) => i) });\n" });
    for (const args of [["run", folder, "m.js", "f"], ["check", folder], ["--help"]]) {
      const full = fs.openSync("/dev/full", "w");
      try {
        const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: "utf8", timeout: 20_000, stdio: ["ignore", full, "pipe"] });
        expect(result.status, `${args[0]}: ${result.stderr}`).toBe(1);
        expect(result.stderr).toBe("tenantbox: cannot write the output: ENOSPC: no space left on device, write\n");
      } finally {
        fs.closeSync(full);
      }
    }
  });

  it("answers tool calls with --demo-tools, and fails with TOOL_ERROR without a handler", () => {
    const args = ["run", path.join(EXAMPLES, "globex"), "customers.js", "syncCustomer", '{"email":"grace@globex.example","name":"Grace"}'];
    const withTools = cli([...args, "--demo-tools"]);
    expect(withTools.status).toBe(0);
    expect(JSON.parse(withTools.stdout)).toMatchObject({ id: "crm-1002", previousTier: "silver" });
    const without = cli(args);
    expect(without.status).toBe(1);
    expect(errorReport(without.stderr).code).toBe("TOOL_ERROR");
  });

  it("prints nothing for undefined and accepts negative numbers as arguments", () => {
    const folder = tenant("plain", { "m.js": "exports.nothing = () => undefined;\nexports.add = (a, b) => a + b;\n" });
    const nothing = cli(["run", folder, "m.js", "nothing"]);
    expect(nothing.status).toBe(0);
    expect(nothing.stdout).toBe("");
    const sum = cli(["run", folder, "m.js", "add", "-5", "2.5"]);
    expect(sum.status).toBe(0);
    expect(JSON.parse(sum.stdout)).toBe(-2.5);
  });

  it("exits 1 with a { code, message } JSON report when the function throws", () => {
    const folder = tenant("failing", {
      "hooks.js": 'exports.boom = function () {\n  throw new TypeError("bad input");\n};\n',
    });
    const result = cli(["run", folder, "hooks.js", "boom"]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    const report = errorReport(result.stderr);
    expect(report.code).toBe("RUNTIME_ERROR");
    expect(report.message).toBe("bad input");
    expect(report.name).toBe("TypeError");
  });

  it("exits 1 with the runtime's codes: FUNCTION_NOT_FOUND, TIMEOUT", () => {
    const folder = tenant("codes", { "m.js": "exports.spin = () => { for (;;) {} };\n" });
    const missing = cli(["run", folder, "m.js", "nope"]);
    expect(missing.status).toBe(1);
    expect(errorReport(missing.stderr).code).toBe("FUNCTION_NOT_FOUND");
    const started = Date.now();
    const spin = cli(["run", folder, "m.js", "spin", "--timeout", "200"]);
    expect(spin.status).toBe(1);
    expect(errorReport(spin.stderr).code).toBe("TIMEOUT");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("exits 2 for a bad JSON argument, a bad option value or missing operands, without running anything", () => {
    const folder = tenant("args", { "m.js": "exports.f = (x) => x;\n" });
    const badJson = cli(["run", folder, "m.js", "f", "{bad"]);
    expect(badJson.status).toBe(2);
    expect(badJson.stdout).toBe("");
    expect(badJson.stderr).toMatch(/argument 1 .* is not valid JSON/);
    const bareWord = cli(["run", folder, "m.js", "f", "hello"]);
    expect(bareWord.status).toBe(2);
    expect(bareWord.stderr).toContain('\'"hello"\'');
    expect(cli(["run", folder, "m.js", "f", "--context", "{nope"]).status).toBe(2);
    expect(cli(["run", folder, "m.js", "f", "--timeout", "soon"]).status).toBe(2);
    expect(cli(["run", folder, "m.js", "f", "--security-level", "LAX"]).status).toBe(2);
    expect(cli(["run", folder, "m.js", "f", "--unknown"]).status).toBe(2);
    expect(cli(["run", folder, "m.js"]).status).toBe(2);
    // serve's bounded flags are checked as command-line errors too, before anything starts.
    const threads = cli(["serve", "--dev", "--root", folder, "--config", path.join(folder, "none.json"), "--max-threads", "1000"]);
    expect(threads.status).toBe(2);
    expect(threads.stderr).toContain("--max-threads must be at most 256");
  });
});

describe("tenantbox check", () => {
  it("passes the examples (exit 0) at every security level", () => {
    for (const level of ["STANDARD", "STRICT"]) {
      const result = cli(["check", EXAMPLES, "--security-level", level]);
      expect(result.stdout).toMatch(/^\d+ files checked \(\w+\): 0 errors, 0 warnings$/m);
      expect(result.status).toBe(0);
    }
    // examples/modules/README.md quotes the summary as the command prints it.
    const summary = cli(["check", "examples/modules"]).stdout.trim().split("\n").at(-1)!;
    expect(fs.readFileSync(path.join(EXAMPLES, "README.md"), "utf8")).toContain(`check examples/modules          # ${summary}`);
  });

  it("--help names every kind of file check validates (TypeScript's too)", () => {
    expect(cli(["--help"]).stdout.replace(/\s+/g, " ")).toContain("Validate every .js, .cjs, .mjs, .ts, .mts and .cts file");
  });

  it("checks TypeScript files, on the tenant's own lines", () => {
    const folder = tenant("check-ts", {
      "ok.ts": "export const ok = (n: number): number => n;\n",
      "bad.mts": "type T = { a: string };\nexport const f = (t: T) => eval(t.a);\n",
      "enum.cts": "enum E { A }\nmodule.exports = E;\n",
    });
    const result = cli(["check", folder]);
    expect(result.stdout).toMatch(/^bad\.mts:2:28 no-eval /m);
    expect(result.stdout).toMatch(/^enum\.cts:1:1 typescript .*enum/m);
    expect(result.stdout).toMatch(/^3 files checked/m);
    expect(result.status).toBe(1);
  });

  it("reads JSON files and the manifest that start with a UTF-8 byte order mark as the runtime does", () => {
    const folder = tenant("check-bom", {
      "tenantbox.json": '\uFEFF{ "hooks": { "e": ["a.js#f"] } }\n',
      "a.js": "exports.f = () => require('./data.json');\n",
      "data.json": '\uFEFF{ "a": 1 }\n',
      "bad.json": '\uFEFF{ "a": }\n',
    });
    const result = cli(["check", folder]);
    const lines = result.stdout.trim().split("\n");
    expect(lines.filter((line) => !line.startsWith("bad.json:1:8 syntax invalid JSON")).slice(0, -1)).toEqual([]);
    expect(lines.at(-1)).toBe("4 files checked (STANDARD): 1 error, 0 warnings");
    expect(result.status).toBe(1);
  });

  it("reports file:line:column rule message, warnings marked, and exits 1 on an error", () => {
    const folder = tenant("check-bad", {
      "ok.js": "exports.ok = () => 1;\n",
      "lib/bad.js": 'exports.a = 1;\nexports.b = function () {\n  return eval("1+1");\n};\n',
      "warn.mjs": "export const o = { __proto__: null };\n",
      "data.json": '{\n  "a": 1,\n}\n',
      "node_modules/dep/index.js": "eval(1);\n",
      ".hidden/x.js": "eval(1);\n",
      "README.md": "eval(1)\n",
    });
    const result = cli(["check", folder]);
    expect(result.status).toBe(1);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toContain("lib/bad.js:3:10 no-eval eval is not allowed: compute the value in code, or read data with JSON.parse");
    expect(lines).toContain("warn.mjs:1:20 no-proto (warning) __proto__ is not allowed");
    expect(lines.some((line) => line.startsWith("data.json:3:1 syntax invalid JSON"))).toBe(true);
    expect(result.stdout).not.toContain("node_modules");
    expect(result.stdout).not.toContain(".hidden");
    expect(lines[lines.length - 1]).toBe("4 files checked (STANDARD): 2 errors, 1 warning");
  });

  it("exits 0 when there are only warnings, and 2 for a folder that does not exist", () => {
    const folder = tenant("check-warn", { "w.js": "exports.f = (o) => o.__proto__;\n" });
    const result = cli(["check", folder]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("w.js:1:20 no-proto (warning)");
    expect(cli(["check", folder, "--security-level", "SECURE"]).status).toBe(1);
    expect(cli(["check", path.join(temp, "does-not-exist")]).status).toBe(2);
    // run and emit say the same, naming the folder, before any runtime starts.
    for (const command of [["run", path.join(temp, "does-not-exist"), "a.js", "f"], ["emit", path.join(temp, "does-not-exist"), "ping"], ["check", path.join(temp, "does-not-exist")]]) {
      const result = cli(command);
      expect(result.status, command[0]).toBe(2);
      expect(result.stderr, command[0]).toContain(`${path.join(temp, "does-not-exist")} is not a directory`);
    }
  });
});

describe("tenant text on the terminal", () => {
  it("run's logs and check's file names escape terminal controls and bidirectional overrides (U+202E would reorder the line)", () => {
    const folder = tenant("terminal", { "m.js": 'exports.f = () => { console.log("a\\u001b[2Jb\\u202ec\\u2066d"); return 1; };\n' });
    fs.writeFileSync(path.join(folder, "x\u202Ey.js"), "eval(1);\n");
    const run = cli(["run", folder, "m.js", "f"]);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("[log] a\\u001b[2Jb\\u{202e}c\\u{2066}d");
    const check = cli(["check", folder]);
    expect(check.stdout).toContain("x\\u{202e}y.js:1:1 no-eval");
    expect(run.stderr + check.stdout).not.toMatch(/[\u001b\u202e\u2066]/);
  });

  it("run's JSON value and error report, and emit's results and manifest messages, escape C1 and bidirectional controls (JSON.stringify leaves them)", () => {
    const folder = tenant("terminal-json", {
      "m.js": 'exports.v = () => "a\\u009b2Jb\\u202ec"; exports.e = () => { throw new Error("x\\u009by\\u202ez"); };\n',
      "tenantbox.json": JSON.stringify({ hooks: { ok: ["m.js#v"] } }),
    });
    const broken = tenant("terminal-manifest", { "m.js": "exports.v = () => 1;\n", "tenantbox.json": JSON.stringify({ hooks: { "bad\u001b[2J\u202e": ["m.js#v"] } }) });
    const value = cli(["run", folder, "m.js", "v"]);
    expect(value.status).toBe(0);
    expect(JSON.parse(value.stdout)).toBe("a\u009b2Jb\u202ec");
    expect(value.stdout).toContain("a\\u009b2Jb\\u202ec");
    const thrown = cli(["run", folder, "m.js", "e"]);
    expect(thrown.status).toBe(1);
    expect(errorReport(thrown.stderr).message).toBe("x\u009by\u202ez");
    const emitted = cli(["emit", folder, "ok"]);
    expect(JSON.parse(emitted.stdout)[0].value).toBe("a\u009b2Jb\u202ec");
    const refused = cli(["emit", broken, "ok"]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/tenantbox\.json: manifest event name "bad\\u001b\[2J\\u\{202e\}"/);
    for (const out of [value.stdout, thrown.stderr, emitted.stdout, emitted.stderr, refused.stderr]) expect(out).not.toMatch(/[\u001b\u009b\u202e]/);
  });
});

describe("tenantbox check (hostile folders)", () => {
  it("a file with thousands of issues prints 100 and a max-issues line, as the runtime and /v1/validate keep them", () => {
    const folder = tenant("check-many-issues", { "a.js": "eval(1);\n".repeat(5000) });
    const result = cli(["check", folder]);
    expect(result.status).toBe(1);
    const lines = result.stdout.trim().split("\n");
    expect(lines.filter((line) => line.startsWith("a.js:") && line.includes(" no-eval "))).toHaveLength(100);
    expect(lines).toContain("a.js:1:1 max-issues 4900 more issues not listed");
    expect(lines).toHaveLength(102);
  });

  it("says what it did not check, never '0 errors' in silence: a directory too deep, a FIFO named like a module, a name that is not UTF-8", () => {
    const folder = tenant("check-hostile", { "ok.js": "exports.ok = () => 1;\n" });
    // 40 directories down: the runtime loads nothing deeper than 30, and check does not go there.
    const deep = path.join(folder, ...Array.from({ length: 40 }, () => "d"));
    fs.mkdirSync(deep, { recursive: true });
    fs.writeFileSync(path.join(deep, "x.js"), "eval(1);\n");
    expect(spawnSync("mkfifo", [path.join(folder, "pipe.js")]).status).toBe(0);
    fs.writeFileSync(Buffer.concat([Buffer.from(folder + "/bad"), Buffer.from([0xff, 0xfe]), Buffer.from(".js")]), "exports.a = 1;\n");
    fs.mkdirSync(path.join(folder, "loop"));
    fs.symlinkSync("..", path.join(folder, "loop", "up"));

    const started = Date.now();
    const result = cli(["check", folder]);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.stderr).toBe("");
    const lines = result.stdout.trim().split("\n");
    const depth = ["d", ...Array.from({ length: 29 }, () => "d")].join("/");
    expect(lines).toContain(`${depth}/d:1:1 limit (warning) not checked: more than 30 directories below the folder, where the runtime loads no file`);
    expect(lines).toContain("pipe.js:1:1 not-a-file module is not a regular file");
    expect(lines.find((line) => line.startsWith("bad"))).toMatch(/^bad\uFFFD\uFFFD\.js:1:1 read-error cannot read file: its name is not valid UTF-8/);
    expect(lines.at(-1)).toBe("3 files checked (STANDARD): 2 errors, 1 warning");
    expect(result.status).toBe(1);
  });
});

describe("tenantbox emit", () => {
  it("runs every handler of an example event in manifest order and prints the results", () => {
    const payload = JSON.stringify({ email: "ada@globex.example", name: "ada", totalSpend: 12000 });
    const result = cli(["emit", "examples/modules/globex", "customer.updated", payload, "--demo-tools"]);
    expect(result.status, result.stderr).toBe(0);
    const results = JSON.parse(result.stdout) as { file: string; funcName: string; success: boolean }[];
    expect(results.map((r) => `${r.file}#${r.funcName}:${r.success}`)).toEqual(["rules.mjs#default:true", "customers.js#syncCustomer:true"]);
  });

  it("refuses an event name no manifest can declare (the service's rule) as a usage error; flags are named as flags", () => {
    for (const event of ["bad event!", "x".repeat(129), "a/b"]) {
      const result = cli(["emit", "examples/modules/acme", event]);
      expect(result.status, event).toBe(2);
      expect(result.stderr).toMatch(/<event> must be 1-128 letters, digits, or \. _ : -/);
      expect(result.stdout).toBe("");
    }
    expect(cli(["emit", "examples/modules/acme", `a:${"b".repeat(126)}`]).status).toBe(0);
    // A limit out of the runtime's range names the flag, not the runtime's option.
    for (const [flag, value] of [["--memory-limit", "1"], ["--timeout", "99999999"]] as const) {
      for (const command of [["run", "examples/modules/acme", "hooks/orders.js", "onOrderCreated"], ["emit", "examples/modules/acme", "order.created"]]) {
        const result = cli([...command, flag, value]);
        expect(result.status, `${command[0]} ${flag}`).toBe(2);
        expect(result.stderr).toContain(`${flag} must be an integer from`);
        expect(result.stderr).not.toMatch(/memoryLimitMb|option "timeout"/);
      }
    }
  });

  it("prints [] for an event without handlers and exits 1 when a handler fails", () => {
    expect(JSON.parse(cli(["emit", "examples/modules/acme", "nothing.here"]).stdout)).toEqual([]);
    const folder = tenant("emit-fail", {
      "tenantbox.json": JSON.stringify({ hooks: { ping: ["h.js#ok", "h.js#boom"] } }),
      "h.js": "exports.ok = (p) => p + 1;\nexports.boom = () => { throw new TypeError('boom'); };\n",
    });
    const result = cli(["emit", folder, "ping", "41"]);
    expect(result.status).toBe(1);
    const results = JSON.parse(result.stdout) as { success: boolean; value?: unknown; error?: { code: string } }[];
    expect(results[0]).toMatchObject({ success: true, value: 42 });
    expect(results[1]).toMatchObject({ success: false, error: { code: "RUNTIME_ERROR" } });
  });

  it("says so on stderr when nothing could run: an unknown event, no manifest; a broken manifest exits 1", () => {
    const unknown = cli(["emit", "examples/modules/acme", "nothing.here"]);
    expect(unknown.status).toBe(0);
    expect(unknown.stderr).toMatch(/warning: no handler for "nothing\.here" \(the manifest has: /);
    const bare = tenant("emit-bare", { "h.js": "exports.f = () => 1;\n" });
    const none = cli(["emit", bare, "ping"]);
    expect(none.status).toBe(0);
    expect(none.stderr).toMatch(/has no tenantbox\.json, so no event has handlers/);
    const broken = tenant("emit-broken", { "tenantbox.json": "{ not json", "h.js": "exports.f = () => 1;\n" });
    const result = cli(["emit", broken, "ping"]);
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual([]);
    expect(result.stderr).toMatch(/^tenantbox\.json: /m);
    // Why nothing ran is the refusal, not an empty manifest.
    expect(result.stderr).toContain('no handler for "ping" (tenantbox.json was refused: see above)');
    expect(result.stderr).not.toContain("declares no events");
  });
});

describe("tenantbox check (manifest)", () => {
  it("reports manifest problems where they are written: a missing function, a file outside the folder, a stray field", () => {
    const folder = tenant("bad-manifest", {
      "tenantbox.json": '{\n  "hooks": {\n    "a": ["h.js#missing",\n          "../outside.js#f"],\n    "b": "h.js#present"\n  },\n  "extra": 1\n}\n',
      "h.js": "exports.present = () => 1;\n",
    });
    const result = cli(["check", folder]);
    expect(result.status).toBe(1);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toContain('tenantbox.json:3:11 manifest hooks["a"]: h.js#missing: the module does not export "missing"');
    expect(lines.some((line) => /^tenantbox\.json:4:11 manifest .*outside\.js.*relative path inside the tenant folder/.test(line))).toBe(true);
    expect(lines.some((line) => /^tenantbox\.json:5:5 manifest hooks\["b"\] must be an array/.test(line))).toBe(true);
    expect(lines.some((line) => /^tenantbox\.json:7:3 manifest unknown field "extra"/.test(line))).toBe(true);
  });

  it("reports a manifest's JSON syntax error once, where it is", () => {
    const folder = tenant("manifest-syntax", { "tenantbox.json": '{\n  "hooks": { "a": ["h.js#f"], }\n}\n', "h.js": "exports.f = () => 1;\n" });
    const result = cli(["check", folder]);
    expect(result.status).toBe(1);
    const reported = result.stdout.split("\n").filter((line) => line.startsWith("tenantbox.json:"));
    expect(reported).toEqual(["tenantbox.json:2:31 syntax tenantbox.json is not valid JSON: Expected double-quoted property name"]);
  });
});

describe("one column convention", () => {
  it("run and check give the same 1-based line and column for one syntax error", () => {
    const folder = tenant("same-column", { "m.js": "exports.f = () => { return 1 +; };\n" });
    const checked = cli(["check", folder]);
    expect(checked.stdout).toContain("m.js:1:31 syntax Unexpected token");
    const ran = cli(["run", folder, "m.js", "f"]);
    expect(ran.status).toBe(1);
    const error = JSON.parse(ran.stderr) as { message: string; details: { issues: { location: unknown }[] } };
    expect(error.message).toBe("m.js: 1:31 syntax: Unexpected token");
    expect(error.details.issues[0]!.location).toEqual({ line: 1, column: 31 });
  });
});

describe("tenantbox demo", () => {
  it("runs the example calls, shows a typed error, and exits 0 within seconds", () => {
    const started = Date.now();
    const result = cli(["demo", "examples/modules"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("crm-1001");
    expect(result.stdout).toContain("TIMEOUT");
    expect(result.stdout).toContain("every call went as expected");
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
