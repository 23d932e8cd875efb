// Framing check of the records inside an uncompressed v2 batch, without decoding them.
//
// Each record starts with:  length varint | attributes int8 | timestampDelta varlong | offsetDelta varint | …
// (zigzag varints, see varint.ts). The batch CRC only proves that the batch arrived as the producer
// built it, not that the producer built it right; a consumer decodes exactly this framing. So the
// broker checks, per batch: exactly recordsCount records, each `length` covering bytes inside the
// batch, strictly increasing offsetDeltas no larger than lastOffsetDelta, and the records filling the
// batch to its last byte. Compressed batches are not checked here (the broker never decompresses on
// produce: no decompression bomb on that path; consumers check them at their cap).
//
// This runs once per produced record on the broker's hot path, so it allocates nothing: the varint
// readers return the value and leave the position after it in the module-level `cursor`.
import { CorruptRecordError } from '../common/index.js';
import { BATCH_HEADER_SIZE, BATCH_OVERHEAD, type BatchHeader } from './record-batch.js';

let cursor = 0;

/** Reads a zigzag varint (at most 5 bytes) ending before `end`; sets `cursor` past it. Record lengths
 *  and offsetDeltas mostly take 1 or 2 bytes: those are read first (the produce profile's top JS item). */
function zigzagVarint(buf: Buffer, at: number, end: number): number {
  if (at + 1 < end) {
    const b0 = buf[at]!;
    if (b0 < 0x80) {
      cursor = at + 1;
      return (b0 >>> 1) ^ -(b0 & 1);
    }
    const b1 = buf[at + 1]!;
    if (b1 < 0x80) {
      cursor = at + 2;
      const raw = (b0 & 0x7f) | (b1 << 7);
      return (raw >>> 1) ^ -(raw & 1);
    }
  }
  let raw = 0;
  let scale = 1;
  for (let i = 0; i < 5; i++) {
    if (at + i >= end) throw new CorruptRecordError(`record varint at byte ${at} runs past the batch`);
    const b = buf[at + i]!;
    raw += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) {
      cursor = at + i + 1;
      // zigzag without 32-bit operators: raw may use up to 35 bits here
      return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
    }
    scale *= 128;
  }
  throw new CorruptRecordError(`record varint at byte ${at} is longer than 5 bytes`);
}

/** Skips a varlong (at most 10 bytes) ending before `end`; sets `cursor` past it. */
function skipVarlong(buf: Buffer, at: number, end: number): void {
  if (at < end && buf[at]! < 0x80) {
    cursor = at + 1;
    return;
  }
  for (let i = 0; i < 10; i++) {
    if (at + i >= end) throw new CorruptRecordError(`record varlong at byte ${at} runs past the batch`);
    if ((buf[at + i]! & 0x80) === 0) {
      cursor = at + i + 1;
      return;
    }
  }
  throw new CorruptRecordError(`record varlong at byte ${at} is longer than 10 bytes`);
}

/** Throws CorruptRecordError when the records of the uncompressed batch at `position` are not framed as its header says. */
export function checkRecordFraming(buf: Buffer, position: number, header: BatchHeader): void {
  if (header.compression !== 'none' || header.isControl) return;
  const end = position + BATCH_OVERHEAD + header.batchLength;
  let at = position + BATCH_HEADER_SIZE;
  let lastDelta = -1;
  for (let i = 0; i < header.recordsCount; i++) {
    const length = zigzagVarint(buf, at, end);
    const recordEnd = cursor + length;
    if (length < 0 || recordEnd > end) throw new CorruptRecordError(`record ${i} of the batch has length ${length} beyond the batch`);
    // attributes (int8), then timestampDelta (varlong), then offsetDelta (varint)
    skipVarlong(buf, cursor + 1, recordEnd);
    const offsetDelta = zigzagVarint(buf, cursor, recordEnd);
    if (offsetDelta <= lastDelta || offsetDelta > header.lastOffsetDelta) {
      throw new CorruptRecordError(
        `record ${i} has offsetDelta ${offsetDelta} (previous ${lastDelta}, lastOffsetDelta ${header.lastOffsetDelta})`,
      );
    }
    lastDelta = offsetDelta;
    at = recordEnd;
  }
  if (at !== end) throw new CorruptRecordError(`batch claims ${header.recordsCount} records but ${end - at} bytes follow them`);
}
