// Per-topic log settings (Kafka's topic config names in camelCase) and the broker-wide flush policy.

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';
export type MessageTimestampType = 'CreateTime' | 'LogAppendTime';

export interface LogConfig {
  /** segment.bytes: roll the active segment before it would grow past this size. */
  segmentBytes: number;
  /** segment.ms: roll the active segment once its first batch is this old, even if not full. */
  segmentMs: number;
  /** retention.ms: delete whole segments whose newest timestamp is older than this; -1 = forever. */
  retentionMs: number;
  /** retention.bytes: delete the oldest segments while the partition is larger than this; -1 = no limit. */
  retentionBytes: number;
  cleanupPolicy: CleanupPolicy;
  /** max.message.bytes: the largest batch (whole batch, with its 12-byte overhead) accepted. */
  maxMessageBytes: number;
  messageTimestampType: MessageTimestampType;
  /** index.interval.bytes: bytes of batches between two sparse offset-index entries. */
  indexIntervalBytes: number;
  /** delete.retention.ms: how long compaction keeps a tombstone (null value) that is the latest
   *  record of its key, counted from the record's timestamp (cleaner.ts); default one day. */
  deleteRetentionMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Kafka's defaults. */
export const DEFAULT_LOG_CONFIG: LogConfig = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * DAY_MS,
  retentionMs: 7 * DAY_MS,
  retentionBytes: -1,
  cleanupPolicy: 'delete',
  maxMessageBytes: 1048588,
  messageTimestampType: 'CreateTime',
  indexIntervalBytes: 4096,
  deleteRetentionMs: DAY_MS,
});

/**
 * When appended data is fsynced. flushIntervalMessages = 1 (the default) fsyncs every append,
 * group-committed, before it is acknowledged. Larger values acknowledge after the write to the page
 * cache and fsync once that many messages are unflushed or flushIntervalMs has passed (0 = no timer).
 */
export interface FlushPolicy {
  flushIntervalMessages: number;
  flushIntervalMs: number;
}

export const DEFAULT_FLUSH_POLICY: FlushPolicy = Object.freeze({ flushIntervalMessages: 1, flushIntervalMs: 0 });

/** Whether the policy asks for an fsync before every acknowledgement. */
export function fsyncBeforeAck(policy: FlushPolicy): boolean {
  return policy.flushIntervalMessages <= 1;
}
