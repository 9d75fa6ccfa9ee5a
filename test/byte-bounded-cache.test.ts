import { describe, expect, it } from "vitest";
import { ByteBoundedCache } from "../src/loader/byte-bounded-cache.js";

describe("a cache bounded in bytes", () => {
  it("charges its keys: long keys of small values cannot hold more than the budget", () => {
    const cache = new ByteBoundedCache<number>(100_000);
    // A caller's spellings of one path, 4,096 characters each, with values said to hold 1 byte.
    for (let i = 0; i < 100; i++) cache.set(String(i).padStart(4096, "x"), i, 1);
    expect(cache.bytes).toBeLessThanOrEqual(100_000);
    expect(cache.size).toBeLessThanOrEqual(Math.floor(100_000 / (2 * 4096)));
    // The newest stay (least recently used out).
    expect(cache.get(String(99).padStart(4096, "x"))).toBe(99);
  });

  it("gives the bytes back when an entry is replaced or deleted", () => {
    const cache = new ByteBoundedCache<string>(1_000_000);
    cache.set("key", "a", 100);
    cache.set("key", "b", 50);
    expect(cache.bytes).toBe(50 + 2 * 3);
    cache.delete("key");
    expect(cache.bytes).toBe(0);
  });
});
