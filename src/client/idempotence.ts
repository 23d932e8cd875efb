// The idempotent producer's identity and sequence numbers. The broker keeps, per partition and producer
// id, the last batches' sequence ranges: a batch resent with the same producerId/epoch/baseSequence
// (a retry whose answer was lost) is not stored twice, and a gap is refused (OUT_OF_ORDER_SEQUENCE_NUMBER).
// So a batch gets its sequence once, when it is first encoded for sending, and every retry resends those
// same bytes; the next batch of the partition starts where it ended (advanced by its record count,
// wrapping from 2^31 - 1 to 0 as in Kafka).
//
// A batch that fails for good may or may not have been stored, and the sequences after it would leave
// a gap: the identity is then dropped and a new producer id fetched before the next batch is encoded
// (all partitions restart at sequence 0 under it). Batches already encoded keep their old id and
// sequence, which the broker still accepts in order when they continue what it stored; the ones it
// refuses as out of sequence (they were behind the lost batch, so not stored) are encoded again under
// the new id and resent in their order (producer.ts holds a partition's newer batches back meanwhile).
import { ConnectionError, ErrorCode, KafkaError, errorMessage } from '../common/index.js';
import { InitProducerId } from '../protocol/index.js';
import { advanceSequence } from '../records/index.js';
import type { BatchProducerFields } from './batch-writer.js';
import type { KafkaClient } from './client.js';
import { kafkaError } from './kafka-errors.js';

/** Batches per partition an idempotent producer may have in flight: the broker remembers each producer's
 *  last 5 batches (storage/producer-state.ts, Kafka's value), so any of them resent is found a duplicate. */
export const MAX_IDEMPOTENT_IN_FLIGHT = 5;
/** InitProducerId attempts before the records waiting for it fail. */
const INIT_ATTEMPTS = 10;

export interface ProducerIdentity {
  producerId: bigint;
  producerEpoch: number;
}

export class Idempotence {
  private identity: ProducerIdentity | null = null;
  private drops = 0;
  private initializing: Promise<void> | null = null;
  /** Per partition (keyed by the accumulator's queue object), the next batch's baseSequence. */
  private readonly sequences = new Map<object, number>();
  /** The producer id each encoded batch carries. */
  private readonly sequenced = new WeakMap<object, bigint>();

  constructor(
    private readonly client: KafkaClient,
    private readonly retryBackoffMs: number,
  ) {}

  get current(): ProducerIdentity | null {
    return this.identity;
  }

  /**
   * Fetches a producer id (InitProducerId, transactionalId null) unless one is known or being fetched.
   * Retries COORDINATOR_NOT_AVAILABLE, other retriable errors and lost connections with backoff.
   */
  ensure(): Promise<void> {
    if (this.identity !== null) return Promise.resolve();
    this.initializing ??= this.init().finally(() => (this.initializing = null));
    return this.initializing;
  }

  /** The header fields of `batch` of `partition`, holding `count` records; advances the partition's sequence. */
  assign(partition: object, batch: object, count: number): BatchProducerFields {
    const identity = this.identity;
    if (identity === null) throw new Error('idempotent producer: batch encoded before InitProducerId');
    const baseSequence = this.sequences.get(partition) ?? 0;
    this.sequences.set(partition, advanceSequence(baseSequence, count));
    this.sequenced.set(batch, identity.producerId);
    return { producerId: identity.producerId, producerEpoch: identity.producerEpoch, baseSequence };
  }

  /** Whether `batch` was encoded under a producer id that has been dropped since. */
  isStale(batch: object): boolean {
    const id = this.sequenced.get(batch);
    return id !== undefined && id !== this.identity?.producerId;
  }

  /** Whether any id was dropped yet (until then no batch can be stale). */
  get dropped(): boolean {
    return this.drops > 0;
  }

  /** A batch failed for good: if it carries the current id, its sequences are lost, so the id is dropped. */
  batchFailed(batch: object): void {
    const id = this.sequenced.get(batch);
    if (id === undefined || this.identity === null || id !== this.identity.producerId) return;
    this.identity = null;
    this.drops++;
    this.sequences.clear();
  }

  private async init(): Promise<void> {
    let lastError: Error = new Error('InitProducerId was not attempted');
    for (let attempt = 0; attempt < INIT_ATTEMPTS; attempt++) {
      if (attempt > 0) await sleep(Math.min(this.retryBackoffMs * 2 ** (attempt - 1), 2_000));
      try {
        const conn = await this.client.bootstrapConnection();
        const res = await this.client.request(conn, InitProducerId, { transactionalId: null, transactionTimeoutMs: 60_000 });
        if (res.errorCode === ErrorCode.NONE) {
          this.identity = { producerId: res.producerId, producerEpoch: res.producerEpoch };
          this.sequences.clear();
          return;
        }
        const error = kafkaError(res.errorCode, 'InitProducerId');
        if (!error.retriable && res.errorCode !== ErrorCode.COORDINATOR_NOT_AVAILABLE) throw error;
        lastError = error;
      } catch (err) {
        if (err instanceof KafkaError && !err.retriable) throw err;
        if (!(err instanceof ConnectionError) && !(err instanceof KafkaError)) throw err;
        lastError = err;
      }
      this.client.logger.debug('retrying InitProducerId', { attempt: attempt + 1, error: errorMessage(lastError) });
    }
    throw lastError;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
