// Cuts a partition's concatenated segment bytes at the high watermark, so replicas can be compared
// byte for byte over what is committed (a follower may still lack, or a leader still hold, the tail
// past it). Reads only the RecordBatch v2 header fields it needs (offsets from the batch start, see
// src/records/record-batch.ts for the whole layout):
//   0  baseOffset       int64
//   8  batchLength      int32  (bytes after this field: the batch is 12 + batchLength bytes)
//   23 lastOffsetDelta  int32  (the batch's last offset is baseOffset + lastOffsetDelta)
import { BATCH_FIELD, BATCH_OVERHEAD } from '../../src/records/index.js';

export interface LogPrefix {
  bytes: Buffer;
  /** One past the last offset of the last whole batch kept (0 for an empty prefix). */
  endOffset: number;
}

/** The whole batches of `log` whose last offset is below `highWatermark`. */
export function prefixBelow(log: Buffer, highWatermark: number): LogPrefix {
  let position = 0;
  let endOffset = 0;
  while (position + BATCH_FIELD.records <= log.length) {
    const baseOffset = Number(log.readBigInt64BE(position + BATCH_FIELD.baseOffset));
    const size = BATCH_OVERHEAD + log.readInt32BE(position + BATCH_FIELD.batchLength);
    const next = baseOffset + log.readInt32BE(position + BATCH_FIELD.lastOffsetDelta) + 1;
    if (next > highWatermark || position + size > log.length) break;
    position += size;
    endOffset = next;
  }
  return { bytes: log.subarray(0, position), endOffset };
}
