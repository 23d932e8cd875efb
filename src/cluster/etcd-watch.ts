// Reading the whole cluster at one revision (snapshot) and following every change after it (watch), so
// a broker or the controller can build its view once and keep it exact: apply the snapshot, then the
// events from snapshot.revision + 1, with no gap and no duplicate.
import type { IRangeResponse, IWatchResponse, Namespace } from 'etcd3';
import { errorMessage, type Logger } from '../common/index.js';
import { decodeBroker, decodeController, decodeTopic, KEY, parseKey, type ControllerRecord } from './etcd-keys.js';
import { storedPartitionOf } from './etcd-partitions.js';
import type { BrokerRecord, TopicRecord } from './metadata-store.js';
import type { StoredPartitionState } from './partition-state.js';

export interface ClusterSnapshot {
  /** etcd revision the snapshot was read at; watch from `revision + 1` to continue exactly. */
  revision: string;
  brokers: BrokerRecord[];
  /** Brokers in controlled shutdown (their `shutting_down/<id>` key exists). */
  shuttingDown: number[];
  controller: ControllerRecord | null;
  controllerEpoch: number;
  topics: TopicRecord[];
  partitions: StoredPartitionState[];
}

/** One change; `null` means the key was deleted (broker gone, controller gone, topic deleted). */
export type ClusterEvent =
  | { type: 'broker'; nodeId: number; broker: BrokerRecord | null; revision: string }
  | { type: 'shuttingDown'; nodeId: number; shuttingDown: boolean; revision: string }
  | { type: 'controller'; controller: ControllerRecord | null; revision: string }
  | { type: 'topic'; name: string; topic: TopicRecord | null; revision: string }
  | { type: 'partition'; topic: string; partition: number; state: StoredPartitionState | null; revision: string };

/** Called with the events of one etcd transaction, in revision order. */
export type ClusterWatchListener = (events: ClusterEvent[]) => void;

export interface ClusterWatch {
  cancel(): Promise<void>;
}

export function snapshotOf(res: IRangeResponse): ClusterSnapshot {
  const snap: ClusterSnapshot = { revision: res.header.revision, brokers: [], shuttingDown: [], controller: null, controllerEpoch: 0, topics: [], partitions: [] };
  for (const kv of res.kvs) {
    const key = kv.key.toString();
    const value = kv.value.toString();
    if (key === KEY.controllerEpoch) {
      snap.controllerEpoch = Number(value);
      continue;
    }
    const parsed = parseKey(key);
    if (parsed.kind === 'broker') snap.brokers.push(decodeBroker(key, value));
    else if (parsed.kind === 'shuttingDown') snap.shuttingDown.push(parsed.nodeId);
    else if (parsed.kind === 'controller') snap.controller = decodeController(key, value);
    else if (parsed.kind === 'topic') snap.topics.push(decodeTopic(key, value, Number(kv.version)));
    else if (parsed.kind === 'partition') {
      const state = storedPartitionOf(kv);
      if (state !== undefined) snap.partitions.push(state);
    }
  }
  snap.brokers.sort((a, b) => a.nodeId - b.nodeId);
  snap.topics.sort((a, b) => a.name.localeCompare(b.name));
  snap.partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  return snap;
}

export async function watchCluster(ns: Namespace, listener: ClusterWatchListener, fromRevision: string | undefined, logger: Logger): Promise<ClusterWatch> {
  let builder = ns.watch().prefix('');
  if (fromRevision !== undefined) builder = builder.startRevision(fromRevision);
  const watcher = await builder.create();
  // 'data' carries a whole transaction's events; keys are already un-namespaced by etcd3's own listener.
  watcher.on('data', (res: IWatchResponse) => {
    // One response may carry several revisions (catching up from startRevision): split them.
    let batch: ClusterEvent[] = [];
    for (const ev of res.events) {
      try {
        const event = toEvent(ev.type === 'Delete', ev.kv.key.toString(), ev.kv);
        if (event === null) continue;
        if (batch.length > 0 && batch[0]?.revision !== event.revision) {
          listener(batch);
          batch = [];
        }
        batch.push(event);
      } catch (err) {
        logger.warn('ignoring undecodable etcd value', { key: ev.kv.key.toString(), error: errorMessage(err) });
      }
    }
    if (batch.length > 0) listener(batch);
  });
  watcher.on('error', (err) => logger.warn('etcd watch error', { error: errorMessage(err) }));
  watcher.on('disconnected', (err) => logger.debug('etcd watch disconnected; resuming', { error: errorMessage(err) }));
  return { cancel: () => watcher.cancel() };
}

function toEvent(deleted: boolean, key: string, kv: IWatchResponse['events'][number]['kv']): ClusterEvent | null {
  const parsed = parseKey(key);
  const value = kv.value.toString();
  const revision = kv.mod_revision;
  switch (parsed.kind) {
    case 'broker':
      return { type: 'broker', nodeId: parsed.nodeId, broker: deleted ? null : decodeBroker(key, value), revision };
    case 'shuttingDown':
      return { type: 'shuttingDown', nodeId: parsed.nodeId, shuttingDown: !deleted, revision };
    case 'controller':
      return { type: 'controller', controller: deleted ? null : decodeController(key, value), revision };
    case 'topic':
      return { type: 'topic', name: parsed.name, topic: deleted ? null : decodeTopic(key, value, Number(kv.version)), revision };
    case 'partition':
      return { type: 'partition', topic: parsed.topic, partition: parsed.partition, state: deleted ? null : (storedPartitionOf(kv) ?? null), revision };
    default:
      return null;
  }
}
