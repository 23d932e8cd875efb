// Consumer groups in a cluster. `__consumer_offsets` is an ordinary replicated topic in etcd (created on
// first need with RF min(3, live brokers), offsets.topic.num.partitions partitions, compacted), and the
// coordinator of a group is the leader of the partition partitionForGroup(groupId) of it: FindCoordinator
// answers that leader, the local GroupCoordinator serves only the partitions led here (loaded from the
// log when the leadership begins, dropped when it ends), and every write to the topic is acknowledged
// only once the in-sync replicas have it (acks=all), so a committed offset survives the coordinator.
import { type ClusterView, type ReplicaManager } from '../replication/index.js';
import type { EtcdMetadataStore } from '../cluster/index.js';
import { ErrorCode, KafkaError, errorMessage, type Logger } from '../common/index.js';
import { OFFSETS_TOPIC, OFFSETS_TOPIC_LOG_CONFIG, partitionForGroup, type GroupCoordinator, type OffsetsLeadership } from '../coordinator/index.js';

/** Kafka's offsets.commit.timeout.ms: how long a commit waits for the in-sync replicas. */
const OFFSETS_COMMIT_TIMEOUT_MS = 5000;
/** Safety net besides view changes (e.g. leadership fenced by a lost etcd session). */
const RESYNC_INTERVAL_MS = 1000;

export interface CoordinatorAddress {
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

export interface ClusterGroupsOptions {
  store: EtcdMetadataStore;
  view: ClusterView;
  replicas: ReplicaManager;
  coordinator: GroupCoordinator;
  offsetsTopicNumPartitions: number;
  minInsyncReplicas: number;
  logger: Logger;
}

export class ClusterGroups {
  private creating: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;

  constructor(private readonly options: ClusterGroupsOptions) {}

  /** What the coordinator is told about the replication of `__consumer_offsets`. */
  readonly leadership: OffsetsLeadership = {
    leaderEpoch: (partition) => {
      const leader = this.options.replicas.leader(OFFSETS_TOPIC, partition);
      return leader === undefined || leader.fenced ? null : leader.leaderEpoch;
    },
    log: (partition) => this.options.replicas.leader(OFFSETS_TOPIC, partition)?.log,
    appendReplicated: (partition, batch) => this.appendReplicated(partition, batch),
  };

  /** Follows leadership changes: after every view change, once the replica roles reflect it. */
  start(): void {
    const resync = (): void => {
      if (this.stopped) return;
      void this.options.replicas
        .settled()
        .then(() => this.options.coordinator.syncLeadership())
        .catch((err: unknown) => this.options.logger.warn('following __consumer_offsets leadership failed', { error: errorMessage(err) }));
    };
    this.unsubscribe = this.options.view.onChange(resync);
    this.timer = setInterval(resync, RESYNC_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.timer !== null) clearInterval(this.timer);
  }

  /** FindCoordinator for a group: the leader of its offsets partition (creating the topic if needed). */
  async coordinatorFor(groupId: string): Promise<CoordinatorAddress> {
    try {
      await this.ensureOffsetsTopic();
    } catch (err) {
      return unavailable(`cannot create ${OFFSETS_TOPIC}: ${errorMessage(err)}`);
    }
    const { view } = this.options;
    const partition = partitionForGroup(groupId, this.options.offsetsTopicNumPartitions);
    const topic = view.topics.get(OFFSETS_TOPIC);
    const state = view.partition(OFFSETS_TOPIC, partition);
    const leader = topic !== undefined && state !== undefined && state.topicId === topic.topicId ? state.leader : -1;
    const broker = view.brokers.get(leader);
    if (broker === undefined) return unavailable(`${OFFSETS_TOPIC}-${partition} has no leader`);
    return { errorCode: ErrorCode.NONE, errorMessage: null, nodeId: broker.nodeId, host: broker.host, port: broker.port };
  }

  /** Creates `__consumer_offsets` once, cluster-wide (a concurrent creation by another broker is fine). */
  ensureOffsetsTopic(): Promise<void> {
    if (this.options.view.topics.has(OFFSETS_TOPIC)) return Promise.resolve();
    this.creating ??= this.createOffsetsTopic().finally(() => {
      this.creating = null;
    });
    return this.creating;
  }

  private async createOffsetsTopic(): Promise<void> {
    const partitions = this.options.offsetsTopicNumPartitions;
    try {
      const created = await this.options.store.createTopicOnLiveBrokers({
        name: OFFSETS_TOPIC,
        partitions,
        replicationFactor: -1,
        configs: { 'cleanup.policy': 'compact', 'segment.bytes': String(OFFSETS_TOPIC_LOG_CONFIG.segmentBytes) },
      });
      this.options.logger.info('created the offsets topic', { topic: OFFSETS_TOPIC, partitions, replicationFactor: created.replicationFactor });
    } catch (err) {
      if (!(err instanceof KafkaError && err.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS)) throw err;
    }
    // Answer with leaders: wait (bounded) until this broker's view has the topic and its leaders.
    const { view } = this.options;
    await view.waitUntil(() => {
      for (let p = 0; p < partitions; p++) if ((view.partition(OFFSETS_TOPIC, p)?.leader ?? -1) < 0) return false;
      return true;
    }, 5000);
  }

  /**
   * acks=all for the coordinator's writes, as produce-cluster.ts does for producers: refused while the ISR
   * is below min.insync.replicas (capped at the replica count, so a smaller cluster can still commit),
   * answered once the high watermark passed the batch. Errors are mapped by the coordinator (Kafka's
   * mapping: NOT_LEADER_OR_FOLLOWER → NOT_COORDINATOR, the rest → COORDINATOR_NOT_AVAILABLE, retriable).
   */
  private async appendReplicated(partition: number, batch: Buffer): Promise<void> {
    const leader = this.options.replicas.leader(OFFSETS_TOPIC, partition);
    if (leader === undefined) throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `${OFFSETS_TOPIC}-${partition} is not led here`);
    leader.assertLeading();
    const minIsr = Math.min(this.options.minInsyncReplicas, leader.state.replicas.length);
    if (leader.isr.length < minIsr) {
      throw new KafkaError(ErrorCode.NOT_ENOUGH_REPLICAS, `${OFFSETS_TOPIC}-${partition} has ${leader.isr.length} in-sync replicas, fewer than ${minIsr}`);
    }
    const appended = await leader.log.append(batch);
    leader.onAppend();
    await leader.waitForHighWatermark(appended.lastOffset + 1, OFFSETS_COMMIT_TIMEOUT_MS);
    if (leader.isr.length < minIsr) {
      throw new KafkaError(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, `${OFFSETS_TOPIC}-${partition}: the ISR shrank below ${minIsr}`);
    }
    leader.assertLeading();
  }
}

function unavailable(message: string): CoordinatorAddress {
  return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: message, nodeId: -1, host: '', port: -1 };
}
