// Exact assignments of the client-side assignors (Kafka's RangeAssignor and RoundRobinAssignor rules),
// and the same result as kafkajs's RoundRobinAssigner where both apply (every member subscribed to all).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decodeAssignment, encodeSubscription, rangeAssignor, roundRobinAssignor, type TopicPartitions } from '../../src/client/index.js';

const require = createRequire(import.meta.url);
type KafkajsAssigner = (deps: { cluster: { findTopicPartitionMetadata(topic: string): { partitionId: number }[] } }) => {
  assign(group: { members: { memberId: string; memberMetadata: Buffer }[]; topics: string[] }): Promise<{ memberId: string; memberAssignment: Buffer }[]>;
};
const kafkajsRoundRobin = require('kafkajs/src/consumer/assigners/roundRobinAssigner/index.js') as KafkajsAssigner;

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const plain = (result: Map<string, TopicPartitions>): Record<string, Record<string, number[]>> =>
  Object.fromEntries([...result].map(([m, topics]) => [m, Object.fromEntries(topics)]));

describe('range', () => {
  it('gives contiguous runs, the first members one extra', () => {
    const members = [{ memberId: 'c', topics: ['t'] }, { memberId: 'a', topics: ['t'] }, { memberId: 'b', topics: ['t'] }];
    expect(plain(rangeAssignor.assign(members, new Map([['t', range(4)]])))).toEqual({ a: { t: [0, 1] }, b: { t: [2] }, c: { t: [3] } });
    expect(plain(rangeAssignor.assign(members, new Map([['t', range(7)]])))).toEqual({ a: { t: [0, 1, 2] }, b: { t: [3, 4] }, c: { t: [5, 6] } });
  });

  it('assigns each topic among its own subscribers; more members than partitions leaves some empty', () => {
    const members = [{ memberId: 'm1', topics: ['x', 'y'] }, { memberId: 'm2', topics: ['y'] }, { memberId: 'm3', topics: ['x', 'y'] }];
    const partitions = new Map([['x', range(2)], ['y', range(1)]]);
    expect(plain(rangeAssignor.assign(members, partitions))).toEqual({ m1: { x: [0], y: [0] }, m2: {}, m3: { x: [1] } });
  });
});

describe('roundrobin', () => {
  it('deals sorted topic-partitions to members in id order, skipping members not subscribed', () => {
    const members = [{ memberId: 'b', topics: ['t'] }, { memberId: 'a', topics: ['t'] }, { memberId: 'c', topics: ['t'] }];
    expect(plain(roundRobinAssignor.assign(members, new Map([['t', range(4)]])))).toEqual({ a: { t: [0, 3] }, b: { t: [1] }, c: { t: [2] } });
    const mixed = [{ memberId: 'a', topics: ['x'] }, { memberId: 'b', topics: ['x', 'y'] }];
    expect(plain(roundRobinAssignor.assign(mixed, new Map([['x', range(3)], ['y', range(2)]])))).toEqual({ a: { x: [0, 2] }, b: { x: [1], y: [0, 1] } });
  });

  it('agrees with kafkajs RoundRobinAssigner when every member subscribes to every topic', async () => {
    const partitions = new Map([['orders', range(5)], ['audit', range(3)]]);
    const ids = ['m-3', 'm-1', 'm-2'];
    const ours = roundRobinAssignor.assign(ids.map((memberId) => ({ memberId, topics: ['audit', 'orders'] })), partitions);
    const assigner = kafkajsRoundRobin({ cluster: { findTopicPartitionMetadata: (t) => (partitions.get(t) ?? []).map((partitionId) => ({ partitionId })) } });
    const theirs = await assigner.assign({
      members: ids.map((memberId) => ({ memberId, memberMetadata: encodeSubscription(['audit', 'orders']) })),
      topics: ['audit', 'orders'],
    });
    expect(plain(ours)).toEqual(Object.fromEntries(theirs.map((a) => [a.memberId, Object.fromEntries(decodeAssignment(a.memberAssignment).assignment)])));
    expect(plain(ours)).toEqual({ 'm-1': { audit: [0], orders: [0, 3] }, 'm-2': { audit: [1], orders: [1, 4] }, 'm-3': { audit: [2], orders: [2] } });
  });
});
