// Cluster mode (`--cluster etcd://...`): opening the etcd store, then the live view of the cluster, the
// replica manager (roles and logs of the partitions this broker holds) and the controller candidate;
// and stopping them in the reverse order. Without a cluster none of this runs. The group coordinator
// is switched to following the leadership of `__consumer_offsets` partitions (cluster-groups.ts).
// Stopping starts with a controlled shutdown: the broker marks itself as stopping in etcd, the
// controller hands every leadership it holds to another live ISR member (and takes it out of the
// ISRs), and only then, or after controlled.shutdown.max.wait.ms, do the roles and listeners close, so
// clients see a leader change (NOT_LEADER_OR_FOLLOWER, retried) and never a dead leader.
import { Controller, EtcdMetadataStore, type TopicRecord } from '../cluster/index.js';
import { errorMessage, type Logger } from '../common/index.js';
import { ClusterView, ReplicaManager } from '../replication/index.js';
import type { LogManager } from '../storage/index.js';
import type { GroupCoordinator } from '../coordinator/index.js';
import { ClusterGroups } from './cluster-groups.js';
import type { BrokerConfig } from './config.js';
import type { ClusterRuntime } from './context.js';
import { toLogConfig } from './topic-configs.js';

async function store(config: BrokerConfig, logger: Logger): Promise<EtcdMetadataStore> {
  const cluster = config.cluster;
  if (cluster === null) throw new Error('no cluster configured');
  return EtcdMetadataStore.open({
    endpoints: cluster.endpoints,
    clusterName: cluster.name,
    sessionTtlSeconds: Math.max(1, Math.ceil(config.replication.sessionTimeoutMs / 1000)),
    logger,
  });
}

/** View and replica roles; the controller is created here but started after registration. */
async function runtime(
  config: BrokerConfig,
  etcd: EtcdMetadataStore,
  logs: LogManager,
  logger: Logger,
  coordinator: GroupCoordinator,
): Promise<ClusterRuntime> {
  // Before any role is taken: restored high watermarks must not be overwritten by a role change.
  await logs.useReplicatedHighWatermarks(config.replication.highWatermarkCheckpointIntervalMs);
  const view = await ClusterView.open(etcd);
  const replicas = new ReplicaManager({
    nodeId: config.nodeId,
    store: etcd,
    view,
    logs,
    logger,
    logConfigFor: (topic: TopicRecord) => toLogConfig(config.logDefaults, topic.configs),
    replicaLagTimeMaxMs: config.replication.replicaLagTimeMaxMs,
    replicaFetchWaitMaxMs: config.replication.replicaFetchWaitMaxMs,
    replicaFetchMaxBytes: config.replication.replicaFetchMaxBytes,
  });
  await replicas.start();
  const controller = new Controller({
    store: etcd,
    nodeId: config.nodeId,
    logger,
    uncleanLeaderElectionEnable: config.replication.uncleanLeaderElectionEnable,
  });
  const groups = new ClusterGroups({
    store: etcd,
    view,
    replicas,
    coordinator,
    offsetsTopicNumPartitions: config.groups.offsetsTopicNumPartitions,
    minInsyncReplicas: config.minInsyncReplicas,
    logger,
  });
  // Before the coordinator starts: it then loads only the offsets partitions led here.
  coordinator.useLeadership(groups.leadership);
  groups.start();
  const shutdown = { nodeId: config.nodeId, enabled: config.replication.controlledShutdownEnable, maxWaitMs: config.replication.controlledShutdownMaxWaitMs };
  return { store: etcd, view, replicas, controller, groups, shutdown };
}

async function stop(cluster: ClusterRuntime, logger: Logger): Promise<void> {
  const step = async (what: string, fn: () => Promise<void>): Promise<void> => {
    await fn().catch((err: unknown) => logger.warn(`stopping ${what} failed`, { error: errorMessage(err) }));
  };
  if (cluster.shutdown.enabled) await step('controlled shutdown', () => controlledShutdown(cluster, logger));
  cluster.groups.stop();
  await step('replica manager', () => cluster.replicas.stop());
  await step('controller', () => cluster.controller.stop());
  await step('cluster view', () => cluster.view.close());
}

/**
 * Marks this broker as stopping and waits (bounded) until it leads no partition that another live,
 * not-stopping ISR member could take over, and is in no ISR whose leader is another broker.
 */
async function controlledShutdown(cluster: ClusterRuntime, logger: Logger): Promise<void> {
  const { nodeId, maxWaitMs } = cluster.shutdown;
  const { view } = cluster;
  const pending = (): string[] =>
    view.partitions().flatMap((p) => {
      const eligible = (id: number): boolean => id !== nodeId && view.brokers.has(id) && !view.shuttingDown.has(id);
      if (p.leader === nodeId && p.isr.some(eligible)) return [`${p.topic}-${p.partition}`];
      if (p.leader !== nodeId && p.isr.includes(nodeId) && eligible(p.leader)) return [`${p.topic}-${p.partition}`];
      return [];
    });
  if (pending().length === 0) return;
  logger.info('controlled shutdown: moving leaderships away', { partitions: pending().length });
  await cluster.store.beginControlledShutdown();
  const done = await view.waitUntil(() => pending().length === 0, maxWaitMs);
  if (done) logger.info('controlled shutdown: leaderships moved');
  else logger.warn('controlled shutdown: gave up waiting; stopping anyway', { waitedMs: maxWaitMs, stillPending: pending().slice(0, 10) });
  // Let the replica manager act on the last changes (become follower) before it is stopped.
  await cluster.replicas.settled();
}

export const openCluster = { store, runtime, stop };
