// Partition replication state in etcd: reads, the controller's fenced writes and the leader's ISR
// proposals. Every write is one transaction comparing the partition key's mod revision with the one the
// writer decided on, plus a fence:
// - controller writes: the `controller` key still has the create revision of this controller's election
//   (its lease is alive) AND `controller_epoch` still holds its epoch, so a paused or partitioned old
//   controller can never overwrite a newer controller's decision;
// - leader ISR proposals: the leader's `brokers/<id>` key is still attached to its session lease (a
//   leader whose session expired is fenced even if nobody has changed the partition yet), and every
//   replica added to the ISR is registered (alive) and not in controlled shutdown (else the leader
//   would re-add a stopping follower that the controller just took out).
import type { IKeyValue, Namespace } from 'etcd3';
import { ErrorCode, KafkaError } from '../common/index.js';
import { decodePartition, encodePartition, KEY, parseKey } from './etcd-keys.js';
import type { EtcdSession } from './etcd-session.js';
import {
  validateIsrProposal,
  type IsrProposal,
  type PartitionChange,
  type PartitionState,
  type StoredPartitionState,
} from './partition-state.js';

/** Proof of controllership: the epoch it won and the create revision of its `controller` key. */
export interface ControllerFence {
  epoch: number;
  createRevision: string;
}

/** etcd refuses transactions with more than 128 operations (--max-txn-ops); stay well below. */
const MAX_PUTS_PER_TXN = 100;

export class EtcdPartitions {
  constructor(
    private readonly ns: Namespace,
    private readonly session: EtcdSession,
    private readonly ownNodeId: () => number | null,
  ) {}

  async get(topic: string, partition: number): Promise<StoredPartitionState | undefined> {
    const key = KEY.partition(topic, partition);
    const res = await this.ns.get(key).exec();
    const kv = res.kvs[0];
    return kv === undefined ? undefined : storedPartitionOf(kv, key);
  }

  /** All partition states (of one topic, or of every topic), sorted by topic then partition. */
  async list(topic?: string): Promise<StoredPartitionState[]> {
    const res = await this.ns.getAll().prefix(topic === undefined ? KEY.partitions : KEY.topicPartitions(topic)).exec();
    return res.kvs
      .map((kv) => storedPartitionOf(kv))
      .filter((s): s is StoredPartitionState => s !== undefined)
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  /**
   * Writes a topic value and new partition states. The first transaction (topic + up to 100 states) is
   * guarded by the topic key being absent (creation) or at `topicModRevision` (adding partitions); false
   * when that guard fails. Larger topics continue in further transactions guarded by the topic being
   * unchanged; a crash in between leaves partitions without state, which the controller recreates.
   */
  async createWithTopic(topicKey: string, topicValue: string, states: PartitionState[], topicModRevision?: string): Promise<boolean> {
    const puts = states.map((s) => this.ns.put(KEY.partition(s.topic, s.partition)).value(encodePartition(s)));
    const guard = topicModRevision === undefined ? this.ns.if(topicKey, 'Create', '==', 0) : this.ns.if(topicKey, 'Mod', '==', topicModRevision);
    const first = await guard.then(this.ns.put(topicKey).value(topicValue), ...puts.slice(0, MAX_PUTS_PER_TXN)).commit();
    if (!first.succeeded) return false;
    const revision = first.header.revision;
    for (let i = MAX_PUTS_PER_TXN; i < puts.length; i += MAX_PUTS_PER_TXN) {
      // Put-if-absent too: the controller may already have recreated (and since changed) some of them.
      let txn = this.ns.if(topicKey, 'Mod', '==', revision);
      for (const s of states.slice(i, i + MAX_PUTS_PER_TXN)) txn = txn.and(KEY.partition(s.topic, s.partition), 'Create', '==', 0);
      const next = await txn.then(...puts.slice(i, i + MAX_PUTS_PER_TXN)).commit();
      if (!next.succeeded) break;
    }
    return true;
  }

  /**
   * Controller decision: applies `change` if the partition is still exactly `current` and the fence
   * holds. Returns the new state, or null when the partition changed meanwhile (re-read and decide
   * again). Throws KafkaError(STALE_CONTROLLER_EPOCH) when this controller has been superseded.
   */
  async writeControllerChange(current: StoredPartitionState, change: PartitionChange, fence: ControllerFence): Promise<StoredPartitionState | null> {
    const next: PartitionState = {
      ...current,
      leader: change.leader,
      leaderEpoch: change.leaderEpoch,
      isr: [...change.isr],
      partitionEpoch: current.partitionEpoch + 1,
      controllerEpoch: fence.epoch,
    };
    const key = KEY.partition(current.topic, current.partition);
    const res = await this.fenced(fence)
      .and(key, 'Mod', '==', current.modRevision)
      .then(this.ns.put(key).value(encodePartition(next)))
      .commit();
    if (res.succeeded) return { ...next, modRevision: res.header.revision };
    await this.assertFence(fence);
    return null;
  }

  /** Controller repair: creates a missing partition state (put if absent), fenced like every controller write. */
  async createMissing(state: PartitionState, fence: ControllerFence): Promise<boolean> {
    const key = KEY.partition(state.topic, state.partition);
    const res = await this.fenced(fence)
      .and(key, 'Create', '==', 0)
      .and(KEY.topic(state.topic), 'Create', '>', 0)
      .then(this.ns.put(key).value(encodePartition({ ...state, controllerEpoch: fence.epoch })))
      .commit();
    if (!res.succeeded) await this.assertFence(fence);
    return res.succeeded;
  }

  /**
   * A partition leader shrinks or expands its ISR (Kafka AlterPartition). Must be called through the
   * leader's own store (its session fences the write). Throws KafkaError: FENCED_LEADER_EPOCH,
   * INVALID_UPDATE_VERSION, INVALID_REQUEST, INELIGIBLE_REPLICA, UNKNOWN_TOPIC_OR_PARTITION,
   * STALE_BROKER_EPOCH (this broker's session is gone).
   */
  async alterIsr(proposal: IsrProposal): Promise<StoredPartitionState> {
    if (this.ownNodeId() !== proposal.leaderId) {
      throw new KafkaError(ErrorCode.INVALID_REQUEST, `broker ${String(this.ownNodeId())} cannot propose an ISR as broker ${proposal.leaderId}`);
    }
    const leaseId = await this.session.currentLeaseId();
    if (leaseId === null) throw new KafkaError(ErrorCode.STALE_BROKER_EPOCH, `broker ${proposal.leaderId} has no live session`);
    const current = await this.get(proposal.topic, proposal.partition);
    if (current === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${proposal.topic}-${proposal.partition} does not exist`);
    const live = await this.eligibleBrokers();
    const change = validateIsrProposal(current, proposal, live);
    const key = KEY.partition(current.topic, current.partition);
    let txn = this.ns.if(key, 'Mod', '==', current.modRevision).and(KEY.broker(proposal.leaderId), 'Lease', '==', leaseId);
    for (const added of change.isr.filter((id) => !current.isr.includes(id))) {
      txn = txn.and(KEY.broker(added), 'Create', '>', 0).and(KEY.shuttingDownBroker(added), 'Create', '==', 0);
    }
    const next: PartitionState = { ...current, isr: change.isr, partitionEpoch: current.partitionEpoch + 1 };
    const res = await txn.then(this.ns.put(key).value(encodePartition(next))).commit();
    if (res.succeeded) return { ...next, modRevision: res.header.revision };
    // Find out which guard failed, to answer with the error the leader can act on.
    const [again, own] = await Promise.all([this.get(proposal.topic, proposal.partition), this.ns.get(KEY.broker(proposal.leaderId)).exec()]);
    if (own.kvs[0]?.lease !== leaseId) throw new KafkaError(ErrorCode.STALE_BROKER_EPOCH, `broker ${proposal.leaderId}'s session expired`);
    if (again === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `${proposal.topic}-${proposal.partition} was deleted`);
    validateIsrProposal(again, proposal, await this.eligibleBrokers());
    throw new KafkaError(ErrorCode.INVALID_UPDATE_VERSION, `${proposal.topic}-${proposal.partition} changed concurrently; retry with the current state`);
  }

  /** Brokers that may join an ISR: registered (alive) and not in controlled shutdown. */
  private async eligibleBrokers(): Promise<Set<number>> {
    const [brokers, stopping] = await Promise.all([this.ns.getAll().prefix(KEY.brokers).keys(), this.ns.getAll().prefix(KEY.shuttingDown).keys()]);
    const ids = (keys: string[]): number[] => keys.map((k) => parseKey(k)).flatMap((p) => (p.kind === 'broker' || p.kind === 'shuttingDown' ? [p.nodeId] : []));
    const out = new Set(ids(brokers));
    for (const id of ids(stopping)) out.delete(id);
    return out;
  }

  private fenced(fence: ControllerFence) {
    return this.ns.if(KEY.controller, 'Create', '==', fence.createRevision).and(KEY.controllerEpoch, 'Value', '==', String(fence.epoch));
  }

  private async assertFence(fence: ControllerFence): Promise<void> {
    const [controller, epoch] = await Promise.all([this.ns.get(KEY.controller).exec(), this.ns.get(KEY.controllerEpoch).string()]);
    if (controller.kvs[0]?.create_revision !== fence.createRevision || epoch !== String(fence.epoch)) {
      throw new KafkaError(ErrorCode.STALE_CONTROLLER_EPOCH, `controller epoch ${fence.epoch} is no longer current (now ${epoch ?? 'none'})`);
    }
  }
}

/** `key` defaults to kv.key, which etcd3 un-namespaces for multi-key reads and watches but not single gets. */
export function storedPartitionOf(kv: IKeyValue, key = kv.key.toString()): StoredPartitionState | undefined {
  const parsed = parseKey(key);
  if (parsed.kind !== 'partition') return undefined;
  const state = decodePartition(key, parsed.topic, parsed.partition, kv.value.toString(), Number(kv.version));
  return { ...state, modRevision: kv.mod_revision };
}
