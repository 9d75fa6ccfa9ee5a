const update = require("immutability-helper"); exports.check = () => { const u = update.default ?? update; const s = { a: [1, 2], b: { c: 1 }, m: new Map([["k", 1]]) }; const n = u(s, { a: { $push: [3] }, b: { c: { $apply: (x) => x + 1 } }, d: { $set: 4 } }); return [n.a, n.b, n.d, s.a.length, n.m === s.m]; };
exports.expected = () => ([[1,2,3],{"c":2},4,2,true]);
