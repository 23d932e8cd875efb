// Decodes the records of concatenated RecordBatch v2 (a fetch response's records, a log segment
// slice): validates each batch as validateBatches does, decompresses its records blob under a cap,
// and returns records with absolute offsets and timestamps. A trailing partial batch is skipped,
// since a fetch response may end mid-batch; anything else wrong is CorruptRecordError.
import { CorruptRecordError } from '../common/index.js';
import { DEFAULT_MAX_DECOMPRESSED_BYTES, decompress } from './compression.js';
import { BATCH_FIELD, BATCH_HEADER_SIZE, BATCH_OVERHEAD, MIN_BATCH_LENGTH, checkBatch } from './record-batch.js';
import { decodeRecords, type Record } from './record.js';

export interface DecodeOptions {
  /** Return the records of control batches (transaction markers) too; default false. */
  includeControl?: boolean;
  /** Cap on the decompressed size of each batch (default 256 MiB). */
  maxDecompressedBytes?: number;
}

export async function decodeRecordBatches(buf: Buffer, options: DecodeOptions = {}): Promise<Record[]> {
  const maxBytes = options.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
  const out: Record[] = [];
  let position = 0;
  while (position < buf.length) {
    const available = buf.length - position;
    if (available < BATCH_HEADER_SIZE) {
      // Too short even for a header: a partial batch, unless its length field is already nonsense.
      if (available >= BATCH_OVERHEAD && buf.readInt32BE(position + BATCH_FIELD.batchLength) < MIN_BATCH_LENGTH) {
        throw new CorruptRecordError(`batch at ${position} has batchLength below ${MIN_BATCH_LENGTH}`);
      }
      break;
    }
    const batchLength = buf.readInt32BE(position + BATCH_FIELD.batchLength);
    if (batchLength >= MIN_BATCH_LENGTH && BATCH_OVERHEAD + batchLength > available) break;
    const header = checkBatch(buf, position, false);
    if (typeof header === 'string') throw new CorruptRecordError(header);
    const end = position + BATCH_OVERHEAD + header.batchLength;
    if (!header.isControl || options.includeControl === true) {
      const ctx = {
        baseOffset: header.baseOffset,
        baseTimestamp: header.baseTimestamp,
        logAppendTime: header.timestampType === 'append' ? header.maxTimestamp : null,
      };
      const recordsStart = position + BATCH_HEADER_SIZE;
      if (header.compression === 'none') {
        decodeRecords(buf, recordsStart, end, header.recordsCount, ctx, out);
      } else {
        const raw = await decompress(header.compression, buf.subarray(recordsStart, end), maxBytes);
        decodeRecords(raw, 0, raw.length, header.recordsCount, ctx, out);
      }
    }
    position = end;
  }
  return out;
}
