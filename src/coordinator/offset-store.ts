// Committed offsets and persisted group metadata, held in memory and made durable in the internal
// topic `__consumer_offsets` (record formats: offsets-topic-format.ts). Every change is appended first
// and applied to memory only after the append resolved, which with the default flush policy means after
// fsync: an OffsetCommit is answered only once it survives a crash. On start the whole topic is read from
// logStartOffset to its end and replayed, the last record of each key winning and tombstones deleting.
// Log.append resolves in offset order, so applying in resolution order keeps memory equal to the log.
// In a cluster (coordinator.ts useLeadership) the store holds only the partitions this broker leads:
// loadPartition/unloadPartition follow leadership, and writes go through a replicated append that
// resolves once the in-sync replicas have the batch. A write that resolves after its partition was
// unloaded (or reloaded) is not applied: memory then belongs to the newer load.
import { errorMessage, silentLogger, type Logger } from '../common/index.js';
import { BATCH_FIELD, BATCH_OVERHEAD, decodeRecordBatches, buildRecordBatch, type RecordInput } from '../records/index.js';
import { DEFAULT_LOG_CONFIG, type AppendResult, type LogConfig, type ReadResult } from '../storage/index.js';
import {
  DEFAULT_OFFSETS_TOPIC_PARTITIONS,
  OFFSETS_TOPIC,
  decodeGroupValue,
  decodeKey,
  decodeOffsetValue,
  encodeGroupKey,
  encodeGroupValue,
  encodeOffsetKey,
  encodeOffsetValue,
  partitionForGroup,
  type GroupMetadataValue,
  type OffsetCommitValue,
} from './offsets-topic-format.js';

/** What the store needs of one partition log (storage's Log satisfies it). */
export interface OffsetsLog {
  append(batches: Buffer): Promise<AppendResult>;
  read(fetchOffset: number, maxBytes: number): Promise<ReadResult>;
  readonly logStartOffset: number;
  readonly logEndOffset: number;
}

/** What the coordinator needs of storage (storage's LogManager satisfies it). */
export interface OffsetsLogProvider {
  getLog(topic: string, partition: number): OffsetsLog | undefined;
  createLog(topic: string, partition: number, config: LogConfig): Promise<OffsetsLog>;
}

export interface TopicPartitionOffset extends OffsetCommitValue {
  topic: string;
  partition: number;
}

/** Appends a batch to a partition of the topic as its leader; resolves once the batch is durable. */
export type OffsetsWriter = (partition: number, batch: Buffer) => Promise<unknown>;

export interface OffsetStoreOptions {
  logs: OffsetsLogProvider;
  /** offsets.topic.num.partitions */
  numPartitions?: number;
  /** Config of the `__consumer_offsets` logs (Kafka: compacted, 100 MiB segments). */
  logConfig?: LogConfig;
  logger?: Logger;
}

export const OFFSETS_TOPIC_LOG_CONFIG: LogConfig = Object.freeze({
  ...DEFAULT_LOG_CONFIG,
  cleanupPolicy: 'compact',
  segmentBytes: 100 * 1024 * 1024,
});

const LOAD_READ_BYTES = 1024 * 1024;

export class OffsetStore {
  readonly numPartitions: number;
  private readonly logs: OffsetsLogProvider;
  private readonly logConfig: LogConfig;
  private readonly logger: Logger;
  /** group → "topic\u0000partition" → committed offset. */
  private readonly offsets = new Map<string, Map<string, TopicPartitionOffset>>();
  private readonly groups = new Map<string, GroupMetadataValue>();
  /** Bumped on every load or unload of a partition: a write started before it is not applied after it. */
  private readonly loadGeneration = new Map<number, number>();
  /** null = append to the local log (single broker); set in a cluster (replicated append). */
  writer: OffsetsWriter | null = null;

  constructor(options: OffsetStoreOptions) {
    this.logs = options.logs;
    this.numPartitions = options.numPartitions ?? DEFAULT_OFFSETS_TOPIC_PARTITIONS;
    this.logConfig = options.logConfig ?? OFFSETS_TOPIC_LOG_CONFIG;
    this.logger = options.logger ?? silentLogger;
  }

  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.numPartitions);
  }

  /** Replays every existing `__consumer_offsets` partition (partitions are created on first write). */
  async load(): Promise<void> {
    this.offsets.clear();
    this.groups.clear();
    for (let p = 0; p < this.numPartitions; p++) {
      if (this.logs.getLog(OFFSETS_TOPIC, p) === undefined) continue;
      // Logs found on disk run with the default config (cleanup.policy=delete) until told otherwise:
      // give them the offsets topic's config before retention could delete committed offsets.
      const log = await this.logs.createLog(OFFSETS_TOPIC, p, this.logConfig);
      await this.replay(log, p);
    }
  }

  /** Cluster: replaces what memory holds of one partition with what its log holds. */
  async loadPartition(partition: number, log: OffsetsLog): Promise<void> {
    this.unloadPartition(partition);
    await this.replay(log, partition);
  }

  /** Cluster: forgets every group and offset of one partition (its leadership moved away). */
  unloadPartition(partition: number): void {
    this.loadGeneration.set(partition, (this.loadGeneration.get(partition) ?? 0) + 1);
    for (const group of this.groupIds()) {
      if (this.partitionFor(group) !== partition) continue;
      this.offsets.delete(group);
      this.groups.delete(group);
    }
  }

  private async replay(log: OffsetsLog, partition: number): Promise<void> {
    let offset = log.logStartOffset;
    const end = log.logEndOffset;
    while (offset < end) {
      const read = await log.read(offset, LOAD_READ_BYTES);
      if (read.size === 0) break;
      const buf = read.records.length === 1 ? read.records[0]! : Buffer.concat(read.records);
      const next = nextOffsetAfter(buf);
      for (const record of await decodeRecordBatches(buf)) {
        if (record.offset < offset || record.key === null) continue;
        try {
          this.apply(record.key, record.value);
        } catch (err) {
          this.logger.warn('skipping an unreadable __consumer_offsets record', { partition, offset: record.offset, error: errorMessage(err) });
        }
      }
      if (next <= offset) break;
      offset = next;
    }
  }

  /** Applies one record of the topic to memory. */
  private apply(key: Buffer, value: Buffer | null): void {
    const k = decodeKey(key);
    if (k.type === 'group') {
      if (value === null) this.groups.delete(k.group);
      else this.groups.set(k.group, decodeGroupValue(value));
      return;
    }
    if (value === null) return this.removeOffset(k.group, k.topic, k.partition);
    this.setOffset(k.group, { topic: k.topic, partition: k.partition, ...decodeOffsetValue(value) });
  }

  private removeOffset(group: string, topic: string, partition: number): void {
    const byGroup = this.offsets.get(group);
    byGroup?.delete(tpKey(topic, partition));
    if (byGroup?.size === 0) this.offsets.delete(group);
  }

  private setOffset(group: string, entry: TopicPartitionOffset): void {
    let byGroup = this.offsets.get(group);
    if (byGroup === undefined) this.offsets.set(group, (byGroup = new Map()));
    byGroup.set(tpKey(entry.topic, entry.partition), entry);
  }

  get(group: string, topic: string, partition: number): TopicPartitionOffset | undefined {
    return this.offsets.get(group)?.get(tpKey(topic, partition));
  }

  /** Every committed offset of the group, sorted by topic then partition. */
  all(group: string): TopicPartitionOffset[] {
    return [...(this.offsets.get(group)?.values() ?? [])].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }

  hasOffsets(group: string): boolean {
    return (this.offsets.get(group)?.size ?? 0) > 0;
  }

  /** Groups with committed offsets or persisted metadata. */
  groupIds(): string[] {
    return [...new Set([...this.offsets.keys(), ...this.groups.keys()])];
  }

  storedGroup(group: string): GroupMetadataValue | undefined {
    return this.groups.get(group);
  }

  /** Durably commits the offsets (one batch, so all or none), then makes them visible. */
  async commit(group: string, entries: TopicPartitionOffset[], timestamp: number): Promise<void> {
    if (entries.length === 0) return;
    const records = entries.map((e) => ({
      key: encodeOffsetKey(group, e.topic, e.partition),
      value: encodeOffsetValue(e),
      timestamp,
    }));
    if (!(await this.append(group, records))) return;
    for (const e of entries) this.setOffset(group, e);
  }

  async storeGroup(group: string, value: GroupMetadataValue, timestamp: number): Promise<void> {
    if (!(await this.append(group, [{ key: encodeGroupKey(group), value: encodeGroupValue(value), timestamp }]))) return;
    this.groups.set(group, value);
  }

  /** Tombstones for the group's metadata and every committed offset of it. */
  async deleteGroup(group: string, timestamp: number): Promise<void> {
    const records: RecordInput[] = this.all(group).map((e) => ({ key: encodeOffsetKey(group, e.topic, e.partition), value: null, timestamp }));
    records.push({ key: encodeGroupKey(group), value: null, timestamp });
    if (!(await this.append(group, records))) return;
    this.offsets.delete(group);
    this.groups.delete(group);
  }

  /** Tombstones for the given committed offsets of one group (a deleted topic, offset expiry). */
  async deleteOffsets(group: string, partitions: { topic: string; partition: number }[], timestamp: number): Promise<void> {
    const existing = partitions.filter((p) => this.get(group, p.topic, p.partition) !== undefined);
    if (existing.length === 0) return;
    const written = await this.append(
      group,
      existing.map((p) => ({ key: encodeOffsetKey(group, p.topic, p.partition), value: null, timestamp })),
    );
    if (!written) return;
    for (const p of existing) this.removeOffset(group, p.topic, p.partition);
  }

  /** Writes the records to the group's partition; false when the partition was unloaded meanwhile. */
  private async append(group: string, records: RecordInput[]): Promise<boolean> {
    const partition = this.partitionFor(group);
    const generation = this.loadGeneration.get(partition) ?? 0;
    const batch = await buildRecordBatch(records);
    if (this.writer !== null) {
      await this.writer(partition, batch);
    } else {
      const log = this.logs.getLog(OFFSETS_TOPIC, partition) ?? (await this.logs.createLog(OFFSETS_TOPIC, partition, this.logConfig));
      await log.append(batch);
    }
    return (this.loadGeneration.get(partition) ?? 0) === generation;
  }
}

function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/** The offset after the last whole batch in buf (batches read from a log carry assigned offsets). */
function nextOffsetAfter(buf: Buffer): number {
  let position = 0;
  let next = -1;
  while (position + BATCH_OVERHEAD + 4 <= buf.length) {
    const batchLength = buf.readInt32BE(position + BATCH_FIELD.batchLength);
    if (position + BATCH_OVERHEAD + batchLength > buf.length) break;
    next = Number(buf.readBigInt64BE(position)) + buf.readInt32BE(position + BATCH_FIELD.lastOffsetDelta) + 1;
    position += BATCH_OVERHEAD + batchLength;
  }
  return next;
}
