const BigNumber = require("bignumber.js");
exports.check = () => [new BigNumber("0.1").plus("0.2").toString(), new BigNumber(2).pow(100).toFixed()];
exports.expected = () => (["0.3", "1267650600228229401496703205376"]);
