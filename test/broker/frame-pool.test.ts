// Produce frames assembled from several socket chunks live in pooled memory (src/net/frame-pool.ts)
// that the dispatcher takes back once the request's appends settled. Here one partition's appends
// queue behind a held fsync while another connection keeps producing to a second partition, its frames
// taking memory from the pool and giving it back. Had a frame of the held partition gone back before
// its append was written, a later frame would have overwritten it, and the stored records would differ
// from those sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consumer, KafkaClient, Producer } from '../../src/client/index.js';
import { gatedLogDatasync } from '../storage/helpers.js';
import { createTopic, startTestBroker, type TestBroker } from './helpers.js';

const RECORDS = 2000;

let t: TestBroker;

beforeAll(async () => {
  t = await startTestBroker();
});

afterAll(async () => {
  await t?.cleanup();
});

/** "r<5 digits>" (6 bytes), then 294 bytes that differ from record to record and topic to topic. */
function valueOf(topic: string, i: number): Buffer {
  const v = Buffer.alloc(300, (topic.length * 31 + i) % 251);
  v.write(`r${String(i).padStart(5, '0')}`, 0, 'latin1');
  return v;
}

/** Sends `count` records to partition 0 of `topic` in 128 KiB batches (frames of several chunks). */
async function produce(client: KafkaClient, topic: string, count: number): Promise<void> {
  const producer = new Producer(client, { batchBytes: 128 * 1024, lingerMs: 1 });
  await Promise.all(Array.from({ length: count }, (_, i) => producer.send({ topic, partition: 0, value: valueOf(topic, i) })));
}

describe('pooled produce frames', () => {
  it('keep their bytes until their appends are written, while other requests reuse the pool', async () => {
    const bootstrap = `127.0.0.1:${t.broker.tcp.port}`;
    const [held, free] = await Promise.all([KafkaClient.connect({ broker: bootstrap }), KafkaClient.connect({ broker: bootstrap })]);
    // Installed before the topics exist: their segment files are opened through the gate.
    const gate = gatedLogDatasync((path) => path.includes('/held-0/'));
    try {
      await createTopic(t, 'held', 1);
      await createTopic(t, 'free', 1);
      const pinned = produce(held, 'held', RECORDS);
      await produce(free, 'free', RECORDS * 4);
      expect(gate.held).toBeGreaterThan(0);
      gate.release();
      await pinned;
    } finally {
      gate.restore();
    }
    const got: Buffer[] = [];
    for await (const batch of new Consumer(free).consumeBatches('held', new Map([[0, 0]]), { untilOffsets: new Map([[0, RECORDS]]) })) {
      for (const r of batch) got.push(r.value!);
    }
    expect(got.length).toBe(RECORDS);
    const wrong = got.filter((v, i) => !v.equals(valueOf('held', i))).length;
    expect(wrong).toBe(0);
    await held.close();
    await free.close();
  });
});
