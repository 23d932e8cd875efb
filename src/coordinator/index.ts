// coordinator/: consumer groups (classic rebalance protocol) and committed offsets in `__consumer_offsets`.
export {
  GroupCoordinator,
  type CommitRequest,
  type FetchedOffset,
  type GroupCoordinatorOptions,
  type GroupDescription,
  type GroupListing,
  type GroupMemberDescription,
  type OffsetCommitEntry,
  type PartitionResult,
} from './coordinator.js';
export { DEFAULT_COORDINATOR_SETTINGS, type CoordinatorSettings, type JoinRequest, type MembershipRequest, type SyncRequest } from './group-coordinator.js';
export type { GroupProtocol, GroupState, JoinResult, SyncResult } from './group.js';
export type { OffsetsLeadership } from './partition-ownership.js';
export { OFFSETS_TOPIC_LOG_CONFIG, type OffsetsLog, type OffsetsLogProvider } from './offset-store.js';
export { DEFAULT_OFFSETS_TOPIC_PARTITIONS, OFFSETS_TOPIC, javaStringHashCode, partitionForGroup } from './offsets-topic-format.js';
