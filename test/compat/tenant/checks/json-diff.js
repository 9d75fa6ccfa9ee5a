const jsonDiff = require("json-diff"); exports.check = () => [jsonDiff.diff({ foo: "bar", n: [1, 2] }, { foo: "baz", n: [1, 3] }), jsonDiff.diffString({ a: 1 }, { a: 2 }, { color: false })];
exports.expected = () => ([{"foo":{"__old":"bar","__new":"baz"},"n":[[" "],["-",2],["+",3]]}," {\n-  a: 1\n+  a: 2\n }\n"]);
