// LZ4 frame format (KIP-57, magic 2 batches), as lz4-napi writes and reads it:
//   0  magic   4 bytes  04 22 4d 18 (0x184D2204 little-endian)
//   4  FLG     1 byte   bits 7-6 version (01), 5 block independence, 4 block checksum,
//                       3 content size present, 2 content checksum, 0 dictionary id present
//   5  BD      1 byte   bits 6-4 block maximum size: 4 → 64 KiB, 5 → 256 KiB, 6 → 1 MiB, 7 → 4 MiB
//      contentSize uint64 LE, if FLG bit 3;  dictId uint32 LE, if FLG bit 0
//      HC      1 byte   header checksum
//   blocks: [uint32 LE size (bit 31 set = stored uncompressed)][data][uint32 checksum if FLG bit 4]…
//   end mark uint32 0, then a uint32 content checksum if FLG bit 2. Frames may be concatenated.
//
// A compressed block is a run of sequences: token (high nibble literal length, low nibble match
// length - 4; 15 = more length bytes follow, each added, until one is < 255), literals, a 2-byte LE
// match offset, match length bytes. The last sequence has literals only.
//
// Before decompressing, the frames are walked in JavaScript to compute the exact output size from the
// sequence lengths (no output is produced), so an input over the cap is refused without allocating.
import { CorruptRecordError } from '../common/index.js';
import { loadLz4 } from './native-codecs.js';

const LZ4_MAGIC = 0x184d2204;
const BLOCK_MAX_SIZES: Readonly<Record<number, number>> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };

export async function lz4Compress(data: Buffer): Promise<Buffer> {
  return loadLz4().compressFrame(data);
}

function need(data: Buffer, pos: number, n: number, what: string): void {
  if (data.length - pos < n) throw new CorruptRecordError(`lz4 frame truncated in ${what} at ${pos}`);
}

/** Decompressed size of the concatenated LZ4 frames in `data` (declared content size when present). */
export function lz4OutputBound(data: Buffer): number {
  let pos = 0;
  let bound = 0;
  if (data.length === 0) throw new CorruptRecordError('lz4 data is empty');
  while (pos < data.length) {
    need(data, pos, 7, 'frame header');
    if (data.readUInt32LE(pos) !== LZ4_MAGIC) throw new CorruptRecordError(`no lz4 frame magic at ${pos}`);
    const flg = data[pos + 4]!;
    const blockMax = BLOCK_MAX_SIZES[(data[pos + 5]! >> 4) & 0x07];
    if (flg >> 6 !== 1 || blockMax === undefined) throw new CorruptRecordError(`unsupported lz4 frame header at ${pos}`);
    pos += 6;
    let contentSize: number | undefined;
    if (flg & 0x08) {
      need(data, pos, 8, 'content size');
      contentSize = Number(data.readBigUInt64LE(pos));
      pos += 8;
    }
    if (flg & 0x01) pos += 4;
    pos += 1; // header checksum (verified by the decoder)
    let frameBound = 0;
    for (;;) {
      need(data, pos, 4, 'block size');
      const word = data.readUInt32LE(pos);
      pos += 4;
      if (word === 0) break;
      const size = word & 0x7fffffff;
      need(data, pos, size, 'block');
      const stored = (word & 0x80000000) !== 0;
      const blockSize = stored ? size : lz4BlockOutputSize(data, pos, pos + size);
      if (blockSize > blockMax) throw new CorruptRecordError(`lz4 block at ${pos} exceeds the frame's block size`);
      frameBound += blockSize;
      pos += size + (flg & 0x10 ? 4 : 0);
    }
    if (flg & 0x04) pos += 4;
    bound += contentSize ?? frameBound;
  }
  if (pos > data.length) throw new CorruptRecordError('lz4 frame truncated in its checksum');
  return bound;
}

/** Output size of one compressed LZ4 block in data[start, end), from its sequence lengths. */
function lz4BlockOutputSize(data: Buffer, start: number, end: number): number {
  let pos = start;
  let out = 0;
  const extend = (n: number): number => {
    let b: number;
    do {
      if (pos >= end) throw new CorruptRecordError(`lz4 sequence length truncated at ${pos}`);
      b = data[pos++]!;
      n += b;
    } while (b === 255);
    return n;
  };
  while (pos < end) {
    const token = data[pos++]!;
    let literals = token >> 4;
    if (literals === 15) literals = extend(literals);
    pos += literals;
    out += literals;
    if (pos > end) throw new CorruptRecordError(`lz4 literals run past the block at ${pos}`);
    if (pos === end) break; // the last sequence has no match
    pos += 2;
    let match = token & 0x0f;
    if (match === 15) match = extend(match);
    out += match + 4;
  }
  if (pos !== end) throw new CorruptRecordError(`lz4 block ends inside a sequence at ${end}`);
  return out;
}

export async function lz4Decompress(data: Buffer, maxBytes: number): Promise<Buffer> {
  const bound = lz4OutputBound(data);
  if (bound > maxBytes) throw new CorruptRecordError(`lz4 data decompresses to ${bound} bytes, over the cap of ${maxBytes}`);
  const out = await loadLz4().decompressFrame(data);
  if (out.length > maxBytes) throw new CorruptRecordError(`lz4 data decompresses to more than ${maxBytes} bytes`);
  return out;
}
