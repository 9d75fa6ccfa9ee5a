import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RuntimeEventName, RuntimeEvents } from "../dist/index.js";
import { cleanupTenants, IsolatedRuntime, makeRuntime, makeTempDir, makeTenant, sleep, waitFor, writeFiles } from "./helpers.js";

type Runtime = InstanceType<typeof IsolatedRuntime>;

const manifest = (hooks: unknown) => JSON.stringify({ hooks }, null, 2);
const real = (p: string) => fs.realpathSync(p);

const ORDERS = `exports.onOrderCreated = async (order) => {
  await new Promise((r) => setTimeout(r, 80)); // slower than crm: results still come in manifest order
  return { by: "orders", id: order.id, shop: context.shop };
};
exports.unused = () => 0;
`;
const CRM = `export async function sync(order) { return { by: "crm", total: order.qty * 2 }; }\n`;
const ACME = {
  "tenantbox.json": manifest({ "order.created": ["hooks/orders.js#onOrderCreated", "hooks/crm.mjs#sync"] }),
  "hooks/orders.js": ORDERS,
  "hooks/crm.mjs": CRM,
};

let plain: Runtime;
const watching: Runtime[] = [];

beforeAll(() => {
  plain = makeRuntime();
});

afterEach(async () => {
  await Promise.all(watching.splice(0).map((r) => r.close()));
});

afterAll(async () => {
  await plain?.close();
  cleanupTenants();
});

/** A root with tenant folders (name -> files), a watching runtime over it, every folder registered and watched. */
async function watchedRoot(tenants: Record<string, Record<string, string>>) {
  const root = makeTempDir();
  const folders: Record<string, string> = {};
  for (const [name, files] of Object.entries(tenants)) {
    folders[name] = path.join(root, name);
    fs.mkdirSync(folders[name]!);
    writeFiles(folders[name]!, files);
  }
  const runtime = makeRuntime({ root, watch: true });
  watching.push(runtime);
  await runtime.ready();
  for (const folder of Object.values(folders)) await runtime.hooks(folder); // first use registers the folder
  await runtime.ready();
  return { root, folders, runtime };
}

describe("emit", () => {
  it("runs every handler of the event and resolves to one result per handler, in manifest order", async () => {
    const folder = makeTenant(ACME);
    expect(await plain.hooks(folder)).toEqual({
      events: { "order.created": ["hooks/orders.js#onOrderCreated", "hooks/crm.mjs#sync"] },
      schedules: {},
      issues: [],
      valid: true,
    });
    const results = await plain.emit("order.created", { id: "o1", qty: 21 }, { folder, context: { shop: "acme-shop" } });
    expect(results).toHaveLength(2);
    expect(results[0]).toMatchObject({ file: "hooks/orders.js", funcName: "onOrderCreated", success: true, value: { by: "orders", id: "o1", shop: "acme-shop" } });
    expect(results[1]).toMatchObject({ file: "hooks/crm.mjs", funcName: "sync", success: true, value: { by: "crm", total: 42 } });
    for (const r of results) {
      expect(r.error).toBeUndefined();
      expect(typeof r.durationMs).toBe("number");
      expect(r.durationMs).toBeGreaterThanOrEqual(0);
    }
    expect(results[0]!.durationMs).toBeGreaterThanOrEqual(70);
  });

  it("runs the handlers concurrently", async () => {
    // Long waits, so that a busy machine's overhead (hundreds of ms under load) cannot pass for sequential runs.
    const wait = "await new Promise((r) => setTimeout(r, 700));";
    const folder = makeTenant({
      "tenantbox.json": manifest({ tick: ["a.js#one", "a.js#two"] }),
      "a.js": `exports.one = async () => { ${wait} return 1; };\nexports.two = async () => { ${wait} return 2; };\n`,
    });
    await plain.emit("tick", null, { folder, timeout: 5000 }); // warm
    const started = performance.now();
    const results = await plain.emit("tick", null, { folder, timeout: 5000 });
    const elapsed = performance.now() - started;
    expect(results.map((r) => r.value)).toEqual([1, 2]);
    expect(elapsed).toBeLessThan(1350); // sequential would be >= 1400
  });

  it("one handler throwing or timing out does not affect the others", async () => {
    const folder = makeTenant({
      "tenantbox.json": manifest({ "order.created": ["a.js#first", "a.js#boom", "spin.js#spin", "a.js#last"] }),
      "a.js": "exports.first = (p) => 'first:' + p.n;\nexports.boom = () => { throw new TypeError('handler exploded'); };\nexports.last = (p) => 'last:' + p.n;\n",
      "spin.js": "exports.spin = () => { for (;;) {} };\n",
    });
    const started = performance.now();
    const results = await plain.emit("order.created", { n: 7 }, { folder, timeout: 300 });
    const elapsed = performance.now() - started;
    expect(results.map((r) => [r.funcName, r.success])).toEqual([
      ["first", true],
      ["boom", false],
      ["spin", false],
      ["last", true],
    ]);
    expect(results[0]!.value).toBe("first:7");
    expect(results[3]!.value).toBe("last:7");
    expect(results[1]!.error).toMatchObject({ code: "RUNTIME_ERROR" });
    expect(results[1]!.error!.message).toContain("handler exploded");
    expect(results[2]!.error).toMatchObject({ code: "TIMEOUT" });
    expect(results[2]!.durationMs).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2500);
    // The runtime is still fine afterwards.
    await expect(plain.emit("order.created", { n: 8 }, { folder, timeout: 300 }).then((r) => r[0]!.value)).resolves.toBe("first:8");
  });

  it("an event with no handlers resolves to []", async () => {
    const folder = makeTenant(ACME);
    await expect(plain.emit("order.deleted", {}, { folder })).resolves.toEqual([]);
    const empty = makeTenant({ "tenantbox.json": manifest({ "order.created": [] }), "a.js": "exports.f = () => 1;" });
    await expect(plain.emit("order.created", {}, { folder: empty })).resolves.toEqual([]);
  });

  it("a folder without tenantbox.json has no hooks: emit resolves to []", async () => {
    const folder = makeTenant({ "hooks/orders.js": ORDERS });
    expect(await plain.hooks(folder)).toEqual({ events: {}, schedules: {}, issues: [], valid: true });
    await expect(plain.emit("order.created", { id: 1 }, { folder })).resolves.toEqual([]);
  });

  it("refuses bad arguments", async () => {
    const folder = makeTenant(ACME);
    await expect(plain.emit("", {}, { folder })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(plain.emit("order.created", {}, { folder: "relative" })).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    await expect(plain.emit("order.created", {}, undefined as never)).rejects.toMatchObject({ code: "INVALID_REQUEST" });
    // A typo is not ignored: the handlers would run without what it was meant to say.
    await expect(plain.emit("order.created", {}, { folder, contxt: {} } as never)).rejects.toMatchObject({ code: "INVALID_REQUEST", message: expect.stringContaining('no field "contxt"') });
  });

  it("a handler's module deleted after the manifest was read fails only that handler", async () => {
    const folder = makeTenant({
      "tenantbox.json": manifest({ e: ["a.js#f", "b.js#f"] }),
      "a.js": "exports.f = () => 'a';",
      "b.js": "exports.f = () => 'b';",
    });
    await expect(plain.emit("e", null, { folder }).then((r) => r.map((x) => x.value))).resolves.toEqual(["a", "b"]);
    fs.rmSync(path.join(folder, "a.js"));
    const results = await plain.emit("e", null, { folder });
    expect(results[0]).toMatchObject({ file: "a.js", success: false, error: { code: "MODULE_NOT_FOUND" } });
    expect(results[1]).toMatchObject({ file: "b.js", success: true, value: "b" });
  });
});

/** Manifests that must be refused, with a pattern the issues must match. */
const BAD_MANIFESTS: { name: string; manifest: string; issue: RegExp }[] = [
  { name: "invalid JSON", manifest: '{ "hooks": { "e": ["a.js#f"] ', issue: /not valid JSON/ },
  { name: "not an object", manifest: '["a.js#f"]', issue: /must be a JSON object/ },
  { name: "hooks not an object", manifest: '{ "hooks": ["a.js#f"] }', issue: /"hooks" must be an object/ },
  { name: "hooks a string", manifest: '{ "hooks": "a.js#f" }', issue: /"hooks" must be an object/ },
  { name: "handler list not an array", manifest: '{ "hooks": { "e": "a.js#f" } }', issue: /hooks\["e"\] must be an array/ },
  { name: "handler not a string", manifest: '{ "hooks": { "e": [42] } }', issue: /"file#function" string/ },
  { name: "handler without #", manifest: '{ "hooks": { "e": ["a.js"] } }', issue: /a\.js.*must look like/ },
  { name: "handler with an empty function", manifest: '{ "hooks": { "e": ["a.js#"] } }', issue: /must look like/ },
  { name: "function name not an identifier", manifest: '{ "hooks": { "e": ["a.js#not-a-name"] } }', issue: /not-a-name.*not a function name/ },
  { name: "file outside the folder (../)", manifest: '{ "hooks": { "e": ["../outside.js#f"] } }', issue: /\.\.\/outside\.js.*inside the tenant folder/ },
  { name: "file outside the folder (nested ../)", manifest: '{ "hooks": { "e": ["hooks/../../outside.js#f"] } }', issue: /inside the tenant folder/ },
  { name: "absolute file", manifest: '{ "hooks": { "e": ["/abs.js#f"] } }', issue: /\/abs\.js.*inside the tenant folder/ },
  { name: "symlink to a file outside the folder", manifest: '{ "hooks": { "e": ["link.js#f"] } }', issue: /link\.js#f/ },
  { name: "missing file", manifest: '{ "hooks": { "e": ["nope.js#f"] } }', issue: /nope\.js#f/ },
  { name: "function not exported", manifest: '{ "hooks": { "e": ["a.js#missing"] } }', issue: /a\.js#missing.*does not export "missing"/ },
  { name: "module fails validation", manifest: '{ "hooks": { "e": ["evil.js#f"] } }', issue: /evil\.js#f: the module does not validate \(1:\d+ no-eval: eval is not allowed/ },
  // Nothing lists a directory's issues (check, modules()): the manifest's issue says why.
  { name: "handler file that is a directory", manifest: '{ "hooks": { "e": ["dir.js#f"] } }', issue: /dir\.js#f: the module does not validate \(1:1 read-error: .*"dir\.js" is not a file\)/ },
  { name: "unknown top-level field", manifest: '{ "hooks": {}, "extra": true }', issue: /unknown field "extra"/ },
  { name: "bad event name", manifest: '{ "hooks": { "bad event!": ["a.js#f"] } }', issue: /event name/ },
  { name: "schedules not an object", manifest: '{ "schedules": ["a.js#f"] }', issue: /"schedules" must be an object/ },
  { name: "schedule with a seconds field (more than one run a minute)", manifest: '{ "schedules": { "* * * * * *": ["a.js#f"] } }', issue: /schedule "\* \* \* \* \* \*": must be a cron expression of 5 fields/ },
  { name: "schedule that is not cron", manifest: '{ "schedules": { "every day": ["a.js#f"] } }', issue: /5 fields/ },
  { name: "schedule out of range", manifest: '{ "schedules": { "61 * * * *": ["a.js#f"] } }', issue: /not a valid cron expression/ },
  // cron-parser draws H at random on every parse: an "hourly" schedule would run at a new minute each time.
  { name: "schedule with H (a random value)", manifest: '{ "schedules": { "H * * * *": ["a.js#f"] } }', issue: /must not use H/ },
  { name: "schedule handler outside the folder", manifest: '{ "schedules": { "0 * * * *": ["../outside.js#f"] } }', issue: /schedules\["0 \* \* \* \*"\].*inside the tenant folder/ },
  { name: "schedule handler not exported", manifest: '{ "schedules": { "0 * * * *": ["a.js#nope"] } }', issue: /schedules\["0 \* \* \* \*"\]: a\.js#nope.*does not export/ },
];

/** A tenant next to an outside file it must never reach. */
function untrustedTenant(manifestText: string): string {
  const parent = makeTempDir();
  writeFiles(parent, { "outside.js": "exports.f = () => 'outside!';\n" });
  const folder = path.join(parent, "tenant");
  fs.mkdirSync(folder);
  writeFiles(folder, {
    "tenantbox.json": manifestText,
    "a.js": "exports.f = () => 'a';\n",
    "evil.js": "exports.f = () => eval('1');\n",
  });
  fs.symlinkSync(path.join(parent, "outside.js"), path.join(folder, "link.js"));
  fs.mkdirSync(path.join(folder, "dir.js"));
  return folder;
}

describe("the manifest is untrusted input", () => {
  it.each(BAD_MANIFESTS)("$name → valid: false with an issue naming the problem, and nothing runs", async ({ manifest: text, issue }) => {
    const folder = untrustedTenant(text);
    const rejected: RuntimeEvents["manifest:rejected"][] = [];
    const listener = (e: RuntimeEvents["manifest:rejected"]) => rejected.push(e);
    plain.on("manifest:rejected", listener);
    try {
      const state = await plain.hooks(folder);
      expect(state.valid).toBe(false);
      expect(state.issues.length).toBeGreaterThan(0);
      expect(state.issues.every((i) => i.severity === "error")).toBe(true);
      expect(state.issues.map((i) => i.message).join("\n")).toMatch(issue);
      // No host path in what a tenant may be shown.
      expect(JSON.stringify(state.issues)).not.toContain(path.dirname(folder));
      // A folder whose manifest never validated has no last good one: it serves nothing.
      expect(state.events).toEqual({});
      await expect(plain.emit("e", { x: 1 }, { folder })).resolves.toEqual([]);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]).toMatchObject({ folder: real(folder), file: "tenantbox.json", tenant: "tenant" });
      expect(rejected[0]!.issues.map((i) => i.message).join("\n")).toMatch(issue);
    } finally {
      plain.off("manifest:rejected", listener);
    }
  });

  it("a manifest that starts with a UTF-8 byte order mark (an editor's) is read as its JSON", async () => {
    const folder = makeTenant({ "tenantbox.json": "\uFEFF" + manifest({ e: ["a.js#f"] }), "a.js": "exports.f = (p) => p + 1;" });
    expect(await plain.hooks(folder)).toMatchObject({ events: { e: ["a.js#f"] }, issues: [], valid: true });
    await expect(plain.emit("e", 1, { folder }).then((r) => r.map((h) => h.value))).resolves.toEqual([2]);
  });

  it("a too large manifest is refused", async () => {
    const folder = makeTenant({ "tenantbox.json": JSON.stringify({ hooks: { e: ["a.js#f"] }, pad: "x".repeat(300 * 1024) }), "a.js": "exports.f = () => 1;" });
    const state = await plain.hooks(folder);
    expect(state.valid).toBe(false);
    expect(state.issues[0]!.message).toMatch(/262144/);
  });

  it("a handler exported in a way static analysis cannot list (module.exports = handlers) is not refused", async () => {
    const folder = makeTenant({
      "tenantbox.json": manifest({ e: ["a.js#f"] }),
      "a.js": "const handlers = { f: () => 'dynamic' };\nmodule.exports = handlers;\n",
    });
    await expect(plain.run({ folder, file: "a.js", funcName: "f" })).resolves.toBe("dynamic");
    // Not an error: at most a warning that reading the module cannot confirm the export.
    expect((await plain.hooks(folder)).issues.filter((i) => i.severity === "error")).toEqual([]);
    expect((await plain.hooks(folder)).valid).toBe(true);
    await expect(plain.emit("e", null, { folder }).then((r) => r.map((x) => x.value))).resolves.toEqual(["dynamic"]);
  });

  it("without watch, a fixed manifest is picked up on the next emit", async () => {
    const folder = makeTenant({ "tenantbox.json": "{ nope", "a.js": "exports.f = () => 'a';\n" });
    expect((await plain.hooks(folder)).valid).toBe(false);
    fs.writeFileSync(path.join(folder, "tenantbox.json"), manifest({ e: ["a.js#f"] }));
    await expect(plain.emit("e", null, { folder }).then((r) => r.map((x) => x.value))).resolves.toEqual(["a"]);
    fs.rmSync(path.join(folder, "tenantbox.json"));
    await expect(plain.emit("e", null, { folder })).resolves.toEqual([]);
  });

  it("without watch, a manifest refused for a missing handler file is re-checked once the file arrives", async () => {
    // A deploy that writes the manifest first and the handler a moment later; an event fires in between.
    const folder = makeTenant({ "tenantbox.json": manifest({ e: ["h.js#f"] }) });
    await expect(plain.emit("e", null, { folder })).resolves.toEqual([]);
    expect((await plain.hooks(folder)).valid).toBe(false);
    writeFiles(folder, { "h.js": "exports.f = () => 'handled';\n" });
    expect((await plain.hooks(folder)).issues).toEqual([]);
    await expect(plain.emit("e", null, { folder }).then((r) => r.map((x) => x.value))).resolves.toEqual(["handled"]);
  });

  it("emit serializes the payload and context once for all its handlers; one that cannot be serialized is each handler's refusal", async () => {
    const folder = makeTenant({ "tenantbox.json": manifest({ e: ["a.js#f", "a.js#g", "a.js#f"] }), "a.js": "exports.f = (p) => p.n + context.c;\nexports.g = (p) => -p.n;\n" });
    let payloadTurns = 0;
    let contextTurns = 0;
    const payload = { toJSON: () => (payloadTurns++, { n: 2 }) };
    const context = { toJSON: () => (contextTurns++, { c: 40 }) };
    await expect(plain.emit("e", payload, { folder, context }).then((r) => r.map((x) => x.value))).resolves.toEqual([42, -2, 42]);
    // Before: once per handler (3 each).
    expect([payloadTurns, contextTurns]).toEqual([1, 1]);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const refused = await plain.emit("e", cyclic, { folder });
    expect(refused.map((r) => [r.success, r.error?.code])).toEqual([[false, "INVALID_REQUEST"], [false, "INVALID_REQUEST"], [false, "INVALID_REQUEST"]]);
  });

  it("handlers naming more than 64 different files are refused; each handler's own problem is named once per handler", async () => {
    const files = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`h${i}.js`, "exports.f = () => 1;\n"]));
    // The files are looked at once each, in the order handlers name them: the 65th is past the limit.
    const names = Object.keys(files);
    const handlers = (from: number, to: number) => names.slice(from, to).map((f) => `${f}#f`);
    const many = makeTenant({ "tenantbox.json": manifest({ a: handlers(0, 32), b: handlers(24, 56), c: handlers(50, 65) }), ...files });
    const state = await plain.hooks(many);
    expect(state.valid).toBe(false);
    expect(state.issues.map((i) => i.message)).toEqual(["handlers name more than 64 different files"]);
    // 64 files, each named by several handlers: fine; a handler whose export is missing is named in every list.
    const shared = makeTenant({
      "tenantbox.json": manifest({ a: [...handlers(0, 31), "h1.js#nope"], b: handlers(31, 63), c: ["h1.js#nope", "h63.js#f"] }),
      ...files,
    });
    expect((await plain.hooks(shared)).issues.map((i) => i.message)).toEqual([
      'hooks["a"]: h1.js#nope: the module does not export "nope"',
      'hooks["c"]: h1.js#nope: the module does not export "nope"',
    ]);
  });

  it("without watch, an unchanged manifest judged again reports nothing new; a rewrite with the same handlers neither", async () => {
    const folder = makeTenant({ "tenantbox.json": manifest({ e: ["a.js#f"], g: ["a.js#f", "a.js#f"] }), "a.js": "exports.f = () => 'a';\n" });
    const loaded: RuntimeEvents["manifest:loaded"][] = [];
    const listener = (e: RuntimeEvents["manifest:loaded"]) => {
      if (e.folder === real(folder)) loaded.push(e);
    };
    plain.on("manifest:loaded", listener);
    try {
      for (let i = 0; i < 3; i++) await expect(plain.emit("e", null, { folder }).then((r) => r.map((x) => x.value))).resolves.toEqual(["a"]);
      // The same handlers written again (another stat, another parse): the verdict is the same.
      fs.writeFileSync(path.join(folder, "tenantbox.json"), manifest({ e: ["a.js#f"], g: ["a.js#f", "a.js#f"] }) + "\n\n");
      await plain.emit("e", null, { folder });
      expect(loaded).toHaveLength(1);
      // Other handlers: a new verdict.
      fs.writeFileSync(path.join(folder, "tenantbox.json"), manifest({ e: ["a.js#f"] }));
      await plain.emit("e", null, { folder });
      expect(loaded.map((e) => e.events)).toEqual([["e", "g"], ["e"]]);
    } finally {
      plain.off("manifest:loaded", listener);
    }
  });
});

describe("tenants never see other tenants' hooks", () => {
  it("each folder runs only its own handlers, even for the same event and file names", async () => {
    const hooks = (who: string) => ({ "tenantbox.json": manifest({ "order.created": ["h.js#f"] }), "h.js": `exports.f = () => ${JSON.stringify(who)};\n` });
    const a = makeTenant(hooks("A"));
    const b = makeTenant(hooks("B"));
    const c = makeTenant({ "h.js": "exports.f = () => 'C';\n" });
    await expect(plain.emit("order.created", null, { folder: a }).then((r) => r.map((x) => x.value))).resolves.toEqual(["A"]);
    await expect(plain.emit("order.created", null, { folder: b }).then((r) => r.map((x) => x.value))).resolves.toEqual(["B"]);
    await expect(plain.emit("order.created", null, { folder: c })).resolves.toEqual([]);
  });

  it("under a watched root, a manifest pointing into a sibling tenant is refused and runs nothing", async () => {
    const { folders, runtime } = await watchedRoot({
      alpha: { "tenantbox.json": manifest({ e: ["h.js#f"] }), "h.js": "exports.f = () => 'alpha';\n" },
      beta: { "tenantbox.json": manifest({ e: ["../alpha/h.js#f"] }), "h.js": "exports.f = () => 'beta';\n" },
    });
    await expect(runtime.emit("e", null, { folder: folders.alpha! }).then((r) => r.map((x) => x.value))).resolves.toEqual(["alpha"]);
    const beta = await runtime.hooks(folders.beta!);
    expect(beta.valid).toBe(false);
    expect(beta.issues[0]!.message).toMatch(/inside the tenant folder/);
    await expect(runtime.emit("e", null, { folder: folders.beta! })).resolves.toEqual([]);
  });
});

describe("with watch", () => {
  it("manifest changes are reported; a broken manifest keeps the last good one serving; a fix takes over", async () => {
    const { folders, runtime } = await watchedRoot({ acme: ACME });
    const folder = folders.acme!;
    const order = { id: "o2", qty: 1 };
    const values = async (event: string) => (await runtime.emit(event, order, { folder, context: { shop: "s" } })).map((r) => (r.success ? r.value : r.error!.code));
    await expect(values("order.created")).resolves.toEqual([{ by: "orders", id: "o2", shop: "s" }, { by: "crm", total: 2 }]);

    // Every kind of broken manifest is rejected with issues; the last good one keeps serving.
    const broken: [string, RegExp][] = [
      ['{ "hooks": ', /not valid JSON/],
      ['{ "hooks": [] }', /"hooks" must be an object/],
      ['{ "hooks": { "order.created": [7] } }', /"file#function" string/],
      ['{ "hooks": { "order.created": ["hooks/orders.js"] } }', /must look like/],
      ['{ "hooks": { "order.created": ["../x.js#f"] } }', /inside the tenant folder/],
      ['{ "hooks": { "order.created": ["/abs.js#f"] } }', /inside the tenant folder/],
      ['{ "hooks": { "order.created": ["hooks/gone.js#f"] } }', /hooks\/gone\.js#f/],
      ['{ "hooks": { "order.created": ["hooks/orders.js#nope"] } }', /does not export "nope"/],
    ];
    for (const [text, issue] of broken) {
      const rejected = waitFor(runtime, "manifest:rejected", (e) => e.folder === real(folder));
      fs.writeFileSync(path.join(folder, "tenantbox.json"), text);
      const event = await rejected;
      expect(event).toMatchObject({ tenant: "acme", file: "tenantbox.json" });
      expect(event.issues.map((i) => i.message).join("\n"), text).toMatch(issue);
      const state = await runtime.hooks(folder);
      expect(state.valid).toBe(false);
      expect(state.issues.map((i) => i.message).join("\n")).toMatch(issue);
      expect(state.events).toEqual({ "order.created": ["hooks/orders.js#onOrderCreated", "hooks/crm.mjs#sync"] });
      await expect(values("order.created")).resolves.toEqual([{ by: "orders", id: "o2", shop: "s" }, { by: "crm", total: 2 }]);
    }

    // A handler module that stops validating rejects the manifest too.
    writeFiles(folder, { "hooks/evil.js": "exports.f = () => eval('1');\n" });
    const evil = waitFor(runtime, "manifest:rejected", (e) => e.issues.some((i) => /evil\.js#f.*does not validate/.test(i.message)));
    fs.writeFileSync(path.join(folder, "tenantbox.json"), manifest({ "order.created": ["hooks/evil.js#f"] }));
    await evil;
    await expect(values("order.created")).resolves.toEqual([{ by: "orders", id: "o2", shop: "s" }, { by: "crm", total: 2 }]);

    // The fix: a new event, a new order of handlers.
    const loaded = waitFor(runtime, "manifest:loaded", (e) => e.events.includes("order.paid"));
    fs.writeFileSync(path.join(folder, "tenantbox.json"), manifest({ "order.paid": ["hooks/crm.mjs#sync", "hooks/orders.js#onOrderCreated"] }));
    expect(await loaded).toMatchObject({ tenant: "acme", file: "tenantbox.json", events: ["order.paid"] });
    expect(await runtime.hooks(folder)).toEqual({ events: { "order.paid": ["hooks/crm.mjs#sync", "hooks/orders.js#onOrderCreated"] }, schedules: {}, issues: [], valid: true });
    await expect(values("order.paid")).resolves.toEqual([{ by: "crm", total: 2 }, { by: "orders", id: "o2", shop: "s" }]);
    await expect(values("order.created")).resolves.toEqual([]);
  });

  it("a manifest added to a folder that had none starts serving; removing it stops", async () => {
    const { folders, runtime } = await watchedRoot({ acme: { "a.js": "exports.f = () => 'a';\n" } });
    const folder = folders.acme!;
    await expect(runtime.emit("e", null, { folder })).resolves.toEqual([]);
    const loaded = waitFor(runtime, "manifest:loaded", (e) => e.folder === real(folder));
    fs.writeFileSync(path.join(folder, "tenantbox.json"), manifest({ e: ["a.js#f"] }));
    await loaded;
    await expect(runtime.emit("e", null, { folder }).then((r) => r.map((x) => x.value))).resolves.toEqual(["a"]);
    const reload = waitFor(runtime, "reload", (e) => e.files.includes("tenantbox.json"));
    fs.rmSync(path.join(folder, "tenantbox.json"));
    await reload;
    await expect(runtime.emit("e", null, { folder })).resolves.toEqual([]);
  });

  it("emits racing reloads all resolve with one whole version each: never an error, never a mix", async () => {
    const module = (n: number) => `const V = ${n};\nfunction later() { return ${n}; }\nexports.f = async () => { const a = V; await null; return [a, later()]; };\n`;
    const { folders, runtime } = await watchedRoot({ acme: { "tenantbox.json": manifest({ tick: ["a.js#f"] }), "a.js": module(0) } });
    const folder = folders.acme!;
    const rejected: unknown[] = [];
    runtime.on("module:rejected", (e) => rejected.push(e));
    await expect(runtime.emit("tick", null, { folder }).then((r) => r[0]!.value)).resolves.toEqual([0, 0]);
    const emits: Promise<Awaited<ReturnType<Runtime["emit"]>>>[] = [];
    const final = waitFor(runtime, "reload", (e) => e.files.includes("a.js"), 4000);
    for (let round = 1; round <= 5; round++) {
      fs.writeFileSync(path.join(folder, "a.js"), module(round) + "// " + "#".repeat(round * 7) + "\n");
      for (let i = 0; i < 4; i++) emits.push(runtime.emit("tick", null, { folder }));
      await sleep(round % 2 ? 5 : 70); // some rewrites land inside the settle window, some after a reload
    }
    const all = await Promise.all(emits);
    expect(all).toHaveLength(20);
    for (const results of all) {
      expect(results).toHaveLength(1);
      const [result] = results;
      expect(result!.error, JSON.stringify(result!.error)).toBeUndefined();
      expect(result!.success).toBe(true);
      const [a, b] = result!.value as [number, number];
      expect(a).toBe(b);
      expect(a).toBeGreaterThanOrEqual(0);
      expect(a).toBeLessThanOrEqual(5);
    }
    await final;
    // Once the last change is reported (possibly in a later batch), only the newest version serves.
    const deadline = Date.now() + 3000;
    let value: unknown;
    while (Date.now() < deadline) {
      value = (await runtime.emit("tick", null, { folder }))[0]!.value;
      if (JSON.stringify(value) === "[5,5]") break;
      await sleep(20);
    }
    expect(value).toEqual([5, 5]);
    expect(rejected).toEqual([]);
  });
});
