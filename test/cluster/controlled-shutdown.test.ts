// Controlled shutdown: the pure rule (who leads, who stays in the ISR when brokers are stopping) and the
// controller acting on a broker's `shutting_down/<id>` mark in a real etcd.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Controller } from '../../src/cluster/controller.js';
import { EtcdMetadataStore } from '../../src/cluster/etcd-metadata-store.js';
import { ErrorCode, KafkaError } from '../../src/common/index.js';
import { partitionChangeForShutdown, type PartitionState } from '../../src/cluster/partition-state.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.js';

function state(leader: number, isr: number[], replicas = [1, 2, 3]): PartitionState {
  return { topic: 't', partition: 0, topicId: 'id', replicas, isr, leader, leaderEpoch: 4, partitionEpoch: 9, controllerEpoch: 1 };
}

describe('partitionChangeForShutdown', () => {
  const live = new Set([1, 2, 3]);
  it('moves the leadership of a stopping leader to the next live ISR member and drops it from the ISR', () => {
    expect(partitionChangeForShutdown(state(1, [1, 2, 3]), live, new Set([1]))).toEqual({ leader: 2, leaderEpoch: 5, isr: [2, 3], unclean: false });
    expect(partitionChangeForShutdown(state(1, [3, 1]), live, new Set([1]))).toEqual({ leader: 3, leaderEpoch: 5, isr: [3], unclean: false });
    // Two stopping at once: the one that stays leads.
    expect(partitionChangeForShutdown(state(1, [1, 2, 3]), live, new Set([1, 2]))).toEqual({ leader: 3, leaderEpoch: 5, isr: [3], unclean: false });
  });

  it('takes a stopping follower out of the ISR without changing the leader epoch', () => {
    expect(partitionChangeForShutdown(state(2, [1, 2, 3]), live, new Set([3]))).toEqual({ leader: 2, leaderEpoch: 4, isr: [1, 2], unclean: false });
  });

  it('changes nothing when nobody relevant stops, or when the stopping leader is the only live ISR member', () => {
    expect(partitionChangeForShutdown(state(1, [1, 2, 3]), live, new Set())).toBeNull();
    expect(partitionChangeForShutdown(state(1, [1, 2]), live, new Set([3]))).toBeNull();
    expect(partitionChangeForShutdown(state(1, [1]), live, new Set([1]))).toBeNull();
    // 2 is in the ISR but not alive: never elected.
    expect(partitionChangeForShutdown(state(1, [1, 2]), new Set([1, 3]), new Set([1]))).toBeNull();
    expect(partitionChangeForShutdown(state(-1, [1, 2]), live, new Set([1]))).toBeNull();
  });
});

describe('Controller with a broker in controlled shutdown', () => {
  let etcd: EtcdProcess;
  const stores: EtcdMetadataStore[] = [];
  const controllers: Controller[] = [];
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterEach(async () => {
    await Promise.all(controllers.splice(0).map((c) => c.stop()));
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await etcd?.stop();
  });

  async function broker(cluster: string, nodeId: number): Promise<EtcdMetadataStore> {
    const store = await EtcdMetadataStore.open({ endpoints: [etcd.endpoint], clusterName: cluster, sessionTtlSeconds: 2, callTimeoutMs: 1000 });
    await store.registerBroker({ nodeId, host: '127.0.0.1', port: 9000 + nodeId, rack: null });
    stores.push(store);
    return store;
  }

  async function until<T>(probe: () => Promise<T | undefined | false>): Promise<T> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline) throw new Error('condition not reached in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('moves leaderships off the stopping broker, out of ISRs, and refuses to add it back', async () => {
    const cluster = randomUUID();
    const [s1, s2, s3] = [await broker(cluster, 1), await broker(cluster, 2), await broker(cluster, 3)];
    const controller = new Controller({ store: s3!, nodeId: 3 });
    controllers.push(controller);
    await controller.start();
    await until(async () => controller.isActive);
    await s1!.createTopic({ name: 'led', partitions: 2, replicationFactor: 3, assignments: [[1, 2, 3], [2, 1, 3]], configs: {} });
    const before = await s1!.partitions.get('led', 1);

    await s1!.beginControlledShutdown();
    const p0 = await until(async () => {
      const s = await s1!.partitions.get('led', 0);
      return s !== undefined && s.leader !== 1 && !s.isr.includes(1) && s;
    });
    expect({ leader: p0.leader, leaderEpoch: p0.leaderEpoch, isr: p0.isr, controllerEpoch: p0.controllerEpoch }).toEqual({
      leader: 2,
      leaderEpoch: 1,
      isr: [2, 3],
      controllerEpoch: controller.epoch,
    });
    const p1 = await until(async () => {
      const s = await s1!.partitions.get('led', 1);
      return s !== undefined && !s.isr.includes(1) && s;
    });
    expect({ leader: p1.leader, leaderEpoch: p1.leaderEpoch, isr: p1.isr, partitionEpoch: p1.partitionEpoch }).toEqual({
      leader: 2,
      leaderEpoch: 0,
      isr: [2, 3],
      partitionEpoch: before!.partitionEpoch + 1,
    });
    // Partition 1's leader (broker 2) cannot re-add the stopping broker to its ISR.
    const err = await s2!.partitions
      .alterIsr({ topic: 'led', partition: 1, leaderId: 2, leaderEpoch: 0, partitionEpoch: p1.partitionEpoch, newIsr: [1, 2, 3] })
      .then(() => null, (e: unknown) => e);
    expect(err instanceof KafkaError && err.errorCode).toBe(ErrorCode.INELIGIBLE_REPLICA);
  });
});
