// Fetch in a cluster: only the leader serves a partition (consumers and followers alike), and a fetch
// carrying a leader epoch is checked against the current one (KIP-320): older → FENCED_LEADER_EPOCH,
// newer (this broker has not seen the change yet) → UNKNOWN_LEADER_EPOCH. A follower's fetch offset is
// its log end offset: the leader records it (high watermark, ISR) before reading.
import { ErrorCode } from '../../common/index.js';
import type { FetchRequestPartition } from '../../protocol/index.js';
import type { ClusterRuntime } from '../context.js';

/** 0 when this broker may answer the partition, else the error code to answer. */
export function checkFetchLeadership(cluster: ClusterRuntime, topic: string, p: FetchRequestPartition, replicaId: number): number {
  const leader = cluster.replicas.leader(topic, p.partition);
  if (leader === undefined || leader.fenced) {
    return cluster.view.topics.has(topic) ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  }
  if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch < leader.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
  if (p.currentLeaderEpoch > leader.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
  if (replicaId >= 0) leader.onFollowerFetch(replicaId, Number(p.fetchOffset));
  return 0;
}
