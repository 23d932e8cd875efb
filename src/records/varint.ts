// Variable-length integers, as Kafka writes them (protobuf base-128, little-endian groups of 7 bits,
// high bit = "more bytes follow"):
//   varint   zigzag-encoded int32, 1..5 bytes  (record length, offsetDelta, key/value/header lengths)
//   varlong  zigzag-encoded int64, 1..10 bytes (record timestampDelta)
//   unsigned varint  plain uint32, 1..5 bytes  (flexible protocol versions: compact lengths, tag counts)
// Zigzag maps signed to unsigned so small negatives stay short: 0→0, -1→1, 1→2, -2→3 …
// Record fields use zigzag and flexible protocol fields use unsigned: two separate function families on
// purpose, since mixing them up yields plausible but wrong lengths.
// Readers throw CorruptRecordError on truncated or overlong input (callers in protocol/ rethrow as
// ProtocolError); writers throw RangeError for values that do not fit (a programming error).
import { CorruptRecordError } from '../common/index.js';

export interface VarintResult {
  value: number;
  size: number;
}

function truncated(offset: number): CorruptRecordError {
  return new CorruptRecordError(`varint at offset ${offset} is truncated`);
}

function overlong(offset: number, max: number): CorruptRecordError {
  return new CorruptRecordError(`varint at offset ${offset} is longer than ${max} bytes`);
}

/** Reads an unsigned 32-bit varint (flexible protocol fields). */
export function readUnsignedVarint(buf: Uint8Array, offset: number): VarintResult {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    const pos = offset + i;
    if (pos >= buf.length) throw truncated(offset);
    const b = buf[pos]!;
    // Multiplication instead of << keeps bit 31 from turning the value negative.
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return { value: value >>> 0, size: i + 1 };
  }
  throw overlong(offset, 5);
}

/** Writes an unsigned 32-bit varint; returns the number of bytes written. */
export function writeUnsignedVarint(value: number, target: Uint8Array, offset: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`unsigned varint out of range: ${value}`);
  }
  let v = value;
  let i = 0;
  while (v >= 0x80) {
    target[offset + i++] = (v & 0x7f) | 0x80;
    v = Math.floor(v / 128);
  }
  target[offset + i++] = v;
  return i;
}

export function unsignedVarintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/** Reads a zigzag int32 varint (record fields). */
export function readVarint(buf: Uint8Array, offset: number): VarintResult {
  const { value, size } = readUnsignedVarint(buf, offset);
  return { value: (value >>> 1) ^ -(value & 1), size };
}

function zigzag32(value: number): number {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
    throw new RangeError(`varint out of int32 range: ${value}`);
  }
  return ((value << 1) ^ (value >> 31)) >>> 0;
}

/** Writes a zigzag int32 varint; returns the number of bytes written. */
export function writeVarint(value: number, target: Uint8Array, offset: number): number {
  return writeUnsignedVarint(zigzag32(value), target, offset);
}

export function varintSize(value: number): number {
  return unsignedVarintSize(zigzag32(value));
}

const TWO_POW_52 = 2 ** 52;

/** Reads a zigzag int64 varlong as a bigint (exact for the whole int64 range). */
export function readVarlongBigInt(buf: Uint8Array, offset: number): { value: bigint; size: number } {
  let raw = 0n;
  for (let i = 0; i < 10; i++) {
    const pos = offset + i;
    if (pos >= buf.length) throw truncated(offset);
    const b = buf[pos]!;
    raw |= BigInt(b & 0x7f) << BigInt(7 * i);
    if ((b & 0x80) === 0) {
      raw = BigInt.asUintN(64, raw);
      return { value: (raw >> 1n) ^ -(raw & 1n), size: i + 1 };
    }
  }
  throw overlong(offset, 10);
}

/** Reads a zigzag int64 varlong as a number (exact up to ±2^52, which covers timestamp deltas). */
export function readVarlong(buf: Uint8Array, offset: number): VarintResult {
  let raw = 0;
  // Up to 7 bytes (49 bits) stay exact in a double; longer encodings take the bigint path.
  for (let i = 0; i < 7; i++) {
    const pos = offset + i;
    if (pos >= buf.length) throw truncated(offset);
    const b = buf[pos]!;
    raw += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) {
      const value = raw % 2 === 1 ? -(raw + 1) / 2 : raw / 2;
      return { value, size: i + 1 };
    }
  }
  const big = readVarlongBigInt(buf, offset);
  return { value: Number(big.value), size: big.size };
}

function zigzag64(value: number | bigint): bigint {
  const v = BigInt.asIntN(64, BigInt(value));
  if (v !== BigInt(value)) throw new RangeError(`varlong out of int64 range: ${value}`);
  return BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
}

/** Writes a zigzag int64 varlong; returns the number of bytes written. */
export function writeVarlong(value: number | bigint, target: Uint8Array, offset: number): number {
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < TWO_POW_52) {
    // Fast path without bigint: zigzag by arithmetic, then base-128 groups.
    let raw = value >= 0 ? value * 2 : -value * 2 - 1;
    let i = 0;
    while (raw >= 0x80) {
      target[offset + i++] = (raw % 128) | 0x80;
      raw = Math.floor(raw / 128);
    }
    target[offset + i++] = raw;
    return i;
  }
  if (typeof value === 'number' && !Number.isInteger(value)) throw new RangeError(`varlong not an integer: ${value}`);
  let raw = zigzag64(value);
  let i = 0;
  while (raw >= 0x80n) {
    target[offset + i++] = Number(raw & 0x7fn) | 0x80;
    raw >>= 7n;
  }
  target[offset + i++] = Number(raw);
  return i;
}

export function varlongSize(value: number | bigint): number {
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < TWO_POW_52) {
    let raw = value >= 0 ? value * 2 : -value * 2 - 1;
    let size = 1;
    while (raw >= 0x80) {
      raw = Math.floor(raw / 128);
      size++;
    }
    return size;
  }
  if (typeof value === 'number' && !Number.isInteger(value)) throw new RangeError(`varlong not an integer: ${value}`);
  let raw = zigzag64(value);
  let size = 1;
  while (raw >= 0x80n) {
    raw >>= 7n;
    size++;
  }
  return size;
}
