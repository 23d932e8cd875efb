import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/common/index.js';
import { FrameDecoder } from '../../src/net/index.js';

function frame(payload: Buffer): Buffer {
  const prefix = Buffer.alloc(4);
  prefix.writeInt32BE(payload.length);
  return Buffer.concat([prefix, payload]);
}

describe('FrameDecoder', () => {
  const payloads = [Buffer.from('hello'), Buffer.from([1]), Buffer.alloc(300, 7), Buffer.from('last frame')];
  const stream = Buffer.concat(payloads.map(frame));

  it('returns whole frames from one chunk', () => {
    const frames = new FrameDecoder(1024).push(stream);
    expect(frames).toEqual(payloads);
  });

  it('reassembles frames split at every byte position into two chunks', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const decoder = new FrameDecoder(1024);
      const frames = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
      expect(frames).toEqual(payloads);
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  it('reassembles frames fed one byte at a time', () => {
    const decoder = new FrameDecoder(1024);
    const frames: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) frames.push(...decoder.push(stream.subarray(i, i + 1)));
    expect(frames).toEqual(payloads);
  });

  it('keeps a partial frame until the rest arrives', () => {
    const decoder = new FrameDecoder(1024);
    expect(decoder.push(stream.subarray(0, 7))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(7);
  });

  it('rejects a negative size', () => {
    expect(() => new FrameDecoder(1024).push(Buffer.from([0xff, 0xff, 0xff, 0xfe, 0]))).toThrow(ProtocolError);
  });

  it('rejects a zero size', () => {
    expect(() => new FrameDecoder(1024).push(Buffer.from([0, 0, 0, 0]))).toThrow(/invalid frame size 0/);
  });

  it('rejects a size above the maximum without waiting for (or allocating) the body', () => {
    const decoder = new FrameDecoder(1024);
    expect(() => decoder.push(Buffer.from([0x7f, 0xff, 0xff, 0xff]))).toThrow(/invalid frame size 2147483647/);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('accepts a frame of exactly the maximum size and rejects one byte more', () => {
    expect(new FrameDecoder(10).push(frame(Buffer.alloc(10)))).toHaveLength(1);
    expect(() => new FrameDecoder(10).push(frame(Buffer.alloc(11)))).toThrow(ProtocolError);
  });

  it('rejects an oversize prefix that arrives split across chunks', () => {
    const decoder = new FrameDecoder(100);
    expect(decoder.push(Buffer.from([0, 0]))).toEqual([]);
    expect(() => decoder.push(Buffer.from([1, 0]))).toThrow(/invalid frame size 256/);
  });
});
