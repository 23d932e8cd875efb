// Snappy for record batches. Producers send either framing, so decompression detects which:
//
// raw block (librdkafka, kafkajs, and what we write):
//   uncompressedLength  unsigned varint (1..5 bytes, little-endian base-128)
//   elements…           literal/copy tags up to the end of the buffer
//
// xerial framing (snappy-java, kafka-python):
//   0  magic    8 bytes  82 53 4e 41 50 50 59 00  ("\x82SNAPPY\0")
//   8  version  int32 BE (1)
//  12  compat   int32 BE (1)
//  16  blocks…  [int32 BE length][raw block of that length], repeated to the end of the buffer
//
// The uncompressed length of every raw block is read from its header and checked against the cap
// before any output is allocated (decompression bombs).
import { CorruptRecordError } from '../common/index.js';
import { loadSnappy } from './native-codecs.js';
import { readUnsignedVarint } from './varint.js';

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;

export async function snappyCompress(data: Buffer): Promise<Buffer> {
  return loadSnappy().compress(data);
}

export function isXerialFramed(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_SIZE && data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC);
}

/** Splits xerial framing into its raw blocks (views, no copies). */
export function xerialBlocks(data: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  let pos = XERIAL_HEADER_SIZE;
  while (pos < data.length) {
    if (data.length - pos < 4) throw new CorruptRecordError(`xerial snappy block length at ${pos} is truncated`);
    const length = data.readInt32BE(pos);
    pos += 4;
    if (length < 0 || length > data.length - pos) {
      throw new CorruptRecordError(`xerial snappy block at ${pos - 4} has length ${length} beyond the data`);
    }
    blocks.push(data.subarray(pos, pos + length));
    pos += length;
  }
  return blocks;
}

export async function snappyDecompress(data: Buffer, maxBytes: number): Promise<Buffer> {
  const blocks = isXerialFramed(data) ? xerialBlocks(data) : [data];
  let total = 0;
  for (const block of blocks) {
    total += readUnsignedVarint(block, 0).value;
    if (total > maxBytes) {
      throw new CorruptRecordError(`snappy data decompresses to more than ${maxBytes} bytes`);
    }
  }
  const snappy = loadSnappy();
  const parts: Buffer[] = [];
  for (const block of blocks) {
    const out = await snappy.uncompress(block, { asBuffer: true });
    if (typeof out === 'string') throw new CorruptRecordError('snappy returned a string for a buffer request');
    parts.push(out);
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts, total);
}
