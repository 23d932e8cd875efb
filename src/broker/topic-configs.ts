// Topic config overrides (Kafka names, string values, as stored in cluster metadata) ↔ the storage
// LogConfig, and the full config listing DescribeConfigs reports.
import { normalizeCleanupPolicy } from '../cluster/index.js';
import type { LogConfig } from '../storage/index.js';
import type { BrokerConfig } from './config.js';

/** DescribeConfigs configSource values (Kafka's ConfigSource enum). */
export const ConfigSource = { DYNAMIC_TOPIC_CONFIG: 1, STATIC_BROKER_CONFIG: 4, DEFAULT_CONFIG: 5 } as const;

export interface ConfigEntry {
  name: string;
  value: string;
  isDefault: boolean;
  configSource: number;
}

/** The broker-wide default of every supported topic config, as Kafka would print it. */
export function topicConfigDefaults(config: BrokerConfig): Record<string, string> {
  const d = config.logDefaults;
  return {
    'cleanup.policy': d.cleanupPolicy,
    'delete.retention.ms': String(config.deleteRetentionMs),
    'index.interval.bytes': String(d.indexIntervalBytes),
    'max.message.bytes': String(d.maxMessageBytes),
    'message.timestamp.type': d.messageTimestampType,
    'min.insync.replicas': String(config.minInsyncReplicas),
    'retention.bytes': String(d.retentionBytes),
    'retention.ms': String(d.retentionMs),
    'segment.bytes': String(d.segmentBytes),
    'segment.ms': String(d.segmentMs),
  };
}

/** The storage settings for a topic: broker defaults with the topic's (validated) overrides on top. */
export function toLogConfig(defaults: LogConfig, overrides: Record<string, string>): LogConfig {
  const num = (name: string, fallback: number): number => {
    const v = overrides[name];
    return v === undefined ? fallback : Number(v);
  };
  const policy = overrides['cleanup.policy'];
  const tsType = overrides['message.timestamp.type'];
  return {
    segmentBytes: num('segment.bytes', defaults.segmentBytes),
    segmentMs: num('segment.ms', defaults.segmentMs),
    retentionMs: num('retention.ms', defaults.retentionMs),
    retentionBytes: num('retention.bytes', defaults.retentionBytes),
    cleanupPolicy: (policy === undefined ? null : normalizeCleanupPolicy(policy)) ?? defaults.cleanupPolicy,
    maxMessageBytes: num('max.message.bytes', defaults.maxMessageBytes),
    messageTimestampType: tsType === 'LogAppendTime' || tsType === 'CreateTime' ? tsType : defaults.messageTimestampType,
    indexIntervalBytes: num('index.interval.bytes', defaults.indexIntervalBytes),
    deleteRetentionMs: num('delete.retention.ms', defaults.deleteRetentionMs ?? 86_400_000),
  };
}

/** Every supported topic config with its effective value and whether it is an override. */
export function describeTopicConfigs(config: BrokerConfig, overrides: Record<string, string>): ConfigEntry[] {
  return Object.entries(topicConfigDefaults(config)).map(([name, fallback]) => {
    const override = overrides[name];
    return override === undefined
      ? { name, value: fallback, isDefault: true, configSource: ConfigSource.DEFAULT_CONFIG }
      : { name, value: override, isDefault: false, configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG };
  });
}

/** The broker's main settings, for DescribeConfigs on the broker resource. */
export function describeBrokerConfigs(config: BrokerConfig, advertised: { host: string; port: number }): ConfigEntry[] {
  const entry = (name: string, value: string | number | boolean): ConfigEntry => ({
    name,
    value: String(value),
    isDefault: false,
    configSource: ConfigSource.STATIC_BROKER_CONFIG,
  });
  const d = config.logDefaults;
  return [
    entry('node.id', config.nodeId),
    entry('broker.id', config.nodeId),
    entry('listeners', `PLAINTEXT://${config.listeners.host}:${config.listeners.port}`),
    entry('advertised.listeners', `PLAINTEXT://${advertised.host}:${advertised.port}`),
    entry('log.dirs', config.dataDir),
    entry('auto.create.topics.enable', config.autoCreateTopics),
    entry('delete.topic.enable', config.deleteTopicEnable),
    entry('num.partitions', config.numPartitions),
    entry('default.replication.factor', config.defaultReplicationFactor),
    entry('min.insync.replicas', config.minInsyncReplicas),
    entry('message.max.bytes', config.messageMaxBytes),
    entry('socket.request.max.bytes', config.socketRequestMaxBytes),
    entry('max.connections', config.maxConnections),
    entry('connections.max.idle.ms', config.connectionsMaxIdleMs),
    entry('log.retention.ms', d.retentionMs),
    entry('log.retention.bytes', d.retentionBytes),
    entry('log.segment.bytes', d.segmentBytes),
    entry('log.roll.ms', d.segmentMs),
    entry('log.cleanup.policy', d.cleanupPolicy),
    entry('log.message.timestamp.type', d.messageTimestampType),
    entry('log.index.interval.bytes', d.indexIntervalBytes),
    entry('log.flush.interval.messages', config.flushPolicy.flushIntervalMessages),
    entry('log.flush.interval.ms', config.flushPolicy.flushIntervalMs),
    entry('log.retention.check.interval.ms', config.logRetentionCheckIntervalMs),
    entry('producer.id.expiration.ms', config.producerIdExpirationMs),
  ];
}
