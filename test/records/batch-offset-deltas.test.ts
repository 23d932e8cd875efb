// buildRecordBatch's compaction options: records keep non-contiguous offsets (offsetDeltas) and the
// batch may cover offsets past its last record (lastOffsetDelta), as log compaction writes them.
import { describe, expect, it } from 'vitest';
import { BATCH_FIELD, buildRecordBatch, decodeRecordBatches, readBatchHeader, validateBatches } from '../../src/records/index.js';

const records = [
  { key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 1000 },
  { key: Buffer.from('b'), value: null, timestamp: 1005 },
  { key: Buffer.from('c'), value: Buffer.from('3'), timestamp: 1002 },
];

describe('buildRecordBatch offsetDeltas / lastOffsetDelta', () => {
  for (const compression of ['none', 'gzip', 'lz4'] as const) {
    it(`keeps each record's offset and the batch's range (${compression})`, async () => {
      const batch = await buildRecordBatch(records, { baseOffset: 100, offsetDeltas: [2, 7, 9], lastOffsetDelta: 12, compression });
      expect(() => validateBatches(batch)).not.toThrow();
      const header = readBatchHeader(batch);
      expect(header.baseOffset).toBe(100);
      expect(header.lastOffsetDelta).toBe(12);
      expect(header.recordsCount).toBe(3);
      expect(header.baseTimestamp).toBe(1000);
      expect(header.maxTimestamp).toBe(1005);
      const decoded = await decodeRecordBatches(batch);
      expect(decoded.map((r) => [r.offset, r.timestamp, r.value?.toString() ?? null])).toEqual([
        [102, 1000, '1'],
        [107, 1005, null],
        [109, 1002, '3'],
      ]);
    });
  }

  it('defaults lastOffsetDelta to the last offsetDelta and is unchanged without the options', async () => {
    const sparse = await buildRecordBatch(records, { offsetDeltas: [0, 4, 5] });
    expect(sparse.readInt32BE(BATCH_FIELD.lastOffsetDelta)).toBe(5);
    const plain = await buildRecordBatch(records, { lastOffsetDelta: 8 });
    expect(plain.readInt32BE(BATCH_FIELD.lastOffsetDelta)).toBe(8);
    expect((await decodeRecordBatches(plain)).map((r) => r.offset)).toEqual([0, 1, 2]);
    const dense = await buildRecordBatch(records);
    expect(dense.readInt32BE(BATCH_FIELD.lastOffsetDelta)).toBe(2);
  });

  it('rejects offsetDeltas that do not increase, do not match the records, or pass lastOffsetDelta', async () => {
    await expect(buildRecordBatch(records, { offsetDeltas: [0, 3, 3] })).rejects.toThrow(RangeError);
    await expect(buildRecordBatch(records, { offsetDeltas: [0, 1] })).rejects.toThrow(RangeError);
    await expect(buildRecordBatch(records, { offsetDeltas: [-1, 1, 2] })).rejects.toThrow(RangeError);
    await expect(buildRecordBatch(records, { offsetDeltas: [0, 1, 6], lastOffsetDelta: 5 })).rejects.toThrow(RangeError);
  });
});
