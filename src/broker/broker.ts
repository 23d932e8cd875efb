// Broker lifecycle. start: metadata store → log manager (recovers every log) → logs for every known
// topic → listeners → retention timer. stop: stop accepting, end long polls, let in-flight requests
// answer, then flush and close storage and metadata.
import { hostname } from 'node:os';
import { EtcdProducerIdBlocks, LocalMetadataStore, type MetadataStore } from '../cluster/index.js';
import { openCluster } from './cluster-mode.js';
import { createLogger, errorMessage, type Logger } from '../common/index.js';
import { FramePool, Server } from '../net/index.js';
import { LogManager } from '../storage/index.js';
import type { BrokerConfig } from './config.js';
import type { BrokerContext, ClusterRuntime } from './context.js';
import { advertisedApiKeys, createDispatcher } from './dispatcher.js';
import { createHandlerRegistry } from './handlers/index.js';
import { ReadBufferPool } from './read-buffers.js';
import { LocalProducerIdBlocks, ProducerIdManager } from './producer-ids.js';
import { TopicManager } from './topics.js';
import { GroupCoordinator } from '../coordinator/index.js';
import type { BrokerMetrics } from './metrics/index.js';

export interface RunningBroker {
  config: BrokerConfig;
  /** The TCP listener's actual address (port resolved when configured as 0). */
  tcp: { host: string; port: number };
  socketPath: string | null;
  /** The /metrics and /health endpoint (set by ./monitored.ts), null when not configured. */
  metricsAddress?: { host: string; port: number } | null;
  /** Graceful shutdown; idempotent. */
  stop(): Promise<void>;
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

export async function startBroker(
  config: BrokerConfig,
  logger: Logger = createLogger({ level: config.logLevel }),
  metrics?: BrokerMetrics,
): Promise<RunningBroker> {
  const etcd = config.cluster === null ? null : await openCluster.store(config, logger);
  const metadata: MetadataStore = etcd ?? (await LocalMetadataStore.open(config.dataDir));
  let logs: LogManager;
  try {
    logs = await LogManager.open({ dataDir: config.dataDir, flushPolicy: config.flushPolicy, logger });
  } catch (err) {
    await metadata.close();
    throw err;
  }
  const topics = new TopicManager(config, metadata, logs, logger);
  const { offsetsTopicNumPartitions, offsetsRetentionMs, offsetsRetentionCheckIntervalMs, ...settings } = config.groups;
  const groupCoordinator = new GroupCoordinator({
    logs,
    logger,
    offsetsTopicNumPartitions,
    offsetsRetentionMs,
    offsetsRetentionCheckIntervalMs,
    settings,
  });
  metrics?.attach({ logs, groupCoordinator });
  const shutdown = new AbortController();
  const registry = createHandlerRegistry();
  const context: BrokerContext = {
    config,
    logger,
    logs,
    metadata,
    topics,
    groupCoordinator,
    advertised: { host: config.advertisedHost ?? config.listeners.host, port: config.advertisedPort ?? config.listeners.port },
    shutdown: shutdown.signal,
    advertisedApis: advertisedApiKeys(registry),
    producerIds: new ProducerIdManager(etcd === null ? new LocalProducerIdBlocks(config.dataDir) : new EtcdProducerIdBlocks(etcd.namespace)),
    metrics,
    cluster: null,
    readBuffers: new ReadBufferPool(),
    framePool: new FramePool(),
  };
  let cluster: ClusterRuntime | null = null;
  const server = new Server({
    maxFrameBytes: config.socketRequestMaxBytes,
    maxConnections: config.maxConnections,
    idleTimeoutMs: Math.max(0, config.connectionsMaxIdleMs),
    logger,
    handler: createDispatcher(registry, context),
    framePool: context.framePool,
  });

  const closeAll = async (): Promise<void> => {
    if (cluster !== null) await openCluster.stop(cluster, logger);
    shutdown.abort();
    // Before the server closes: answers JoinGroup/SyncGroup requests still waiting for a rebalance.
    await groupCoordinator.close();
    await server.close();
    await logs.close();
    await metadata.close();
  };

  let tcp: { host: string; port: number };
  let socketPath: string | null = null;
  try {
    // In a cluster the replica manager creates the logs of the partitions this broker holds, and roles
    // are known before the first request can arrive.
    if (etcd !== null) cluster = context.cluster = topics.cluster = await openCluster.runtime(config, etcd, logs, logger, groupCoordinator);
    else await topics.openAll();
    await groupCoordinator.start();
    tcp = await server.listenTcp(config.listeners.host, config.listeners.port);
    // Set before any request can be served: connection callbacks run after this continuation.
    context.advertised = {
      host: config.advertisedHost ?? (WILDCARD_HOSTS.has(config.listeners.host) ? hostname() : tcp.host),
      port: config.advertisedPort ?? tcp.port,
    };
    await metadata.registerBroker({ nodeId: config.nodeId, host: context.advertised.host, port: context.advertised.port, rack: null });
    if (cluster !== null) await cluster.controller.start();
    if (config.socketPath !== null) socketPath = await server.listenUnix(config.socketPath);
  } catch (err) {
    await closeAll().catch((closeErr: unknown) => logger.error('cleanup after failed start', { error: errorMessage(closeErr) }));
    throw err;
  }
  logs.startRetention(config.logRetentionCheckIntervalMs, config.producerIdExpirationMs);
  logs.startCleaner(config.logCleanerBackoffMs);
  logger.info('broker started', {
    nodeId: config.nodeId,
    listener: `${tcp.host}:${tcp.port}`,
    advertised: `${context.advertised.host}:${context.advertised.port}`,
    socket: socketPath,
    dataDir: config.dataDir,
  });

  let stopping: Promise<void> | null = null;
  return {
    config,
    tcp,
    socketPath,
    stop() {
      stopping ??= (async () => {
        logger.info('broker stopping');
        await closeAll();
        logger.info('broker stopped');
      })();
      return stopping;
    },
  };
}
