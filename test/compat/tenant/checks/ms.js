const ms = require("ms");
exports.check = () => [ms("2 days"), ms(60000), ms(1000, { long: true })];
exports.expected = () => ([172800000, "1m", "1 second"]);
