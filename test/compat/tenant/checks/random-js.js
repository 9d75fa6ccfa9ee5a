const { Random, MersenneTwister19937 } = require("random-js"); exports.check = () => { const r = new Random(MersenneTwister19937.seed(42)); return [r.integer(1, 100), r.real(0, 1).toFixed(6), r.pick(["a", "b", "c"]), r.shuffle([1, 2, 3, 4])]; };
exports.expected = () => ([43,"0.320032","b",[2,1,4,3]]);
