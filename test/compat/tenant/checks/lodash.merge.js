const merge = require("lodash.merge"); exports.check = () => merge({ a: [{ b: 2 }, { d: 4 }] }, { a: [{ c: 3 }, { e: 5 }] });
exports.expected = () => ({"a":[{"b":2,"c":3},{"d":4,"e":5}]});
