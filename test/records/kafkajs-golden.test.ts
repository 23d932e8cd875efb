// Golden bytes from kafkajs's own RecordBatch encoder (the one its producer uses for Produce v3+).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { buildRecordBatch, decodeRecordBatches, validateBatches, type RecordInput } from '../../src/records/index.js';

const require = createRequire(import.meta.url);

interface KafkajsEncoder {
  buffer: Buffer;
}
type KafkajsRecordInput = {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: { [key: string]: Buffer };
};
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (args: {
    compression?: number;
    firstOffset?: unknown;
    firstTimestamp: number;
    maxTimestamp: number;
    lastOffsetDelta: number;
    records: KafkajsEncoder[];
  }) => Promise<KafkajsEncoder>;
};
const KafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (r: KafkajsRecordInput) => KafkajsEncoder;
const KafkajsDecoder = require('kafkajs/src/protocol/decoder.js') as new (buf: Buffer) => unknown;
const decodeKafkajsBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (d: unknown) => Promise<{
  records: { key: Buffer | null; value: Buffer | null; offset: string; timestamp: string; headers: { [key: string]: Buffer } }[];
}>;

const T0 = 1_700_000_000_000;
const ours: RecordInput[] = [
  { key: Buffer.from('user-1'), value: Buffer.from('{"n":1}'), timestamp: T0 },
  { key: null, value: Buffer.from('null key'), timestamp: T0 + 1 },
  { key: Buffer.from('tomb'), value: null, timestamp: T0 + 300 },
  {
    key: Buffer.from('k'),
    value: Buffer.from('headers'),
    headers: [
      { key: 'content-type', value: Buffer.from('json') },
      { key: 'ä', value: Buffer.from([0xff]) },
    ],
    timestamp: T0 + 70_000,
  },
];

async function kafkajsBatch(compression: number): Promise<Buffer> {
  const records = ours.map((r, i) => {
    const input: KafkajsRecordInput = {
      offsetDelta: i,
      timestampDelta: r.timestamp! - T0,
      key: r.key ?? null,
      value: r.value,
    };
    if (r.headers) input.headers = Object.fromEntries(r.headers.map((h) => [h.key, h.value!]));
    return KafkajsRecord(input);
  });
  const batch = await RecordBatch({
    compression,
    firstTimestamp: T0,
    maxTimestamp: T0 + 70_000,
    lastOffsetDelta: ours.length - 1,
    records,
  });
  return batch.buffer;
}

// kafkajs's producer defaults: partitionLeaderEpoch 0, producerId -1, producerEpoch 0, baseSequence 0.
const kafkajsDefaults = { partitionLeaderEpoch: 0, producerId: -1n, producerEpoch: 0, baseSequence: 0 };

describe('kafkajs golden batches', () => {
  it('an uncompressed kafkajs batch decodes to the exact records, and we encode the same bytes', async () => {
    const theirs = await kafkajsBatch(0);
    expect(validateBatches(theirs).headers[0]!.recordsCount).toBe(4);
    const decoded = await decodeRecordBatches(theirs);
    expect(decoded).toEqual(
      ours.map((r, i) => ({ offset: i, timestamp: r.timestamp, key: r.key ?? null, value: r.value, headers: r.headers ?? [] })),
    );
    const mine = await buildRecordBatch(ours, kafkajsDefaults);
    expect(mine.toString('hex')).toBe(theirs.toString('hex'));
  });

  it('a gzip kafkajs batch decodes, and our gzip batch matches byte for byte (both use node:zlib defaults)', async () => {
    const theirs = await kafkajsBatch(1);
    expect((await decodeRecordBatches(theirs)).map((r) => r.value?.toString() ?? null)).toEqual([
      '{"n":1}',
      'null key',
      null,
      'headers',
    ]);
    const mine = await buildRecordBatch(ours, { ...kafkajsDefaults, compression: 'gzip' });
    expect(mine.toString('hex')).toBe(theirs.toString('hex'));
  });

  it("kafkajs's decoder reads our batch", async () => {
    const mine = await buildRecordBatch(ours, { ...kafkajsDefaults, baseOffset: 50, compression: 'gzip' });
    const batch = await decodeKafkajsBatch(new KafkajsDecoder(mine));
    expect(batch.records.map((r) => [r.offset, r.timestamp, r.key?.toString() ?? null, r.value?.toString() ?? null])).toEqual([
      ['50', String(T0), 'user-1', '{"n":1}'],
      ['51', String(T0 + 1), null, 'null key'],
      ['52', String(T0 + 300), 'tomb', null],
      ['53', String(T0 + 70_000), 'k', 'headers'],
    ]);
    expect(batch.records[3]!.headers).toEqual({ 'content-type': Buffer.from('json'), ä: Buffer.from([0xff]) });
  });
});
