// Time- and size-based retention (cleanup.policy=delete) and segment.ms rolls, one pass per log.
// Whole segments only, oldest first, never the active segment; a segment goes when its newest
// timestamp is older than retention.ms, or while the partition is larger than retention.bytes
// without it. Deletion itself is crash-safe (Segment.delete: rename to `.deleted`, then unlink).
import type { Log } from './log.js';

/** Rolls the active segment if segment.ms passed, then deletes what retention allows; returns the
 *  number of segments deleted. */
export async function applyRetention(log: Log, now: number): Promise<number> {
  await log.rollIfDue(now);
  const config = log.config;
  if (!config.cleanupPolicy.split(',').includes('delete')) return 0;
  let deleted = 0;
  if (config.retentionMs >= 0) {
    deleted += await log.deleteOldestSegments(
      (segment) => now - segment.largestTimestamp > config.retentionMs,
      `retention.ms ${config.retentionMs} breached`,
    );
  }
  if (config.retentionBytes >= 0) {
    // Measured when the deletion runs in the write queue, not when it was requested.
    let excess: number | undefined;
    deleted += await log.deleteOldestSegments((segment) => {
      excess ??= log.size - config.retentionBytes;
      if (excess - segment.size < 0) return false;
      excess -= segment.size;
      return true;
    }, `retention.bytes ${config.retentionBytes} breached`);
  }
  return deleted;
}
