const s = require("json-stable-stringify"); exports.check = () => [s({ c: 8, b: [{ z: 6, y: 5, x: 4 }, 7], a: 3 }), s({ a: { d: 1, c: 2 } }, { space: 1 })];
exports.expected = () => (["{\"a\":3,\"b\":[{\"x\":4,\"y\":5,\"z\":6},7],\"c\":8}","{\n \"a\": {\n  \"c\": 2,\n  \"d\": 1\n }\n}"]);
