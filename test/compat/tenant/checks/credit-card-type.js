const cct = require("credit-card-type"); exports.check = () => { const f = cct.default ?? cct; return [f("4111").map((c) => c.type), f("5").map((c) => c.type).slice(0, 3), f("378282246310005")[0].niceType]; };
exports.expected = () => ([["visa"],["mastercard","naranja","verve"],"American Express"]);
