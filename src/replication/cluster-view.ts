// A broker's live copy of the cluster metadata in etcd: brokers, controller, topics and partition
// states, built from one snapshot and kept exact by the watch that continues from the snapshot's
// revision. Metadata answers and the replica manager read it without a round trip to etcd.
import type {
  BrokerRecord,
  ClusterEvent,
  ClusterWatch,
  ControllerRecord,
  EtcdMetadataStore,
  StoredPartitionState,
  TopicRecord,
} from '../cluster/index.js';

export type ClusterViewListener = (events: ClusterEvent[]) => void;

export class ClusterView {
  readonly brokers = new Map<number, BrokerRecord>();
  /** Brokers in controlled shutdown: still alive, but handing their leaderships away. */
  readonly shuttingDown = new Set<number>();
  readonly topics = new Map<string, TopicRecord>();
  private readonly states = new Map<string, StoredPartitionState>();
  controller: ControllerRecord | null = null;
  private watch: ClusterWatch | null = null;
  private readonly listeners = new Set<ClusterViewListener>();

  private constructor() {}

  static async open(store: EtcdMetadataStore): Promise<ClusterView> {
    const view = new ClusterView();
    const snapshot = await store.snapshot();
    for (const b of snapshot.brokers) view.brokers.set(b.nodeId, b);
    for (const id of snapshot.shuttingDown) view.shuttingDown.add(id);
    for (const t of snapshot.topics) view.topics.set(t.name, t);
    for (const p of snapshot.partitions) view.states.set(key(p.topic, p.partition), p);
    view.controller = snapshot.controller;
    view.watch = await store.watch((events) => view.apply(events), String(BigInt(snapshot.revision) + 1n));
    return view;
  }

  partition(topic: string, partition: number): StoredPartitionState | undefined {
    return this.states.get(key(topic, partition));
  }

  partitions(): StoredPartitionState[] {
    return [...this.states.values()];
  }

  /** Listeners get every batch of changes after they are applied to the view. */
  onChange(listener: ClusterViewListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves true once `predicate` holds on the view, false after timeoutMs. */
  waitUntil(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
    if (predicate()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve(false);
      }, timeoutMs);
      const off = this.onChange(() => {
        if (!predicate()) return;
        clearTimeout(timer);
        off();
        resolve(true);
      });
    });
  }

  async close(): Promise<void> {
    await this.watch?.cancel().catch(() => undefined);
    this.watch = null;
    this.listeners.clear();
  }

  private apply(events: ClusterEvent[]): void {
    for (const e of events) {
      if (e.type === 'broker') {
        if (e.broker === null) this.brokers.delete(e.nodeId);
        else this.brokers.set(e.nodeId, e.broker);
      } else if (e.type === 'shuttingDown') {
        if (e.shuttingDown) this.shuttingDown.add(e.nodeId);
        else this.shuttingDown.delete(e.nodeId);
      } else if (e.type === 'controller') {
        this.controller = e.controller;
      } else if (e.type === 'topic') {
        if (e.topic === null) this.topics.delete(e.name);
        else this.topics.set(e.name, e.topic);
      } else {
        const k = key(e.topic, e.partition);
        const current = this.states.get(k);
        if (e.state === null) {
          if (current === undefined || BigInt(current.modRevision) < BigInt(e.revision)) this.states.delete(k);
        } else if (current === undefined || BigInt(current.modRevision) < BigInt(e.state.modRevision)) {
          this.states.set(k, e.state);
        }
      }
    }
    for (const listener of [...this.listeners]) listener(events);
  }
}

function key(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}
