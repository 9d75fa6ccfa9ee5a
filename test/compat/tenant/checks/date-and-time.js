const date = require("date-and-time");
exports.check = () => { const d = new Date(Date.UTC(2024, 0, 15, 10, 30)); return [date.format(d, "YYYY/MM/DD HH:mm", true), date.addDays(d, 3).toISOString(), date.isLeapYear(2024), date.parse("2024-02-29", "YYYY-MM-DD").getDate()]; };
exports.expected = () => (["2024/01/15 10:30","2024-01-18T10:30:00.000Z",true,29]);
