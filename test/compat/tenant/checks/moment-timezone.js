const moment = require("moment-timezone");
exports.check = () => [moment.tz("2024-03-10 12:00", "America/New_York").format(), moment.utc("2024-06-01T12:00:00Z").tz("Europe/Berlin").format("YYYY-MM-DD HH:mm z"), moment.tz.zone("Asia/Tokyo").utcOffset(0), moment.tz.names().length > 100];
exports.expected = () => (["2024-03-10T12:00:00-04:00","2024-06-01 14:00 CEST",-540,true]);
