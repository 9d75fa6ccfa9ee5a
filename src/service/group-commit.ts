interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Writes that arrive together are committed together: every item added in one turn of the event loop
 * (and while a commit is in flight) goes into the next single commit, and each `add()` resolves only once
 * the commit that holds its item succeeded. Whoever waits for `add()` before answering acknowledges
 * nothing that could still be lost; a failed commit rejects every item in it.
 */
export class GroupCommit<T> {
  private queue: Waiting<T>[] = [];
  private scheduled = false;
  private committing = false;

  constructor(
    private readonly commit: (items: T[]) => Promise<void> | void,
    private readonly maxItems = 1000,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.committing) return;
    this.scheduled = true;
    // After this turn's I/O callbacks: the answers that finished together share one commit.
    setImmediate(() => {
      this.scheduled = false;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    const batch = this.queue.splice(0, this.maxItems);
    if (batch.length === 0) return;
    this.committing = true;
    try {
      await this.commit(batch.map((waiting) => waiting.item));
      for (const waiting of batch) waiting.resolve();
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    } finally {
      this.committing = false;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
