const { backOff } = require("exponential-backoff"); exports.check = async () => { let n = 0; const r = await backOff(async () => { if (++n < 3) throw new Error("x"); return n; }, { startingDelay: 1, numOfAttempts: 5 }); return r; };
exports.expected = () => (3);
