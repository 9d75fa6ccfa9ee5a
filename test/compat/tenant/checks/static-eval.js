const evaluate = require("static-eval"); const { parse } = require("esprima"); exports.check = () => [evaluate(parse("1 + 2 * x").body[0].expression, { x: 5 }), evaluate(parse("[a.b, 'x' + c]").body[0].expression, { a: { b: 1 }, c: 2 })];
exports.expected = () => ([11,[1,"x2"]]);
