// Producer state snapshots: `%020d.snapshot` (Kafka's name; the number is the snapshot's offset), the
// idempotent producers' state as of that offset, i.e. built from every batch below it. Written when a
// segment rolls (offset = the new segment's base offset) and on clean close (offset = log end offset),
// atomically (`.tmp`, fsync, rename, fsync dir). On open the newest readable snapshot at or below the log
// end offset is loaded and the batch headers from its offset to the log end are replayed, so a producer
// whose last batch is in an older segment is still known after a restart. Without a readable snapshot
// every segment is replayed. Only the newest 2 snapshots are kept; truncation deletes those above the
// new log end.
//
// Bytes (big-endian):
//    0  version int16 = 1
//    2  crc uint32: CRC-32C of bytes 6..end
//    6  offset int64 (the same as the file name's)
//   14  producerCount int32
//   18  producerCount times:
//         producerId int64, epoch int16, batchCount int32 (1..5),
//         batchCount times, oldest first: firstSeq int32, lastSeq int32, firstOffset int64,
//         lastOffset int64, timestamp int64 (32 bytes)
import { join } from 'node:path';
import { errorMessage, type Logger } from '../common/index.js';
import { crc32c } from '../records/index.js';
import { writeFileAtomically } from './checkpoint.js';
import { storageFs } from './file-system.js';
import { PRODUCER_BATCHES_KEPT, type ProducerEntry, type ProducerStateManager } from './producer-state.js';
import { scanSegmentFile } from './segment-scan.js';
import type { Segment } from './segment.js';

export const SNAPSHOT_SUFFIX = '.snapshot';
const SNAPSHOT_FILE = /^(\d{20})\.snapshot$/;
const VERSION = 1;
const HEADER_BYTES = 18;
const PRODUCER_BYTES = 14;
const BATCH_BYTES = 32;
/** Snapshots kept per partition (the newest ones). */
export const SNAPSHOTS_KEPT = 2;

export function snapshotFileName(offset: number): string {
  return String(offset).padStart(20, '0') + SNAPSHOT_SUFFIX;
}

export function encodeProducerSnapshot(offset: number, entries: readonly ProducerEntry[]): Buffer {
  let size = HEADER_BYTES;
  for (const e of entries) size += PRODUCER_BYTES + BATCH_BYTES * e.batches.length;
  const buf = Buffer.alloc(size);
  buf.writeInt16BE(VERSION, 0);
  buf.writeBigInt64BE(BigInt(offset), 6);
  buf.writeInt32BE(entries.length, 14);
  let pos = HEADER_BYTES;
  for (const e of entries) {
    buf.writeBigInt64BE(e.producerId, pos);
    buf.writeInt16BE(e.epoch, pos + 8);
    buf.writeInt32BE(e.batches.length, pos + 10);
    pos += PRODUCER_BYTES;
    for (const b of e.batches) {
      buf.writeInt32BE(b.firstSeq, pos);
      buf.writeInt32BE(b.lastSeq, pos + 4);
      buf.writeBigInt64BE(BigInt(b.firstOffset), pos + 8);
      buf.writeBigInt64BE(BigInt(b.lastOffset), pos + 16);
      buf.writeBigInt64BE(BigInt(b.timestamp), pos + 24);
      pos += BATCH_BYTES;
    }
  }
  buf.writeUInt32BE(crc32c(buf.subarray(6)), 2);
  return buf;
}

/** The producers of a snapshot file's bytes; throws (with the reason) when they are not a valid snapshot of `offset`. */
export function decodeProducerSnapshot(buf: Buffer, offset: number): ProducerEntry[] {
  if (buf.length < HEADER_BYTES) throw new Error(`${buf.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  const version = buf.readInt16BE(0);
  if (version !== VERSION) throw new Error(`unknown version ${version}`);
  if (buf.readUInt32BE(2) !== crc32c(buf.subarray(6))) throw new Error('CRC mismatch');
  const stored = Number(buf.readBigInt64BE(6));
  if (stored !== offset) throw new Error(`holds offset ${stored}, its name says ${offset}`);
  const count = buf.readInt32BE(14);
  const entries: ProducerEntry[] = [];
  let pos = HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (pos + PRODUCER_BYTES > buf.length) throw new Error(`producer ${i} of ${count} is truncated`);
    const producerId = buf.readBigInt64BE(pos);
    const epoch = buf.readInt16BE(pos + 8);
    const batchCount = buf.readInt32BE(pos + 10);
    pos += PRODUCER_BYTES;
    if (batchCount < 1 || batchCount > PRODUCER_BATCHES_KEPT || pos + batchCount * BATCH_BYTES > buf.length) {
      throw new Error(`producer ${producerId} has an invalid batch count ${batchCount}`);
    }
    const batches = [];
    for (let j = 0; j < batchCount; j++, pos += BATCH_BYTES) {
      batches.push({
        firstSeq: buf.readInt32BE(pos),
        lastSeq: buf.readInt32BE(pos + 4),
        firstOffset: Number(buf.readBigInt64BE(pos + 8)),
        lastOffset: Number(buf.readBigInt64BE(pos + 16)),
        timestamp: Number(buf.readBigInt64BE(pos + 24)),
      });
    }
    entries.push({ producerId, epoch, batches });
  }
  if (pos !== buf.length) throw new Error(`${buf.length - pos} bytes left over`);
  return entries;
}

/** Offsets of the snapshot files in `dir`, ascending. */
export async function listSnapshots(dir: string): Promise<number[]> {
  const offsets: number[] = [];
  for (const e of await storageFs().readdir(dir)) {
    const m = SNAPSHOT_FILE.exec(e.name);
    if (m !== null) offsets.push(Number(m[1]));
  }
  return offsets.sort((a, b) => a - b);
}

/** Writes the snapshot of `offset` atomically, then deletes all but the newest SNAPSHOTS_KEPT. */
export async function writeProducerSnapshot(dir: string, offset: number, producers: ProducerStateManager): Promise<void> {
  await writeFileAtomically(join(dir, snapshotFileName(offset)), encodeProducerSnapshot(offset, producers.entries()));
  const offsets = await listSnapshots(dir);
  for (const old of offsets.slice(0, -SNAPSHOTS_KEPT)) await storageFs().unlink(join(dir, snapshotFileName(old)));
}

/** Truncation: snapshots of offsets above the new log end describe batches that are gone. */
export async function deleteSnapshotsAbove(dir: string, offset: number): Promise<void> {
  for (const o of await listSnapshots(dir)) if (o > offset) await storageFs().unlink(join(dir, snapshotFileName(o)));
}

/**
 * Rebuilds `producers` on open: the newest readable snapshot at or below `logEndOffset` (those above it
 * are deleted, unreadable ones skipped with a warning), then the batches from its offset to the end.
 */
export async function restoreProducerState(options: {
  dir: string;
  segments: readonly Segment[];
  logEndOffset: number;
  producers: ProducerStateManager;
  logger: Logger;
}): Promise<void> {
  const { dir, segments, logEndOffset, producers, logger } = options;
  await deleteSnapshotsAbove(dir, logEndOffset);
  let from = 0;
  for (const offset of (await listSnapshots(dir)).reverse()) {
    const path = join(dir, snapshotFileName(offset));
    try {
      producers.load(decodeProducerSnapshot(await storageFs().readFile(path), offset));
      from = offset;
      break;
    } catch (err) {
      logger.warn('ignoring unreadable producer state snapshot', { file: path, error: errorMessage(err) });
    }
  }
  for (const [i, segment] of segments.entries()) {
    const nextBase = segments[i + 1]?.baseOffset ?? Infinity;
    if (nextBase <= from || segment.baseOffset >= logEndOffset) continue;
    const fh = await storageFs().open(segment.logPath, 'r');
    try {
      await scanSegmentFile(fh, segment.size, segment.baseOffset, (h) => {
        if (h.baseOffset < from || h.baseOffset >= logEndOffset || h.producerId < 0n || h.isControl) return;
        producers.update(h, h.baseOffset, h.maxTimestamp);
      });
    } finally {
      await fh.close();
    }
  }
}
