// Consumer: a fetch loop over the partitions of one topic, from given start offsets, yielding records in
// offset order per partition. No group membership here: callers pick the offsets.
//
// Fetch returns whole batches starting with the one holding fetchOffset, so records below the requested
// offset are skipped; a response may end with a partial batch, which is dropped and fetched again. Only
// a batch larger than partitionMaxBytes yields nothing complete: then the limit grows for that partition.
// Batch framing read here (see records/record-batch.ts): int64 baseOffset @0, int32 batchLength @8
// (bytes after this field), int32 lastOffsetDelta @23.
import { ConnectionError, ErrorCode, KafkaError } from '../common/index.js';
import { Fetch, type FetchRequest, type FetchResponse } from '../protocol/index.js';
import { BATCH_FIELD, BATCH_OVERHEAD, decodeRecordBatches, type Record } from '../records/index.js';
import type { KafkaClient } from './client.js';
import type { KafkaConnection } from './connection.js';
import { kafkaError, needsMetadataRefresh, sleep } from './kafka-errors.js';

export interface ConsumerOptions {
  /** How long the broker may hold a fetch waiting for minBytes. */
  maxWaitMs?: number;
  minBytes?: number;
  maxBytes?: number;
  partitionMaxBytes?: number;
  /** 0 = read_uncommitted, 1 = read_committed. */
  isolationLevel?: 0 | 1;
  retryBackoffMs?: number;
  /** Consecutive failed fetch rounds (lost connection, moved leader) before giving up. */
  maxRetries?: number;
}

export interface ConsumeOptions {
  /** Per partition, the offset to stop before: a partition is done when its next offset reaches it. */
  untilOffsets?: Map<number, number>;
  signal?: AbortSignal;
}

export interface ConsumedRecord extends Record {
  topic: string;
  partition: number;
}

interface PartitionFetch {
  partition: number;
  errorCode: number;
  highWatermark: number;
  logStartOffset: number;
  records: Buffer | null;
}

export class Consumer {
  private readonly client: KafkaClient;
  private readonly maxWaitMs: number;
  private readonly minBytes: number;
  private readonly maxBytes: number;
  private readonly partitionMaxBytes: number;
  private readonly isolationLevel: 0 | 1;
  private readonly retryBackoffMs: number;
  private readonly maxRetries: number;

  constructor(client: KafkaClient, options: ConsumerOptions = {}) {
    this.client = client;
    this.maxWaitMs = options.maxWaitMs ?? 500;
    this.minBytes = options.minBytes ?? 1;
    this.maxBytes = options.maxBytes ?? 50 * 1024 * 1024;
    this.partitionMaxBytes = options.partitionMaxBytes ?? 1024 * 1024;
    this.isolationLevel = options.isolationLevel ?? 0;
    this.retryBackoffMs = options.retryBackoffMs ?? 100;
    this.maxRetries = options.maxRetries ?? 10;
  }

  /** Records one by one, in offset order per partition (built on consumeBatches). */
  async *consume(topic: string, start: Map<number, number>, options: ConsumeOptions = {}): AsyncGenerator<ConsumedRecord> {
    for await (const records of this.consumeBatches(topic, start, options)) {
      for (const record of records) {
        if (isAborted(options.signal)) return;
        yield record;
      }
    }
  }

  /**
   * The records of each partition's part of a fetch response as one array (never empty), in offset
   * order per partition. Cheaper than consume() when records come by the thousand: one await per array.
   */
  async *consumeBatches(topic: string, start: Map<number, number>, options: ConsumeOptions = {}): AsyncGenerator<ConsumedRecord[]> {
    const positions = new Map(start);
    const limits = new Map<number, number>();
    const meta = await this.client.topicMetadata(topic);
    for (const p of positions.keys()) {
      if (!meta.partitions.some((x) => x.partition === p)) {
        throw kafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic "${topic}" has no partition ${p} (it has ${meta.partitions.length})`);
      }
    }
    // Connections of this consume only: the broker answers a connection's requests in order, so a
    // shared connection would queue one consume's fetch behind another's long-poll.
    const connections = new Map<number, KafkaConnection>();
    try {
      yield* this.fetchLoop(topic, positions, limits, connections, options);
    } finally {
      // Nothing is awaited on them any more (an aborted long-poll may still be pending): no graceful close.
      for (const c of connections.values()) c.destroy();
    }
  }

  /**
   * Fetch rounds, pipelined while behind: once a response's complete batches are known, the positions
   * move past them and, when a partition still has records below its high watermark, the next round is
   * sent before these records are decoded and handed out, so the broker reads and sends the next chunk
   * while the caller works through this one. A consumer that caught up hands its records out first:
   * its next fetch would only wait for new records, and sending it first put a request write (~50 µs
   * here) into every tailing record's latency.
   */
  private async *fetchLoop(
    topic: string,
    positions: Map<number, number>,
    limits: Map<number, number>,
    connections: Map<number, KafkaConnection>,
    options: ConsumeOptions,
  ): AsyncGenerator<ConsumedRecord[]> {
    const { untilOffsets, signal } = options;
    const activePartitions = (): number[] =>
      [...positions.keys()]
        .filter((p) => {
          const stop = untilOffsets?.get(p);
          return stop === undefined || (positions.get(p) ?? 0) < stop;
        })
        .sort((a, b) => a - b);
    let failures = 0;
    let prefetched: Promise<PartitionFetch[]> | null = null;
    while (!isAborted(signal)) {
      let results: PartitionFetch[];
      try {
        if (prefetched !== null) {
          results = await prefetched;
        } else {
          const active = activePartitions();
          if (active.length === 0) return;
          results = await this.fetchRound(topic, active, positions, limits, connections, failures > 0, signal);
        }
      } catch (err) {
        if (isAborted(signal)) return;
        const retriable = err instanceof ConnectionError || (err instanceof KafkaError && err.retriable);
        if (!retriable || ++failures > this.maxRetries) throw err;
        this.client.invalidateTopic(topic);
        await sleep(this.backoff(failures), signal);
        continue;
      } finally {
        prefetched = null;
      }
      let retry = false;
      // Some partition still has records below its high watermark: worth asking before handing out.
      let behind = false;
      const ready: { partition: number; records: Buffer; from: number; stop: number | undefined }[] = [];
      for (const r of results) {
        const position = positions.get(r.partition) ?? 0;
        if (r.errorCode !== ErrorCode.NONE) {
          if (r.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
            const range = r.logStartOffset >= 0 ? ` (the log holds offsets ${r.logStartOffset} to ${r.highWatermark})` : '';
            throw kafkaError(r.errorCode, `fetch ${topic}/${r.partition} at offset ${position}${range}`);
          }
          if (!needsMetadataRefresh(r.errorCode) && !new KafkaError(r.errorCode).retriable) {
            throw kafkaError(r.errorCode, `fetch ${topic}/${r.partition}`);
          }
          retry = true;
          continue;
        }
        if (r.records === null || r.records.length === 0) continue;
        const { complete, lastOffset, neededBytes } = scanBatches(r.records);
        if (complete === 0) {
          this.grow(limits, r.partition, neededBytes, topic);
          continue;
        }
        const stop = untilOffsets?.get(r.partition);
        ready.push({ partition: r.partition, records: r.records.subarray(0, complete), from: position, stop });
        // Past the complete batches, also past offsets with no record left (compacted away, control batches).
        if (lastOffset + 1 > position) positions.set(r.partition, stop === undefined ? lastOffset + 1 : Math.min(lastOffset + 1, Math.max(stop, position)));
        if ((positions.get(r.partition) ?? 0) < r.highWatermark) behind = true;
      }
      if (retry) {
        if (++failures > this.maxRetries) {
          const bad = results.find((r) => r.errorCode !== ErrorCode.NONE);
          throw kafkaError(bad?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, `fetch ${topic}/${bad?.partition ?? '?'}`);
        }
        this.client.invalidateTopic(topic);
        await sleep(this.backoff(failures), signal);
      } else {
        failures = 0;
        const next = behind ? activePartitions() : [];
        if (next.length > 0) {
          prefetched = this.fetchRound(topic, next, positions, limits, connections, false, signal);
          // Awaited on the next turn; if this generator is closed first, the rejection is expected.
          prefetched.catch(() => {});
        }
      }
      for (const { partition, records, from, stop } of ready) {
        const out = (await decodeRecordBatches(records)) as ConsumedRecord[];
        let first = 0;
        while (first < out.length && out[first]!.offset < from) first++;
        let end = out.length;
        if (stop !== undefined) while (end > first && out[end - 1]!.offset >= stop) end--;
        if (first === end) continue;
        const batch = first === 0 && end === out.length ? out : out.slice(first, end);
        // Decoded records become ConsumedRecords in place: no second object per record.
        for (const record of batch) {
          record.topic = topic;
          record.partition = partition;
        }
        if (isAborted(signal)) return;
        yield batch;
      }
    }
  }

  private backoff(failures: number): number {
    return Math.min(this.retryBackoffMs * 2 ** (failures - 1), 2_000);
  }

  /** A batch did not fit in partitionMaxBytes: double the limit (at least to the batch size). */
  private grow(limits: Map<number, number>, partition: number, neededBytes: number, topic: string): void {
    const current = limits.get(partition) ?? this.partitionMaxBytes;
    if (current >= this.maxBytes) {
      throw kafkaError(ErrorCode.RECORD_LIST_TOO_LARGE, `fetch ${topic}/${partition}: a record batch of ${neededBytes} bytes exceeds maxBytes ${this.maxBytes}`);
    }
    limits.set(partition, Math.min(this.maxBytes, Math.max(current * 2, neededBytes)));
  }

  /** One Fetch per leader, in parallel; results in the order of `partitions`. */
  private async fetchRound(
    topic: string,
    partitions: number[],
    positions: Map<number, number>,
    limits: Map<number, number>,
    connections: Map<number, KafkaConnection>,
    refresh: boolean,
    signal: AbortSignal | undefined,
  ): Promise<PartitionFetch[]> {
    const byLeader = new Map<number, number[]>();
    for (const p of partitions) {
      const leader = await this.client.leaderFor(topic, p, refresh);
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
    }
    const responses = await Promise.all(
      [...byLeader].map(async ([leader, parts]) => {
        let conn = connections.get(leader);
        if (conn === undefined || conn.isClosed) {
          conn = await this.client.openConnection(await this.client.brokerAddress(leader));
          connections.set(leader, conn);
        }
        const request: FetchRequest = {
          replicaId: -1,
          maxWaitMs: this.maxWaitMs,
          minBytes: this.minBytes,
          maxBytes: this.maxBytes,
          isolationLevel: this.isolationLevel,
          sessionId: 0,
          sessionEpoch: -1,
          topics: [
            {
              topic,
              partitions: parts.map((p) => ({
                partition: p,
                currentLeaderEpoch: -1,
                fetchOffset: BigInt(positions.get(p) ?? 0),
                logStartOffset: -1n,
                partitionMaxBytes: limits.get(p) ?? this.partitionMaxBytes,
              })),
            },
          ],
          forgottenTopicsData: [],
          rackId: '',
        };
        const timeoutMs = this.client.requestTimeoutMs + this.maxWaitMs;
        try {
          return await this.client.request(conn, Fetch, request, { timeoutMs, ...(signal ? { signal } : {}) });
        } catch (err) {
          // An abandoned long-poll would hold up the next fetch on this connection: drop it instead.
          if (isAborted(signal)) conn.destroy();
          throw err;
        }
      }),
    );
    const results = new Map<number, PartitionFetch>();
    for (const res of responses) collect(res, topic, results);
    return partitions.flatMap((p) => results.get(p) ?? []);
  }
}

/** A function, so TypeScript does not narrow `aborted` across awaits (it changes asynchronously). */
function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function collect(res: FetchResponse, topic: string, into: Map<number, PartitionFetch>): void {
  if (res.errorCode !== ErrorCode.NONE) throw kafkaError(res.errorCode, `fetch ${topic}`);
  for (const t of res.responses) {
    if (t.topic !== topic) continue;
    for (const p of t.partitions) {
      into.set(p.partitionIndex, {
        partition: p.partitionIndex,
        errorCode: p.errorCode,
        highWatermark: Number(p.highWatermark),
        logStartOffset: Number(p.logStartOffset),
        records: p.records,
      });
    }
  }
}

/**
 * Finds the complete batches at the start of a fetch response's records: their byte length, the last
 * offset of the last one, and (when none is complete) the size of the first batch.
 */
export function scanBatches(buf: Buffer): { complete: number; lastOffset: number; neededBytes: number } {
  let off = 0;
  let lastOffset = -1;
  while (buf.length - off >= BATCH_OVERHEAD) {
    const size = BATCH_OVERHEAD + buf.readInt32BE(off + BATCH_FIELD.batchLength);
    if (size < BATCH_FIELD.lastOffsetDelta + 4 || off + size > buf.length) {
      return { complete: off, lastOffset, neededBytes: off === 0 ? Math.max(size, BATCH_OVERHEAD) : 0 };
    }
    lastOffset = Number(buf.readBigInt64BE(off + BATCH_FIELD.baseOffset)) + buf.readInt32BE(off + BATCH_FIELD.lastOffsetDelta);
    off += size;
  }
  return { complete: off, lastOffset, neededBytes: off === 0 ? BATCH_OVERHEAD * 2 : 0 };
}
