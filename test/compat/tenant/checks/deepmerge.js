const deepmerge = require("deepmerge");
exports.check = () => deepmerge({ a: { b: 1 }, l: [1] }, { a: { c: 2 }, l: [2] });
exports.expected = () => ({ a: { b: 1, c: 2 }, l: [1, 2] });
