import { describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../../src/common/errors.js';
import {
  readUnsignedVarint,
  readVarint,
  readVarlong,
  readVarlongBigInt,
  unsignedVarintSize,
  varintSize,
  varlongSize,
  writeUnsignedVarint,
  writeVarint,
  writeVarlong,
} from '../../src/records/index.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/ /g, ''), 'hex');

function encodeVarint(v: number): Buffer {
  const buf = Buffer.alloc(5);
  return buf.subarray(0, writeVarint(v, buf, 0));
}
function encodeVarlong(v: number | bigint): Buffer {
  const buf = Buffer.alloc(10);
  return buf.subarray(0, writeVarlong(v, buf, 0));
}
function encodeUnsigned(v: number): Buffer {
  const buf = Buffer.alloc(5);
  return buf.subarray(0, writeUnsignedVarint(v, buf, 0));
}

describe('zigzag varint', () => {
  const golden: [number, string][] = [
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [63, '7e'],
    [-64, '7f'],
    [64, '8001'],
    [300, 'd804'],
    [2 ** 31 - 1, 'feffffff0f'],
    [-(2 ** 31), 'ffffffff0f'],
  ];
  it.each(golden)('%d encodes as %s and back', (value, bytes) => {
    expect(encodeVarint(value).toString('hex')).toBe(bytes);
    expect(varintSize(value)).toBe(bytes.length / 2);
    expect(readVarint(hex(bytes), 0)).toEqual({ value, size: bytes.length / 2 });
  });

  it('round-trips at an offset', () => {
    const buf = Buffer.alloc(20, 0xaa);
    const n = writeVarint(-123456, buf, 7);
    expect(readVarint(buf, 7)).toEqual({ value: -123456, size: n });
  });

  it('rejects out-of-range values when writing', () => {
    expect(() => encodeVarint(2 ** 31)).toThrow(RangeError);
    expect(() => encodeVarint(1.5)).toThrow(RangeError);
  });

  it('throws CorruptRecordError when truncated or longer than 5 bytes', () => {
    expect(() => readVarint(hex('80'), 0)).toThrow(CorruptRecordError);
    expect(() => readVarint(hex(''), 0)).toThrow(CorruptRecordError);
    expect(() => readVarint(hex('8080808080 01'), 0)).toThrow(CorruptRecordError);
  });
});

describe('zigzag varlong', () => {
  const golden: [bigint, string][] = [
    [0n, '00'],
    [-1n, '01'],
    [1n, '02'],
    [2n ** 31n - 1n, 'feffffff0f'],
    [-(2n ** 31n), 'ffffffff0f'],
    [1_700_000_000_000n, '80a0abfef962'], // computed independently (python)
    [2n ** 63n - 1n, 'feffffffffffffffff01'],
    [-(2n ** 63n), 'ffffffffffffffffff01'],
  ];
  it.each(golden)('%s encodes as %s and back', (value, bytes) => {
    expect(encodeVarlong(value).toString('hex')).toBe(bytes);
    expect(varlongSize(value)).toBe(bytes.length / 2);
    expect(readVarlongBigInt(hex(bytes), 0)).toEqual({ value, size: bytes.length / 2 });
    if (value >= -(2n ** 52n) && value <= 2n ** 52n) {
      expect(encodeVarlong(Number(value)).toString('hex')).toBe(bytes);
      expect(varlongSize(Number(value))).toBe(bytes.length / 2);
      expect(readVarlong(hex(bytes), 0)).toEqual({ value: Number(value), size: bytes.length / 2 });
    }
  });

  it('number and bigint paths agree around 2^49..2^53', () => {
    for (const v of [2 ** 49 - 1, 2 ** 49, -(2 ** 49), 2 ** 52 - 1, -(2 ** 52) + 1, 2 ** 53 - 1, -(2 ** 53) + 1]) {
      const bytes = encodeVarlong(v);
      expect(bytes).toEqual(encodeVarlong(BigInt(v)));
      expect(readVarlong(bytes, 0).value).toBe(v);
    }
  });

  it('throws CorruptRecordError when truncated or longer than 10 bytes', () => {
    expect(() => readVarlong(hex('ffff'), 0)).toThrow(CorruptRecordError);
    expect(() => readVarlong(hex('ffffffffffffffffffff01'), 0)).toThrow(CorruptRecordError);
  });
});

describe('unsigned varint', () => {
  const golden: [number, string][] = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [2 ** 31 - 1, 'ffffffff07'],
    [0xffffffff, 'ffffffff0f'],
  ];
  it.each(golden)('%d encodes as %s and back', (value, bytes) => {
    expect(encodeUnsigned(value).toString('hex')).toBe(bytes);
    expect(unsignedVarintSize(value)).toBe(bytes.length / 2);
    expect(readUnsignedVarint(hex(bytes), 0)).toEqual({ value, size: bytes.length / 2 });
  });

  it('differs from zigzag for the same value', () => {
    expect(encodeUnsigned(1)).not.toEqual(encodeVarint(1));
  });

  it('rejects negatives when writing and bad bytes when reading', () => {
    expect(() => encodeUnsigned(-1)).toThrow(RangeError);
    expect(() => readUnsignedVarint(hex('ff'), 0)).toThrow(CorruptRecordError);
    expect(() => readUnsignedVarint(hex('ffffffffff01'), 0)).toThrow(CorruptRecordError);
  });
});
