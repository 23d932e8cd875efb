// Opens the segments of one partition dir after a clean or unclean shutdown (DESIGN.md §3):
// - a compaction swap that reached its commit point (`X.log.swap`) is completed (cleaned-segment.ts);
// - leftovers of interrupted operations are removed: `*.tmp` (checkpoint being written), `*.deleted`
//   (segment being deleted), `*.cleaned` / `*.swap` (compaction output), and index files whose `.log`
//   is gone;
// - segments that may hold offsets >= the recovery point (always the last one) are scanned batch by
//   batch (size, magic, CRC-32C, offset continuity): the log is cut at the first invalid batch, the
//   segments after it are deleted, and their indexes are rebuilt;
// - older segments keep their indexes when these pass the sanity checks, otherwise they are scanned
//   and rebuilt too.
// Everything dropped is reported through the logger.
import { join } from 'node:path';
import { errorMessage, type Logger } from '../common/index.js';
import type { BatchHeader } from '../records/index.js';
import { completeInterruptedSwaps } from './cleaned-segment.js';
import { fsyncDir } from './checkpoint.js';
import { storageFs } from './file-system.js';
import { OffsetIndex } from './offset-index.js';
import {
  DELETED_SUFFIX,
  INDEX_SUFFIX,
  LOG_SUFFIX,
  Segment,
  TIME_INDEX_SUFFIX,
  segmentFileName,
  unlinkIfExists,
} from './segment.js';
import { TimeIndex } from './time-index.js';

const LEFTOVER_SUFFIXES = ['.tmp', DELETED_SUFFIX, '.cleaned', '.swap'];
const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex)$/;

export interface RecoveryOptions {
  dir: string;
  /** Offsets below this were fsynced with their indexes; 0 scans everything. */
  recoveryPoint: number;
  /** From the log-start-offset checkpoint (0 when unknown). */
  logStartOffset: number;
  indexIntervalBytes: number;
  logger: Logger;
  now: number;
  /** Called for every batch of every scanned segment (leader-epoch cache rebuild). */
  onBatch?: (header: BatchHeader) => void;
}

export interface LoadedSegments {
  segments: Segment[];
  logStartOffset: number;
  logEndOffset: number;
  /** A first, empty segment was created (the directory needs an fsync). */
  createdSegment: boolean;
}

export async function loadSegments(options: RecoveryOptions): Promise<LoadedSegments> {
  const { dir, logger } = options;
  await completeInterruptedSwaps(dir, logger);
  const names = (await storageFs().readdir(dir)).map((e) => e.name);
  for (const name of names) {
    if (LEFTOVER_SUFFIXES.some((s) => name.endsWith(s))) {
      logger.info('removing leftover file of an interrupted operation', { file: join(dir, name) });
      await storageFs().unlink(join(dir, name));
    }
  }
  const bases = new Set<number>();
  for (const name of names) {
    const m = SEGMENT_FILE.exec(name);
    if (m !== null && m[2] === 'log') bases.add(Number(m[1]));
  }
  for (const name of names) {
    const m = SEGMENT_FILE.exec(name);
    if (m !== null && m[2] !== 'log' && !bases.has(Number(m[1]))) {
      logger.info('removing index without a segment', { file: join(dir, name) });
      await storageFs().unlink(join(dir, name));
    }
  }
  const sorted = [...bases].sort((a, b) => a - b);
  const segments: Segment[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const base = sorted[i]!;
    const nextBase = sorted[i + 1];
    const isLast = nextBase === undefined;
    const segment = await openSegment(options, base, !isLast && nextBase <= options.recoveryPoint);
    segments.push(segment.segment);
    if (!segment.scanned) {
      segment.segment.nextOffset = nextBase!;
      continue;
    }
    const truncated = segment.dropped > 0 || segment.reason !== undefined;
    if (truncated) {
      logger.warn('truncated log segment at its first invalid batch', {
        file: segment.segment.logPath,
        droppedBytes: segment.dropped,
        logEndOffset: segment.segment.nextOffset,
        reason: segment.reason,
      });
    }
    if (truncated && !isLast) {
      // The log ends inside this segment: everything after it is beyond the cut.
      for (const later of sorted.slice(i + 1)) {
        logger.warn('deleting segment after the truncation point', { file: join(dir, segmentFileName(later, LOG_SUFFIX)) });
        for (const suffix of [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX]) await unlinkIfExists(join(dir, segmentFileName(later, suffix)));
      }
      // New batches will reuse those offsets: a deleted segment must not come back after a crash.
      await fsyncDir(dir);
      break;
    }
  }
  const createdSegment = segments.length === 0;
  if (createdSegment) {
    segments.push(await Segment.create(dir, Math.max(0, options.logStartOffset), options.indexIntervalBytes, options.now));
  }
  const first = segments[0]!;
  const last = segments[segments.length - 1]!;
  const logEndOffset = last.nextOffset;
  const logStartOffset = Math.min(Math.max(options.logStartOffset, first.baseOffset), logEndOffset);
  return { segments, logStartOffset, logEndOffset, createdSegment };
}

interface OpenedSegment {
  segment: Segment;
  scanned: boolean;
  dropped: number;
  reason?: string;
}

/** Opens one segment, keeping its indexes when `trusted` and they pass the checks, else scanning it. */
async function openSegment(options: RecoveryOptions, base: number, trusted: boolean): Promise<OpenedSegment> {
  const { dir, indexIntervalBytes, now, logger } = options;
  const logPath = join(dir, segmentFileName(base, LOG_SUFFIX));
  const indexPath = join(dir, segmentFileName(base, INDEX_SUFFIX));
  const timeIndexPath = join(dir, segmentFileName(base, TIME_INDEX_SUFFIX));
  const fh = await storageFs().open(logPath, 'r+');
  const { size, mtimeMs } = await fh.stat();
  if (trusted) {
    try {
      const offsetIndex = await OffsetIndex.load(indexPath, base, size);
      try {
        const timeIndex = await TimeIndex.load(timeIndexPath, base);
        const segment = new Segment(dir, base, fh, size, offsetIndex, timeIndex, indexIntervalBytes, now);
        segment.lastModified = mtimeMs;
        return { segment, scanned: false, dropped: 0 };
      } catch (err) {
        await offsetIndex.close();
        throw err;
      }
    } catch (err) {
      logger.warn('rebuilding index of log segment', { file: logPath, error: errorMessage(err) });
    }
  }
  const offsetIndex = await OffsetIndex.create(indexPath, base);
  const timeIndex = await TimeIndex.create(timeIndexPath, base);
  const segment = new Segment(dir, base, fh, size, offsetIndex, timeIndex, indexIntervalBytes, now);
  segment.lastModified = mtimeMs;
  const result = await segment.recover(options.onBatch);
  await segment.flush(false);
  return { segment, scanned: true, dropped: result.dropped, ...(result.reason !== undefined ? { reason: result.reason } : {}) };
}
