// Sparse time index of one segment, file `%020d.timeindex`. Each entry is 12 bytes, big-endian:
//   int64 timestamp        the largest batch maxTimestamp seen so far in the segment (strictly increasing)
//   int32 relativeOffset   baseOffset of the first batch that reached that timestamp, minus the segment's
//                          base offset (non-decreasing)
// So every batch before an entry's offset has maxTimestamp < the entry's timestamp: a search for the
// first batch with maxTimestamp >= T may start at the largest entry whose timestamp <= T.
// Entries are added alongside offset-index entries (when the maximum grew) and once more when the
// segment stops being active, so the last entry holds the segment's largest timestamp (retention uses it).
import { StorageError } from '../common/index.js';
import { IndexFile, SegmentIndex } from './index-file.js';

export const TIME_INDEX_ENTRY_SIZE = 12;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

/** Checks a time index's entries; returns a reason when they cannot be trusted. */
export function checkTimeIndex(entries: Buffer): string | undefined {
  if (entries.length % TIME_INDEX_ENTRY_SIZE !== 0) return 'size is not a multiple of 12';
  let lastTs = -Infinity;
  let lastRel = -1;
  for (let at = 0; at < entries.length; at += TIME_INDEX_ENTRY_SIZE) {
    const ts = Number(entries.readBigInt64BE(at));
    const rel = entries.readInt32BE(at + 8);
    if (ts <= lastTs) return `entry ${at / 12}: timestamp ${ts} does not increase`;
    if (rel < lastRel || rel < 0) return `entry ${at / 12}: relative offset ${rel} goes backwards`;
    lastTs = ts;
    lastRel = rel;
  }
  return undefined;
}

export class TimeIndex extends SegmentIndex<TimestampOffset> {
  /** Loads an existing time index; throws StorageError when it is torn or inconsistent. */
  static async load(path: string, baseOffset: number): Promise<TimeIndex> {
    return new TimeIndex(baseOffset, await IndexFile.load(path, TIME_INDEX_ENTRY_SIZE, checkTimeIndex));
  }

  /** A new, empty index (replacing any file at `path`). */
  static async create(path: string, baseOffset: number): Promise<TimeIndex> {
    return new TimeIndex(baseOffset, await IndexFile.create(path, TIME_INDEX_ENTRY_SIZE));
  }

  /** Adds (timestamp, offset) when timestamp is larger than the last entry's; otherwise does nothing. */
  maybeAppend(timestamp: number, offset: number): void {
    const last = this.last();
    if (last !== undefined && timestamp <= last.timestamp) return;
    if (last !== undefined && offset < last.offset) {
      throw new StorageError(`time index: offset ${offset} goes back from ${last.offset}`);
    }
    const rel = offset - this.baseOffset;
    if (rel < 0 || rel > 0x7fffffff) throw new StorageError(`time index: offset ${offset} out of segment range`);
    const at = this.file.push();
    const view = this.file.view();
    view.writeBigInt64BE(BigInt(timestamp), at);
    view.writeInt32BE(rel, at + 8);
  }

  /** The largest entry whose timestamp is <= target, or undefined when every entry is later. */
  lookup(target: number): TimestampOffset | undefined {
    let lo = 0;
    let hi = this.file.entries - 1;
    let found: TimestampOffset | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const entry = this.entryAt(mid);
      if (entry.timestamp <= target) {
        found = entry;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  protected entryAt(i: number): TimestampOffset {
    const view = this.file.view();
    const at = i * TIME_INDEX_ENTRY_SIZE;
    return { timestamp: Number(view.readBigInt64BE(at)), offset: this.baseOffset + view.readInt32BE(at + 8) };
  }
}
