const qs = require("qs");
exports.check = () => [qs.parse("a[b][c]=1&d[]=x&d[]=y"), qs.stringify({ a: { b: 1 } }, { encode: false })];
exports.expected = () => ([{ a: { b: { c: "1" } }, d: ["x", "y"] }, "a[b]=1"]);
