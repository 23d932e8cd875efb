import { describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../../src/common/errors.js';
import {
  BATCH_FIELD,
  buildRecordBatch,
  crc32c,
  decodeRecordBatches,
  readBatchHeader,
  scanBatches,
  setBaseOffset,
  setLogAppendTime,
  setPartitionLeaderEpoch,
  validateBatches,
} from '../../src/records/index.js';

const T0 = 1_700_000_000_000;

async function sampleBatch(baseOffset = 0): Promise<Buffer> {
  return buildRecordBatch(
    [
      { key: Buffer.from('a'), value: Buffer.from('one'), timestamp: T0 },
      { key: Buffer.from('b'), value: Buffer.from('two'), timestamp: T0 + 10, headers: [{ key: 'h', value: Buffer.from('v') }] },
    ],
    { baseOffset },
  );
}

/** Recomputes the CRC so a test can corrupt a field without tripping the CRC check first. */
function fixCrc(batch: Buffer): Buffer {
  batch.writeUInt32BE(crc32c(batch.subarray(BATCH_FIELD.attributes)), BATCH_FIELD.crc);
  return batch;
}

function expectCorrupt(fn: () => unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(CorruptRecordError);
  expect((thrown as Error).message).toMatch(message);
}

describe('readBatchHeader', () => {
  it('throws CorruptRecordError for fewer than 61 bytes, bad magic and unknown codecs', async () => {
    const batch = await sampleBatch();
    expectCorrupt(() => readBatchHeader(batch.subarray(0, 60)), /truncated/);
    expectCorrupt(() => readBatchHeader(batch, batch.length - 10), /truncated/);
    const badMagic = Buffer.from(batch);
    badMagic[BATCH_FIELD.magic] = 1;
    expectCorrupt(() => readBatchHeader(badMagic), /magic 1/);
    const badCodec = Buffer.from(batch);
    badCodec.writeInt16BE(5, BATCH_FIELD.attributes);
    expectCorrupt(() => readBatchHeader(badCodec), /codec 5/);
  });
});

describe('validateBatches', () => {
  it('returns headers and positions of concatenated batches', async () => {
    const a = await sampleBatch(0);
    const b = await sampleBatch(2);
    const { headers, positions } = validateBatches(Buffer.concat([a, b]));
    expect(positions).toEqual([0, a.length]);
    expect(headers.map((h) => h.baseOffset)).toEqual([0, 2]);
    expect(validateBatches(Buffer.alloc(0))).toEqual({ headers: [], positions: [] });
  });

  it('rejects a bit flip anywhere in the CRC-covered area', async () => {
    const batch = await sampleBatch();
    for (let pos = BATCH_FIELD.attributes; pos < batch.length; pos++) {
      for (const bit of [0x01, 0x80]) {
        const copy = Buffer.from(batch);
        copy[pos]! ^= bit;
        expect(() => validateBatches(copy), `byte ${pos}`).toThrow(CorruptRecordError);
      }
    }
  });

  it('rejects a flipped CRC byte', async () => {
    const batch = await sampleBatch();
    batch[BATCH_FIELD.crc + 2]! ^= 0x10;
    expectCorrupt(() => validateBatches(batch), /CRC/);
  });

  it('rejects bad magic, short and oversized batchLength, and truncation', async () => {
    const batch = await sampleBatch();
    const badMagic = Buffer.from(batch);
    badMagic[BATCH_FIELD.magic] = 0;
    expectCorrupt(() => validateBatches(badMagic), /magic 0/);
    const short = Buffer.from(batch);
    short.writeInt32BE(48, BATCH_FIELD.batchLength);
    expectCorrupt(() => validateBatches(short), /batchLength 48/);
    const long = Buffer.from(batch);
    long.writeInt32BE(batch.length, BATCH_FIELD.batchLength);
    expectCorrupt(() => validateBatches(long), /remain/);
    expectCorrupt(() => validateBatches(batch.subarray(0, batch.length - 1)), /remain/);
    expectCorrupt(() => validateBatches(batch.subarray(0, 5)), /truncated/);
  });

  it('rejects negative lastOffsetDelta, negative or impossible recordsCount, and empty producer batches', async () => {
    const batch = await sampleBatch();
    const negDelta = Buffer.from(batch);
    negDelta.writeInt32BE(-1, BATCH_FIELD.lastOffsetDelta);
    expectCorrupt(() => validateBatches(fixCrc(negDelta)), /negative lastOffsetDelta/);
    const negCount = Buffer.from(batch);
    negCount.writeInt32BE(-1, BATCH_FIELD.recordsCount);
    expectCorrupt(() => validateBatches(fixCrc(negCount)), /negative recordsCount/);
    const tooMany = Buffer.from(batch);
    tooMany.writeInt32BE(3, BATCH_FIELD.recordsCount);
    expectCorrupt(() => validateBatches(fixCrc(tooMany)), /3 records for 2 offsets/);
    const huge = Buffer.from(batch);
    huge.writeInt32BE(1000, BATCH_FIELD.lastOffsetDelta);
    huge.writeInt32BE(1000, BATCH_FIELD.recordsCount);
    expectCorrupt(() => validateBatches(fixCrc(huge)), /claims 1000 records/);
    const empty = Buffer.from(batch.subarray(0, 61));
    empty.writeInt32BE(49, BATCH_FIELD.batchLength);
    empty.writeInt32BE(0, BATCH_FIELD.recordsCount);
    fixCrc(empty);
    expectCorrupt(() => validateBatches(empty), /no records/);
    expect(validateBatches(empty, { allowEmpty: true }).headers[0]!.recordsCount).toBe(0);
    expect(scanBatches(empty)).toEqual({ validBytes: 61 });
  });
});

describe('scanBatches', () => {
  it('returns the valid prefix when the last batch is truncated at every byte', async () => {
    const a = await sampleBatch(0);
    const b = await sampleBatch(2);
    const whole = Buffer.concat([a, b]);
    const seen: number[] = [];
    expect(scanBatches(whole, (h, pos) => seen.push(h.baseOffset, pos))).toEqual({ validBytes: whole.length });
    expect(seen).toEqual([0, 0, 2, a.length]);
    for (let cut = a.length; cut < whole.length; cut++) {
      const result = scanBatches(whole.subarray(0, cut));
      expect(result.validBytes).toBe(a.length);
      if (cut > a.length) expect(result.reason).toMatch(/truncated|remain/);
    }
  });

  it('stops at a corrupt batch with its reason', async () => {
    const a = await sampleBatch(0);
    const b = await sampleBatch(2);
    b[b.length - 1]! ^= 1;
    const result = scanBatches(Buffer.concat([a, b, a]));
    expect(result.validBytes).toBe(a.length);
    expect(result.reason).toMatch(/CRC/);
  });
});

describe('in-place rewrites', () => {
  it('setBaseOffset and setPartitionLeaderEpoch keep the CRC valid', async () => {
    const a = await sampleBatch(0);
    const b = await sampleBatch(0);
    const buf = Buffer.concat([a, b]);
    const crcBefore = buf.readUInt32BE(a.length + BATCH_FIELD.crc);
    setBaseOffset(buf, a.length, 2 ** 40 + 5);
    setPartitionLeaderEpoch(buf, a.length, 9);
    expect(buf.readUInt32BE(a.length + BATCH_FIELD.crc)).toBe(crcBefore);
    const { headers } = validateBatches(buf);
    expect(headers[1]!.baseOffset).toBe(2 ** 40 + 5);
    expect(headers[1]!.partitionLeaderEpoch).toBe(9);
    expect((await decodeRecordBatches(buf)).map((r) => r.offset)).toEqual([0, 1, 2 ** 40 + 5, 2 ** 40 + 6]);
  });

  it('setLogAppendTime sets bit 3 and maxTimestamp and recomputes the CRC', async () => {
    const batch = await sampleBatch();
    const crcBefore = batch.readUInt32BE(BATCH_FIELD.crc);
    setLogAppendTime(batch, 0, T0 + 99_999);
    expect(batch.readUInt32BE(BATCH_FIELD.crc)).not.toBe(crcBefore);
    const [h] = validateBatches(batch).headers;
    expect(h!.timestampType).toBe('append');
    expect(h!.maxTimestamp).toBe(T0 + 99_999);
    expect(h!.baseTimestamp).toBe(T0);
    expect((await decodeRecordBatches(batch)).map((r) => r.timestamp)).toEqual([T0 + 99_999, T0 + 99_999]);
  });

  it('throws CorruptRecordError when there is no batch at the position', async () => {
    const batch = await sampleBatch();
    expectCorrupt(() => setBaseOffset(batch, batch.length - 10, 1), /no record batch header/);
    expectCorrupt(() => setLogAppendTime(batch.subarray(0, batch.length - 1), 0, 1), /beyond the buffer/);
  });
});
