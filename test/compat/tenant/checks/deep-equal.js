const eq = require("deep-equal"); exports.check = () => [eq({ a: [1, 2], d: new Date(5) }, { a: [1, 2], d: new Date(5) }), eq(1, "1"), eq(1, "1", { strict: true }), eq(new Map([[1, 2]]), new Map([[1, 3]]))];
exports.expected = () => ([true,true,false,false]);
