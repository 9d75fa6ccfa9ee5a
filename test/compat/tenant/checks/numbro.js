const numbro = require("numbro"); exports.check = () => [numbro(1234.5678).format({ thousandSeparated: true, mantissa: 2 }), numbro(0.256).format({ output: "percent", mantissa: 1 }), numbro(1e6).format({ average: true }), numbro.unformat("10.5k")];
exports.expected = () => (["1,234.57","25.6%","1m",10500]);
