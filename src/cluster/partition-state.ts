// Per-partition replication state (leader, leader epoch, ISR) and the pure rules that change it: leader
// election by the controller when brokers come and go, and validation of a leader's ISR proposal
// (Kafka's AlterPartition). Pure functions, so the rules are tested without etcd; the etcd store applies
// their results with compare-and-swap.
import { ErrorCode, KafkaError } from '../common/index.js';

/** Leader id of a partition that has no leader (offline). */
export const NO_LEADER = -1;

export interface PartitionState {
  topic: string;
  partition: number;
  /** The topic's id, so that state of a deleted and re-created topic is never mistaken for the new one. */
  topicId: string;
  /** Assigned replicas; the first is the preferred leader. */
  replicas: number[];
  /** In-sync replicas: the only ones allowed to become leader (unless unclean election is enabled). */
  isr: number[];
  /** NO_LEADER (-1) when no eligible replica is alive. */
  leader: number;
  /** Bumped on every leader change (including to NO_LEADER); stamped on batches (KIP-101). */
  leaderEpoch: number;
  /** Bumped on every change of this state (leader or ISR): the version ISR proposals must match. */
  partitionEpoch: number;
  /** Epoch of the controller that last changed the leader (brokers ignore older controllers). */
  controllerEpoch: number;
}

/** A partition state as read from the store, with the store revision that compare-and-swap checks. */
export interface StoredPartitionState extends PartitionState {
  /** etcd mod revision of the stored state (globally unique, so never reused after a topic re-creation). */
  modRevision: string;
}

/** The fields a controller decision or an ISR change sets; the epochs are derived by the store. */
export interface PartitionChange {
  leader: number;
  leaderEpoch: number;
  isr: number[];
  /** True when the new leader was elected from outside the ISR (unclean.leader.election.enable). */
  unclean: boolean;
}

/** State of a new partition: every replica is in sync (all logs are empty), the first one leads. */
export function initialPartitionState(
  topic: string,
  topicId: string,
  partition: number,
  replicas: readonly number[],
  controllerEpoch: number,
): PartitionState {
  return {
    topic,
    partition,
    topicId,
    replicas: [...replicas],
    isr: [...replicas],
    leader: replicas[0] ?? NO_LEADER,
    leaderEpoch: 0,
    partitionEpoch: 1,
    controllerEpoch,
  };
}

/**
 * What the controller must change in a partition given the live brokers, or null when nothing changes.
 * - Dead followers leave the ISR (leader and leader epoch unchanged).
 * - A dead or missing leader is replaced by the first live ISR member in assignment order, with the
 *   leader epoch bumped and the ISR reduced to its live members.
 * - With no live ISR member: unclean election takes the first live replica (ISR = [it]); otherwise the
 *   partition goes offline (leader -1, epoch bumped) and keeps its last ISR, because those replicas hold
 *   every committed record and one of them must lead when it comes back.
 */
export function partitionChangeForLiveBrokers(
  state: PartitionState,
  live: ReadonlySet<number>,
  uncleanLeaderElection: boolean,
): PartitionChange | null {
  const liveIsr = state.isr.filter((id) => live.has(id));
  if (state.leader !== NO_LEADER && live.has(state.leader)) {
    if (liveIsr.length === state.isr.length) return null;
    return { leader: state.leader, leaderEpoch: state.leaderEpoch, isr: liveIsr, unclean: false };
  }
  const clean = state.replicas.find((id) => liveIsr.includes(id));
  if (clean !== undefined) {
    return { leader: clean, leaderEpoch: state.leaderEpoch + 1, isr: orderLike(state.replicas, liveIsr), unclean: false };
  }
  if (uncleanLeaderElection) {
    const any = state.replicas.find((id) => live.has(id));
    if (any !== undefined) return { leader: any, leaderEpoch: state.leaderEpoch + 1, isr: [any], unclean: true };
  }
  if (state.leader === NO_LEADER) return null;
  return { leader: NO_LEADER, leaderEpoch: state.leaderEpoch + 1, isr: [...state.isr], unclean: false };
}

/**
 * Controlled shutdown (applies once partitionChangeForLiveBrokers has nothing to do): brokers in
 * `shuttingDown` leave the ISR, and a partition they lead gets the first other live ISR member in
 * assignment order as leader (leader epoch bumped). Null when nothing changes, including when the
 * stopping leader is the only live ISR member: it keeps leading until it stops, since moving the
 * leadership to a replica outside the ISR would lose records.
 */
export function partitionChangeForShutdown(
  state: PartitionState,
  live: ReadonlySet<number>,
  shuttingDown: ReadonlySet<number>,
): PartitionChange | null {
  if (shuttingDown.size === 0 || state.leader === NO_LEADER) return null;
  const staying = state.isr.filter((id) => !shuttingDown.has(id));
  if (shuttingDown.has(state.leader)) {
    const next = state.replicas.find((id) => staying.includes(id) && live.has(id));
    if (next === undefined) return null;
    return { leader: next, leaderEpoch: state.leaderEpoch + 1, isr: orderLike(state.replicas, staying), unclean: false };
  }
  if (staying.length === state.isr.length) return null;
  return { leader: state.leader, leaderEpoch: state.leaderEpoch, isr: orderLike(state.replicas, staying), unclean: false };
}

/** A partition leader's proposal to shrink or expand the ISR (Kafka AlterPartition). */
export interface IsrProposal {
  topic: string;
  partition: number;
  /** When given, must match the stored topic id (a proposal for a deleted topic is refused). */
  topicId?: string;
  leaderId: number;
  leaderEpoch: number;
  partitionEpoch: number;
  newIsr: number[];
}

/**
 * Checks a proposal against the current state; throws KafkaError with AlterPartition's error codes:
 * FENCED_LEADER_EPOCH (older leader epoch, or not the leader), INVALID_UPDATE_VERSION (stale
 * partitionEpoch), INVALID_REQUEST (ISR without the leader, outside the replicas, duplicates),
 * INELIGIBLE_REPLICA (an added member that is not alive). Returns the change to write.
 */
export function validateIsrProposal(state: PartitionState, proposal: IsrProposal, live: ReadonlySet<number>): PartitionChange {
  const where = `${state.topic}-${state.partition}`;
  if (proposal.topicId !== undefined && proposal.topicId !== state.topicId) {
    throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${where}: topic id ${proposal.topicId} is not the current ${state.topicId}`);
  }
  if (proposal.leaderEpoch !== state.leaderEpoch || proposal.leaderId !== state.leader) {
    throw new KafkaError(
      ErrorCode.FENCED_LEADER_EPOCH,
      `${where}: broker ${proposal.leaderId} at leader epoch ${proposal.leaderEpoch} is not the leader (leader ${state.leader}, epoch ${state.leaderEpoch})`,
    );
  }
  if (proposal.partitionEpoch !== state.partitionEpoch) {
    throw new KafkaError(ErrorCode.INVALID_UPDATE_VERSION, `${where}: partition epoch ${proposal.partitionEpoch} is stale (current ${state.partitionEpoch})`);
  }
  const isr = proposal.newIsr;
  if (!isr.includes(state.leader)) throw new KafkaError(ErrorCode.INVALID_REQUEST, `${where}: the ISR must contain the leader ${state.leader}`);
  if (new Set(isr).size !== isr.length) throw new KafkaError(ErrorCode.INVALID_REQUEST, `${where}: duplicate broker in ISR [${isr.join(',')}]`);
  const outside = isr.filter((id) => !state.replicas.includes(id));
  if (outside.length > 0) throw new KafkaError(ErrorCode.INVALID_REQUEST, `${where}: brokers ${outside.join(',')} are not replicas`);
  const deadAdded = isr.filter((id) => !state.isr.includes(id) && !live.has(id));
  if (deadAdded.length > 0) throw new KafkaError(ErrorCode.INELIGIBLE_REPLICA, `${where}: brokers ${deadAdded.join(',')} are not alive`);
  return { leader: state.leader, leaderEpoch: state.leaderEpoch, isr: orderLike(state.replicas, isr), unclean: false };
}

/** The members of `subset` in the order of `order`, so ISR lists read the same everywhere. */
function orderLike(order: readonly number[], subset: readonly number[]): number[] {
  return order.filter((id) => subset.includes(id));
}
