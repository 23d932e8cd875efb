// Broker configuration: Kafka's broker config names, read from a YAML file, then `--set key=value`
// overrides, then the explicit command-line flags. Unknown names and bad values are errors that name
// the key and where it came from; nothing is silently ignored.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { errorMessage, UsageError, type LogLevel } from '../common/index.js';
import type { FlushPolicy, LogConfig } from '../storage/index.js';

export interface BrokerConfig {
  nodeId: number;
  dataDir: string;
  /** The TCP listener (port 0 = any free port). */
  listeners: { host: string; port: number };
  /** Host and port put in Metadata responses when clients must use another address than the listener's. */
  advertisedHost?: string;
  advertisedPort?: number;
  /** Unix socket for local clients, or null for none. */
  socketPath: string | null;
  /** Defaults of every topic's log settings (log.* broker configs). */
  logDefaults: LogConfig;
  /** Broker default for min.insync.replicas (reported by DescribeConfigs; one broker = always 1 replica). */
  minInsyncReplicas: number;
  /** Broker default for delete.retention.ms (log.cleaner.delete.retention.ms). */
  deleteRetentionMs: number;
  flushPolicy: FlushPolicy;
  autoCreateTopics: boolean;
  deleteTopicEnable: boolean;
  numPartitions: number;
  defaultReplicationFactor: number;
  socketRequestMaxBytes: number;
  messageMaxBytes: number;
  maxConnections: number;
  connectionsMaxIdleMs: number;
  logRetentionCheckIntervalMs: number;
  /** producer.id.expiration.ms: idempotent producers idle this long are forgotten (checked with retention). */
  producerIdExpirationMs: number;
  /** log.cleaner.backoff.ms: pause between two compaction passes. */
  logCleanerBackoffMs: number;
  logLevel: LogLevel;
  /** metrics.listen (--metrics): HTTP endpoint for /metrics and /health, null = none. */
  metricsListen: { host: string; port: number } | null;
  /** etcd cluster to join (`--cluster etcd://host:port[,host:port][/name]`), null = single broker. */
  cluster: ClusterConfig | null;
  /** Replication settings (used only in a cluster). */
  replication: {
    /** cluster.session.timeout.ms: etcd lease TTL; a silent broker is declared dead after this. */
    sessionTimeoutMs: number;
    /** unclean.leader.election.enable (broker default; a topic config overrides it). */
    uncleanLeaderElectionEnable: boolean;
    /** replica.lag.time.max.ms: a follower not caught up for this long leaves the ISR. */
    replicaLagTimeMaxMs: number;
    /** replica.fetch.wait.max.ms: a follower's Fetch long-poll. */
    replicaFetchWaitMaxMs: number;
    /** replica.fetch.max.bytes: per partition in a follower's Fetch. */
    replicaFetchMaxBytes: number;
    /** replica.high.watermark.checkpoint.interval.ms: how often replication-offset-checkpoint is rewritten. */
    highWatermarkCheckpointIntervalMs: number;
    /** controlled.shutdown.enable: on stop, hand leaderships to other ISR members before closing. */
    controlledShutdownEnable: boolean;
    /** controlled.shutdown.max.wait.ms: how long a stopping broker waits for its leaderships to move. */
    controlledShutdownMaxWaitMs: number;
  };
  /** Consumer-group coordinator settings (group.* and offsets.* broker configs). */
  groups: {
    offsetsTopicNumPartitions: number;
    initialRebalanceDelayMs: number;
    minSessionTimeoutMs: number;
    maxSessionTimeoutMs: number;
    offsetMetadataMaxBytes: number;
    offsetsRetentionMs: number;
    offsetsRetentionCheckIntervalMs: number;
  };
}

export interface ClusterConfig {
  /** etcd client endpoints, "host:port". */
  endpoints: string[];
  /** Cluster name: the etcd key namespace (several clusters may share one etcd). */
  name: string;
}

export interface LoadBrokerConfigInput {
  /** YAML file of `kafka.config.name: value` pairs (nested maps are joined with dots). */
  file?: string;
  /** `--set key=value` pairs. */
  overrides: Record<string, string>;
  dataDir?: string;
  /** "host:port" */
  listen?: string;
  /** A Unix socket path, or false for none. */
  socket?: string | false;
  /** "host:port" of the metrics and health endpoint (--metrics). */
  metrics?: string;
  /** `etcd://host:port[,host:port...][/name]` (--cluster). */
  cluster?: string;
  /** --node-id */
  nodeId?: string;
  /** "host:port" clients and other brokers connect to (--advertise). */
  advertise?: string;
}

const DAY_MS = 86_400_000;

/** `$XDG_DATA_HOME/logctl`, else `~/.local/share/logctl`. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME !== undefined && env.XDG_DATA_HOME !== '' ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(base, 'logctl');
}

/** The settings as strings, by Kafka name, with where each came from (for error messages). */
type Settings = Map<string, { value: string; source: string }>;

const KNOWN_KEYS = new Set([
  'node.id', 'broker.id', 'listeners', 'advertised.listeners', 'log.dirs', 'log.dir', 'unix.socket.path',
  'auto.create.topics.enable', 'delete.topic.enable', 'num.partitions', 'default.replication.factor',
  'socket.request.max.bytes', 'message.max.bytes', 'max.connections', 'connections.max.idle.ms',
  'log.retention.ms', 'log.retention.minutes', 'log.retention.hours', 'log.retention.bytes',
  'log.segment.bytes', 'log.roll.ms', 'log.roll.hours', 'log.cleanup.policy', 'log.message.timestamp.type',
  'log.index.interval.bytes', 'log.cleaner.delete.retention.ms', 'log.cleaner.backoff.ms', 'min.insync.replicas',
  'log.flush.interval.messages', 'log.flush.interval.ms', 'log.retention.check.interval.ms', 'log.level',
  'metrics.listen',
  'offsets.topic.num.partitions', 'group.initial.rebalance.delay.ms', 'group.min.session.timeout.ms',
  'group.max.session.timeout.ms', 'offset.metadata.max.bytes', 'offsets.retention.minutes',
  'offsets.retention.check.interval.ms', 'cluster.etcd', 'cluster.session.timeout.ms',
  'unclean.leader.election.enable', 'replica.lag.time.max.ms', 'replica.fetch.wait.max.ms', 'replica.fetch.max.bytes',
  'replica.high.watermark.checkpoint.interval.ms', 'controlled.shutdown.enable', 'controlled.shutdown.max.wait.ms',
  'producer.id.expiration.ms',
]);

export function loadBrokerConfig(input: LoadBrokerConfigInput): BrokerConfig {
  const settings: Settings = new Map();
  const put = (key: string, value: string, source: string): void => {
    if (!KNOWN_KEYS.has(key)) throw new UsageError(`${source}: unknown broker config "${key}"`);
    settings.set(key, { value, source });
  };
  if (input.file !== undefined) {
    for (const [k, v] of Object.entries(readYamlFile(input.file))) put(k, v, `config file ${input.file}`);
  }
  for (const [k, v] of Object.entries(input.overrides)) put(k.trim(), v, '--set');
  if (input.dataDir !== undefined) put('log.dirs', input.dataDir, '--data-dir');
  if (input.listen !== undefined) put('listeners', input.listen, '--listen');
  if (input.socket !== undefined) put('unix.socket.path', input.socket === false ? '' : input.socket, '--socket');
  if (input.metrics !== undefined) put('metrics.listen', input.metrics, '--metrics');
  if (input.cluster !== undefined) put('cluster.etcd', input.cluster, '--cluster');
  if (input.nodeId !== undefined) put('node.id', input.nodeId, '--node-id');
  if (input.advertise !== undefined) put('advertised.listeners', input.advertise, '--advertise');
  return build(new Reader(settings));
}

/** Typed access to the settings, each error naming the key and its source. */
class Reader {
  constructor(private readonly settings: Settings) {}

  has(key: string): boolean {
    return this.settings.has(key);
  }

  string(key: string, fallback: string): string {
    return this.settings.get(key)?.value ?? fallback;
  }

  int(key: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const s = this.settings.get(key);
    if (s === undefined) return fallback;
    const text = s.value.trim();
    const n = Number(text);
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n)) this.fail(key, 'must be an integer');
    if (n < min || n > max) this.fail(key, `must be between ${min} and ${max}`);
    return n;
  }

  bool(key: string, fallback: boolean): boolean {
    const s = this.settings.get(key);
    if (s === undefined) return fallback;
    const v = s.value.trim().toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
    return this.fail(key, 'must be true or false');
  }

  oneOf<T extends string>(key: string, fallback: T, allowed: readonly T[]): T {
    const s = this.settings.get(key);
    if (s === undefined) return fallback;
    const v = s.value.trim() as T;
    if (!allowed.includes(v)) this.fail(key, `must be one of ${allowed.join(', ')}`);
    return v;
  }

  /** "host:port" or Kafka's "PLAINTEXT://host:port" (a single listener). */
  hostPort(key: string, fallback: { host: string; port: number }): { host: string; port: number } {
    const s = this.settings.get(key);
    if (s === undefined) return fallback;
    const text = s.value.trim();
    if (text.includes(',')) this.fail(key, 'only one listener is supported');
    const m = /^(?:(?:PLAINTEXT|plaintext):\/\/)?(\[[^\]]*\]|[^:]*):(\d+)$/.exec(text);
    const port = Number(m?.[2]);
    if (m === null || !Number.isInteger(port) || port < 0 || port > 65535) this.fail(key, 'must be host:port (or PLAINTEXT://host:port)');
    const host = (m?.[1] ?? '').replace(/^\[(.*)\]$/, '$1');
    return { host: host === '' ? '0.0.0.0' : host, port };
  }

  /** `etcd://host:port[,host:port...][/name]` (the scheme may be omitted); null when unset. */
  cluster(key: string): ClusterConfig | null {
    const s = this.settings.get(key);
    if (s === undefined || s.value.trim() === '') return null;
    const m = /^(?:etcd:\/\/)?([^/]+)(?:\/([A-Za-z0-9._-]+))?\/?$/.exec(s.value.trim());
    const endpoints = (m?.[1] ?? '').split(',').map((e) => e.trim());
    if (m === null || endpoints.some((e) => !/^(\[[^\]]+\]|[^:\s]+):\d{1,5}$/.test(e))) {
      this.fail(key, 'must be etcd://host:port[,host:port...][/name]');
    }
    return { endpoints, name: m?.[2] ?? 'default' };
  }

  fail(key: string, why: string): never {
    const s = this.settings.get(key);
    throw new UsageError(`${s?.source ?? 'config'}: invalid value "${s?.value ?? ''}" for ${key}: ${why}`);
  }
}

function build(r: Reader): BrokerConfig {
  const dataDir = r.string('log.dirs', r.string('log.dir', defaultDataDir()));
  if (dataDir.includes(',')) r.fail('log.dirs', 'only one data directory is supported');
  if (dataDir.trim() === '') r.fail('log.dirs', 'must not be empty');
  const listeners = r.hostPort('listeners', { host: '127.0.0.1', port: 9092 });
  const advertised = r.has('advertised.listeners') ? r.hostPort('advertised.listeners', listeners) : undefined;
  const socket = r.string('unix.socket.path', join(dataDir, 'logctl.sock')).trim();
  const messageMaxBytes = r.int('message.max.bytes', 1048588, 0, 2_147_483_647);
  const retentionMs = r.has('log.retention.ms')
    ? r.int('log.retention.ms', 0, -1)
    : r.has('log.retention.minutes')
      ? r.int('log.retention.minutes', 0, -1) * 60_000
      : r.int('log.retention.hours', 168, -1) * 3_600_000;
  const segmentMs = r.has('log.roll.ms') ? r.int('log.roll.ms', 0, 1) : r.int('log.roll.hours', 168, 1) * 3_600_000;
  const cleanupPolicy = r.oneOf('log.cleanup.policy', 'delete', ['delete', 'compact', 'compact,delete', 'delete,compact']);
  const nodeId = r.has('node.id') ? r.int('node.id', 0, 0, 2_147_483_647) : r.int('broker.id', 0, 0, 2_147_483_647);
  const config: BrokerConfig = {
    nodeId,
    dataDir,
    listeners,
    socketPath: socket === '' || socket === 'none' ? null : socket,
    logDefaults: {
      segmentBytes: r.int('log.segment.bytes', 1024 * 1024 * 1024, 14, 2_147_483_647),
      segmentMs,
      retentionMs: retentionMs < 0 ? -1 : retentionMs,
      retentionBytes: r.int('log.retention.bytes', -1, -1),
      cleanupPolicy: cleanupPolicy === 'delete,compact' ? 'compact,delete' : cleanupPolicy,
      maxMessageBytes: messageMaxBytes,
      messageTimestampType: r.oneOf('log.message.timestamp.type', 'CreateTime', ['CreateTime', 'LogAppendTime']),
      indexIntervalBytes: r.int('log.index.interval.bytes', 4096, 0, 2_147_483_647),
      deleteRetentionMs: r.int('log.cleaner.delete.retention.ms', DAY_MS, 0),
    },
    minInsyncReplicas: r.int('min.insync.replicas', 1, 1, 2_147_483_647),
    deleteRetentionMs: r.int('log.cleaner.delete.retention.ms', DAY_MS, 0),
    flushPolicy: {
      flushIntervalMessages: r.int('log.flush.interval.messages', 1, 1),
      flushIntervalMs: r.int('log.flush.interval.ms', 0, 0),
    },
    autoCreateTopics: r.bool('auto.create.topics.enable', true),
    deleteTopicEnable: r.bool('delete.topic.enable', true),
    numPartitions: r.int('num.partitions', 1, 1, 1_000_000),
    defaultReplicationFactor: r.int('default.replication.factor', 1, 1, 32_767),
    socketRequestMaxBytes: r.int('socket.request.max.bytes', 104_857_600, 1, 2_147_483_647),
    messageMaxBytes,
    maxConnections: r.int('max.connections', 1000, 1, 2_147_483_647),
    connectionsMaxIdleMs: r.int('connections.max.idle.ms', 600_000, -1),
    logRetentionCheckIntervalMs: r.int('log.retention.check.interval.ms', 300_000, 1),
    producerIdExpirationMs: r.int('producer.id.expiration.ms', 86_400_000, 1),
    logCleanerBackoffMs: r.int('log.cleaner.backoff.ms', 15_000, 1),
    logLevel: r.oneOf('log.level', 'info', ['debug', 'info', 'warn', 'error', 'silent']),
    metricsListen: r.string('metrics.listen', '').trim() === '' ? null : r.hostPort('metrics.listen', { host: '127.0.0.1', port: 0 }),
    cluster: r.cluster('cluster.etcd'),
    replication: {
      sessionTimeoutMs: r.int('cluster.session.timeout.ms', 10_000, 1000, 3_600_000),
      uncleanLeaderElectionEnable: r.bool('unclean.leader.election.enable', false),
      replicaLagTimeMaxMs: r.int('replica.lag.time.max.ms', 30_000, 1),
      replicaFetchWaitMaxMs: r.int('replica.fetch.wait.max.ms', 500, 0),
      replicaFetchMaxBytes: r.int('replica.fetch.max.bytes', 1_048_576, 1),
      highWatermarkCheckpointIntervalMs: r.int('replica.high.watermark.checkpoint.interval.ms', 5000, 1),
      controlledShutdownEnable: r.bool('controlled.shutdown.enable', true),
      controlledShutdownMaxWaitMs: r.int('controlled.shutdown.max.wait.ms', 10_000, 0),
    },
    groups: {
      offsetsTopicNumPartitions: r.int('offsets.topic.num.partitions', 50, 1, 10_000),
      initialRebalanceDelayMs: r.int('group.initial.rebalance.delay.ms', 3000, 0),
      minSessionTimeoutMs: r.int('group.min.session.timeout.ms', 6000, 1),
      maxSessionTimeoutMs: r.int('group.max.session.timeout.ms', 1_800_000, 1),
      offsetMetadataMaxBytes: r.int('offset.metadata.max.bytes', 4096, 0),
      offsetsRetentionMs: r.int('offsets.retention.minutes', 10_080, 1) * 60_000,
      offsetsRetentionCheckIntervalMs: r.int('offsets.retention.check.interval.ms', 600_000, 1),
    },
  };
  if (advertised !== undefined) {
    config.advertisedHost = advertised.host;
    config.advertisedPort = advertised.port;
  }
  return config;
}

/** Reads a YAML mapping and flattens it to Kafka-style dotted names with string values. */
function readYamlFile(file: string): Record<string, string> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`cannot read broker config file ${file}: ${errorMessage(err)}`, { cause: err });
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`broker config file ${file} must be a mapping of config names to values`);
  const out: Record<string, string> = {};
  const walk = (obj: Record<string, unknown>, prefix: string): void => {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix === '' ? k : `${prefix}.${k}`;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, key);
      else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[key] = String(v);
      else throw new UsageError(`broker config file ${file}: "${key}" must be a string, number or boolean`);
    }
  };
  walk(doc as Record<string, unknown>, '');
  return out;
}
