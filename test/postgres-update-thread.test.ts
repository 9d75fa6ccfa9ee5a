import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DataError, DOCUMENT_LIMITS } from "../src/service/document-store.js";
import { PostgresStore, SqliteStore, type ServiceStore } from "../src/service/service-store.js";
import { dropPostgresSchemas, postgresSchema } from "./postgres-helpers.js";

/**
 * PostgreSQL's data:update merges on a thread of its own (document-merge-thread.ts; invariant 8): the
 * documents a tenant built reach the host's main thread as text and are never parsed there. The merge and the
 * byte count are the SQLite store's (a spread, JSON.stringify's bytes), so both engines are given the same
 * documents and patches and must agree.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenantbox-update-"));
const opened: ServiceStore[] = [];

afterAll(async () => {
  for (const store of opened.splice(0)) await store.close().catch(() => {});
  await dropPostgresSchemas();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function postgres(): Promise<PostgresStore> {
  const store = new PostgresStore(await postgresSchema("tbx_update"));
  opened.push(store);
  await store.open();
  return store;
}

async function docs(store: ServiceStore, collection: string): Promise<unknown[]> {
  return JSON.parse(await store.documents.queryJson("t", collection, { limit: 1000, orderBy: "id" })) as unknown[];
}

/** What a failed call threw: its message (a DataError), or "ok" and the answer. */
async function outcome(call: () => Promise<unknown>): Promise<unknown> {
  try {
    return { ok: await call() };
  } catch (error) {
    expect(error).toBeInstanceOf(DataError);
    return { error: (error as Error).message };
  }
}

describe("PostgreSQL data:update merges on a thread of its own", () => {
  it("parses no document on the host's main thread", async () => {
    const store = await postgres();
    const marker = "tbx_update_marker";
    const body = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, { [marker]: i, s: "x".repeat(20) }]));
    for (let i = 0; i < DOCUMENT_LIMITS.maxUpdate; i++) await store.documents.insert("t", "c", { ...body, i }, `d${i}`);

    // Every JSON.parse of this thread that builds a document's object.
    const realParse = JSON.parse;
    const parsed: string[] = [];
    const holds = (v: unknown, depth = 0): boolean =>
      v !== null && typeof v === "object" && depth < 64 && (Object.hasOwn(v, marker) || Object.values(v).some((c) => holds(c, depth + 1)));
    JSON.parse = ((text: string, reviver?: never) => {
      const result = realParse(text, reviver);
      if (holds(result)) parsed.push(String(text).slice(0, 100));
      return result;
    }) as typeof JSON.parse;
    let answer: unknown;
    try {
      answer = await store.documents.update("t", "c", { where: { i: { $gte: 0 } } }, { status: "done", k0: { replaced: true } });
    } finally {
      JSON.parse = realParse;
    }
    expect(answer).toEqual({ updated: DOCUMENT_LIMITS.maxUpdate });
    expect(parsed, "a document was parsed on the host's main thread").toEqual([]);
    const [first] = (await docs(store, "c")) as Array<Record<string, unknown>>;
    expect(first).toMatchObject({ id: "d0", status: "done", k0: { replaced: true }, k1: { [marker]: 1 }, i: 0 });
  });

  it("sends documents to the database without escaping them on the main thread", async () => {
    const store = await postgres();
    // Quotes are what the pg driver escapes, with two regular expressions per element, in an array parameter:
    // 200 such documents, inserted together then updated, cost the main thread 1.6-2.4 s each way (review).
    const quotes = '"'.repeat(32_000);
    const started = process.threadCpuUsage();
    await Promise.all(Array.from({ length: DOCUMENT_LIMITS.maxUpdate }, (_, i) => store.documents.insert("t", "q", { s: quotes, i }, `q${i}`)));
    const inserted = process.threadCpuUsage(started);
    const updating = process.threadCpuUsage();
    expect(await store.documents.update("t", "q", { where: { i: { $gte: 0 } } }, { p: 1 })).toEqual({ updated: DOCUMENT_LIMITS.maxUpdate });
    const updated = process.threadCpuUsage(updating);
    const ms = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;
    expect(ms(inserted), "main-thread CPU of 200 inserts, ms").toBeLessThan(600);
    expect(ms(updated), "main-thread CPU of one update of 200 documents, ms").toBeLessThan(600);
    const [first] = JSON.parse(await store.documents.queryJson("t", "q", { where: { i: 0 }, limit: 1 })) as Array<Record<string, unknown>>;
    expect(first).toEqual({ id: "q0", s: quotes, i: 0, p: 1 });
  });

  it("gives the same documents, the same stored bytes and the same refusals as the spread and JSON.stringify did", async () => {
    const sqlite = new SqliteStore(path.join(dir, "sqlite"));
    opened.push(sqlite);
    const postgresStore = await postgres();
    const awkward = {
      big: [1e21, -1.5e300, 1.7976931348623157e308, 123456789012345680000],
      small: [1e-7, -2.5e-300, 5e-324, 0.000001, 1.5e-7, 10.0000001],
      plain: [0, -1, 0.1, 123.456],
      text: ['a, b: c', '", "', "\\", "é\u2028\u2029😀", "\u0001\u001f\t\n\u007f", '":"'],
      nested: { a: { b: [1, { c: null }] }, empty: {}, none: [] },
      flag: true,
      nothing: null,
    };
    const proto = JSON.parse('{"__proto__": {"p": 1}, "q": 2}') as object;
    const setups: Array<[string, object]> = [
      ["a", awkward],
      ["b", { ...awkward, text: "short" }],
      ["c", proto],
      ["big", { s: "x".repeat(60 * 1024) }],
    ];
    const patches: Array<[object, object]> = [
      [{ id: "a" }, { nested: { replaced: [1e22, 2e-8] }, added: "x, y: z", flag: null }],
      [{ where: { flag: true } }, { plain: 1e-9, more: { deep: [[[]]] } }],
      [{ id: "c" }, JSON.parse('{"__proto__": {"p": 2}, "r": 1e25}') as object],
      [{ id: "a" }, { id: "hijack", nothing: "now" }],
      [{ id: "big" }, { t: "y".repeat(8 * 1024) }],
      [{ id: "big" }, { s: "z".repeat(64 * 1024 - 8) }],
      [{ id: "b" }, { deep: JSON.parse("[".repeat(70) + "]".repeat(70)) }],
      [{ id: "missing" }, { deep: JSON.parse("[".repeat(70) + "]".repeat(70)) }],
      [{ id: "b" }, { text: 1e-7, dropped: undefined, nested: undefined }],
    ];
    const results: Record<string, unknown[]> = {};
    for (const [name, store] of [["sqlite", sqlite], ["postgres", postgresStore]] as const) {
      const seen: unknown[] = [];
      for (const [id, doc] of setups) await store.documents.insert("t", "m", doc, id);
      seen.push(await store.documents.storedBytes("t"));
      for (const [selector, set] of patches) {
        seen.push(await outcome(() => store.documents.update("t", "m", selector as never, set)));
        seen.push(await store.documents.storedBytes("t"));
      }
      seen.push(await docs(store, "m"));
      results[name] = seen;
    }
    expect(results.postgres).toEqual(results.sqlite);
    // The refusals are there (the comparison would pass if both had accepted everything).
    expect(JSON.stringify(results.sqlite)).toMatch(/set: the document is \d+ bytes as JSON/);
    expect(JSON.stringify(results.sqlite)).toMatch(/set: nested more than 64 levels deep/);
  });
});
