// Log compaction (cleanup.policy=compact and compact,delete): keeps, of the sealed segments, the
// latest record of every key. One pass over a log:
//   1. map: reads every batch of the sealed segments (never the active one) and records, per key,
//      the offset of its latest record (offset-map.ts);
//   2. rewrite: groups consecutive sealed segments (at most segment.bytes of input per group) and
//      writes each group as one `.cleaned` segment that keeps a record when it is the latest of its key
//      (records without a key and control batches are always kept); a tombstone (null value) that is
//      the latest of its key is dropped once `delete.retention.ms` passed since the record's timestamp
//      (Kafka counts from the cleaning of its segment; the record timestamp is a simpler rule, also
//      used for LogAppendTime topics);
//   3. swap: alone in the log's write queue, crash-safe (cleaned-segment.ts), only if the segments are
//      still those read (retention, DeleteRecords or truncation may have changed them meanwhile).
// Appends never wait for a pass: it reads sealed segments beside the queue and takes the queue only
// for the renames of the swap.
//
// Offsets are kept: surviving records keep their offsets (per-record offsetDelta), and the output
// batches tile the group's offsets with no gap, because recovery, fetch verification and followers
// require each batch to start where the previous one ended. A batch followed by dropped batches gets
// a larger lastOffsetDelta (Kafka also keeps a batch's range when its last records go); the first
// surviving batch of a group starts at the group's base offset. A group where nothing survives is
// merged into the next group; the last group keeps its last batch whole in that case, so that no
// segment is left without records (kafkajs skips to the high watermark on a fetch with no record).
// Rewritten batches keep their codec (re-compressed), producer id, epoch, base sequence, leader epoch,
// transactional/control flags and timestamp type; a batch that loses nothing and keeps its range is
// copied byte for byte.
import { silentLogger, type Logger } from '../common/index.js';
import { BATCH_FIELD, buildRecordBatch, decodeRecordBatches, readBatchHeader, type BatchHeader, type Record } from '../records/index.js';
import { CleanedSegmentWriter, segmentBatches } from './cleaned-segment.js';
import { DEFAULT_LOG_CONFIG } from './log-config.js';
import type { Log } from './log.js';
import { OffsetMap } from './offset-map.js';
import type { Segment } from './segment.js';

const INT32_MAX = 0x7fffffff;

export interface CleanerOptions {
  logger?: Logger;
  now?: () => number;
  /** Clean a log only when at least this fraction of its sealed bytes was written since its last
   *  pass (Kafka's min.cleanable.dirty.ratio, 0.5); 0 cleans whenever a segment was sealed. */
  minCleanableDirtyRatio?: number;
}

/** What one pass over one log did. */
export interface CleanResult {
  segmentsBefore: number;
  segmentsAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  recordsRead: number;
  recordsKept: number;
  tombstonesDropped: number;
  /** Groups left as they were: nothing to drop, or the log changed under the pass. */
  groupsSkipped: number;
}

interface Snapshot {
  segment: Segment;
  size: number;
  nextOffset: number;
}

/** A surviving batch waiting for its final offset range. */
interface OutBatch {
  raw: Buffer;
  header: BatchHeader;
  /** Kept records; null when the batch is kept whole. */
  records: Record[] | null;
  baseOffset: number;
  lastOffset: number;
}

interface LogState {
  /** The sealed segments ended here at the end of the last pass. */
  cleanedEnd: number;
  /** When the oldest kept tombstone becomes droppable (Infinity when none). */
  nextTombstoneExpiry: number;
}

export class LogCleaner {
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly minDirtyRatio: number;
  private readonly state = new WeakMap<Log, LogState>();
  private stopped = false;

  constructor(options: CleanerOptions = {}) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.minDirtyRatio = options.minCleanableDirtyRatio ?? 0.5;
  }

  /** Makes passes in progress stop at the next group (close). */
  stop(): void {
    this.stopped = true;
  }

  /** Whether `log` has a compact policy and enough new sealed data or an expired tombstone. */
  needsCleaning(log: Log): boolean {
    if (!log.config.cleanupPolicy.split(',').includes('compact') || log.isOffline) return false;
    const sealed = log.segmentList().slice(0, -1);
    if (sealed.length === 0) return false;
    const state = this.state.get(log);
    if (state === undefined) return true;
    if (this.now() >= state.nextTombstoneExpiry) return true;
    let dirty = 0;
    let total = 0;
    for (const s of sealed) {
      total += s.size;
      if (s.baseOffset >= state.cleanedEnd) dirty += s.size;
    }
    return dirty > 0 && dirty >= total * this.minDirtyRatio;
  }

  /** One pass over `log` (null when it needs none). Errors reading or writing leave the log as it
   *  was (the `.cleaned` files are removed); an error during the swap takes the log offline. */
  async clean(log: Log): Promise<CleanResult | null> {
    if (!this.needsCleaning(log)) return null;
    const sealed: Snapshot[] = log
      .segmentList()
      .slice(0, -1)
      .map((segment) => ({ segment, size: segment.size, nextOffset: segment.nextOffset }));
    const now = this.now();
    const deleteRetentionMs = log.config.deleteRetentionMs ?? DEFAULT_LOG_CONFIG.deleteRetentionMs ?? 0;
    const started = Date.now();
    const map = new OffsetMap();
    for (const s of sealed) await this.mapSegment(s, map);
    const result: CleanResult = {
      segmentsBefore: sealed.length,
      segmentsAfter: 0,
      bytesBefore: sealed.reduce((n, s) => n + s.size, 0),
      bytesAfter: 0,
      recordsRead: 0,
      recordsKept: 0,
      tombstonesDropped: 0,
      groupsSkipped: 0,
    };
    let nextExpiry = Infinity;
    const keep = (r: Record): boolean => {
      result.recordsRead++;
      if (r.key !== null && map.get(r.key) !== r.offset) return false;
      if (r.key !== null && r.value === null && r.timestamp >= 0) {
        if (now - r.timestamp >= deleteRetentionMs) {
          result.tombstonesDropped++;
          return false;
        }
        nextExpiry = Math.min(nextExpiry, r.timestamp + deleteRetentionMs);
      }
      result.recordsKept++;
      return true;
    };
    const groups = groupSegments(sealed, log.config.segmentBytes);
    let carried: Snapshot[] = [];
    for (let g = 0; g < groups.length && !this.stopped; g++) {
      const group = groups[g]!;
      const replaced = [...carried, ...group];
      const next = groups[g + 1];
      // A group where nothing survives may hand its offsets to the next one if the range stays int32.
      const canCarry = next !== undefined && next[next.length - 1]!.nextOffset - replaced[0]!.segment.baseOffset <= INT32_MAX;
      const outcome = await this.cleanGroup(log, replaced, group, keep, !canCarry, now);
      if (outcome === 'empty') {
        // Nothing of these segments survives: the next group's segment takes their offsets.
        carried = replaced;
        continue;
      }
      carried = [];
      if (outcome === null) {
        result.groupsSkipped++;
        result.segmentsAfter += replaced.length;
        result.bytesAfter += replaced.reduce((n, s) => n + s.size, 0);
      } else {
        result.segmentsAfter++;
        result.bytesAfter += outcome.size;
      }
    }
    for (const s of carried) {
      result.segmentsAfter++;
      result.bytesAfter += s.size;
    }
    this.state.set(log, { cleanedEnd: sealed[sealed.length - 1]!.nextOffset, nextTombstoneExpiry: nextExpiry });
    this.logger.info('compacted log', {
      topic: log.topic,
      partition: log.partition,
      ...result,
      keys: map.size,
      ms: Date.now() - started,
    });
    return result;
  }

  private async mapSegment(s: Snapshot, map: OffsetMap): Promise<void> {
    for await (const batch of segmentBatches(s.segment, s.size)) {
      const header = readBatchHeader(batch);
      if (header.isControl) continue;
      for (const r of await decodeRecordBatches(batch)) if (r.key !== null) map.put(r.key, r.offset);
    }
  }

  /**
   * Writes the records of `group` as one cleaned segment covering the offsets of `replaced` (the
   * group, after any earlier groups where nothing survived) and swaps it in. Returns the new segment,
   * 'empty' when no record survives and the next group can take these offsets (`isLast` false), or
   * null when the group is left as it was (nothing to drop, or the log changed under the pass).
   */
  private async cleanGroup(
    log: Log,
    replaced: Snapshot[],
    group: Snapshot[],
    keep: (r: Record) => boolean,
    isLast: boolean,
    now: number,
  ): Promise<Segment | 'empty' | null> {
    const groupBase = replaced[0]!.segment.baseOffset;
    const groupEnd = replaced[replaced.length - 1]!.nextOffset;
    let writer: CleanedSegmentWriter | null = null;
    let pending: OutBatch | null = null;
    let last: { raw: Buffer; header: BatchHeader } | null = null;
    let changed = replaced.length > 1;
    const emit = async (out: OutBatch): Promise<void> => {
      writer ??= await CleanedSegmentWriter.create(log.dir, groupBase, log.config.indexIntervalBytes, now);
      const batch = await encode(out);
      if (batch !== out.raw) changed = true;
      await writer.add(batch, {
        baseOffset: out.baseOffset,
        lastOffset: out.lastOffset,
        maxTimestamp: Number(batch.readBigInt64BE(BATCH_FIELD.maxTimestamp)),
        size: batch.length,
      });
    };
    try {
      for (const s of group) {
        for await (const raw of segmentBatches(s.segment, s.size)) {
          const header = readBatchHeader(raw);
          last = { raw, header };
          let records: Record[] | null = null;
          if (!header.isControl) {
            const all = await decodeRecordBatches(raw);
            const kept = all.filter(keep);
            if (kept.length === 0) {
              changed = true;
              continue;
            }
            if (kept.length < all.length) {
              records = kept;
              changed = true;
            }
          }
          const out: OutBatch = { raw, header, records, baseOffset: header.baseOffset, lastOffset: header.baseOffset + header.lastOffsetDelta };
          if (pending === null) out.baseOffset = groupBase;
          else {
            pending.lastOffset = out.baseOffset - 1;
            await emit(pending);
          }
          pending = out;
        }
      }
      if (pending === null) {
        if (!isLast && last !== null) return 'empty';
        // Nothing survives in the last group: keep its last batch whole (see the top of this file).
        if (last === null) return null;
        pending = { raw: last.raw, header: last.header, records: null, baseOffset: groupBase, lastOffset: 0 };
      }
      pending.lastOffset = groupEnd - 1;
      await emit(pending);
      const out = writer as CleanedSegmentWriter | null;
      if (out === null) return null;
      if (out.nextOffset !== groupEnd) throw new Error(`cleaned segment ends at ${out.nextOffset}, expected ${groupEnd}`);
      if (!changed || this.stopped) {
        await out.abort();
        return null;
      }
      await out.finish();
      const swapped = await log.replaceSegments(
        replaced.map((s) => s.segment),
        replaced.map((s) => s.size),
        () => out.swapIn(replaced.map((s) => s.segment)),
      );
      if (!swapped) {
        await out.abort();
        return null;
      }
      return out.segment;
    } catch (err) {
      const w = writer as CleanedSegmentWriter | null;
      if (w !== null && !log.isOffline) await w.abort();
      throw err;
    }
  }
}

/** Consecutive segments with at most `segmentBytes` of input (and int32 relative offsets) per group. */
function groupSegments(sealed: Snapshot[], segmentBytes: number): Snapshot[][] {
  const groups: Snapshot[][] = [];
  let current: Snapshot[] = [];
  let bytes = 0;
  for (const s of sealed) {
    const first = current[0];
    if (first !== undefined && (bytes + s.size > segmentBytes || s.nextOffset - first.segment.baseOffset > INT32_MAX)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(s);
    bytes += s.size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** The batch's bytes for its final range: the original when nothing changed, else re-encoded. */
async function encode(out: OutBatch): Promise<Buffer> {
  const { header, raw } = out;
  if (out.records === null && out.baseOffset === header.baseOffset && out.lastOffset === header.baseOffset + header.lastOffsetDelta) {
    return raw;
  }
  const records = out.records ?? (await decodeRecordBatches(raw, { includeControl: true }));
  return buildRecordBatch(
    records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })),
    {
      baseOffset: out.baseOffset,
      offsetDeltas: records.map((r) => r.offset - out.baseOffset),
      lastOffsetDelta: out.lastOffset - out.baseOffset,
      compression: header.compression,
      producerId: header.producerId,
      producerEpoch: header.producerEpoch,
      baseSequence: header.baseSequence,
      partitionLeaderEpoch: header.partitionLeaderEpoch,
      isTransactional: header.isTransactional,
      isControl: header.isControl,
      timestampType: header.timestampType,
    },
  );
}
