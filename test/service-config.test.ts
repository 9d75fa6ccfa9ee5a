import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseConfig, permits } from "../src/service/config.js";
import { TIER_QUOTAS } from "../src/service/tiers.js";

const SECRET = "x".repeat(32);

function full() {
  return {
    auth: { secret: SECRET, jwksUrl: "https://auth.example.com/.well-known/jwks.json", issuer: "iss", audience: "aud" },
    securityLevel: "STANDARD",
    tiers: { free: { maxExecutionsPerDay: 50 }, starter: { maxMemoryMB: 128, maxExecutionsPerDay: 700 } },
    tenants: [
      {
        id: "acme",
        tier: "starter",
        permissions: ["tool:data:query", "tool:data:*"],
        tools: { "data:query": { rateLimit: { points: 10, duration: 1 }, config: { table: "orders" } } },
        quotas: { maxExecutionsPerDay: 500 },
        rateLimit: { points: 100, duration: 1 },
      },
      { id: "globex", tier: "free" },
    ],
  };
}

/** The ConfigError's problems for a config changed by `edit`. */
function problems(edit: (c: any) => void): string[] {
  const c: any = full();
  edit(c);
  try {
    parseConfig(c);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).name).toBe("ConfigError");
    const list = (err as ConfigError).problems;
    for (const p of list) expect((err as Error).message).toContain(p);
    return [...list];
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig", () => {
  it("resolves quotas: tier defaults <- config tiers <- tenant overrides", () => {
    const cfg = parseConfig(full());
    expect(cfg.auth).toEqual(full().auth);
    expect(cfg.securityLevel).toBe("STANDARD");
    const acme = cfg.tenants.get("acme")!;
    expect(acme.quotas).toEqual({ ...TIER_QUOTAS.starter, maxMemoryMB: 128, maxExecutionsPerDay: 500 });
    expect(acme.permissions).toEqual(["tool:data:query", "tool:data:*"]);
    expect(acme.tools["data:query"]).toEqual({ rateLimit: { points: 10, duration: 1 }, config: { table: "orders" } });
    expect(acme.rateLimit).toEqual({ points: 100, duration: 1 });
    const globex = cfg.tenants.get("globex")!;
    expect(globex).toEqual({ id: "globex", tier: "free", permissions: [], tools: {}, quotas: { ...TIER_QUOTAS.free, maxExecutionsPerDay: 50 } });
    expect(TIER_QUOTAS.free.maxExecutionsPerDay).toBe(100); // defaults untouched
    expect(globex.tools.constructor).toBeUndefined(); // only the tools the config enables
  });

  it("accepts a minimal config", () => {
    const cfg = parseConfig({ tenants: [] });
    expect(cfg.tenants.size).toBe(0);
    expect(cfg.auth).toEqual({});
    expect(cfg.securityLevel).toBeUndefined();
  });

  it.each([
    ["tier", (c: any) => (c.tenants[1].tier = "gold"), "tenants[1].tier: must be one of free, starter, enterprise"],
    ["missing tier", (c: any) => delete c.tenants[0].tier, "tenants[0].tier: is required"],
    ["quota range", (c: any) => (c.tenants[0].quotas.maxMemoryMB = 8), "tenants[0].quotas.maxMemoryMB: must be an integer >= 16"],
    ["quota max", (c: any) => (c.tiers.free.maxExecutionDurationMs = 3_600_001), "tiers.free.maxExecutionDurationMs: must be an integer <= 3600000"],
    ["quota integer", (c: any) => (c.tenants[0].quotas.maxCodeSizeKB = 1.5), "tenants[0].quotas.maxCodeSizeKB: must be an integer"],
    ["quota type", (c: any) => (c.tenants[0].quotas.maxOutputSizeKB = "10"), "tenants[0].quotas.maxOutputSizeKB: must be an integer"],
    ["id with dots", (c: any) => (c.tenants[0].id = "../etc"), "tenants[0].id: must be 1-64 of a-z"],
    ["id uppercase", (c: any) => (c.tenants[1].id = "Globex"), "tenants[1].id: must be 1-64"],
    ["id too long", (c: any) => (c.tenants[1].id = "a".repeat(65)), "tenants[1].id: must be 1-64"],
    ["permission", (c: any) => c.tenants[0].permissions.push("data:query"), 'tenants[0].permissions[2]: must be "tool:<name>"'],
    ["permission inner star", (c: any) => (c.tenants[0].permissions = ["tool:*:x"]), "tenants[0].permissions[0]: must be"],
    ["tool name", (c: any) => (c.tenants[0].tools["bad name"] = {}), 'tenants[0].tools["bad name"]: invalid tool name'],
    ["tool rate limit", (c: any) => (c.tenants[0].tools["data:query"].rateLimit.points = 0), 'tenants[0].tools["data:query"].rateLimit.points: must be an integer >= 1'],
    ["rate duration", (c: any) => (c.tenants[0].rateLimit.duration = 86_401), "tenants[0].rateLimit.duration: must be an integer <= 86400"],
    ["rate missing points", (c: any) => delete c.tenants[0].rateLimit.points, "tenants[0].rateLimit.points: is required"],
    ["secret", (c: any) => (c.auth.secret = "short"), "auth.secret: must be at least 32 characters"],
    ["jwksUrl", (c: any) => (c.auth.jwksUrl = "ftp://x"), "auth.jwksUrl: must be an http(s) URL"],
    ["database url", (c: any) => (c.database = { url: "mysql://db/x" }), "database.url: must be a postgres:// or postgresql:// URL"],
    ["database key", (c: any) => (c.database = { host: "db" }), "database.host: unknown key (allowed: url, poolSize)"],
    ["database pool", (c: any) => (c.database = { poolSize: 0 }), "database.poolSize: must be an integer >= 1"],
    ["securityLevel", (c: any) => (c.securityLevel = "LAX"), "securityLevel: must be one of STRICT, SECURE, STANDARD, PERMISSIVE"],
    ["tenants missing", (c: any) => delete c.tenants, "tenants: is required"],
    ["tenants type", (c: any) => (c.tenants = {}), "tenants: must be an array"],
    ["unknown tier key", (c: any) => (c.tiers.gold = {}), "tiers.gold: unknown key (allowed: free, starter, enterprise)"],
  ])("names the field: %s", (_name, edit, expected) => {
    expect(problems(edit).some((p) => p.startsWith(expected))).toBe(true);
  });

  it("rejects unknown keys anywhere", () => {
    const list = problems((c) => {
      c.extra = 1;
      c.auth.algo = "none";
      c.tenants[0].quota = {};
      c.tenants[0].quotas.maxCpu = 1;
      c.tenants[0].tools["data:query"].limit = 1;
      c.tenants[0].rateLimit.burst = 2;
    });
    expect(list.map((p) => p.split(":")[0])).toEqual(
      expect.arrayContaining(["extra", "auth.algo", "tenants[0].quota", "tenants[0].quotas.maxCpu", "tenants[0].rateLimit.burst"]),
    );
    expect(list.some((p) => p.startsWith('tenants[0].tools["data:query"].limit: unknown key'))).toBe(true);
    expect(list).toHaveLength(6);
  });

  it("lists every problem, not just the first", () => {
    const list = problems((c) => {
      c.tenants[0].tier = "x";
      c.tenants[1].quotas = { maxMemoryMB: 1 };
    });
    expect(list).toEqual(["tenants[0].tier: must be one of free, starter, enterprise", "tenants[1].quotas.maxMemoryMB: must be an integer >= 16"]);
  });

  it("rejects a duplicate id, naming the second, alongside other problems", () => {
    expect(problems((c) => c.tenants.push({ id: "acme", tier: "free" }))).toEqual(['tenants[2].id: duplicate id "acme" (first at tenants[0])']);
    expect(problems((c) => c.tenants.push({ id: "globex", tier: "gold" }))).toEqual([
      "tenants[2].tier: must be one of free, starter, enterprise",
      'tenants[2].id: duplicate id "globex" (first at tenants[1])',
    ]);
  });

  it("rejects an http URL that does not parse", () => {
    expect(problems((c) => (c.auth.jwksUrl = "http://[::1"))).toEqual(["auth.jwksUrl: must be an http(s) URL"]);
  });

  it("rejects a non-object config", () => {
    expect(() => parseConfig(null)).toThrow(/\(root\): must be an object/);
    expect(() => parseConfig([])).toThrow(ConfigError);
  });
});

describe("loadConfig", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-config-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it("loads a valid file", () => {
    const cfg = loadConfig(write("ok.json", JSON.stringify(full(), null, 2)));
    expect([...cfg.tenants.keys()]).toEqual(["acme", "globex"]);
  });

  it("names the file and position of a JSON syntax error", () => {
    const cases: [string, string][] = [
      ['{\n  "tenants": [\n    { "id": "a", }\n  ]\n}\n', "line 3 column 18"], // V8 reports a position
      ['{\n  "tenants": [\n    { "id": "a" },,\n  ]\n}\n', "line 3 column 19"], // "Unexpected token", no position
      ['{\n  "tenants": [\n', "line 3 column 1"], // unexpected end
    ];
    for (const [i, [text, at]] of cases.entries()) {
      const file = write(`bad${i}.json`, text);
      expect(() => loadConfig(file)).toThrow(ConfigError);
      expect(() => loadConfig(file)).toThrow(`${file}: invalid JSON at ${at}: `);
    }
  });

  it("names the file for schema problems and missing files", () => {
    const file = write("tier.json", JSON.stringify({ tenants: [{ id: "a", tier: "gold" }] }));
    expect(() => loadConfig(file)).toThrow(`${file}: invalid config (1 problem):\n  tenants[0].tier: must be one of free, starter, enterprise`);
    expect(() => loadConfig(path.join(dir, "missing.json"))).toThrow(/missing\.json: cannot read config \(ENOENT\)/);
  });

  it("refuses a key written twice in one object, with where, instead of keeping the last one silently (black-box pass)", () => {
    // JSON.parse keeps the last: the first tenants list, the starter tier, the first rate limit were gone without a word.
    const text = [
      "{",
      '  "tenants": [{ "id": "a", "tier": "free", "permissions": ["tool:data:query"], "permissions": ["tool:*"],',
      '    "tools": { "data:query": { "rateLimit": { "points": 1, "duration": 1, "points": 100 } } } }],',
      '  "tenants": [{ "id": "b", "tier": "free" }],',
      '  "note": "\\"tenants\\": [], {\\"tier\\": 1}"',
      "}",
    ].join("\n");
    const file = write("twice.json", text);
    let error: ConfigError | undefined;
    try {
      loadConfig(file);
    } catch (caught) {
      error = caught as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual([
      "tenants[0].permissions: written twice (again at line 2 column 80); keep one",
      'tenants[0].tools["data:query"].rateLimit.points: written twice (again at line 3 column 75); keep one',
      "tenants: written twice (again at line 4 column 3); keep one",
      "note: unknown key (allowed: auth, database, securityLevel, processPerTenant, tiers, tenants)",
    ]);
    expect(error!.message).toBe(`${file}: invalid config (4 problems):\n  ${error!.problems.join("\n  ")}`);
    // The same keys in different objects are not duplicates.
    const fine = write("fine.json", JSON.stringify({ tenants: [{ id: "a", tier: "free", quotas: { maxSchedules: 1 } }, { id: "b", tier: "free", quotas: { maxSchedules: 1 } }] }));
    expect([...loadConfig(fine).tenants.keys()]).toEqual(["a", "b"]);
  });

  it("refuses a config past 64 MiB, or one that never ends (/dev/zero), instead of filling the memory", () => {
    const big = path.join(dir, "big.json");
    fs.writeFileSync(big, "");
    fs.truncateSync(big, 65 * 1024 * 1024); // sparse: no disk used
    expect(() => loadConfig(big)).toThrow(`${big}: the config is larger than 67108864 bytes`);
    expect(() => loadConfig("/dev/zero")).toThrow("/dev/zero: the config is larger than 67108864 bytes");
    // A pipe, as `--config <(...)` gives, is still read.
    const fifo = path.join(dir, "piped.json");
    spawnSync("mkfifo", [fifo]);
    const writer = spawn("sh", ["-c", `printf '%s' '{"tenants":[{"id":"a","tier":"free"}]}' > ${fifo}`]);
    expect([...loadConfig(fifo).tenants.keys()]).toEqual(["a"]);
    writer.kill();
  });
});

describe("permits", () => {
  it("matches exact grants", () => {
    expect(permits(["tool:data:query"], "data:query")).toBe(true);
    expect(permits(["tool:data:query"], "data:insert")).toBe(false);
    expect(permits(["tool:data:query"], "data:query2")).toBe(false);
  });

  it("matches tool:* and prefix wildcards literally", () => {
    expect(permits(["tool:*"], "anything")).toBe(true);
    expect(permits(["tool:data:*"], "data:query")).toBe(true);
    expect(permits(["tool:data:*"], "database")).toBe(false);
    expect(permits(["tool:data:*"], "dataX")).toBe(false);
    expect(permits(["tool:data*"], "database")).toBe(true);
    expect(permits(["tool:data.*"], "dataXq")).toBe(false); // "." is literal, not a regex
  });

  it("ignores grants that are not tool grants", () => {
    expect(permits([], "data:query")).toBe(false);
    expect(permits(["data:query", "*", "admin"], "data:query")).toBe(false);
    expect(permits([42 as unknown as string, "tool:x"], "x")).toBe(true);
  });
});

describe("TenantboxServer's config option", () => {
  // The README's TenantboxServer takes the config file's path; the config's content as an object (what a
  // platform that keeps it elsewhere passes) is checked as the file is. It used to be taken for a parsed
  // config and end in "Cannot destructure property 'jwksUrl' of 'this.config.auth' as it is undefined".
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("takes the config's content as an object, and refuses a bad one with a ConfigError naming the field", async () => {
    const { TenantboxServer, signToken } = await import("../dist/service.js");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-config-object-"));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, "root", "acme"), { recursive: true });
    fs.writeFileSync(path.join(dir, "root", "acme", "hello.js"), 'exports.hi = (name) => "hi " + name;\n');
    const options = { root: path.join(dir, "root"), dataDir: path.join(dir, "data"), jwtSecret: SECRET, watch: false, maxThreads: 1, logger: false };

    const server = new TenantboxServer({ ...options, config: { tenants: [{ id: "acme", tier: "starter", quotas: { maxExecutionsPerDay: 7 } }] } });
    try {
      const base = await server.listen({ port: 0, host: "127.0.0.1" });
      const token = await signToken(SECRET, { tenantId: "acme" });
      const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
      const run = await fetch(`${base}/v1/run`, { method: "POST", headers, body: JSON.stringify({ file: "hello.js", funcName: "hi", args: ["ada"] }) });
      expect(run.status).toBe(200);
      expect(((await run.json()) as { value: unknown }).value).toBe("hi ada");
      const usage = (await (await fetch(`${base}/v1/usage`, { headers })).json()) as { tier: string; executions: { used: number; limit: number } };
      expect(usage.tier).toBe("starter");
      expect(usage.executions).toEqual({ used: 1, limit: 7 });
    } finally {
      await server.close();
    }

    const refused = (config: unknown): { name: string; problems: readonly string[] } => {
      try {
        new TenantboxServer({ ...options, config: config as Record<string, unknown> });
      } catch (error) {
        return error as { name: string; problems: readonly string[] };
      }
      throw new Error("the config was accepted");
    };
    const bad = refused({ tenants: [{ id: "Acme", tier: "gold" }] });
    expect(bad.name).toBe("ConfigError");
    expect(bad.problems).toEqual([expect.stringMatching(/^tenants\[0\]\.id: /), expect.stringMatching(/^tenants\[0\]\.tier: must be one of free, starter, enterprise/)]);
    expect(refused({}).problems).toEqual(["tenants: is required"]);
    expect(refused(undefined).problems).toEqual(["(root): must be an object"]);
  }, 60_000);

  it("an empty TENANTBOX_JWT_SECRET is unset (the config's auth.secret verifies); a short one is refused by its name (black-box pass)", async () => {
    const { TenantboxServer, signToken } = await import("../dist/service.js");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-config-env-secret-"));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, "root", "acme"), { recursive: true });
    const configSecret = "c".repeat(40);
    const options = { root: path.join(dir, "root"), dataDir: path.join(dir, "data"), watch: false, maxThreads: 1, logger: false };
    const config = { auth: { secret: configSecret }, tenants: [{ id: "acme", tier: "free" as const }] };
    const before = process.env.TENANTBOX_JWT_SECRET;
    try {
      // `TENANTBOX_JWT_SECRET=` (a compose file's unset variable) hid auth.secret: "auth needs a secret or a jwksUrl".
      process.env.TENANTBOX_JWT_SECRET = "";
      const server = new TenantboxServer({ ...options, config });
      try {
        const base = await server.listen({ port: 0, host: "127.0.0.1" });
        const usage = await fetch(`${base}/v1/usage`, { headers: { authorization: `Bearer ${await signToken(configSecret, { tenantId: "acme" })}` } });
        expect(usage.status).toBe(200);
      } finally {
        await server.close();
      }
      // A short one said "auth secret must be at least 32 characters", naming neither the variable nor its source.
      process.env.TENANTBOX_JWT_SECRET = "short";
      expect(() => new TenantboxServer({ ...options, config })).toThrow(new TypeError("TENANTBOX_JWT_SECRET must be at least 32 characters, got 5 (openssl rand -hex 32 makes one)"));
    } finally {
      if (before === undefined) delete process.env.TENANTBOX_JWT_SECRET;
      else process.env.TENANTBOX_JWT_SECRET = before;
    }
  }, 60_000);
});
