// Delivery reports of a partition come in the order its records were sent, against a broker process
// (real socket timing): with five batches of a partition in flight, the first requests wait in one
// promise chain for the opening connection and later ones are written at once, so their answers
// settle some microtasks apart. Before the producer settled requests in send order, about one run in
// two of this load reported a later batch before three earlier ones.
import { describe, expect, it } from 'vitest';
import { Admin, KafkaClient, Producer } from '../../src/client/index.js';
import { useBrokerProcess } from '../helpers/broker-process.js';

const broker = useBrokerProcess();

describe('producer delivery order', () => {
  it('reports 300,000 records in send order with five batches in flight', async () => {
    const client = await KafkaClient.connect({ broker: broker().bootstrap });
    try {
      const [created] = await new Admin(client).createTopics([{ name: 'order', numPartitions: 1, replicationFactor: 1, configs: {} }]);
      expect(created?.errorCode).toBe(0);
      const producer = new Producer(client); // idempotent by default: five batches per partition in flight
      await client.topicMetadata('order');
      const value = Buffer.alloc(100, 7);
      const offsets: number[] = [];
      let failed = 0;
      for (let i = 0; i < 300_000; i++) {
        const wait = producer.produce({ topic: 'order', value }, (err, md) => (err === null ? offsets.push(md!.offset) : failed++));
        if (wait !== undefined) await wait;
      }
      await producer.close();
      expect(failed).toBe(0);
      let outOfOrder = 0;
      for (let i = 0; i < offsets.length; i++) if (offsets[i] !== i) outOfOrder++;
      expect([offsets.length, outOfOrder]).toEqual([300_000, 0]);
    } finally {
      await client.close();
    }
  });
});
