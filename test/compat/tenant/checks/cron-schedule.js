const { parseCronExpression } = require("cron-schedule"); exports.check = () => { const c = parseCronExpression("*/15 9-17 * * 1-5"); const from = new Date(Date.UTC(2024, 0, 6, 12)); return c.getNextDates(3, from).map((d) => d.getUTCDay() + ":" + d.getMinutes()); };
exports.expected = () => (["1:0","1:15","1:30"]);
