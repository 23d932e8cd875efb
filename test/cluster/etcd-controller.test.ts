// The controller against a real etcd: election and failover, replica assignment, leader election from the
// ISR on broker loss, offline partitions and unclean election, and fencing of a superseded controller.
// A broker "dies" by having its etcd link cut (TCP proxy), so its lease expires exactly as after a crash.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Controller } from '../../src/cluster/controller.js';
import { EtcdMetadataStore } from '../../src/cluster/etcd-metadata-store.js';
import { ErrorCode, KafkaError } from '../../src/common/index.js';
import { startEtcd, startTcpProxy, type EtcdProcess, type TcpProxy } from '../helpers/etcd.js';

const TTL_SECONDS = 2;
let etcd: EtcdProcess;

interface TestBroker {
  nodeId: number;
  store: EtcdMetadataStore;
  controller: Controller;
  proxy: TcpProxy;
}
const running: TestBroker[] = [];

beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.stop();
});
afterEach(async () => {
  await Promise.all(
    running.splice(0).map(async (b) => {
      await b.controller.stop();
      await b.store.close();
      await b.proxy.close();
    }),
  );
});

async function broker(cluster: string, nodeId: number, withController = true): Promise<TestBroker> {
  const proxy = await startTcpProxy(etcd.endpoint);
  const store = await EtcdMetadataStore.open({ endpoints: [proxy.endpoint], clusterName: cluster, sessionTtlSeconds: TTL_SECONDS, callTimeoutMs: 1000 });
  await store.registerBroker({ nodeId, host: '127.0.0.1', port: 9000 + nodeId, rack: null });
  const controller = new Controller({ store, nodeId });
  if (withController) await controller.start();
  const b = { nodeId, store, controller, proxy };
  running.push(b);
  return b;
}

async function until<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stateOf(store: EtcdMetadataStore, topic: string, partition = 0) {
  const s = await store.partitions.get(topic, partition);
  if (s === undefined) throw new Error('no state');
  const { modRevision: _m, ...rest } = s;
  return rest;
}

describe('Controller', () => {
  it('elects exactly one controller and fails over within the lease TTL after the controller dies', async () => {
    const cluster = randomUUID();
    const brokers = [await broker(cluster, 1), await broker(cluster, 2), await broker(cluster, 3)];
    const first = await until(() => brokers.filter((b) => b.controller.isActive).length === 1 && brokers.find((b) => b.controller.isActive));
    expect(first.controller.epoch).toBe(1);
    expect((await first.store.snapshot()).controller).toEqual({ nodeId: first.nodeId, epoch: 1 });

    const died = Date.now();
    first.proxy.cut();
    const others = brokers.filter((b) => b !== first);
    const second = await until(() => others.find((b) => b.controller.isActive));
    const failoverMs = Date.now() - died;
    console.log(`controller failover took ${failoverMs} ms (lease TTL ${TTL_SECONDS} s)`);
    expect(failoverMs).toBeLessThan(TTL_SECONDS * 1000 + 3000);
    expect(second.controller.epoch).toBe(2);
    expect(others.filter((b) => b.controller.isActive)).toHaveLength(1);
    // The cut-off controller notices its lease is gone and stops acting.
    await until(() => !first.controller.isActive);
  });

  it('hands over at once when the controller stops cleanly', async () => {
    const cluster = randomUUID();
    const a = await broker(cluster, 1);
    await until(() => a.controller.isActive);
    const b = await broker(cluster, 2);
    const t0 = Date.now();
    await a.controller.stop();
    await until(() => b.controller.isActive);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(b.controller.epoch).toBe(2);
  });

  it('assigns new topics round-robin over 3 brokers with RF min(3, brokers)', async () => {
    const cluster = randomUUID();
    const [b1] = [await broker(cluster, 1, false), await broker(cluster, 2, false), await broker(cluster, 3, false)];
    const topic = await b1!.store.createTopicOnLiveBrokers({ name: 'spread', partitions: 6, replicationFactor: -1, configs: {} });
    expect(topic.replicationFactor).toBe(3);
    const leaders = topic.assignments.map((r) => r[0]);
    for (const id of [1, 2, 3]) expect(leaders.filter((l) => l === id)).toHaveLength(2);
    for (const r of topic.assignments) expect([...r].sort()).toEqual([1, 2, 3]);
    const states = await b1!.store.partitions.list('spread');
    expect(states.map((s) => s.leader)).toEqual(leaders);
    expect(states.map((s) => s.isr)).toEqual(topic.assignments);
  });

  it('elects a new leader from the ISR with a bumped leader epoch when the leader dies', async () => {
    const cluster = randomUUID();
    const b1 = await broker(cluster, 1, false);
    const b2 = await broker(cluster, 2);
    await broker(cluster, 3, false);
    await until(() => b2.controller.isActive);
    await b2.store.createTopic({ name: 't', partitions: 1, replicationFactor: 3, assignments: [[1, 2, 3]], configs: {} });
    b1.proxy.cut();
    await until(async () => (await stateOf(b2.store, 't')).leader === 2);
    expect(await stateOf(b2.store, 't')).toEqual({
      topic: 't', partition: 0, topicId: expect.any(String), replicas: [1, 2, 3], isr: [2, 3], leader: 2, leaderEpoch: 1, partitionEpoch: 2, controllerEpoch: 1,
    });
  });

  it('takes a partition offline when no ISR member is alive, and back when one returns', async () => {
    const cluster = randomUUID();
    const b1 = await broker(cluster, 1, false);
    const b2 = await broker(cluster, 2);
    await until(() => b2.controller.isActive);
    await b1.store.createTopic({ name: 't', partitions: 1, replicationFactor: 2, assignments: [[1, 2]], configs: {} });
    await b1.store.partitions.alterIsr({ topic: 't', partition: 0, leaderId: 1, leaderEpoch: 0, partitionEpoch: 1, newIsr: [1] });
    b1.proxy.cut();
    await until(async () => (await stateOf(b2.store, 't')).leader === -1);
    expect(await stateOf(b2.store, 't')).toMatchObject({ leader: -1, leaderEpoch: 1, isr: [1], partitionEpoch: 3 });
    // Broker 1 restarts (new session): the last ISR member leads again, with a new epoch.
    await broker(cluster, 1, false);
    await until(async () => (await stateOf(b2.store, 't')).leader === 1);
    expect(await stateOf(b2.store, 't')).toMatchObject({ leader: 1, leaderEpoch: 2, isr: [1], partitionEpoch: 4 });
  });

  it('elects outside the ISR only when unclean.leader.election.enable is true', async () => {
    const cluster = randomUUID();
    const b1 = await broker(cluster, 1, false);
    const b2 = await broker(cluster, 2);
    await until(() => b2.controller.isActive);
    await b1.store.createTopic({ name: 'u', partitions: 1, replicationFactor: 2, assignments: [[1, 2]], configs: { 'unclean.leader.election.enable': 'true' } });
    await b1.store.partitions.alterIsr({ topic: 'u', partition: 0, leaderId: 1, leaderEpoch: 0, partitionEpoch: 1, newIsr: [1] });
    b1.proxy.cut();
    await until(async () => (await stateOf(b2.store, 'u')).leader === 2);
    expect(await stateOf(b2.store, 'u')).toMatchObject({ leader: 2, leaderEpoch: 1, isr: [2] });
  });

  it('rejects the writes of a superseded controller (stale controller epoch)', async () => {
    const cluster = randomUUID();
    const a = await broker(cluster, 1);
    await until(() => a.controller.isActive);
    const key = await a.store.namespace.get('controller').exec();
    const oldFence = { epoch: a.controller.epoch, createRevision: key.kvs[0]!.create_revision };
    await a.store.createTopic({ name: 't', partitions: 1, replicationFactor: 1, assignments: [[1]], configs: {} });
    const b = await broker(cluster, 2);
    await a.controller.stop();
    await until(() => b.controller.isActive);
    const current = (await a.store.partitions.get('t', 0))!;
    const stale = a.store.partitions.writeControllerChange(current, { leader: -1, leaderEpoch: 9, isr: [1], unclean: false }, oldFence);
    await expect(stale).rejects.toSatisfy((e: unknown) => e instanceof KafkaError && e.errorCode === ErrorCode.STALE_CONTROLLER_EPOCH);
    expect((await a.store.partitions.get('t', 0))!.modRevision).toBe(current.modRevision);
    // The new controller's fence works, but only against the state it read (partition version CAS).
    const newKey = await b.store.namespace.get('controller').exec();
    const fence = { epoch: b.controller.epoch, createRevision: newKey.kvs[0]!.create_revision };
    const outdated = { ...current, modRevision: String(BigInt(current.modRevision) - 1n) };
    expect(await b.store.partitions.writeControllerChange(outdated, { leader: 1, leaderEpoch: 1, isr: [1], unclean: false }, fence)).toBeNull();
  });

  it('recreates partition states missing after a creation that crashed midway', async () => {
    const cluster = randomUUID();
    const b1 = await broker(cluster, 1);
    await until(() => b1.controller.isActive);
    // What a creator that died after its first transaction leaves behind: the topic but not all states.
    const topic = { name: 'half', topicId: randomUUID(), partitions: 2, replicationFactor: 1, assignments: [[1], [1]], configs: {} };
    await b1.store.namespace.put('topics/half').value(JSON.stringify(topic));
    await until(async () => (await b1.store.partitions.list('half')).length === 2);
    expect(await stateOf(b1.store, 'half', 1)).toEqual({
      topic: 'half', partition: 1, topicId: topic.topicId, replicas: [1], isr: [1], leader: 1, leaderEpoch: 0, partitionEpoch: 1, controllerEpoch: 1,
    });
  });
});
