// The coordinator in cluster mode (useLeadership): two coordinators over the same real
// `__consumer_offsets` logs stand for two brokers whose replicas are identical, with a scripted
// leadership. A broker serves a group only while it leads the group's offsets partition; it loads the
// partition from the log when leadership arrives, answers NOT_COORDINATOR as soon as it leaves, and a
// commit is acknowledged only if the replicated append succeeds.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../src/common/index.js';
import { GroupCoordinator, OFFSETS_TOPIC, OFFSETS_TOPIC_LOG_CONFIG, partitionForGroup, type OffsetsLeadership } from '../../src/coordinator/index.js';
import { LogManager } from '../../src/storage/index.js';
import { joinRequest } from './helpers.js';

const PARTITIONS = 5;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A broker's view of its leaderships: partition → leader epoch; appends fail while `failAppends`. */
class FakeLeadership implements OffsetsLeadership {
  readonly epochs = new Map<number, number>();
  failAppends = false;
  appends = 0;
  constructor(private readonly logs: LogManager) {}
  leaderEpoch(partition: number): number | null {
    return this.epochs.get(partition) ?? null;
  }
  log(partition: number) {
    return this.logs.getLog(OFFSETS_TOPIC, partition);
  }
  async appendReplicated(partition: number, batch: Buffer): Promise<void> {
    if (this.failAppends) throw new KafkaError(ErrorCode.NOT_ENOUGH_REPLICAS, 'the ISR is too small');
    this.appends++;
    await this.logs.getLog(OFFSETS_TOPIC, partition)!.append(batch);
  }
}

async function twoBrokers(initialRebalanceDelayMs = 0) {
  const dir = await mkdtemp(join(tmpdir(), 'logctl-ownership-'));
  const logs = await LogManager.open({ dataDir: dir });
  for (let p = 0; p < PARTITIONS; p++) await logs.createLog(OFFSETS_TOPIC, p, OFFSETS_TOPIC_LOG_CONFIG);
  const broker = () => {
    const leadership = new FakeLeadership(logs);
    const coordinator = new GroupCoordinator({ logs, offsetsTopicNumPartitions: PARTITIONS, settings: { minSessionTimeoutMs: 10, initialRebalanceDelayMs } });
    coordinator.useLeadership(leadership);
    return { leadership, coordinator };
  };
  const a = broker();
  const b = broker();
  for (let p = 0; p < PARTITIONS; p++) a.leadership.epochs.set(p, 1);
  await a.coordinator.start();
  await b.coordinator.start();
  cleanups.push(async () => {
    await a.coordinator.close();
    await b.coordinator.close();
    await logs.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { a, b };
}

const commit = (coordinator: GroupCoordinator, groupId: string, offset: number) =>
  coordinator.commitOffsets({ groupId, generationId: -1, memberId: '', offsets: [{ topic: 't', partition: 0, offset, metadata: null }] });
const fetched = (coordinator: GroupCoordinator, groupId: string) => {
  const r = coordinator.fetchOffsets(groupId, [{ topic: 't', partition: 0 }]);
  return { errorCode: r.errorCode, offset: r.offsets[0]?.offset };
};

/** Two group ids on different offsets partitions. */
const G1 = 'g1';
const G2 = ['g2', 'g3', 'g4', 'g5', 'g6'].find((g) => partitionForGroup(g, PARTITIONS) !== partitionForGroup(G1, PARTITIONS))!;
const P1 = partitionForGroup(G1, PARTITIONS);

describe('coordinator following the leadership of __consumer_offsets', () => {
  it('serves only the groups of led partitions and moves them with the leadership', async () => {
    const { a, b } = await twoBrokers();
    expect(a.coordinator.coordinatedPartitions()).toEqual([0, 1, 2, 3, 4]);
    expect(b.coordinator.coordinatedPartitions()).toEqual([]);
    expect(await commit(a.coordinator, G1, 42)).toEqual([{ topic: 't', partition: 0, errorCode: ErrorCode.NONE }]);
    expect(a.leadership.appends).toBe(1);
    expect(await commit(b.coordinator, G1, 7)).toEqual([{ topic: 't', partition: 0, errorCode: ErrorCode.NOT_COORDINATOR }]);
    expect(fetched(b.coordinator, G1)).toEqual({ errorCode: ErrorCode.NOT_COORDINATOR, offset: undefined });
    expect((await b.coordinator.join(joinRequest({ groupId: G1 }))).errorCode).toBe(ErrorCode.NOT_COORDINATOR);

    // The partition's leadership moves from a to b (a newer epoch).
    a.leadership.epochs.delete(P1);
    b.leadership.epochs.set(P1, 2);
    // a refuses at once, before it has even noticed the change.
    expect(fetched(a.coordinator, G1)).toEqual({ errorCode: ErrorCode.NOT_COORDINATOR, offset: undefined });
    // b loads on demand: the first request finds the load in progress.
    expect(fetched(b.coordinator, G1).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    await b.coordinator.syncLeadership();
    await a.coordinator.syncLeadership();
    expect(fetched(b.coordinator, G1)).toEqual({ errorCode: ErrorCode.NONE, offset: 42 });
    expect(b.coordinator.coordinatedPartitions()).toEqual([P1]);
    expect(a.coordinator.coordinatedPartitions()).not.toContain(P1);
    expect(b.coordinator.listGroups().map((g) => g.groupId)).toEqual([G1]);
    expect(a.coordinator.listGroups().map((g) => g.groupId)).not.toContain(G1);
    // The other partitions stay with a.
    expect(await commit(a.coordinator, G2, 5)).toEqual([{ topic: 't', partition: 0, errorCode: ErrorCode.NONE }]);

    // b commits; when the leadership returns to a (epoch 3), a reloads and sees b's commit.
    expect(await commit(b.coordinator, G1, 43)).toEqual([{ topic: 't', partition: 0, errorCode: ErrorCode.NONE }]);
    b.leadership.epochs.delete(P1);
    a.leadership.epochs.set(P1, 3);
    await a.coordinator.syncLeadership();
    await b.coordinator.syncLeadership();
    expect(fetched(a.coordinator, G1)).toEqual({ errorCode: ErrorCode.NONE, offset: 43 });
    expect(fetched(b.coordinator, G1).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  });

  it('acknowledges a commit only when the replicated append succeeds', async () => {
    const { a } = await twoBrokers();
    await commit(a.coordinator, G1, 10);
    a.leadership.failAppends = true;
    expect(await commit(a.coordinator, G1, 11)).toEqual([{ topic: 't', partition: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }]);
    expect(fetched(a.coordinator, G1)).toEqual({ errorCode: ErrorCode.NONE, offset: 10 });
  });

  it('answers a waiting join NOT_COORDINATOR when the leadership ends', async () => {
    const { a } = await twoBrokers(60_000);
    const waiting = a.coordinator.join(joinRequest({ groupId: G1 }));
    a.leadership.epochs.delete(P1);
    await a.coordinator.syncLeadership();
    expect((await waiting).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(a.coordinator.describeGroups([G1])[0]?.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  });
});
