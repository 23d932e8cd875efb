// The cluster controller. Every broker runs one; exactly one is active at a time. Election: a
// transaction creates the `controller` key (attached to the broker's session lease) only if it is absent,
// and bumps `controller_epoch` in the same step; when the active controller's session ends (crash, pause,
// partition from etcd) etcd deletes the key after the TTL and the next broker wins. The active
// controller keeps a view of the cluster (snapshot + watch) and reconciles level-triggered: after any
// change, every partition whose leader is not alive gets a new leader from its live ISR (leader epoch
// bumped), dead followers leave ISRs, and partitions with no eligible replica go offline (leader -1)
// unless unclean.leader.election.enable. Brokers in controlled shutdown (a `shutting_down/<id>` key) hand
// their leaderships to other live ISR members and leave every ISR before they stop, so clients see a
// leader change instead of a dead leader. Every write is fenced by the controller epoch (etcd-partitions.ts).
import { ErrorCode, KafkaError, errorMessage, silentLogger, type Logger } from '../common/index.js';
import { encodeController, KEY } from './etcd-keys.js';
import type { EtcdMetadataStore } from './etcd-metadata-store.js';
import type { ControllerFence } from './etcd-partitions.js';
import type { ClusterEvent, ClusterWatch } from './etcd-watch.js';
import type { BrokerRecord, TopicRecord } from './metadata-store.js';
import {
  initialPartitionState,
  partitionChangeForLiveBrokers,
  partitionChangeForShutdown,
  type StoredPartitionState,
} from './partition-state.js';

export const UNCLEAN_LEADER_ELECTION_CONFIG = 'unclean.leader.election.enable';
/** How often a standby re-checks the controller key if no watch event woke it. */
const STANDBY_POLL_MS = 1000;
const ERROR_BACKOFF_MS = 500;

export interface ControllerOptions {
  store: EtcdMetadataStore;
  nodeId: number;
  logger?: Logger;
  /** Broker default of unclean.leader.election.enable; a topic config overrides it. */
  uncleanLeaderElectionEnable?: boolean;
}

export type ControllerListener = (active: boolean, epoch: number) => void;

interface View {
  brokers: Map<number, BrokerRecord>;
  shuttingDown: Set<number>;
  topics: Map<string, TopicRecord>;
  partitions: Map<string, StoredPartitionState>;
}

export class Controller {
  private readonly store: EtcdMetadataStore;
  private readonly nodeId: number;
  private readonly logger: Logger;
  private readonly uncleanDefault: boolean;
  private fence: ControllerFence | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;
  /** Set by wake() so that a wake-up arriving while not asleep still cuts the next sleep short. */
  private woken = false;
  private wakeSleeper: (() => void) | null = null;
  private readonly listeners = new Set<ControllerListener>();
  private standbyWatch: ClusterWatch | null = null;

  constructor(options: ControllerOptions) {
    this.store = options.store;
    this.nodeId = options.nodeId;
    this.logger = (options.logger ?? silentLogger).child({ component: 'controller', nodeId: options.nodeId });
    this.uncleanDefault = options.uncleanLeaderElectionEnable ?? false;
  }

  get isActive(): boolean {
    return this.fence !== null;
  }

  /** The epoch this controller won, or -1 when it is not the active controller. */
  get epoch(): number {
    return this.fence?.epoch ?? -1;
  }

  onChange(listener: ControllerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts campaigning in the background (the broker must be registered first). */
  async start(): Promise<void> {
    if (this.loop !== null) return;
    // Any change of the controller key wakes a standby at once instead of at its next poll.
    this.standbyWatch = await this.store.watch((events) => {
      if (events.some((e) => e.type === 'controller')) this.wake();
    });
    this.store.session.onLost(() => this.wake());
    this.loop = this.run();
  }

  /** Stops; an active controller resigns (deletes its key) so another broker takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
    await this.standbyWatch?.cancel().catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const fence = await this.tryAcquire();
        if (fence !== null) await this.lead(fence);
        else await this.sleepUntilWoken(STANDBY_POLL_MS);
      } catch (err) {
        this.logger.warn('controller election step failed', { error: errorMessage(err) });
        await this.sleepUntilWoken(ERROR_BACKOFF_MS);
      }
    }
  }

  private async tryAcquire(): Promise<ControllerFence | null> {
    const ns = this.store.namespace;
    const leaseId = await this.store.session.leaseId();
    const res = await ns.get(KEY.controllerEpoch).exec();
    const kv = res.kvs[0];
    const epoch = (kv === undefined ? 0 : Number(kv.value.toString())) + 1;
    const won = await ns
      .if(KEY.controller, 'Create', '==', 0)
      .and(KEY.controllerEpoch, 'Mod', '==', kv?.mod_revision ?? 0)
      .then(ns.put(KEY.controller).value(encodeController({ nodeId: this.nodeId, epoch })).lease(leaseId), ns.put(KEY.controllerEpoch).value(String(epoch)))
      .commit();
    return won.succeeded ? { epoch, createRevision: won.header.revision } : null;
  }

  /** Runs as the active controller until the key is lost, the fence breaks, or stop(). */
  private async lead(fence: ControllerFence): Promise<void> {
    this.fence = fence;
    this.logger.info('became controller', { epoch: fence.epoch });
    this.notify(true, fence.epoch);
    let lost = false;
    let dirty = true;
    const stopSession = this.store.session.onLost(() => {
      lost = true;
      this.wake();
    });
    let watch: ClusterWatch | null = null;
    try {
      const snapshot = await this.store.snapshot();
      const view: View = {
        brokers: new Map(snapshot.brokers.map((b) => [b.nodeId, b])),
        shuttingDown: new Set(snapshot.shuttingDown),
        topics: new Map(snapshot.topics.map((t) => [t.name, t])),
        partitions: new Map(snapshot.partitions.map((p) => [partitionKey(p.topic, p.partition), p])),
      };
      lost ||= snapshot.controller?.epoch !== fence.epoch;
      watch = await this.store.watch((events) => {
        for (const e of events) {
          if (e.type === 'controller' && e.controller?.epoch !== fence.epoch) lost = true;
          applyEvent(view, e);
        }
        dirty = true;
        this.wake();
      }, String(BigInt(snapshot.revision) + 1n));
      while (!this.stopped && !lost) {
        if (dirty) {
          dirty = false;
          try {
            dirty = await this.reconcile(view, fence);
          } catch (err) {
            if (err instanceof KafkaError && err.errorCode === ErrorCode.STALE_CONTROLLER_EPOCH) {
              lost = true;
              break;
            }
            this.logger.warn('controller reconcile failed; retrying', { error: errorMessage(err) });
            dirty = true;
          }
        }
        await this.sleepUntilWoken(dirty ? ERROR_BACKOFF_MS : STANDBY_POLL_MS);
      }
    } finally {
      stopSession();
      await watch?.cancel().catch(() => undefined);
      if (!lost) await this.resign(fence);
      this.fence = null;
      this.logger.info('no longer controller', { epoch: fence.epoch });
      this.notify(false, fence.epoch);
    }
  }

  /** One pass over every partition; returns true if something must be re-examined (lost CAS race). */
  private async reconcile(view: View, fence: ControllerFence): Promise<boolean> {
    const live = new Set(view.brokers.keys());
    let again = false;
    for (const topic of view.topics.values()) {
      const unclean = (topic.configs[UNCLEAN_LEADER_ELECTION_CONFIG] ?? String(this.uncleanDefault)) === 'true';
      for (let p = 0; p < topic.partitions; p++) {
        const key = partitionKey(topic.name, p);
        const state = view.partitions.get(key);
        if (state === undefined) {
          // Left behind by a creation that crashed midway (etcd-partitions.ts createWithTopic).
          const replicas = topic.assignments[p] ?? [];
          await this.store.partitions.createMissing(initialPartitionState(topic.name, topic.topicId, p, replicas, fence.epoch), fence);
          again = true;
          continue;
        }
        if (state.topicId !== topic.topicId) continue;
        const change = partitionChangeForLiveBrokers(state, live, unclean) ?? partitionChangeForShutdown(state, live, view.shuttingDown);
        if (change === null) continue;
        const written = await this.store.partitions.writeControllerChange(state, change, fence);
        if (written === null) {
          const fresh = await this.store.partitions.get(topic.name, p);
          if (fresh === undefined) view.partitions.delete(key);
          else setIfNewer(view, fresh);
          again = true;
          continue;
        }
        setIfNewer(view, written);
        const fields = { topic: topic.name, partition: p, leader: written.leader, leaderEpoch: written.leaderEpoch, isr: written.isr };
        if (change.unclean) this.logger.warn('unclean leader election: records may be lost', fields);
        else this.logger.info('partition state changed', fields);
      }
    }
    return again;
  }

  private async resign(fence: ControllerFence): Promise<void> {
    const ns = this.store.namespace;
    await ns
      .if(KEY.controller, 'Create', '==', fence.createRevision)
      .then(ns.delete().key(KEY.controller))
      .commit()
      .catch((err: unknown) => this.logger.warn('controller resignation failed', { error: errorMessage(err) }));
  }

  private wake(): void {
    this.woken = true;
    this.wakeSleeper?.();
  }

  private sleepUntilWoken(ms: number): Promise<void> {
    if (this.stopped || this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeSleeper = null;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeSleeper = done;
    });
  }

  private notify(active: boolean, epoch: number): void {
    for (const listener of [...this.listeners]) listener(active, epoch);
  }
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/** Keeps the newest state: our own write results and watch events may arrive in either order. */
function setIfNewer(view: View, state: StoredPartitionState): void {
  const key = partitionKey(state.topic, state.partition);
  const cur = view.partitions.get(key);
  if (cur === undefined || BigInt(cur.modRevision) < BigInt(state.modRevision)) view.partitions.set(key, state);
}

function applyEvent(view: View, e: ClusterEvent): void {
  if (e.type === 'broker') {
    if (e.broker === null) view.brokers.delete(e.nodeId);
    else view.brokers.set(e.nodeId, e.broker);
  } else if (e.type === 'shuttingDown') {
    if (e.shuttingDown) view.shuttingDown.add(e.nodeId);
    else view.shuttingDown.delete(e.nodeId);
  } else if (e.type === 'topic') {
    if (e.topic === null) view.topics.delete(e.name);
    else view.topics.set(e.name, e.topic);
  } else if (e.type === 'partition') {
    const key = partitionKey(e.topic, e.partition);
    if (e.state !== null) setIfNewer(view, e.state);
    else if (BigInt(view.partitions.get(key)?.modRevision ?? '0') < BigInt(e.revision)) view.partitions.delete(key);
  }
}
