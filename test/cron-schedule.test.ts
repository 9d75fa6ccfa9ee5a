import { describe, expect, it } from "vitest";
import { cronProblem, lastTick } from "../src/registry/cron-schedule.js";

describe("schedules' cron expressions", () => {
  it("takes 5 fields with names and L, in UTC", () => {
    for (const cron of ["* * * * *", "*/15 * * * *", "0 9 * * THU", "30 2 * JAN,FEB MON-FRI", "0 0 L * *", "0 0 * * 5L", "0 0 * * mon"]) expect(cronProblem(cron)).toBeUndefined();
    expect(lastTick("0 9 * * THU", Date.UTC(2031, 0, 3, 10))).toBe(Date.UTC(2031, 0, 2, 9)); // 2031-01-02 is a Thursday
  });

  it("refuses a seconds field, other text, and H (cron-parser draws it again at every parse)", () => {
    expect(cronProblem("* * * * * *")).toMatch(/5 fields/);
    expect(cronProblem("every day")).toMatch(/5 fields/);
    for (const cron of ["H * * * *", "0 H * * *", "H/15 * * * *", "0 0 * * H"]) expect(cronProblem(cron)).toMatch(/must not use H/);
  });
});
