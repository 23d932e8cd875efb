// Three real brokers (RF 3, min.insync.replicas 2) coordinated by a real etcd: metadata from etcd,
// acks=all replication with identical logs, NOT_LEADER_OR_FOLLOWER from followers, NOT_ENOUGH_REPLICAS
// with two brokers down, and controller fail-over.
import { describe, expect, it } from 'vitest';
import { Admin, KafkaClient, Producer } from '../../src/client/index.js';
import { ErrorCode } from '../../src/common/index.js';
import { Produce, Metadata } from '../../src/protocol/index.js';
import { buildRecordBatch, decodeRecordBatches } from '../../src/records/index.js';
import { SESSION_TIMEOUT_MS, useCluster, waitFor } from '../helpers/cluster.js';

const cluster = useCluster(3, { 'min.insync.replicas': '2' });

async function partitionState(client: KafkaClient, topic: string, partition = 0) {
  const meta = await client.metadata([topic]);
  const p = meta.topics.find((t) => t.name === topic)?.partitions.find((x) => x.partition === partition);
  return { meta, p };
}

describe('a 3-broker cluster on etcd', () => {
  it('reports brokers, controller, leaders, replicas and ISR from etcd', async () => {
    const client = await cluster().client();
    const admin = new Admin(client);
    const [created] = await admin.createTopics([{ name: 'orders', numPartitions: 3, replicationFactor: 3, configs: {} }]);
    expect(created?.errorCode).toBe(0);
    const { meta } = await partitionState(client, 'orders');
    expect(meta.brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
    expect([1, 2, 3]).toContain(meta.controllerId);
    const topic = meta.topics.find((t) => t.name === 'orders');
    expect(topic?.partitions).toHaveLength(3);
    for (const p of topic?.partitions ?? []) {
      expect([...p.replicas].sort()).toEqual([1, 2, 3]);
      expect([...p.isr].sort()).toEqual([1, 2, 3]);
      expect(p.replicas[0]).toBe(p.leader);
    }
    // Leaders are spread: three partitions, three different leaders.
    expect(new Set(topic?.partitions.map((p) => p.leader)).size).toBe(3);
  });

  it('replicates acks=all writes to identical logs on all three brokers', async () => {
    const client = await cluster().client();
    const producer = new Producer(client, { acks: -1, lingerMs: 2 });
    const acked = await Promise.all(
      Array.from({ length: 200 }, (_, i) => producer.send({ topic: 'orders', partition: 0, value: Buffer.from(`v${i}`) })),
    );
    expect(acked.map((a) => a.offset)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    await producer.close();
    const leaderBytes = await waitFor('followers to catch up', async () => {
      const logs = [1, 2, 3].map((id) => cluster().logBytes(id, 'orders', 0));
      return logs.every((l) => l.length > 0 && l.equals(logs[0]!)) ? logs[0] : undefined;
    });
    const records = await decodeRecordBatches(leaderBytes);
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(records.map((r) => r.value?.toString())).toEqual(Array.from({ length: 200 }, (_, i) => `v${i}`));
  });

  it('answers NOT_LEADER_OR_FOLLOWER for a produce to a follower', async () => {
    const client = await cluster().client();
    const { p } = await partitionState(client, 'orders', 1);
    const follower = [1, 2, 3].find((id) => id !== p?.leader)!;
    const conn = await client.connectionFor(follower);
    const records = await buildRecordBatch([{ value: Buffer.from('x') }]);
    const res = await conn.send(Produce, 7, {
      transactionalId: null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name: 'orders', partitionData: [{ index: 1, records }] }],
    });
    expect(res.responses[0]?.partitionResponses[0]?.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const meta = await conn.send(Metadata, 4, { topics: [{ name: 'orders' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    expect(meta.topics[0]?.partitions.find((x) => x.partitionIndex === 1)?.leaderId).toBe(p?.leader);
  });

  it('elects a new controller when the controller dies', async () => {
    const client = await cluster().client();
    const before = (await client.metadata([])).controllerId;
    const killedAt = Date.now();
    await cluster().kill(before);
    const after = await waitFor('a new controller', async () => {
      const c = await KafkaClient.connect({ broker: cluster().bootstrap() });
      try {
        const id = (await c.metadata([])).controllerId;
        return id >= 0 && id !== before ? id : undefined;
      } finally {
        await c.close();
      }
    });
    expect(after).not.toBe(before);
    expect(Date.now() - killedAt).toBeLessThan(SESSION_TIMEOUT_MS + 5000);
    await cluster().start(before);
  });

  it('refuses acks=all with NOT_ENOUGH_REPLICAS when two of three brokers are down', async () => {
    const admin = new Admin(await cluster().client());
    await admin.createTopics([{ name: 'strict', numPartitions: 1, replicationFactor: 3, configs: {} }]);
    const c0 = await cluster().client();
    const { p } = await partitionState(c0, 'strict');
    const leader = p!.leader;
    const others = [1, 2, 3].filter((id) => id !== leader);
    for (const id of others) await cluster().kill(id);
    const leaderBroker = cluster().brokers.get(leader)!;
    const client = await KafkaClient.connect({ broker: leaderBroker.bootstrap });
    try {
      // The controller removes the dead followers from the ISR once their sessions expire.
      const code = await waitFor('NOT_ENOUGH_REPLICAS', async () => {
        const conn = await client.connectionFor(leader);
        const records = await buildRecordBatch([{ value: Buffer.from('must not be acknowledged') }]);
        const res = await conn.send(Produce, 7, {
          transactionalId: null,
          acks: -1,
          timeoutMs: 1000,
          topicData: [{ name: 'strict', partitionData: [{ index: 0, records }] }],
        });
        const errorCode = res.responses[0]?.partitionResponses[0]?.errorCode;
        expect(errorCode).not.toBe(0);
        return errorCode === ErrorCode.NOT_ENOUGH_REPLICAS ? errorCode : undefined;
      }, 15_000);
      expect(code).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    } finally {
      await client.close();
      for (const id of others) await cluster().start(id);
    }
  });
});
