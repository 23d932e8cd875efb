// Committed offsets over real `__consumer_offsets` logs in a temp dir: commit rules, fetch, the exact
// record bytes, restart reload, tombstones, and the group → partition mapping.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/index.js';
import { OFFSETS_TOPIC, javaStringHashCode, partitionForGroup } from '../../src/coordinator/index.js';
import { decodeRecordBatches } from '../../src/records/index.js';
import { joinRequest, openFixture, stableSingle } from './helpers.js';

const simple = (groupId: string, offsets: { topic: string; partition: number; offset: number; metadata?: string | null }[]) => ({
  groupId,
  generationId: -1,
  memberId: '',
  offsets: offsets.map((o) => ({ metadata: null, ...o })),
});

describe('group → __consumer_offsets partition', () => {
  it('uses Java String.hashCode and Kafka Utils.abs', () => {
    expect(javaStringHashCode('')).toBe(0);
    expect(javaStringHashCode('hello')).toBe(99162322);
    // Values checked against java.lang.String#hashCode (negative, and a surrogate pair).
    expect(javaStringHashCode('my-group')).toBe(-1906497762);
    expect(partitionForGroup('my-group', 50)).toBe(12);
    expect(javaStringHashCode('é😀')).toBe(1996812);
    // Java's well-known collision: "Aa" and "BB" both hash to 2112.
    expect(javaStringHashCode('Aa')).toBe(2112);
    expect(javaStringHashCode('BB')).toBe(2112);
    expect(javaStringHashCode('é')).toBe(233);
    // The famous string whose hashCode is Integer.MIN_VALUE: Utils.abs maps it to 0.
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648);
    expect(partitionForGroup('polygenelubricants', 50)).toBe(0);
    expect(partitionForGroup('hello', 50)).toBe(99162322 % 50);
    expect(partitionForGroup('console-consumer-1', 50)).toBe(Math.abs(javaStringHashCode('console-consumer-1')) % 50);
  });
});

describe('OffsetCommit / OffsetFetch', () => {
  it('stores Kafka key v1 / value v3 records in the group partition, fsynced before the answer', async () => {
    const { coordinator, logs } = await openFixture();
    const result = await coordinator.commitOffsets(simple('g1', [{ topic: 'orders', partition: 3, offset: 1234, metadata: 'hi' }]));
    expect(result).toEqual([{ topic: 'orders', partition: 3, errorCode: 0 }]);
    const partition = partitionForGroup('g1', 5);
    const log = logs.getLog(OFFSETS_TOPIC, partition)!;
    expect(log.logEndOffset).toBe(1);
    expect(log.recoveryPoint).toBe(1);
    const [record] = await decodeRecordBatches((await log.read(0, 1 << 20)).records[0]!);
    expect(record!.key!.toString('hex')).toBe(
      '0001' + '0002' + Buffer.from('g1').toString('hex') + '0006' + Buffer.from('orders').toString('hex') + '00000003',
    );
    const value = record!.value!;
    expect(value.readInt16BE(0)).toBe(3);
    expect(value.readBigInt64BE(2)).toBe(1234n);
    expect(value.readInt32BE(10)).toBe(-1);
    expect(value.readInt16BE(14)).toBe(2);
    expect(value.toString('utf8', 16, 18)).toBe('hi');
    expect(Number(value.readBigInt64BE(18))).toBe(record!.timestamp);
    expect(value.length).toBe(26);
    // No other partition was created.
    expect(logs.logs().filter((l) => l.topic === OFFSETS_TOPIC).map((l) => l.partition)).toEqual([partition]);
  });

  it('fetches requested partitions (-1 when none) and all of a group with null; later commits win', async () => {
    const { coordinator } = await openFixture();
    await coordinator.commitOffsets(simple('g', [{ topic: 'b', partition: 1, offset: 10 }, { topic: 'a', partition: 0, offset: 5, metadata: 'x' }]));
    await coordinator.commitOffsets(simple('g', [{ topic: 'b', partition: 1, offset: 11 }]));
    expect(coordinator.fetchOffsets('g', [{ topic: 'b', partition: 1 }, { topic: 'b', partition: 2 }])).toEqual({
      errorCode: 0,
      offsets: [
        { topic: 'b', partition: 1, offset: 11, leaderEpoch: -1, metadata: '', errorCode: 0 },
        { topic: 'b', partition: 2, offset: -1, leaderEpoch: -1, metadata: '', errorCode: 0 },
      ],
    });
    const all = coordinator.fetchOffsets('g', null);
    expect(all.offsets.map((o) => [o.topic, o.partition, o.offset, o.metadata])).toEqual([
      ['a', 0, 5, 'x'],
      ['b', 1, 11, ''],
    ]);
    expect(coordinator.fetchOffsets('unknown', null)).toEqual({ errorCode: 0, offsets: [] });
  });

  it('applies the membership rules: generation -1 only while Empty, member and generation must match', async () => {
    const { coordinator } = await openFixture({ offsetMetadataMaxBytes: 8 });
    const offsets = [{ topic: 't', partition: 0, offset: 1, metadata: null }];
    expect(await coordinator.commitOffsets({ groupId: 'new', generationId: 3, memberId: 'm', offsets })).toEqual([
      { topic: 't', partition: 0, errorCode: ErrorCode.ILLEGAL_GENERATION },
    ]);
    const a = await stableSingle(coordinator, 'g');
    const codes = async (generationId: number, memberId: string) =>
      (await coordinator.commitOffsets({ groupId: 'g', generationId, memberId, offsets })).map((r) => r.errorCode);
    expect(await codes(-1, '')).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(await codes(a.generationId, 'someone')).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(await codes(a.generationId + 1, a.memberId)).toEqual([ErrorCode.ILLEGAL_GENERATION]);
    expect(await codes(a.generationId, a.memberId)).toEqual([0]);
    const mixed = await coordinator.commitOffsets({
      groupId: 'g',
      generationId: a.generationId,
      memberId: a.memberId,
      offsets: [
        { topic: 't', partition: 1, offset: 7, metadata: '123456789' },
        { topic: 't', partition: 2, offset: 8, metadata: '12345678' },
      ],
    });
    expect(mixed.map((r) => r.errorCode)).toEqual([ErrorCode.OFFSET_METADATA_TOO_LARGE, 0]);
    expect(coordinator.fetchOffsets('g', null).offsets.map((o) => [o.partition, o.offset])).toEqual([
      [0, 1],
      [2, 8],
    ]);
    // During PreparingRebalance the current generation may still commit (clients commit before rejoining).
    const joining = coordinator.join(joinRequest({ groupId: 'g', clientId: 'late' }));
    expect(await codes(a.generationId, a.memberId)).toEqual([0]);
    await coordinator.join(joinRequest({ groupId: 'g', memberId: a.memberId }));
    await joining;
  });
});

describe('restart', () => {
  it('reloads exactly the committed offsets, the deleted groups stay deleted, a Stable group comes back', async () => {
    const fixture = await openFixture();
    const c = fixture.coordinator;
    for (let i = 0; i < 20; i++) {
      await c.commitOffsets(simple(`group-${i % 4}`, [{ topic: 'events', partition: i % 3, offset: i * 100, metadata: `m${i}` }]));
    }
    await c.commitOffsets(simple('doomed', [{ topic: 'events', partition: 0, offset: 1 }]));
    expect(await c.deleteGroups(['doomed'])).toEqual([{ groupId: 'doomed', errorCode: 0 }]);
    await c.commitOffsets(simple('group-0', [{ topic: 'gone', partition: 0, offset: 9 }]));
    await c.deleteTopicOffsets('gone');
    const member = await stableSingle(c, 'live', Buffer.from('assignment-bytes'));
    const before = new Map(['group-0', 'group-1', 'group-2', 'group-3'].map((g) => [g, c.fetchOffsets(g, null).offsets]));
    expect(before.get('group-1')!.map((o) => [o.partition, o.offset, o.metadata])).toEqual([
      [0, 900, 'm9'],
      [1, 1300, 'm13'],
      [2, 1700, 'm17'],
    ]);

    const { coordinator: reloaded, logs } = await fixture.restart();
    // The offsets topic keeps its compacted config after a restart (not the default delete policy).
    const offsetLogs = logs.logs().filter((l) => l.topic === OFFSETS_TOPIC);
    expect(offsetLogs.length).toBeGreaterThan(0);
    for (const log of offsetLogs) expect(log.config.cleanupPolicy).toBe('compact');
    for (const [g, offsets] of before) expect(reloaded.fetchOffsets(g, null).offsets).toEqual(offsets);
    expect(reloaded.fetchOffsets('group-0', [{ topic: 'gone', partition: 0 }]).offsets[0]!.offset).toBe(-1);
    expect(reloaded.fetchOffsets('doomed', null).offsets).toEqual([]);
    expect(reloaded.listGroups().map((g) => g.groupId).sort()).toEqual(['group-0', 'group-1', 'group-2', 'group-3', 'live']);
    const live = reloaded.describeGroups(['live'])[0]!;
    expect(live.state).toBe('Stable');
    expect(live.members.map((m) => [m.memberId, m.assignment.toString()])).toEqual([[member.memberId, 'assignment-bytes']]);
    expect(reloaded.heartbeat({ groupId: 'live', generationId: member.generationId, memberId: member.memberId })).toBe(0);
  });
});

describe('offsets.retention.minutes', () => {
  it('expires the offsets of Empty groups after the retention and then removes the group, durably', async () => {
    let clock = 1_000_000;
    const fixture = await openFixture({}, undefined, { now: () => clock, offsetsRetentionMs: 1000 });
    const c = fixture.coordinator;
    await c.commitOffsets(simple('s', [{ topic: 't', partition: 0, offset: 10 }]));
    clock += 500;
    await c.commitOffsets(simple('s', [{ topic: 't', partition: 1, offset: 20 }]));
    const member = await stableSingle(c, 'c');
    await c.commitOffsets({ groupId: 'c', ...member, offsets: [{ topic: 't', partition: 0, offset: 30, metadata: null }] });
    // A group with members never expires: only Empty groups do.
    clock += 5000;
    expect(await c.expireOffsets()).toBe(2);
    expect(c.fetchOffsets('c', null).offsets.map((o) => o.offset)).toEqual([30]);
    expect(c.listGroups().map((g) => g.groupId)).toEqual(['c']);
    expect(c.leave('c', member.memberId)).toBe(0);
    clock += 999;
    expect(await c.expireOffsets()).toBe(0);
    clock += 1;
    expect(await c.expireOffsets()).toBe(1);
    expect(c.listGroups()).toEqual([]);
    const { coordinator: reloaded } = await fixture.restart();
    expect(reloaded.listGroups()).toEqual([]);
    expect(reloaded.fetchOffsets('c', null).offsets).toEqual([]);
    expect(reloaded.fetchOffsets('s', null).offsets).toEqual([]);
  });
});
