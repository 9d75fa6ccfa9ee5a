const esprima = require("esprima"); exports.check = () => [esprima.tokenize("const a = 42").map((t) => t.type), esprima.parseScript("a + b").body[0].expression.type];
exports.expected = () => ([["Keyword","Identifier","Punctuator","Numeric"],"BinaryExpression"]);
