const Keyv = require("keyv"); exports.check = async () => { const K = Keyv.default ?? Keyv.Keyv ?? Keyv; const k = new K({ namespace: "ns" }); await k.set("a", { x: 1 }); await k.set("t", 1, 1); const a = await k.get("a"); await new Promise((r) => setTimeout(r, 10)); return [a, await k.get("t") ?? null, await k.has("a")]; };
exports.expected = () => ([{"x":1},null,true]);
