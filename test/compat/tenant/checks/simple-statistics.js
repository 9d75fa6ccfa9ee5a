const ss = require("simple-statistics");
exports.check = () => { const d = [2, 4, 4, 4, 5, 5, 7, 9]; return [ss.mean(d), ss.standardDeviation(d), ss.median(d), ss.quantile(d, 0.9), ss.linearRegression([[0, 1], [1, 3], [2, 5]]), ss.sampleCorrelation([1, 2, 3], [2, 4, 7]).toFixed(6)]; };
exports.expected = () => ([5,2,4.5,7.6,{"m":2,"b":1},"0.993399"]);
