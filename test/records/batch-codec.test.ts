import { describe, expect, it } from 'vitest';
import {
  buildControlBatch,
  buildRecordBatch,
  decodeControlRecord,
  decodeRecordBatches,
  readBatchHeader,
  validateBatches,
  type CompressionType,
  type RecordInput,
} from '../../src/records/index.js';

const T0 = 1_700_000_000_000;

const records: RecordInput[] = [
  { key: Buffer.from('k1'), value: Buffer.from('v1'), timestamp: T0 },
  { key: null, value: Buffer.from('no key'), timestamp: T0 + 5 },
  { key: Buffer.from('tombstone'), value: null, timestamp: T0 - 3 },
  {
    key: Buffer.from('h'),
    value: Buffer.from('with headers'),
    headers: [
      { key: 'trace-id', value: Buffer.from('abc') },
      { key: 'empty', value: Buffer.alloc(0) },
      { key: 'null', value: null },
      { key: 'ünïcødé', value: Buffer.from([0, 1, 2]) },
    ],
    timestamp: T0 + 1000,
  },
  { key: Buffer.alloc(0), value: Buffer.alloc(3000, 7), timestamp: T0 + 2 },
];

const codecs: CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

describe('buildRecordBatch → validateBatches → decodeRecordBatches', () => {
  it.each(codecs)('round-trips keys, nulls, headers and timestamps with %s', async (compression) => {
    const batch = await buildRecordBatch(records, {
      baseOffset: 100,
      compression,
      producerId: 42n,
      producerEpoch: 3,
      baseSequence: 7,
      partitionLeaderEpoch: 5,
    });
    const { headers, positions } = validateBatches(batch);
    expect(positions).toEqual([0]);
    const h = headers[0]!;
    expect(h).toMatchObject({
      baseOffset: 100,
      batchLength: batch.length - 12,
      partitionLeaderEpoch: 5,
      magic: 2,
      lastOffsetDelta: 4,
      baseTimestamp: T0,
      maxTimestamp: T0 + 1000,
      producerId: 42n,
      producerEpoch: 3,
      baseSequence: 7,
      recordsCount: 5,
      compression,
      timestampType: 'create',
      isTransactional: false,
      isControl: false,
    });
    const decoded = await decodeRecordBatches(batch);
    expect(decoded).toEqual(
      records.map((r, i) => ({
        offset: 100 + i,
        timestamp: r.timestamp,
        key: r.key ?? null,
        value: r.value,
        headers: r.headers ?? [],
      })),
    );
  });

  it('uses non-idempotent defaults and the current time', async () => {
    const before = Date.now();
    const batch = await buildRecordBatch([{ value: Buffer.from('x') }]);
    const h = readBatchHeader(batch);
    expect(h.producerId).toBe(-1n);
    expect(h.producerEpoch).toBe(-1);
    expect(h.baseSequence).toBe(-1);
    expect(h.baseOffset).toBe(0);
    expect(h.baseTimestamp).toBeGreaterThanOrEqual(before);
    expect(h.baseTimestamp).toBeLessThanOrEqual(Date.now());
  });

  it('writes an uncompressed batch with the exact size', async () => {
    const batch = await buildRecordBatch([{ key: null, value: null, timestamp: T0 }]);
    // 61 header bytes + record: length 6 (zigzag 0c), attributes 00, tsDelta 00, offsetDelta 00,
    // key -1 (01), value -1 (01), 0 headers (00).
    expect(batch.length).toBe(61 + 7);
    expect(batch.subarray(61).toString('hex')).toBe('0c000000010100');
  });

  it('sets the transactional and LogAppendTime attributes; LogAppendTime records take maxTimestamp', async () => {
    const batch = await buildRecordBatch(records, { isTransactional: true, timestampType: 'append' });
    const h = readBatchHeader(batch);
    expect(h.isTransactional).toBe(true);
    expect(h.timestampType).toBe('append');
    expect(h.attributes).toBe(0x18);
    const decoded = await decodeRecordBatches(batch);
    expect(decoded.map((r) => r.timestamp)).toEqual(records.map(() => T0 + 1000));
  });

  it('decodes several concatenated batches and skips a trailing partial batch', async () => {
    const a = await buildRecordBatch(records.slice(0, 2), { baseOffset: 0 });
    const b = await buildRecordBatch(records.slice(2), { baseOffset: 2, compression: 'gzip' });
    const c = await buildRecordBatch(records.slice(0, 1), { baseOffset: 5 });
    const all = Buffer.concat([a, b, c]);
    expect((await decodeRecordBatches(all)).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const cut of [1, 11, 12, 60, 61, c.length - 1]) {
      const partial = all.subarray(0, a.length + b.length + cut);
      expect((await decodeRecordBatches(partial)).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4]);
    }
  });

  it('builds control batches, skips them by default and decodes their markers', async () => {
    const data = await buildRecordBatch(records.slice(0, 2), { baseOffset: 10, producerId: 9n, isTransactional: true });
    const marker = await buildControlBatch(
      { type: 'commit', coordinatorEpoch: 17 },
      { baseOffset: 12, producerId: 9n, producerEpoch: 0, timestamp: T0 },
    );
    const h = readBatchHeader(marker);
    expect(h.isControl).toBe(true);
    expect(h.isTransactional).toBe(true);
    expect(marker.subarray(61).toString('hex')).toBe(
      // length 16 (zigzag 20), attr, tsDelta 0, offsetDelta 0, key len 4 (08), key, value len 6 (0c), value, 0 headers
      '20' + '00' + '00' + '00' + '08' + '00000001' + '0c' + '000000000011' + '00',
    );
    const buf = Buffer.concat([data, marker]);
    validateBatches(buf);
    expect((await decodeRecordBatches(buf)).map((r) => r.offset)).toEqual([10, 11]);
    const withControl = await decodeRecordBatches(buf, { includeControl: true });
    expect(withControl.map((r) => r.offset)).toEqual([10, 11, 12]);
    expect(decodeControlRecord(withControl[2]!)).toEqual({ type: 'commit', coordinatorEpoch: 17 });
    const abort = await buildControlBatch({ type: 'abort', coordinatorEpoch: 1 }, { timestamp: T0 });
    const [abortRecord] = await decodeRecordBatches(abort, { includeControl: true });
    expect(decodeControlRecord(abortRecord!)).toEqual({ type: 'abort', coordinatorEpoch: 1 });
  });

  it('refuses to build an empty batch', async () => {
    await expect(buildRecordBatch([])).rejects.toThrow(RangeError);
  });
});
