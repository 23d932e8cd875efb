// Consumer groups in a 3-broker cluster on a real etcd: `__consumer_offsets` is a replicated topic, the
// coordinator of a group is the leader of its offsets partition (FindCoordinator says so, other brokers
// answer NOT_COORDINATOR), and a kafkajs group keeps its committed offsets across a SIGKILL of the
// coordinator's broker: the new leader of the offsets partition serves exactly the committed offsets
// and a new consumer resumes from them without reading any committed record again.
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { KafkaClient } from '../../src/client/index.js';
import { ErrorCode } from '../../src/common/index.js';
import { OFFSETS_TOPIC, partitionForGroup } from '../../src/coordinator/index.js';
import { FindCoordinator, OffsetFetch } from '../../src/protocol/index.js';
import { useCluster, waitFor } from '../helpers/cluster.js';

const { Kafka, logLevel } = kafkajs;
const TOPIC = 'payments';
const GROUP = 'ledger';
const OFFSETS_PARTITIONS = 6;
const PER_PARTITION = 10;

const cluster = useCluster(3, {
  'min.insync.replicas': '2',
  'offsets.topic.num.partitions': String(OFFSETS_PARTITIONS),
  'group.initial.rebalance.delay.ms': '0',
});

function kafka(): InstanceType<typeof Kafka> {
  const brokers = [...cluster().brokers.values()].map((b) => b.bootstrap);
  return new Kafka({ clientId: 'cluster-groups', brokers, logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 200 } });
}

async function findCoordinator(client: KafkaClient, nodeId: number) {
  const conn = await client.connectionFor(nodeId);
  return conn.send(FindCoordinator, 2, { key: GROUP, keyType: 0 });
}

async function offsetsLeader(client: KafkaClient): Promise<number> {
  const meta = await client.metadata([OFFSETS_TOPIC]);
  const partition = partitionForGroup(GROUP, OFFSETS_PARTITIONS);
  return meta.topics.find((t) => t.name === OFFSETS_TOPIC)?.partitions.find((p) => p.partition === partition)?.leader ?? -1;
}

/** Consumes with a fresh group member until `count` records arrived (plus a quiet period to catch extras). */
async function consume(count: number): Promise<string[]> {
  const consumer = kafka().consumer({ groupId: GROUP, heartbeatInterval: 300, maxWaitTimeInMs: 200, sessionTimeout: 10_000 });
  const seen: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      seen.push(`${partition}:${message.offset}:${message.value?.toString() ?? ''}`);
    },
  });
  await waitFor(`${count} records`, async () => seen.length >= count, 30_000);
  // Auto-commit happens after each batch: let the last one land, and give duplicates a chance to show.
  await new Promise((r) => setTimeout(r, 1000));
  await consumer.disconnect();
  return seen.sort();
}

const expected = (from: number, to: number): string[] =>
  [0, 1, 2].flatMap((p) => Array.from({ length: to - from }, (_, i) => `${p}:${from + i}:p${p}-${from + i}`)).sort();

async function produce(from: number, to: number): Promise<void> {
  const producer = kafka().producer();
  await producer.connect();
  for (const partition of [0, 1, 2]) {
    const messages = Array.from({ length: to - from }, (_, i) => ({ partition, value: `p${partition}-${from + i}` }));
    await producer.send({ topic: TOPIC, acks: -1, messages });
  }
  await producer.disconnect();
}

describe('consumer groups in a 3-broker cluster', () => {
  it('keeps the committed offsets of a group across the SIGKILL of its coordinator', async () => {
    const admin = kafka().admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 3 }] });
    await admin.disconnect();
    await produce(0, PER_PARTITION);
    expect(await consume(3 * PER_PARTITION)).toEqual(expected(0, PER_PARTITION));

    // __consumer_offsets is a real replicated topic: RF 3, the configured partition count.
    const client = await cluster().client();
    const meta = await client.metadata([OFFSETS_TOPIC]);
    const offsetsTopic = meta.topics.find((t) => t.name === OFFSETS_TOPIC);
    expect(offsetsTopic?.partitions).toHaveLength(OFFSETS_PARTITIONS);
    for (const p of offsetsTopic?.partitions ?? []) expect([...p.replicas].sort()).toEqual([1, 2, 3]);

    // Every broker names the leader of the group's offsets partition; the others refuse the group.
    const coordinator = await offsetsLeader(client);
    for (const id of [1, 2, 3]) {
      const found = await findCoordinator(client, id);
      expect(found.errorCode).toBe(ErrorCode.NONE);
      expect(found.nodeId).toBe(coordinator);
      expect(found.port).toBe(cluster().brokers.get(coordinator)?.port);
    }
    const other = [1, 2, 3].find((id) => id !== coordinator)!;
    const refused = await (await client.connectionFor(other)).send(OffsetFetch, 3, { groupId: GROUP, topics: null });
    expect(refused.errorCode).toBe(ErrorCode.NOT_COORDINATOR);

    await cluster().kill(coordinator);
    const survivor = [...cluster().brokers.values()][0]!;
    const after = await KafkaClient.connect({ broker: survivor.bootstrap, requestTimeoutMs: 10_000 });
    try {
      const newLeader = await waitFor('a new leader of the offsets partition', async () => {
        const leader = await offsetsLeader(after);
        return leader >= 0 && leader !== coordinator ? leader : undefined;
      });
      const found = await waitFor('FindCoordinator to name the new leader', async () => {
        const res = await findCoordinator(after, newLeader);
        return res.errorCode === ErrorCode.NONE && res.nodeId === newLeader ? res : undefined;
      });
      expect(found.nodeId).toBe(newLeader);
    } finally {
      await after.close();
    }

    const admin2 = kafka().admin();
    await admin2.connect();
    const committed = await waitFor('the committed offsets from the new coordinator', () => admin2.fetchOffsets({ groupId: GROUP, topics: [TOPIC] }));
    await admin2.disconnect();
    expect(committed).toEqual([
      { topic: TOPIC, partitions: [0, 1, 2].map((partition) => ({ partition, offset: String(PER_PARTITION), metadata: null })) },
    ]);

    // A new member resumes from the committed offsets: only the records produced since.
    await produce(PER_PARTITION, PER_PARTITION + 5);
    expect(await consume(3 * 5)).toEqual(expected(PER_PARTITION, PER_PARTITION + 5));
  }, 90_000);
});
