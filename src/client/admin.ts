// Admin: topic management over the admin APIs, sent to the controller (the only broker, for now).
// Per-topic outcomes of create/delete are returned (the CLI reports each); everything else throws a
// KafkaError naming the operation, the error code and the broker's errorMessage.
import { ErrorCode } from '../common/index.js';
import { AlterConfigs, CreatePartitions, CreateTopics, DeleteRecords, DeleteTopics, DescribeConfigs } from '../protocol/index.js';
import type { KafkaClient } from './client.js';
import { kafkaError, throwIfError } from './kafka-errors.js';

/** DescribeConfigs/AlterConfigs resource type of a topic. */
const RESOURCE_TOPIC = 2;
const ADMIN_TIMEOUT_MS = 30_000;

/** Kafka's ConfigSource codes (DescribeConfigs v1+), as names. */
const CONFIG_SOURCES: Record<number, string> = {
  1: 'DYNAMIC_TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
  6: 'DYNAMIC_BROKER_LOGGER_CONFIG',
};
const TOPIC_SOURCE = 1;

export interface ConfigEntry {
  name: string;
  value: string | null;
  /** True unless the value was set on the topic itself (source DYNAMIC_TOPIC_CONFIG). */
  isDefault: boolean;
  readOnly: boolean;
  isSensitive: boolean;
  source: string;
}

export interface PartitionDescription {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  logStartOffset: number;
  /** The high watermark: the offset the next consumable record will get. */
  logEndOffset: number;
}

export interface TopicDescription {
  name: string;
  isInternal: boolean;
  partitions: PartitionDescription[];
  configs: ConfigEntry[];
}

export interface NewTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

export class Admin {
  private readonly client: KafkaClient;

  constructor(client: KafkaClient) {
    this.client = client;
  }

  async createTopics(
    topics: NewTopic[],
    options: { validateOnly?: boolean } = {},
  ): Promise<{ name: string; errorCode: number; errorMessage: string | null }[]> {
    const conn = await this.client.controllerConnection();
    const res = await this.client.request(conn, CreateTopics, {
      topics: topics.map((t) => ({
        name: t.name,
        numPartitions: t.numPartitions,
        replicationFactor: t.replicationFactor,
        assignments: [],
        configs: Object.entries(t.configs).map(([name, value]) => ({ name, value })),
      })),
      timeoutMs: ADMIN_TIMEOUT_MS,
      validateOnly: options.validateOnly ?? false,
    });
    for (const t of topics) this.client.invalidateTopic(t.name);
    return res.topics.map((t) => ({ name: t.name, errorCode: t.errorCode, errorMessage: t.errorMessage }));
  }

  async deleteTopics(names: string[]): Promise<{ name: string; errorCode: number }[]> {
    const conn = await this.client.controllerConnection();
    const res = await this.client.request(conn, DeleteTopics, { topicNames: names, timeoutMs: ADMIN_TIMEOUT_MS });
    for (const name of names) this.client.invalidateTopic(name);
    return res.responses.map((r) => ({ name: r.name, errorCode: r.errorCode }));
  }

  /** Topic names, sorted. */
  async listTopics(includeInternal = false): Promise<string[]> {
    const md = await this.client.metadata(null);
    return md.topics
      .filter((t) => t.errorCode === ErrorCode.NONE && (includeInternal || !t.isInternal))
      .map((t) => t.name)
      .sort();
  }

  /** Metadata + earliest/latest offsets + configs of each topic; throws if one does not exist. */
  async describeTopics(names: string[]): Promise<TopicDescription[]> {
    const md = await this.client.metadata(names);
    const configs = await this.describeTopicConfigs(names);
    return Promise.all(
      names.map(async (name) => {
        const t = md.topics.find((x) => x.name === name);
        if (t === undefined || t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
          throw kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic "${name}" does not exist`);
        }
        throwIfError(t.errorCode, `describe topic "${name}"`);
        const ids = t.partitions.map((p) => p.partition);
        const [earliest, latest] = await Promise.all([this.client.listOffsets(name, ids, -2), this.client.listOffsets(name, ids, -1)]);
        return {
          name,
          isInternal: t.isInternal,
          partitions: t.partitions.map((p) => ({
            partition: p.partition,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
            logStartOffset: earliest.get(p.partition)?.offset ?? -1,
            logEndOffset: latest.get(p.partition)?.offset ?? -1,
          })),
          configs: configs.get(name) ?? [],
        };
      }),
    );
  }

  async describeConfigs(topic: string): Promise<ConfigEntry[]> {
    return (await this.describeTopicConfigs([topic])).get(topic) ?? [];
  }

  /**
   * Sets and removes topic config overrides. AlterConfigs replaces the whole set of a topic's overrides,
   * so the current overrides are read first and sent back with the changes applied.
   */
  async alterConfigs(topic: string, set: Record<string, string>, remove: string[]): Promise<void> {
    const current = await this.describeConfigs(topic);
    const overrides = new Map<string, string | null>();
    for (const c of current) if (!c.isDefault) overrides.set(c.name, c.value);
    for (const name of remove) overrides.delete(name);
    for (const [name, value] of Object.entries(set)) overrides.set(name, value);
    const conn = await this.client.controllerConnection();
    const res = await this.client.request(conn, AlterConfigs, {
      resources: [{ resourceType: RESOURCE_TOPIC, resourceName: topic, configs: [...overrides].map(([name, value]) => ({ name, value })) }],
      validateOnly: false,
    });
    for (const r of res.responses) throwIfError(r.errorCode, `alter configs of topic "${topic}"`, r.errorMessage);
  }

  /** Raises the topic's partition count to `count`. */
  async createPartitions(topic: string, count: number): Promise<void> {
    const conn = await this.client.controllerConnection();
    const res = await this.client.request(conn, CreatePartitions, {
      topics: [{ name: topic, count, assignments: null }],
      timeoutMs: ADMIN_TIMEOUT_MS,
      validateOnly: false,
    });
    this.client.invalidateTopic(topic);
    for (const r of res.results) throwIfError(r.errorCode, `create partitions of topic "${topic}"`, r.errorMessage);
  }

  /** Deletes records below `beforeOffset` (-1 = the high watermark); returns the new logStartOffset. */
  async deleteRecords(topic: string, partition: number, beforeOffset: number): Promise<number> {
    const leader = await this.client.leaderFor(topic, partition);
    const conn = await this.client.connectionFor(leader);
    const res = await this.client.request(conn, DeleteRecords, {
      topics: [{ name: topic, partitions: [{ partitionIndex: partition, offset: BigInt(beforeOffset) }] }],
      timeoutMs: ADMIN_TIMEOUT_MS,
    });
    const p = res.topics.find((t) => t.name === topic)?.partitions.find((x) => x.partitionIndex === partition);
    if (p === undefined) throw kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `delete records of ${topic}/${partition}: no answer for the partition`);
    throwIfError(p.errorCode, `delete records of ${topic}/${partition}`);
    return Number(p.lowWatermark);
  }

  private async describeTopicConfigs(topics: string[]): Promise<Map<string, ConfigEntry[]>> {
    const conn = await this.client.controllerConnection();
    const res = await this.client.request(conn, DescribeConfigs, {
      resources: topics.map((name) => ({ resourceType: RESOURCE_TOPIC, resourceName: name, configurationKeys: null })),
      includeSynonyms: false,
    });
    const out = new Map<string, ConfigEntry[]>();
    for (const r of res.results) {
      if (r.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
        throw kafkaError(r.errorCode, `topic "${r.resourceName}" does not exist`, r.errorMessage);
      }
      throwIfError(r.errorCode, `describe configs of topic "${r.resourceName}"`, r.errorMessage);
      out.set(
        r.resourceName,
        r.configs
          .map((c) => ({
            name: c.name,
            value: c.value,
            isDefault: c.configSource !== TOPIC_SOURCE,
            readOnly: c.readOnly,
            isSensitive: c.isSensitive,
            source: CONFIG_SOURCES[c.configSource] ?? 'UNKNOWN',
          }))
          .sort((a, b) => a.name.localeCompare(b.name)),
      );
    }
    return out;
  }
}
