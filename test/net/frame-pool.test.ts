// The frame pool (src/net/frame-pool.ts): frames of 64 KiB and more are carved from reused buffers;
// a buffer is lent to one frame at a time, whatever the caller releases.
import { describe, expect, it } from 'vitest';
import { FrameDecoder, FramePool, POOL_MAX_BYTES, POOL_MIN_BYTES } from '../../src/net/index.js';

describe('FramePool', () => {
  it('reuses a released buffer for the next frame of the same size class', () => {
    const pool = new FramePool();
    const a = pool.acquire(100_000);
    expect(a.length).toBe(100_000);
    expect(a.buffer.byteLength).toBe(131_072);
    pool.release(a.subarray(4)); // any view of the frame gives it back
    const b = pool.acquire(70_000);
    expect(b.buffer).toBe(a.buffer);
    expect(pool.acquire(70_000).buffer).not.toBe(a.buffer); // lent to b: not lent twice
  });

  it('ignores a second release and buffers it did not lend', () => {
    const pool = new FramePool();
    const a = pool.acquire(POOL_MIN_BYTES);
    pool.release(a);
    pool.release(a);
    pool.release(Buffer.alloc(POOL_MIN_BYTES));
    const first = pool.acquire(POOL_MIN_BYTES);
    const second = pool.acquire(POOL_MIN_BYTES);
    expect(first.buffer).toBe(a.buffer);
    expect(second.buffer).not.toBe(a.buffer);
  });

  it('leaves small and huge frames to the normal allocator', () => {
    const pool = new FramePool();
    const small = pool.acquire(POOL_MIN_BYTES - 1);
    const huge = pool.acquire(POOL_MAX_BYTES + 1);
    pool.release(small);
    pool.release(huge);
    expect(pool.acquire(POOL_MIN_BYTES - 1).buffer).not.toBe(small.buffer);
    expect(pool.acquire(POOL_MAX_BYTES + 1).buffer).not.toBe(huge.buffer);
  });

  it('backs the decoder: a frame split over chunks is assembled in pooled memory, one inside a chunk is a view', () => {
    const pool = new FramePool();
    const decoder = new FrameDecoder(1 << 20, pool);
    const body = Buffer.alloc(200_000, 9);
    const frame = Buffer.concat([Buffer.from([0, 3, 0x0d, 0x40]), body]);
    const out = [...decoder.push(frame.subarray(0, 65_536)), ...decoder.push(frame.subarray(65_536))];
    expect(out).toHaveLength(1);
    expect(out[0]!.equals(body)).toBe(true);
    expect(out[0]!.buffer.byteLength).toBe(262_144);
    pool.release(out[0]!);
    expect(pool.acquire(200_004).buffer).toBe(out[0]!.buffer);
    const whole = new FrameDecoder(1 << 20, pool).push(frame);
    expect(whole[0]!.buffer).toBe(frame.buffer);
  });
});
