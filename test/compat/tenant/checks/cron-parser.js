const { CronExpressionParser } = require("cron-parser");
exports.check = () => { const it = CronExpressionParser.parse("*/15 9-17 * * 1-5", { currentDate: "2024-01-05T16:50:00Z", tz: "UTC" }); return [it.next().toISOString(), it.next().toISOString(), it.next().toISOString()]; };
exports.expected = () => ["2024-01-05T17:00:00.000Z", "2024-01-05T17:15:00.000Z", "2024-01-05T17:30:00.000Z"];
