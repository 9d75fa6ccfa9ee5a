import { parseDate, CalendarDate, toZoned, getLocalTimeZone, parseZonedDateTime } from "internationalized-date";
export const check = () => { const d = parseDate("2024-01-31").add({ months: 1 }); const z = parseZonedDateTime("2024-03-10T01:30[America/New_York]").add({ hours: 1 }); return [d.toString(), z.toString(), new CalendarDate(2024, 2, 28).cycle("day", 2).toString()]; };
export const expected = () => (["2024-02-29","2024-03-10T03:30:00-04:00[America/New_York]","2024-02-01"]);
