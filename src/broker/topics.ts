// Topic lifecycle on this broker: every change goes to the metadata store first, then to storage, so
// that a crash in between is repaired on the next start (logs are created for every known topic).
import {
  assignReplicas,
  collidingTopic,
  validateTopicConfigs,
  validateNewTopicName,
  type MetadataStore,
  type TopicRecord,
} from '../cluster/index.js';
import { ErrorCode, KafkaError, type Logger } from '../common/index.js';
import type { LogManager } from '../storage/index.js';
import type { BrokerConfig } from './config.js';
import type { ClusterRuntime } from './context.js';
import { toLogConfig } from './topic-configs.js';

export interface CreateTopicSpec {
  name: string;
  /** -1 = the broker's num.partitions. */
  numPartitions: number;
  /** -1 = the broker's default.replication.factor. */
  replicationFactor: number;
  configs: Record<string, string | null>;
}

/** Single broker: only one replica can exist. */
const AVAILABLE_BROKERS = 1;
const MAX_PARTITIONS = 100_000;

export class TopicManager {
  /** Creations in progress, so that concurrent auto-creates of one topic share a single creation. */
  private readonly pending = new Map<string, Promise<TopicRecord>>();
  /** Cluster mode: replicas go to live brokers and the replica manager creates the logs. */
  cluster: ClusterRuntime | null = null;

  constructor(
    private readonly config: BrokerConfig,
    private readonly metadata: MetadataStore,
    private readonly logs: LogManager,
    private readonly logger: Logger,
  ) {}

  /** Validates and (unless validateOnly) creates a topic. Throws KafkaError with the reason. */
  async create(spec: CreateTopicSpec, validateOnly = false): Promise<TopicRecord> {
    const inProgress = this.pending.get(spec.name);
    if (inProgress !== undefined) {
      await inProgress.catch(() => undefined);
      throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic "${spec.name}" already exists`);
    }
    const creation = this.doCreate(spec, validateOnly);
    if (validateOnly) return creation;
    this.pending.set(spec.name, creation);
    try {
      return await creation;
    } finally {
      this.pending.delete(spec.name);
    }
  }

  /**
   * The topic, auto-created with broker defaults if it does not exist and auto-creation is allowed;
   * undefined when it does not exist and may not be created.
   */
  async ensure(name: string, allowAutoCreate: boolean): Promise<TopicRecord | undefined> {
    const inProgress = this.pending.get(name);
    if (inProgress !== undefined) return inProgress;
    const existing = await this.metadata.getTopic(name);
    if (existing !== undefined || !allowAutoCreate || !this.config.autoCreateTopics) return existing;
    const again = this.pending.get(name);
    if (again !== undefined) return again;
    try {
      const created = await this.create({ name, numPartitions: -1, replicationFactor: -1, configs: {} });
      this.logger.info('auto-created topic', { topic: name, partitions: created.partitions });
      return created;
    } catch (err) {
      if (err instanceof KafkaError && err.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS) return this.metadata.getTopic(name);
      throw err;
    }
  }

  async delete(name: string): Promise<void> {
    if (!this.config.deleteTopicEnable) throw new KafkaError(ErrorCode.TOPIC_DELETION_DISABLED, 'delete.topic.enable is false');
    await this.metadata.deleteTopic(name);
    await this.logs.deleteTopic(name);
    this.logger.info('deleted topic', { topic: name });
  }

  /** Replaces the topic's config overrides as a whole (AlterConfigs) and applies them to storage at once. */
  async alterConfigs(name: string, configs: Record<string, string | null>, validateOnly = false): Promise<void> {
    const valid = validateTopicConfigs(configs);
    const topic = await this.metadata.getTopic(name);
    if (topic === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic "${name}" does not exist`);
    if (validateOnly) return;
    await this.metadata.updateConfigs(name, valid, topic.version);
    this.logs.setConfig(name, toLogConfig(this.config.logDefaults, valid));
  }

  async createPartitions(name: string, count: number, validateOnly = false): Promise<void> {
    const topic = await this.metadata.getTopic(name);
    if (topic === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic "${name}" does not exist`);
    if (count <= topic.partitions) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `topic "${name}" has ${topic.partitions} partitions; the new count must be larger, not ${count}`);
    }
    if (count > MAX_PARTITIONS) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `at most ${MAX_PARTITIONS} partitions`);
    if (validateOnly) return;
    if (this.cluster !== null) {
      const live = [...this.cluster.view.brokers.keys()];
      const added = assignReplicas(live, count - topic.partitions, topic.replicationFactor, { firstPartition: topic.partitions });
      await this.metadata.addPartitions(name, count, added, topic.version);
      await this.waitForLeaders(name, count);
      this.logger.info('added partitions', { topic: name, partitions: count });
      return;
    }
    const added = Array.from({ length: count - topic.partitions }, () => [this.config.nodeId]);
    const updated = await this.metadata.addPartitions(name, count, added, topic.version);
    const logConfig = toLogConfig(this.config.logDefaults, updated.configs);
    for (let p = topic.partitions; p < count; p++) await this.logs.createLog(name, p, logConfig);
    this.logger.info('added partitions', { topic: name, partitions: count });
  }

  /** Creates the logs of every topic in the metadata store (startup, and repair after a crash). */
  async openAll(): Promise<void> {
    for (const topic of await this.metadata.listTopics()) {
      const logConfig = toLogConfig(this.config.logDefaults, topic.configs);
      for (let p = 0; p < topic.partitions; p++) await this.logs.createLog(topic.name, p, logConfig);
      this.logs.setConfig(topic.name, logConfig);
    }
  }

  /** Cluster: waits (up to 5 s) until this broker's view shows a leader for every partition. */
  private async waitForLeaders(name: string, partitions: number): Promise<void> {
    const view = this.cluster?.view;
    if (view === undefined) return;
    await view.waitUntil(() => {
      for (let p = 0; p < partitions; p++) if ((view.partition(name, p)?.leader ?? -1) < 0) return false;
      return true;
    }, 5000);
  }

  private async doCreate(spec: CreateTopicSpec, validateOnly: boolean): Promise<TopicRecord> {
    validateNewTopicName(spec.name);
    const partitions = spec.numPartitions === -1 ? this.config.numPartitions : spec.numPartitions;
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `number of partitions must be between 1 and ${MAX_PARTITIONS}, not ${spec.numPartitions}`);
    }
    const available = this.cluster === null ? AVAILABLE_BROKERS : this.cluster.view.brokers.size;
    // In a cluster the default is min(3, live brokers), like Kafka's recommended production setting.
    const fallback = this.cluster === null ? this.config.defaultReplicationFactor : Math.max(1, Math.min(3, available));
    const replicationFactor = spec.replicationFactor === -1 ? fallback : spec.replicationFactor;
    if (replicationFactor < 1 || replicationFactor > available) {
      throw new KafkaError(
        ErrorCode.INVALID_REPLICATION_FACTOR,
        `replication factor ${replicationFactor} is not possible: ${available} broker(s) available`,
      );
    }
    const configs = validateTopicConfigs(spec.configs);
    const all = await this.metadata.listTopics();
    if (all.some((t) => t.name === spec.name)) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic "${spec.name}" already exists`);
    const collision = collidingTopic(spec.name, all.map((t) => t.name));
    if (collision !== null) {
      throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `topic "${spec.name}" collides with existing topic "${collision}" ('.' and '_' are interchangeable in metric names)`);
    }
    const record = {
      name: spec.name,
      partitions,
      replicationFactor,
      assignments: Array.from({ length: partitions }, () => [this.config.nodeId]),
      configs,
    };
    if (validateOnly) return { ...record, topicId: '', version: 0 };
    if (this.cluster !== null) {
      const created = await this.cluster.store.createTopicOnLiveBrokers({ name: spec.name, partitions, replicationFactor, configs });
      await this.waitForLeaders(spec.name, partitions);
      this.logger.info('created topic', { topic: spec.name, partitions, replicationFactor });
      return created;
    }
    const created = await this.metadata.createTopic(record);
    const logConfig = toLogConfig(this.config.logDefaults, configs);
    for (let p = 0; p < partitions; p++) await this.logs.createLog(spec.name, p, logConfig);
    this.logger.info('created topic', { topic: spec.name, partitions });
    return created;
  }
}
