// compress/decompress for the five RecordBatch codecs (attribute bits 0-2). Every decompress enforces
// an output cap, so a small hostile batch cannot expand into gigabytes, and reports every failure on
// the bytes as CorruptRecordError. gzip is node:zlib (RFC 1952 members, concatenation allowed); the
// formats of the others are documented in snappy.ts, lz4.ts and zstd.ts.
import { constants as bufferConstants } from 'node:buffer';
import { gzip as gzipCb, gunzip as gunzipCb } from 'node:zlib';
import { promisify } from 'node:util';
import { CorruptRecordError, KafkaError, errorMessage } from '../common/index.js';
import type { CompressionType } from './attributes.js';
import { lz4Compress, lz4Decompress } from './lz4.js';
import { snappyCompress, snappyDecompress } from './snappy.js';
import { zstdCompress, zstdDecompress } from './zstd.js';

const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);

/** Default cap on decompressed bytes: far above any legal batch, far below a bomb. */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

export async function compress(type: CompressionType, data: Buffer): Promise<Buffer> {
  switch (type) {
    case 'none':
      return data;
    case 'gzip':
      return gzip(data);
    case 'snappy':
      return snappyCompress(data);
    case 'lz4':
      return lz4Compress(data);
    case 'zstd':
      return zstdCompress(data);
  }
}

async function gzipDecompress(data: Buffer, maxBytes: number): Promise<Buffer> {
  try {
    // zlib stops inflating at maxOutputLength and fails with ERR_BUFFER_TOO_LARGE.
    return await gunzip(data, { maxOutputLength: Math.max(1, Math.min(maxBytes, bufferConstants.MAX_LENGTH)) });
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'ERR_BUFFER_TOO_LARGE') {
      throw new CorruptRecordError(`gzip data decompresses to more than ${maxBytes} bytes`, { cause: err });
    }
    throw err;
  }
}

/** Decompresses `data`; throws CorruptRecordError for bad bytes or output over `maxBytes`. */
export async function decompress(
  type: CompressionType,
  data: Buffer,
  maxBytes: number = DEFAULT_MAX_DECOMPRESSED_BYTES,
): Promise<Buffer> {
  let out: Buffer;
  try {
    switch (type) {
      case 'none':
        out = data;
        break;
      case 'gzip':
        out = await gzipDecompress(data, maxBytes);
        break;
      case 'snappy':
        out = await snappyDecompress(data, maxBytes);
        break;
      case 'lz4':
        out = await lz4Decompress(data, maxBytes);
        break;
      case 'zstd':
        out = await zstdDecompress(data, maxBytes);
        break;
    }
  } catch (err) {
    // A codec that cannot load is not the data's fault: keep its UNSUPPORTED_COMPRESSION_TYPE.
    if (err instanceof CorruptRecordError || err instanceof KafkaError) throw err;
    throw new CorruptRecordError(`cannot decompress ${type} data: ${errorMessage(err)}`, { cause: err });
  }
  if (out.length > maxBytes) throw new CorruptRecordError(`${type} data decompresses to more than ${maxBytes} bytes`);
  return out;
}
