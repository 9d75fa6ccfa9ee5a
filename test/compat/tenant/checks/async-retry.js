const retry = require("async-retry"); exports.check = async () => { let n = 0; const r = await retry(async (bail, attempt) => { n = attempt; if (attempt < 3) throw new Error("again"); return "ok"; }, { retries: 4, minTimeout: 1, factor: 1 }); return [r, n]; };
exports.expected = () => (["ok",3]);
