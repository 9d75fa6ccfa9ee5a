const Big = require("big.js");
exports.check = () => new Big("0.1").plus("0.2").toString();
exports.expected = () => ("0.3");
