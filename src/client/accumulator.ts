// RecordAccumulator: the producer's per-partition queues of record batches. It decides where a record
// goes (the partition's open batch, or a new one when that is sealed or full) and which batches are ready
// to send: sealed (full), lingered long enough, or flushed. Sending and outcomes are the Producer's job.
import type { RecordInput } from '../records/index.js';
import type { RecordMetadata } from './producer.js';

export interface Delivery {
  resolve(m: RecordMetadata): void;
  reject(e: Error): void;
}

export interface Batch {
  records: RecordInput[];
  deliveries: Delivery[];
  /** Estimated uncompressed size of the records. */
  bytes: number;
  createdAt: number;
  /** No more records join a sealed batch (full, or taken for sending). */
  sealed: boolean;
  attempts: number;
  retryAt: number;
  /** The encoded batch, kept so that retries resend the same bytes. */
  built: Promise<Buffer> | null;
}

export interface PartitionQueue {
  topic: string;
  partition: number;
  /** Oldest first; the head is the one sent next (or in flight). */
  batches: Batch[];
  inFlight: boolean;
}

export class RecordAccumulator {
  /** Bytes of records in every batch not yet completed. */
  bufferedBytes = 0;
  private readonly queues = new Map<string, PartitionQueue>();
  private readonly batchBytes: number;
  private readonly lingerMs: number;
  private readonly onSeal: (q: PartitionQueue) => void;

  /** onSeal: told when a partition's batch closes (the sticky partitioner moves on). */
  constructor(options: { batchBytes: number; lingerMs: number; onSeal: (q: PartitionQueue) => void }) {
    this.batchBytes = options.batchBytes;
    this.lingerMs = options.lingerMs;
    this.onSeal = options.onSeal;
  }

  /** Adds a record; returns its batch (sealed at once when that filled it). */
  append(topic: string, partition: number, record: RecordInput, size: number, delivery: Delivery): Batch {
    const q = this.queue(topic, partition);
    let batch = q.batches[q.batches.length - 1];
    if (batch === undefined || batch.sealed || batch.bytes + size > this.batchBytes) {
      if (batch !== undefined && !batch.sealed) this.seal(q, batch);
      batch = { records: [], deliveries: [], bytes: 0, createdAt: Date.now(), sealed: false, attempts: 0, retryAt: 0, built: null };
      q.batches.push(batch);
    }
    batch.records.push(record);
    batch.deliveries.push(delivery);
    batch.bytes += size;
    this.bufferedBytes += size;
    if (batch.bytes >= this.batchBytes) this.seal(q, batch);
    return batch;
  }

  seal(q: PartitionQueue, batch: Batch): void {
    if (batch.sealed) return;
    batch.sealed = true;
    this.onSeal(q);
  }

  /**
   * The head batch of every idle partition that is ready at `now` (all of them when flushing), and the
   * earliest time a waiting batch becomes ready (linger or retry backoff), or Infinity.
   */
  ready(now: number, flushing: boolean): { ready: { q: PartitionQueue; batch: Batch }[]; wakeAt: number } {
    const ready: { q: PartitionQueue; batch: Batch }[] = [];
    let wakeAt = Infinity;
    for (const q of this.queues.values()) {
      const batch = q.batches[0];
      if (q.inFlight || batch === undefined) continue;
      if (batch.retryAt > now) {
        wakeAt = Math.min(wakeAt, batch.retryAt);
      } else if (batch.sealed || q.batches.length > 1 || flushing || now - batch.createdAt >= this.lingerMs) {
        ready.push({ q, batch });
      } else {
        wakeAt = Math.min(wakeAt, batch.createdAt + this.lingerMs);
      }
    }
    return { ready, wakeAt };
  }

  /** Drops a completed (acknowledged or failed) batch. */
  remove(q: PartitionQueue, batch: Batch): void {
    const i = q.batches.indexOf(batch);
    if (i >= 0) q.batches.splice(i, 1);
    this.bufferedBytes -= batch.bytes;
  }

  private queue(topic: string, partition: number): PartitionQueue {
    const key = `${partition}:${topic}`;
    let q = this.queues.get(key);
    if (q === undefined) {
      q = { topic, partition, batches: [], inFlight: false };
      this.queues.set(key, q);
    }
    return q;
  }
}
