// Two consumer groups read the same topic independently: the broker keeps no per-message delivery
// state, so a group that is stalled mid-topic slows neither the other group nor the producer.
import { expect, it } from 'vitest';
import { useBrokerProcess } from '../helpers/broker-process.js';
import { kafkajsClient } from '../helpers/kafkajs.js';

const broker = useBrokerProcess({ set: { 'group.initial.rebalance.delay.ms': '0' } });

it('a stalled group does not hold back another group or the producer', async () => {
  const kafka = kafkajsClient({ bootstrap: broker().bootstrap });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'shared', numPartitions: 2 }] });

  const producer = kafka.producer();
  await producer.connect();
  const send = async (from: number, count: number): Promise<void> => {
    await producer.send({
      topic: 'shared',
      messages: Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: `v${from + i}` })),
    });
  };
  await send(0, 1000);

  // The slow group reads one record and then never returns from its handler: its position stays at 1.
  let releaseSlow: () => void = () => {};
  const slowBlocked = new Promise<void>((resolve) => (releaseSlow = resolve));
  let slowSeen = 0;
  const slow = kafka.consumer({ groupId: 'slow', maxWaitTimeInMs: 100 });
  await slow.connect();
  await slow.subscribe({ topic: 'shared', fromBeginning: true });
  let slowStarted: () => void = () => {};
  const slowStartedP = new Promise<void>((r) => (slowStarted = r));
  void slow.run({
    partitionsConsumedConcurrently: 1,
    eachMessage: async () => {
      slowSeen++;
      slowStarted();
      await slowBlocked;
    },
  });
  await slowStartedP;

  // Meanwhile the producer keeps going and the fast group reads everything.
  await send(1000, 1000);
  const fastSeen = new Set<string>();
  const fast = kafka.consumer({ groupId: 'fast', maxWaitTimeInMs: 100 });
  await fast.connect();
  await fast.subscribe({ topic: 'shared', fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void fast.run({
      eachMessage: async ({ message }) => {
        fastSeen.add(message.value!.toString());
        if (fastSeen.size === 2000) resolve();
      },
    });
  });
  await done;
  expect(fastSeen.size).toBe(2000);
  expect(slowSeen).toBe(1);

  // Each group's committed offsets are its own.
  await fast.stop();
  const fastOffsets = await admin.fetchOffsets({ groupId: 'fast', topics: ['shared'] });
  const total = fastOffsets[0]!.partitions.reduce((n, p) => n + Number(p.offset), 0);
  expect(total).toBe(2000);
  const slowOffsets = await admin.fetchOffsets({ groupId: 'slow', topics: ['shared'] });
  expect(slowOffsets[0]!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0)).toBeLessThan(2000);

  releaseSlow();
  await Promise.all([slow.disconnect(), fast.disconnect(), producer.disconnect(), admin.disconnect()]);
});
