const { format, register } = require("timeago.js"); exports.check = () => [format(Date.now() - 11 * 1000), format("2016-06-12", "en_US", { relativeDate: "2016-06-15" }), format(Date.now() + 3 * 3600e3)];
exports.expected = () => (["11 seconds ago","3 days ago","in 3 hours"]);
