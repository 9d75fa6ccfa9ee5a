const n = require("numeral"); exports.check = () => [n(1234.5).format("0,0.00"), n(0.123).format("0.0%"), n("1.2k").value(), n(1536).format("0.0b")];
exports.expected = () => (["1,234.50","12.3%",1200,"1.5KB"]);
