// Memory for request frames that arrive in several socket chunks and must be assembled (one copy).
// A fresh buffer per large frame made garbage collection the largest item of the broker's produce
// profile: V8 counts ArrayBuffers as external memory and runs a full mark-compact every ~64 MB of
// them (22 per 300,000 records of 1 KiB, ~0.4 µs per record). Frames of POOL_MIN_BYTES and more are
// carved from pooled buffers (capacity: the next power of two) instead.
//
// The client's producer takes its batch buffers from a pool of its own, for the same reason (and the
// first-touch page faults of a fresh 1 MiB buffer per batch): client/batch-writer.ts.
//
// A frame goes back with release() only by a caller that knows nothing refers to its bytes any more
// (the broker releases Produce frames once every append of the request settled; the producer a batch's
// buffer once the batch was acknowledged). A frame never released is simply collected; release() of a
// buffer the pool did not lend, or a second release, is ignored, so one buffer can never back two
// frames at once.

/** Smaller frames come from Node's own allocator (its 8 KiB slabs). */
export const POOL_MIN_BYTES = 64 * 1024;
/** Larger frames get a buffer of their own, never kept. */
export const POOL_MAX_BYTES = 16 * 1024 * 1024;

export class FramePool {
  /** Idle buffers by capacity. */
  private readonly idle = new Map<number, ArrayBuffer[]>();
  /** Buffers lent out and not yet released. */
  private readonly lent = new WeakSet<ArrayBuffer>();

  /** maxIdlePerSize: buffers of one capacity kept between frames. */
  constructor(private readonly maxIdlePerSize = 4) {}

  /** A buffer of exactly `length` bytes (uninitialized). */
  acquire(length: number): Buffer {
    if (length < POOL_MIN_BYTES || length > POOL_MAX_BYTES) return Buffer.allocUnsafe(length);
    const capacity = 2 ** Math.ceil(Math.log2(length));
    const memory = this.idle.get(capacity)?.pop() ?? new ArrayBuffer(capacity);
    this.lent.add(memory);
    return Buffer.from(memory, 0, length);
  }

  /** Takes back the memory of `frame` (or of any view of it) for later frames. */
  release(frame: Buffer): void {
    const memory = frame.buffer;
    if (!(memory instanceof ArrayBuffer) || !this.lent.has(memory)) return;
    this.lent.delete(memory);
    let list = this.idle.get(memory.byteLength);
    if (list === undefined) this.idle.set(memory.byteLength, (list = []));
    if (list.length < this.maxIdlePerSize) list.push(memory);
  }
}
