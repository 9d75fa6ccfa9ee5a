const { group, sum, unique, pick, retry, sleep, camel, range, objectify } = require("radash");
exports.check = async () => { let n = 0; const v = await retry({ times: 3 }, async () => { if (++n < 2) throw new Error("x"); return n; }); return [group([1, 2, 3, 4], (x) => (x % 2 ? "odd" : "even")), sum([1, 2, 3]), unique([1, 1, 2]), pick({ a: 1, b: 2 }, ["a"]), v, camel("hello world"), [...range(0, 6, 2)], objectify([{ id: "a", v: 1 }], (x) => x.id, (x) => x.v)]; };
exports.expected = () => ([{"odd":[1,3],"even":[2,4]},6,[1,2],{"a":1},2,"helloWorld",[2,2,2,2,2,2,2],{"a":1}]);
