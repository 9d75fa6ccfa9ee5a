const { create, all } = require("mathjs"); const math = create(all);
exports.check = () => [math.evaluate("sqrt(3^2 + 4^2)"), math.format(math.evaluate("2 inch to cm"), 4), math.multiply([[1, 2], [3, 4]], [[5], [6]]), math.derivative("x^2 + 3x", "x").toString(), math.fraction(1, 3).add(math.fraction(1, 6)).toString(), math.format(math.bignumber("0.1").plus("0.2"))];
exports.expected = () => ([5,"5.08 cm",[[17],[39]],"2 * x + 3","0.5","0.3"]);
