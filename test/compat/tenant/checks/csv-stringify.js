const { stringify } = require("csv-stringify/sync");
exports.check = () => stringify([{ a: 1, b: "x,y" }, { a: 2, b: 'q"t' }], { header: true });
exports.expected = () => ("a,b\n1,\"x,y\"\n2,\"q\"\"t\"\n");
