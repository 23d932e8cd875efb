// One record inside a RecordBatch v2 (uncompressed, or after decompressing the batch's records blob):
//   length          varint   bytes after this field
//   attributes      int8     unused, 0
//   timestampDelta  varlong  record timestamp - batch baseTimestamp (ms)
//   offsetDelta     varint   record offset - batch baseOffset
//   keyLength       varint   -1 = null key
//   key             bytes
//   valueLength     varint   -1 = null value
//   value           bytes
//   headerCount     varint
//   headers         headerCount × { keyLength varint, key UTF-8, valueLength varint (-1 = null), value }
// Every varint here is zigzag-encoded (varint.ts). A control record (transaction marker) carries
//   key = int16 version (0), int16 type (0 ABORT, 1 COMMIT);  value = int16 version (0), int32 coordinatorEpoch.
import { CorruptRecordError } from '../common/index.js';
import { readVarlong, varintSize, varlongSize, writeVarint, writeVarlong } from './varint.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A decoded record with its absolute offset and timestamp. key/value are views into the batch bytes. */
export interface Record {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface RecordInput {
  key?: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  timestamp?: number;
}

/** Sizes of one record computed before writing it, so a batch is encoded into one exact allocation. */
export interface RecordPlan {
  bodySize: number;        // bytes after the length varint
  headerKeySizes: number[]; // UTF-8 byte length of each header key
}

function bytesFieldSize(b: Buffer | null | undefined): number {
  return b == null ? 1 : varintSize(b.length) + b.length;
}

export function planRecord(record: RecordInput, offsetDelta: number, timestampDelta: number): RecordPlan {
  const headers = record.headers ?? [];
  const headerKeySizes: number[] = [];
  let size = 1 + varlongSize(timestampDelta) + varintSize(offsetDelta);
  size += bytesFieldSize(record.key) + bytesFieldSize(record.value) + varintSize(headers.length);
  for (const header of headers) {
    const keySize = Buffer.byteLength(header.key, 'utf8');
    headerKeySizes.push(keySize);
    size += varintSize(keySize) + keySize + bytesFieldSize(header.value);
  }
  return { bodySize: size, headerKeySizes };
}

export function encodedRecordSize(plan: RecordPlan): number {
  return varintSize(plan.bodySize) + plan.bodySize;
}

function writeBytesField(b: Buffer | null | undefined, target: Buffer, pos: number): number {
  if (b == null) return pos + writeVarint(-1, target, pos);
  pos += writeVarint(b.length, target, pos);
  target.set(b, pos);
  return pos + b.length;
}

/** Writes a record at `pos` following `plan`; returns the position after it. */
export function writeRecord(
  record: RecordInput,
  plan: RecordPlan,
  offsetDelta: number,
  timestampDelta: number,
  target: Buffer,
  pos: number,
): number {
  pos += writeVarint(plan.bodySize, target, pos);
  target[pos++] = 0;
  pos += writeVarlong(timestampDelta, target, pos);
  pos += writeVarint(offsetDelta, target, pos);
  pos = writeBytesField(record.key, target, pos);
  pos = writeBytesField(record.value, target, pos);
  const headers = record.headers ?? [];
  pos += writeVarint(headers.length, target, pos);
  for (let i = 0; i < headers.length; i++) {
    const header = headers[i]!;
    const keySize = plan.headerKeySizes[i]!;
    pos += writeVarint(keySize, target, pos);
    pos += target.write(header.key, pos, keySize, 'utf8');
    pos = writeBytesField(header.value, target, pos);
  }
  return pos;
}

/** A bounds-checked cursor over a records region; every failure is CorruptRecordError. */
class RecordReader {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
    private end: number,
  ) {}

  /** Zigzag int32 varint, read inline (no allocation) and bounded by the record's end. Most record
   *  fields (attributes aside) fit one byte: that case is tested first (the consume profile's top entry). */
  varint(): number {
    const buf = this.buf;
    let pos = this.pos;
    const end = this.end;
    if (pos < end) {
      const b = buf[pos]!;
      if (b < 0x80) {
        this.pos = pos + 1;
        return (b >>> 1) ^ -(b & 1);
      }
    }
    let raw = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= end) throw new CorruptRecordError(`varint truncated at ${pos}`);
      const b = buf[pos++]!;
      // Bits past 32 fall off, as in Kafka's int32 varint.
      raw |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return (raw >>> 1) ^ -(raw & 1);
      }
    }
    throw new CorruptRecordError(`varint at ${pos - 5} is longer than 5 bytes`);
  }

  /** Zigzag int64 varlong; inline up to 7 bytes (exact in a double), varint.ts beyond. */
  varlong(): number {
    const buf = this.buf;
    const start = this.pos;
    if (start < this.end && buf[start]! < 0x80) {
      const b = buf[start]!;
      this.pos = start + 1;
      return (b >>> 1) ^ -(b & 1);
    }
    let raw = 0;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) throw new CorruptRecordError(`varlong truncated at ${this.pos}`);
      const b = buf[this.pos++]!;
      raw += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) return raw % 2 === 1 ? -(raw + 1) / 2 : raw / 2;
    }
    const { value, size } = readVarlong(buf.subarray(0, this.end), start);
    this.pos = start + size;
    return value;
  }

  bytes(what: string): Buffer | null {
    const length = this.varint();
    if (length === -1) return null;
    return this.view(length, what);
  }

  view(length: number, what: string): Buffer {
    if (length < 0 || length > this.end - this.pos) {
      throw new CorruptRecordError(`record ${what} length ${length} at ${this.pos} exceeds the record`);
    }
    const view = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return view;
  }

  int8(): number {
    if (this.pos >= this.end) throw new CorruptRecordError(`record truncated at ${this.pos}`);
    return this.buf[this.pos++]!;
  }

  /** Narrows the readable end to one record's body; returns the outer end to restore. */
  enter(length: number): number {
    if (length < 0 || length > this.end - this.pos) {
      throw new CorruptRecordError(`record length ${length} at ${this.pos} exceeds the batch`);
    }
    const outer = this.end;
    this.end = this.pos + length;
    return outer;
  }

  leave(outer: number): void {
    if (this.pos !== this.end) throw new CorruptRecordError(`record ending at ${this.end} has ${this.end - this.pos} unread bytes`);
    this.end = outer;
  }
}

export interface RecordsContext {
  baseOffset: number;
  baseTimestamp: number;
  /** For LogAppendTime batches every record takes the batch's maxTimestamp (Kafka semantics). */
  logAppendTime: number | null;
}

/** Decodes exactly `count` records filling buf[start, end); pushes them to `out`. */
export function decodeRecords(buf: Buffer, start: number, end: number, count: number, ctx: RecordsContext, out: Record[]): void {
  const reader = new RecordReader(buf, start, end);
  for (let i = 0; i < count; i++) {
    const outer = reader.enter(reader.varint());
    reader.int8(); // attributes: unused
    const timestampDelta = reader.varlong();
    const offsetDelta = reader.varint();
    const key = reader.bytes('key');
    const value = reader.bytes('value');
    const headerCount = reader.varint();
    if (headerCount < 0) throw new CorruptRecordError(`record has negative header count ${headerCount}`);
    const headers: RecordHeader[] = [];
    for (let h = 0; h < headerCount; h++) {
      const headerKey = reader.view(reader.varint(), 'header key').toString('utf8');
      headers.push({ key: headerKey, value: reader.bytes('header value') });
    }
    reader.leave(outer);
    out.push({
      offset: ctx.baseOffset + offsetDelta,
      timestamp: ctx.logAppendTime ?? ctx.baseTimestamp + timestampDelta,
      key,
      value,
      headers,
    });
  }
  if (reader.pos !== end) throw new CorruptRecordError(`batch has ${end - reader.pos} bytes after its ${count} records`);
}

export type ControlType = 'abort' | 'commit';

export interface ControlMarker {
  type: ControlType;
  coordinatorEpoch: number;
}

export function encodeControlKey(type: ControlType): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(type === 'commit' ? 1 : 0, 2);
  return key;
}

export function encodeControlValue(coordinatorEpoch: number): Buffer {
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return value;
}

/** Reads the marker of a control record; throws CorruptRecordError if it is not one. */
export function decodeControlRecord(record: Pick<Record, 'key' | 'value'>): ControlMarker {
  const { key, value } = record;
  if (key === null || key.length < 4) throw new CorruptRecordError('control record key is shorter than 4 bytes');
  const typeCode = key.readInt16BE(2);
  if (typeCode !== 0 && typeCode !== 1) throw new CorruptRecordError(`unknown control record type ${typeCode}`);
  const coordinatorEpoch = value !== null && value.length >= 6 ? value.readInt32BE(2) : -1;
  return { type: typeCode === 1 ? 'commit' : 'abort', coordinatorEpoch };
}
