// EtcdMetadataStore against a real etcd: broker leases, topics with CAS, partition state fencing, watches.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../src/common/index.js';
import { EtcdMetadataStore } from '../../src/cluster/etcd-metadata-store.js';
import type { ClusterEvent } from '../../src/cluster/etcd-watch.js';
import { startEtcd, startTcpProxy, type EtcdProcess, type TcpProxy } from '../helpers/etcd.js';

let etcd: EtcdProcess;
const open: EtcdMetadataStore[] = [];
const proxies: TcpProxy[] = [];

beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.stop();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

async function store(clusterName: string, endpoint = etcd.endpoint): Promise<EtcdMetadataStore> {
  const s = await EtcdMetadataStore.open({ endpoints: [endpoint], clusterName, sessionTtlSeconds: 2, callTimeoutMs: 1000 });
  open.push(s);
  return s;
}

async function errorCode(p: Promise<unknown>): Promise<number | null> {
  try {
    await p;
    return null;
  } catch (err) {
    return err instanceof KafkaError ? err.errorCode : -999;
  }
}

async function until<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('EtcdMetadataStore', () => {
  it('shares one cluster id per cluster name, distinct across names', async () => {
    const name = randomUUID();
    const [a, b, c] = [await store(name), await store(name), await store(randomUUID())];
    expect(a.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(b.clusterId).toBe(a.clusterId);
    expect(c.clusterId).not.toBe(a.clusterId);
  });

  it('registers brokers, refuses a duplicate live node id, and drops a broker whose lease expires', async () => {
    const name = randomUUID();
    const proxy = await startTcpProxy(etcd.endpoint);
    proxies.push(proxy);
    const [a, b, observer] = [await store(name, proxy.endpoint), await store(name), await store(name)];
    await a.registerBroker({ nodeId: 1, host: 'h1', port: 9001, rack: null });
    await b.registerBroker({ nodeId: 2, host: 'h2', port: 9002, rack: 'r2' });
    await a.registerBroker({ nodeId: 1, host: 'h1', port: 9011, rack: null }); // refresh own key
    expect(await observer.listBrokers()).toEqual([
      { nodeId: 1, host: 'h1', port: 9011, rack: null },
      { nodeId: 2, host: 'h2', port: 9002, rack: 'r2' },
    ]);
    const dup = await store(name);
    await expect(dup.registerBroker({ nodeId: 2, host: 'x', port: 1, rack: null })).rejects.toThrow(/node id 2 is already registered by a live broker at h2:9002/);

    proxy.cut(); // broker 1 loses etcd: no more keepalives
    const started = Date.now();
    await until(async () => (await observer.listBrokers()).length === 1);
    expect(await observer.listBrokers()).toEqual([{ nodeId: 2, host: 'h2', port: 9002, rack: 'r2' }]);
    expect(Date.now() - started).toBeLessThan(6000);

    await b.close(); // clean close revokes at once
    expect(await observer.listBrokers()).toEqual([]);
  });

  it('creates, updates, extends and deletes topics with versions and CAS', async () => {
    const s = await store(randomUUID());
    const created = await s.createTopic({ name: 'orders', partitions: 2, replicationFactor: 2, assignments: [[1, 2], [2, 1]], configs: { 'retention.ms': '1000' } });
    expect(created.version).toBe(1);
    expect(await errorCode(s.createTopic({ name: 'orders', partitions: 1, replicationFactor: 1, assignments: [[1]], configs: {} }))).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect(await s.getTopic('orders')).toEqual(created);
    const states = await s.partitions.list('orders');
    expect(states.map(({ modRevision: _m, ...rest }) => rest)).toEqual([
      { topic: 'orders', partition: 0, topicId: created.topicId, replicas: [1, 2], isr: [1, 2], leader: 1, leaderEpoch: 0, partitionEpoch: 1, controllerEpoch: 0 },
      { topic: 'orders', partition: 1, topicId: created.topicId, replicas: [2, 1], isr: [2, 1], leader: 2, leaderEpoch: 0, partitionEpoch: 1, controllerEpoch: 0 },
    ]);

    const updated = await s.updateConfigs('orders', { 'cleanup.policy': 'compact' }, 1);
    expect(updated).toMatchObject({ configs: { 'cleanup.policy': 'compact' }, version: 2 });
    expect(await errorCode(s.updateConfigs('orders', {}, 1))).toBe(ErrorCode.INVALID_UPDATE_VERSION);
    const grown = await s.addPartitions('orders', 3, [[1, 2]], 2);
    expect(grown).toMatchObject({ partitions: 3, assignments: [[1, 2], [2, 1], [1, 2]], version: 3 });
    expect((await s.partitions.get('orders', 2))?.leader).toBe(1);
    expect(await errorCode(s.deleteTopic('orders', 2))).toBe(ErrorCode.INVALID_UPDATE_VERSION);
    await s.deleteTopic('orders', 3);
    expect(await s.getTopic('orders')).toBeUndefined();
    expect(await s.partitions.list('orders')).toEqual([]);
    expect(await errorCode(s.deleteTopic('orders'))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('writes topics larger than one etcd transaction', async () => {
    const s = await store(randomUUID());
    const assignments = Array.from({ length: 250 }, (_, p) => [p % 3]);
    await s.createTopic({ name: 'wide', partitions: 250, replicationFactor: 1, assignments, configs: {} });
    const states = await s.partitions.list('wide');
    expect(states.map((p) => p.partition)).toEqual(Array.from({ length: 250 }, (_, p) => p));
  });

  it('lets the leader change its ISR with CAS and rejects stale proposals', async () => {
    const name = randomUUID();
    const [leader, follower] = [await store(name), await store(name)];
    await leader.registerBroker({ nodeId: 1, host: 'h', port: 1, rack: null });
    await follower.registerBroker({ nodeId: 2, host: 'h', port: 2, rack: null });
    await leader.createTopic({ name: 't', partitions: 1, replicationFactor: 3, assignments: [[1, 2, 3]], configs: {} });
    const shrunk = await leader.partitions.alterIsr({ topic: 't', partition: 0, leaderId: 1, leaderEpoch: 0, partitionEpoch: 1, newIsr: [1, 2] });
    expect(shrunk).toMatchObject({ isr: [1, 2], leader: 1, leaderEpoch: 0, partitionEpoch: 2 });
    // The same (now stale) proposal again: the partition epoch moved on.
    expect(await errorCode(leader.partitions.alterIsr({ topic: 't', partition: 0, leaderId: 1, leaderEpoch: 0, partitionEpoch: 1, newIsr: [1] }))).toBe(
      ErrorCode.INVALID_UPDATE_VERSION,
    );
    // Broker 3 is not registered: it cannot join the ISR.
    expect(await errorCode(leader.partitions.alterIsr({ topic: 't', partition: 0, leaderId: 1, leaderEpoch: 0, partitionEpoch: 2, newIsr: [1, 2, 3] }))).toBe(
      ErrorCode.INELIGIBLE_REPLICA,
    );
    // Broker 2 is not the leader.
    expect(await errorCode(follower.partitions.alterIsr({ topic: 't', partition: 0, leaderId: 2, leaderEpoch: 0, partitionEpoch: 2, newIsr: [2] }))).toBe(
      ErrorCode.FENCED_LEADER_EPOCH,
    );
    expect((await leader.partitions.get('t', 0))?.isr).toEqual([1, 2]);
  });

  it('delivers changes to watchers from a snapshot revision without gaps', async () => {
    const name = randomUUID();
    const s = await store(name);
    await s.createTopic({ name: 'before', partitions: 1, replicationFactor: 1, assignments: [[1]], configs: {} });
    const snap = await s.snapshot();
    expect(snap.topics.map((t) => t.name)).toEqual(['before']);
    await s.createTopic({ name: 'between', partitions: 1, replicationFactor: 1, assignments: [[1]], configs: {} });
    const seen: ClusterEvent[][] = [];
    await s.watch((events) => seen.push(events), String(BigInt(snap.revision) + 1n));
    const b = await store(name);
    await b.registerBroker({ nodeId: 7, host: 'h7', port: 7, rack: null });
    await s.deleteTopic('before');
    await b.close();
    await until(async () => seen.length >= 4);
    expect(seen.map((batch) => batch.map(describe1))).toEqual([
      ['topic between', 'partition between-0 leader 1'],
      ['broker 7 up'],
      ['topic before deleted', 'partition before-0 deleted'],
      ['broker 7 down'],
    ]);
  });
});

function describe1(e: ClusterEvent): string {
  switch (e.type) {
    case 'broker':
      return `broker ${e.nodeId} ${e.broker === null ? 'down' : 'up'}`;
    case 'topic':
      return `topic ${e.name}${e.topic === null ? ' deleted' : ''}`;
    case 'partition':
      return `partition ${e.topic}-${e.partition} ${e.state === null ? 'deleted' : `leader ${e.state.leader}`}`;
    case 'controller':
      return `controller ${e.controller?.nodeId ?? 'none'}`;
    case 'shuttingDown':
      return `broker ${e.nodeId} ${e.shuttingDown ? 'shutting down' : 'running'}`;
  }
}
