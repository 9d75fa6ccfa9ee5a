const { DateTime, Duration } = require("luxon");
exports.check = () => [DateTime.fromISO("2024-03-10T12:00:00Z", { zone: "utc" }).plus({ days: 1 }).toISODate(), Duration.fromObject({ minutes: 90 }).as("hours")];
exports.expected = () => (["2024-03-11", 1.5]);
