const formulajs = require("formulajs");
exports.check = () => [formulajs.SUM([1, 2, 3]), formulajs.PMT(0.05 / 12, 60, 10000).toFixed(4), formulajs.VLOOKUP("b", [["a", 1], ["b", 2]], 2, false), formulajs.TEXT(0.256, "0.0%"), formulajs.DATEDIF(new Date(2024, 0, 1), new Date(2024, 11, 31), "D")];
exports.expected = () => ([6,"-188.7123",2,"25.6%",365]);
