// RecordBatch v2 attributes (int16, big-endian, at byte 21 of a batch):
//   bits 0-2  compression codec: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd (5-7 invalid)
//   bit 3     timestamp type: 0 CreateTime, 1 LogAppendTime
//   bit 4     transactional
//   bit 5     control batch (transaction markers)
//   bit 6     delete horizon set (KIP-534, compaction); carried, not interpreted
//   bits 7-15 unused (0)

export type CompressionType = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** Codec names by attribute code 0..4. */
export const COMPRESSION_TYPES: readonly CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export const COMPRESSION_CODEC_MASK = 0x07;
export const TIMESTAMP_TYPE_MASK = 0x08;
export const TRANSACTIONAL_FLAG_MASK = 0x10;
export const CONTROL_FLAG_MASK = 0x20;
export const DELETE_HORIZON_FLAG_MASK = 0x40;

export function compressionCode(type: CompressionType): number {
  switch (type) {
    case 'none':
      return 0;
    case 'gzip':
      return 1;
    case 'snappy':
      return 2;
    case 'lz4':
      return 3;
    case 'zstd':
      return 4;
  }
}

/** The codec named by an attribute code, or undefined for 5-7. */
export function compressionFromCode(code: number): CompressionType | undefined {
  return COMPRESSION_TYPES[code];
}

export function isCompressionType(s: string): s is CompressionType {
  return (COMPRESSION_TYPES as readonly string[]).includes(s);
}
