import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, Consumer, KafkaClient, Producer, type ConsumedRecord, type RecordMetadata } from '../../src/client/index.js';
import { ErrorCode, KafkaError } from '../../src/common/index.js';
import type { CompressionType } from '../../src/records/index.js';
import { startTestBroker, type TestBroker } from './broker-fixture.js';

let tb: TestBroker;
let client: KafkaClient;
let admin: Admin;

beforeAll(async () => {
  tb = await startTestBroker({ 'message.max.bytes': String(8 * 1024 * 1024) });
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

async function consumeAll(topic: string, start: Map<number, number>, until: Map<number, number>, consumer = new Consumer(client)): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  for await (const r of consumer.consume(topic, start, { untilOffsets: until })) out.push(r);
  return out;
}

function sample(i: number) {
  return {
    key: i % 7 === 0 ? null : Buffer.from(`key-${i % 50}`),
    value: i % 11 === 0 ? null : Buffer.from(`value-${i}-${'x'.repeat(i % 40)}`),
    headers: i % 3 === 0 ? [] : [{ key: 'h1', value: Buffer.from(`hv${i}`) }, { key: 'h2', value: i % 2 === 0 ? null : Buffer.from([i & 0xff]) }],
    timestamp: 1_700_000_000_000 + i,
  };
}

describe('Producer and Consumer against a real broker', () => {
  const codecs: CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
  it.each(codecs)('round-trips 10,000 records compressed with %s', async (compression) => {
    const topic = `roundtrip-${compression}`;
    await createTopic(topic, 3);
    const producer = new Producer(client, { compression, batchBytes: 64 * 1024 });
    const sent = Array.from({ length: 10_000 }, (_, i) => sample(i));
    const metas = await Promise.all(sent.map((r) => producer.send({ topic, ...r })));
    await producer.close();

    // Offsets per partition are dense, in send order, starting at 0.
    const perPartition = new Map<number, number[]>();
    metas.forEach((m, i) => perPartition.set(m.partition, [...(perPartition.get(m.partition) ?? []), i]));
    for (const [partition, indexes] of perPartition) {
      expect(indexes.map((i) => (metas[i] as RecordMetadata).offset)).toEqual(indexes.map((_, j) => j));
      expect(partition).toBeGreaterThanOrEqual(0);
    }
    expect(metas.every((m, i) => m.topic === topic && m.timestamp === sent[i]?.timestamp)).toBe(true);

    const latest = await client.listOffsets(topic, [0, 1, 2], -1);
    const until = new Map([...latest].map(([p, o]) => [p, o.offset]));
    expect([...until.values()].reduce((a, b) => a + b, 0)).toBe(10_000);
    const got = await consumeAll(topic, new Map([[0, 0], [1, 0], [2, 0]]), until);
    expect(got.length).toBe(10_000);
    // Everything read back, in (partition, offset) order, equals what was sent.
    const expected = sent
      .map((s, i) => ({ topic, partition: metas[i]?.partition, offset: metas[i]?.offset, timestamp: s.timestamp, key: s.key, value: s.value, headers: s.headers }))
      .sort((a, b) => (a.partition ?? 0) - (b.partition ?? 0) || (a.offset ?? 0) - (b.offset ?? 0));
    const actual = got.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers }));
    expect(actual).toEqual(expected);
  });

  it('sends keyed records to the murmur2 partition and keeps their order', async () => {
    await createTopic('keyed', 4);
    const producer = new Producer(client);
    const metas = await Promise.all(Array.from({ length: 100 }, (_, i) => producer.send({ topic: 'keyed', key: Buffer.from('same-key'), value: Buffer.from(String(i)) })));
    await producer.close();
    expect(new Set(metas.map((m) => m.partition)).size).toBe(1);
    expect(metas.map((m) => m.offset)).toEqual(metas.map((_, i) => i));
  });

  it('produces with acks=0 (no response) and the records arrive', async () => {
    await createTopic('fire-and-forget', 1);
    const producer = new Producer(client, { acks: 0 });
    const metas = await Promise.all(Array.from({ length: 1000 }, (_, i) => producer.send({ topic: 'fire-and-forget', value: Buffer.from(`m${i}`) })));
    await producer.close();
    expect(metas.every((m) => m.offset === -1)).toBe(true);
    let end = 0;
    for (let i = 0; i < 100 && end < 1000; i++) {
      end = (await client.listOffsets('fire-and-forget', [0], -1)).get(0)?.offset ?? 0;
      if (end < 1000) await new Promise((r) => setTimeout(r, 50));
    }
    expect(end).toBe(1000);
    const got = await consumeAll('fire-and-forget', new Map([[0, 0]]), new Map([[0, 1000]]));
    expect(got.map((r) => r.value?.toString())).toEqual(Array.from({ length: 1000 }, (_, i) => `m${i}`));
  });

  it('lists earliest, latest and by-timestamp offsets', async () => {
    await createTopic('times', 1);
    const producer = new Producer(client, { lingerMs: 0 });
    for (let i = 0; i < 5; i++) {
      // One batch per record so that timestamp lookups resolve to single records.
      await producer.send({ topic: 'times', value: Buffer.from(`t${i}`), timestamp: 1000 * (i + 1) });
    }
    await producer.close();
    expect(await client.listOffsets('times', [0], -2)).toEqual(new Map([[0, { offset: 0, timestamp: -1 }]]));
    expect((await client.listOffsets('times', [0], -1)).get(0)?.offset).toBe(5);
    expect(await client.listOffsets('times', [0], 2500)).toEqual(new Map([[0, { offset: 2, timestamp: 3000 }]]));
    expect(await client.listOffsets('times', [0], 1000)).toEqual(new Map([[0, { offset: 0, timestamp: 1000 }]]));
    expect((await client.listOffsets('times', [0], 9999)).get(0)?.offset).toBe(-1);
  });

  it('stops exactly at untilOffsets, per partition', async () => {
    await createTopic('bounded', 3);
    const producer = new Producer(client);
    await Promise.all(
      [0, 1, 2].flatMap((partition) => Array.from({ length: 10 }, (_, i) => producer.send({ topic: 'bounded', partition, value: Buffer.from(`${partition}:${i}`) }))),
    );
    await producer.close();
    const got = await consumeAll('bounded', new Map([[0, 2], [1, 0], [2, 9]]), new Map([[0, 5], [1, 0], [2, 10]]));
    expect(got.map((r) => r.value?.toString())).toEqual(['0:2', '0:3', '0:4', '2:9']);
  });

  it('stops a consume that is waiting for data when its signal aborts', async () => {
    await createTopic('quiet', 1);
    const consumer = new Consumer(client, { maxWaitMs: 60_000 });
    const controller = new AbortController();
    const got: ConsumedRecord[] = [];
    setTimeout(() => controller.abort(), 200);
    for await (const r of consumer.consume('quiet', new Map([[0, 0]]), { signal: controller.signal })) got.push(r);
    expect(got).toEqual([]);
    expect(controller.signal.aborted).toBe(true);
  }, 10_000);

  it('delivers records that arrive while a consume long-polls', async () => {
    await createTopic('live', 1);
    const consumer = new Consumer(client, { maxWaitMs: 10_000 });
    const reading = consumeAll('live', new Map([[0, 0]]), new Map([[0, 3]]), consumer);
    const producer = new Producer(client);
    await new Promise((r) => setTimeout(r, 100));
    await Promise.all(['a', 'b', 'c'].map((v) => producer.send({ topic: 'live', value: Buffer.from(v) })));
    await producer.close();
    expect((await reading).map((r) => r.value?.toString())).toEqual(['a', 'b', 'c']);
  }, 10_000);

  it('reads a batch larger than partitionMaxBytes', async () => {
    await createTopic('big', 1);
    const producer = new Producer(client);
    const value = Buffer.alloc(3 * 1024 * 1024, 7);
    await producer.send({ topic: 'big', value });
    await producer.close();
    const consumer = new Consumer(client, { partitionMaxBytes: 64 * 1024 });
    const got = await consumeAll('big', new Map([[0, 0]]), new Map([[0, 1]]), consumer);
    expect(got.length).toBe(1);
    expect(got[0]?.value?.equals(value)).toBe(true);
  });

  it('raises OFFSET_OUT_OF_RANGE as a KafkaError', async () => {
    await createTopic('short', 1);
    const consumer = new Consumer(client);
    let caught: unknown;
    try {
      await consumeAll('short', new Map([[0, 42]]), new Map([[0, 50]]), consumer);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(KafkaError);
    expect((caught as KafkaError).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect((caught as Error).message).toContain('fetch short/0 at offset 42');
  });

  it('rejects each record of a batch the broker refuses, with the error code', async () => {
    await createTopic('limited', 1);
    await admin.alterConfigs('limited', { 'max.message.bytes': '1000' }, []);
    const producer = new Producer(client);
    const results = await Promise.allSettled([producer.send({ topic: 'limited', value: Buffer.alloc(5000) })]);
    await producer.close();
    expect(results[0]?.status).toBe('rejected');
    const err = (results[0] as PromiseRejectedResult).reason as KafkaError;
    expect(err).toBeInstanceOf(KafkaError);
    expect(err.errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect(err.message).toContain('produce to limited/0: MESSAGE_TOO_LARGE');
  });

  it('auto-creates topics on produce and applies backpressure to enqueue', async () => {
    const producer = new Producer(client, { bufferBytes: 64 * 1024, batchBytes: 16 * 1024 });
    const deliveries: Promise<RecordMetadata>[] = [];
    let maxBuffered = 0;
    for (let i = 0; i < 2000; i++) {
      const { delivery } = await producer.enqueue({ topic: 'auto-created', value: Buffer.alloc(500, i & 0xff) });
      deliveries.push(delivery);
      maxBuffered = Math.max(maxBuffered, producer.buffered);
    }
    await producer.flush();
    expect(maxBuffered).toBeLessThanOrEqual(64 * 1024);
    const metas = await Promise.all(deliveries);
    expect(metas.length).toBe(2000);
    expect(await admin.listTopics()).toContain('auto-created');
    await producer.close();
  });
});

describe('Producer retries', () => {
  it('reconnects and retries after the broker restarts', async () => {
    const first = await startTestBroker();
    const port = first.broker.tcp.port;
    const retryClient = await KafkaClient.connect({ broker: first.address });
    try {
      await new Admin(retryClient).createTopics([{ name: 'restart', numPartitions: 1, replicationFactor: 1, configs: {} }]);
      const producer = new Producer(retryClient, { retries: 8, retryBackoffMs: 50 });
      expect((await producer.send({ topic: 'restart', value: Buffer.from('before') })).offset).toBe(0);
      await first.broker.stop();
      const sending = producer.send({ topic: 'restart', value: Buffer.from('after') });
      const { loadBrokerConfig, startBroker } = await import('../../src/broker/index.js');
      const { silentLogger } = await import('../../src/common/index.js');
      const second = await startBroker(loadBrokerConfig({ overrides: {}, dataDir: first.dataDir, listen: `127.0.0.1:${port}`, socket: false }), silentLogger);
      try {
        expect((await sending).offset).toBe(1);
        await producer.close();
        const got = await consumeAll('restart', new Map([[0, 0]]), new Map([[0, 2]]), new Consumer(retryClient));
        expect(got.map((r) => r.value?.toString())).toEqual(['before', 'after']);
      } finally {
        await second.stop();
      }
    } finally {
      await retryClient.close();
      await first.stop();
    }
  }, 20_000);
});
