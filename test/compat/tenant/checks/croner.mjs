import { Cron } from "croner";
export const check = () => { const job = new Cron("0 9 * * 1-5", { paused: true, timezone: "Europe/Berlin" }); const n = job.nextRuns(3, new Date("2024-03-01T00:00:00Z")).map((d) => d.toISOString()); job.stop(); return n; };
export const expected = () => (["2024-03-01T08:00:00.000Z","2024-03-04T08:00:00.000Z","2024-03-05T08:00:00.000Z"]);
