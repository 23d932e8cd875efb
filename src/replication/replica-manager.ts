// The replica manager: this broker's role for every partition it holds a replica of, derived from the
// partition states in the cluster view (level-triggered: every change re-examines every partition).
// Leader of a partition → a LeaderPartition (ISR, high watermark, acks=all); follower → the partition is
// added to the fetcher of its leader. Roles change only for a newer leader epoch, so a stale state can
// never demote a newer leadership. On session loss every leadership is fenced at once: a broker that
// etcd considers dead acknowledges nothing more.
import { errorMessage, type Logger } from '../common/index.js';
import type { EtcdMetadataStore, StoredPartitionState, TopicRecord } from '../cluster/index.js';
import type { LogConfig, LogManager } from '../storage/index.js';
import type { ClusterView } from './cluster-view.js';
import { FollowerFetcher } from './follower-fetcher.js';
import { LeaderPartition } from './leader-partition.js';

export interface ReplicaManagerOptions {
  nodeId: number;
  store: EtcdMetadataStore;
  view: ClusterView;
  logs: LogManager;
  logger: Logger;
  logConfigFor: (topic: TopicRecord) => LogConfig;
  replicaLagTimeMaxMs: number;
  replicaFetchWaitMaxMs: number;
  replicaFetchMaxBytes: number;
}

interface FollowerRole {
  leaderId: number;
  leaderEpoch: number;
}

export class ReplicaManager {
  private readonly leaders = new Map<string, LeaderPartition>();
  private readonly following = new Map<string, FollowerRole>();
  private readonly fetchers = new Map<number, FollowerFetcher>();
  private running: Promise<void> | null = null;
  private dirty = false;
  private stopped = false;
  private lagTimer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: (() => void)[] = [];
  private readonly logger: Logger;

  constructor(private readonly options: ReplicaManagerOptions) {
    this.logger = options.logger.child({ component: 'replication' });
  }

  async start(): Promise<void> {
    this.unsubscribe.push(
      this.options.view.onChange((events) => {
        for (const e of events) if (e.type === 'topic' && e.topic === null) void this.dropTopic(e.name);
        this.schedule();
      }),
      this.options.store.session.onLost(() => {
        for (const leader of this.leaders.values()) leader.fence('the broker lost its etcd session');
      }),
    );
    const interval = Math.max(100, Math.min(1000, Math.floor(this.options.replicaLagTimeMaxMs / 2)));
    this.lagTimer = setInterval(() => {
      for (const leader of this.leaders.values()) leader.checkLaggingFollowers();
    }, interval);
    this.lagTimer.unref();
    this.schedule();
    await this.running;
  }

  /** The leadership of a partition, if this broker leads it (possibly fenced). */
  leader(topic: string, partition: number): LeaderPartition | undefined {
    return this.leaders.get(key(topic, partition));
  }

  isFollower(topic: string, partition: number): boolean {
    return this.following.has(key(topic, partition));
  }

  /** Resolves once the roles reflect the view as of now (tests, topic creation). */
  async settled(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const off of this.unsubscribe) off();
    if (this.lagTimer !== null) clearInterval(this.lagTimer);
    await this.running;
    for (const leader of this.leaders.values()) leader.close();
    this.leaders.clear();
    await Promise.all([...this.fetchers.values()].map((f) => f.stop()));
    this.fetchers.clear();
    this.following.clear();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.dirty = true;
    if (this.running !== null) return;
    this.running = (async () => {
      while (this.dirty && !this.stopped) {
        this.dirty = false;
        try {
          await this.reconcile();
        } catch (err) {
          this.logger.warn('replica role change failed; retrying', { error: errorMessage(err) });
          await new Promise((r) => setTimeout(r, 500));
          this.dirty = true;
        }
      }
      this.running = null;
    })();
  }

  private async reconcile(): Promise<void> {
    const { view, nodeId } = this.options;
    const seen = new Set<string>();
    for (const state of view.partitions()) {
      const topic = view.topics.get(state.topic);
      if (topic === undefined || topic.topicId !== state.topicId || !state.replicas.includes(nodeId)) continue;
      const k = key(state.topic, state.partition);
      seen.add(k);
      if (state.leader === nodeId) await this.becomeLeader(k, state, topic);
      else await this.becomeFollower(k, state, topic);
    }
    for (const k of [...this.leaders.keys()]) {
      if (seen.has(k)) continue;
      this.leaders.get(k)?.close();
      this.leaders.delete(k);
    }
    for (const [k, role] of [...this.following]) {
      if (seen.has(k)) continue;
      const [topic, partition] = splitKey(k);
      await this.fetchers.get(role.leaderId)?.remove(topic, partition);
      this.following.delete(k);
    }
  }

  private async becomeLeader(k: string, state: StoredPartitionState, topic: TopicRecord): Promise<void> {
    const current = this.leaders.get(k);
    if (current !== undefined && current.leaderEpoch >= state.leaderEpoch) {
      if (current.leaderEpoch === state.leaderEpoch && state.partitionEpoch > current.state.partitionEpoch) current.updateState(state);
      return;
    }
    const follow = this.following.get(k);
    if (follow !== undefined && follow.leaderEpoch > state.leaderEpoch) return;
    if (follow !== undefined) {
      await this.fetchers.get(follow.leaderId)?.remove(state.topic, state.partition);
      this.following.delete(k);
    }
    current?.close();
    const log = await this.logFor(state, topic);
    this.leaders.set(
      k,
      new LeaderPartition({
        nodeId: this.options.nodeId,
        log,
        state,
        partitions: this.options.store.partitions,
        replicaLagTimeMaxMs: this.options.replicaLagTimeMaxMs,
        logger: this.logger,
      }),
    );
    this.logger.info('became leader', { topic: state.topic, partition: state.partition, leaderEpoch: state.leaderEpoch, isr: state.isr });
  }

  private async becomeFollower(k: string, state: StoredPartitionState, topic: TopicRecord): Promise<void> {
    const lead = this.leaders.get(k);
    if (lead !== undefined) {
      if (lead.leaderEpoch > state.leaderEpoch) return;
      lead.close();
      this.leaders.delete(k);
    }
    const current = this.following.get(k);
    if (current !== undefined && current.leaderEpoch >= state.leaderEpoch) return;
    if (current !== undefined) await this.fetchers.get(current.leaderId)?.remove(state.topic, state.partition);
    const log = await this.logFor(state, topic);
    log.setExternalHighWatermark(true);
    this.following.set(k, { leaderId: state.leader, leaderEpoch: state.leaderEpoch });
    if (state.leader < 0) return; // offline partition: wait for a leader
    this.fetcherFor(state.leader).add(state.topic, state.partition, log, state.leaderEpoch);
    this.logger.info('became follower', { topic: state.topic, partition: state.partition, leader: state.leader, leaderEpoch: state.leaderEpoch });
  }

  private fetcherFor(leaderId: number): FollowerFetcher {
    let fetcher = this.fetchers.get(leaderId);
    if (fetcher === undefined) {
      fetcher = new FollowerFetcher({
        nodeId: this.options.nodeId,
        leaderId,
        address: () => {
          const b = this.options.view.brokers.get(leaderId);
          return b === undefined ? null : { host: b.host, port: b.port };
        },
        maxWaitMs: this.options.replicaFetchWaitMaxMs,
        partitionMaxBytes: this.options.replicaFetchMaxBytes,
        logger: this.logger,
      });
      this.fetchers.set(leaderId, fetcher);
    }
    return fetcher;
  }

  private async logFor(state: StoredPartitionState, topic: TopicRecord) {
    const existing = this.options.logs.getLog(state.topic, state.partition);
    if (existing !== undefined) return existing;
    const config = this.options.logConfigFor(topic);
    const log = await this.options.logs.createLog(state.topic, state.partition, config);
    this.options.logs.setConfig(state.topic, config);
    return log;
  }

  private async dropTopic(name: string): Promise<void> {
    await this.settled();
    if (this.options.logs.logs().some((l) => l.topic === name)) {
      await this.options.logs.deleteTopic(name).catch((err: unknown) => this.logger.warn('deleting logs of a deleted topic failed', { topic: name, error: errorMessage(err) }));
    }
  }
}

function key(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

function splitKey(k: string): [string, number] {
  const at = k.lastIndexOf('/');
  return [k.slice(0, at), Number(k.slice(at + 1))];
}
