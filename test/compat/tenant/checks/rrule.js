const { RRule, rrulestr } = require("rrule");
exports.check = () => {
  const r = new RRule({ freq: RRule.WEEKLY, byweekday: [RRule.MO, RRule.FR], dtstart: new Date(Date.UTC(2024, 0, 1, 10)), count: 4 });
  return [r.all().map((d) => d.toISOString()), r.toString(), r.toText(), rrulestr("DTSTART:20240101T000000Z\nRRULE:FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3").all().map((d) => d.toISOString().slice(0, 10))];
};
exports.expected = () => ([["2024-01-01T10:00:00.000Z","2024-01-05T10:00:00.000Z","2024-01-08T10:00:00.000Z","2024-01-12T10:00:00.000Z"],"DTSTART:20240101T100000Z\nRRULE:FREQ=WEEKLY;BYDAY=MO,FR;COUNT=4","every week on Monday, Friday for 4 times",["2024-01-31","2024-02-29","2024-03-31"]]);
