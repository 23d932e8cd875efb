// Which `__consumer_offsets` partitions this broker coordinates in a cluster: exactly those it leads.
// The broker's replication layer tells (OffsetsLeadership) which partitions it leads and under which
// leader epoch; sync() loads a partition's groups and offsets from its log when its leadership begins
// (or begins again under a newer epoch) and unloads them when it ends. Syncs run one at a time, so a
// partition is never loaded twice concurrently. A group's requests are served only while the loaded
// epoch equals the current one: a fenced or moved leadership answers NOT_COORDINATOR at once, before
// the next sync has unloaded anything.
import { ErrorCode, errorMessage, type Logger } from '../common/index.js';
import type { OffsetsLog } from './offset-store.js';

/** What the coordinator needs to know of the replication of `__consumer_offsets`. */
export interface OffsetsLeadership {
  /** The leader epoch while this broker leads the partition (and is not fenced), else null. */
  leaderEpoch(partition: number): number | null;
  /** The partition's local log (a leader always has one). */
  log(partition: number): OffsetsLog | undefined;
  /** Appends as the partition's leader; resolves once the in-sync replicas have the batch (acks=all). */
  appendReplicated(partition: number, batch: Buffer): Promise<unknown>;
}

export interface OwnershipCallbacks {
  load(partition: number, log: OffsetsLog): Promise<void>;
  unload(partition: number): void;
}

export class PartitionOwnership {
  /** partition → the leader epoch its loaded state belongs to. */
  private readonly loaded = new Map<number, number>();
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    readonly leadership: OffsetsLeadership,
    private readonly numPartitions: number,
    private readonly callbacks: OwnershipCallbacks,
    private readonly logger: Logger,
  ) {}

  /** NONE, NOT_COORDINATOR (not the leader) or COORDINATOR_LOAD_IN_PROGRESS (leader, not loaded yet). */
  errorFor(partition: number): number {
    const epoch = this.leadership.leaderEpoch(partition);
    if (epoch === null) return ErrorCode.NOT_COORDINATOR;
    if (this.loaded.get(partition) === epoch) return ErrorCode.NONE;
    // On demand: a request for a partition led here but not loaded yet starts the load.
    void this.sync();
    return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
  }

  ownedPartitions(): number[] {
    return [...this.loaded.keys()].sort((a, b) => a - b);
  }

  /** Brings the loaded partitions in line with the current leaderships; resolves when they are. */
  sync(): Promise<void> {
    this.again = true;
    this.running ??= (async () => {
      while (this.again) {
        this.again = false;
        await this.reconcile();
      }
      this.running = null;
    })();
    return this.running;
  }

  /** Unloads everything (broker stopping). */
  clear(): void {
    for (const p of [...this.loaded.keys()]) this.unload(p);
  }

  private async reconcile(): Promise<void> {
    let failed = false;
    for (let p = 0; p < this.numPartitions; p++) {
      const epoch = this.leadership.leaderEpoch(p);
      const current = this.loaded.get(p);
      if (current !== undefined && current !== epoch) this.unload(p);
      if (epoch === null || current === epoch) continue;
      const log = this.leadership.log(p);
      if (log === undefined) continue;
      try {
        await this.callbacks.load(p, log);
      } catch (err) {
        this.logger.error('loading a __consumer_offsets partition failed; will retry', { partition: p, error: errorMessage(err) });
        this.callbacks.unload(p);
        this.again = failed = true;
        continue;
      }
      // The leadership may have ended during the load: the next pass unloads it then.
      this.loaded.set(p, epoch);
      if (this.leadership.leaderEpoch(p) !== epoch) this.again = true;
      this.logger.info('became coordinator of a __consumer_offsets partition', { partition: p, leaderEpoch: epoch });
    }
    if (failed) await new Promise((resolve) => setTimeout(resolve, 500).unref());
  }

  private unload(partition: number): void {
    this.loaded.delete(partition);
    this.callbacks.unload(partition);
    this.logger.info('no longer coordinator of a __consumer_offsets partition', { partition });
  }
}
