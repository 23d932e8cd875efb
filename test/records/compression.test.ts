import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { buffer as streamToBuffer } from 'node:stream/consumers';
import { compressSync as snappyRaw } from 'snappy';
import { CompressStream } from 'zstd-napi';
import { compressFrameSync } from 'lz4-napi';
import { describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../../src/common/errors.js';
import { compress, decompress, type CompressionType } from '../../src/records/index.js';

const codecs: CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const MiB = 1024 * 1024;

/** xerial framing as snappy-java writes it: magic, version 1, compat 1, then [int32 length][raw block]. */
function xerialFrame(blocks: Buffer[]): Buffer {
  const header = Buffer.alloc(16);
  Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]).copy(header);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  const parts: Buffer[] = [header];
  for (const block of blocks) {
    const len = Buffer.alloc(4);
    len.writeInt32BE(block.length);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}

async function rejectsCorrupt(p: Promise<unknown>, message?: RegExp): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CorruptRecordError);
  if (message) expect((err as Error).message).toMatch(message);
}

describe('compress/decompress', () => {
  it.each(codecs)('%s round-trips random, repetitive and empty data', async (type) => {
    for (const data of [randomBytes(10_000), Buffer.alloc(100_000, 'abc'), Buffer.from('x')]) {
      const packed = await compress(type, data);
      if (type !== 'none') expect(packed.length).not.toBe(0);
      expect((await decompress(type, packed)).equals(data)).toBe(true);
    }
  });

  it('writes raw snappy and the documented frame magics', async () => {
    const data = Buffer.alloc(1000, 1);
    expect((await compress('snappy', data)).subarray(0, 2).toString('hex')).toBe('e807'); // varint 1000
    expect((await compress('lz4', data)).subarray(0, 4).toString('hex')).toBe('04224d18');
    expect((await compress('zstd', data)).subarray(0, 4).toString('hex')).toBe('28b52ffd');
    expect((await compress('gzip', data)).subarray(0, 2).toString('hex')).toBe('1f8b');
  });

  it('decodes xerial-framed snappy built from raw blocks', async () => {
    const part1 = Buffer.from('hello '.repeat(100));
    const part2 = randomBytes(5000);
    const framed = xerialFrame([snappyRaw(part1), snappyRaw(part2)]);
    expect(await decompress('snappy', framed)).toEqual(Buffer.concat([part1, part2]));
    expect(await decompress('snappy', xerialFrame([]))).toEqual(Buffer.alloc(0));
    // A block length pointing past the end.
    const bad = Buffer.from(framed);
    bad.writeInt32BE(1_000_000, 16);
    await rejectsCorrupt(decompress('snappy', bad), /beyond/);
  });

  it('decodes zstd frames with and without a declared content size', async () => {
    const data = Buffer.alloc(3 * MiB, 'zstd');
    const streamed = await streamToBuffer(Readable.from([data]).pipe(new CompressStream()));
    // Buffer.equals: vitest's deep toEqual walks megabytes element by element.
    expect((await decompress('zstd', streamed)).equals(data)).toBe(true);
    expect((await decompress('zstd', await compress('zstd', data))).equals(data)).toBe(true);
  });

  it('rejects garbage with CorruptRecordError for every codec', async () => {
    for (const type of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
      await rejectsCorrupt(decompress(type, Buffer.from('definitely not compressed data')));
      await rejectsCorrupt(decompress(type, Buffer.alloc(0)));
    }
  });

  it('rejects truncated compressed data', async () => {
    const data = randomBytes(50_000);
    for (const type of ['gzip', 'snappy', 'lz4', 'zstd'] as const) {
      const packed = await compress(type, data);
      await rejectsCorrupt(decompress(type, packed.subarray(0, packed.length - 10)));
    }
  });
});

describe('decompression bombs', () => {
  const zeros = Buffer.alloc(16 * MiB);

  it('gzip stops at the cap', async () => {
    const bomb = gzipSync(zeros);
    expect(bomb.length).toBeLessThan(MiB);
    await rejectsCorrupt(decompress('gzip', bomb, MiB), /more than 1048576/);
    expect((await decompress("gzip", bomb, 16 * MiB)).length).toBe(16 * MiB);
  });

  it('snappy is refused from its block header before decompressing', async () => {
    const bomb = snappyRaw(zeros);
    await rejectsCorrupt(decompress('snappy', bomb, MiB), /more than/);
    await rejectsCorrupt(decompress('snappy', xerialFrame([snappyRaw(Buffer.alloc(MiB)), snappyRaw(Buffer.alloc(10))]), MiB));
    // A forged header claiming 4 GiB is refused under the default cap without allocating it.
    await rejectsCorrupt(decompress('snappy', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00])), /more than/);
  });

  it('lz4 is refused from its frame bound', async () => {
    const bomb = compressFrameSync(zeros);
    await rejectsCorrupt(decompress('lz4', bomb, MiB), /over the cap/);
    expect((await decompress('lz4', compressFrameSync(Buffer.alloc(MiB)), MiB)).length).toBe(MiB);
  });

  it('zstd is refused from the declared size, and mid-stream without one', async () => {
    const declared = await compress('zstd', zeros);
    await rejectsCorrupt(decompress('zstd', declared, MiB), /declares/);
    const streamed = await streamToBuffer(Readable.from([zeros]).pipe(new CompressStream()));
    await rejectsCorrupt(decompress('zstd', streamed, MiB), /more than/);
  });

  it('the cap is inclusive', async () => {
    const data = Buffer.alloc(1000, 5);
    for (const type of codecs) {
      expect((await decompress(type, await compress(type, data), 1000)).length).toBe(1000);
      await rejectsCorrupt(decompress(type, await compress(type, data), 999));
    }
  });
});
