// Idempotent producers, per partition: for each producer id its epoch and the last 5 batches it
// appended (sequence range, offsets, timestamp). The leader checks every batch with a producer id
// against it before appending (Kafka's ProducerStateManager rules, kept simple):
//   - producerId < 0 (kafkajs sends -1 with epoch 0 and baseSequence 0 when not idempotent): no check;
//   - epoch older than the known one → INVALID_PRODUCER_EPOCH (fenced);
//   - epoch newer than the known one, or an unknown producer → the sequence must start at 0;
//   - same sequence range as one of the last 5 batches → duplicate: not appended, answered with the
//     original offsets (the producer retried a batch whose answer it lost);
//   - baseSequence right after the last batch's lastSequence → appended;
//   - anything else → OUT_OF_ORDER_SEQUENCE_NUMBER.
// Sequences wrap from 2^31 - 1 to 0, as in Kafka. Followers record batches without checking, so a
// new leader knows the producers. The state is rebuilt on open from batch headers (log.ts, snapshot in
// producer-snapshot.ts); nothing here touches the disk.
import { ErrorCode, KafkaError } from '../common/index.js';
import { BATCH_FIELD, advanceSequence } from '../records/index.js';

const CONTROL_FLAG = 0x20;

/** How many batches per producer are remembered for duplicate detection (Kafka's value, and the
 *  most in-flight requests an idempotent producer may have). */
export const PRODUCER_BATCHES_KEPT = 5;

export interface ProducerBatch {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  timestamp: number;
}

export interface ProducerEntry {
  producerId: bigint;
  epoch: number;
  /** Oldest first, at most PRODUCER_BATCHES_KEPT. */
  batches: ProducerBatch[];
}

/** The producer fields of a batch header, plus what offset assignment needs. */
export interface ProducerBatchHeader {
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  lastOffsetDelta: number;
}

/** lastSequence of a batch: baseSequence + lastOffsetDelta, wrapping past int32 max to 0. */
export function lastSequenceOf(baseSequence: number, lastOffsetDelta: number): number {
  return advanceSequence(baseSequence, lastOffsetDelta);
}

function nextSequence(lastSeq: number): number {
  return advanceSequence(lastSeq, 1);
}

export class ProducerStateManager {
  private readonly producers = new Map<bigint, ProducerEntry>();

  get size(): number {
    return this.producers.size;
  }

  entry(producerId: bigint): ProducerEntry | undefined {
    return this.producers.get(producerId);
  }

  entries(): ProducerEntry[] {
    return [...this.producers.values()];
  }

  /**
   * Checks a batch about to be appended by the leader. Returns null when it must be appended, the
   * original batch when it is a duplicate; throws KafkaError (INVALID_PRODUCER_EPOCH or
   * OUT_OF_ORDER_SEQUENCE_NUMBER) when it must be refused.
   */
  check(h: ProducerBatchHeader): ProducerBatch | null {
    if (h.producerId < 0n) return null;
    const entry = this.producers.get(h.producerId);
    const what = `producer ${h.producerId} epoch ${h.producerEpoch} baseSequence ${h.baseSequence}`;
    if (entry !== undefined && h.producerEpoch < entry.epoch) {
      throw new KafkaError(ErrorCode.INVALID_PRODUCER_EPOCH, `${what}: fenced by epoch ${entry.epoch}`);
    }
    if (entry === undefined || h.producerEpoch > entry.epoch || entry.batches.length === 0) {
      if (h.baseSequence === 0) return null;
      throw new KafkaError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `${what}: expected sequence 0 for a new producer or epoch`);
    }
    const lastSeq = lastSequenceOf(h.baseSequence, h.lastOffsetDelta);
    const duplicate = entry.batches.find((b) => b.firstSeq === h.baseSequence && b.lastSeq === lastSeq);
    if (duplicate !== undefined) return duplicate;
    const expected = nextSequence(entry.batches[entry.batches.length - 1]!.lastSeq);
    if (h.baseSequence !== expected) {
      throw new KafkaError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `${what}: expected sequence ${expected}`);
    }
    return null;
  }

  /**
   * check() for the batches of one append: only the first batch of each producer is checked against
   * the state, the next ones must continue it (same epoch, next sequence). Returns the original batch
   * when the append is a duplicate (its first producer batch is), else null.
   */
  checkAppend(headers: readonly ProducerBatchHeader[]): ProducerBatch | null {
    const previous = new Map<bigint, ProducerBatchHeader>();
    let duplicate: ProducerBatch | null = null;
    for (const h of headers) {
      if (h.producerId < 0n) continue;
      const before = previous.get(h.producerId);
      previous.set(h.producerId, h);
      if (before === undefined) {
        const found = this.check(h);
        if (found !== null && duplicate === null) duplicate = found;
        continue;
      }
      const expected = nextSequence(lastSequenceOf(before.baseSequence, before.lastOffsetDelta));
      if (h.producerEpoch !== before.producerEpoch || h.baseSequence !== expected) {
        throw new KafkaError(
          ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          `producer ${h.producerId}: batch with epoch ${h.producerEpoch} baseSequence ${h.baseSequence} does not continue the previous batch of the request`,
        );
      }
    }
    return duplicate;
  }

  /** Records an appended batch (leader after check(), follower and recovery without it). */
  update(h: ProducerBatchHeader, firstOffset: number, timestamp: number): void {
    if (h.producerId < 0n) return;
    let entry = this.producers.get(h.producerId);
    if (entry === undefined || h.producerEpoch !== entry.epoch) {
      // A newer epoch starts afresh; an older one only reaches here from a follower or recovery
      // replaying what the leader accepted, which never happens after a newer epoch.
      entry = { producerId: h.producerId, epoch: h.producerEpoch, batches: [] };
      this.producers.set(h.producerId, entry);
    }
    entry.batches.push({
      firstSeq: h.baseSequence,
      lastSeq: lastSequenceOf(h.baseSequence, h.lastOffsetDelta),
      firstOffset,
      lastOffset: firstOffset + h.lastOffsetDelta,
      timestamp,
    });
    if (entry.batches.length > PRODUCER_BATCHES_KEPT) entry.batches.shift();
  }

  /** Forgets the producers whose newest batch's timestamp is below `before` (Kafka's
   *  producer.id.expiration.ms): a producer that comes back later starts as a new one. Returns how many. */
  expire(before: number): number {
    let expired = 0;
    for (const [id, entry] of this.producers) {
      const newest = entry.batches[entry.batches.length - 1];
      if (newest === undefined || newest.timestamp < before) {
        this.producers.delete(id);
        expired++;
      }
    }
    return expired;
  }

  /** Truncation: forgets the batches at or after `offset`, and producers left without any. */
  truncateFrom(offset: number): void {
    for (const [id, entry] of this.producers) {
      entry.batches = entry.batches.filter((b) => b.lastOffset < offset);
      if (entry.batches.length === 0) this.producers.delete(id);
    }
  }

  /** Replaces the whole state (snapshot load). */
  load(entries: readonly ProducerEntry[]): void {
    this.producers.clear();
    for (const e of entries) this.producers.set(e.producerId, { producerId: e.producerId, epoch: e.epoch, batches: e.batches.slice(-PRODUCER_BATCHES_KEPT) });
  }
}

/** The producer fields of the batch at `position` (header layout: records/record-batch.ts); control
 *  batches (transaction markers) count as no producer. */
export function producerBatchHeader(buf: Buffer, position: number): ProducerBatchHeader {
  const control = (buf.readInt16BE(position + BATCH_FIELD.attributes) & CONTROL_FLAG) !== 0;
  return {
    producerId: control ? -1n : buf.readBigInt64BE(position + BATCH_FIELD.producerId),
    producerEpoch: buf.readInt16BE(position + BATCH_FIELD.producerEpoch),
    baseSequence: buf.readInt32BE(position + BATCH_FIELD.baseSequence),
    lastOffsetDelta: buf.readInt32BE(position + BATCH_FIELD.lastOffsetDelta),
  };
}
