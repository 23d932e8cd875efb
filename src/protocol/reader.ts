// A bounds-checked cursor over one Kafka message body. All integers are big-endian.
//   bool      1 byte, 0 = false, anything else = true (as Kafka reads it)
//   int8/16/32/64, uint16, float64   1/2/4/8, 2, 8 bytes (int64 → bigint)
//   uuid      16 raw bytes
//   uvarint   unsigned base-128 varint, 1..5 bytes (flexible versions: compact lengths, tag counts)
//   string    int16 length (-1 = null) + UTF-8 | compact: uvarint length+1 (0 = null) + UTF-8
//   bytes     int32 length (-1 = null) + bytes | compact: uvarint length+1 (0 = null) + bytes
//   array     int32 count (-1 = null)          | compact: uvarint count+1 (0 = null)
// Every failure is a ProtocolError: the caller closes the connection. A RangeError from Buffer must never
// escape, so each read checks `remaining` first, and lengths are validated before anything is allocated.
import { ProtocolError, errorMessage } from '../common/index.js';
import { readUnsignedVarint } from '../records/index.js';

export class Reader {
  offset: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
  ) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private need(n: number, what: string): number {
    if (n > this.remaining) {
      throw new ProtocolError(`truncated ${what} at offset ${this.offset}: need ${n} bytes, have ${this.remaining}`);
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  bool(): boolean {
    return this.buf[this.need(1, 'bool')] !== 0;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1, 'int8'));
  }

  int16(): number {
    return this.buf.readInt16BE(this.need(2, 'int16'));
  }

  uint16(): number {
    return this.buf.readUInt16BE(this.need(2, 'uint16'));
  }

  int32(): number {
    return this.buf.readInt32BE(this.need(4, 'int32'));
  }

  int64(): bigint {
    return this.buf.readBigInt64BE(this.need(8, 'int64'));
  }

  float64(): number {
    return this.buf.readDoubleBE(this.need(8, 'float64'));
  }

  uuid(): Buffer {
    const at = this.need(16, 'uuid');
    return Buffer.from(this.buf.subarray(at, at + 16));
  }

  uvarint(): number {
    try {
      const { value, size } = readUnsignedVarint(this.buf, this.offset);
      this.offset += size;
      return value;
    } catch (err) {
      throw new ProtocolError(`bad unsigned varint at offset ${this.offset}: ${errorMessage(err)}`, { cause: err });
    }
  }

  /** A length prefix: -1 means null; other negatives and lengths past the end are rejected here. */
  private length(compact: boolean, wide: boolean, what: string): number {
    const at = this.offset;
    const n = compact ? this.uvarint() - 1 : wide ? this.int32() : this.int16();
    if (n < -1) throw new ProtocolError(`negative ${what} length ${n} at offset ${at}`);
    if (n > this.remaining) {
      throw new ProtocolError(`${what} length ${n} at offset ${at} exceeds the ${this.remaining} remaining bytes`);
    }
    return n;
  }

  /** A string; null only when `nullable`, otherwise a null length is a ProtocolError. */
  string(compact: boolean, nullable: boolean): string | null {
    const n = this.length(compact, false, 'string');
    if (n === -1) return this.nullOrThrow(nullable, 'string');
    const at = this.need(n, 'string');
    return this.buf.toString('utf8', at, at + n);
  }

  /** Bytes as a zero-copy view into the frame (`copy` = false) or an owned copy. */
  bytes(compact: boolean, nullable: boolean, copy: boolean): Buffer | null {
    const n = this.length(compact, true, 'bytes');
    if (n === -1) return this.nullOrThrow(nullable, 'bytes');
    const at = this.need(n, 'bytes');
    const view = this.buf.subarray(at, at + n);
    return copy ? Buffer.from(view) : view;
  }

  /**
   * An array count, -1 for null. Every element takes at least `minElementSize` bytes (≥ 1), so a count
   * the remaining bytes cannot hold is rejected before the caller allocates anything.
   */
  arrayLength(compact: boolean, nullable: boolean, minElementSize: number): number {
    const at = this.offset;
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n === -1) {
      if (!nullable) throw new ProtocolError(`null array at offset ${at} is not nullable`);
      return -1;
    }
    if (n < -1) throw new ProtocolError(`negative array length ${n} at offset ${at}`);
    if (n * Math.max(1, minElementSize) > this.remaining) {
      throw new ProtocolError(`array of ${n} elements at offset ${at} cannot fit in ${this.remaining} bytes`);
    }
    return n;
  }

  /** A reader over the next `n` bytes (a tagged field's value), advancing past them. */
  sub(n: number): Reader {
    const at = this.need(n, 'tagged field');
    return new Reader(this.buf.subarray(at, at + n));
  }

  skip(n: number): void {
    this.need(n, 'skipped bytes');
  }

  private nullOrThrow(nullable: boolean, what: string): null {
    if (!nullable) throw new ProtocolError(`null ${what} at offset ${this.offset} is not nullable`);
    return null;
  }
}
