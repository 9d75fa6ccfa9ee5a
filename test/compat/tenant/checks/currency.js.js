const currency = require("currency.js");
exports.check = () => [currency(1.23).add(0.1).multiply(3).format(), currency(100).distribute(3).map((c) => c.value), currency("$1,234.56").value,
  currency(1234.5, { symbol: "€", separator: ".", decimal: "," }).format()];
exports.expected = () => (["$3.99",[33.34,33.33,33.33],1234.56,"€1.234,50"]);
