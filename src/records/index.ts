// The one byte format shared by protocol/, storage/ and cli/: RecordBatch v2, records, varints,
// CRC-32C and compression codecs.
export { crc32c, crc32cFallback, crc32cIsNative } from './crc32c.js';
export {
  readVarint,
  writeVarint,
  varintSize,
  readVarlong,
  readVarlongBigInt,
  writeVarlong,
  varlongSize,
  readUnsignedVarint,
  writeUnsignedVarint,
  unsignedVarintSize,
  type VarintResult,
} from './varint.js';
export {
  COMPRESSION_TYPES,
  compressionCode,
  compressionFromCode,
  isCompressionType,
  type CompressionType,
} from './attributes.js';
export {
  BATCH_FIELD,
  BATCH_HEADER_SIZE,
  BATCH_OVERHEAD,
  MIN_BATCH_LENGTH,
  readBatchHeader,
  validateBatches,
  scanBatches,
  setBaseOffset,
  setPartitionLeaderEpoch,
  setLogAppendTime,
  type BatchHeader,
  type ValidateOptions,
} from './record-batch.js';
export {
  compress,
  decompress,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
} from './compression.js';
export {
  decodeControlRecord,
  type Record,
  type RecordHeader,
  type RecordInput,
  type ControlMarker,
  type ControlType,
} from './record.js';
export { buildRecordBatch, buildControlBatch, type BuildBatchOptions } from './batch-builder.js';
export { decodeRecordBatches, type DecodeOptions } from './batch-decoder.js';
export { checkRecordFraming } from './record-framing.js';
export { advanceSequence } from './sequence.js';
