const d = require("deep-diff"); exports.check = () => d.diff({ a: 1, b: { c: 2 } }, { a: 2, b: { c: 2, d: 3 } });
exports.expected = () => ([{"kind":"E","path":["a"],"lhs":1,"rhs":2},{"kind":"N","path":["b","d"],"rhs":3}]);
