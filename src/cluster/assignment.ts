// Replica assignment for new topics and partitions, as Kafka's rack-unaware assignment does it
// (AdminUtils.assignReplicasToBrokersRackUnaware): partition leaders go round-robin over the brokers
// from a random start, and each partition's followers follow its leader at a shift that grows every
// time the leaders wrap around, so the followers of one broker's partitions spread over all others.
import { ErrorCode, KafkaError } from '../common/index.js';

/** The replication factor topic creation and `__consumer_offsets` use in a cluster: min(3, brokers). */
export const MAX_DEFAULT_REPLICATION_FACTOR = 3;

export function defaultReplicationFactor(liveBrokers: number): number {
  return Math.max(1, Math.min(MAX_DEFAULT_REPLICATION_FACTOR, liveBrokers));
}

export interface AssignmentOptions {
  /** Index (into the sorted broker list) of partition 0's leader; random by default, as in Kafka. */
  startIndex?: number;
  /** Initial follower shift; random by default. */
  replicaShift?: number;
  /** Id of the first partition being assigned (the current count when adding partitions). */
  firstPartition?: number;
}

/**
 * Replica lists for `partitions` partitions over the given broker ids (the first of each list is the
 * preferred leader). Throws KafkaError(INVALID_REPLICATION_FACTOR) when there are fewer brokers than
 * replicationFactor, INVALID_PARTITIONS for a count below 1.
 */
export function assignReplicas(
  brokerIds: readonly number[],
  partitions: number,
  replicationFactor: number,
  options: AssignmentOptions = {},
): number[][] {
  const brokers = [...new Set(brokerIds)].sort((a, b) => a - b);
  const n = brokers.length;
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `number of partitions must be at least 1, not ${partitions}`);
  }
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new KafkaError(ErrorCode.INVALID_REPLICATION_FACTOR, `replication factor must be at least 1, not ${replicationFactor}`);
  }
  if (replicationFactor > n) {
    throw new KafkaError(
      ErrorCode.INVALID_REPLICATION_FACTOR,
      `replication factor ${replicationFactor} is larger than the number of available brokers (${n})`,
    );
  }
  const startIndex = options.startIndex ?? randomIndex(n);
  let shift = options.replicaShift ?? randomIndex(n);
  const first = options.firstPartition ?? 0;
  const result: number[][] = [];
  for (let i = 0; i < partitions; i++) {
    const p = first + i;
    if (p > 0 && p % n === 0) shift++;
    const leaderIndex = (p + startIndex) % n;
    const replicas = [brokers[leaderIndex] as number];
    for (let j = 0; j < replicationFactor - 1; j++) {
      // Followers are the brokers after the leader at distance 1 + (shift + j) mod (n - 1): never the leader.
      replicas.push(brokers[(leaderIndex + 1 + ((shift + j) % (n - 1))) % n] as number);
    }
    result.push(replicas);
  }
  return result;
}

function randomIndex(n: number): number {
  return Math.floor(Math.random() * n);
}
