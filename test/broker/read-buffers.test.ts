// Fetch responses reference pooled read buffers (src/broker/read-buffers.ts) until their last chunk is
// written. A client that stops reading keeps its responses queued in the broker; meanwhile another
// client's fetches take buffers from the pool. If a buffer went back to the pool before its response
// was written, the queued responses would carry the other partition's bytes (their CRCs would fail).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaClient, Producer } from '../../src/client/index.js';
import { Fetch, type FetchRequest } from '../../src/protocol/index.js';
import { decodeRecordBatches } from '../../src/records/index.js';
import { createTopic, startTestBroker, type TestBroker } from './helpers.js';
import { fetchRequest } from '../helpers/fetch-request.js';

const TOPIC = 'pooled';
const RECORDS = 40_000;
/** Small batches: every 1 MiB fetch holds many whole batches. */
const BATCH_BYTES = 64 * 1024;

let t: TestBroker;

beforeAll(async () => {
  t = await startTestBroker();
  await createTopic(t, TOPIC, 2);
  const client = await KafkaClient.connect({ broker: `127.0.0.1:${t.broker.tcp.port}` });
  try {
    const producer = new Producer(client, { acks: -1, batchBytes: BATCH_BYTES });
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < RECORDS; i++) {
      sends.push(producer.send({ topic: TOPIC, partition: 0, value: Buffer.alloc(100, 'a') }));
      sends.push(producer.send({ topic: TOPIC, partition: 1, value: Buffer.alloc(100, 'b') }));
    }
    await producer.flush();
    await Promise.all(sends);
    await producer.close();
  } finally {
    await client.close();
  }
}, 60_000);

afterAll(async () => {
  await t?.cleanup();
});

/** read_uncommitted, as consumers ask by default. */
const fetchAt = (partition: number, fetchOffset: number): FetchRequest => fetchRequest(TOPIC, partition, fetchOffset, { isolationLevel: 0 });

describe('pooled fetch read buffers', () => {
  it("keep a response's bytes until it is written, while other fetches reuse the pool", async () => {
    const slow = await t.client();
    const busy = await t.client();
    // The slow client asks for partition 0 many times over and reads nothing: ~12 MiB of responses wait
    // in the broker's socket buffers.
    slow.socket.pause();
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) ids.push(slow.write(Fetch, 11, fetchAt(0, (i * 3000) % RECORDS)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Meanwhile partition 1 is read through the pool again and again.
    for (let i = 0; i < 40; i++) {
      const res = await busy.send(Fetch, 11, fetchAt(1, (i * 1000) % RECORDS));
      const records = await decodeRecordBatches(res.responses[0]!.partitions[0]!.records as Buffer);
      expect(records.length).toBeGreaterThan(0);
      expect(records.every((r) => r.value?.equals(Buffer.alloc(100, 'b')))).toBe(true);
    }
    slow.socket.resume();
    for (const [i, id] of ids.entries()) {
      const res = await slow.receive(Fetch, 11, id, 10_000);
      const part = res.responses[0]!.partitions[0]!;
      expect(part.errorCode).toBe(0);
      // decodeRecordBatches checks every batch's CRC: bytes from another read would fail here.
      const records = await decodeRecordBatches(part.records as Buffer);
      expect(records[0]!.offset).toBeLessThanOrEqual((i * 3000) % RECORDS);
      expect(records.length).toBeGreaterThan(5000);
      expect(records.every((r) => r.value?.equals(Buffer.alloc(100, 'a')))).toBe(true);
    }
  }, 60_000);
});
