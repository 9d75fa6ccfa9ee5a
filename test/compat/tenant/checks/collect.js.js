const collect = require("collect.js"); exports.check = () => [collect([1, 2, 3, 4]).where((x) => x > 1).sum(), collect([{ n: "a", p: 2 }, { n: "b", p: 1 }]).sortBy("p").pluck("n").all(), collect({ a: 1, b: 2 }).keys().all(), collect([1, 2, 3]).chunk(2).toArray()];
exports.expected = () => ([10,["b","a"],["a","b"],[[1,2],[3]]]);
