const _ = require("highland"); exports.check = () => new Promise((res) => _([1, 2, 3, 4]).filter((x) => x % 2 === 0).map((x) => x * 3).toArray(res));
exports.expected = () => ([6,12]);
