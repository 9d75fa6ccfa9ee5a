const sift = require("sift"); exports.check = () => { const s = sift.default ?? sift; return [[{ a: 1 }, { a: 5 }, { a: 10, t: ["x"] }].filter(s({ $or: [{ a: { $lt: 3 } }, { t: { $in: ["x"] } }] })), ["abc", "bcd"].filter(s({ $regex: /^b/ }))]; };
exports.expected = () => ([[{"a":1},{"a":10,"t":["x"]}],["bcd"]]);
