const { Mutex, Semaphore } = require("async-mutex");
exports.check = async () => { const m = new Mutex(); const order = []; await Promise.all([1, 2, 3].map((i) => m.runExclusive(async () => { order.push("s" + i); await new Promise((r) => setTimeout(r, 1)); order.push("e" + i); }))); const s = new Semaphore(2); const [v, rel] = await s.acquire(); rel(); return [order, v]; };
exports.expected = () => ([["s1","e1","s2","e2","s3","e3"],2]);
