import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Admin, Consumer, KafkaClient, Producer, type ConsumedRecord, type RecordMetadata } from '../../src/client/index.js';
import { BatchWriter } from '../../src/client/batch-writer.js';
import { ErrorCode, KafkaError } from '../../src/common/index.js';
import { FramePool, POOL_MIN_BYTES } from '../../src/net/index.js';
import { buildRecordBatch, decodeRecordBatches, scanBatches, type RecordHeader } from '../../src/records/index.js';
import { startTestBroker, type TestBroker } from './broker-fixture.js';

interface Input {
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  timestamp: number;
}

function sample(i: number): Input {
  return {
    key: i % 5 === 0 ? null : Buffer.from(`k${i}`),
    value: i % 7 === 0 ? null : Buffer.alloc(i % 3 === 0 ? 300 + i : i % 40, i & 0xff),
    headers: i % 4 === 0 ? [] : [{ key: `hé${i}`, value: i % 2 === 0 ? null : Buffer.from([i & 0xff, 1]) }],
    // Out of order on purpose: negative and multi-byte timestamp deltas.
    timestamp: 1_700_000_000_000 + ((i * 7919) % 100_000) - 50_000,
  };
}

describe('BatchWriter', () => {
  it('encodes exactly the bytes buildRecordBatch encodes, growing from a small buffer', async () => {
    const inputs = Array.from({ length: 500 }, (_, i) => sample(i));
    const writer = new BatchWriter(0);
    for (const r of inputs) writer.append(r.key, r.value, r.headers, r.timestamp);
    const built = await writer.finish('none');
    expect(built.equals(await buildRecordBatch(inputs))).toBe(true);
    expect(writer.timestamps).toEqual(inputs.map((r) => r.timestamp));
  });

  it('compresses the records region and decodes back to the inputs', async () => {
    const inputs = Array.from({ length: 200 }, (_, i) => sample(i));
    const writer = new BatchWriter(64);
    for (const r of inputs) writer.append(r.key, r.value, r.headers, r.timestamp);
    const decoded = await decodeRecordBatches(await writer.finish('zstd'));
    expect(decoded.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp }))).toEqual(inputs);
    expect(decoded.map((r) => r.offset)).toEqual(inputs.map((_, i) => i));
  });
});

let tb: TestBroker;
let client: KafkaClient;
let admin: Admin;

beforeAll(async () => {
  tb = await startTestBroker();
  client = await KafkaClient.connect({ broker: tb.address });
  admin = new Admin(client);
});

afterAll(async () => {
  await client?.close();
  await tb?.stop();
});

async function createTopic(name: string, numPartitions: number): Promise<void> {
  const [res] = await admin.createTopics([{ name, numPartitions, replicationFactor: 1, configs: {} }]);
  expect(res?.errorCode).toBe(0);
}

async function readAll(topic: string, partition: number, until: number): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  for await (const r of new Consumer(client).consume(topic, new Map([[partition, 0]]), { untilOffsets: new Map([[partition, until]]) })) out.push(r);
  return out;
}

describe('Producer.produce (callback fast path)', () => {
  it.each([1, 5])('reports every record once with its exact offset, in send order (maxInFlightPerPartition %i)', async (maxInFlightPerPartition) => {
    const topic = `fast-${maxInFlightPerPartition}`;
    await createTopic(topic, 1);
    // Small batches and buffer: many batches, several in flight, and produce() asking to wait.
    const producer = new Producer(client, { batchBytes: 4096, bufferBytes: 64 * 1024, maxInFlightPerPartition });
    const reports: (RecordMetadata | Error)[][] = Array.from({ length: 20_000 }, () => []);
    const order: number[] = [];
    let waited = 0;
    for (let i = 0; i < 20_000; i++) {
      const wait = producer.produce({ topic, value: Buffer.from(`v${i}`) }, (err, md) => {
        reports[i]?.push(err ?? (md as RecordMetadata));
        order.push(i);
      });
      if (wait !== undefined) {
        waited++;
        await wait;
      }
    }
    await producer.flush();
    expect(waited).toBeGreaterThan(0);
    expect(reports.every((r) => r.length === 1)).toBe(true);
    expect(reports.map((r) => (r[0] as RecordMetadata).offset)).toEqual(reports.map((_, i) => i));
    // A partition's delivery reports come in the order its records were sent (as Kafka's callbacks).
    expect(order).toEqual(reports.map((_, i) => i));
    expect(reports.every((r) => (r[0] as RecordMetadata).topic === topic && (r[0] as RecordMetadata).partition === 0)).toBe(true);
    const got = await readAll(topic, 0, 20_000);
    expect(got.map((r) => r.value?.toString())).toEqual(reports.map((_, i) => `v${i}`));
    await producer.close();
  });

  it('reuses the buffers of acknowledged batches, with every record intact while others are in flight', async () => {
    const topic = 'fast-pooled';
    await createTopic(topic, 1);
    const lent = new Set<ArrayBufferLike>();
    let acquired = 0;
    const acquire = FramePool.prototype.acquire;
    const spy = vi.spyOn(FramePool.prototype, 'acquire').mockImplementation(function (this: FramePool, length: number) {
      const buf = acquire.call(this, length);
      if (length >= POOL_MIN_BYTES) {
        acquired++;
        lent.add(buf.buffer);
      }
      return buf;
    });
    try {
      // ~100 KiB batches, up to 5 in flight (idempotent by default), at most ~6 buffered (bufferBytes): 40
      // batches in pooled buffers.
      const producer = new Producer(client, { batchBytes: 100 * 1024, bufferBytes: 600 * 1024, lingerMs: 1 });
      const value = (i: number): Buffer => Buffer.alloc(1000, i % 251);
      const offsets: number[] = [];
      for (let i = 0; i < 4000; i++) {
        const wait = producer.produce({ topic, value: value(i) }, (err, md) => offsets.push(err === null ? md!.offset : -1));
        if (wait !== undefined) await wait;
      }
      await producer.close();
      expect(offsets).toEqual(Array.from({ length: 4000 }, (_, i) => i));
      // Far fewer buffers than batches: acknowledged batches' buffers carried later ones.
      expect(acquired).toBeGreaterThanOrEqual(39);
      expect(lent.size).toBeLessThan(acquired / 2);
      const got = await readAll(topic, 0, 4000);
      expect(got.every((r, i) => r.offset === i && r.value!.equals(value(i)))).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });

  it('closes a batch at 8,192 records, where the offsetDelta varint would grow to 3 bytes', async () => {
    await createTopic('fast-count', 1);
    const producer = new Producer(client, { lingerMs: 60_000 });
    for (let i = 0; i < 20_000; i++) producer.produce({ topic: 'fast-count', value: Buffer.from([i & 0xff]) }, () => {});
    await producer.flush();
    const counts: number[] = [];
    const log = await readFile(join(tb.dataDir, 'fast-count-0', `${'0'.repeat(20)}.log`));
    scanBatches(log, (h) => counts.push(h.lastOffsetDelta + 1));
    expect(counts).toEqual([8192, 8192, 3616]);
    await producer.close();
  });

  it('writes pipelined batches in order while its first connection is still opening', async () => {
    await createTopic('fast-cold', 1);
    const cold = await KafkaClient.connect({ broker: tb.address });
    try {
      const producer = new Producer(cold, { batchBytes: 1024, maxInFlightPerPartition: 5 });
      await cold.topicMetadata('fast-cold');
      const offsets: number[] = [];
      // No await in the loop: batches seal (and are sent) before any connection for produce exists.
      for (let i = 0; i < 5000; i++) producer.produce({ topic: 'fast-cold', value: Buffer.from(`c${i}`) }, (_e, m) => offsets.push(m?.offset ?? -1));
      await producer.flush();
      expect(offsets).toEqual(Array.from({ length: 5000 }, (_, i) => i));
      expect((await readAll('fast-cold', 0, 5000)).map((r) => r.value?.toString())).toEqual(offsets.map((i) => `c${i}`));
    } finally {
      await cold.close();
    }
  });

  it('keeps send() and produce() records of one partition in call order', async () => {
    await createTopic('mixed', 1);
    const producer = new Producer(client, { lingerMs: 1 });
    const offsets: number[] = [];
    const promises: Promise<void>[] = [];
    for (let i = 0; i < 100; i++) {
      if (i % 2 === 0) promises.push(producer.send({ topic: 'mixed', value: Buffer.from(`${i}`) }).then((m) => void (offsets[i] = m.offset)));
      else producer.produce({ topic: 'mixed', value: Buffer.from(`${i}`) }, (_err, m) => void (offsets[i] = m?.offset ?? -2));
    }
    await producer.flush();
    await Promise.all(promises);
    expect(offsets).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await producer.close();
  });

  it('reports a refused batch to each record callback, and rejects a non-integer timestamp', async () => {
    await createTopic('fast-limited', 1);
    await admin.alterConfigs('fast-limited', { 'max.message.bytes': '1000' }, []);
    const producer = new Producer(client);
    const outcomes: (Error | null)[] = [];
    for (let i = 0; i < 3; i++) producer.produce({ topic: 'fast-limited', value: Buffer.alloc(600) }, (err) => outcomes.push(err));
    producer.produce({ topic: 'fast-limited', value: Buffer.alloc(1), timestamp: 1.5 }, (err) => outcomes.push(err));
    await producer.flush();
    expect(outcomes.length).toBe(4);
    expect(outcomes[0]).toBeInstanceOf(RangeError);
    for (const err of outcomes.slice(1)) {
      expect(err).toBeInstanceOf(KafkaError);
      expect((err as KafkaError).errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    }
    await producer.close();
  });
});
