const jexl = require("jexl"); exports.check = async () => [await jexl.eval("a.b * 2 > 5 ? 'big' : 'small'", { a: { b: 3 } }), jexl.evalSync("l[.x == 2].y", { l: [{ x: 1, y: "a" }, { x: 2, y: "b" }] })];
exports.expected = () => (["big","b"]);
