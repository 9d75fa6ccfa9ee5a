const later = require("breejs-later"); exports.check = () => { later.date.UTC(); const s = later.parse.text("at 10:15 am every weekday"); return later.schedule(s).next(3, new Date(Date.UTC(2024, 0, 6))).map((d) => d.toISOString()); };
exports.expected = () => (["2024-01-08T10:15:00.000Z","2024-01-09T10:15:00.000Z","2024-01-10T10:15:00.000Z"]);
