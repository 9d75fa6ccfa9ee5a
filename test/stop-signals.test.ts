import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { EarlyStops } from "../src/cli/early-stops.js";
import { StopSignals } from "../src/cli/stop-signals.js";

/**
 * `tenantbox serve` takes a stop signal from the CLI's first lines: one that comes while its modules still
 * load (about 0.3 s, seconds on a busy machine) drains and exits 0, where Node's default ended it by the
 * signal (143). The signals are emitted here as process events: the handlers are what is tested.
 */
describe("stop signals held while serve loads", () => {
  it("the CLI's entry (dist/cli.js) loads nothing before it holds them: no static import, the rest by URL", () => {
    const launcher = fs.readFileSync(fileURLToPath(new URL("../dist/cli.js", import.meta.url)), "utf8");
    expect(launcher).not.toMatch(/^\s*import\s/m);
    expect(launcher).toMatch(/new EarlyStops\(\)/);
    expect(launcher.length).toBeLessThan(8 * 1024);
  });

  it("a SIGTERM held before serve's own handlers is taken as the stop, once; the hold lets go", async () => {
    const before = process.listenerCount("SIGTERM");
    const early = new EarlyStops();
    process.emit("SIGTERM", "SIGTERM");
    const stops = new StopSignals({ sigint: true, early });
    await expect(stops.requested).resolves.toBe("SIGTERM");
    expect(stops.signal).toBe("SIGTERM");
    // The hold is off; StopSignals' own handler is the one left (removed here so the test process is as it was).
    expect(process.listenerCount("SIGTERM")).toBe(before + 1);
    for (const name of ["SIGTERM", "SIGINT"] as const) process.removeListener(name, process.listeners(name).at(-1) as () => void);
  });

  it("a service process of --workers ignores a held SIGINT (the primary stops it), and takes a held SIGTERM after it", async () => {
    const early = new EarlyStops();
    process.emit("SIGINT", "SIGINT");
    process.emit("SIGTERM", "SIGTERM");
    let again: string | undefined;
    const stops = new StopSignals({ sigint: false, early });
    stops.onAgain = (signal) => (again = signal);
    await expect(stops.requested).resolves.toBe("SIGTERM");
    expect(again).toBeUndefined();
    for (const name of ["SIGTERM", "SIGINT"] as const) process.removeListener(name, process.listeners(name).at(-1) as () => void);
  });
});
