const f = require("fecha"); exports.check = () => [f.format(new Date(2020, 0, 2, 3, 4), "YYYY-MM-DD hh:mm A"), f.parse("2021-03-04", "YYYY-MM-DD").getMonth()];
exports.expected = () => (["2020-01-02 03:04 AM",2]);
