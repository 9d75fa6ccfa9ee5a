/**
 * A least-recently-used map bounded by the bytes its entries are said to hold (invariant 8: every host
 * cache is bounded in bytes, not in entries, so big entries cannot grow it past its budget).
 */
export class ByteBoundedCache<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private total = 0;

  constructor(
    private readonly maxBytes: number,
    /** Entries that must not be evicted (they still serve); they count, but are skipped. */
    private readonly pinned: (value: V) => boolean = () => false,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Without touching its place in the eviction order. */
  peek(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  /**
   * `bytes`: what the value holds. The key is charged too (two bytes a character): keys are often the caller's
   * spelling of a path (up to 4,096 characters each), and uncounted, 44,000 of them next to small graphs
   * held 180-360 MB beyond the budget (red team dec10, hash collisions).
   */
  set(key: string, value: V, bytes: number): void {
    this.delete(key);
    const charged = bytes + 2 * key.length;
    this.entries.set(key, { value, bytes: charged });
    this.total += charged;
    if (this.total > this.maxBytes) this.evict();
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.total -= entry.bytes;
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.total <= this.maxBytes) return;
      if (this.pinned(entry.value)) continue;
      this.entries.delete(key);
      this.total -= entry.bytes;
    }
  }
}
