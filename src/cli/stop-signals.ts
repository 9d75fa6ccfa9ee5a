import type { EarlyStops } from "./early-stops.js";

/**
 * A repeat of a stop signal within this long of the first is the same stop delivered twice, not a second
 * one: a terminal's Ctrl-C reaches the whole foreground group (npm and serve) and npm forwards its own
 * copy; `timeout` and systemd signal the group too.
 */
export const REPEAT_WINDOW_MS = 1000;

/**
 * SIGTERM and SIGINT for `tenantbox serve`, taken from before it starts listening (a stop while it starts
 * is a stop like any other: exit 0 once it has started and drained, not Node's default 143). The first
 * signal resolves `requested`; another within REPEAT_WINDOW_MS of it is ignored; one after that calls
 * `onAgain` (which hurries: it exits).
 */
export class StopSignals {
  readonly requested: Promise<NodeJS.Signals>;
  /** The first signal, once one came. */
  signal: NodeJS.Signals | undefined;
  /** A signal after the repeat window (unset: ignored, as in a service process of --workers). */
  onAgain: ((signal: NodeJS.Signals) => void) | undefined;
  private firstAt = 0;

  /**
   * `sigint: false` (a service process of --workers): SIGINT is ignored, since a terminal's Ctrl-C reaches
   * every process of the group and the primary tells its service processes to stop (SIGTERM).
   */
  constructor(options: { sigint: boolean; windowMs?: number; early?: EarlyStops }) {
    const windowMs = options.windowMs ?? REPEAT_WINDOW_MS;
    let resolve!: (signal: NodeJS.Signals) => void;
    this.requested = new Promise((r) => (resolve = r));
    const take = (signal: NodeJS.Signals) => {
      if (this.signal === undefined) {
        this.signal = signal;
        this.firstAt = performance.now();
        resolve(signal);
        return;
      }
      if (performance.now() - this.firstAt < windowMs) return;
      this.onAgain?.(signal);
    };
    // on, not once: a later signal must reach take() (once would leave it to Node's default, exit 143).
    const onSigint = options.sigint ? take : () => undefined;
    process.on("SIGTERM", take);
    process.on("SIGINT", onSigint);
    // Those that came while serve's modules loaded, as if they came now (ours are on: none is missed between).
    for (const signal of options.early?.release() ?? []) (signal === "SIGINT" ? onSigint : take)(signal);
  }
}
