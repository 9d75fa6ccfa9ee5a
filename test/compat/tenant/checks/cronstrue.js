const c = require("cronstrue"); exports.check = () => [c.toString("*/5 * * * *"), c.toString("0 23 ? * MON-FRI")];
exports.expected = () => (["Every 5 minutes","At 11:00 PM, Monday through Friday"]);
