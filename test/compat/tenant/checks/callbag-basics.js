const { forEach, fromIter, map, filter, pipe } = require("callbag-basics"); exports.check = () => { const out = []; pipe(fromIter([1, 2, 3, 4]), filter((x) => x % 2), map((x) => x * 10), forEach((x) => out.push(x))); return out; };
exports.expected = () => ([10,30]);
