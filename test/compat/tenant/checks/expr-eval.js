const { Parser } = require("expr-eval"); exports.check = () => [Parser.evaluate("2 ^ x + sin(0)", { x: 3 }), new Parser().parse("a * b").simplify({ a: 3 }).toString()];
exports.expected = () => ([8,"(3 * b)"]);
