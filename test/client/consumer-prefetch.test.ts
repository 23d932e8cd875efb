// When the consumer sends its next fetch: before handing out a response's records while a partition is
// still behind its high watermark (the broker reads the next chunk meanwhile), after handing them out
// once it caught up (the next fetch would only wait for new records; sent first, its write sat in every
// tailing record's latency). Counted by the broker's own request counter (answered requests), against a
// real broker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, Consumer, KafkaClient, Producer } from '../../src/client/index.js';
import { startTestBroker, type TestBroker } from './broker-fixture.js';

let tb: TestBroker;
let client: KafkaClient;

beforeAll(async () => {
  tb = await startTestBroker({ 'metrics.listen': '127.0.0.1:0' });
  client = await KafkaClient.connect({ broker: tb.address });
});

afterAll(async () => {
  await client?.close();
  await tb?.stop();
});

async function fetchRequestsSeen(): Promise<number> {
  const address = tb.broker.metricsAddress;
  if (!address) throw new Error('metrics endpoint not started');
  const text = await (await fetch(`http://${address.host}:${address.port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('logctl_requests_total{api="Fetch"} '));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** A topic of `batches` batches of 10 records of 100 bytes each. */
async function topicWithBatches(name: string, batches: number): Promise<void> {
  const [res] = await new Admin(client).createTopics([{ name, numPartitions: 1, replicationFactor: 1, configs: {} }]);
  expect(res?.errorCode).toBe(0);
  const producer = new Producer(client, { lingerMs: 0 });
  for (let b = 0; b < batches; b++) {
    await Promise.all(Array.from({ length: 10 }, (_, i) => producer.send({ topic: name, partition: 0, value: Buffer.alloc(100, b * 10 + i) })));
  }
  await producer.close();
}

/** Fetch requests the broker received while the caller held the first batch (50 ms), and that batch's size. */
async function fetchesWhileHoldingFirstBatch(topic: string, consumer: Consumer): Promise<{ fetches: number; records: number }> {
  const before = await fetchRequestsSeen();
  for await (const batch of consumer.consumeBatches(topic, new Map([[0, 0]]))) {
    await new Promise((r) => setTimeout(r, 50));
    return { fetches: (await fetchRequestsSeen()) - before, records: batch.length };
  }
  throw new Error('no batch');
}

describe('Consumer fetch pipelining', () => {
  it('asks for the next chunk before handing out records while the partition is behind', async () => {
    await topicWithBatches('prefetch-behind', 3);
    // One batch (~1.1 KB) per fetch: after the first, two more are below the high watermark.
    const consumer = new Consumer(client, { partitionMaxBytes: 1500 });
    expect(await fetchesWhileHoldingFirstBatch('prefetch-behind', consumer)).toEqual({ fetches: 2, records: 10 });
  });

  it('hands out records first once it caught up with the high watermark', async () => {
    await topicWithBatches('prefetch-caught-up', 1);
    // The broker counts a request once answered: a 10 ms long poll would be answered (empty) meanwhile.
    const consumer = new Consumer(client, { maxWaitMs: 10 });
    expect(await fetchesWhileHoldingFirstBatch('prefetch-caught-up', consumer)).toEqual({ fetches: 1, records: 10 });
  });
});
