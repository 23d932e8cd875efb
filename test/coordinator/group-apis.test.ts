// The group APIs over a real socket against an in-process broker: FindCoordinator key types, the v4
// MEMBER_ID_REQUIRED handshake, the wire shapes of OffsetCommit/OffsetFetch at their edge versions,
// ListGroups, DescribeGroups and DeleteGroups. Needs the group handlers registered in the broker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/index.js';
import {
  CreateTopics,
  DeleteGroups,
  DescribeGroups,
  FindCoordinator,
  Heartbeat,
  JoinGroup,
  LeaveGroup,
  ListGroups,
  OffsetCommit,
  OffsetFetch,
  SyncGroup,
} from '../../src/protocol/index.js';
import { startTestBroker, type TestBroker } from '../broker/helpers.js';

let t: TestBroker;

beforeAll(async () => {
  t = await startTestBroker();
  const c = await t.client();
  await c.send(CreateTopics, 2, { topics: [{ name: 'orders', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
});
afterAll(async () => {
  await t?.cleanup();
});

describe('group APIs on the wire', () => {
  it('FindCoordinator: this broker for groups at v0 and v2, COORDINATOR_NOT_AVAILABLE for transactions', async () => {
    const c = await t.client();
    const { host, port } = t.broker.tcp;
    expect(await c.send(FindCoordinator, 0, { key: 'g', keyType: 0 })).toMatchObject({ errorCode: 0, nodeId: 0, host, port });
    expect(await c.send(FindCoordinator, 2, { key: 'g', keyType: 0 })).toMatchObject({ errorCode: 0, errorMessage: null, nodeId: 0, host, port });
    expect(await c.send(FindCoordinator, 2, { key: 'tx', keyType: 1 })).toMatchObject({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, nodeId: -1 });
  });

  it('joins at v4 through MEMBER_ID_REQUIRED, syncs, commits, fetches, describes, lists, leaves and deletes', async () => {
    const c = await t.client();
    const join = { groupId: 'wire', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from([1, 2]) }] };
    const first = await c.send(JoinGroup, 4, { ...join, memberId: '' });
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    const memberId = first.memberId;
    const joined = await c.send(JoinGroup, 4, { ...join, memberId }, 20_000);
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, protocolName: 'range', leader: memberId, memberId });
    expect(joined.members).toEqual([{ memberId, metadata: Buffer.from([1, 2]) }]);
    const synced = await c.send(SyncGroup, 2, { groupId: 'wire', generationId: 1, memberId, assignments: [{ memberId, assignment: Buffer.from([9]) }] });
    expect(synced).toMatchObject({ errorCode: 0, assignment: Buffer.from([9]) });
    expect((await c.send(Heartbeat, 2, { groupId: 'wire', generationId: 1, memberId })).errorCode).toBe(0);
    expect((await c.send(Heartbeat, 1, { groupId: 'wire', generationId: 2, memberId })).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);

    const commit = await c.send(OffsetCommit, 4, {
      groupId: 'wire',
      generationIdOrMemberEpoch: 1,
      memberId,
      retentionTimeMs: -1n,
      topics: [
        { name: 'orders', partitions: [{ partitionIndex: 1, committedOffset: 17n, committedMetadata: 'meta' }, { partitionIndex: 5, committedOffset: 1n, committedMetadata: null }] },
        { name: 'missing', partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: null }] },
      ],
    });
    expect(commit.topics).toEqual([
      { name: 'orders', partitions: [{ partitionIndex: 1, errorCode: 0 }, { partitionIndex: 5, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
      { name: 'missing', partitions: [{ partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }] },
    ]);

    const v1 = await c.send(OffsetFetch, 1, { groupId: 'wire', topics: [{ name: 'orders', partitionIndexes: [0, 1] }] });
    expect(v1.topics).toEqual([
      {
        name: 'orders',
        partitions: [
          { partitionIndex: 0, committedOffset: -1n, metadata: '', errorCode: 0 },
          { partitionIndex: 1, committedOffset: 17n, metadata: 'meta', errorCode: 0 },
        ],
      },
    ]);
    const all = await c.send(OffsetFetch, 2, { groupId: 'wire', topics: null });
    expect(all.errorCode).toBe(0);
    expect(all.topics).toEqual([{ name: 'orders', partitions: [{ partitionIndex: 1, committedOffset: 17n, metadata: 'meta', errorCode: 0 }] }]);

    const listed = await c.send(ListGroups, 0, {});
    expect(listed.groups).toContainEqual({ groupId: 'wire', protocolType: 'consumer' });
    const described = await c.send(DescribeGroups, 0, { groups: ['wire', 'nope'] });
    expect(described.groups[0]).toMatchObject({ errorCode: 0, groupId: 'wire', groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(described.groups[0]!.members).toEqual([
      { memberId, clientId: expect.any(String), clientHost: '/127.0.0.1', memberMetadata: Buffer.from([1, 2]), memberAssignment: Buffer.from([9]) },
    ]);
    expect(described.groups[1]).toMatchObject({ errorCode: 0, groupId: 'nope', groupState: 'Dead', members: [] });

    expect((await c.send(DeleteGroups, 1, { groupsNames: ['wire'] })).results).toEqual([{ groupId: 'wire', errorCode: ErrorCode.NON_EMPTY_GROUP }]);
    expect((await c.send(LeaveGroup, 2, { groupId: 'wire', memberId })).errorCode).toBe(0);
    expect((await c.send(DeleteGroups, 0, { groupsNames: ['wire', 'nope'] })).results).toEqual([
      { groupId: 'wire', errorCode: 0 },
      { groupId: 'nope', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
    const gone = await c.send(OffsetFetch, 3, { groupId: 'wire', topics: null });
    expect(gone).toMatchObject({ errorCode: 0, topics: [] });
  });
});
