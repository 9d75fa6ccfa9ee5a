const { deepmerge } = require("deepmerge-ts"); exports.check = () => { const r = deepmerge({ a: [1], m: new Map([[1, 2]]), o: { x: 1 } }, { a: [2], m: new Map([[3, 4]]), o: { y: 2 } }); return [r.a, [...r.m], r.o]; };
exports.expected = () => ([[1,2],[[1,2],[3,4]],{"x":1,"y":2}]);
