const j = require("jmespath"); exports.check = () => j.search({ a: [{ n: 1, t: "x" }, { n: 2, t: "y" }] }, "a[?n > `1`].t | [0]");
exports.expected = () => ("y");
