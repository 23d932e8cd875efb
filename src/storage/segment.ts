// One log segment: `%020d.log` holding raw RecordBatch v2 bytes exactly as stored (offsets assigned),
// back to back with nothing in between, named by the segment's base offset (the first batch's
// baseOffset), plus its sparse `%020d.index` (offset-index.ts) and `%020d.timeindex` (time-index.ts).
// Writes are positional (`size` is the only write position), reads are positional byte ranges, so
// reads run concurrently with appends and never see bytes past `size`.
import { join } from 'node:path';
import { ErrorCode, KafkaError, StorageError } from '../common/index.js';
import { BATCH_FIELD, BATCH_HEADER_SIZE, BATCH_OVERHEAD, type BatchHeader } from '../records/index.js';
import { storageFs, type StorageFile } from './file-system.js';
import { OffsetIndex } from './offset-index.js';
import { readFully, scanSegmentFile, type ScanResult } from './segment-scan.js';
import { HOT_TAIL_BYTES, HOT_TAIL_MS, syncIoAllowed, timedSyncCall } from './sync-io.js';
import { TimeIndex } from './time-index.js';

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const DELETED_SUFFIX = '.deleted';

export function segmentFileName(baseOffset: number, suffix: string): string {
  return String(baseOffset).padStart(20, '0') + suffix;
}

/** What the log knows of a batch it appends or scans (no record is decoded). */
export interface BatchInfo {
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  size: number;
}

/** A batch located in the segment file. */
export interface BatchLocation {
  position: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  size: number;
}

const PEEK_BYTES = 16 * 1024;

/** Gives the buffer a read of `length` bytes goes into (exactly `length` long). */
export type ReadAllocator = (length: number) => Buffer;

export class Segment {
  /** Committed bytes: everything below is whole batches. */
  size: number;
  /** Offset after the last batch; the base offset when empty. */
  nextOffset: number;
  /** Largest batch maxTimestamp in the segment, -1 when there is none. */
  maxTimestamp = -1;
  private offsetOfMaxTimestamp: number;
  /** maxTimestamp of the first batch, -1 when empty: appends measure segment.ms from it (as Kafka). */
  firstBatchTimestamp = -1;
  /** When the segment was created (or recovered): retention passes measure segment.ms from it. */
  createdAt: number;
  /** Last write (or the file's mtime): retention's fallback when no batch has a timestamp. */
  lastModified: number;
  /** Set once delete() started: cached positions in it are no longer valid. */
  deleted = false;
  /**
   * Bytes from the start known, in this process, to be whole batches with good CRCs and continuous
   * offsets: scanned by recover(), written by a leader append (its caller checked every CRC), or checked
   * by an earlier read. Reads below it skip the CRC pass (log-reader.ts).
   */
  verifiedBytes = 0;
  private bytesSinceIndexEntry = 0;
  private dirty = false;
  private syncing: Promise<void> | null = null;
  private reads = 0;
  private closing: (() => void) | null = null;
  /** performance.now() of the last append, for the hot-tail test. */
  private lastAppendAt = -Infinity;

  constructor(
    readonly dir: string,
    readonly baseOffset: number,
    private readonly fh: StorageFile,
    size: number,
    readonly offsetIndex: OffsetIndex,
    readonly timeIndex: TimeIndex,
    private readonly indexIntervalBytes: number,
    now: number,
  ) {
    this.size = size;
    this.nextOffset = baseOffset;
    this.offsetOfMaxTimestamp = baseOffset;
    this.createdAt = now;
    this.lastModified = now;
    const lastTime = timeIndex.last();
    if (lastTime !== undefined) {
      this.maxTimestamp = lastTime.timestamp;
      this.offsetOfMaxTimestamp = lastTime.offset;
    }
  }

  /** A new, empty segment (replacing leftovers of the same name). */
  static async create(dir: string, baseOffset: number, indexIntervalBytes: number, now: number): Promise<Segment> {
    const fh = await storageFs().open(join(dir, segmentFileName(baseOffset, LOG_SUFFIX)), 'w+');
    const offsetIndex = await OffsetIndex.create(join(dir, segmentFileName(baseOffset, INDEX_SUFFIX)), baseOffset);
    const timeIndex = await TimeIndex.create(join(dir, segmentFileName(baseOffset, TIME_INDEX_SUFFIX)), baseOffset);
    return new Segment(dir, baseOffset, fh, 0, offsetIndex, timeIndex, indexIntervalBytes, now);
  }

  get logPath(): string {
    return join(this.dir, segmentFileName(this.baseOffset, LOG_SUFFIX));
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** How long the segment has been open for segment.ms, as seen by an append carrying
   *  `incomingTimestamp`: batch time against the first batch's time (client clocks, like Kafka), or
   *  wall-clock time since creation when timestamps are unknown. */
  timeWaitedForRoll(now: number, incomingTimestamp: number): number {
    if (this.firstBatchTimestamp >= 0 && incomingTimestamp >= 0) return incomingTimestamp - this.firstBatchTimestamp;
    return now - this.createdAt;
  }

  /** The largest timestamp for retention: the newest batch timestamp, else the last write time. */
  get largestTimestamp(): number {
    return this.maxTimestamp >= 0 ? this.maxTimestamp : this.lastModified;
  }

  /** Writes batches (whole buffers, back to back) at the end and indexes them. `batches` describes them
   *  in order; `verified`: every batch's CRC was checked before (not so for a follower's). */
  async append(buffers: Buffer[], batches: BatchInfo[], now: number, verified: boolean): Promise<void> {
    const start = this.size;
    let total = 0;
    for (const b of buffers) total += b.length;
    await writeAllv(this.fh, buffers, start, total);
    this.dirty = true;
    let position = start;
    for (const batch of batches) {
      this.indexBatch(batch, position);
      position += batch.size;
    }
    this.size = start + total;
    this.lastModified = now;
    this.lastAppendAt = performance.now();
    if (verified) this.markVerified(start, this.size);
  }

  /** [from, to) holds valid batches: grows verifiedBytes when the range continues it. */
  markVerified(from: number, to: number): void {
    if (from <= this.verifiedBytes && to > this.verifiedBytes) this.verifiedBytes = Math.min(to, this.size);
  }

  /** Adds a batch (already in the file at `position`) to the in-memory state and the sparse indexes. */
  indexBatch(batch: BatchInfo, position: number): void {
    if (position === 0) this.firstBatchTimestamp = batch.maxTimestamp;
    if (batch.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = batch.maxTimestamp;
      this.offsetOfMaxTimestamp = batch.baseOffset;
    }
    if (this.bytesSinceIndexEntry >= this.indexIntervalBytes && position > 0) {
      this.offsetIndex.append(batch.baseOffset, position);
      this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += batch.size;
    this.nextOffset = batch.lastOffset + 1;
  }

  /** Scans the file (CRC and offset continuity), rebuilds both indexes, and cuts the file after the
   *  last valid batch. Returns what the scan found; `dropped` bytes were removed. */
  async recover(onBatch?: (header: BatchHeader) => void): Promise<ScanResult & { dropped: number }> {
    const { size: fileSize } = await this.fh.stat();
    await this.offsetIndex.truncateTo(this.baseOffset);
    await this.timeIndex.truncateTo(this.baseOffset);
    this.size = 0;
    this.verifiedBytes = 0;
    this.nextOffset = this.baseOffset;
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = this.baseOffset;
    this.firstBatchTimestamp = -1;
    this.bytesSinceIndexEntry = 0;
    const result = await scanSegmentFile(this.fh, fileSize, this.baseOffset, (h: BatchHeader, position: number) => {
      this.indexBatch(toBatchInfo(h), position);
      onBatch?.(h);
    });
    this.size = result.validBytes;
    this.verifiedBytes = result.validBytes;
    // The file's birth time is not portable; the first batch's time is the best age estimate.
    if (this.firstBatchTimestamp >= 0 && this.firstBatchTimestamp <= this.createdAt) this.createdAt = this.firstBatchTimestamp;
    if (result.validBytes < fileSize) {
      await this.fh.truncate(result.validBytes);
      this.dirty = true;
    }
    return { ...result, dropped: fileSize - result.validBytes };
  }

  /** Removes every batch from the one containing `offset` on (a batch is never split). */
  async truncateTo(offset: number): Promise<void> {
    const found = await this.findBatch(offset);
    if (found === null) return;
    await this.fh.truncate(found.position);
    await this.recover();
  }

  /** The first batch whose lastOffset >= offset (the one containing it), or null past the end. */
  async findBatch(offset: number): Promise<BatchLocation | null> {
    return this.walk(this.offsetIndex.lookup(offset), (b) => b.lastOffset >= offset);
  }

  /** The first batch whose maxTimestamp >= timestamp, or null. */
  async findByTimestamp(timestamp: number): Promise<BatchLocation | null> {
    if (this.maxTimestamp < timestamp) return null;
    const entry = this.timeIndex.lookup(timestamp);
    const start = entry === undefined ? { offset: this.baseOffset, position: 0 } : this.offsetIndex.lookup(entry.offset);
    return this.walk(start, (b) => b.maxTimestamp >= timestamp);
  }

  /** Walks batch headers from `start` (a batch start and its offset, from the index) to the first that
   *  matches. Each header must continue the offsets of the one before: the CRC does not cover
   *  baseOffset or batchLength, and a segment below the recovery point was not rescanned on open. */
  private async walk(start: { offset: number; position: number }, match: (b: BatchLocation) => boolean): Promise<BatchLocation | null> {
    const end = this.size;
    let pos = start.position;
    let expected = start.offset;
    while (pos < end) {
      const chunk = await this.read(pos, Math.min(PEEK_BYTES, end - pos));
      let p = 0;
      while (p + BATCH_HEADER_SIZE <= chunk.length) {
        const loc = locate(chunk, p, pos + p);
        if (loc.baseOffset !== expected || loc.size < BATCH_HEADER_SIZE || loc.lastOffset < loc.baseOffset) {
          throw new KafkaError(
            ErrorCode.KAFKA_STORAGE_ERROR,
            `corrupt batch header at byte ${loc.position} of ${this.logPath}: baseOffset ${loc.baseOffset}, expected ${expected}, size ${loc.size}`,
          );
        }
        expected = loc.lastOffset + 1;
        if (match(loc)) return loc;
        p += loc.size;
      }
      if (p === 0) throw new StorageError(`${this.logPath}: no whole batch header at byte ${pos}`);
      pos += p;
    }
    return null;
  }

  /** Reads `length` bytes at `position` with one positional read, into a buffer from `alloc` (a
   *  fetch's pooled buffers) or a new one. */
  async read(position: number, length: number, alloc: ReadAllocator = Buffer.allocUnsafe): Promise<Buffer> {
    const buf = alloc(length);
    this.reads++;
    try {
      await readFully(this.fh, buf, position, this.isHotTail(position, length));
    } catch (err) {
      // Retention or DeleteRecords removed the segment under this read: the data is gone.
      if (this.deleted) throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `segment ${this.logPath} was deleted`, { cause: err });
      throw err;
    } finally {
      this.reads--;
      if (this.reads === 0 && this.closing !== null) this.closing();
    }
    return buf;
  }

  /** Whether a read may use the synchronous call (sync-io.ts): small, and in what was just appended. */
  private isHotTail(position: number, length: number): boolean {
    return syncIoAllowed(length) && position >= this.size - HOT_TAIL_BYTES && performance.now() - this.lastAppendAt <= HOT_TAIL_MS;
  }

  /** Whole batches from `position` (a batch start) to at most `end`, up to maxBytes but at least one
   *  batch; `alloc`: see read(). */
  async readBatches(position: number, end: number, maxBytes: number, alloc?: ReadAllocator): Promise<Buffer> {
    const available = end - position;
    if (available <= 0) return Buffer.alloc(0);
    let buf = await this.read(position, Math.min(available, Math.max(maxBytes, BATCH_OVERHEAD)), alloc);
    let whole = wholeBatchesLength(buf);
    if (whole === 0) {
      // The first batch alone is larger than maxBytes: return it whole (KIP-74).
      const size = BATCH_OVERHEAD + buf.readInt32BE(BATCH_FIELD.batchLength);
      // A length no batch can have (damaged on disk): hand back its header for the reader to reject.
      if (size < BATCH_HEADER_SIZE) return buf.subarray(0, Math.min(buf.length, BATCH_HEADER_SIZE));
      buf = await this.read(position, Math.min(size, available));
      whole = wholeBatchesLength(buf);
    }
    return buf.subarray(0, whole);
  }

  /** Writes the index entries and fsyncs the log file when `sync` and something was written;
   *  returns whether it fsynced. */
  async flush(sync: boolean): Promise<boolean> {
    await this.offsetIndex.flush(false);
    await this.timeIndex.flush(false);
    return sync ? this.syncData() : false;
  }

  /** fsyncs the log file (not the indexes) when something was written since the last sync; returns
   *  whether it did. Safe beside appends: it covers every write that completed before it started. A
   *  sync still running (the relaxed policy's, beside the queue) is waited for first: it already took
   *  the dirty flag, and returning before it completes would claim durability too early. */
  async syncData(): Promise<boolean> {
    while (this.syncing !== null) await this.syncing;
    if (!this.dirty) return false;
    this.dirty = false;
    this.syncing = this.fh.datasync().finally(() => (this.syncing = null));
    await this.syncing;
    return true;
  }

  /** The segment stops being active: record its largest timestamp and make everything durable. */
  async seal(): Promise<void> {
    if (this.maxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
    await this.flush(true);
    await this.offsetIndex.flush(true);
    await this.timeIndex.flush(true);
  }

  async close(): Promise<void> {
    await this.flush(false);
    await this.fh.close();
    await this.offsetIndex.close();
    await this.timeIndex.close();
  }

  /** Crash-safe deletion: rename the files to `.deleted` (recovery removes those), then close once no
   *  read is in flight and unlink. */
  async delete(): Promise<void> {
    await this.renameToDeleted();
    await this.discard();
  }

  private fileNames(): string[] {
    return [LOG_SUFFIX, INDEX_SUFFIX, TIME_INDEX_SUFFIX].map((s) => join(this.dir, segmentFileName(this.baseOffset, s)));
  }

  /** First half of delete(): marks the segment deleted and renames its files to `.deleted`. Reads in
   *  flight or started until discard() still work (the open handles survive the rename). */
  async renameToDeleted(): Promise<void> {
    this.deleted = true;
    for (const name of this.fileNames()) await renameIfExists(name, name + DELETED_SUFFIX);
  }

  /** Second half of delete(): closes once no read is in flight, then unlinks the `.deleted` files.
   *  Compaction calls it after a new segment took this one's file names. */
  async discard(): Promise<void> {
    this.deleted = true;
    if (this.reads > 0) await new Promise<void>((resolve) => (this.closing = resolve));
    await this.fh.close();
    await this.offsetIndex.close();
    await this.timeIndex.close();
    for (const name of this.fileNames()) await unlinkIfExists(name + DELETED_SUFFIX);
  }
}

export function toBatchInfo(h: BatchHeader): BatchInfo {
  return {
    baseOffset: h.baseOffset,
    lastOffset: h.baseOffset + h.lastOffsetDelta,
    maxTimestamp: h.maxTimestamp,
    size: BATCH_OVERHEAD + h.batchLength,
  };
}

/** Reads the fields of the batch header at `p` in `buf` that locating needs (no CRC check). */
function locate(buf: Buffer, p: number, position: number): BatchLocation {
  const baseOffset = Number(buf.readBigInt64BE(p + BATCH_FIELD.baseOffset));
  return {
    position,
    baseOffset,
    lastOffset: baseOffset + buf.readInt32BE(p + BATCH_FIELD.lastOffsetDelta),
    maxTimestamp: Number(buf.readBigInt64BE(p + BATCH_FIELD.maxTimestamp)),
    size: BATCH_OVERHEAD + buf.readInt32BE(p + BATCH_FIELD.batchLength),
  };
}

/** Length of the whole batches at the start of `buf`. */
function wholeBatchesLength(buf: Buffer): number {
  let p = 0;
  while (p + BATCH_OVERHEAD <= buf.length) {
    const size = BATCH_OVERHEAD + buf.readInt32BE(p + BATCH_FIELD.batchLength);
    // A damaged length (negative or too small) must not walk backwards or stall: stop, and let the
    // reader's CRC check reject what follows.
    if (size < BATCH_HEADER_SIZE || p + size > buf.length) break;
    p += size;
  }
  return p;
}

/** Writes every byte of `buffers` at `position`; a small write with the synchronous call (sync-io.ts). */
async function writeAllv(fh: StorageFile, buffers: Buffer[], position: number, total: number): Promise<void> {
  let written = 0;
  let pending = buffers;
  while (written < total) {
    const { writevSync } = fh;
    const bytesWritten =
      writevSync !== undefined && syncIoAllowed(total - written)
        ? timedSyncCall(() => writevSync.call(fh, pending, position + written))
        : (await fh.writev(pending, position + written)).bytesWritten;
    if (bytesWritten <= 0) throw new StorageError('write made no progress');
    written += bytesWritten;
    if (written < total) pending = skipBytes(pending, bytesWritten);
  }
}

function skipBytes(buffers: Buffer[], n: number): Buffer[] {
  const out: Buffer[] = [];
  let skip = n;
  for (const b of buffers) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    out.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return out;
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await storageFs().rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

export async function unlinkIfExists(path: string): Promise<void> {
  try {
    await storageFs().unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
