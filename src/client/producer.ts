// Producer: accumulates records into one batch per partition, sends all ready partitions of a broker in
// one ProduceRequest, and resolves each record's promise with its offset (baseOffset + index in batch).
//
// Ordering: at most one request per partition is in flight, so a retried batch can never land behind a
// later one; up to maxInFlight requests (for different partitions) are pipelined per connection.
// While a partition's batch is in flight, its next records accumulate into the following batch.
// A batch is ready when full (batchBytes), when lingerMs has passed since its first record, or on flush.
import { ConnectionError, ErrorCode, KafkaError, errorMessage } from '../common/index.js';
import { Produce, type ProduceRequest, type ProduceResponse } from '../protocol/index.js';
import { buildRecordBatch, type CompressionType, type RecordHeader } from '../records/index.js';
import { RecordAccumulator, type Batch, type Delivery, type PartitionQueue } from './accumulator.js';
import type { KafkaClient, TopicMetadata } from './client.js';
import { kafkaError, needsMetadataRefresh } from './kafka-errors.js';
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
  /** send() waits while this many bytes of records are buffered or in flight (backpressure). */
  bufferBytes?: number;
  /** Upper bound on one ProduceRequest's record bytes (at least one batch is always sent). */
  maxRequestBytes?: number;
  /** The broker's wait for acks=-1 replication (ProduceRequest.timeoutMs). */
  requestTimeoutMs?: number;
  /** Metadata requests from the producer ask the broker to create missing topics. */
  autoCreateTopics?: boolean;
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
  private readonly bufferBytes: number;
  private readonly maxRequestBytes: number;
  private readonly requestTimeoutMs: number;
  private readonly autoCreateTopics: boolean;
  private readonly partitioner = new DefaultPartitioner();
  private readonly accumulator: RecordAccumulator;
  private readonly topics = new Map<string, TopicMetadata>();
  private readonly refreshing = new Map<string, Promise<TopicMetadata>>();
  private readonly inFlightByNode = new Map<number, number>();
  private capacityWaiter: (() => void) | null = null;
  private outstanding = 0;
  private idleWaiters: (() => void)[] = [];
  private intakeTail: Promise<void> = Promise.resolve();
  private intakePending = 0;
  private flushing = 0;
  private drainScheduled = false;
  private wakeTimer: NodeJS.Timeout | null = null;
  private wakeAt = Infinity;
  private closed = false;

  constructor(client: KafkaClient, options: ProducerOptions = {}) {
    this.client = client;
    this.acks = options.acks ?? -1;
    this.compression = options.compression ?? 'none';
    this.lingerMs = options.lingerMs ?? 5;
    this.retries = options.retries ?? 5;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.maxInFlight = options.maxInFlight ?? 5;
    this.bufferBytes = options.bufferBytes ?? 32 * 1024 * 1024;
    this.maxRequestBytes = options.maxRequestBytes ?? 8 * 1024 * 1024;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.autoCreateTopics = options.autoCreateTopics ?? true;
    this.accumulator = new RecordAccumulator({
      batchBytes: options.batchBytes ?? 1024 * 1024,
      lingerMs: this.lingerMs,
      onSeal: (q) => {
        const meta = this.topics.get(q.topic);
        if (meta !== undefined) this.partitioner.batchSealed(q.topic, q.partition, meta.partitions.length);
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

  private admit(record: ProducerRecord, delivery: Delivery): Promise<void> | undefined {
    if (this.closed) {
      delivery.reject(new KafkaError(ErrorCode.NETWORK_EXCEPTION, 'the producer is closed'));
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

  private append(record: ProducerRecord, size: number, delivery: Delivery, meta: TopicMetadata): void {
    const numPartitions = meta.partitions.length;
    const partition = record.partition ?? this.partitioner.partition(record.topic, record.key, numPartitions);
    if (!Number.isInteger(partition) || partition < 0 || partition >= numPartitions) {
      this.finish(
        delivery,
        kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic "${record.topic}" has no partition ${partition} (it has ${numPartitions})`),
      );
      return;
    }
    const batch = this.accumulator.append(
      record.topic,
      partition,
      { key: record.key ?? null, value: record.value, headers: record.headers ?? [], timestamp: record.timestamp ?? Date.now() },
      size,
      delivery,
    );
    if (batch.sealed || this.lingerMs <= 0 || this.flushing > 0) this.scheduleDrain();
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

  /** Sends every ready batch whose partition is idle, grouped per leader, within the in-flight limit. */
  private drain(): void {
    const { ready, wakeAt } = this.accumulator.ready(Date.now(), this.flushing > 0);
    if (wakeAt < Infinity) this.wakeAtTime(wakeAt);
    const byNode = new Map<number, { q: PartitionQueue; batch: Batch }[]>();
    for (const { q, batch } of ready) {
      const leader = this.topics.get(q.topic)?.partitions.find((p) => p.partition === q.partition)?.leader ?? -1;
      if (leader < 0) {
        this.retryLater(q, batch, kafkaError(ErrorCode.LEADER_NOT_AVAILABLE, `produce to ${q.topic}/${q.partition}`), true);
        continue;
      }
      byNode.set(leader, [...(byNode.get(leader) ?? []), { q, batch }]);
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
          q.inFlight = true;
          this.accumulator.seal(q, batch);
        }
        this.inFlightByNode.set(nodeId, (this.inFlightByNode.get(nodeId) ?? 0) + 1);
        void this.sendRequest(nodeId, request).finally(() => {
          this.inFlightByNode.set(nodeId, (this.inFlightByNode.get(nodeId) ?? 1) - 1);
          for (const { q } of request) q.inFlight = false;
          this.scheduleDrain();
        });
      }
    }
  }

  private async sendRequest(nodeId: number, items: { q: PartitionQueue; batch: Batch }[]): Promise<void> {
    let response: ProduceResponse | null = null;
    try {
      const buffers = await Promise.all(
        items.map(({ batch }) => (batch.built ??= buildRecordBatch(batch.records, { compression: this.compression }))),
      );
      const topicData = new Map<string, ProduceRequest['topicData'][number]>();
      items.forEach(({ q }, i) => {
        let t = topicData.get(q.topic);
        if (t === undefined) topicData.set(q.topic, (t = { name: q.topic, partitionData: [] }));
        t.partitionData.push({ index: q.partition, records: buffers[i] ?? null });
      });
      const request: ProduceRequest = { transactionalId: null, acks: this.acks, timeoutMs: this.requestTimeoutMs, topicData: [...topicData.values()] };
      const conn = await this.client.connectionFor(nodeId);
      const version = this.client.versionFor(conn, Produce);
      if (this.acks === 0) {
        await conn.sendNoResponse(Produce, version, request);
      } else {
        response = await conn.send(Produce, version, request, { timeoutMs: this.requestTimeoutMs + this.client.requestTimeoutMs });
      }
    } catch (err) {
      // A lost connection or timed-out request may or may not have been applied; retrying may duplicate.
      const error = asError(err);
      const retriable = error instanceof ConnectionError || (error instanceof KafkaError && error.retriable);
      for (const { q, batch } of items) {
        // A lost broker may mean a new leader elsewhere (cluster fail-over): refresh on connection errors.
        if (retriable) this.retryLater(q, batch, error, error instanceof ConnectionError);
        else this.fail(q, batch, error);
      }
      return;
    }
    for (const { q, batch } of items) {
      if (response === null) {
        this.succeed(q, batch, -1, -1);
        continue;
      }
      const p = response.responses
        .find((t) => t.name === q.topic)
        ?.partitionResponses.find((x) => x.index === q.partition);
      if (p === undefined) {
        this.fail(q, batch, kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `produce to ${q.topic}/${q.partition}: no answer for the partition`));
      } else if (p.errorCode === ErrorCode.NONE) {
        this.succeed(q, batch, Number(p.baseOffset), Number(p.logAppendTimeMs));
      } else {
        const error = kafkaError(p.errorCode, `produce to ${q.topic}/${q.partition}`);
        if (error.retriable) this.retryLater(q, batch, error, needsMetadataRefresh(p.errorCode));
        else this.fail(q, batch, error);
      }
    }
  }

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
    batch.deliveries.forEach((d, i) => {
      const timestamp = logAppendTime >= 0 ? logAppendTime : (batch.records[i]?.timestamp ?? -1);
      this.finish(d, { topic: q.topic, partition: q.partition, offset: baseOffset < 0 ? -1 : baseOffset + i, timestamp });
    });
  }

  private fail(q: PartitionQueue, batch: Batch, error: Error): void {
    this.remove(q, batch);
    for (const d of batch.deliveries) this.finish(d, error);
  }

  private remove(q: PartitionQueue, batch: Batch): void {
    this.accumulator.remove(q, batch);
    const waiter = this.capacityWaiter;
    this.capacityWaiter = null;
    waiter?.();
  }

  private finish(delivery: Delivery, outcome: RecordMetadata | Error): void {
    if (outcome instanceof Error) delivery.reject(outcome);
    else delivery.resolve(outcome);
    this.outstanding--;
    if (this.outstanding === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}

function recordSize(record: ProducerRecord): number {
  let size = RECORD_OVERHEAD + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const h of record.headers ?? []) size += Buffer.byteLength(h.key) + (h.value?.length ?? 0) + 4;
  return size;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
