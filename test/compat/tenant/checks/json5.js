const JSON5 = require("json5");
exports.check = () => [JSON5.parse("{a: 1, // c\n b: 'x',}"), JSON5.stringify({ k: [1] })];
exports.expected = () => ([{ a: 1, b: "x" }, "{k:[1]}"]);
