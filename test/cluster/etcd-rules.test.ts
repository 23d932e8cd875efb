// The pure rules behind the etcd controller: replica assignment, leader election, ISR proposals.
import { describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../src/common/index.js';
import { assignReplicas, defaultReplicationFactor } from '../../src/cluster/assignment.js';
import {
  initialPartitionState,
  NO_LEADER,
  partitionChangeForLiveBrokers,
  validateIsrProposal,
  type PartitionState,
} from '../../src/cluster/partition-state.js';

function state(over: Partial<PartitionState>): PartitionState {
  return { ...initialPartitionState('t', 'id', 0, [1, 2, 3], 1), ...over };
}

function codeOf(fn: () => unknown): number | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof KafkaError ? err.errorCode : -999;
  }
}

describe('assignReplicas', () => {
  it('spreads leaders round-robin and followers after them, like Kafka', () => {
    expect(assignReplicas([3, 1, 2], 6, 3, { startIndex: 0, replicaShift: 0 })).toEqual([
      [1, 2, 3],
      [2, 3, 1],
      [3, 1, 2],
      [1, 3, 2],
      [2, 1, 3],
      [3, 2, 1],
    ]);
  });

  it('never repeats a broker within a partition and balances leaders', () => {
    const a = assignReplicas([1, 2, 3, 4, 5], 20, 3);
    for (const replicas of a) expect(new Set(replicas).size).toBe(3);
    const leaders = a.map((r) => r[0]);
    for (const b of [1, 2, 3, 4, 5]) expect(leaders.filter((l) => l === b)).toHaveLength(4);
  });

  it('continues from firstPartition when adding partitions', () => {
    expect(assignReplicas([1, 2, 3], 2, 2, { startIndex: 0, replicaShift: 0, firstPartition: 3 })).toEqual([
      [1, 3],
      [2, 1],
    ]);
  });

  it('refuses a replication factor above the broker count', () => {
    expect(codeOf(() => assignReplicas([1, 2], 1, 3))).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
    expect(codeOf(() => assignReplicas([1, 2], 0, 1))).toBe(ErrorCode.INVALID_PARTITIONS);
  });

  it('defaults the replication factor to min(3, brokers)', () => {
    expect([0, 1, 2, 3, 7].map(defaultReplicationFactor)).toEqual([1, 1, 2, 3, 3]);
  });
});

describe('partitionChangeForLiveBrokers', () => {
  it('changes nothing while leader and ISR are alive', () => {
    expect(partitionChangeForLiveBrokers(state({}), new Set([1, 2, 3]), false)).toBeNull();
  });

  it('removes a dead follower from the ISR without a new leader epoch', () => {
    expect(partitionChangeForLiveBrokers(state({}), new Set([1, 3]), false)).toEqual({ leader: 1, leaderEpoch: 0, isr: [1, 3], unclean: false });
  });

  it('elects the first live ISR member in assignment order and bumps the leader epoch', () => {
    expect(partitionChangeForLiveBrokers(state({ isr: [1, 3], leaderEpoch: 4 }), new Set([2, 3]), false)).toEqual({
      leader: 3,
      leaderEpoch: 5,
      isr: [3],
      unclean: false,
    });
  });

  it('goes offline, keeping the last ISR, when no ISR member is alive', () => {
    expect(partitionChangeForLiveBrokers(state({ isr: [1], leaderEpoch: 2 }), new Set([2, 3]), false)).toEqual({
      leader: NO_LEADER,
      leaderEpoch: 3,
      isr: [1],
      unclean: false,
    });
    expect(partitionChangeForLiveBrokers(state({ isr: [1], leader: NO_LEADER }), new Set([2, 3]), false)).toBeNull();
  });

  it('elects outside the ISR only with unclean election', () => {
    expect(partitionChangeForLiveBrokers(state({ isr: [1], leaderEpoch: 2 }), new Set([3]), true)).toEqual({
      leader: 3,
      leaderEpoch: 3,
      isr: [3],
      unclean: true,
    });
  });

  it('brings an offline partition back when its ISR member returns', () => {
    expect(partitionChangeForLiveBrokers(state({ isr: [1], leader: NO_LEADER, leaderEpoch: 3 }), new Set([1, 2]), false)).toEqual({
      leader: 1,
      leaderEpoch: 4,
      isr: [1],
      unclean: false,
    });
  });
});

describe('validateIsrProposal', () => {
  const base = state({ leaderEpoch: 2, partitionEpoch: 7, isr: [1, 2] });
  const live = new Set([1, 2, 3]);
  const proposal = { topic: 't', partition: 0, leaderId: 1, leaderEpoch: 2, partitionEpoch: 7, newIsr: [1, 2, 3] };

  it('accepts an expansion by the current leader', () => {
    expect(validateIsrProposal(base, proposal, live)).toEqual({ leader: 1, leaderEpoch: 2, isr: [1, 2, 3], unclean: false });
  });

  it('rejects stale epochs, foreign leaders and bad ISRs with AlterPartition codes', () => {
    expect(codeOf(() => validateIsrProposal(base, { ...proposal, leaderEpoch: 1 }, live))).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(codeOf(() => validateIsrProposal(base, { ...proposal, leaderId: 2 }, live))).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(codeOf(() => validateIsrProposal(base, { ...proposal, partitionEpoch: 6 }, live))).toBe(ErrorCode.INVALID_UPDATE_VERSION);
    expect(codeOf(() => validateIsrProposal(base, { ...proposal, newIsr: [2, 3] }, live))).toBe(ErrorCode.INVALID_REQUEST);
    expect(codeOf(() => validateIsrProposal(base, { ...proposal, newIsr: [1, 4] }, live))).toBe(ErrorCode.INVALID_REQUEST);
    expect(codeOf(() => validateIsrProposal(base, proposal, new Set([1, 2])))).toBe(ErrorCode.INELIGIBLE_REPLICA);
    expect(codeOf(() => validateIsrProposal(base, { ...proposal, topicId: 'other' }, live))).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});
