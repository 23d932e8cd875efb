import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crc32c, crc32cFallback, crc32cIsNative } from '../../src/records/index.js';

describe('crc32c', () => {
  it('matches the standard check value for "123456789"', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32cFallback(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('matches the RFC 3720 (iSCSI) vectors', () => {
    expect(crc32cFallback(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crc32cFallback(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    const ascending = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    expect(crc32cFallback(ascending)).toBe(0x46dd794e);
    expect(crc32c(ascending)).toBe(0x46dd794e);
  });

  it('is 0 for empty input', () => {
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    expect(crc32cFallback(Buffer.alloc(0))).toBe(0);
  });

  it('uses the native implementation on this machine', () => {
    expect(crc32cIsNative).toBe(true);
  });

  it('native and fallback agree on random data of every length up to 300 and on large buffers', () => {
    for (let len = 0; len <= 300; len++) {
      const buf = randomBytes(len);
      expect(crc32cFallback(buf)).toBe(crc32c(buf));
    }
    const big = randomBytes(1 << 20);
    expect(crc32cFallback(big)).toBe(crc32c(big));
  });

  it('continues from an initial value in both implementations', () => {
    const buf = randomBytes(1001);
    const whole = crc32c(buf);
    for (const cut of [0, 1, 7, 8, 9, 500, 1001]) {
      expect(crc32c(buf.subarray(cut), crc32c(buf.subarray(0, cut)))).toBe(whole);
      expect(crc32cFallback(buf.subarray(cut), crc32cFallback(buf.subarray(0, cut)))).toBe(whole);
    }
  });

  it('reads unaligned views correctly', () => {
    const buf = randomBytes(100);
    const view = buf.subarray(3, 90);
    expect(crc32cFallback(view)).toBe(crc32c(Buffer.from(view)));
  });
});
