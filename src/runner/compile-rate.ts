/** Invocations whose big texts' check-and-transform times make up the estimate. */
const WINDOW = 15;
/**
 * The most the shared estimate says, per KiB: 16 times the rate of a quiet machine (~0.25 ms). Eight invocations
 * of one tenant whose texts are made slow to check still move a median; bounded, they make another tenant's
 * 200 KiB text expected to take at most 0.8 s instead of whatever they chose. A slower machine than that is
 * still covered where it matters: an invocation's own texts are expected as slow as its slowest
 * (msPerKiBFor), and the hard stop ends a compile that runs past the deadline.
 */
const MAX_SHARED_MS_PER_KIB = 4;

/**
 * How long checking and transforming generated code takes here, per KiB: the median of the last big texts'
 * rates, one per invocation. A worker serves every tenant, and a text's rate says as much about the text as about
 * the machine: with the slowest recent rate as the estimate, one tenant's text made to be slow to check (or one
 * compile during a burst of load) made every tenant's next big Function() a TIMEOUT before it started, until ten
 * more big texts decayed it. A median moves only when most recent texts were slow; and an invocation counts once,
 * with its fastest big text (review dec10: eight slow texts in one invocation were eight of the fifteen, and
 * moved the median for every tenant as one text had moved the maximum). Guessing low costs little: the guards
 * cannot interrupt the compile, but the hard stop still ends a call that runs past its deadline.
 */
export class CompileRate {
  private readonly recent: number[] = [];
  /** Whose rate the last one in `recent` is (an invocation), when the caller said: weakly, an invocation's realm is not kept for it. */
  private lastCaller: WeakRef<object> | undefined;
  /** The slowest rate of the last caller's texts (its own estimate, never the others'). */
  private callerSlowest = 0;

  /** `initialMsPerKiB`: the estimate until a big text was compiled here. */
  constructor(private readonly initialMsPerKiB: number) {}

  get msPerKiB(): number {
    if (this.recent.length === 0) return this.initialMsPerKiB;
    const sorted = [...this.recent].sort((a, b) => a - b);
    return Math.min(sorted[Math.floor(sorted.length / 2)]!, MAX_SHARED_MS_PER_KIB);
  }

  /**
   * The estimate for `caller`'s next text: the shared one, or the slowest of the caller's own texts when that is
   * slower (a loop of big Function() calls in one invocation on a loaded machine learns from its own compiles,
   * and stops at the deadline, as it did when each text counted).
   */
  msPerKiBFor(caller: object | undefined): number {
    const shared = this.msPerKiB;
    return caller !== undefined && caller === this.lastCaller?.deref() ? Math.max(shared, this.callerSlowest) : shared;
  }

  /** A text of `bytes` took `ms` to check and transform, for `caller` (an invocation: its texts count once, its fastest). */
  record(ms: number, bytes: number, caller?: object): void {
    const rate = ms / (bytes / 1024);
    if (caller !== undefined && caller === this.lastCaller?.deref() && this.recent.length > 0) {
      const last = this.recent.length - 1;
      this.recent[last] = Math.min(this.recent[last]!, rate);
      this.callerSlowest = Math.max(this.callerSlowest, rate);
      return;
    }
    this.lastCaller = caller === undefined ? undefined : new WeakRef(caller);
    this.callerSlowest = rate;
    this.recent.push(rate);
    if (this.recent.length > WINDOW) this.recent.shift();
  }
}
