const dayjs = require("dayjs");
const utc = require("dayjs/plugin/utc");
dayjs.extend(utc);
exports.check = () => [dayjs.utc("2024-02-28").add(1, "day").format("YYYY-MM-DD"), dayjs("2024-01-01").isBefore("2024-06-01")];
exports.expected = () => (["2024-02-29", true]);
