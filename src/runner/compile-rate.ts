/** Big texts whose check-and-transform times make up the estimate. */
const WINDOW = 15;

/**
 * How long checking and transforming generated code takes here, per KiB: the median of the last big texts'
 * rates. A worker serves every tenant, and a text's rate says as much about the text as about the machine:
 * with the slowest recent rate as the estimate, one tenant's text made to be slow to check (or one compile
 * during a burst of load) made every tenant's next big Function() a TIMEOUT before it started, until ten
 * more big texts decayed it. A median moves only when most recent texts were slow. Guessing low costs little:
 * the guards cannot interrupt the compile, but the hard stop still ends a call that runs past its deadline.
 */
export class CompileRate {
  private readonly recent: number[] = [];

  /** `initialMsPerKiB`: the estimate until a big text was compiled here. */
  constructor(private readonly initialMsPerKiB: number) {}

  get msPerKiB(): number {
    if (this.recent.length === 0) return this.initialMsPerKiB;
    const sorted = [...this.recent].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
  }

  /** A text of `bytes` took `ms` to check and transform. */
  record(ms: number, bytes: number): void {
    this.recent.push(ms / (bytes / 1024));
    if (this.recent.length > WINDOW) this.recent.shift();
  }
}
