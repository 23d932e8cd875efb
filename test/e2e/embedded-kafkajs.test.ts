import { afterAll, beforeAll, expect, test } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker, type EmbeddedBroker } from 'logctl';

let broker: EmbeddedBroker;

beforeAll(async () => {
  // A fresh broker on a free port, with its data in a temp directory that stop() removes.
  broker = await startBroker({ config: { 'group.initial.rebalance.delay.ms': '0' } });
  await broker.createTopic('orders', { partitions: 3 });
});

afterAll(async () => {
  await broker.stop();
});

test('a kafkajs producer and consumer group round-trip through an embedded broker', async () => {
  const kafka = new Kafka({ clientId: 'my-tests', brokers: [broker.bootstrapServers], logLevel: logLevel.NOTHING });

  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: 'orders',
    messages: [
      { key: 'alice', value: 'order-1' },
      { key: 'bob', value: 'order-2' },
      { key: 'carol', value: 'order-3' },
    ],
  });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: 'billing' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'orders', fromBeginning: true });
  const received: string[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          received.push(`${message.key}=${message.value}`);
          if (received.length === 3) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();

  expect(received.sort()).toEqual(['alice=order-1', 'bob=order-2', 'carol=order-3']);
});
