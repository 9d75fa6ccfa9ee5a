const moment = require("moment");
exports.check = () => [moment.utc("2024-01-31").add(1, "month").format("YYYY-MM-DD"), moment.duration(2, "hours").asMinutes()];
exports.expected = () => (["2024-02-29", 120]);
