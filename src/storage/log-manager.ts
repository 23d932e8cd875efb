// All logs of one data dir. Layout:
//   <dataDir>/recovery-point-offset-checkpoint   offsets below which each log is fsynced (checkpoint.ts)
//   <dataDir>/log-start-offset-checkpoint         each log's logStartOffset (checkpoint.ts)
//   <dataDir>/replication-offset-checkpoint       cluster mode only: each log's highWatermark (checkpoint.ts)
//   <dataDir>/<topic>-<partition>/                one Log: segments, indexes, leader-epoch-checkpoint
//   <dataDir>/<topic>-<partition>.<uuid>-delete/  a partition being deleted (removed on open)
// Opening recovers every log concurrently; the root checkpoints are rewritten periodically (with the
// retention pass), after logStartOffset moves, and on close. In cluster mode (useReplicatedHighWatermarks)
// the high watermarks are checkpointed too, every few seconds and on close, so that a restarted replica
// never exposes records the ISR may not all have: its high watermark restarts at the checkpointed one.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ErrorCode, KafkaError, errorMessage, silentLogger, type Logger } from '../common/index.js';
import {
  LOG_START_OFFSET_CHECKPOINT,
  RECOVERY_POINT_CHECKPOINT,
  REPLICATION_OFFSET_CHECKPOINT,
  fsyncDir,
  readOffsetCheckpoint,
  writeOffsetCheckpoint,
  type PartitionOffset,
} from './checkpoint.js';
import { LogCleaner, type CleanResult } from './cleaner.js';
import { storageFs } from './file-system.js';
import { DEFAULT_LOG_CONFIG, type FlushPolicy, type LogConfig } from './log-config.js';
import { Log } from './log.js';
import { applyRetention } from './retention.js';

const PARTITION_DIR = /^(.+)-(\d+)$/;
const DELETE_DIR_SUFFIX = '-delete';
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
/** Kafka's producer.id.expiration.ms default: one day. */
export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000;

export interface LogManagerOptions {
  dataDir: string;
  flushPolicy?: FlushPolicy;
  logger?: Logger;
  /** Config of the logs found on disk until setConfig() gives theirs. */
  defaultConfig?: LogConfig;
  now?: () => number;
  /** Compaction: see LogCleaner (default 0.5, Kafka's min.cleanable.dirty.ratio). */
  minCleanableDirtyRatio?: number;
}

function key(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** What a compaction pass did, by `<topic>-<partition>` (logs that needed no cleaning are absent). */
export type CleanerPass = Map<string, CleanResult>;

export class LogManager {
  private readonly byKey = new Map<string, Log>();
  /** createLog calls still opening their log: a second call for the same partition waits for the first,
   *  and close() waits for all (a log opened after close would write into a directory being removed). */
  private readonly opening = new Map<string, Promise<Log>>();
  private closed = false;
  private readonly configs = new Map<string, LogConfig>();
  private readonly logger: Logger;
  private readonly now: () => number;
  private retentionTimer: NodeJS.Timeout | null = null;
  private producerIdExpirationMs = DEFAULT_PRODUCER_ID_EXPIRATION_MS;
  private readonly cleaner: LogCleaner;
  private cleanerTimer: NodeJS.Timeout | null = null;
  private cleaning: Promise<CleanerPass> | null = null;
  private checkpointChain: Promise<void> = Promise.resolve();
  private recoveryPoints = new Map<string, number>();
  private startOffsets = new Map<string, number>();
  /** Set by useReplicatedHighWatermarks: the high-watermark checkpoint is then written too. */
  private replicated = false;
  private highWatermarkTimer: NodeJS.Timeout | null = null;

  private constructor(private readonly options: LogManagerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.cleaner = new LogCleaner({
      logger: this.logger,
      now: this.now,
      ...(options.minCleanableDirtyRatio !== undefined ? { minCleanableDirtyRatio: options.minCleanableDirtyRatio } : {}),
    });
  }

  static async open(options: LogManagerOptions): Promise<LogManager> {
    const manager = new LogManager(options);
    await storageFs().mkdirp(options.dataDir);
    manager.recoveryPoints = await manager.readCheckpoint(RECOVERY_POINT_CHECKPOINT);
    manager.startOffsets = await manager.readCheckpoint(LOG_START_OFFSET_CHECKPOINT);
    const found: { topic: string; partition: number }[] = [];
    for (const entry of await storageFs().readdir(options.dataDir)) {
      if (!entry.isDirectory) continue;
      if (entry.name.endsWith(DELETE_DIR_SUFFIX)) {
        manager.logger.info('removing partition dir left by a topic deletion', { dir: entry.name });
        await storageFs().removeTree(join(options.dataDir, entry.name));
        continue;
      }
      const m = PARTITION_DIR.exec(entry.name);
      if (m === null) continue;
      found.push({ topic: m[1]!, partition: Number(m[2]) });
    }
    await Promise.all(found.map(({ topic, partition }) => manager.openLog(topic, partition, options.defaultConfig ?? DEFAULT_LOG_CONFIG)));
    await manager.checkpoint();
    return manager;
  }

  /** A checkpoint as a map by `<topic>-<partition>`; a corrupt one is ignored (logs are then fully scanned). */
  private async readCheckpoint(name: string): Promise<Map<string, number>> {
    const path = join(this.options.dataDir, name);
    let entries: PartitionOffset[] = [];
    try {
      entries = await readOffsetCheckpoint(path);
    } catch (err) {
      this.logger.warn('ignoring corrupt checkpoint file', { path, error: errorMessage(err) });
    }
    return new Map(entries.map((e) => [key(e.topic, e.partition), e.offset]));
  }

  private async openLog(topic: string, partition: number, config: LogConfig): Promise<Log> {
    const k = key(topic, partition);
    const log = await Log.open({
      dir: join(this.options.dataDir, k),
      topic,
      partition,
      config: this.configs.get(topic) ?? config,
      ...(this.options.flushPolicy !== undefined ? { flushPolicy: this.options.flushPolicy } : {}),
      logger: this.logger,
      recoveryPoint: this.recoveryPoints.get(k) ?? 0,
      logStartOffset: this.startOffsets.get(k) ?? 0,
      now: this.now,
      onLogStartOffsetChange: () => this.checkpoint(),
    });
    this.byKey.set(k, log);
    return log;
  }

  getLog(topic: string, partition: number): Log | undefined {
    return this.byKey.get(key(topic, partition));
  }

  logs(): Log[] {
    return [...this.byKey.values()];
  }

  /** Opens the partition's log, creating it if needed; an existing log keeps running with `config`. */
  async createLog(topic: string, partition: number, config: LogConfig): Promise<Log> {
    if (!LEGAL_TOPIC.test(topic) || topic === '.' || topic === '..') {
      throw new KafkaError(ErrorCode.INVALID_TOPIC_EXCEPTION, `illegal topic name ${JSON.stringify(topic)}`);
    }
    if (!Number.isInteger(partition) || partition < 0) {
      throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `illegal partition ${partition}`);
    }
    this.configs.set(topic, config);
    const existing = this.getLog(topic, partition);
    if (existing !== undefined) {
      existing.config = config;
      return existing;
    }
    if (this.closed) throw new KafkaError(ErrorCode.KAFKA_STORAGE_ERROR, `cannot open ${key(topic, partition)}: the log manager is closed`);
    const k = key(topic, partition);
    const pending = this.opening.get(k);
    if (pending !== undefined) return pending;
    const opened = this.openLog(topic, partition, config).then(async (log) => {
      await fsyncDir(this.options.dataDir);
      return log;
    });
    this.opening.set(k, opened);
    try {
      return await opened;
    } finally {
      this.opening.delete(k);
    }
  }

  /** Closes the topic's logs and removes their dirs: renamed to `<dir>.<uuid>-delete` first, so a crash
   *  in the middle of the removal never resurrects a half-deleted partition. */
  async deleteTopic(topic: string): Promise<void> {
    const logs = this.logs().filter((l) => l.topic === topic);
    this.configs.delete(topic);
    for (const log of logs) {
      this.byKey.delete(key(topic, log.partition));
      await log.close();
      const doomed = `${log.dir}.${randomUUID().replace(/-/g, '')}${DELETE_DIR_SUFFIX}`;
      await storageFs().rename(log.dir, doomed);
      await fsyncDir(this.options.dataDir);
      await storageFs().removeTree(doomed);
    }
    await this.checkpoint();
  }

  setConfig(topic: string, config: LogConfig): void {
    this.configs.set(topic, config);
    for (const log of this.logs()) if (log.topic === topic) log.config = config;
  }

  /** Runs runRetention every `intervalMs`; it also forgets producers idle for `producerIdExpirationMs`. */
  startRetention(intervalMs: number, producerIdExpirationMs = DEFAULT_PRODUCER_ID_EXPIRATION_MS): void {
    this.producerIdExpirationMs = producerIdExpirationMs;
    if (this.retentionTimer !== null) clearInterval(this.retentionTimer);
    this.retentionTimer = setInterval(() => {
      this.runRetention().catch((err: unknown) => this.logger.error('retention pass failed', { error: errorMessage(err) }));
    }, intervalMs);
    this.retentionTimer.unref();
  }

  /** One retention pass over every log (and expiry of idle producer ids), then a checkpoint. */
  async runRetention(): Promise<void> {
    const now = this.now();
    for (const log of this.logs()) {
      if (log.isOffline) continue;
      try {
        await applyRetention(log, now);
        const expired = await log.expireProducers(now - this.producerIdExpirationMs);
        if (expired > 0) this.logger.debug('expired idle producer ids', { topic: log.topic, partition: log.partition, expired });
      } catch (err) {
        this.logger.warn('retention failed for a log', { topic: log.topic, partition: log.partition, error: errorMessage(err) });
      }
    }
    await this.checkpoint();
  }

  /** Runs a compaction pass every `backoffMs` (log.cleaner.backoff.ms) after the previous one ended. */
  startCleaner(backoffMs: number): void {
    if (this.cleanerTimer !== null) clearTimeout(this.cleanerTimer);
    const schedule = (): void => {
      this.cleanerTimer = setTimeout(() => {
        this.runCleaner()
          .catch((err: unknown) => this.logger.error('compaction pass failed', { error: errorMessage(err) }))
          .finally(() => {
            if (this.cleanerTimer !== null) schedule();
          });
      }, backoffMs);
      this.cleanerTimer.unref();
    };
    schedule();
  }

  /** One compaction pass over every log with cleanup.policy compact (tests); joins a running pass. */
  runCleaner(): Promise<CleanerPass> {
    this.cleaning ??= this.cleanAll().finally(() => {
      this.cleaning = null;
    });
    return this.cleaning;
  }

  private async cleanAll(): Promise<CleanerPass> {
    const pass: CleanerPass = new Map();
    for (const log of this.logs()) {
      try {
        const result = await this.cleaner.clean(log);
        if (result !== null) pass.set(`${log.topic}-${log.partition}`, result);
      } catch (err) {
        this.logger.warn('compaction failed for a log', { topic: log.topic, partition: log.partition, error: errorMessage(err) });
      }
    }
    return pass;
  }

  /**
   * Cluster mode: every open log's high watermark becomes min(checkpointed, logEndOffset) (at least
   * logStartOffset; a log absent from the checkpoint keeps logEndOffset, as before the checkpoint
   * existed) and is moved by the replica manager from now on; the checkpoint is rewritten every
   * `intervalMs` (Kafka's replica.high.watermark.checkpoint.interval.ms) and on close. Call once, before
   * any replica role is taken. Single-broker mode never calls it: one replica is the whole ISR.
   */
  async useReplicatedHighWatermarks(intervalMs: number): Promise<void> {
    if (this.replicated) return;
    const checkpointed = await this.readCheckpoint(REPLICATION_OFFSET_CHECKPOINT);
    this.replicated = true;
    for (const [k, log] of this.byKey) {
      const hw = checkpointed.get(k);
      log.setExternalHighWatermark(true);
      if (hw !== undefined) log.updateHighWatermark(Math.max(log.logStartOffset, hw));
    }
    this.highWatermarkTimer = setInterval(() => {
      this.checkpoint().catch((err: unknown) => this.logger.warn('high watermark checkpoint failed', { error: errorMessage(err) }));
    }, intervalMs);
    this.highWatermarkTimer.unref();
  }

  /** Rewrites the root checkpoints (serialized: concurrent callers queue). */
  checkpoint(): Promise<void> {
    const run = this.checkpointChain.then(() => this.writeCheckpoints());
    this.checkpointChain = run.catch(() => undefined);
    return run;
  }

  private async writeCheckpoints(): Promise<void> {
    const logs = this.logs().filter((l) => !l.isOffline);
    const dir = this.options.dataDir;
    await writeOffsetCheckpoint(
      join(dir, RECOVERY_POINT_CHECKPOINT),
      logs.map((l) => ({ topic: l.topic, partition: l.partition, offset: l.recoveryPoint })),
    );
    await writeOffsetCheckpoint(
      join(dir, LOG_START_OFFSET_CHECKPOINT),
      logs.map((l) => ({ topic: l.topic, partition: l.partition, offset: l.logStartOffset })),
    );
    if (this.replicated) {
      await writeOffsetCheckpoint(
        join(dir, REPLICATION_OFFSET_CHECKPOINT),
        logs.map((l) => ({ topic: l.topic, partition: l.partition, offset: l.highWatermark })),
      );
    }
  }

  async close(): Promise<void> {
    if (this.retentionTimer !== null) clearInterval(this.retentionTimer);
    this.retentionTimer = null;
    if (this.cleanerTimer !== null) clearTimeout(this.cleanerTimer);
    this.cleanerTimer = null;
    if (this.highWatermarkTimer !== null) clearInterval(this.highWatermarkTimer);
    this.highWatermarkTimer = null;
    this.cleaner.stop();
    this.closed = true;
    await this.cleaning?.catch(() => undefined);
    await Promise.allSettled([...this.opening.values()]);
    await Promise.all(this.logs().map((l) => l.close()));
    await this.checkpoint();
  }
}
