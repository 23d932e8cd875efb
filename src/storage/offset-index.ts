// Sparse offset index of one segment, file `%020d.index`. Each entry is 8 bytes, big-endian:
//   int32 relativeOffset   baseOffset of a batch minus the segment's base offset (strictly increasing)
//   int32 position         byte position of that batch in the segment's `.log` file (strictly increasing)
// One entry per index.interval.bytes of batches; the first batch (position 0) has none, since a lookup
// that finds no entry starts at the segment's beginning. Lookup: the largest entry <= target, then the
// caller scans batch headers forward from its position.
import { StorageError } from '../common/index.js';
import { IndexFile, SegmentIndex } from './index-file.js';

export const OFFSET_INDEX_ENTRY_SIZE = 8;

export interface OffsetPosition {
  offset: number;
  position: number;
}

/** Checks an offset index's entries against its segment; returns a reason when they cannot be trusted. */
export function checkOffsetIndex(entries: Buffer, logSize: number): string | undefined {
  if (entries.length % OFFSET_INDEX_ENTRY_SIZE !== 0) return 'size is not a multiple of 8';
  let lastRel = -1;
  let lastPos = -1;
  for (let at = 0; at < entries.length; at += OFFSET_INDEX_ENTRY_SIZE) {
    const rel = entries.readInt32BE(at);
    const pos = entries.readInt32BE(at + 4);
    if (rel <= lastRel) return `entry ${at / 8}: relative offset ${rel} does not increase`;
    if (pos <= lastPos) return `entry ${at / 8}: position ${pos} does not increase`;
    if (pos >= logSize) return `entry ${at / 8}: position ${pos} is beyond the segment (${logSize} bytes)`;
    lastRel = rel;
    lastPos = pos;
  }
  return undefined;
}

export class OffsetIndex extends SegmentIndex<OffsetPosition> {
  /** Loads an existing index; throws StorageError when it is torn or inconsistent with a `logSize`-byte segment. */
  static async load(path: string, baseOffset: number, logSize: number): Promise<OffsetIndex> {
    return new OffsetIndex(baseOffset, await IndexFile.load(path, OFFSET_INDEX_ENTRY_SIZE, (entries) => checkOffsetIndex(entries, logSize)));
  }

  /** A new, empty index (replacing any file at `path`). */
  static async create(path: string, baseOffset: number): Promise<OffsetIndex> {
    return new OffsetIndex(baseOffset, await IndexFile.create(path, OFFSET_INDEX_ENTRY_SIZE));
  }

  /** Adds an entry for the batch starting at `offset`; both values must exceed the last entry's. */
  append(offset: number, position: number): void {
    const rel = offset - this.baseOffset;
    const last = this.last();
    if (last !== undefined && (offset <= last.offset || position <= last.position)) {
      throw new StorageError(`offset index: entry (${offset}, ${position}) does not follow (${last.offset}, ${last.position})`);
    }
    if (rel < 0 || rel > 0x7fffffff) throw new StorageError(`offset index: offset ${offset} out of segment range`);
    const at = this.file.push();
    const view = this.file.view();
    view.writeInt32BE(rel, at);
    view.writeInt32BE(position, at + 4);
  }

  /** The largest entry whose offset is <= target, or the segment start when there is none. */
  lookup(target: number): OffsetPosition {
    const rel = target - this.baseOffset;
    const view = this.file.view();
    let lo = 0;
    let hi = this.file.entries - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (view.readInt32BE(mid * OFFSET_INDEX_ENTRY_SIZE) <= rel) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? { offset: this.baseOffset, position: 0 } : this.entryAt(found);
  }

  protected entryAt(i: number): OffsetPosition {
    const view = this.file.view();
    const at = i * OFFSET_INDEX_ENTRY_SIZE;
    return { offset: this.baseOffset + view.readInt32BE(at), position: view.readInt32BE(at + 4) };
  }
}
