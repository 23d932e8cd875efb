// The files of a compaction and the order they change in (README.md, "Compaction"). The cleaner
// writes the segment replacing segments [X, N) as `X.log.cleaned`, `X.index.cleaned`,
// `X.timeindex.cleaned` (same formats as a segment and its indexes), fsyncs them, and then, alone in
// the log's write queue:
//   1. renames the two indexes, then the log, from `.cleaned` to `.swap`; fsyncs the directory.
//      `X.log.swap` is the commit point: from here on recovery completes the swap.
//   2. renames every replaced segment's three files to `.deleted`; fsyncs the directory.
//   3. renames the `.swap` files to their final names (log last); fsyncs the directory.
//   4. closes the replaced segments once no read is in flight and unlinks their `.deleted` files.
// Recovery (completeInterruptedSwaps, before anything else): for each `X.log.swap`, its batches tile
// exactly the offsets [X, N) of the segments it replaces (the cleaner never leaves a gap), so the
// segments with a base offset in [X, N) are deleted, `X.index`/`X.timeindex` too (rebuilt by the scan
// that follows), and `X.log.swap` is renamed to `X.log`. Without `X.log.swap`, the old segments were
// never touched and the `.cleaned`/`.swap`/`.deleted` leftovers are simply removed. A `X.log.swap`
// that does not scan as whole valid batches cannot be the cleaner's (it renames only fsynced files)
// and is removed without touching any segment.
import { join } from 'node:path';
import { StorageError, type Logger } from '../common/index.js';
import { BATCH_FIELD, BATCH_OVERHEAD } from '../records/index.js';
import { fsyncDir } from './checkpoint.js';
import { storageFs } from './file-system.js';
import { OffsetIndex } from './offset-index.js';
import { INDEX_SUFFIX, LOG_SUFFIX, Segment, TIME_INDEX_SUFFIX, segmentFileName, unlinkIfExists, type BatchInfo } from './segment.js';
import { scanSegmentFile } from './segment-scan.js';
import { TimeIndex } from './time-index.js';

export const CLEANED_SUFFIX = '.cleaned';
export const SWAP_SUFFIX = '.swap';
const SUFFIXES = [INDEX_SUFFIX, TIME_INDEX_SUFFIX, LOG_SUFFIX] as const;
const WRITE_BUFFER_BYTES = 1024 * 1024;
const READ_CHUNK_BYTES = 4 * 1024 * 1024;
const SEGMENT_FILE = /^(\d{20})\.(log|index|timeindex)$/;
const LOG_SWAP_FILE = /^(\d{20})\.log\.swap$/;

/** Yields the batches of a sealed segment in order, each as its own Buffer (large positional reads). */
export async function* segmentBatches(segment: Segment, end = segment.size): AsyncGenerator<Buffer> {
  let pos = 0;
  while (pos < end) {
    let chunk = await segment.read(pos, Math.min(READ_CHUNK_BYTES, end - pos));
    let p = 0;
    while (p + BATCH_OVERHEAD <= chunk.length) {
      const size = BATCH_OVERHEAD + chunk.readInt32BE(p + BATCH_FIELD.batchLength);
      if (size <= BATCH_OVERHEAD) throw new StorageError(`${segment.logPath}: bad batch length at byte ${pos + p}`);
      if (p + size > chunk.length) break;
      yield chunk.subarray(p, p + size);
      p += size;
    }
    if (p === 0) {
      // One batch larger than a chunk: read it whole.
      const size = BATCH_OVERHEAD + chunk.readInt32BE(BATCH_FIELD.batchLength);
      if (pos + size > end) throw new StorageError(`${segment.logPath}: batch at byte ${pos} passes the end`);
      chunk = await segment.read(pos, size);
      yield chunk;
      p = size;
    }
    pos += p;
  }
}

/** Writes one cleaned segment as `.cleaned` files, indexed like any segment. */
export class CleanedSegmentWriter {
  private buffers: Buffer[] = [];
  private infos: BatchInfo[] = [];
  private pending = 0;

  private constructor(
    readonly segment: Segment,
    private readonly now: number,
  ) {}

  static async create(dir: string, baseOffset: number, indexIntervalBytes: number, now: number): Promise<CleanedSegmentWriter> {
    const name = (suffix: string): string => join(dir, segmentFileName(baseOffset, suffix) + CLEANED_SUFFIX);
    const fh = await storageFs().open(name(LOG_SUFFIX), 'w+');
    const offsetIndex = await OffsetIndex.create(name(INDEX_SUFFIX), baseOffset);
    const timeIndex = await TimeIndex.create(name(TIME_INDEX_SUFFIX), baseOffset);
    return new CleanedSegmentWriter(new Segment(dir, baseOffset, fh, 0, offsetIndex, timeIndex, indexIntervalBytes, now), now);
  }

  get baseOffset(): number {
    return this.segment.baseOffset;
  }

  /** Offset after the last batch added. */
  get nextOffset(): number {
    const last = this.infos[this.infos.length - 1];
    return last === undefined ? this.segment.nextOffset : last.lastOffset + 1;
  }

  async add(batch: Buffer, info: BatchInfo): Promise<void> {
    this.buffers.push(batch);
    this.infos.push(info);
    this.pending += batch.length;
    if (this.pending >= WRITE_BUFFER_BYTES) await this.write();
  }

  private async write(): Promise<void> {
    if (this.buffers.length === 0) return;
    // Not marked verified: reads check the cleaned copy once, as after a restart.
    await this.segment.append(this.buffers, this.infos, this.now, false);
    this.buffers = [];
    this.infos = [];
    this.pending = 0;
  }

  /** Writes what is buffered and fsyncs the log file and both indexes. */
  async finish(): Promise<void> {
    await this.write();
    await this.segment.seal();
  }

  /** Gives up: closes and removes the `.cleaned` files. */
  async abort(): Promise<void> {
    await this.segment.close().catch(() => undefined);
    for (const suffix of SUFFIXES) await unlinkIfExists(this.cleanedPath(suffix));
  }

  private cleanedPath(suffix: string): string {
    return join(this.segment.dir, segmentFileName(this.baseOffset, suffix) + CLEANED_SUFFIX);
  }

  /** Steps 1-3 of the swap (queue only). The writer's segment, whose open files followed the renames,
   *  is then the live segment; the caller replaces `old` with it and discards them. */
  async swapIn(old: readonly Segment[]): Promise<Segment> {
    const dir = this.segment.dir;
    const final = (suffix: string): string => join(dir, segmentFileName(this.baseOffset, suffix));
    for (const suffix of SUFFIXES) await storageFs().rename(this.cleanedPath(suffix), final(suffix) + SWAP_SUFFIX);
    await fsyncDir(dir);
    for (const segment of old) await segment.renameToDeleted();
    await fsyncDir(dir);
    for (const suffix of SUFFIXES) await storageFs().rename(final(suffix) + SWAP_SUFFIX, final(suffix));
    await fsyncDir(dir);
    return this.segment;
  }
}

/** Recovery: completes every swap whose `X.log.swap` reached the disk (see the top of this file). */
export async function completeInterruptedSwaps(dir: string, logger: Logger): Promise<void> {
  const names = (await storageFs().readdir(dir)).map((e) => e.name);
  for (const name of names) {
    const m = LOG_SWAP_FILE.exec(name);
    if (m === null) continue;
    const base = Number(m[1]);
    const swapPath = join(dir, name);
    const fh = await storageFs().open(swapPath, 'r');
    let nextOffset: number;
    let problem: string | undefined;
    try {
      const { size } = await fh.stat();
      const scan = await scanSegmentFile(fh, size, base, () => undefined);
      nextOffset = scan.nextOffset;
      problem = scan.reason ?? (scan.validBytes === 0 ? 'no batch' : undefined);
    } finally {
      await fh.close();
    }
    if (problem !== undefined) {
      // The cleaner renames only whole, fsynced files to `.swap`: this one is not its output. The
      // segments it would replace were not touched before it existed, so it is dropped.
      logger.warn('removing a damaged compaction swap file; the old segments stay', { file: swapPath, reason: problem });
      await storageFs().unlink(swapPath);
      continue;
    }
    for (const other of names) {
      const s = SEGMENT_FILE.exec(other);
      if (s === null) continue;
      const b = Number(s[1]);
      if (b >= base && b < nextOffset) await unlinkIfExists(join(dir, other));
    }
    await unlinkIfExists(join(dir, segmentFileName(base, INDEX_SUFFIX)));
    await unlinkIfExists(join(dir, segmentFileName(base, TIME_INDEX_SUFFIX)));
    await storageFs().rename(swapPath, join(dir, segmentFileName(base, LOG_SUFFIX)));
    await fsyncDir(dir);
    logger.info('completed an interrupted compaction swap', { file: join(dir, segmentFileName(base, LOG_SUFFIX)), nextOffset });
  }
}
