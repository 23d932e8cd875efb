// Encodes a Kafka message into Buffer chunks, one pass, big-endian. The wire formats are those read by
// reader.ts (bool 1 byte; int8/16/32/64; uint16; float64; uuid 16 bytes; uvarint; strings with int16 or
// compact uvarint length+1 prefixes; bytes/records with int32 or compact prefixes; -1 / 0 = null).
//
// Small fields go into a scratch buffer that is never copied: when it is full, the written part becomes a
// chunk and a new, twice larger scratch buffer starts. `records` larger than RECORDS_BY_REFERENCE bytes
// become chunks of their own by reference, so a fetch response never copies segment bytes.
// Out-of-range values are programming errors, reported as ProtocolError naming the value.
import { ProtocolError } from '../common/index.js';
import { unsignedVarintSize, writeUnsignedVarint } from '../records/index.js';

export const RECORDS_BY_REFERENCE = 1024;
const INITIAL_SCRATCH = 256;

function checkInt(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ProtocolError(`${what} value out of range: ${value}`);
  }
  return value;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export class Writer {
  private chunks: Buffer[] = [];
  private scratch: Buffer = Buffer.allocUnsafe(INITIAL_SCRATCH);
  private start = 0;
  private pos = 0;

  /**
   * Reserves n bytes of scratch and returns where to write them. It may replace `scratch`, so callers
   * must call it before reading `this.scratch`.
   */
  private reserve(n: number): number {
    if (this.pos + n > this.scratch.length) {
      this.cut();
      this.scratch = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, n));
      this.start = 0;
      this.pos = 0;
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  /** Ends the current chunk at the write position. */
  private cut(): void {
    if (this.pos > this.start) this.chunks.push(this.scratch.subarray(this.start, this.pos));
    this.start = this.pos;
  }

  bool(value: boolean): void {
    const at = this.reserve(1);
    this.scratch[at] = value ? 1 : 0;
  }

  int8(value: number): void {
    const at = this.reserve(1);
    this.scratch.writeInt8(checkInt(value, -0x80, 0x7f, 'int8'), at);
  }

  int16(value: number): void {
    const at = this.reserve(2);
    this.scratch.writeInt16BE(checkInt(value, -0x8000, 0x7fff, 'int16'), at);
  }

  uint16(value: number): void {
    const at = this.reserve(2);
    this.scratch.writeUInt16BE(checkInt(value, 0, 0xffff, 'uint16'), at);
  }

  int32(value: number): void {
    const at = this.reserve(4);
    this.scratch.writeInt32BE(checkInt(value, -0x80000000, 0x7fffffff, 'int32'), at);
  }

  int64(value: bigint): void {
    if (value < INT64_MIN || value > INT64_MAX) throw new ProtocolError(`int64 value out of range: ${value}`);
    const at = this.reserve(8);
    this.scratch.writeBigInt64BE(value, at);
  }

  float64(value: number): void {
    const at = this.reserve(8);
    this.scratch.writeDoubleBE(value, at);
  }

  uvarint(value: number): void {
    checkInt(value, 0, 0xffffffff, 'unsigned varint');
    const at = this.reserve(unsignedVarintSize(value));
    writeUnsignedVarint(value, this.scratch, at);
  }

  uuid(value: Buffer): void {
    if (value.length !== 16) throw new ProtocolError(`uuid must be 16 bytes, got ${value.length}`);
    const at = this.reserve(16);
    value.copy(this.scratch, at);
  }

  /** A length prefix; -1 = null. Compact lengths are written as length+1. */
  length(n: number, compact: boolean, wide: boolean): void {
    if (compact) this.uvarint(n + 1);
    else if (wide) this.int32(n);
    else this.int16(n);
  }

  string(value: string | null, compact: boolean): void {
    if (value === null) return this.length(-1, compact, false);
    const n = Buffer.byteLength(value, 'utf8');
    if (n > 0x7fff) throw new ProtocolError(`string of ${n} bytes is longer than 32767`);
    this.length(n, compact, false);
    const at = this.reserve(n);
    this.scratch.write(value, at, n, 'utf8');
  }

  /** Bytes; `byReference` keeps large buffers (records) out of the scratch buffer. */
  bytes(value: Buffer | null, compact: boolean, byReference: boolean): void {
    if (value === null) return this.length(-1, compact, true);
    this.length(value.length, compact, true);
    if (byReference && value.length > RECORDS_BY_REFERENCE) {
      this.cut();
      this.chunks.push(value);
    } else {
      const at = this.reserve(value.length);
      value.copy(this.scratch, at);
    }
  }

  /** Bytes without a length prefix. */
  raw(value: Buffer): void {
    const at = this.reserve(value.length);
    value.copy(this.scratch, at);
  }

  /** The encoded chunks; the writer must not be used afterwards. */
  finish(): Buffer[] {
    this.cut();
    return this.chunks;
  }
}

/** Total byte length of a chunk list. */
export function chunksLength(chunks: readonly Buffer[]): number {
  let n = 0;
  for (const c of chunks) n += c.length;
  return n;
}
