// Reassembles Kafka frames from the byte stream of one socket. No I/O: the caller pushes chunks.
//
// Wire format of one frame (both directions):
//   bytes 0..3   int32 big-endian `size`: number of bytes that follow (header + body), not counting itself
//   bytes 4..    `size` bytes of request (or response) header and body
//
// A size <= 0 or > maxFrameBytes is a protocol violation: the declared size is checked before any
// buffering so that a hostile 2 GiB prefix never makes us allocate 2 GiB.
import { ProtocolError } from '../common/index.js';
import type { FramePool } from './frame-pool.js';

const SIZE_PREFIX_BYTES = 4;

export class FrameDecoder {
  private readonly maxFrameBytes: number;
  /** Chunks received but not yet part of a returned frame, oldest first. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Size of the frame being assembled, once its prefix has been read; -1 while unknown. */
  private expected = -1;

  /** pool: where frames assembled from several chunks get their memory (default: fresh buffers). */
  constructor(
    maxFrameBytes: number,
    private readonly pool?: FramePool,
  ) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Bytes held waiting for the rest of a frame (tests and diagnostics). */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /**
   * Adds a chunk and returns every frame it completes, without their size prefix. Frames that lie
   * inside one chunk are zero-copy views of it; a frame spread over several chunks is copied once.
   */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length === 0) return [];
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const frames: Buffer[] = [];
    for (;;) {
      if (this.expected < 0) {
        if (this.pendingBytes < SIZE_PREFIX_BYTES) break;
        const size = this.peekSize();
        if (size <= 0 || size > this.maxFrameBytes) {
          this.reset();
          throw new ProtocolError(`invalid frame size ${size} (allowed 1..${this.maxFrameBytes})`);
        }
        this.expected = size;
      }
      const total = SIZE_PREFIX_BYTES + this.expected;
      if (this.pendingBytes < total) break;
      frames.push(this.take(total).subarray(SIZE_PREFIX_BYTES));
      this.expected = -1;
    }
    return frames;
  }

  private reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.expected = -1;
  }

  /** Reads the int32 prefix, which may itself be split across chunks. */
  private peekSize(): number {
    const first = this.pending[0];
    if (first !== undefined && first.length >= SIZE_PREFIX_BYTES) return first.readInt32BE(0);
    const head = Buffer.alloc(SIZE_PREFIX_BYTES);
    let filled = 0;
    for (const c of this.pending) {
      filled += c.copy(head, filled, 0, Math.min(c.length, SIZE_PREFIX_BYTES - filled));
      if (filled === SIZE_PREFIX_BYTES) break;
    }
    return head.readInt32BE(0);
  }

  /** Removes exactly n bytes (n <= pendingBytes) from the front of the pending chunks. */
  private take(n: number): Buffer {
    const first = this.pending[0] as Buffer;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
    } else {
      out = this.pool?.acquire(n) ?? Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.pending[0] as Buffer;
        const want = n - filled;
        if (c.length <= want) {
          c.copy(out, filled);
          filled += c.length;
          this.pending.shift();
        } else {
          c.copy(out, filled, 0, want);
          filled += want;
          this.pending[0] = c.subarray(want);
        }
      }
    }
    this.pendingBytes -= n;
    return out;
  }
}
