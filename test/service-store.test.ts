import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { AuditLog, type AuditEntry } from "../src/service/audit-log.js";
import { openDatabase, type Database } from "../src/service/database.js";
import { dataTools } from "../src/service/data-tools.js";
import { DataError, DocumentStore } from "../src/service/document-store.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-store-"));
const opened: Database[] = [];
let dirs = 0;

function open(dir = path.join(root, `db-${++dirs}`)): Database {
  const db = openDatabase(dir);
  opened.push(db);
  return db;
}

afterAll(() => {
  for (const db of opened) if (db.open) db.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Asserts a DataError whose message mentions `text`. */
function expectDataError(fn: () => unknown, text?: string | RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(DataError);
  expect((thrown as Error).name).toBe("DataError");
  expect((thrown as Error).message).not.toMatch(/SQLITE|sql|syntax/i);
  if (text) expect((thrown as Error).message).toMatch(text);
}

describe("openDatabase", () => {
  it("creates the directory, sets pragmas and migrates idempotently", () => {
    const dir = path.join(root, "nested", "deeper");
    const first = openDatabase(dir);
    expect(fs.existsSync(path.join(dir, "tenantbox.db"))).toBe(true);
    expect(first.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(first.pragma("synchronous", { simple: true })).toBe(1);
    expect(first.pragma("busy_timeout", { simple: true })).toBe(5000);
    expect(first.pragma("foreign_keys", { simple: true })).toBe(1);
    const version = first.pragma("user_version", { simple: true });
    expect(version).toBeGreaterThan(0);
    new AuditLog(first).record(entry({ tenant: "acme" }));
    first.close();
    const second = openDatabase(dir);
    expect(second.pragma("user_version", { simple: true })).toBe(version);
    expect(new AuditLog(second).query({}).length).toBe(1);
    second.close();
  });

  it("names the path when the directory cannot be created", () => {
    const file = path.join(root, "a-file");
    fs.writeFileSync(file, "");
    expect(() => openDatabase(path.join(file, "sub"))).toThrow(/cannot create the data directory .*a-file/);
  });

  it("names the path when the database cannot be opened", () => {
    const dir = path.join(root, "blocked");
    fs.mkdirSync(path.join(dir, "tenantbox.db"), { recursive: true }); // a directory where the file should be
    expect(() => openDatabase(dir)).toThrow(/cannot open the database .*blocked.tenantbox\.db/);
  });
});

function entry(over: Partial<AuditEntry> = {}): AuditEntry {
  return { tenant: "acme", kind: "run", file: "hooks/a.js", funcName: "f", success: true, durationMs: 1.5, toolCalls: 2, chargedToolCalls: 2, at: 1000, ...over };
}

describe("AuditLog", () => {
  it("records, filters newest first, limits and totals", () => {
    const log = new AuditLog(open());
    log.record(entry({ at: 1000 }));
    // 5 calls made, 3 charged (2 refused): totals count what the quota was charged for.
    log.record(entry({ at: 3000, success: false, errorCode: "TIMEOUT", user: "u1", toolCalls: 5, chargedToolCalls: 3 }));
    log.record(entry({ at: 2000, kind: "execute", file: null, funcName: null, codeHash: "abc" }));
    log.record(entry({ tenant: "globex", at: 2500, kind: "event", event: "order.created", toolCalls: 7 }));

    const acme = log.query({ tenant: "acme" });
    expect(acme.map((row) => row.at)).toEqual([3000, 2000, 1000]);
    expect(acme[0]).toMatchObject({ tenant: "acme", user: "u1", success: false, errorCode: "TIMEOUT", toolCalls: 5, chargedToolCalls: 3, kind: "run" });
    expect(acme[1]).toMatchObject({ kind: "execute", codeHash: "abc", file: null, funcName: null, success: true, durationMs: 1.5 });
    expect(typeof acme[0].id).toBe("number");
    expect(log.query({}).map((row) => row.tenant)).toEqual(["acme", "globex", "acme", "acme"]);
    expect(log.query({ since: 2000 }).map((row) => row.at)).toEqual([3000, 2500, 2000]);
    expect(log.query({ since: 1000, until: 2500 }).map((row) => row.at)).toEqual([2000, 1000]);
    expect(log.query({ limit: 2 }).map((row) => row.at)).toEqual([3000, 2500]);
    expect(log.query({ tenant: "nobody" })).toEqual([]);
    expect(log.totals("acme", 2000)).toEqual({ executions: 2, toolCalls: 5 });
    expect(log.totals("acme", 0)).toEqual({ executions: 3, toolCalls: 7 });
    expect(log.totals("nobody", 0)).toEqual({ executions: 0, toolCalls: 0 });
  });

  it("caps the limit and rejects bad entries", () => {
    const db = open();
    const log = new AuditLog(db);
    db.transaction(() => {
      for (let i = 0; i < 10_005; i++) log.record(entry({ at: i }));
    })();
    expect(log.query({}).length).toBe(100);
    expect(log.query({ limit: 50_000 }).length).toBe(10_000);
    expect(() => log.record(entry({ kind: "bogus" as "run" }))).toThrow(/kind/);
    expect(() => log.record(entry({ durationMs: Number.NaN }))).toThrow(/durationMs/);
    expect(() => log.query({ since: Number.NaN })).toThrow(/since/);
  });

  it("survives closing and reopening the file", () => {
    const dir = path.join(root, "reopen");
    const db = openDatabase(dir);
    new AuditLog(db).record(entry({ tenant: "acme", at: 42 }));
    new DocumentStore(db).insert("acme", "orders", { total: 3 }, "o1");
    db.close();
    const again = open(dir);
    expect(new AuditLog(again).query({ tenant: "acme" })).toMatchObject([{ at: 42 }]);
    expect(new DocumentStore(again).query("acme", "orders", {})).toEqual([{ id: "o1", total: 3 }]);
  });
});

describe("DocumentStore", () => {
  let store: DocumentStore;
  beforeEach(() => {
    store = new DocumentStore(open());
  });

  it("inserts, queries, updates, deletes and counts", () => {
    const { id } = store.insert("acme", "orders", { total: 10, status: "new", nested: { a: 1 } });
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(store.insert("acme", "orders", { total: 20, status: "paid", id: "ignored" }, "o2")).toEqual({ id: "o2" });
    expect(store.query("acme", "orders", {})).toEqual([
      { id, total: 10, status: "new", nested: { a: 1 } },
      { id: "o2", total: 20, status: "paid" },
    ]);
    expectDataError(() => store.insert("acme", "orders", { total: 1 }, "o2"), /id: .*already exists/);

    expect(store.update("acme", "orders", { id: "o2" }, { status: "shipped", id: "hijack", note: null })).toEqual({ updated: 1 });
    expect(store.query("acme", "orders", { where: { id: "o2" } })).toEqual([{ id: "o2", total: 20, status: "shipped", note: null }]);
    // Shallow: a nested object is replaced, not merged.
    store.update("acme", "orders", { where: { status: "new" } }, { nested: { b: 2 } });
    expect(store.query("acme", "orders", { where: { id } })[0].nested).toEqual({ b: 2 });

    expect(store.count("acme", "orders")).toBe(2);
    store.insert("acme", "other", { x: 1 });
    expect(store.count("acme")).toBe(3);
    expect(store.delete("acme", "orders", { where: { total: { $gt: 15 } } })).toEqual({ deleted: 1 });
    expect(store.delete("acme", "orders", { id: "missing" })).toEqual({ deleted: 0 });
    expect(store.count("acme", "orders")).toBe(1);
  });

  it("filters by type-strict operators, dotted paths, null and $in", () => {
    const docs = [
      { n: 1, s: "a", b: true, tag: { k: "x" } },
      { n: 2, s: "b", b: false, tag: { k: "y" } },
      { n: 3, s: "c", z: null },
      { n: "3", s: "d" },
    ];
    docs.forEach((doc, i) => store.insert("acme", "c", doc, `d${i}`));
    const ids = (where: object, extra: object = {}) => store.query("acme", "c", { where: where as never, ...extra }).map((d) => d.id);
    expect(ids({ n: 3 })).toEqual(["d2"]);
    expect(ids({ n: "3" })).toEqual(["d3"]);
    expect(ids({ n: { $gte: 2 } })).toEqual(["d1", "d2"]);
    expect(ids({ n: { $gt: 1, $lt: 3 } })).toEqual(["d1"]);
    expect(ids({ n: { $lte: 1 } })).toEqual(["d0"]);
    expect(ids({ s: { $gt: "b" } })).toEqual(["d2", "d3"]);
    expect(ids({ b: true })).toEqual(["d0"]);
    expect(ids({ b: { $eq: false } })).toEqual(["d1"]);
    expect(ids({ b: { $ne: true } })).toEqual(["d1", "d2", "d3"]);
    expect(ids({ z: null })).toEqual(["d0", "d1", "d2", "d3"]); // null matches missing, as in MongoDB
    expect(ids({ b: { $ne: null } })).toEqual(["d0", "d1"]);
    expect(ids({ "tag.k": "y" })).toEqual(["d1"]);
    expect(ids({ s: { $in: ["a", "c", 3] } })).toEqual(["d0", "d2"]);
    expect(ids({ n: { $in: [] } })).toEqual([]);
    expect(ids({ id: { $in: ["d1", "d3"] } })).toEqual(["d1", "d3"]);
    expect(ids({ s: { $ne: "a" }, n: { $gt: 1 } })).toEqual(["d1", "d2"]);
    expect(ids({}, { orderBy: "s", order: "desc" })).toEqual(["d3", "d2", "d1", "d0"]);
    expect(ids({}, { orderBy: "id", order: "desc", limit: 2, offset: 1 })).toEqual(["d2", "d1"]);
    expect(ids({}, { limit: 0 })).toEqual([]);
  });

  it("enforces limits with DataError", () => {
    expectDataError(() => store.insert("acme", "c", { big: "x".repeat(64 * 1024) }), /doc: .*bytes.*limit/);
    let deep: object = {};
    for (let i = 0; i < 100; i++) deep = { deep };
    expectDataError(() => store.insert("acme", "c", deep), /doc: nested/);
    store.insert("acme", "c", { s: "x".repeat(60 * 1024) }, "big");
    expectDataError(() => store.update("acme", "c", { id: "big" }, { t: "y".repeat(8 * 1024) }), /set: .*bytes/);
    expectDataError(() => store.query("acme", "c", { limit: 1001 }), /limit/);
    expectDataError(() => store.query("acme", "c", { limit: -1 }), /limit/);
    expectDataError(() => store.query("acme", "c", { offset: 1.5 }), /offset/);
    expectDataError(() => store.query("acme", "c", { where: { a: { $in: Array.from({ length: 101 }, (_, i) => i) } } }), /\$in.*100/);
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`f${i}`, i]));
    expectDataError(() => store.query("acme", "c", { where: many }), /at most 20 fields/);
    expect(store.query("acme", "c", { limit: 1000 }).length).toBe(1);
  });

  it("rejects bad arguments with messages naming them", () => {
    expectDataError(() => store.insert("acme", "c", [1, 2] as never), /doc: must be a JSON object/);
    expectDataError(() => store.insert("acme", "c", null as never), /doc/);
    expectDataError(() => store.insert("acme", "c", { n: 10n } as never), /doc: must be plain JSON/);
    expectDataError(() => store.insert("acme", "c", {}, ""), /^id:/);
    expectDataError(() => store.insert("acme", "c", {}, "a\nb"), /^id:/);
    expectDataError(() => store.insert("acme", "c", {}, "a\ud800"), /^id:/);
    expect(store.insert("acme", "c", {}, "é😀 ok")).toEqual({ id: "é😀 ok" });
    expectDataError(() => store.insert("", "c", {}), /^tenant:/);
    expectDataError(() => store.query("acme", "c", { order: "sideways" as never }), /order/);
    expectDataError(() => store.query("acme", "c", { where: { a: [1] } as never }), /where\.a/);
    expectDataError(() => store.query("acme", "c", { where: { a: { b: 1 } } as never }), /unknown operator "b"/);
    expectDataError(() => store.query("acme", "c", { where: { a: {} } as never }), /needs at least one operator/);
    expectDataError(() => store.query("acme", "c", { where: { a: { $gt: true } } }), /\$gt needs a number or a string/);
    expectDataError(() => store.query("acme", "c", { where: { a: Number.POSITIVE_INFINITY } }), /where\.a/);
    expectDataError(() => store.query("acme", "c", { bogus: 1 } as never), /options: unknown key "bogus"/);
    expectDataError(() => store.update("acme", "c", {}, { a: 1 }), /selector: give an id or a non-empty where/);
    expectDataError(() => store.delete("acme", "c", { where: {} }), /selector/);
    expectDataError(() => store.update("acme", "c", { id: "x" }, [] as never), /set: must be a JSON object/);
  });
});

describe("tenant isolation", () => {
  let store: DocumentStore;
  beforeEach(() => {
    store = new DocumentStore(open());
    store.insert("A", "secrets", { tenant: "A", value: "a-secret", owner: { tenant: "A" } }, "s1");
    store.insert("A", "secrets", { tenant: "A", value: "second" }, "s2");
  });

  function aUntouched(): void {
    expect(store.query("A", "secrets", {})).toEqual([
      { id: "s1", tenant: "A", value: "a-secret", owner: { tenant: "A" } },
      { id: "s2", tenant: "A", value: "second" },
    ]);
  }

  it("B sees, changes and deletes nothing of A's, even filtering on a 'tenant' field", () => {
    expect(store.query("B", "secrets", {})).toEqual([]);
    expect(store.query("B", "secrets", { where: { tenant: "A" } })).toEqual([]);
    expect(store.query("B", "secrets", { where: { "owner.tenant": "A" } })).toEqual([]);
    expect(store.query("B", "secrets", { where: { id: "s1" } })).toEqual([]);
    expect(store.update("B", "secrets", { id: "s1" }, { value: "pwned" })).toEqual({ updated: 0 });
    expect(store.update("B", "secrets", { where: { tenant: "A" } }, { value: "pwned" })).toEqual({ updated: 0 });
    expect(store.update("B", "secrets", { where: { value: { $ne: "zzz" } } }, { value: "pwned" })).toEqual({ updated: 0 });
    expect(store.delete("B", "secrets", { where: { tenant: { $ne: "B" } } })).toEqual({ deleted: 0 });
    expect(store.delete("B", "secrets", { id: "s1" })).toEqual({ deleted: 0 });
    expect(store.count("B")).toBe(0);
    // The same id in B's space is B's own document, not a collision with A's.
    expect(store.insert("B", "secrets", { value: "b" }, "s1")).toEqual({ id: "s1" });
    expect(store.query("B", "secrets", {})).toEqual([{ id: "s1", value: "b" }]);
    aUntouched();
  });

  it("injection-shaped collections, fields, operators and path tricks are refused", () => {
    const injection = "x' OR 1=1 --";
    for (const collection of [injection, "secrets; DROP TABLE documents", "", "a".repeat(65), "../secrets", "secrets%"]) {
      expectDataError(() => store.query("B", collection, {}), /^collection:/);
      expectDataError(() => store.delete("B", collection, { id: "s1" }), /^collection:/);
    }
    const badFields = [injection, "a[0]", "a.\"b\"", "a..b", ".a", "a.", "1a", "a b", "a'--", "a-b", "x".repeat(65), "a.b.c.d.e.f.g.h.i"];
    for (const field of badFields) {
      expectDataError(() => store.query("B", "secrets", { where: { [field]: 1 } }), /field/);
      expectDataError(() => store.query("B", "secrets", { orderBy: field }), /^orderBy:/);
      expectDataError(() => store.delete("B", "secrets", { where: { [field]: 1 } }), /field/);
    }
    // "$" is a legal key name (the spec's regex admits it): it is quoted, so it names a literal key, not the root.
    expect(store.query("A", "secrets", { where: { $: { $ne: 0 } } }).length).toBe(2);
    expect(store.query("A", "secrets", { where: { $: "A" } })).toEqual([]);
    expect(store.query("A", "secrets", { where: { "$.tenant": "A" } })).toEqual([]);
    expect(store.query("B", "secrets", { where: { "$.tenant": { $ne: "B" } } })).toEqual([]);
    store.insert("A", "dollar", { $: { tenant: "lit" } }, "d");
    expect(store.query("A", "dollar", { where: { "$.tenant": "lit" } })).toEqual([{ id: "d", $: { tenant: "lit" } }]);
    expectDataError(() => store.query("B", "secrets", { where: { a: { $where: "1=1" } } as never }), /unknown operator "\$where"/);
    expectDataError(() => store.query("B", "secrets", { where: { a: { $or: [] } } as never }), /unknown operator/);
    expectDataError(() => store.query("B", "secrets", { where: { a: { toString: 1 } } as never }), /unknown operator "toString"/);
    expectDataError(() => store.query("B", "secrets", { where: { a: { constructor: 1 } } as never }), /unknown operator/);
    aUntouched();
  });

  it("hostile values are plain bound values", () => {
    const injection = "x' OR 1=1 --";
    expect(store.query("B", "secrets", { where: { value: injection } })).toEqual([]);
    expect(store.query("A", "secrets", { where: { value: injection } })).toEqual([]);
    expect(store.query("B", "secrets", { where: { id: { $in: [injection, "s1", "s2"] } } })).toEqual([]);
    expect(store.delete("B", "secrets", { id: injection })).toEqual({ deleted: 0 });
    expect(store.insert("B", injection.replace(/[^\w-]/g, "_"), { value: injection }, injection)).toEqual({ id: injection });
    expect(store.query("B", "x__OR_1_1_--", { where: { value: injection } })).toEqual([{ id: injection, value: injection }]);
    aUntouched();
  });

  it("__proto__ keys stay data and never pollute", () => {
    const doc = JSON.parse('{"__proto__": {"polluted": true, "tenant": "A"}, "k": 1}') as object;
    const { id } = store.insert("B", "p", doc);
    const [row] = store.query("B", "p", { where: JSON.parse('{"__proto__.polluted": true}') });
    expect(row.id).toBe(id);
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.hasOwn(row, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    store.update("B", "p", { id }, JSON.parse('{"__proto__": {"polluted": 2}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(store.query("B", "p", {})[0]).toEqual(JSON.parse(`{"id": "${id}", "__proto__": {"polluted": 2}, "k": 1}`));
    expect(store.query("B", "secrets", { where: JSON.parse('{"__proto__": {"$ne": 0}}') })).toEqual([]);
    aUntouched();
  });
});

describe("data tools", () => {
  const store = () => new DocumentStore(open());

  it("run the store for the given tenant and return plain JSON", () => {
    const tools = dataTools(store());
    const { id } = tools["data:insert"]("A", { collection: "orders", doc: { total: 5 } }) as { id: string };
    tools["data:insert"]("A", { collection: "orders", doc: { total: 9 }, id: "o2" });
    const rows = tools["data:query"]("A", { collection: "orders", where: { total: { $gt: 1 } }, orderBy: "total", order: "desc", limit: 10, offset: 0 });
    expect(JSON.parse(JSON.stringify(rows))).toEqual([{ id: "o2", total: 9 }, { id, total: 5 }]);
    expect(tools["data:query"]("B", { collection: "orders" })).toEqual([]);
    expect(tools["data:update"]("A", { collection: "orders", id: "o2", set: { total: 10 } })).toEqual({ updated: 1 });
    expect(tools["data:update"]("B", { collection: "orders", where: { total: 10 }, set: { total: 0 } })).toEqual({ updated: 0 });
    expect(tools["data:delete"]("B", { collection: "orders", id: "o2" })).toEqual({ deleted: 0 });
    expect(tools["data:delete"]("A", { collection: "orders", where: { total: 10 } })).toEqual({ deleted: 1 });
  });

  it("validate the argument shape with messages naming the tool and argument", () => {
    const tools = dataTools(store());
    expectDataError(() => tools["data:query"]("A", null), /^data:query: arguments must be an object/);
    expectDataError(() => tools["data:query"]("A", ["orders"]), /arguments must be an object/);
    expectDataError(() => tools["data:query"]("A", {}), /^data:query: collection: required/);
    expectDataError(() => tools["data:query"]("A", { collection: "o", tenant: "B" }), /unknown argument "tenant"/);
    expectDataError(() => tools["data:query"]("A", { collection: "o", limit: "5" }), /limit: must be a number/);
    expectDataError(() => tools["data:query"]("A", { collection: 5 }), /^data:query: collection:/);
    expectDataError(() => tools["data:insert"]("A", { collection: "o" }), /^data:insert: doc: required/);
    expectDataError(() => tools["data:insert"]("A", { collection: "o", doc: "x" }), /doc: must be a JSON object/);
    expectDataError(() => tools["data:insert"]("A", { collection: "o", doc: {}, id: 7 }), /id: must be a string/);
    expectDataError(() => tools["data:update"]("A", { collection: "o", set: { a: 1 } }), /^data:update: selector/);
    expectDataError(() => tools["data:update"]("A", { collection: "o", id: "x" }), /set: required/);
    expectDataError(() => tools["data:delete"]("A", { collection: "o" }), /^data:delete: selector/);
    expectDataError(() => tools["data:delete"]("A", { collection: "o", where: "1=1" }), /where: must be an object/);
    expectDataError(() => tools["data:delete"]("A", JSON.parse('{"collection": "o", "__proto__": {"id": "x"}}')), /unknown argument "__proto__"/);
  });
});

describe("storage quota", () => {
  it("counts each tenant's stored JSON, refuses writes past the quota, and frees what is deleted", () => {
    const db = open();
    const store = new DocumentStore(db, (tenant) => (tenant === "small" ? 1000 : Infinity));
    const doc = { text: "x".repeat(290) }; // {"text":"xxx..."} = 301 bytes
    for (let i = 0; i < 3; i++) store.insert("small", "c", doc, `d${i}`);
    expect(store.storedBytes("small")).toBe(903);
    expect(() => store.insert("small", "c", doc, "d3")).toThrow(/quota is 1000/);
    expect(store.count("small")).toBe(3);
    // Growth by update is counted too; shrinking is always allowed.
    expect(() => store.update("small", "c", { id: "d0" }, { more: "y".repeat(200) })).toThrow(DataError);
    store.update("small", "c", { id: "d0" }, { text: "" });
    expect(store.storedBytes("small")).toBe(903 - 290);
    store.delete("small", "c", { id: "d1" });
    expect(store.storedBytes("small")).toBe(903 - 290 - 301);
    store.insert("small", "c", doc, "d3");
    // Another tenant's usage is its own.
    store.insert("big", "c", { a: "é" });
    expect(store.storedBytes("big")).toBe(Buffer.byteLength(JSON.stringify({ a: "é" })));
    expect(store.storedBytes("nobody")).toBe(0);
  });

  it("keeps the count across a reopen (it lives in the database)", () => {
    const dir = path.join(root, "db-storage-reopen");
    const first = new DocumentStore(open(dir));
    first.insert("t", "c", { a: 1 });
    expect(new DocumentStore(open(dir)).storedBytes("t")).toBe(7);
  });
});
