/** Requests whose handler runs (their body arrived): what a graceful shutdown waits for. */
export class InFlight<T> {
  private readonly handling = new Set<T>();
  private idle: (() => void)[] = [];

  add(request: T): void {
    this.handling.add(request);
  }

  /** Its answer was sent in full, or its connection closed. Idempotent: a request counts once. */
  done(request: T): void {
    if (!this.handling.delete(request) || this.handling.size > 0) return;
    const idle = this.idle;
    this.idle = [];
    for (const wake of idle) wake();
  }

  /** Resolves when no request is being handled. */
  drained(): Promise<void> {
    if (this.handling.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
}
