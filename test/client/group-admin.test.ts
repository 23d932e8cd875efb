// Group membership and the group admin calls against a real in-process broker: JoinGroup v4's
// MEMBER_ID_REQUIRED round, the leader's range assignment seen by both members and by DescribeGroups,
// commits inside and outside membership, and the coordinator's refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, GroupAdmin, GroupMembership, KafkaClient } from '../../src/client/index.js';
import { ErrorCode } from '../../src/common/index.js';
import { startTestBroker, type TestBroker } from './broker-fixture.js';

let broker: TestBroker;
let client: KafkaClient;

beforeAll(async () => {
  broker = await startTestBroker({ 'group.initial.rebalance.delay.ms': '0' });
  client = await KafkaClient.connect({ broker: broker.address, clientId: 'group-test' });
  await new Admin(client).createTopics([{ name: 'g-topic', numPartitions: 4, replicationFactor: 1, configs: {} }]);
});

afterAll(async () => {
  await client.close();
  await broker.stop();
});

describe('GroupMembership', () => {
  it('two members get the range assignment, visible in describeGroups; leaving empties the group', async () => {
    const a = new GroupMembership(client, { groupId: 'm-group', topics: ['g-topic'], sessionTimeoutMs: 6000 });
    const first = await a.join();
    expect(first.assignment).toEqual(new Map([['g-topic', [0, 1, 2, 3]]]));
    expect(first.isLeader).toBe(true);
    expect(a.memberId).toMatch(/^group-test-/);

    // The second join starts a rebalance; the first member learns of it from its heartbeat and rejoins.
    const b = new GroupMembership(client, { groupId: 'm-group', topics: ['g-topic'], sessionTimeoutMs: 6000, heartbeatIntervalMs: 100 });
    const rejoin = new Promise<void>((resolve) => a.startHeartbeats(() => resolve()));
    const joiningB = b.join();
    await rejoin;
    const [ga, gb] = await Promise.all([a.join(), joiningB]);
    expect(ga.generationId).toBe(gb.generationId);
    expect(ga.protocol).toBe('range');
    const [low, high] = a.memberId < b.memberId ? [ga, gb] : [gb, ga];
    expect(low.assignment).toEqual(new Map([['g-topic', [0, 1]]]));
    expect(high.assignment).toEqual(new Map([['g-topic', [2, 3]]]));

    const admin = new GroupAdmin(client);
    const [described] = await admin.describeGroups(['m-group']);
    expect(described?.state).toBe('Stable');
    expect(described?.protocol).toBe('range');
    expect(described?.members.map((m) => [m.memberId, m.clientId, m.subscription, m.assignment]).sort()).toEqual(
      [
        [a.memberId, 'group-test', ['g-topic'], [{ topic: 'g-topic', partitions: a.memberId < b.memberId ? [0, 1] : [2, 3] }]],
        [b.memberId, 'group-test', ['g-topic'], [{ topic: 'g-topic', partitions: a.memberId < b.memberId ? [2, 3] : [0, 1] }]],
      ].sort(),
    );

    await a.commit([{ topic: 'g-topic', partition: 0, offset: 7 }]);
    // A simple commit is refused while the group has members.
    await expect(admin.commitOffsets('m-group', [{ topic: 'g-topic', partition: 0, offset: 1 }])).rejects.toMatchObject({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID });
    await a.leave();
    await b.leave();
    expect((await admin.describeGroups(['m-group']))[0]?.state).toBe('Empty');
    // A null metadata is stored as '' (as Kafka does).
    expect(await admin.fetchOffsets('m-group')).toEqual([{ topic: 'g-topic', partition: 0, offset: 7, metadata: '' }]);
  });
});

describe('GroupAdmin', () => {
  it('commits outside membership, fetches exact offsets, lists and deletes groups', async () => {
    const admin = new GroupAdmin(client);
    await admin.commitOffsets('simple', [{ topic: 'g-topic', partition: 1, offset: 5 }, { topic: 'g-topic', partition: 3, offset: 9, metadata: 'm' }]);
    expect(await admin.fetchOffsets('simple')).toEqual([
      { topic: 'g-topic', partition: 1, offset: 5, metadata: '' },
      { topic: 'g-topic', partition: 3, offset: 9, metadata: 'm' },
    ]);
    expect(await admin.fetchOffsets('simple', [{ topic: 'g-topic', partitions: [0, 1] }])).toMatchObject([
      { partition: 0, offset: -1 },
      { partition: 1, offset: 5 },
    ]);
    expect((await admin.listGroups()).map((g) => g.groupId)).toContain('simple');
    expect(await admin.describeGroups(['never-seen'])).toEqual([{ groupId: 'never-seen', state: 'Dead', protocolType: '', protocol: '', members: [] }]);
    expect(await admin.deleteGroups(['simple', 'never-seen'])).toEqual([
      { groupId: 'simple', errorCode: ErrorCode.NONE },
      { groupId: 'never-seen', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
    expect((await admin.listGroups()).map((g) => g.groupId)).not.toContain('simple');
  });
});
