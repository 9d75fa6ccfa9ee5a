const Fraction = require("fraction.js");
exports.check = () => [new Fraction("0.(3)").add("1/6").toFraction(), new Fraction(1.75).toFraction(true), new Fraction(22, 7).round(2).toString()];
exports.expected = () => (["1/2","1 3/4","3.14"]);
