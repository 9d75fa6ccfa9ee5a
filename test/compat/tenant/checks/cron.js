const { CronTime, validateCronExpression } = require("cron"); exports.check = () => { const t = new CronTime("0 30 9 * * 1-5", "UTC"); const n = t.sendAt(); return [validateCronExpression("0 0 * * *").valid, validateCronExpression("nope").valid, n.toUTC().toFormat("HH:mm"), [1, 2, 3, 4, 5].includes(n.weekday)]; };
exports.expected = () => ([true,false,"09:30",true]);
