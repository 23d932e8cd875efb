export type { BrokerRecord, MetadataStore, NewTopic, TopicRecord } from './metadata-store.js';
export { LocalMetadataStore, METADATA_FILE_NAME } from './local-metadata-store.js';
export {
  collidingTopic,
  MAX_TOPIC_NAME_LENGTH,
  RESERVED_TOPIC_NAMES,
  topicNameProblem,
  validateNewTopicName,
  validateTopicName,
} from './topic-name.js';
export {
  isSupportedTopicConfig,
  normalizeCleanupPolicy,
  TOPIC_CONFIG_NAMES,
  topicConfigProblem,
  validateTopicConfigs,
} from './topic-config.js';
// Cluster mode (etcd): store, controller, partition replication state.
export { EtcdMetadataStore, DEFAULT_SESSION_TTL_SECONDS, type EtcdMetadataStoreOptions } from './etcd-metadata-store.js';
export { EtcdPartitions, type ControllerFence } from './etcd-partitions.js';
export type { EtcdSession } from './etcd-session.js';
export type { ClusterEvent, ClusterSnapshot, ClusterWatch, ClusterWatchListener } from './etcd-watch.js';
export type { ControllerRecord } from './etcd-keys.js';
export { Controller, UNCLEAN_LEADER_ELECTION_CONFIG, type ControllerOptions, type ControllerListener } from './controller.js';
export { assignReplicas, defaultReplicationFactor } from './assignment.js';
export {
  initialPartitionState,
  NO_LEADER,
  partitionChangeForLiveBrokers,
  partitionChangeForShutdown,
  validateIsrProposal,
  type IsrProposal,
  type PartitionChange,
  type PartitionState,
  type StoredPartitionState,
} from './partition-state.js';
export { EtcdProducerIdBlocks, PRODUCER_ID_BLOCK_KEY, type ProducerIdBlockSource } from './producer-id-block.js';
