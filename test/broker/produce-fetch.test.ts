import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/index.js';
import { Fetch, ListOffsets, Produce, type FetchResponse, type ProduceRequest } from '../../src/protocol/index.js';
import { buildRecordBatch, decodeRecordBatches, readBatchHeader, setBaseOffset } from '../../src/records/index.js';
import { delay } from '../net/helpers.js';
import { createTopic, startTestBroker, type TestBroker } from './helpers.js';
import { fetchRequest } from '../helpers/fetch-request.js';

let t: TestBroker;
beforeAll(async () => {
  t = await startTestBroker({ 'auto.create.topics.enable': 'false' });
});
afterAll(async () => {
  await t.cleanup();
});

function produceRequest(topic: string, records: Buffer, acks = -1, partition = 0): ProduceRequest {
  return { transactionalId: null, acks, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] };
}

function onlyPartition(res: FetchResponse) {
  const p = res.responses[0]?.partitions[0];
  if (p === undefined) throw new Error('no partition in fetch response');
  return p;
}

const value = (s: string): Buffer => Buffer.from(s);

describe('produce and fetch', () => {
  it('appends batches, assigns offsets and fetches them back byte for byte', async () => {
    await createTopic(t, 'pf-basic');
    const c = await t.client();
    const first = await buildRecordBatch([{ value: value('a'), key: value('k1') }, { value: value('b') }]);
    const second = await buildRecordBatch([{ value: value('c'), headers: [{ key: 'h', value: value('v') }] }]);
    const expected = Buffer.concat([Buffer.from(first), Buffer.from(second)]);
    setBaseOffset(expected, first.length, 2);

    const r1 = await c.send(Produce, 7, produceRequest('pf-basic', first));
    expect(r1.responses[0]?.partitionResponses[0]).toEqual({ index: 0, errorCode: 0, baseOffset: 0n, logAppendTimeMs: -1n, logStartOffset: 0n });
    const r2 = await c.send(Produce, 7, produceRequest('pf-basic', second));
    expect(r2.responses[0]?.partitionResponses[0]?.baseOffset).toBe(2n);

    const fetched = onlyPartition(await c.send(Fetch, 11, fetchRequest('pf-basic', 0, 0)));
    expect(fetched.errorCode).toBe(0);
    expect(fetched.highWatermark).toBe(3n);
    expect(fetched.lastStableOffset).toBe(3n);
    expect(fetched.logStartOffset).toBe(0n);
    expect(fetched.preferredReadReplica).toBe(-1);
    expect(fetched.abortedTransactions).toEqual([]);
    const records = fetched.records as Buffer;
    expect(records.length).toBe(expected.length);
    // Everything but partitionLeaderEpoch (bytes 12-15 of each batch, set by the broker) is identical.
    expect(records.subarray(0, 12)).toEqual(expected.subarray(0, 12));
    expect(records.subarray(16, first.length)).toEqual(expected.subarray(16, first.length));
    expect(records.subarray(first.length, first.length + 12)).toEqual(expected.subarray(first.length, first.length + 12));
    expect(records.subarray(first.length + 16)).toEqual(expected.subarray(first.length + 16));
    const decoded = await decodeRecordBatches(records);
    expect(decoded.map((r) => [r.offset, r.value?.toString()])).toEqual([[0, 'a'], [1, 'b'], [2, 'c']]);

    const v4 = onlyPartition(await c.send(Fetch, 4, fetchRequest('pf-basic', 0, 2)));
    expect((await decodeRecordBatches(v4.records as Buffer)).map((r) => r.value?.toString())).toEqual(['c']);
  });

  it('sends no response for acks=0 and keeps request order', async () => {
    await createTopic(t, 'pf-acks0');
    const c = await t.client();
    c.write(Produce, 7, produceRequest('pf-acks0', await buildRecordBatch([{ value: value('x') }]), 0));
    const res = await c.send(ListOffsets, 1, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'pf-acks0', partitions: [{ partitionIndex: 0, timestamp: -1n, maxNumOffsets: 1 }] }] });
    expect(res.topics[0]?.partitions[0]?.offset).toBe(1n);
  });

  it('rejects bad acks, corrupt batches, oversize batches, unknown topics and Produce v0-2', async () => {
    await createTopic(t, 'pf-errors', 1, { 'max.message.bytes': '200' });
    const c = await t.client();
    const batch = await buildRecordBatch([{ value: value('ok') }]);
    const code = async (req: ProduceRequest, version = 7): Promise<number | undefined> =>
      (await c.send(Produce, version, req)).responses[0]?.partitionResponses[0]?.errorCode;

    expect(await code(produceRequest('pf-errors', batch, 2))).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
    const corrupt = Buffer.from(batch);
    corrupt[corrupt.length - 1] = (corrupt[corrupt.length - 1] ?? 0) ^ 0xff;
    expect(await code(produceRequest('pf-errors', corrupt))).toBe(ErrorCode.CORRUPT_MESSAGE);
    const big = await buildRecordBatch([{ value: Buffer.alloc(300, 1) }]);
    expect(await code(produceRequest('pf-errors', big))).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect(await code(produceRequest('pf-nope', batch))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(await code(produceRequest('pf-errors', batch, -1, 5))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(await code(produceRequest('pf-errors', batch), 2)).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(await code(produceRequest('pf-errors', batch))).toBe(0);
  });

  it('answers OFFSET_OUT_OF_RANGE beyond the log end and UNKNOWN_TOPIC_OR_PARTITION for unknown topics', async () => {
    await createTopic(t, 'pf-range');
    const c = await t.client();
    expect(onlyPartition(await c.send(Fetch, 11, fetchRequest('pf-range', 0, 5))).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const unknown = onlyPartition(await c.send(Fetch, 11, fetchRequest('pf-unknown', 0, 0)));
    expect(unknown.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    expect(unknown.highWatermark).toBe(-1n);
  });

  it('long-polls until data arrives, woken by the append', async () => {
    await createTopic(t, 'pf-poll');
    const consumer = await t.client();
    const producer = await t.client();
    let answered = false;
    const pending = consumer.send(Fetch, 11, fetchRequest('pf-poll', 0, 0, { maxWaitMs: 20_000, minBytes: 1 }), 25_000).then((r) => {
      answered = true;
      return r;
    });
    await delay(150);
    expect(answered).toBe(false);
    await producer.send(Produce, 7, produceRequest('pf-poll', await buildRecordBatch([{ value: value('late') }])));
    const p = onlyPartition(await pending);
    expect(p.highWatermark).toBe(1n);
    expect((await decodeRecordBatches(p.records as Buffer)).map((r) => r.value?.toString())).toEqual(['late']);
  });

  it('returns an empty answer when maxWaitMs passes without data', async () => {
    await createTopic(t, 'pf-wait');
    const c = await t.client();
    const p = onlyPartition(await c.send(Fetch, 11, fetchRequest('pf-wait', 0, 0, { maxWaitMs: 100, minBytes: 1 })));
    expect(p.errorCode).toBe(0);
    expect(p.records?.length ?? 0).toBe(0);
    expect(p.highWatermark).toBe(0n);
  });

  it('returns at least one batch even when it exceeds partitionMaxBytes (KIP-74)', async () => {
    await createTopic(t, 'pf-kip74');
    const c = await t.client();
    await c.send(Produce, 7, produceRequest('pf-kip74', await buildRecordBatch([{ value: Buffer.alloc(500, 2) }])));
    await c.send(Produce, 7, produceRequest('pf-kip74', await buildRecordBatch([{ value: Buffer.alloc(500, 3) }])));
    const p = onlyPartition(await c.send(Fetch, 11, fetchRequest('pf-kip74', 0, 0, { maxBytes: 10 }, 10)));
    const decoded = await decodeRecordBatches(p.records as Buffer);
    expect(decoded.map((r) => r.offset)).toEqual([0]);
  });

  it('stamps LogAppendTime when the topic asks for it and reports it in the response', async () => {
    await createTopic(t, 'pf-append-time', 1, { 'message.timestamp.type': 'LogAppendTime' });
    const c = await t.client();
    const before = Date.now();
    const res = await c.send(Produce, 7, produceRequest('pf-append-time', await buildRecordBatch([{ value: value('t'), timestamp: 1 }])));
    const p = res.responses[0]?.partitionResponses[0];
    expect(p?.errorCode).toBe(0);
    const appendTime = Number(p?.logAppendTimeMs);
    expect(appendTime).toBeGreaterThanOrEqual(before);
    const fetched = onlyPartition(await c.send(Fetch, 11, fetchRequest('pf-append-time', 0, 0)));
    const header = readBatchHeader(fetched.records as Buffer);
    expect(header.timestampType).toBe('append');
    expect(header.maxTimestamp).toBe(appendTime);
  });
});
