// Cluster mode (`--cluster etcd://...`): opening the etcd store, then the live view of the cluster, the
// replica manager (roles and logs of the partitions this broker holds) and the controller candidate;
// and stopping them in the reverse order. Without a cluster none of this runs. The group coordinator
// is switched to following the leadership of `__consumer_offsets` partitions (cluster-groups.ts).
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
  return { store: etcd, view, replicas, controller, groups };
}

async function stop(cluster: ClusterRuntime, logger: Logger): Promise<void> {
  const step = async (what: string, fn: () => Promise<void>): Promise<void> => {
    await fn().catch((err: unknown) => logger.warn(`stopping ${what} failed`, { error: errorMessage(err) }));
  };
  cluster.groups.stop();
  await step('replica manager', () => cluster.replicas.stop());
  await step('controller', () => cluster.controller.stop());
  await step('cluster view', () => cluster.view.close());
}

export const openCluster = { store, runtime, stop };
