// The leader-epoch cache of one partition: for each leader epoch, the first offset written in it.
// Persisted as `leader-epoch-checkpoint` in the partition dir (format in checkpoint.ts). Replication
// uses it to find where a follower's log diverges from the leader's (OffsetsForLeaderEpoch).
import { join } from 'node:path';
import { errorMessage, type Logger } from '../common/index.js';
import { LEADER_EPOCH_CHECKPOINT, readLeaderEpochCheckpoint, writeLeaderEpochCheckpoint, type EpochEntry } from './checkpoint.js';

export class LeaderEpochCache {
  /** Changed since the last persist(). */
  dirty = false;

  private constructor(
    private readonly path: string,
    private entries: EpochEntry[],
  ) {}

  /** Loads the checkpoint; `corrupt` tells the caller to rebuild the cache from the batches. */
  static async load(dir: string, logger: Logger): Promise<{ cache: LeaderEpochCache; corrupt: boolean }> {
    const path = join(dir, LEADER_EPOCH_CHECKPOINT);
    try {
      const entries = (await readLeaderEpochCheckpoint(path)) ?? [];
      return { cache: new LeaderEpochCache(path, entries), corrupt: false };
    } catch (err) {
      logger.warn('ignoring corrupt leader-epoch checkpoint; rebuilding it from the log', { path, error: errorMessage(err) });
      const cache = new LeaderEpochCache(path, []);
      cache.dirty = true;
      return { cache, corrupt: true };
    }
  }

  get latestEpoch(): number {
    return this.entries[this.entries.length - 1]?.epoch ?? -1;
  }

  list(): EpochEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  /** Records that `epoch` starts at `startOffset` if it is newer than the latest; returns whether it changed. */
  assign(epoch: number, startOffset: number): boolean {
    if (epoch < 0 || epoch <= this.latestEpoch) return false;
    this.entries.push({ epoch, startOffset });
    this.dirty = true;
    return true;
  }

  /** The end offset of `epoch` (start of the next epoch, or logEndOffset for the latest), Kafka's
   *  OffsetsForLeaderEpoch answer; -1 when the epoch is older than everything known. */
  endOffsetFor(epoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    let found: EpochEntry | undefined;
    for (const e of this.entries) if (e.epoch <= epoch) found = e;
    if (found === undefined) return { epoch: -1, endOffset: -1 };
    const next = this.entries.find((e) => e.epoch > found.epoch);
    return { epoch: found.epoch, endOffset: next?.startOffset ?? logEndOffset };
  }

  /** Drops epochs that start at or after `endOffset` (the log was truncated there); returns whether it changed. */
  truncateFromEnd(endOffset: number): boolean {
    const kept = this.entries.filter((e) => e.startOffset < endOffset);
    const changed = kept.length !== this.entries.length;
    this.entries = kept;
    if (changed) this.dirty = true;
    return changed;
  }

  async persist(): Promise<void> {
    this.dirty = false;
    await writeLeaderEpochCheckpoint(this.path, this.entries);
  }
}
