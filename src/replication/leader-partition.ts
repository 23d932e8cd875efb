// Leader side of one replicated partition: what each follower has (its log end offset, told by the
// offset of its Fetch), the ISR (shrunk when a follower lags more than replica.lag.time.max.ms, expanded
// when one catches up, both through etcd with compare-and-swap on the partition epoch), the high
// watermark (minimum log end offset of the ISR, never decreasing), and the acks=all producers waiting
// for it. Once fenced (session lost, or a newer leader epoch seen) it acknowledges nothing more.
import { ErrorCode, KafkaError, errorMessage, type Logger } from '../common/index.js';
import type { EtcdPartitions, PartitionState } from '../cluster/index.js';
import type { Log } from '../storage/index.js';

interface FollowerProgress {
  /** Log end offset the follower reported with its last fetch; -1 = not heard from as this leader. */
  logEndOffset: number;
  /** Last time the follower was caught up (Kafka's lastCaughtUpTimeMs). */
  lastCaughtUpMs: number;
  lastFetchMs: number;
  /** Our log end offset at its previous fetch. */
  lastFetchLeaderLogEnd: number;
}

interface HwWaiter {
  offset: number;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export interface LeaderPartitionOptions {
  nodeId: number;
  log: Log;
  state: PartitionState;
  partitions: EtcdPartitions;
  replicaLagTimeMaxMs: number;
  logger: Logger;
  now?: () => number;
}

export class LeaderPartition {
  state: PartitionState;
  readonly log: Log;
  private fencedReason: string | null = null;
  private readonly followers = new Map<number, FollowerProgress>();
  private readonly waiters = new Set<HwWaiter>();
  private isrChange: Promise<void> | null = null;
  private readonly nodeId: number;
  private readonly partitions: EtcdPartitions;
  private readonly lagMaxMs: number;
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(options: LeaderPartitionOptions) {
    this.nodeId = options.nodeId;
    this.log = options.log;
    this.state = options.state;
    this.partitions = options.partitions;
    this.lagMaxMs = options.replicaLagTimeMaxMs;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    const now = this.now();
    for (const id of this.state.replicas) {
      if (id === this.nodeId) continue;
      // ISR members get a full lag period to show up before they can be dropped.
      this.followers.set(id, { logEndOffset: -1, lastCaughtUpMs: now, lastFetchMs: 0, lastFetchLeaderLogEnd: -1 });
    }
    this.log.leaderEpoch = this.state.leaderEpoch;
    this.log.setExternalHighWatermark(true);
    this.maybeAdvanceHighWatermark();
  }

  get leaderEpoch(): number {
    return this.state.leaderEpoch;
  }

  get isr(): number[] {
    return this.state.isr;
  }

  get fenced(): boolean {
    return this.fencedReason !== null;
  }

  /** A newer state of the same leadership (same leader epoch): ISR or partition epoch changed. */
  updateState(state: PartitionState): void {
    this.state = state;
    this.maybeAdvanceHighWatermark();
  }

  /** Stops acknowledging: every waiting acks=all producer gets NOT_LEADER_OR_FOLLOWER. */
  fence(reason: string): void {
    if (this.fencedReason !== null) return;
    this.fencedReason = reason;
    for (const w of [...this.waiters]) this.settle(w, new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `${this.name} is no longer led here: ${reason}`));
  }

  /** Throws NOT_LEADER_OR_FOLLOWER once fenced. */
  assertLeading(): void {
    if (this.fencedReason !== null) throw new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `${this.name}: ${this.fencedReason}`);
  }

  /** A follower fetched from `fetchOffset`: everything below it is on its log. */
  onFollowerFetch(replicaId: number, fetchOffset: number): void {
    if (this.fencedReason !== null) return;
    const progress = this.followers.get(replicaId);
    if (progress === undefined) return;
    const now = this.now();
    const leaderEnd = this.log.logEndOffset;
    if (fetchOffset >= leaderEnd) progress.lastCaughtUpMs = now;
    else if (fetchOffset >= progress.lastFetchLeaderLogEnd && progress.lastFetchLeaderLogEnd >= 0) progress.lastCaughtUpMs = Math.max(progress.lastCaughtUpMs, progress.lastFetchMs);
    progress.logEndOffset = fetchOffset;
    progress.lastFetchMs = now;
    progress.lastFetchLeaderLogEnd = leaderEnd;
    this.maybeAdvanceHighWatermark();
    // Expansion (Kafka): a follower outside the ISR that reached the high watermark and this epoch's data.
    if (!this.state.isr.includes(replicaId) && fetchOffset >= this.log.highWatermark && fetchOffset >= this.epochStartOffset()) {
      this.proposeIsr([...this.state.isr, replicaId], 'caught up');
    }
  }

  /** After a local append: with an ISR of one, the high watermark moves at once. */
  onAppend(): void {
    this.maybeAdvanceHighWatermark();
  }

  /** Resolves once the high watermark reaches `offset` (acks=all); rejects on fencing or timeout. */
  waitForHighWatermark(offset: number, timeoutMs: number): Promise<void> {
    if (this.fencedReason !== null) return Promise.reject(new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, `${this.name}: ${this.fencedReason}`));
    if (this.log.highWatermark >= offset) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: HwWaiter = {
        offset,
        resolve,
        reject,
        timer: setTimeout(
          () => this.settle(waiter, new KafkaError(ErrorCode.REQUEST_TIMED_OUT, `${this.name}: the in-sync replicas did not confirm offset ${offset - 1} within ${timeoutMs} ms`)),
          Math.max(0, timeoutMs),
        ),
      };
      this.waiters.add(waiter);
    });
  }

  /** Periodic: drops ISR followers that have not caught up within replica.lag.time.max.ms. */
  checkLaggingFollowers(): void {
    if (this.fencedReason !== null || this.isrChange !== null) return;
    const now = this.now();
    const lagging = this.state.isr.filter((id) => id !== this.nodeId && now - (this.followers.get(id)?.lastCaughtUpMs ?? now) > this.lagMaxMs);
    if (lagging.length > 0) this.proposeIsr(this.state.isr.filter((id) => !lagging.includes(id)), `lagging: ${lagging.join(',')}`);
  }

  /** Follower progress for `cluster inspect`-style reporting and tests. */
  followerLogEndOffsets(): Map<number, number> {
    return new Map([...this.followers].map(([id, p]) => [id, p.logEndOffset]));
  }

  close(): void {
    this.fence('leadership ended');
  }

  private get name(): string {
    return `${this.state.topic}-${this.state.partition}`;
  }

  private epochStartOffset(): number {
    const epochs = this.log.leaderEpochs();
    return epochs.find((e) => e.epoch === this.state.leaderEpoch)?.startOffset ?? this.log.logEndOffset;
  }

  private maybeAdvanceHighWatermark(): void {
    if (this.fencedReason !== null) return;
    let hw = this.log.logEndOffset;
    for (const id of this.state.isr) {
      if (id === this.nodeId) continue;
      const leo = this.followers.get(id)?.logEndOffset ?? -1;
      hw = Math.min(hw, leo);
    }
    if (hw > this.log.highWatermark) this.log.updateHighWatermark(hw);
    const current = this.log.highWatermark;
    for (const w of [...this.waiters]) if (current >= w.offset) this.settle(w, null);
  }

  private settle(w: HwWaiter, err: Error | null): void {
    if (!this.waiters.delete(w)) return;
    clearTimeout(w.timer);
    if (err === null) w.resolve();
    else w.reject(err);
  }

  private proposeIsr(newIsr: number[], why: string): void {
    if (this.isrChange !== null || this.fencedReason !== null) return;
    const proposal = {
      topic: this.state.topic,
      partition: this.state.partition,
      topicId: this.state.topicId,
      leaderId: this.nodeId,
      leaderEpoch: this.state.leaderEpoch,
      partitionEpoch: this.state.partitionEpoch,
      newIsr,
    };
    this.isrChange = this.partitions
      .alterIsr(proposal)
      .then(
        (written) => {
          if (written.leaderEpoch === this.state.leaderEpoch && written.partitionEpoch > this.state.partitionEpoch) this.updateState(written);
          this.logger.info('ISR changed', { topic: this.state.topic, partition: this.state.partition, isr: written.isr, reason: why });
        },
        (err: unknown) => {
          if (err instanceof KafkaError && (err.errorCode === ErrorCode.FENCED_LEADER_EPOCH || err.errorCode === ErrorCode.STALE_BROKER_EPOCH)) {
            this.fence(errorMessage(err));
          }
          this.logger.debug('ISR change refused', { topic: this.state.topic, partition: this.state.partition, error: errorMessage(err) });
        },
      )
      .finally(() => {
        this.isrChange = null;
      });
  }
}
