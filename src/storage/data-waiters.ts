// Long-poll support: fetches wait for the high watermark (or, for followers, the log end) to pass an
// offset and are woken by the append that moves it (no polling), or when the log closes or fails.
// Waiters are plain callbacks, not AbortSignals: a consumer tailing a log parks one wait per fetch,
// and an AbortController per wait (its listeners and the DOMException of abort()) cost more CPU than
// the rest of the long poll.

interface Waiter {
  offset: number;
  onData: () => void;
}

export class DataWaiters {
  private readonly waiters = new Set<Waiter>();

  /** Calls `onData` once, at the first wake() past `offset` or wakeAll(); returns a cancel function. */
  watch(offset: number, onData: () => void): () => void {
    const waiter: Waiter = { offset, onData };
    this.waiters.add(waiter);
    return () => {
      this.waiters.delete(waiter);
    };
  }

  /** Wakes the waiters whose offset is below `highWatermark`. */
  wake(highWatermark: number): void {
    if (this.waiters.size === 0) return;
    for (const w of [...this.waiters]) {
      if (w.offset < highWatermark) {
        this.waiters.delete(w);
        w.onData();
      }
    }
  }

  wakeAll(): void {
    const all = [...this.waiters];
    this.waiters.clear();
    for (const w of all) w.onData();
  }

  get size(): number {
    return this.waiters.size;
  }
}
