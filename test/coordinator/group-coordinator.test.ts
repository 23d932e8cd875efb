// The classic rebalance protocol driven directly: joins, leader election, protocol selection, sync
// distribution, heartbeat errors, session expiry, leave, rebalance timeout and the delete rules.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/index.js';
import { joinRequest, openFixture, sleep, stableSingle } from './helpers.js';

const meta = (s: string): Buffer => Buffer.from(s);

describe('JoinGroup', () => {
  it('v4: a first join gets MEMBER_ID_REQUIRED with a generated id, the rejoin with it becomes leader of generation 1', async () => {
    const { coordinator } = await openFixture();
    const first = await coordinator.join(joinRequest({ clientId: 'app', requireKnownMemberId: true }));
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.generationId).toBe(-1);
    expect(first.memberId).toMatch(/^app-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(coordinator.describeGroups(['g'])[0]!.members).toEqual([]);

    const second = await coordinator.join(joinRequest({ clientId: 'app', memberId: first.memberId, requireKnownMemberId: true }));
    expect(second).toEqual({
      errorCode: 0,
      generationId: 1,
      protocolName: 'range',
      leader: first.memberId,
      memberId: first.memberId,
      members: [{ memberId: first.memberId, metadata: meta('meta') }],
    });
    expect(coordinator.describeGroups(['g'])[0]!.state).toBe('CompletingRebalance');
  });

  it('v2/v3: the member id is assigned directly; an unknown non-empty member id is refused', async () => {
    const { coordinator } = await openFixture();
    const joined = await coordinator.join(joinRequest({ clientId: 'kp' }));
    expect(joined.errorCode).toBe(0);
    expect(joined.memberId.startsWith('kp-')).toBe(true);
    expect(joined.generationId).toBe(1);
    const stranger = await coordinator.join(joinRequest({ memberId: 'nobody' }));
    expect(stranger.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const strangerNewGroup = await coordinator.join(joinRequest({ groupId: 'other', memberId: 'nobody' }));
    expect(strangerNewGroup.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('three members joining within the initial delay form one generation; only the leader gets the member list', async () => {
    const { coordinator } = await openFixture({ initialRebalanceDelayMs: 100 });
    const protocols = (m: string) => [{ name: 'roundrobin', metadata: meta(`rr-${m}`) }, { name: 'range', metadata: meta(`range-${m}`) }];
    const a = coordinator.join(joinRequest({ clientId: 'a', protocols: protocols('a') }));
    await sleep(20);
    const b = coordinator.join(joinRequest({ clientId: 'b', protocols: [{ name: 'range', metadata: meta('range-b') }, { name: 'roundrobin', metadata: meta('rr-b') }] }));
    const c = coordinator.join(joinRequest({ clientId: 'c', protocols: protocols('c') }));
    const [ra, rb, rc] = await Promise.all([a, b, c]);
    for (const r of [ra, rb, rc]) {
      expect(r.errorCode).toBe(0);
      expect(r.generationId).toBe(1);
      expect(r.leader).toBe(ra.memberId);
      // The leader's preference order decides among protocols everyone supports.
      expect(r.protocolName).toBe('roundrobin');
    }
    expect(ra.members).toEqual([
      { memberId: ra.memberId, metadata: meta('rr-a') },
      { memberId: rb.memberId, metadata: meta('rr-b') },
      { memberId: rc.memberId, metadata: meta('rr-c') },
    ]);
    expect(rb.members).toEqual([]);
    expect(rc.members).toEqual([]);

    // Followers wait for the leader's SyncGroup, then each gets its own assignment.
    const sb = coordinator.sync({ groupId: 'g', generationId: 1, memberId: rb.memberId, assignments: [] });
    const sc = coordinator.sync({ groupId: 'g', generationId: 1, memberId: rc.memberId, assignments: [] });
    await sleep(20);
    expect(coordinator.describeGroups(['g'])[0]!.state).toBe('CompletingRebalance');
    const sa = await coordinator.sync({
      groupId: 'g',
      generationId: 1,
      memberId: ra.memberId,
      assignments: [
        { memberId: ra.memberId, assignment: meta('A') },
        { memberId: rb.memberId, assignment: meta('B') },
        { memberId: rc.memberId, assignment: meta('C') },
      ],
    });
    expect(sa).toEqual({ errorCode: 0, assignment: meta('A') });
    expect(await sb).toEqual({ errorCode: 0, assignment: meta('B') });
    expect(await sc).toEqual({ errorCode: 0, assignment: meta('C') });
    const described = coordinator.describeGroups(['g'])[0]!;
    expect(described.state).toBe('Stable');
    expect(described.protocolName).toBe('roundrobin');
    expect(described.members.map((m) => [m.clientId, m.assignment.toString(), m.metadata.toString()])).toEqual([
      ['a', 'A', 'rr-a'],
      ['b', 'B', 'rr-b'],
      ['c', 'C', 'rr-c'],
    ]);
    // A Stable member syncing again gets its assignment at once.
    expect(await coordinator.sync({ groupId: 'g', generationId: 1, memberId: rb.memberId, assignments: [] })).toEqual({ errorCode: 0, assignment: meta('B') });
  });

  it('refuses protocols no member shares, another protocol type, and session timeouts out of range', async () => {
    const { coordinator } = await openFixture({ minSessionTimeoutMs: 6000, maxSessionTimeoutMs: 60_000 });
    expect((await coordinator.join(joinRequest({ sessionTimeoutMs: 5999 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await coordinator.join(joinRequest({ sessionTimeoutMs: 60_001 }))).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    expect((await coordinator.join(joinRequest({ groupId: '' }))).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await coordinator.join(joinRequest())).errorCode).toBe(0);
    const other = await coordinator.join(joinRequest({ protocols: [{ name: 'RoundRobinAssigner', metadata: meta('x') }] }));
    expect(other.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await coordinator.join(joinRequest({ protocolType: 'connect' }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    expect((await coordinator.join(joinRequest({ groupId: 'h', protocols: [] }))).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });
});

describe('SyncGroup and Heartbeat errors', () => {
  it('answers UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION and REBALANCE_IN_PROGRESS where Kafka does', async () => {
    const { coordinator } = await openFixture();
    expect(coordinator.heartbeat({ groupId: 'none', generationId: 1, memberId: 'm' })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await coordinator.sync({ groupId: 'none', generationId: 1, memberId: 'm', assignments: [] })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const a = await stableSingle(coordinator, 'g');
    expect(coordinator.heartbeat({ groupId: 'g', generationId: a.generationId, memberId: a.memberId })).toBe(0);
    expect(coordinator.heartbeat({ groupId: 'g', generationId: a.generationId, memberId: 'other' })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(coordinator.heartbeat({ groupId: 'g', generationId: a.generationId + 1, memberId: a.memberId })).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await coordinator.sync({ groupId: 'g', generationId: 7, memberId: a.memberId, assignments: [] })).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);

    // A second member joining a Stable group starts a rebalance: the first learns it from its heartbeat.
    const bJoin = coordinator.join(joinRequest({ clientId: 'b' }));
    await sleep(10);
    expect(coordinator.describeGroups(['g'])[0]!.state).toBe('PreparingRebalance');
    expect(coordinator.heartbeat({ groupId: 'g', generationId: a.generationId, memberId: a.memberId })).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect((await coordinator.sync({ groupId: 'g', generationId: a.generationId, memberId: a.memberId, assignments: [] })).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const aRejoin = await coordinator.join(joinRequest({ memberId: a.memberId }));
    const b = await bJoin;
    expect(aRejoin.generationId).toBe(2);
    expect(b.generationId).toBe(2);
    expect(aRejoin.leader).toBe(a.memberId);
    expect(aRejoin.members.map((m) => m.memberId)).toEqual([a.memberId, b.memberId]);
    // Between join and sync, heartbeats of the new generation are fine, commits are not.
    expect(coordinator.heartbeat({ groupId: 'g', generationId: 2, memberId: b.memberId })).toBe(0);
    expect(coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: b.memberId })).toBe(ErrorCode.ILLEGAL_GENERATION);
    const commit = await coordinator.commitOffsets({ groupId: 'g', generationId: 2, memberId: b.memberId, offsets: [{ topic: 't', partition: 0, offset: 5, metadata: null }] });
    expect(commit).toEqual([{ topic: 't', partition: 0, errorCode: ErrorCode.REBALANCE_IN_PROGRESS }]);
  });
});

describe('rebalance triggers', () => {
  it('a member whose session expires is removed and the group rebalances without it', async () => {
    const { coordinator } = await openFixture({ initialRebalanceDelayMs: 50 });
    const aJoin = coordinator.join(joinRequest({ clientId: 'a', sessionTimeoutMs: 5000 }));
    const bJoin = coordinator.join(joinRequest({ clientId: 'b', sessionTimeoutMs: 150 }));
    const [a, b] = await Promise.all([aJoin, bJoin]);
    const syncs = [
      coordinator.sync({ groupId: 'g', generationId: 1, memberId: b.memberId, assignments: [] }),
      coordinator.sync({ groupId: 'g', generationId: 1, memberId: a.memberId, assignments: [{ memberId: b.memberId, assignment: meta('B') }] }),
    ];
    expect((await Promise.all(syncs)).map((s) => s.errorCode)).toEqual([0, 0]);
    expect(coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId })).toBe(0);
    await sleep(300);
    expect(coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: b.memberId })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId })).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const again = await coordinator.join(joinRequest({ clientId: 'a', memberId: a.memberId, sessionTimeoutMs: 5000 }));
    expect(again.generationId).toBe(2);
    expect(again.members.map((m) => m.memberId)).toEqual([a.memberId]);
  });

  it('a member that leaves triggers a rebalance; the last one leaving empties the group', async () => {
    const { coordinator } = await openFixture({ initialRebalanceDelayMs: 50 });
    const [a, b] = await Promise.all([coordinator.join(joinRequest({ clientId: 'a' })), coordinator.join(joinRequest({ clientId: 'b' }))]);
    // The leader leaves: b becomes leader of the next generation.
    expect(a.leader).toBe(a.memberId);
    expect(coordinator.leave('g', a.memberId)).toBe(0);
    expect(coordinator.leave('g', a.memberId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(coordinator.leave('nope', a.memberId)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(coordinator.describeGroups(['g'])[0]!.state).toBe('PreparingRebalance');
    const b2 = await coordinator.join(joinRequest({ clientId: 'b', memberId: b.memberId }));
    expect(b2).toMatchObject({ errorCode: 0, generationId: 2, leader: b.memberId, members: [{ memberId: b.memberId }] });
    expect(coordinator.leave('g', b.memberId)).toBe(0);
    const described = coordinator.describeGroups(['g'])[0]!;
    expect(described.state).toBe('Empty');
    expect(described.members).toEqual([]);
    expect(coordinator.listGroups()).toEqual([{ groupId: 'g', protocolType: 'consumer', state: 'Empty' }]);
  });

  it('members that do not rejoin within the rebalance timeout are dropped', async () => {
    const { coordinator } = await openFixture({ initialRebalanceDelayMs: 50 });
    const req = { rebalanceTimeoutMs: 200 };
    const [a, b] = await Promise.all([coordinator.join(joinRequest({ clientId: 'a', ...req })), coordinator.join(joinRequest({ clientId: 'b', ...req }))]);
    await Promise.all([
      coordinator.sync({ groupId: 'g', generationId: 1, memberId: b.memberId, assignments: [] }),
      coordinator.sync({ groupId: 'g', generationId: 1, memberId: a.memberId, assignments: [] }),
    ]);
    const cJoin = coordinator.join(joinRequest({ clientId: 'c', ...req }));
    const aJoin = coordinator.join(joinRequest({ clientId: 'a', memberId: a.memberId, ...req }));
    const started = Date.now();
    const [c, a2] = await Promise.all([cJoin, aJoin]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(c.generationId).toBe(2);
    expect(a2.members.map((m) => m.memberId)).toEqual([a.memberId, c.memberId]);
    expect(coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: b.memberId })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

describe('DeleteGroups and ListGroups', () => {
  it('deletes only Empty groups, with their offsets; unknown groups are GROUP_ID_NOT_FOUND', async () => {
    const { coordinator } = await openFixture();
    const a = await stableSingle(coordinator, 'busy');
    expect(await coordinator.commitOffsets({ groupId: 'idle', generationId: -1, memberId: '', offsets: [{ topic: 't', partition: 0, offset: 42, metadata: 'm' }] })).toEqual([
      { topic: 't', partition: 0, errorCode: 0 },
    ]);
    expect(coordinator.listGroups().sort((x, y) => x.groupId.localeCompare(y.groupId))).toEqual([
      { groupId: 'busy', protocolType: 'consumer', state: 'Stable' },
      { groupId: 'idle', protocolType: '', state: 'Empty' },
    ]);
    expect(await coordinator.deleteGroups(['busy', 'idle', 'ghost'])).toEqual([
      { groupId: 'busy', errorCode: ErrorCode.NON_EMPTY_GROUP },
      { groupId: 'idle', errorCode: 0 },
      { groupId: 'ghost', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
    expect(coordinator.fetchOffsets('idle', [{ topic: 't', partition: 0 }]).offsets[0]!.offset).toBe(-1);
    expect(coordinator.listGroups().map((g) => g.groupId)).toEqual(['busy']);
    expect(coordinator.describeGroups(['idle'])[0]).toEqual({ groupId: 'idle', errorCode: 0, state: 'Dead', protocolType: '', protocolName: '', members: [] });
    expect(coordinator.leave('busy', a.memberId)).toBe(0);
    expect(await coordinator.deleteGroups(['busy'])).toEqual([{ groupId: 'busy', errorCode: 0 }]);
  });
});
