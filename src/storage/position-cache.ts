// Remembers where recent reads and appends ended (offset -> segment, byte position), so that a
// consumer fetching sequentially is served with one positional read and no index lookup or header walk.
import type { Segment } from './segment.js';

const CAPACITY = 256;

export interface CachedPosition {
  segment: Segment;
  position: number;
}

export class PositionCache {
  private readonly map = new Map<number, CachedPosition>();

  get(offset: number): CachedPosition | undefined {
    return this.map.get(offset);
  }

  remember(offset: number, segment: Segment, position: number): void {
    this.map.delete(offset);
    this.map.set(offset, { segment, position });
    if (this.map.size > CAPACITY) {
      const oldest = this.map.keys().next();
      if (oldest.done !== true) this.map.delete(oldest.value);
    }
  }

  forget(segment: Segment): void {
    for (const [offset, entry] of this.map) if (entry.segment === segment) this.map.delete(offset);
  }

  clear(): void {
    this.map.clear();
  }
}
