// Checks the framing of the batches handed to Log.append and records what offset assignment needs,
// reading only the fixed header fields (the produce handler already verified CRCs with
// validateBatches; nothing per record here). Batch header layout: records/record-batch.ts.
import { CorruptRecordError, ErrorCode, KafkaError } from '../common/index.js';
import { BATCH_FIELD, BATCH_HEADER_SIZE, BATCH_OVERHEAD, MIN_BATCH_LENGTH } from '../records/index.js';

export interface AppendBatch {
  position: number;
  size: number;
  lastOffsetDelta: number;
  maxTimestamp: number;
}

export interface ParsedAppend {
  batches: AppendBatch[];
  /** Offsets the batches take (sum of lastOffsetDelta + 1). */
  offsets: number;
}

export function parseAppendBatches(buf: Buffer, maxMessageBytes: number): ParsedAppend {
  if (buf.length === 0) throw new CorruptRecordError('append of an empty record set');
  const batches: AppendBatch[] = [];
  let offsets = 0;
  let position = 0;
  while (position < buf.length) {
    if (buf.length - position < BATCH_HEADER_SIZE) {
      throw new CorruptRecordError(`record batch at ${position} is truncated`);
    }
    const batchLength = buf.readInt32BE(position + BATCH_FIELD.batchLength);
    const size = BATCH_OVERHEAD + batchLength;
    if (batchLength < MIN_BATCH_LENGTH || position + size > buf.length) {
      throw new CorruptRecordError(`record batch at ${position} has batchLength ${batchLength} beyond the record set`);
    }
    const magic = buf.readInt8(position + BATCH_FIELD.magic);
    if (magic !== 2) throw new CorruptRecordError(`record batch at ${position} has magic ${magic}`);
    if (size > maxMessageBytes) {
      throw new KafkaError(ErrorCode.MESSAGE_TOO_LARGE, `record batch of ${size} bytes exceeds max.message.bytes ${maxMessageBytes}`);
    }
    const lastOffsetDelta = buf.readInt32BE(position + BATCH_FIELD.lastOffsetDelta);
    if (lastOffsetDelta < 0) throw new CorruptRecordError(`record batch at ${position} has lastOffsetDelta ${lastOffsetDelta}`);
    const maxTimestamp = Number(buf.readBigInt64BE(position + BATCH_FIELD.maxTimestamp));
    batches.push({ position, size, lastOffsetDelta, maxTimestamp });
    offsets += lastOffsetDelta + 1;
    position += size;
  }
  return { batches, offsets };
}

/** The last offset of the last batch in a buffer of whole batches with assigned offsets. */
export function lastOffsetOf(buf: Buffer): number {
  let position = 0;
  let last = -1;
  while (position + BATCH_HEADER_SIZE <= buf.length) {
    last = Number(buf.readBigInt64BE(position)) + buf.readInt32BE(position + BATCH_FIELD.lastOffsetDelta);
    position += BATCH_OVERHEAD + buf.readInt32BE(position + BATCH_FIELD.batchLength);
  }
  return last;
}
