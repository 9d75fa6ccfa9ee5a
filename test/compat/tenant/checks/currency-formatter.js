const cf = require("currency-formatter"); exports.check = () => [cf.format(1000000, { code: "USD" }), cf.format(1000000, { code: "EUR" }), cf.format(-10, { code: "GBP" }), cf.unformat("€1.000.000,50", { code: "EUR" })];
exports.expected = () => (["$1,000,000.00","1 000 000,00 €","-£10.00",1000000.5]);
