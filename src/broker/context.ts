// What every handler can reach: configuration, storage, metadata, topic operations, the broker's
// advertised address and a signal that fires when the broker shuts down (ends long polls early).
import type { Controller, EtcdMetadataStore, MetadataStore } from '../cluster/index.js';
import type { Logger } from '../common/index.js';
import type { FramePool } from '../net/index.js';
import type { GroupCoordinator } from '../coordinator/index.js';
import type { ClusterView, ReplicaManager } from '../replication/index.js';
import type { LogManager } from '../storage/index.js';
import type { BrokerConfig } from './config.js';
import type { BrokerMetrics } from './metrics/index.js';
import type { ClusterGroups } from './cluster-groups.js';
import type { ProducerIdManager } from './producer-ids.js';
import type { ReadBufferPool } from './read-buffers.js';
import type { TopicManager } from './topics.js';

/** Cluster mode (--cluster): the etcd store, the live metadata view, replica roles and the controller. */
export interface ClusterRuntime {
  store: EtcdMetadataStore;
  view: ClusterView;
  replicas: ReplicaManager;
  controller: Controller;
  /** `__consumer_offsets` as a replicated topic; group coordinators = its partition leaders. */
  groups: ClusterGroups;
  /** Controlled shutdown on stop (controlled.shutdown.enable, controlled.shutdown.max.wait.ms). */
  shutdown: { nodeId: number; enabled: boolean; maxWaitMs: number };
}

export interface BrokerContext {
  config: BrokerConfig;
  logger: Logger;
  logs: LogManager;
  metadata: MetadataStore;
  topics: TopicManager;
  /** Consumer groups and committed offsets (every group on a single node; in a cluster those whose offsets partition is led here). */
  groupCoordinator: GroupCoordinator;
  /** Host and port clients are told to connect to (Metadata brokers list). */
  advertised: { host: string; port: number };
  shutdown: AbortSignal;
  /** The ranges ApiVersions advertises, computed once from the handler registry. */
  advertisedApis: readonly { apiKey: number; minVersion: number; maxVersion: number }[];
  /** Producer ids for InitProducerId (a local file's blocks, or etcd's in a cluster). */
  producerIds: ProducerIdManager;
  /** Traffic counters for /metrics (always collected: a few additions per request). */
  metrics?: BrokerMetrics;
  /** null for a single broker (local metadata, every partition led here). */
  cluster: ClusterRuntime | null;
  /** Reused fetch read buffers (read-buffers.ts). */
  readBuffers: ReadBufferPool;
  /** Memory of large request frames; the dispatcher gives Produce frames back (net/frame-pool.ts). */
  framePool: FramePool;
}
