const fjs = require("fast-json-stringify"); exports.check = () => { const s = fjs({ type: "object", properties: { a: { type: "integer" }, b: { type: "string" }, l: { type: "array", items: { type: "number" } } } }); return s({ a: 1.7, b: 2, l: [1, "2"], z: 9 }); };
exports.expected = () => ("{\"a\":1,\"b\":\"2\",\"l\":[1,2]}");
