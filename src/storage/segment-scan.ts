// Walks the batches of a segment file in large chunks (one positional read per chunk), validating each
// batch with records' scanBatches (size, magic, CRC-32C, counts) and checking offset continuity, which
// the CRC cannot: a batch's baseOffset must equal the previous batch's lastOffset + 1, and the first
// batch must start at the segment's base offset. Used by recovery and by truncation.
import type { StorageFile } from './file-system.js';
import { timedSyncCall } from './sync-io.js';
import { BATCH_FIELD, BATCH_OVERHEAD, MIN_BATCH_LENGTH, scanBatches, type BatchHeader } from '../records/index.js';

const CHUNK_BYTES = 8 * 1024 * 1024;

export interface ScanResult {
  /** Length of the valid prefix of the file. */
  validBytes: number;
  /** Offset after the last valid batch (the segment's base offset when there is none). */
  nextOffset: number;
  /** Why the scan stopped before the end of the file, if it did. */
  reason?: string;
}

export async function scanSegmentFile(
  fh: StorageFile,
  fileSize: number,
  baseOffset: number,
  onBatch: (header: BatchHeader, position: number) => void,
): Promise<ScanResult> {
  let pos = 0;
  let expected = baseOffset;
  let want = CHUNK_BYTES;
  while (pos < fileSize) {
    const len = Math.min(want, fileSize - pos);
    want = CHUNK_BYTES;
    const buf = Buffer.allocUnsafe(len);
    await readFully(fh, buf, pos);
    const found: { header: BatchHeader; position: number }[] = [];
    const scan = scanBatches(buf, (header, position) => found.push({ header, position }));
    for (const { header, position } of found) {
      if (header.baseOffset !== expected) {
        return {
          validBytes: pos + position,
          nextOffset: expected,
          reason: `batch at byte ${pos + position} has baseOffset ${header.baseOffset}, expected ${expected}`,
        };
      }
      onBatch(header, pos + position);
      expected = header.baseOffset + header.lastOffsetDelta + 1;
    }
    const at = pos + scan.validBytes;
    if (scan.validBytes === len) {
      pos = at;
      continue;
    }
    // The scan stopped inside this chunk: either a batch straddles the chunk's end (read on from it)
    // or the batch is really short or corrupt.
    const rest = len - scan.validBytes;
    if (pos + len < fileSize && rest >= BATCH_OVERHEAD) {
      const batchLength = buf.readInt32BE(scan.validBytes + BATCH_FIELD.batchLength);
      const size = BATCH_OVERHEAD + batchLength;
      if (batchLength >= MIN_BATCH_LENGTH && size > rest && at + size <= fileSize) {
        pos = at;
        want = Math.max(CHUNK_BYTES, size);
        continue;
      }
    } else if (pos + len < fileSize && scan.validBytes > 0) {
      pos = at;
      continue;
    }
    return { validBytes: at, nextOffset: expected, reason: scan.reason ?? 'invalid batch' };
  }
  return { validBytes: pos, nextOffset: expected };
}

/** Fills `buf` from `position`, with the file's synchronous read (timed, sync-io.ts) when `sync` and
 *  it has one; throws when the file is shorter. */
export async function readFully(fh: StorageFile, buf: Buffer, position: number, sync = false): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { readSync } = fh;
    const bytesRead =
      sync && readSync !== undefined
        ? timedSyncCall(() => readSync.call(fh, buf, done, buf.length - done, position + done))
        : (await fh.read(buf, done, buf.length - done, position + done)).bytesRead;
    if (bytesRead === 0) throw new Error(`unexpected end of file at ${position + done}`);
    done += bytesRead;
  }
}
