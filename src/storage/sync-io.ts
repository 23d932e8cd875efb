// When storage/ may do file I/O with synchronous calls on the event loop instead of libuv's thread pool.
//
// Small I/O at a segment's tail: a write of at most SYNC_IO_MAX_BYTES, and a read of at most that many
// bytes lying within the last HOT_TAIL_BYTES of a segment appended to at most HOT_TAIL_MS ago. Those
// bytes are in the page cache (just written), so the call is a copy of a few µs, while a round trip
// through the thread pool took 60–80 µs per hop on the bench machine, and a record met two of them on
// its way from producer to tailing consumer (the append's write and the fetch's read). Larger I/O,
// reads further back (which may wait for the disk) and every fsync stay off the event loop.
//
// The bet can lose: dirty-page throttling (writes faster than the disk for a while) or an evicted page
// makes a synchronous call wait for the disk, and then the whole broker waits with it. So every
// synchronous call is timed, and one slower than SYNC_IO_SLOW_MS sends all storage I/O back to the
// thread pool for SYNC_IO_BACKOFF_MS: a slow disk stalls the event loop once, not on every append.
// The threshold is far above a page-cache copy and above what the scheduler alone takes from a busy
// 2-CPU machine (L's worst records waited 10–20 ms in all), and far below throttling pauses (up to
// 200 ms each).

const SYNC_IO_MAX_BYTES = 64 * 1024;
export const HOT_TAIL_BYTES = 1024 * 1024;
export const HOT_TAIL_MS = 10_000;
export const SYNC_IO_SLOW_MS = 50;
const SYNC_IO_BACKOFF_MS = 30_000;

/** performance.now() before which no synchronous call is made. */
let suspendedUntil = 0;

/** Whether a synchronous call of `bytes` may be made now (size and back-off; the caller checks the rest). */
export function syncIoAllowed(bytes: number): boolean {
  return bytes <= SYNC_IO_MAX_BYTES && performance.now() >= suspendedUntil;
}

/** Runs one synchronous call, and suspends synchronous I/O for a while if it was slow. */
export function timedSyncCall<T>(call: () => T): T {
  const started = performance.now();
  try {
    return call();
  } finally {
    const ended = performance.now();
    if (ended - started > SYNC_IO_SLOW_MS) suspendedUntil = ended + SYNC_IO_BACKOFF_MS;
  }
}

/** Test seam: ends a back-off now. */
export function resumeSyncIo(): void {
  suspendedUntil = 0;
}
