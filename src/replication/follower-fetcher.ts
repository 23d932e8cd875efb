// Follower side of replication: one fetcher per leader broker, replicating every partition this broker
// follows on that leader over one connection. Before fetching a partition it finds where its log
// diverges from the leader's (OffsetForLeaderEpoch with its latest leader epoch, KIP-101/279) and
// truncates there; then it fetches with its replica id (so the leader learns its log end offset),
// appends the leader's batches as they are (offsets and epochs kept), and follows the leader's high
// watermark.
import { ConnectionError, ErrorCode, KafkaError, errorMessage, type Logger } from '../common/index.js';
import { KafkaConnection, type BrokerAddress } from '../client/index.js';
import { Fetch, OffsetForLeaderEpoch, type FetchRequestTopic } from '../protocol/index.js';
import { BATCH_OVERHEAD, BATCH_FIELD } from '../records/index.js';
import type { Log } from '../storage/index.js';

const FETCH_VERSION = 11;
const EPOCH_VERSION = 3;
const RETRY_BACKOFF_MS = 300;
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export interface FollowedPartition {
  topic: string;
  partition: number;
  log: Log;
  /** The leader epoch under which we follow (fences a stale leader and a stale follower). */
  leaderEpoch: number;
  /** False until the divergence point with this leader was found and the log truncated there. */
  truncated: boolean;
  /** Set after an error the leader will only fix with a metadata change; retried after it. */
  retryAt: number;
}

export interface FollowerFetcherOptions {
  nodeId: number;
  leaderId: number;
  /** The leader's address, read each time a connection is opened (it may re-register elsewhere). */
  address: () => BrokerAddress | null;
  maxWaitMs: number;
  partitionMaxBytes: number;
  logger: Logger;
}

export class FollowerFetcher {
  private readonly partitions = new Map<string, FollowedPartition>();
  private conn: KafkaConnection | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  /** The current response's processing, so removal can wait until nothing is appended any more. */
  private processing: Promise<void> = Promise.resolve();

  constructor(private readonly options: FollowerFetcherOptions) {}

  get leaderId(): number {
    return this.options.leaderId;
  }

  get size(): number {
    return this.partitions.size;
  }

  add(topic: string, partition: number, log: Log, leaderEpoch: number): void {
    this.partitions.set(key(topic, partition), { topic, partition, log, leaderEpoch, truncated: false, retryAt: 0 });
    this.loop ??= this.run();
    this.wakeUp?.();
  }

  /** Stops following the partition; resolves once no append to its log is in progress. */
  async remove(topic: string, partition: number): Promise<void> {
    this.partitions.delete(key(topic, partition));
    await this.processing;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.partitions.clear();
    this.wakeUp?.();
    this.conn?.destroy();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const active = [...this.partitions.values()].filter((p) => p.retryAt <= Date.now());
        if (active.length === 0) {
          await this.sleep(this.partitions.size === 0 ? 60_000 : RETRY_BACKOFF_MS);
          continue;
        }
        const conn = await this.connection();
        const untruncated = active.filter((p) => !p.truncated);
        if (untruncated.length > 0) {
          await this.truncateByEpoch(conn, untruncated);
          continue;
        }
        await this.fetchOnce(conn, active);
      } catch (err) {
        if (this.stopped) break;
        this.conn?.destroy();
        this.conn = null;
        const level = err instanceof ConnectionError ? 'debug' : 'warn';
        this.options.logger[level]('replica fetch failed; retrying', { leader: this.options.leaderId, error: errorMessage(err) });
        await this.sleep(RETRY_BACKOFF_MS);
      }
    }
    this.conn?.destroy();
  }

  private async connection(): Promise<KafkaConnection> {
    if (this.conn !== null && !this.conn.isClosed) return this.conn;
    const address = this.options.address();
    if (address === null) throw new ConnectionError(`leader ${this.options.leaderId} is not registered`);
    this.conn = await KafkaConnection.open(address, {
      clientId: `logctl-replica-${this.options.nodeId}`,
      connectTimeoutMs: 3000,
      requestTimeoutMs: 10_000,
      logger: this.options.logger,
    });
    return this.conn;
  }

  /** KIP-279: ask the leader where our latest epoch ends on its log; truncate ours there. */
  private async truncateByEpoch(conn: KafkaConnection, parts: FollowedPartition[]): Promise<void> {
    const asked = parts.map((p) => ({ p, epoch: p.log.leaderEpochs().at(-1)?.epoch ?? -1 }));
    const withEpoch = asked.filter((a) => a.epoch >= 0);
    for (const a of asked) if (a.epoch < 0) a.p.truncated = true; // empty log (or no epochs): nothing to compare
    if (withEpoch.length === 0) return;
    const topics = new Map<string, { partition: number; currentLeaderEpoch: number; leaderEpoch: number }[]>();
    for (const { p, epoch } of withEpoch) {
      const list = topics.get(p.topic) ?? [];
      list.push({ partition: p.partition, currentLeaderEpoch: p.leaderEpoch, leaderEpoch: epoch });
      topics.set(p.topic, list);
    }
    const res = await conn.send(OffsetForLeaderEpoch, EPOCH_VERSION, {
      replicaId: this.options.nodeId,
      topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
    });
    for (const t of res.topics) {
      for (const r of t.partitions) {
        const entry = withEpoch.find((a) => a.p.topic === t.topic && a.p.partition === r.partition);
        if (entry === undefined || this.partitions.get(key(t.topic, r.partition)) !== entry.p) continue;
        const { p, epoch } = entry;
        if (r.errorCode !== 0) {
          p.retryAt = Date.now() + RETRY_BACKOFF_MS;
          continue;
        }
        const log = p.log;
        let target: number;
        if (r.leaderEpoch < 0 || r.endOffset < 0n) {
          // The leader has no epoch as old as ours: nothing of our log is known to be on the leader's.
          target = log.logStartOffset;
        } else {
          target = Number(r.endOffset);
          if (r.leaderEpoch < epoch) target = Math.min(target, log.endOffsetForEpoch(r.leaderEpoch).endOffset);
        }
        if (target < log.logEndOffset) {
          this.options.logger.info('truncating follower log at divergence with leader', {
            topic: p.topic,
            partition: p.partition,
            from: log.logEndOffset,
            to: target,
            leaderEpoch: p.leaderEpoch,
          });
          await log.truncateTo(target);
        }
        p.truncated = true;
      }
    }
  }

  private async fetchOnce(conn: KafkaConnection, parts: FollowedPartition[]): Promise<void> {
    const topics = new Map<string, FetchRequestTopic>();
    for (const p of parts) {
      const t = topics.get(p.topic) ?? { topic: p.topic, partitions: [] };
      t.partitions.push({
        partition: p.partition,
        currentLeaderEpoch: p.leaderEpoch,
        fetchOffset: BigInt(p.log.logEndOffset),
        logStartOffset: BigInt(p.log.logStartOffset),
        partitionMaxBytes: this.options.partitionMaxBytes,
      });
      topics.set(p.topic, t);
    }
    const res = await conn.send(
      Fetch,
      FETCH_VERSION,
      {
        replicaId: this.options.nodeId,
        maxWaitMs: this.options.maxWaitMs,
        minBytes: 1,
        maxBytes: MAX_RESPONSE_BYTES,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [...topics.values()],
        forgottenTopicsData: [],
        rackId: '',
      },
      { timeoutMs: this.options.maxWaitMs + 10_000 },
    );
    let done: () => void = () => undefined;
    this.processing = new Promise((r) => (done = r));
    try {
      for (const t of res.responses) {
        for (const r of t.partitions) {
          const p = this.partitions.get(key(t.topic, r.partitionIndex));
          if (p === undefined) continue;
          if (r.errorCode !== 0) {
            this.onPartitionError(p, r.errorCode);
            continue;
          }
          const records = wholeBatches(r.records);
          if (records !== null) {
            try {
              await p.log.appendAsFollower(records);
            } catch (err) {
              // Not continuing our log: find the divergence again.
              this.options.logger.warn('replicated batch refused; re-checking divergence', { topic: p.topic, partition: p.partition, error: errorMessage(err) });
              p.truncated = false;
              continue;
            }
          }
          p.log.updateHighWatermark(Math.min(Number(r.highWatermark), p.log.logEndOffset));
        }
      }
    } finally {
      done();
    }
  }

  private onPartitionError(p: FollowedPartition, errorCode: number): void {
    if (errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) p.truncated = false;
    p.retryAt = Date.now() + RETRY_BACKOFF_MS;
    this.options.logger.debug('replica fetch partition error', { topic: p.topic, partition: p.partition, error: new KafkaError(errorCode).message });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        done();
      };
    });
  }
}

/** The whole batches at the start of a fetch response's records (a response may end mid-batch). */
function wholeBatches(records: Buffer | null): Buffer | null {
  if (records === null) return null;
  let end = 0;
  while (end + BATCH_OVERHEAD <= records.length) {
    const size = BATCH_OVERHEAD + records.readInt32BE(end + BATCH_FIELD.batchLength);
    if (end + size > records.length) break;
    end += size;
  }
  return end === 0 ? null : records.subarray(0, end);
}

function key(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}
