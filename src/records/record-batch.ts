// RecordBatch v2 (magic 2): header view, validation, and the in-place rewrites the broker needs.
//
// Byte layout, big-endian, offsets from the start of the batch:
//    0  baseOffset            int64   first offset of the batch (assigned by the broker)
//    8  batchLength           int32   bytes after this field (whole batch = 12 + batchLength)
//   12  partitionLeaderEpoch  int32   set by the leader
//   16  magic                 int8    always 2
//   17  crc                   uint32  CRC-32C of bytes 21 .. end of batch
//   21  attributes            int16   codec, timestamp type, transactional, control (see attributes.ts)
//   23  lastOffsetDelta       int32   offset of the last record minus baseOffset
//   27  baseTimestamp         int64   timestamp of the first record (ms)
//   35  maxTimestamp          int64   largest record timestamp, or the broker's time for LogAppendTime
//   43  producerId            int64   -1 when not idempotent
//   51  producerEpoch         int16
//   53  baseSequence          int32
//   57  recordsCount          int32
//   61  records               records (see record.ts), or one compressed blob of them
//
// The CRC does not cover baseOffset, batchLength, partitionLeaderEpoch or magic, so the broker assigns
// offsets and the leader epoch without recomputing it; only LogAppendTime (attributes + maxTimestamp)
// needs a new CRC.
import { CorruptRecordError } from '../common/index.js';
import {
  COMPRESSION_CODEC_MASK,
  CONTROL_FLAG_MASK,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_FLAG_MASK,
  compressionFromCode,
  type CompressionType,
} from './attributes.js';
import { crc32c } from './crc32c.js';

/** Byte offset of each header field inside a batch. */
export const BATCH_FIELD = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordsCount: 57,
  records: 61,
} as const;

/** Bytes up to and including recordsCount. */
export const BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength: the bytes not counted by batchLength. */
export const BATCH_OVERHEAD = 12;
/** Smallest legal batchLength: a header with no records. */
export const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - BATCH_OVERHEAD;
/** Smallest possible uncompressed record: seven one-byte fields (length … headerCount). */
export const MIN_RECORD_SIZE = 7;
export const CURRENT_MAGIC = 2;

export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
  compression: CompressionType;
  timestampType: 'create' | 'append';
  isTransactional: boolean;
  isControl: boolean;
}

/** Parses the 61-byte header at `offset`. Checks only what the layout itself needs: enough bytes,
 *  magic 2 and a known codec. Length, CRC and counts are checked by validateBatches/scanBatches. */
export function readBatchHeader(buf: Buffer, offset = 0): BatchHeader {
  if (offset < 0 || buf.length - offset < BATCH_HEADER_SIZE) {
    throw new CorruptRecordError(
      `record batch at ${offset} is truncated: ${Math.max(0, buf.length - offset)} of ${BATCH_HEADER_SIZE} header bytes`,
    );
  }
  const magic = buf.readInt8(offset + BATCH_FIELD.magic);
  if (magic !== CURRENT_MAGIC) {
    throw new CorruptRecordError(`record batch at ${offset} has magic ${magic}, only magic 2 is supported`);
  }
  const attributes = buf.readInt16BE(offset + BATCH_FIELD.attributes);
  const codec = attributes & COMPRESSION_CODEC_MASK;
  const compression = compressionFromCode(codec);
  if (compression === undefined) {
    throw new CorruptRecordError(`record batch at ${offset} has unknown compression codec ${codec}`);
  }
  return {
    baseOffset: Number(buf.readBigInt64BE(offset)),
    batchLength: buf.readInt32BE(offset + BATCH_FIELD.batchLength),
    partitionLeaderEpoch: buf.readInt32BE(offset + BATCH_FIELD.partitionLeaderEpoch),
    magic,
    crc: buf.readUInt32BE(offset + BATCH_FIELD.crc),
    attributes,
    lastOffsetDelta: buf.readInt32BE(offset + BATCH_FIELD.lastOffsetDelta),
    baseTimestamp: Number(buf.readBigInt64BE(offset + BATCH_FIELD.baseTimestamp)),
    maxTimestamp: Number(buf.readBigInt64BE(offset + BATCH_FIELD.maxTimestamp)),
    producerId: buf.readBigInt64BE(offset + BATCH_FIELD.producerId),
    producerEpoch: buf.readInt16BE(offset + BATCH_FIELD.producerEpoch),
    baseSequence: buf.readInt32BE(offset + BATCH_FIELD.baseSequence),
    recordsCount: buf.readInt32BE(offset + BATCH_FIELD.recordsCount),
    compression,
    timestampType: attributes & TIMESTAMP_TYPE_MASK ? 'append' : 'create',
    isTransactional: (attributes & TRANSACTIONAL_FLAG_MASK) !== 0,
    isControl: (attributes & CONTROL_FLAG_MASK) !== 0,
  };
}

/** Why the batch at `position` is invalid, or its header when it is valid. Never throws. */
export function checkBatch(buf: Buffer, position: number, requireRecords: boolean): BatchHeader | string {
  const available = buf.length - position;
  if (available < BATCH_OVERHEAD) return `truncated batch at ${position}: ${available} bytes left`;
  const batchLength = buf.readInt32BE(position + BATCH_FIELD.batchLength);
  if (batchLength < MIN_BATCH_LENGTH) return `batch at ${position} has batchLength ${batchLength} < ${MIN_BATCH_LENGTH}`;
  const size = BATCH_OVERHEAD + batchLength;
  if (size > available) return `batch at ${position} is ${size} bytes but only ${available} remain`;
  let header: BatchHeader;
  try {
    header = readBatchHeader(buf, position);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  const computed = crc32c(buf.subarray(position + BATCH_FIELD.attributes, position + size));
  if (computed !== header.crc) {
    return `batch at ${position} has CRC ${hex(header.crc)} but its bytes give ${hex(computed)}`;
  }
  if (header.lastOffsetDelta < 0) return `batch at ${position} has negative lastOffsetDelta ${header.lastOffsetDelta}`;
  if (header.recordsCount < 0) return `batch at ${position} has negative recordsCount ${header.recordsCount}`;
  // Compaction may drop records, never add them: at most one record per offset.
  if (header.recordsCount > header.lastOffsetDelta + 1) {
    return `batch at ${position} has ${header.recordsCount} records for ${header.lastOffsetDelta + 1} offsets`;
  }
  if (header.compression === 'none' && header.recordsCount * MIN_RECORD_SIZE > batchLength - MIN_BATCH_LENGTH) {
    return `batch at ${position} claims ${header.recordsCount} records in ${batchLength - MIN_BATCH_LENGTH} bytes`;
  }
  if (requireRecords && !header.isControl && header.recordsCount === 0) return `batch at ${position} has no records`;
  return header;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

export interface ValidateOptions {
  /** Accept non-control batches with recordsCount 0 (left by compaction); producers never send them. */
  allowEmpty?: boolean;
}

/** Validates every batch of a buffer of concatenated batches (a Produce request's records): size,
 *  magic 2, length within the buffer, CRC-32C, lastOffsetDelta/recordsCount. Records are not decoded.
 *  Throws CorruptRecordError on the first bad batch. An empty buffer yields no batches. */
export function validateBatches(
  buf: Buffer,
  options?: ValidateOptions,
): { headers: BatchHeader[]; positions: number[] } {
  const headers: BatchHeader[] = [];
  const positions: number[] = [];
  const requireRecords = options?.allowEmpty !== true;
  let position = 0;
  while (position < buf.length) {
    const result = checkBatch(buf, position, requireRecords);
    if (typeof result === 'string') throw new CorruptRecordError(result);
    headers.push(result);
    positions.push(position);
    position += BATCH_OVERHEAD + result.batchLength;
  }
  return { headers, positions };
}

/** Walks batches for recovery or a fetch response that may end mid-batch: stops without throwing at
 *  the first invalid or incomplete batch and returns the length of the valid prefix and why it stopped.
 *  Batches with recordsCount 0 are accepted (compaction leaves them). */
export function scanBatches(
  buf: Buffer,
  onBatch?: (header: BatchHeader, position: number) => void,
): { validBytes: number; reason?: string } {
  let position = 0;
  while (position < buf.length) {
    const result = checkBatch(buf, position, false);
    if (typeof result === 'string') return { validBytes: position, reason: result };
    onBatch?.(result, position);
    position += BATCH_OVERHEAD + result.batchLength;
  }
  return { validBytes: position };
}

function requireHeader(buf: Buffer, batchPosition: number): void {
  if (batchPosition < 0 || buf.length - batchPosition < BATCH_HEADER_SIZE) {
    throw new CorruptRecordError(`no record batch header at ${batchPosition} in ${buf.length} bytes`);
  }
}

/** Assigns the batch's baseOffset in place. The CRC does not cover it. */
export function setBaseOffset(buf: Buffer, batchPosition: number, baseOffset: number): void {
  requireHeader(buf, batchPosition);
  buf.writeBigInt64BE(BigInt(baseOffset), batchPosition + BATCH_FIELD.baseOffset);
}

/** Stamps the leader's epoch in place. The CRC does not cover it. */
export function setPartitionLeaderEpoch(buf: Buffer, batchPosition: number, epoch: number): void {
  requireHeader(buf, batchPosition);
  buf.writeInt32BE(epoch, batchPosition + BATCH_FIELD.partitionLeaderEpoch);
}

/** LogAppendTime: sets attribute bit 3 and maxTimestamp, then recomputes the CRC (both are covered). */
export function setLogAppendTime(buf: Buffer, batchPosition: number, timestamp: number): void {
  requireHeader(buf, batchPosition);
  const batchLength = buf.readInt32BE(batchPosition + BATCH_FIELD.batchLength);
  const end = batchPosition + BATCH_OVERHEAD + batchLength;
  if (batchLength < MIN_BATCH_LENGTH || end > buf.length) {
    throw new CorruptRecordError(`record batch at ${batchPosition} has batchLength ${batchLength} beyond the buffer`);
  }
  const attributes = buf.readInt16BE(batchPosition + BATCH_FIELD.attributes);
  buf.writeInt16BE(attributes | TIMESTAMP_TYPE_MASK, batchPosition + BATCH_FIELD.attributes);
  buf.writeBigInt64BE(BigInt(timestamp), batchPosition + BATCH_FIELD.maxTimestamp);
  writeBatchCrc(buf, batchPosition, end);
}

/** Computes and stores the CRC of the batch at `batchPosition` that ends at `end`. */
export function writeBatchCrc(buf: Buffer, batchPosition: number, end: number): void {
  buf.writeUInt32BE(crc32c(buf.subarray(batchPosition + BATCH_FIELD.attributes, end)), batchPosition + BATCH_FIELD.crc);
}
