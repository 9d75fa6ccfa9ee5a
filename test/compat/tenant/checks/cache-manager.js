const { createCache } = require("cache-manager"); exports.check = async () => { const cache = createCache({ ttl: 10000 }); await cache.set("k", "v"); let n = 0; const w1 = await cache.wrap("w", async () => { n++; return 42; }); const w2 = await cache.wrap("w", async () => { n++; return 43; }); return [await cache.get("k"), w1, w2, n]; };
exports.expected = () => (["v",42,42,1]);
