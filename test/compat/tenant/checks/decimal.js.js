const Decimal = require("decimal.js");
exports.check = () => [new Decimal(1).dividedBy(3).toFixed(5), Decimal.sqrt(2).toSignificantDigits(6).toString()];
exports.expected = () => (["0.33333", "1.41421"]);
