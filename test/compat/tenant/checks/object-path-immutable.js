const opi = require("object-path-immutable"); exports.check = () => { const o = { a: { b: [1, 2] } }; return [opi.set(o, "a.b.0", 5), opi.push(o, "a.b", 3), opi.del(o, "a.b.1"), opi.wrap(o).set("x", 1).update("a.b.0", (v) => v + 10).value(), o]; };
exports.expected = () => ([{"a":{"b":[5,2]}},{"a":{"b":[1,2,3]}},{"a":{"b":[1]}},{"a":{"b":[11,2]},"x":1},{"a":{"b":[1,2]}}]);
