const R = require("ramda");
exports.check = () => [R.pipe(R.map(R.inc), R.filter((n) => n % 2 === 0))([1, 2, 3]), R.groupBy(R.prop("k"), [{ k: "a" }, { k: "b" }, { k: "a" }]).a.length];
exports.expected = () => ([[2, 4], 2]);
