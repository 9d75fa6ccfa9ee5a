const R = require("rambda"); exports.check = () => [R.pipe([1, 2, 3], R.map((x) => x * 2), R.filter((x) => x > 2)), R.path("a.b")({ a: { b: 1 } }), R.uniq([1, 1, 2]), R.pick(["a"])({ a: 1, b: 2 })];
exports.expected = () => ([[4,6],1,[1,2],{"a":1}]);
