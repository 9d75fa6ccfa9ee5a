const m = require("subscript"); exports.check = () => { const subscript = m.default ?? m; const fn = subscript("a.b + c(d - 1)"); return fn({ a: { b: 1 }, c: (x) => x * 2, d: 3 }); };
exports.expected = () => (5);
