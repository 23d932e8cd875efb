// Builds one RecordBatch v2 (layout in record-batch.ts, records in record.ts). Sizes are computed
// first so an uncompressed batch is written in one pass into one exact allocation; a compressed batch
// encodes its records once, compresses them, then writes the 61-byte header in front.
import { CorruptRecordError } from '../common/index.js';
import {
  CONTROL_FLAG_MASK,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_FLAG_MASK,
  compressionCode,
  type CompressionType,
} from './attributes.js';
import { compress } from './compression.js';
import { BATCH_FIELD, BATCH_HEADER_SIZE, BATCH_OVERHEAD, CURRENT_MAGIC, writeBatchCrc } from './record-batch.js';
import {
  encodeControlKey,
  encodeControlValue,
  encodedRecordSize,
  planRecord,
  writeRecord,
  type ControlMarker,
  type RecordInput,
  type RecordPlan,
} from './record.js';

export interface BuildBatchOptions {
  baseOffset?: number;
  compression?: CompressionType;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  partitionLeaderEpoch?: number;
  isTransactional?: boolean;
  timestampType?: 'create' | 'append';
  /** Marks a control batch (transaction markers); prefer buildControlBatch. */
  isControl?: boolean;
  /** Each record's offsetDelta, strictly increasing from >= 0, for a batch whose records do not fill
   *  its offsets (log compaction keeps a record's original offset); default 0, 1, 2, … */
  offsetDeltas?: readonly number[];
  /** The batch's lastOffsetDelta when it covers offsets past its last record (compaction); at least
   *  the last record's offsetDelta. Default: the last record's offsetDelta. */
  lastOffsetDelta?: number;
}

/** Encodes `records` as one batch. Records without a timestamp get the current time. Non-idempotent
 *  defaults as Java writes them: producerId -1, producerEpoch -1, baseSequence -1. */
export async function buildRecordBatch(records: RecordInput[], options: BuildBatchOptions = {}): Promise<Buffer> {
  if (records.length === 0) throw new RangeError('a record batch needs at least one record');
  const compression = options.compression ?? 'none';
  const offsetDeltas = checkOffsetDeltas(records.length, options);
  const now = Date.now();
  const baseTimestamp = records[0]!.timestamp ?? now;
  let maxTimestamp = baseTimestamp;
  const plans: RecordPlan[] = new Array<RecordPlan>(records.length);
  const deltas: number[] = new Array<number>(records.length);
  let recordsSize = 0;
  for (let i = 0; i < records.length; i++) {
    const timestamp = records[i]!.timestamp ?? now;
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    deltas[i] = timestamp - baseTimestamp;
    const plan = planRecord(records[i]!, offsetDeltas?.[i] ?? i, deltas[i]!);
    plans[i] = plan;
    recordsSize += encodedRecordSize(plan);
  }

  let batch: Buffer;
  if (compression === 'none') {
    batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + recordsSize);
    writeRecords(records, plans, offsetDeltas, deltas, batch, BATCH_HEADER_SIZE);
  } else {
    const raw = Buffer.allocUnsafe(recordsSize);
    writeRecords(records, plans, offsetDeltas, deltas, raw, 0);
    const compressed = await compress(compression, raw);
    batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + compressed.length);
    compressed.copy(batch, BATCH_HEADER_SIZE);
  }

  let attributes = compressionCode(compression);
  if (options.timestampType === 'append') attributes |= TIMESTAMP_TYPE_MASK;
  if (options.isTransactional === true) attributes |= TRANSACTIONAL_FLAG_MASK;
  if (options.isControl === true) attributes |= CONTROL_FLAG_MASK;
  batch.writeBigInt64BE(BigInt(options.baseOffset ?? 0), BATCH_FIELD.baseOffset);
  batch.writeInt32BE(batch.length - BATCH_OVERHEAD, BATCH_FIELD.batchLength);
  batch.writeInt32BE(options.partitionLeaderEpoch ?? -1, BATCH_FIELD.partitionLeaderEpoch);
  batch.writeInt8(CURRENT_MAGIC, BATCH_FIELD.magic);
  batch.writeInt16BE(attributes, BATCH_FIELD.attributes);
  batch.writeInt32BE(options.lastOffsetDelta ?? offsetDeltas?.[records.length - 1] ?? records.length - 1, BATCH_FIELD.lastOffsetDelta);
  batch.writeBigInt64BE(BigInt(baseTimestamp), BATCH_FIELD.baseTimestamp);
  batch.writeBigInt64BE(BigInt(maxTimestamp), BATCH_FIELD.maxTimestamp);
  batch.writeBigInt64BE(options.producerId ?? -1n, BATCH_FIELD.producerId);
  batch.writeInt16BE(options.producerEpoch ?? -1, BATCH_FIELD.producerEpoch);
  batch.writeInt32BE(options.baseSequence ?? -1, BATCH_FIELD.baseSequence);
  batch.writeInt32BE(records.length, BATCH_FIELD.recordsCount);
  writeBatchCrc(batch, 0, batch.length);
  return batch;
}

/** Checks the compaction options; returns the explicit offsetDeltas, if any. */
function checkOffsetDeltas(count: number, options: BuildBatchOptions): readonly number[] | undefined {
  const deltas = options.offsetDeltas;
  if (deltas !== undefined) {
    if (deltas.length !== count) throw new RangeError(`${deltas.length} offsetDeltas for ${count} records`);
    for (let i = 0; i < count; i++) {
      const d = deltas[i]!;
      if (!Number.isInteger(d) || d < 0 || d > 0x7fffffff || (i > 0 && d <= deltas[i - 1]!)) {
        throw new RangeError(`offsetDeltas must be strictly increasing int32 values >= 0 (got ${d} at ${i})`);
      }
    }
  }
  const last = deltas?.[count - 1] ?? count - 1;
  const lastOffsetDelta = options.lastOffsetDelta;
  if (lastOffsetDelta !== undefined && (!Number.isInteger(lastOffsetDelta) || lastOffsetDelta < last || lastOffsetDelta > 0x7fffffff)) {
    throw new RangeError(`lastOffsetDelta ${lastOffsetDelta} is below the last record's offsetDelta ${last}`);
  }
  return deltas;
}

function writeRecords(
  records: RecordInput[],
  plans: RecordPlan[],
  offsetDeltas: readonly number[] | undefined,
  deltas: number[],
  target: Buffer,
  start: number,
): void {
  let pos = start;
  for (let i = 0; i < records.length; i++) pos = writeRecord(records[i]!, plans[i]!, offsetDeltas?.[i] ?? i, deltas[i]!, target, pos);
  if (pos !== target.length) throw new CorruptRecordError(`record encoding wrote ${pos} of ${target.length} bytes`);
}

/** A transaction marker: a transactional control batch holding one control record. */
export async function buildControlBatch(
  marker: ControlMarker,
  options: Omit<BuildBatchOptions, 'isControl' | 'isTransactional' | 'compression'> & { timestamp?: number },
): Promise<Buffer> {
  const record: RecordInput = {
    key: encodeControlKey(marker.type),
    value: encodeControlValue(marker.coordinatorEpoch),
    timestamp: options.timestamp ?? Date.now(),
  };
  return buildRecordBatch([record], { ...options, isControl: true, isTransactional: true });
}
