const { jStat } = require("jstat"); exports.check = () => [jStat.mean([1, 2, 3, 4]), jStat.stdev([1, 2, 3, 4], true), jStat.normal.cdf(1.96, 0, 1), jStat.studentt.inv(0.975, 10), jStat.corrcoeff([1, 2, 3], [2, 4, 7])];
exports.expected = () => ([2.5,1.2909944487358056,0.9750021048517796,2.228138842468655,0.9933992677987828]);
