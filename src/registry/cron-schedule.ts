import { CronExpressionParser } from "cron-parser";

/**
 * Five fields (minute hour day-of-month month day-of-week), each of digits, names and `* , / - #` (`5#3`, the
 * third Friday, as `5L` is the last): no seconds field, so at most one run a minute.
 */
const FIVE_FIELDS = /^[0-9A-Za-z*,/#-]{1,30}(?: [0-9A-Za-z*,/#-]{1,30}){4}$/;

/** Why a schedule's cron expression (tenant text) is refused, or undefined when it is a valid UTC schedule. */
export function cronProblem(cron: string): string | undefined {
  if (!FIVE_FIELDS.test(cron)) {
    // Five fields with a character no field takes ("0 0 ? * *"): say that, not that the fields are not five.
    const fields = cron.split(" ");
    if (fields.length === 5 && fields.every((field) => field.length >= 1 && field.length <= 30)) return "its fields may hold only digits, names (JAN, MON, L) and * , / - #";
    return "must be a cron expression of 5 fields separated by single spaces (minute hour day month weekday)";
  }
  // cron-parser reads H as a random value, drawn again at every parse: the schedule would not keep its time.
  if (/(^|[^A-Za-z])H(?![A-Za-z])/.test(cron)) return "must not use H (a random value): name the minute, hour or day";
  try {
    CronExpressionParser.parse(cron, { tz: "UTC" });
    return undefined;
  } catch (error) {
    return `is not a valid cron expression: ${String((error as Error).message).slice(0, 120)}`;
  }
}

/**
 * The latest time in [now - windowMs, now] the schedule fires (UTC, to the minute), or undefined. The
 * search stops at the window's start: an unbounded look back (what the ticker did before) walks a schedule
 * that fires rarely day by day through years (`59 23 * 2 2#5`, the fifth Tuesday of a February, last fired
 * in 2000: 13 ms of the host's main thread per schedule, every round, for each of up to 64 schedules of
 * every tenant).
 */
export function recentTick(cron: string, now: number, windowMs: number): number | undefined {
  const expression = CronExpressionParser.parse(cron, { tz: "UTC", currentDate: new Date(now + 1), startDate: new Date(now - windowMs) });
  try {
    return expression.prev().getTime();
  } catch {
    return undefined; // no tick in the window (cron-parser's "Out of the time span range")
  }
}
