const jmp = require("json-merge-patch"); exports.check = () => [jmp.apply({ a: 1, b: { c: 2 } }, { a: null, b: { d: 3 } }), jmp.generate({ a: 1, b: 2 }, { a: 1, b: 3, c: 4 }), jmp.merge({ a: 1 }, { b: 2 })];
exports.expected = () => ([{"b":{"c":2,"d":3}},{"c":4,"b":3},{"a":1,"b":2}]);
