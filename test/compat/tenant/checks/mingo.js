const mingo = require("mingo");
exports.check = () => { const data = [{ n: "a", s: 80, t: ["x"] }, { n: "b", s: 95, t: ["y"] }, { n: "c", s: 60, t: ["x", "y"] }]; const q = new mingo.Query({ s: { $gte: 70 }, t: "x" }); return [q.find(data).all().map((d) => d.n), mingo.aggregate(data, [{ $unwind: "$t" }, { $group: { _id: "$t", avg: { $avg: "$s" } } }, { $sort: { _id: 1 } }])]; };
exports.expected = () => ([["a"],[{"_id":"x","avg":70},{"_id":"y","avg":77.5}]]);
