const jexl = require("mozjexl"); exports.check = async () => { const j = new jexl.Jexl(); j.addTransform("upper", (v) => v.toUpperCase()); return [await j.eval("a.b * 2 + c[0]", { a: { b: 3 }, c: [1] }), await j.eval("name|upper", { name: "x" })]; };
exports.expected = () => ([7,"X"]);
