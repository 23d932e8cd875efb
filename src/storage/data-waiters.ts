// Long-poll support: fetches wait for the high watermark to pass an offset and are woken by the append
// that moves it (no polling), or by their abort signal, or when the log closes.

interface Waiter {
  offset: number;
  done: () => void;
}

export class DataWaiters {
  private readonly waiters = new Set<Waiter>();

  /** Resolves once `isPast(offset)` after a wake(), or when `signal` aborts; never rejects. */
  wait(offset: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const onAbort = (): void => waiter.done();
      const waiter: Waiter = {
        offset,
        done: () => {
          this.waiters.delete(waiter);
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.waiters.add(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Wakes the waiters whose offset is below `highWatermark`. */
  wake(highWatermark: number): void {
    if (this.waiters.size === 0) return;
    for (const w of [...this.waiters]) if (w.offset < highWatermark) w.done();
  }

  wakeAll(): void {
    for (const w of [...this.waiters]) w.done();
  }

  get size(): number {
    return this.waiters.size;
  }
}
