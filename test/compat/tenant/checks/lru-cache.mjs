import { LRUCache } from "lru-cache";
export async function check() {
  const c = new LRUCache({ max: 2, ttl: 1000 }); c.set("a", 1); c.set("b", 2); c.get("a"); c.set("c", 3);
  const f = new LRUCache({ max: 10, fetchMethod: async (k) => k.toUpperCase() });
  return [[...c.keys()], c.has("b"), c.size, await f.fetch("x"), c.getRemainingTTL("a") > 0];
}
export const expected = () => ([["c","a"],false,2,"X",true]);
