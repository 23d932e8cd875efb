import { describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../../src/common/index.js';
import { buildRecordBatch, checkRecordFraming, readBatchHeader } from '../../src/records/index.js';

const records = [
  { key: Buffer.from('k0'), value: Buffer.from('v0'), timestamp: 1_700_000_000_000 },
  { key: null, value: Buffer.from('a longer value'), timestamp: 1_700_000_000_500, headers: [{ key: 'h', value: Buffer.from('x') }] },
  { key: Buffer.from('k2'), value: null, timestamp: 1_699_999_999_000 },
];

describe('checkRecordFraming', () => {
  it('accepts the batches the builder writes, and skips compressed ones', async () => {
    const plain = await buildRecordBatch(records);
    expect(() => checkRecordFraming(plain, 0, readBatchHeader(plain, 0))).not.toThrow();
    const gz = await buildRecordBatch(records, { compression: 'gzip' });
    expect(() => checkRecordFraming(gz, 0, readBatchHeader(gz, 0))).not.toThrow();
  });

  it('rejects a record count that lies, either way', async () => {
    const batch = await buildRecordBatch(records);
    const header = readBatchHeader(batch, 0);
    expect(() => checkRecordFraming(batch, 0, { ...header, recordsCount: 2 })).toThrow(/claims 2 records but \d+ bytes follow/);
    expect(() => checkRecordFraming(batch, 0, { ...header, recordsCount: 4 })).toThrow(CorruptRecordError);
  });

  it('rejects offsetDeltas beyond lastOffsetDelta', async () => {
    const batch = await buildRecordBatch(records);
    const header = readBatchHeader(batch, 0);
    expect(() => checkRecordFraming(batch, 0, { ...header, lastOffsetDelta: 1 })).toThrow(/record 2 has offsetDelta 2/);
  });

  it('rejects a record length that runs past the batch', async () => {
    const batch = await buildRecordBatch(records);
    const header = readBatchHeader(batch, 0);
    const broken = Buffer.from(batch);
    broken[61] = 0x7e; // first record's length varint: 63, far beyond its real size
    expect(() => checkRecordFraming(broken, 0, header)).toThrow(CorruptRecordError);
  });
});
