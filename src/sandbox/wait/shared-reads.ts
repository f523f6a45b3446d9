// Reads that many waits of one `up` share: one read in flight, or one younger than maxAgeMs, answers
// every wait asking for the same key (a hundred echo servers each asking Docker for their container's
// state, and the registries for their registration, every 50 ms cost the lab more than their start).
export class SharedReads {
  private readonly reads = new Map<string, { at: number; value: Promise<unknown> }>();

  /** A failed read is not kept: the next asker reads again. */
  get<T>(key: string, maxAgeMs: number, read: () => Promise<T>): Promise<T> {
    const now = performance.now();
    const have = this.reads.get(key);
    if (have && now - have.at < maxAgeMs) return have.value as Promise<T>;
    const value = read();
    this.reads.set(key, { at: now, value });
    value.catch(() => {
      if (this.reads.get(key)?.value === value) this.reads.delete(key);
    });
    return value;
  }
}
