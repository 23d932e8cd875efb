// Producer: accumulates records into one batch per partition (encoded as they arrive), sends all ready
// partitions of a broker in one ProduceRequest, and reports each record's offset (baseOffset + index in
// batch) to its send() promise or produce() callback.
//
// Ordering: by default at most one request per partition is in flight, so a retried batch can never land
// behind a later one; up to maxInFlight requests (for different partitions) are pipelined per connection.
// maxInFlightPerPartition > 1 pipelines a partition's batches too (the broker applies a connection's
// requests in order), at Kafka's documented price without idempotence: a batch retried after an error
// may land behind the batches sent after it. With retries: 0 there is no such reordering.
// While a partition's batches are in flight, its next records accumulate into the following batch.
// A batch is ready when full (batchBytes), when lingerMs has passed since its first record, or on flush.
// A full batch is sent at once, within the caller's turn, so the broker works while the caller fills
// the next one; a response sends the next ready batches before more records are admitted.
//
// Idempotence (option idempotent, requires acks=-1; on by default with it, as in Kafka 3): before the
// first batch is sent the producer gets a producer id (InitProducerId); each batch carries it with a
// per-partition sequence, assigned when the batch is first encoded, so a retry resends the same bytes
// and the broker stores it once (idempotence.ts). Up to 5 batches per partition are in flight (the
// broker remembers each producer's last 5 batches). Order survives retries: when a batch fails, the
// ones sent after it are refused with OUT_OF_ORDER_SEQUENCE_NUMBER (their sequence does not follow the
// log's), and that refusal is retried while an earlier batch of the partition is unacknowledged; the
// queue resends them in sequence order, behind it. After a batch failed for good (the producer id is
// then replaced), the refused ones are encoded again under the new id.
import { ConnectionError, ErrorCode, KafkaError, UsageError, errorMessage } from '../common/index.js';
import { Produce, type ProduceRequest, type ProduceResponse } from '../protocol/index.js';
import type { CompressionType, RecordHeader } from '../records/index.js';
import { RecordAccumulator, type Batch, type DeliveryCallback, type DeliveryTarget, type PartitionQueue } from './accumulator.js';
import { NO_PRODUCER } from './batch-writer.js';
import type { KafkaClient, TopicMetadata } from './client.js';
import type { KafkaConnection } from './connection.js';
import { kafkaError, needsMetadataRefresh } from './kafka-errors.js';
import { Idempotence, MAX_IDEMPOTENT_IN_FLIGHT } from './idempotence.js';
import { DefaultPartitioner } from './partitioner.js';

export interface ProducerOptions {
  /** 0 = no response, 1 = leader, -1 = all in-sync replicas (default). */
  acks?: 0 | 1 | -1;
  compression?: CompressionType;
  lingerMs?: number;
  /** A batch is sent once its records reach this size (estimated, uncompressed). */
  batchBytes?: number;
  /** Retries of a batch after retriable errors (lost connection, leader moved...). */
  retries?: number;
  retryBackoffMs?: number;
  /** Requests in flight per broker connection. */
  maxInFlight?: number;
  /**
   * Batches of one partition in flight at once (default 1, or 5 when idempotent). Without idempotence,
   * above 1 with retries > 0 a retried batch may be stored after later ones: raise it only when that
   * order does not matter. Idempotent producers keep the order with up to 5.
   */
  maxInFlightPerPartition?: number;
  /** send() waits while this many bytes of records are buffered or in flight (backpressure). */
  bufferBytes?: number;
  /** Upper bound on one ProduceRequest's record bytes (at least one batch is always sent). */
  maxRequestBytes?: number;
  /** The broker's wait for acks=-1 replication (ProduceRequest.timeoutMs). */
  requestTimeoutMs?: number;
  /** Metadata requests from the producer ask the broker to create missing topics. */
  autoCreateTopics?: boolean;
  /**
   * Producer id and per-partition sequence numbers in every batch, so that retries are stored once
   * (Kafka's enable.idempotence). Requires acks=-1 and maxInFlightPerPartition <= 5. Default: on when
   * acks is -1 and maxInFlightPerPartition (if given) is at most 5, as in Kafka 3; false turns it off.
   */
  idempotent?: boolean;
}

export interface ProducerRecord {
  topic: string;
  partition?: number;
  key?: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  timestamp?: number;
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** -1 with acks=0 (the broker does not answer). */
  offset: number;
  timestamp: number;
}

interface SentRequest {
  items: { q: PartitionQueue; batch: Batch }[];
  outcome: { response: ProduceResponse | null; error: Error | null } | null;
}

/** Record overhead inside a batch (length, attributes, deltas, key/value lengths, header count). */
const RECORD_OVERHEAD = 21;

export class Producer {
  private readonly client: KafkaClient;
  private readonly acks: 0 | 1 | -1;
  private readonly compression: CompressionType;
  private readonly lingerMs: number;
  private readonly retries: number;
  private readonly retryBackoffMs: number;
  private readonly maxInFlight: number;
  private readonly connections = new Map<number, KafkaConnection>();
  /** Per node, the last request still waiting (for compression or a connection) to be written. */
  private readonly unwritten = new Map<number, Promise<void>>();
  private readonly bufferBytes: number;
  private readonly maxRequestBytes: number;
  private readonly requestTimeoutMs: number;
  private readonly autoCreateTopics: boolean;
  private readonly partitioner = new DefaultPartitioner();
  private readonly accumulator: RecordAccumulator;
  private readonly topics = new Map<string, TopicMetadata>();
  private readonly refreshing = new Map<string, Promise<TopicMetadata>>();
  private readonly inFlightByNode = new Map<number, number>();
  /** Per node, the requests sent and not yet completed, in send order. */
  private readonly sentByNode = new Map<number, SentRequest[]>();
  private capacityWaiter: (() => void) | null = null;
  private outstanding = 0;
  private idleWaiters: (() => void)[] = [];
  private intakeTail: Promise<void> = Promise.resolve();
  private intakePending = 0;
  private flushing = 0;
  private drainScheduled = false;
  private draining = false;
  /** A batch filled up (possibly an earlier one, when a record did not fit): worth draining now. */
  private sealedSinceDrain = false;
  private drainAgain = false;
  private wakeTimer: NodeJS.Timeout | null = null;
  private wakeAt = Infinity;
  private closed = false;
  /** Set when idempotent. */
  private readonly idempotence: Idempotence | null;
  /** InitProducerId failed for good: the batches ready at the next drain fail with it. */
  private initFailure: Error | null = null;

  constructor(client: KafkaClient, options: ProducerOptions = {}) {
    this.client = client;
    this.acks = options.acks ?? -1;
    // As in Kafka 3: idempotent unless asked otherwise, when acks=-1 and at most 5 batches in flight.
    const idempotent = options.idempotent ?? (this.acks === -1 && (options.maxInFlightPerPartition ?? 1) <= MAX_IDEMPOTENT_IN_FLIGHT);
    const maxInFlightPerPartition = Math.max(1, options.maxInFlightPerPartition ?? (idempotent ? MAX_IDEMPOTENT_IN_FLIGHT : 1));
    if (idempotent) {
      if (this.acks !== -1) throw new UsageError(`an idempotent producer needs acks=-1 (all), got acks=${this.acks}`);
      // The broker detects duplicates among a producer's last 5 batches: a retry beyond them could be stored twice.
      if (maxInFlightPerPartition > MAX_IDEMPOTENT_IN_FLIGHT) {
        throw new UsageError(`an idempotent producer sends at most ${MAX_IDEMPOTENT_IN_FLIGHT} batches per partition at a time (maxInFlightPerPartition ${maxInFlightPerPartition})`);
      }
    }
    this.compression = options.compression ?? 'none';
    this.lingerMs = options.lingerMs ?? 5;
    this.retries = options.retries ?? 5;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.maxInFlight = options.maxInFlight ?? 5;
    this.bufferBytes = options.bufferBytes ?? 32 * 1024 * 1024;
    this.maxRequestBytes = options.maxRequestBytes ?? 8 * 1024 * 1024;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.autoCreateTopics = options.autoCreateTopics ?? true;
    this.idempotence = idempotent ? new Idempotence(client, this.retryBackoffMs) : null;
    this.accumulator = new RecordAccumulator({
      batchBytes: options.batchBytes ?? 1024 * 1024,
      lingerMs: this.lingerMs,
      maxInFlightPerPartition,
      onSeal: (q) => {
        const meta = this.topics.get(q.topic);
        if (meta !== undefined) this.partitioner.batchSealed(q.topic, q.partition, meta.partitions.length);
        this.sealedSinceDrain = true;
      },
    });
  }

  /** Queues a record; resolves when the broker acknowledged it (or at once with acks=0 once written). */
  send(record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise<RecordMetadata>((resolve, reject) => {
      void this.admit(record, { resolve, reject });
    });
  }

  /**
   * The fast path for streams of records: queues `record` with no promise per record, and calls
   * `onDelivery` exactly once with its outcome (without it, the outcome is not reported; flush() still
   * waits for it). Returns undefined when the record was taken at once, or a promise to await before the
   * next call when it waits for buffer space or its topic's metadata (backpressure).
   */
  produce(record: ProducerRecord, onDelivery?: DeliveryCallback): Promise<void> | undefined {
    return this.admit(record, onDelivery ?? null);
  }

  /**
   * Like send(), but resolves as soon as the record is buffered, waiting while the buffer is full: a
   * stream producer awaits this for backpressure and watches `delivery` for the outcome.
   */
  async enqueue(record: ProducerRecord): Promise<{ delivery: Promise<RecordMetadata> }> {
    let admitted: Promise<void> | undefined;
    const delivery = new Promise<RecordMetadata>((resolve, reject) => {
      admitted = this.admit(record, { resolve, reject });
    });
    // Marks the promise handled so that a caller who only collects failures later gets no
    // unhandled-rejection crash in between; awaiting `delivery` still sees the error.
    delivery.catch(() => undefined);
    await admitted;
    return { delivery };
  }

  /** Resolves when every record sent so far has been acknowledged or has failed. */
  async flush(): Promise<void> {
    this.flushing++;
    try {
      await this.intakeTail;
      this.scheduleDrain();
      if (this.outstanding > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    } finally {
      this.flushing--;
    }
  }

  /** Flushes, then refuses further records. The client stays open (it belongs to the caller). */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.wakeTimer !== null) clearTimeout(this.wakeTimer);
  }

  /** Bytes of records buffered or in flight. */
  get buffered(): number {
    return this.accumulator.bufferedBytes;
  }

  private admit(record: ProducerRecord, delivery: DeliveryTarget): Promise<void> | undefined {
    if (this.closed) {
      report(delivery, new KafkaError(ErrorCode.NETWORK_EXCEPTION, 'the producer is closed'));
      return undefined;
    }
    this.outstanding++;
    const size = recordSize(record);
    // Fast path: nothing queued ahead, topic known, room in the buffer.
    const meta = this.topics.get(record.topic);
    if (this.intakePending === 0 && meta !== undefined && this.hasRoom(size)) {
      this.append(record, size, delivery, meta);
      return undefined;
    }
    // Slow path, in arrival order: records wait for their topic's metadata and for buffer space.
    this.intakePending++;
    const done = this.intakeTail.then(async () => {
      try {
        const topic = this.topics.get(record.topic) ?? (await this.refreshTopic(record.topic));
        while (!this.hasRoom(size)) await new Promise<void>((resolve) => (this.capacityWaiter = resolve));
        this.append(record, size, delivery, topic);
      } catch (err) {
        this.finish(delivery, asError(err));
      } finally {
        this.intakePending--;
      }
    });
    this.intakeTail = done;
    return done;
  }

  private hasRoom(size: number): boolean {
    const buffered = this.accumulator.bufferedBytes;
    return buffered === 0 || buffered + size <= this.bufferBytes;
  }

  private append(record: ProducerRecord, size: number, delivery: DeliveryTarget, meta: TopicMetadata): void {
    const numPartitions = meta.partitions.length;
    const partition = record.partition ?? this.partitioner.partition(record.topic, record.key, numPartitions);
    if (!Number.isInteger(partition) || partition < 0 || partition >= numPartitions) {
      this.finish(
        delivery,
        kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic "${record.topic}" has no partition ${partition} (it has ${numPartitions})`),
      );
      return;
    }
    const timestamp = record.timestamp ?? Date.now();
    if (!Number.isSafeInteger(timestamp)) {
      this.finish(delivery, new RangeError(`record timestamp must be an integer (ms), got ${timestamp}`));
      return;
    }
    const batch = this.accumulator.append(record.topic, partition, record.key ?? null, record.value, record.headers, timestamp, size, delivery);
    if (this.sealedSinceDrain) this.drain();
    else if (this.lingerMs <= 0 || this.flushing > 0) this.scheduleDrain();
    else this.wakeAtTime(batch.createdAt + this.lingerMs);
  }

  private refreshTopic(topic: string): Promise<TopicMetadata> {
    let p = this.refreshing.get(topic);
    if (p === undefined) {
      p = this.client
        .topicMetadata(topic, { autoCreate: this.autoCreateTopics, refresh: true })
        .then((meta) => {
          this.topics.set(topic, meta);
          return meta;
        })
        .finally(() => {
          this.refreshing.delete(topic);
          this.scheduleDrain();
        });
      this.refreshing.set(topic, p);
    }
    return p;
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    // setImmediate (not a microtask) lets records sent in the same turn join the batch first.
    setImmediate(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  private wakeAtTime(at: number): void {
    if (at >= this.wakeAt) return;
    if (this.wakeTimer !== null) clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.wakeAt = Infinity;
      this.drain();
    }, Math.max(0, at - Date.now()));
  }

  /**
   * Sends every ready batch, grouped per leader, within the in-flight limits. Runs synchronously (from a
   * sealing append or a response) so a full batch goes out before the caller refills the buffer; a
   * call made while it runs (from a delivery callback) makes it loop once more instead of nesting.
   */
  private drain(): void {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = true;
    try {
      do {
        this.drainAgain = false;
        this.drainOnce();
      } while (this.drainAgain);
    } finally {
      this.draining = false;
    }
  }

  private drainOnce(): void {
    this.sealedSinceDrain = false;
    const { ready, wakeAt } = this.accumulator.ready(Date.now(), this.flushing > 0, this.staleInFlight);
    if (wakeAt < Infinity) this.wakeAtTime(wakeAt);
    if (ready.length > 0 && this.idempotence !== null && this.idempotence.current === null) {
      this.awaitProducerId(ready);
      return;
    }
    const byNode = new Map<number, { q: PartitionQueue; batch: Batch }[]>();
    for (const item of ready) {
      const { q, batch } = item;
      const leader = this.topics.get(q.topic)?.partitions.find((p) => p.partition === q.partition)?.leader ?? -1;
      if (leader < 0) {
        this.retryLater(q, batch, kafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `produce to ${q.topic}/${q.partition}`), true);
        continue;
      }
      const list = byNode.get(leader);
      if (list === undefined) byNode.set(leader, [item]);
      else list.push(item);
    }
    for (const [nodeId, items] of byNode) {
      let i = 0;
      while (i < items.length && (this.inFlightByNode.get(nodeId) ?? 0) < this.maxInFlight) {
        const request: { q: PartitionQueue; batch: Batch }[] = [];
        let bytes = 0;
        while (i < items.length) {
          const item = items[i] as { q: PartitionQueue; batch: Batch };
          if (request.length > 0 && bytes + item.batch.bytes > this.maxRequestBytes) break;
          request.push(item);
          bytes += item.batch.bytes;
          i++;
        }
        for (const { q, batch } of request) {
          q.inFlight++;
          batch.inFlight = true;
          this.accumulator.seal(q, batch);
        }
        this.inFlightByNode.set(nodeId, (this.inFlightByNode.get(nodeId) ?? 0) + 1);
        this.sendRequest(nodeId, request);
      }
    }
  }

  /**
   * Writes the request at once when its batches are encoded, the connection is open and no earlier
   * request to the node is still waiting; else after those. Requests to a node are written in the order
   * they were made, so pipelined batches of a partition are stored in order.
   */
  private sendRequest(nodeId: number, items: { q: PartitionQueue; batch: Batch }[]): void {
    let response: Promise<ProduceResponse | null>;
    try {
      const built = items.map(
        ({ q, batch }) =>
          (batch.built ??= batch.writer.finish(this.compression, this.idempotence?.assign(q, batch, batch.writer.count) ?? NO_PRODUCER)),
      );
      const conn = this.connections.get(nodeId);
      const before = this.unwritten.get(nodeId);
      if (before === undefined && conn !== undefined && !conn.isClosed && built.every((b): b is Buffer => Buffer.isBuffer(b))) {
        response = this.transmit(conn, items, built);
      } else {
        let written!: () => void;
        const mine = new Promise<void>((resolve) => (written = resolve));
        this.unwritten.set(nodeId, mine);
        response = (before ?? Promise.resolve()).then(async () => {
          try {
            const buffers = await Promise.all(built);
            const opened = await this.client.connectionFor(nodeId);
            this.connections.set(nodeId, opened);
            return this.transmit(opened, items, buffers);
          } finally {
            // Runs once transmit() has written the request (or failed): the next request may go.
            if (this.unwritten.get(nodeId) === mine) this.unwritten.delete(nodeId);
            written();
          }
        });
      }
    } catch (err) {
      response = Promise.reject(asError(err));
    }
    // Settled in the order sent: a request that went through the `unwritten` chain settles some
    // microtasks later than one written at once, and a partition's delivery reports (and the idempotent
    // retry rules) must follow its batches' order.
    const request: SentRequest = { items, outcome: null };
    let queue = this.sentByNode.get(nodeId);
    if (queue === undefined) this.sentByNode.set(nodeId, (queue = []));
    queue.push(request);
    const settle = (outcome: SentRequest['outcome']): void => {
      request.outcome = outcome;
      while (queue.length > 0 && queue[0]!.outcome !== null) {
        const done = queue.shift()!;
        this.complete(nodeId, done.items, done.outcome!.response, done.outcome!.error);
      }
    };
    response.then(
      (res) => settle({ response: res, error: null }),
      (err: unknown) => settle({ response: null, error: asError(err) }),
    );
  }

  private transmit(conn: KafkaConnection, items: { q: PartitionQueue; batch: Batch }[], buffers: Buffer[]): Promise<ProduceResponse | null> {
    const topicData = new Map<string, ProduceRequest['topicData'][number]>();
    items.forEach(({ q }, i) => {
      let t = topicData.get(q.topic);
      if (t === undefined) topicData.set(q.topic, (t = { name: q.topic, partitionData: [] }));
      t.partitionData.push({ index: q.partition, records: buffers[i] ?? null });
    });
    const request: ProduceRequest = { transactionalId: null, acks: this.acks, timeoutMs: this.requestTimeoutMs, topicData: [...topicData.values()] };
    const version = this.client.versionFor(conn, Produce);
    if (this.acks === 0) return conn.sendNoResponse(Produce, version, request).then(() => null);
    return conn.send(Produce, version, request, { timeoutMs: this.requestTimeoutMs + this.client.requestTimeoutMs });
  }

  /** Settles a request's batches, then sends what became ready before admitted records refill the buffer. */
  private complete(nodeId: number, items: { q: PartitionQueue; batch: Batch }[], response: ProduceResponse | null, error: Error | null): void {
    this.inFlightByNode.set(nodeId, (this.inFlightByNode.get(nodeId) ?? 1) - 1);
    for (const { q, batch } of items) {
      q.inFlight--;
      batch.inFlight = false;
    }
    if (error !== null) {
      // A lost connection or timed-out request may or may not have been applied; retrying may duplicate.
      const retriable = error instanceof ConnectionError || (error instanceof KafkaError && error.retriable);
      for (const { q, batch } of items) {
        // A lost broker may mean a new leader elsewhere (cluster fail-over): refresh on connection errors.
        if (retriable) this.retryLater(q, batch, error, error instanceof ConnectionError);
        else this.fail(q, batch, error);
      }
    } else {
      for (const { q, batch } of items) this.settle(q, batch, response);
    }
    this.drain();
  }

  private settle(q: PartitionQueue, batch: Batch, response: ProduceResponse | null): void {
    if (response === null) {
      this.succeed(q, batch, -1, -1);
      return;
    }
    const p = response.responses.find((t) => t.name === q.topic)?.partitionResponses.find((x) => x.index === q.partition);
    if (p === undefined) {
      this.fail(q, batch, kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `produce to ${q.topic}/${q.partition}: no answer for the partition`));
    } else if (p.errorCode === ErrorCode.NONE) {
      this.succeed(q, batch, Number(p.baseOffset), Number(p.logAppendTimeMs));
    } else {
      const error = kafkaError(p.errorCode, `produce to ${q.topic}/${q.partition}`);
      if (p.errorCode === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && this.idempotence !== null) this.resendOutOfSequence(this.idempotence, q, batch, error);
      else if (error.retriable) this.retryLater(q, batch, error, needsMetadataRefresh(p.errorCode));
      else this.fail(q, batch, error);
    }
  }

  /**
   * An idempotent batch refused as out of sequence was not stored, so it always goes again:
   * - behind an unacknowledged batch of its partition (one that failed first): with the same sequence,
   *   after that one;
   * - at the head of its partition: the broker no longer knows this producer (its id expired, or the log
   *   was truncated), so the id is replaced, as Kafka's producer does on UNKNOWN_PRODUCER_ID;
   * - encoded under a replaced id (then or after an earlier batch failed for good): encoded again under
   *   the new one when it goes out next.
   */
  private resendOutOfSequence(idempotence: Idempotence, q: PartitionQueue, batch: Batch, error: Error): void {
    if (q.batches[0] === batch) idempotence.batchFailed(batch);
    if (idempotence.isStale(batch)) batch.built = null;
    this.retryLater(q, batch, error, false);
  }

  /** ready()'s hold: while batches encoded under a dropped producer id are in flight, a partition sends
   *  nothing under the new id, which the broker would store ahead of them once they are resent. */
  private readonly staleInFlight = (q: PartitionQueue): boolean => {
    const idempotence = this.idempotence;
    if (idempotence === null || !idempotence.dropped || q.inFlight === 0) return false;
    return q.batches.some((b) => b.inFlight && idempotence.isStale(b));
  };

  private retryLater(q: PartitionQueue, batch: Batch, error: Error, refreshMetadata: boolean): void {
    batch.attempts++;
    if (batch.attempts > this.retries) {
      this.fail(q, batch, error);
      return;
    }
    this.client.logger.debug('retrying produce', { topic: q.topic, partition: q.partition, attempt: batch.attempts, error: errorMessage(error) });
    batch.retryAt = Date.now() + Math.min(this.retryBackoffMs * 2 ** (batch.attempts - 1), 5_000);
    if (refreshMetadata) {
      this.client.invalidateTopic(q.topic);
      this.refreshTopic(q.topic).catch((err: unknown) =>
        this.client.logger.debug('metadata refresh failed', { topic: q.topic, error: errorMessage(err) }),
      );
    }
    this.wakeAtTime(batch.retryAt);
  }

  private succeed(q: PartitionQueue, batch: Batch, baseOffset: number, logAppendTime: number): void {
    this.remove(q, batch);
    const { deliveries } = batch;
    const { timestamps } = batch.writer;
    for (let i = 0; i < deliveries.length; i++) {
      const d = deliveries[i] ?? null;
      if (d === null) continue;
      const timestamp = logAppendTime >= 0 ? logAppendTime : (timestamps[i] ?? -1);
      report(d, { topic: q.topic, partition: q.partition, offset: baseOffset < 0 ? -1 : baseOffset + i, timestamp });
    }
    // Answered: its request was written whole, nothing refers to the bytes. (A failed batch's buffer is
    // left to the garbage collector: a request with it may still wait in a socket's queue.)
    batch.writer.release();
    this.settled(deliveries.length);
  }

  /**
   * No producer id yet: fetches one and drains again; if that fails for good, the batches that were
   * ready fail with the error (the next ready batches try again).
   */
  private awaitProducerId(ready: { q: PartitionQueue; batch: Batch }[]): void {
    const failure = this.initFailure;
    if (failure !== null) {
      this.initFailure = null;
      for (const { q, batch } of ready) this.fail(q, batch, failure);
      return;
    }
    this.idempotence?.ensure().then(
      () => this.drain(),
      (err: unknown) => {
        this.initFailure = asError(err);
        this.drain();
      },
    );
  }

  private fail(q: PartitionQueue, batch: Batch, error: Error): void {
    this.idempotence?.batchFailed(batch);
    this.remove(q, batch);
    for (const d of batch.deliveries) report(d, error);
    this.settled(batch.deliveries.length);
  }

  private remove(q: PartitionQueue, batch: Batch): void {
    this.accumulator.remove(q, batch);
    // The waiter continues in a microtask: after the caller of remove() has sent what became ready.
    const waiter = this.capacityWaiter;
    this.capacityWaiter = null;
    waiter?.();
  }

  /** One record that never reached a batch. */
  private finish(delivery: DeliveryTarget, outcome: Error): void {
    report(delivery, outcome);
    this.settled(1);
  }

  private settled(records: number): void {
    this.outstanding -= records;
    if (this.outstanding === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}

/** Tells a record's caller its outcome; a throwing callback is rethrown later, not in our bookkeeping. */
function report(delivery: DeliveryTarget, outcome: RecordMetadata | Error): void {
  if (delivery === null) return;
  if (typeof delivery === 'function') {
    try {
      if (outcome instanceof Error) delivery(outcome, null);
      else delivery(null, outcome);
    } catch (err) {
      queueMicrotask(() => {
        throw err;
      });
    }
  } else if (outcome instanceof Error) delivery.reject(outcome);
  else delivery.resolve(outcome);
}

function recordSize(record: ProducerRecord): number {
  let size = RECORD_OVERHEAD + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const h of record.headers ?? []) size += Buffer.byteLength(h.key) + (h.value?.length ?? 0) + 4;
  return size;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
