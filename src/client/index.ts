// Our Kafka client, used by every logctl command (and by replication followers).
export { parseBrokerAddress, formatBrokerAddress, DEFAULT_KAFKA_PORT, type BrokerAddress } from './address.js';
export { KafkaConnection, describeSocketError, type ConnectionOptions, type RequestOptions } from './connection.js';
export {
  KafkaClient,
  type ClientOptions,
  type BrokerNode,
  type PartitionMetadata,
  type TopicMetadata,
  type ClusterMetadata,
  type ConnectionPurpose,
} from './client.js';
export { negotiateApiVersions } from './negotiate.js';
export { Admin, type ConfigEntry, type NewTopic, type PartitionDescription, type TopicDescription } from './admin.js';
export { Producer, type ProducerOptions, type ProducerRecord, type RecordMetadata } from './producer.js';
export { Consumer, type ConsumerOptions, type ConsumeOptions, type ConsumedRecord } from './consumer.js';
export { DefaultPartitioner, murmur2, toPositive, partitionForKey } from './partitioner.js';
export { CLIENT_VERSIONS, pickVersion, ourRange, apiVersionsRetryVersion, toVersionTable, type ApiVersionTable, type VersionRange } from './versions.js';
export { kafkaError } from './kafka-errors.js';
export {
  CONSUMER_PROTOCOL_TYPE,
  encodeSubscription,
  decodeSubscription,
  encodeAssignment,
  decodeAssignment,
  type Subscription,
  type MemberAssignment,
  type TopicPartitions,
} from './consumer-protocol.js';
export { ASSIGNORS, rangeAssignor, roundRobinAssignor, type Assignor, type AssignorMember, type AssignorName } from './assignors.js';
export { findGroupCoordinator, onGroupCoordinator, isCoordinatorError } from './group-coordinator-lookup.js';
export {
  GroupAdmin,
  type GroupListing,
  type GroupDescription,
  type GroupMemberDescription,
  type TopicPartitionList,
  type CommittedOffset,
  type OffsetToCommit,
} from './group-admin.js';
export { GroupMembership, type GroupMembershipOptions, type Generation } from './group-membership.js';
export { GroupConsumer, type GroupConsumerOptions, type GroupConsumeOptions } from './group-consumer.js';
export {
  inspectCluster,
  type ClusterInspection,
  type InspectedBroker,
  type InspectedGroup,
  type InspectedPartition,
  type InspectedTopic,
} from './cluster-inspect.js';
export { clusterHealth, ClusterNotReadyError, waitUntilHealthy, type ClusterHealth, type WaitReadyOptions } from './cluster-health.js';
