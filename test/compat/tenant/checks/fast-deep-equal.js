const eq = require("fast-deep-equal"); const eq6 = require("fast-deep-equal/es6"); exports.check = () => [eq({ a: [1, 2] }, { a: [1, 2] }), eq({ a: 1 }, { a: 2 }), eq6(new Map([[1, { x: 1 }]]), new Map([[1, { x: 1 }]])), eq6(new Set([1]), new Set([2]))];
exports.expected = () => ([true,false,true,false]);
