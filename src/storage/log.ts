// One partition's log: an ordered list of segments, the last one active. All mutations (appends,
// rolls, segment deletion, truncation, flushes) go through one serial queue, and appends that arrive
// while a write is in progress are coalesced into one write; fsyncs run beside the queue (LogFlusher).
// Reads run beside the queue: they only look at committed state (segment sizes, highWatermark).
import { ErrorCode, KafkaError, errorMessage, silentLogger, type Logger } from '../common/index.js';
import { BATCH_FIELD, setBaseOffset, setLogAppendTime, setPartitionLeaderEpoch } from '../records/index.js';
import { parseAppendBatches, type ParsedAppend } from './append-batches.js';
import { fsyncDir } from './checkpoint.js';
import { DataWaiters } from './data-waiters.js';
import { storageFs } from './file-system.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { DEFAULT_FLUSH_POLICY, type FlushPolicy, type LogConfig } from './log-config.js';
import { LogFlusher } from './log-flusher.js';
import { LogReader, type LogReadState, type ReadResult } from './log-reader.js';
import { PositionCache } from './position-cache.js';
import { deleteSnapshotsAbove, restoreProducerState, writeProducerSnapshot } from './producer-snapshot.js';
import { producerBatchHeader, ProducerStateManager, type ProducerBatch, type ProducerBatchHeader } from './producer-state.js';
import { loadSegments } from './recovery.js';
import { Segment, type BatchInfo, type ReadAllocator } from './segment.js';

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  /** The broker time stamped on the batches with LogAppendTime, -1 with CreateTime. */
  logAppendTime: number;
  logStartOffset: number;
}

/** Counters for tests and metrics. */
export interface LogStats {
  appends: number;
  writes: number;
  fsyncs: number;
}

export interface LogOptions {
  dir: string;
  topic: string;
  partition: number;
  config: LogConfig;
  flushPolicy?: FlushPolicy;
  logger?: Logger;
  /** From the recovery-point checkpoint; 0 (default) scans every segment on open. */
  recoveryPoint?: number;
  /** From the log-start-offset checkpoint. */
  logStartOffset?: number;
  now?: () => number;
  /** Called (and awaited) after logStartOffset moved, so that the owner can checkpoint it. */
  onLogStartOffsetChange?: () => Promise<void>;
}

interface PendingAppend {
  kind: 'append';
  buf: Buffer;
  parsed: ParsedAppend;
  leaderEpoch: number;
  /** Replication: keep the leader's offsets and epochs instead of assigning them. */
  asFollower: boolean;
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
}

interface PendingTask {
  kind: 'task';
  run: () => Promise<void>;
}

const INT32_MAX = 0x7fffffff;

export type { ReadResult };

export class Log {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  config: LogConfig;
  /** Stamped on appended batches when append() is not given one. */
  leaderEpoch = 0;
  readonly stats: LogStats = { appends: 0, writes: 0, fsyncs: 0 };
  /** Idempotent producers' epochs and last batches (checked and updated in the write queue only). */
  readonly producers = new ProducerStateManager();
  private segments: Segment[];
  private _logStartOffset: number;
  private _logEndOffset: number;
  private _highWatermark: number;
  private readonly flusher: LogFlusher;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly epochs: LeaderEpochCache;
  private readonly waiters = new DataWaiters();
  /** Follower fetches wait for the log end offset, not the high watermark. */
  private readonly endWaiters = new DataWaiters();
  private readonly positions = new PositionCache();
  private readonly reader: LogReader;
  private readonly onLogStartOffsetChange: (() => Promise<void>) | undefined;
  private queue: (PendingAppend | PendingTask)[] = [];
  private draining = false;
  private failure: KafkaError | null = null;
  private closed = false;
  /** Replicated partitions: the replica manager moves the high watermark, appends do not. */
  private externalHighWatermark = false;

  private constructor(options: LogOptions, segments: Segment[], logStartOffset: number, epochs: LeaderEpochCache) {
    this.topic = options.topic;
    this.partition = options.partition;
    this.dir = options.dir;
    this.config = options.config;
    this.logger = (options.logger ?? silentLogger).child({ topic: options.topic, partition: options.partition });
    this.now = options.now ?? Date.now;
    this.onLogStartOffsetChange = options.onLogStartOffsetChange;
    this.segments = segments;
    this.epochs = epochs;
    this._logStartOffset = logStartOffset;
    this._logEndOffset = this.active.nextOffset;
    // A single replica: everything recovered is committed.
    this._highWatermark = this._logEndOffset;
    this.flusher = new LogFlusher(options.flushPolicy ?? DEFAULT_FLUSH_POLICY, this._logEndOffset, {
      active: () => this.active,
      logEndOffset: () => this._logEndOffset,
      available: () => !this.closed && this.failure === null,
      synced: () => void this.stats.fsyncs++,
      fail: (err) => void this.fail(err),
    });
    this.leaderEpoch = Math.max(0, epochs.latestEpoch);
    this.reader = new LogReader(`${this.topic}-${this.partition}`, this.positions, this.logger);
  }

  /** Opens (creating if needed) and recovers the log in `options.dir`. */
  static async open(options: LogOptions): Promise<Log> {
    const logger = (options.logger ?? silentLogger).child({ topic: options.topic, partition: options.partition });
    await storageFs().mkdirp(options.dir);
    const { cache: epochs, corrupt } = await LeaderEpochCache.load(options.dir, logger);
    const now = (options.now ?? Date.now)();
    const loaded = await loadSegments({
      dir: options.dir,
      // A corrupt epoch checkpoint is rebuilt from the batches, so every segment is scanned.
      recoveryPoint: corrupt ? 0 : (options.recoveryPoint ?? 0),
      logStartOffset: options.logStartOffset ?? 0,
      indexIntervalBytes: options.config.indexIntervalBytes,
      logger,
      now,
      onBatch: (h) => epochs.assign(h.partitionLeaderEpoch, h.baseOffset),
    });
    epochs.truncateFromEnd(loaded.logEndOffset);
    if (epochs.dirty) await epochs.persist();
    if (loaded.createdSegment) await fsyncDir(options.dir);
    const log = new Log(options, loaded.segments, loaded.logStartOffset, epochs);
    // Producer state: the newest snapshot, then the batches after it (producer-snapshot.ts).
    await restoreProducerState({ dir: options.dir, segments: loaded.segments, logEndOffset: loaded.logEndOffset, producers: log.producers, logger });
    return log;
  }

  get logStartOffset(): number {
    return this._logStartOffset;
  }
  get logEndOffset(): number {
    return this._logEndOffset;
  }
  get highWatermark(): number {
    return this._highWatermark;
  }
  /** Offsets below this are durable (fsynced); the recovery-point checkpoint stores it. */
  get recoveryPoint(): number {
    return this.flusher.recoveryPoint;
  }
  get isOffline(): boolean {
    return this.failure !== null;
  }
  /** Total bytes of all segments. */
  get size(): number {
    return this.segments.reduce((sum, s) => sum + s.size, 0);
  }
  /** Base offsets of the segments, oldest first (tests, describe). */
  segmentBaseOffsets(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }
  leaderEpochs(): { epoch: number; startOffset: number }[] {
    return this.epochs.list();
  }
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    return this.epochs.endOffsetFor(epoch, this._logEndOffset);
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  append(batches: Buffer, options?: { leaderEpoch?: number }): Promise<AppendResult> {
    return this.enqueueAppend(batches, options?.leaderEpoch ?? this.leaderEpoch, false);
  }

  /**
   * Replication (follower): appends batches fetched from the leader as they are, keeping their
   * baseOffset and partitionLeaderEpoch. The first batch must start exactly at logEndOffset and each
   * next one right after the previous (CORRUPT_MESSAGE otherwise: the follower must truncate first).
   */
  appendAsFollower(batches: Buffer): Promise<AppendResult> {
    return this.enqueueAppend(batches, -1, true);
  }

  /**
   * Replication: with `external` true, appends no longer move the high watermark; the replica manager
   * does through updateHighWatermark (leader: min log end offset of the ISR; follower: the leader's).
   * Back to false (single replica): the high watermark is the log end offset again.
   */
  setExternalHighWatermark(external: boolean): void {
    this.externalHighWatermark = external;
    if (!external) this.updateHighWatermark(this._logEndOffset, true);
  }

  /** Sets the high watermark (capped at logEndOffset) and wakes the long polls it satisfies. */
  updateHighWatermark(offset: number, force = false): void {
    if (!this.externalHighWatermark && !force) return;
    this._highWatermark = Math.max(0, Math.min(offset, this._logEndOffset));
    this.waiters.wake(this._highWatermark);
  }

  private enqueueAppend(batches: Buffer, leaderEpoch: number, asFollower: boolean): Promise<AppendResult> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(this.closedError());
    let parsed: ParsedAppend;
    try {
      parsed = parseAppendBatches(batches, this.config.maxMessageBytes);
    } catch (err) {
      return Promise.reject(err);
    }
    this.stats.appends++;
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ kind: 'append', buf: batches, parsed, leaderEpoch, asFollower, resolve, reject });
      this.drain();
    });
  }

  /** Runs `fn` alone in the write queue (after the appends queued before it). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ kind: 'task', run: () => fn().then(resolve, reject) });
      this.drain();
    });
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    void (async () => {
      try {
        while (this.queue.length > 0) {
          const head = this.queue[0]!;
          if (head.kind === 'task') {
            this.queue.shift();
            await this.flusher.idle();
            await head.run();
            continue;
          }
          // Every append queued meanwhile forms one group: one write (its fsync: LogFlusher).
          let n = 1;
          while (n < this.queue.length && this.queue[n]!.kind === 'append') n++;
          await this.writeGroup(this.queue.splice(0, n) as PendingAppend[]);
        }
      } finally {
        this.draining = false;
      }
    })();
  }

  private async writeGroup(group: PendingAppend[]): Promise<void> {
    if (this.failure !== null || this.closed) {
      for (const op of group) op.reject(this.failure ?? this.closedError());
      return;
    }
    const now = this.now();
    const appendTime = this.config.messageTimestampType === 'LogAppendTime' ? now : -1;
    const results: Omit<AppendResult, 'logStartOffset'>[] = [];
    let segment = this.active;
    let buffers: Buffer[] = [];
    let infos: BatchInfo[] = [];
    let pendingBytes = 0;
    // Whether every batch in `buffers` had its CRC checked by the caller (a follower's were not).
    let verified = true;
    let next = this._logEndOffset;
    let epochChanged = false;
    let messages = 0;
    const refused = new Set<PendingAppend>();
    try {
      for (const op of group) {
        // A replicated batch that does not continue the log fails alone, without taking the log offline.
        // So does a leader's batch refused by the idempotent-producer checks.
        let producerHeaders: ProducerBatchHeader[];
        let duplicate: ProducerBatch | null = null;
        try {
          if (op.asFollower) {
            const discontinuity = followerDiscontinuity(op, next);
            if (discontinuity !== null) throw discontinuity;
          }
          producerHeaders = op.parsed.batches.map((b) => producerBatchHeader(op.buf, b.position));
          if (!op.asFollower) duplicate = this.producers.checkAppend(producerHeaders);
        } catch (err) {
          refused.add(op);
          op.reject(err);
          results.push({ baseOffset: -1, lastOffset: -1, logAppendTime: -1 });
          continue;
        }
        if (duplicate !== null) {
          // Already in the log: not written again, answered with the original offsets (stamped into
          // the buffer too, so callers that read offsets back from it, like acks=all, see them).
          setBaseOffset(op.buf, 0, duplicate.firstOffset);
          results.push({ baseOffset: duplicate.firstOffset, lastOffset: duplicate.lastOffset, logAppendTime: -1 });
          continue;
        }
        if (this.shouldRoll(segment, pendingBytes, op, next, now)) {
          if (buffers.length > 0) await this.writeTo(segment, buffers, infos, now, verified);
          buffers = [];
          infos = [];
          pendingBytes = 0;
          verified = true;
          segment = await this.roll(now);
        }
        const baseOffset = next;
        for (const [i, b] of op.parsed.batches.entries()) {
          this.producers.update(producerHeaders[i]!, next, b.maxTimestamp);
          if (op.asFollower) {
            if (this.epochs.assign(op.buf.readInt32BE(b.position + BATCH_FIELD.partitionLeaderEpoch), next)) epochChanged = true;
            infos.push({ baseOffset: next, lastOffset: next + b.lastOffsetDelta, maxTimestamp: b.maxTimestamp, size: b.size });
            next += b.lastOffsetDelta + 1;
            continue;
          }
          setBaseOffset(op.buf, b.position, next);
          setPartitionLeaderEpoch(op.buf, b.position, op.leaderEpoch);
          if (appendTime >= 0) setLogAppendTime(op.buf, b.position, appendTime);
          const maxTimestamp = appendTime >= 0 ? appendTime : b.maxTimestamp;
          infos.push({ baseOffset: next, lastOffset: next + b.lastOffsetDelta, maxTimestamp, size: b.size });
          next += b.lastOffsetDelta + 1;
        }
        if (!op.asFollower && this.epochs.assign(op.leaderEpoch, baseOffset)) epochChanged = true;
        buffers.push(op.buf);
        if (op.asFollower) verified = false;
        pendingBytes += op.buf.length;
        messages += op.parsed.offsets;
        results.push({ baseOffset, lastOffset: next - 1, logAppendTime: appendTime });
      }
      if (buffers.length > 0) await this.writeTo(segment, buffers, infos, now, verified);
      if (epochChanged) await this.epochs.persist();
    } catch (err) {
      const failure = this.fail(err);
      for (const op of group) if (!refused.has(op)) op.reject(failure);
      return;
    }
    // `end` also covers a group of duplicates only: their first copies are below it.
    const end = this._logEndOffset;
    const acknowledge = (): void => {
      this.advanceHighWatermark(end);
      group.forEach((op, i) => refused.has(op) || op.resolve({ ...results[i]!, logStartOffset: this._logStartOffset }));
    };
    // With the default policy, once an fsync covers the group: meanwhile the queue writes the next ones.
    const durable = this.flusher.written(messages, end);
    if (durable === null) acknowledge();
    else durable.then(acknowledge, (failure: KafkaError) => {
      for (const op of group) if (!refused.has(op)) op.reject(failure);
    });
  }

  private async writeTo(segment: Segment, buffers: Buffer[], infos: BatchInfo[], now: number, verified: boolean): Promise<void> {
    await segment.append(buffers, infos, now, verified);
    this.stats.writes++;
    this._logEndOffset = segment.nextOffset;
    this.positions.remember(segment.nextOffset, segment, segment.size);
  }

  private shouldRoll(segment: Segment, pendingBytes: number, op: PendingAppend, next: number, now: number): boolean {
    const used = segment.size + pendingBytes;
    if (used === 0) return false;
    const bytes = op.buf.length;
    return (
      used + bytes > this.config.segmentBytes ||
      used + bytes > INT32_MAX ||
      next + op.parsed.offsets - 1 - segment.baseOffset > INT32_MAX ||
      (segment.size > 0 && segment.timeWaitedForRoll(now, this.incomingTimestamp(op, now)) >= this.config.segmentMs)
    );
  }

  private incomingTimestamp(op: PendingAppend, now: number): number {
    if (this.config.messageTimestampType === 'LogAppendTime') return now;
    let max = -1;
    for (const b of op.parsed.batches) if (b.maxTimestamp > max) max = b.maxTimestamp;
    return max;
  }

  /** Seals the active segment (fsync) and starts a new one at logEndOffset. Queue only. */
  private async roll(now: number): Promise<Segment> {
    const old = this.active;
    await old.seal();
    this.stats.fsyncs++;
    this.flusher.covered(old.nextOffset);
    const segment = await Segment.create(this.dir, old.nextOffset, this.config.indexIntervalBytes, now);
    await fsyncDir(this.dir);
    // Segment lists are replaced, never mutated: reads iterate over the list they started with.
    this.segments = [...this.segments, segment];
    this.logger.debug('rolled log segment', { baseOffset: segment.baseOffset });
    // Before any batch of the new segment is recorded: the state as of its base offset. Without it
    // the next open only scans more batches, so a failure here does not fail the append.
    await writeProducerSnapshot(this.dir, segment.baseOffset, this.producers).catch((err: unknown) =>
      this.logger.warn('could not write the producer state snapshot', { error: errorMessage(err) }),
    );
    return segment;
  }

  /** After a group up to `end` was acknowledged (the log end may already be past it, not yet durable). */
  private advanceHighWatermark(end: number): void {
    this.endWaiters.wake(end);
    // Replicated: the replica manager moves the high watermark (updateHighWatermark).
    if (this.externalHighWatermark) return;
    this._highWatermark = end;
    this.waiters.wake(this._highWatermark);
  }

  /** An I/O error takes the log offline for good: an fsync that failed is never retried into success. */
  private fail(err: unknown): KafkaError {
    if (this.failure === null) {
      this.failure = new KafkaError(
        ErrorCode.KAFKA_STORAGE_ERROR,
        `log ${this.topic}-${this.partition} is offline after an I/O error: ${errorMessage(err)}`,
        { cause: err },
      );
      this.logger.error('log is offline after an I/O error', { error: errorMessage(err) });
      this.flusher.failAll(this.failure);
      this.waiters.wakeAll();
      this.endWaiters.wakeAll();
    }
    return this.failure;
  }

  private closedError(): KafkaError {
    return new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `log ${this.topic}-${this.partition} is closed`);
  }

  private throwIfUnavailable(): void {
    if (this.failure !== null) throw this.failure;
    if (this.closed) throw this.closedError();
  }

  /** `alloc`: where the read's buffer comes from (a fetch's pool; the records are a view of it then). */
  async read(fetchOffset: number, maxBytes: number, maxOffset?: number, alloc?: ReadAllocator): Promise<ReadResult> {
    for (let attempt = 0; ; attempt++) {
      this.throwIfUnavailable();
      const state = this.readState();
      try {
        return await this.reader.read(state, fetchOffset, maxBytes, maxOffset, alloc);
      } catch (err) {
        // A compaction swap or a deletion closed a segment of this snapshot: read the new segment list.
        if (attempt >= 3 || state.segments === this.segments) throw err;
      }
    }
  }

  async offsetForTimestamp(timestamp: number): Promise<{ offset: number; timestamp: number } | null> {
    for (let attempt = 0; ; attempt++) {
      this.throwIfUnavailable();
      const state = this.readState();
      try {
        return await this.reader.offsetForTimestamp(state, timestamp);
      } catch (err) {
        // As in read(): a segment of this snapshot was swapped out by compaction or deleted.
        if (attempt >= 3 || state.segments === this.segments) throw err;
      }
    }
  }

  private readState(): LogReadState {
    return {
      segments: this.segments,
      logStartOffset: this._logStartOffset,
      logEndOffset: this._logEndOffset,
      highWatermark: this._highWatermark,
    };
  }

  async deleteRecordsBefore(offset: number): Promise<number> {
    return this.exclusive(async () => {
      this.throwIfUnavailable();
      const target = offset === -1 ? this._highWatermark : offset;
      if (target < 0 || target > this._highWatermark) {
        throw new KafkaError(
          ErrorCode.OFFSET_OUT_OF_RANGE,
          `cannot delete records before ${offset}: high watermark of ${this.topic}-${this.partition} is ${this._highWatermark}`,
        );
      }
      if (target <= this._logStartOffset) return this._logStartOffset;
      this._logStartOffset = target;
      await this.deleteSegmentsWhile((_segment, next) => next.baseOffset <= target, 'below the log start offset');
      await this.onLogStartOffsetChange?.();
      return this._logStartOffset;
    });
  }

  /** Deletes the oldest non-active segments while `predicate` holds (retention); returns how many. */
  deleteOldestSegments(predicate: (segment: Segment, next: Segment) => boolean, reason: string): Promise<number> {
    return this.exclusive(async () => {
      this.throwIfUnavailable();
      const before = this._logStartOffset;
      const deleted = await this.deleteSegmentsWhile(predicate, reason);
      if (this._logStartOffset !== before) await this.onLogStartOffsetChange?.();
      return deleted;
    });
  }

  /** The segments, oldest first, for retention's decisions (do not mutate). */
  segmentList(): readonly Segment[] {
    return this.segments;
  }

  /**
   * Compaction (cleaner.ts): alone in the write queue, replaces the consecutive non-active segments
   * `old` by the segment `swap` returns, then closes and removes them once their reads finished.
   * Returns false without calling `swap` when `old` are no longer those segments with `sizes` bytes
   * (retention, DeleteRecords or truncation changed the log while the cleaner read it).
   */
  replaceSegments(old: readonly Segment[], sizes: readonly number[], swap: () => Promise<Segment>): Promise<boolean> {
    return this.exclusive(async () => {
      this.throwIfUnavailable();
      const at = this.segments.indexOf(old[0]!);
      const same = at >= 0 && at + old.length < this.segments.length && old.every((s, i) => this.segments[at + i] === s && s.size === sizes[i]);
      if (!same) return false;
      try {
        const replacement = await swap();
        this.segments = [...this.segments.slice(0, at), replacement, ...this.segments.slice(at + old.length)];
        for (const segment of old) this.positions.forget(segment);
        for (const segment of old) await segment.discard();
      } catch (err) {
        throw this.fail(err);
      }
      return true;
    });
  }

  private async deleteSegmentsWhile(predicate: (segment: Segment, next: Segment) => boolean, reason: string): Promise<number> {
    let deleted = 0;
    while (this.segments.length > 1) {
      const [segment, next] = this.segments as [Segment, Segment];
      if (!predicate(segment, next)) break;
      this.segments = this.segments.slice(1);
      this.positions.forget(segment);
      this.logger.info('deleting log segment', { baseOffset: segment.baseOffset, reason });
      try {
        await segment.delete();
      } catch (err) {
        throw this.fail(err);
      }
      deleted++;
    }
    this._logStartOffset = Math.max(this._logStartOffset, this.segments[0]!.baseOffset);
    return deleted;
  }

  /** Rolls the active segment when segment.ms has passed since its first batch (retention pass). */
  rollIfDue(now: number): Promise<boolean> {
    return this.exclusive(async () => {
      const active = this.active;
      if (this.failure !== null || this.closed || active.size === 0 || now - active.createdAt < this.config.segmentMs) {
        return false;
      }
      try {
        await this.roll(now);
      } catch (err) {
        throw this.fail(err);
      }
      return true;
    });
  }

  /** Removes every batch from the one containing `offset` on (replication's divergence truncation). */
  truncateTo(offset: number): Promise<void> {
    return this.exclusive(async () => {
      this.throwIfUnavailable();
      if (offset >= this._logEndOffset) return;
      try {
        while (this.segments.length > 1 && this.active.baseOffset >= offset) {
          const segment = this.active;
          this.segments = this.segments.slice(0, -1);
          await segment.delete();
        }
        await this.active.truncateTo(offset);
      } catch (err) {
        throw this.fail(err);
      }
      this.positions.clear();
      this._logEndOffset = this.active.nextOffset;
      this._highWatermark = Math.min(this._highWatermark, this._logEndOffset);
      this.flusher.truncated(this._logEndOffset);
      this._logStartOffset = Math.min(this._logStartOffset, this._logEndOffset);
      this.producers.truncateFrom(this._logEndOffset);
      await deleteSnapshotsAbove(this.dir, this._logEndOffset);
      if (this.epochs.truncateFromEnd(this._logEndOffset)) await this.epochs.persist();
    });
  }

  /** Forgets idempotent producers idle since before `before` (ms; their newest batch's timestamp).
   *  Resolves to how many were forgotten. */
  expireProducers(before: number): Promise<number> {
    return this.exclusive(async () => this.producers.expire(before));
  }

  /** Calls `onData` once the high watermark (with untilLogEnd: the log end) passes `offset`, or the
   *  log closes or fails; at once (synchronously) when it already has. Returns a cancel function. */
  watchData(offset: number, onData: () => void, options?: { untilLogEnd?: boolean }): () => void {
    const untilLogEnd = options?.untilLogEnd === true;
    if (this.closed || this.failure !== null || (untilLogEnd ? this._logEndOffset : this._highWatermark) > offset) {
      onData();
      return () => {};
    }
    return (untilLogEnd ? this.endWaiters : this.waiters).watch(offset, onData);
  }

  /** Writes everything to disk (fsync), whatever the flush policy. */
  flush(): Promise<void> {
    return this.exclusive(async () => {
      if (this.failure !== null || this.closed) return;
      try {
        await this.flusher.syncNow();
      } catch (err) {
        throw this.fail(err);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush().catch(() => undefined);
    await this.exclusive(async () => {
      this.closed = true;
      await this.flusher.close();
      this.waiters.wakeAll();
      this.endWaiters.wakeAll();
      // A clean close: the next open loads this snapshot and scans nothing for producer state.
      if (this.failure === null) {
        await writeProducerSnapshot(this.dir, this._logEndOffset, this.producers).catch((err: unknown) =>
          this.logger.warn('could not write the producer state snapshot', { error: errorMessage(err) }),
        );
      }
      for (const segment of this.segments) await segment.close().catch(() => undefined);
    });
  }
}

/** Replicated batches must continue the log exactly (no gap, no overlap); the error if they do not. */
function followerDiscontinuity(op: PendingAppend, logEndOffset: number): KafkaError | null {
  let expected = logEndOffset;
  for (const b of op.parsed.batches) {
    const baseOffset = Number(op.buf.readBigInt64BE(b.position + BATCH_FIELD.baseOffset));
    if (baseOffset !== expected) {
      return new KafkaError(ErrorCode.CORRUPT_MESSAGE, `replicated batch starts at offset ${baseOffset}, expected ${expected}`);
    }
    expected += b.lastOffsetDelta + 1;
  }
  return null;
}
