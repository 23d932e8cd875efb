// The public programmatic API (`import { startBroker } from 'logctl'`): an in-process broker for test
// suites and embedding. Nothing in src/ imports this file. The exported types are declared here, not
// re-exported, so that the declaration file stands alone (it is also shipped as dist/index.d.cts for
// CommonJS consumers, built from dist/index.cjs by scripts/build-cjs.mjs).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBrokerConfig, startBroker as startBrokerProcess } from './broker/index.js';
import { Admin, KafkaClient } from './client/index.js';
import { createLogger, KafkaError, silentLogger } from './common/index.js';

export type EmbeddedLogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface StartBrokerOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Listener host (default 127.0.0.1). */
  host?: string;
  /** Where logs live; default: a new temp directory, removed by stop(). A given dataDir is kept. */
  dataDir?: string;
  /** Also listen on a Unix socket: true = <dataDir>/logctl.sock, or a path. Default: no socket. */
  socket?: boolean | string;
  /** Broker settings by Kafka name, e.g. { 'num.partitions': '3', 'group.initial.rebalance.delay.ms': '0' }. */
  config?: Record<string, string>;
  /** Logs go to stderr at this level; default 'silent'. */
  logLevel?: EmbeddedLogLevel;
  /** "host:port" for the Prometheus /metrics and /health endpoint (port 0 = any); default none. */
  metrics?: string;
}

export interface CreateTopicOptions {
  /** Default: the broker's num.partitions (1 unless configured). */
  partitions?: number;
  /** Topic configs by Kafka name, e.g. { 'cleanup.policy': 'compact' }. */
  configs?: Record<string, string>;
}

export interface EmbeddedBroker {
  /** "127.0.0.1:PORT": what Kafka clients take as bootstrap servers / brokers. */
  bootstrapServers: string;
  host: string;
  port: number;
  /** The Unix socket path, or null (the default in embedded mode). */
  socketPath: string | null;
  dataDir: string;
  /** "host:port" of the metrics endpoint, or null. */
  metricsAddress: string | null;
  /** Creates a topic and waits until it is ready. Rejects when it exists or the config is invalid. */
  createTopic(name: string, options?: CreateTopicOptions): Promise<void>;
  /** Stops the broker, closes every socket and timer, and removes the temp data directory. Idempotent. */
  stop(): Promise<void>;
}

export async function startBroker(options: StartBrokerOptions = {}): Promise<EmbeddedBroker> {
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'logctl-embedded-')));
  const host = options.host ?? '127.0.0.1';
  try {
    const config = loadBrokerConfig({
      overrides: { ...options.config, ...(options.logLevel === undefined ? {} : { 'log.level': options.logLevel }) },
      dataDir,
      listen: `${host.includes(':') ? `[${host}]` : host}:${options.port ?? 0}`,
      socket: options.socket === undefined || options.socket === false ? false : options.socket === true ? join(dataDir, 'logctl.sock') : options.socket,
      ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    });
    const logger = options.logLevel === undefined || options.logLevel === 'silent' ? silentLogger : createLogger({ level: options.logLevel });
    const broker = await startBrokerProcess(config, logger);
    const address = `${broker.tcp.host.includes(':') ? `[${broker.tcp.host}]` : broker.tcp.host}:${broker.tcp.port}`;
    let stopping: Promise<void> | null = null;
    return {
      bootstrapServers: address,
      host: broker.tcp.host,
      port: broker.tcp.port,
      socketPath: broker.socketPath,
      dataDir,
      metricsAddress: broker.metricsAddress ? `${broker.metricsAddress.host}:${broker.metricsAddress.port}` : null,
      createTopic: (name, topicOptions = {}) => createTopic(address, name, topicOptions, config.numPartitions),
      stop() {
        stopping ??= broker.stop().finally(() => (ownDataDir ? rm(dataDir, { recursive: true, force: true }) : undefined));
        return stopping;
      },
    };
  } catch (err) {
    if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

async function createTopic(address: string, name: string, options: CreateTopicOptions, defaultPartitions: number): Promise<void> {
  const client = await KafkaClient.connect({ broker: address, clientId: 'logctl-embedded' });
  try {
    const [result] = await new Admin(client).createTopics([
      { name, numPartitions: options.partitions ?? defaultPartitions, replicationFactor: 1, configs: options.configs ?? {} },
    ]);
    if (result !== undefined && result.errorCode !== 0) throw new KafkaError(result.errorCode, result.errorMessage ?? `cannot create topic ${name}`);
  } finally {
    await client.close();
  }
}
