// The cleaner's key → latest offset map over the segments being compacted. Keys up to 64 bytes are
// stored as they are (one latin1 char per byte, so distinct keys stay distinct); longer keys by their
// 16-byte MD5, as Kafka's SkimpyOffsetMap does, which bounds memory per key (a collision would need
// two keys with the same MD5 in one partition).
import { createHash } from 'node:crypto';

const MAX_RAW_KEY_BYTES = 64;

export class OffsetMap {
  private readonly map = new Map<string, number>();

  private static id(key: Buffer): string {
    if (key.length <= MAX_RAW_KEY_BYTES) return 'r' + key.toString('latin1');
    return 'h' + createHash('md5').update(key).digest().toString('latin1');
  }

  /** Records `offset` for `key`; offsets are put in increasing order, so the last one wins. */
  put(key: Buffer, offset: number): void {
    this.map.set(OffsetMap.id(key), offset);
  }

  /** The latest offset of `key`, or undefined when the map has not seen it. */
  get(key: Buffer): number | undefined {
    return this.map.get(OffsetMap.id(key));
  }

  get size(): number {
    return this.map.size;
  }
}
