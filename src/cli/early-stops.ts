/**
 * Stop signals that come while `tenantbox serve` is still loading its modules (about 0.3 s, seconds on a busy
 * machine): held from the CLI's first lines, so that a stop then drains and exits 0 like any other, instead
 * of Node's default end by the signal. StopSignals takes them over once serve has parsed its arguments.
 */
export class EarlyStops {
  private readonly held: NodeJS.Signals[] = [];
  private readonly hold = (signal: NodeJS.Signals) => {
    this.held.push(signal);
  };

  constructor() {
    process.on("SIGTERM", this.hold);
    process.on("SIGINT", this.hold);
  }

  /** Stops holding (the caller's own handlers are on by now) and answers what came so far, in order. */
  release(): NodeJS.Signals[] {
    process.off("SIGTERM", this.hold);
    process.off("SIGINT", this.hold);
    return this.held.splice(0);
  }
}
