const { formatInTimeZone, toZonedTime, fromZonedTime } = require("date-fns-tz");
exports.check = () => {
  const d = new Date("2024-03-10T12:00:00Z");
  return [formatInTimeZone(d, "America/New_York", "yyyy-MM-dd HH:mm zzz"), formatInTimeZone(d, "Asia/Kolkata", "HH:mm XXX"),
    toZonedTime(d, "Europe/Paris").getHours(), fromZonedTime("2024-01-01 00:00", "Asia/Tokyo").toISOString()];
};
exports.expected = () => (["2024-03-10 08:00 EDT","17:30 +05:30",13,"2023-12-31T15:00:00.000Z"]);
