// The cluster metadata model and the store interface. Every topic record carries a version that is
// bumped on each change, so that a store backed by etcd can apply updates with compare-and-swap and a
// stale writer (an old controller) can never overwrite a newer decision.

export interface TopicRecord {
  name: string;
  /** Kafka topic id: a UUID, kept in its canonical text form. */
  topicId: string;
  partitions: number;
  replicationFactor: number;
  /** Replica node ids per partition (index = partition); the first one is the preferred leader. */
  assignments: number[][];
  /** Topic config overrides only (Kafka names); absent names take the broker defaults. */
  configs: Record<string, string>;
  version: number;
}

export interface BrokerRecord {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface NewTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  assignments: number[][];
  configs: Record<string, string>;
}

export interface MetadataStore {
  readonly clusterId: string;
  getTopic(name: string): Promise<TopicRecord | undefined>;
  listTopics(): Promise<TopicRecord[]>;
  /** Throws KafkaError(TOPIC_ALREADY_EXISTS) if the name is taken. */
  createTopic(topic: NewTopic): Promise<TopicRecord>;
  /** Throws KafkaError(UNKNOWN_TOPIC_OR_PARTITION) if absent, INVALID_UPDATE_VERSION if expectedVersion is stale. */
  deleteTopic(name: string, expectedVersion?: number): Promise<void>;
  /** Replaces the topic's config overrides as a whole (Kafka AlterConfigs semantics). */
  updateConfigs(name: string, configs: Record<string, string>, expectedVersion?: number): Promise<TopicRecord>;
  /** Raises the partition count to `partitions`, with the replicas of each new partition. */
  addPartitions(name: string, partitions: number, newAssignments: number[][], expectedVersion?: number): Promise<TopicRecord>;
  registerBroker(broker: BrokerRecord): Promise<void>;
  listBrokers(): Promise<BrokerRecord[]>;
  close(): Promise<void>;
}
