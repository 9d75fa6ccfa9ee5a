const { compileExpression } = require("filtrex"); exports.check = () => { const f = compileExpression("price * qty > 100 and category == \"food\""); const g = compileExpression("max(a, b) + abs(c)"); return [f({ price: 30, qty: 4, category: "food" }), f({ price: 1, qty: 1, category: "x" }), g({ a: 1, b: 5, c: -2 })]; };
exports.expected = () => ([true,false,7]);
