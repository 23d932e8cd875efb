// The GroupCoordinator the broker constructs: membership (group-coordinator.ts) plus committed offsets,
// the admin calls (list, describe, delete) and the lifecycle. start() rebuilds every group from
// `__consumer_offsets` (groups with persisted metadata come back with their members and assignments,
// groups with only committed offsets come back Empty); close() answers waiting joins and syncs with
// NOT_COORDINATOR and stops every timer, so the broker can drain its connections.
// In a cluster (useLeadership before start) the broker coordinates only the groups whose
// `__consumer_offsets` partition it leads: those partitions are loaded and unloaded as leadership moves
// (partition-ownership.ts), other groups are answered NOT_COORDINATOR, and every write waits for the ISR.
import { ErrorCode, KafkaError, errorMessage, silentLogger, type Logger } from '../common/index.js';
import type { LogConfig } from '../storage/index.js';
import { DEFAULT_COORDINATOR_SETTINGS, GroupMembership, type CoordinatorSettings } from './group-coordinator.js';
import { EMPTY_BYTES, Group, type GroupState } from './group.js';
import { OffsetStore, type OffsetsLog, type OffsetsLogProvider, type TopicPartitionOffset } from './offset-store.js';
import { PartitionOwnership, type OffsetsLeadership } from './partition-ownership.js';

export interface GroupCoordinatorOptions {
  /** The broker's LogManager (or anything with its getLog/createLog). */
  logs: OffsetsLogProvider;
  logger?: Logger;
  /** offsets.topic.num.partitions (default 50). */
  offsetsTopicNumPartitions?: number;
  offsetsTopicLogConfig?: LogConfig;
  settings?: Partial<CoordinatorSettings>;
  /** offsets.retention.minutes in ms (default 7 days): how long an Empty group's offsets are kept. */
  offsetsRetentionMs?: number;
  /** offsets.retention.check.interval.ms (default 10 minutes). */
  offsetsRetentionCheckIntervalMs?: number;
  now?: () => number;
}

const DEFAULT_OFFSETS_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
const DEFAULT_RETENTION_CHECK_INTERVAL_MS = 10 * 60 * 1000;

export interface OffsetCommitEntry {
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
}

export interface CommitRequest {
  groupId: string;
  /** -1 = a commit without group membership (allowed while the group is Empty). */
  generationId: number;
  memberId: string;
  offsets: OffsetCommitEntry[];
}

export interface PartitionResult {
  topic: string;
  partition: number;
  errorCode: number;
}

export interface FetchedOffset extends PartitionResult {
  /** -1 when nothing is committed. */
  offset: number;
  leaderEpoch: number;
  metadata: string;
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  state: GroupState;
}

export interface GroupMemberDescription {
  memberId: string;
  clientId: string;
  clientHost: string;
  /** Metadata and assignment are given while the group is Stable (as Kafka does), else empty. */
  metadata: Buffer;
  assignment: Buffer;
}

export interface GroupDescription {
  groupId: string;
  errorCode: number;
  state: GroupState;
  protocolType: string;
  /** The selected protocol while Stable, else ''. */
  protocolName: string;
  members: GroupMemberDescription[];
}

export class GroupCoordinator extends GroupMembership {
  private loaded = false;
  private expiryTimer: NodeJS.Timeout | null = null;
  private readonly offsetsRetentionMs: number;
  private readonly retentionCheckIntervalMs: number;
  /** Cluster mode: the partitions led here; null on a single broker (every group is coordinated here). */
  private ownership: PartitionOwnership | null = null;

  constructor(options: GroupCoordinatorOptions) {
    const logger = options.logger ?? silentLogger;
    const store = new OffsetStore({
      logs: options.logs,
      logger,
      ...(options.offsetsTopicNumPartitions !== undefined ? { numPartitions: options.offsetsTopicNumPartitions } : {}),
      ...(options.offsetsTopicLogConfig !== undefined ? { logConfig: options.offsetsTopicLogConfig } : {}),
    });
    super(store, { ...DEFAULT_COORDINATOR_SETTINGS, ...options.settings }, logger, options.now ?? Date.now);
    this.offsetsRetentionMs = options.offsetsRetentionMs ?? DEFAULT_OFFSETS_RETENTION_MS;
    this.retentionCheckIntervalMs = options.offsetsRetentionCheckIntervalMs ?? DEFAULT_RETENTION_CHECK_INTERVAL_MS;
  }

  /**
   * Cluster mode, before start(): groups are coordinated here only while this broker leads their
   * `__consumer_offsets` partition, and writes go through `leadership.appendReplicated`.
   */
  useLeadership(leadership: OffsetsLeadership): void {
    this.store.writer = (partition, batch) => leadership.appendReplicated(partition, batch);
    this.ownership = new PartitionOwnership(leadership, this.store.numPartitions, {
      load: (partition, log) => this.loadPartition(partition, log),
      unload: (partition) => this.unloadPartition(partition),
    }, this.logger);
  }

  /** Cluster mode: re-examines which offsets partitions are led here (call on every leadership change). */
  async syncLeadership(): Promise<void> {
    if (!this.closed) await this.ownership?.sync();
  }

  /** Cluster mode: the `__consumer_offsets` partitions whose groups are loaded here. */
  coordinatedPartitions(): number[] {
    return this.ownership?.ownedPartitions() ?? [];
  }

  /** Loads every group and committed offset from `__consumer_offsets` (in a cluster: of the partitions led here). */
  async start(): Promise<void> {
    if (this.ownership === null) {
      await this.store.load();
      for (const groupId of this.store.groupIds()) this.restoreGroup(groupId);
    }
    this.loaded = true;
    await this.ownership?.sync();
    this.expiryTimer = setInterval(() => {
      this.expireOffsets().catch((err: unknown) => this.logger.error('offset expiration failed', { error: errorMessage(err) }));
    }, this.retentionCheckIntervalMs);
    this.expiryTimer.unref();
    this.logger.info('group coordinator loaded', { groups: this.groups.size, offsetsTopicPartitions: this.store.numPartitions });
  }

  async close(): Promise<void> {
    if (this.expiryTimer !== null) clearInterval(this.expiryTimer);
    this.expiryTimer = null;
    this.shutdownGroups();
  }

  protected override coordinatorError(groupId: string): number {
    if (this.closed) return ErrorCode.NOT_COORDINATOR;
    if (!this.loaded) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return this.ownership?.errorFor(this.store.partitionFor(groupId)) ?? ErrorCode.NONE;
  }

  private restoreGroup(groupId: string): void {
    const now = this.now();
    const stored = this.store.storedGroup(groupId);
    const group = stored === undefined ? new Group(groupId, now) : Group.fromStored(groupId, stored, now);
    this.groups.set(groupId, group);
    for (const member of group.members.values()) this.scheduleSession(group, member);
  }

  private async loadPartition(partition: number, log: OffsetsLog): Promise<void> {
    this.unloadPartition(partition);
    await this.store.loadPartition(partition, log);
    if (this.closed) return;
    for (const groupId of this.store.groupIds()) if (this.store.partitionFor(groupId) === partition) this.restoreGroup(groupId);
  }

  /** Forgets the partition's groups; their waiting joins and syncs get NOT_COORDINATOR (clients re-find the coordinator). */
  private unloadPartition(partition: number): void {
    for (const group of [...this.groups.values()]) {
      if (this.store.partitionFor(group.groupId) !== partition) continue;
      this.stopGroup(group);
      this.groups.delete(group.groupId);
    }
    this.store.unloadPartition(partition);
  }

  /**
   * offsets.retention.minutes (KIP-211): the offsets of a group without members expire once the
   * retention has passed since the group became Empty (for a group that never had members: since each
   * offset's commit). A group left with neither members nor offsets is deleted. Returns the expired count.
   */
  async expireOffsets(): Promise<number> {
    if (this.closed || !this.loaded) return 0;
    const now = this.now();
    let expired = 0;
    for (const group of [...this.groups.values()]) {
      if (group.state !== 'Empty' || group.pendingMembers.size > 0) continue;
      const since = (committed: number): number => (group.protocolType === null ? committed : group.currentStateTimestamp);
      const doomed = this.store.all(group.groupId).filter((o) => now - since(o.commitTimestamp) >= this.offsetsRetentionMs);
      if (doomed.length > 0) await this.store.deleteOffsets(group.groupId, doomed, now);
      expired += doomed.length;
      if (group.state === 'Empty' && group.members.size === 0 && !this.store.hasOffsets(group.groupId)) {
        group.transitionTo('Dead', now);
        await this.store.deleteGroup(group.groupId, now);
        this.groups.delete(group.groupId);
        this.logger.info('removed an empty group whose offsets expired', { group: group.groupId });
      }
    }
    return expired;
  }

  /** The `__consumer_offsets` partition that holds the group. */
  partitionFor(groupId: string): number {
    return this.store.partitionFor(groupId);
  }

  async commitOffsets(req: CommitRequest): Promise<PartitionResult[]> {
    const all = (errorCode: number): PartitionResult[] => req.offsets.map((o) => ({ topic: o.topic, partition: o.partition, errorCode }));
    const refusal = this.commitRefusal(req);
    if (refusal !== ErrorCode.NONE) return all(refusal);
    let group = this.groups.get(req.groupId);
    if (group === undefined) {
      // A commit without group management creates the group, as in Kafka (e.g. `assign` + commit).
      group = new Group(req.groupId, this.now());
      this.groups.set(req.groupId, group);
    }
    const timestamp = this.now();
    const tooLarge = (o: OffsetCommitEntry): boolean => Buffer.byteLength(o.metadata ?? '', 'utf8') > this.settings.offsetMetadataMaxBytes;
    const accepted: TopicPartitionOffset[] = req.offsets
      .filter((o) => !tooLarge(o))
      .map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, leaderEpoch: -1, metadata: o.metadata ?? '', commitTimestamp: timestamp }));
    let stored: number = ErrorCode.NONE;
    try {
      await this.store.commit(req.groupId, accepted, timestamp);
    } catch (err) {
      stored = commitErrorCode(err);
      this.logger.error('offset commit failed', { group: req.groupId, error: errorMessage(err) });
    }
    return req.offsets.map((o) => ({ topic: o.topic, partition: o.partition, errorCode: tooLarge(o) ? ErrorCode.OFFSET_METADATA_TOO_LARGE : stored }));
  }

  /** Kafka's checks before an OffsetCommit is accepted (NONE = accept). */
  private commitRefusal(req: CommitRequest): number {
    const refused = this.coordinatorError(req.groupId);
    if (refused !== ErrorCode.NONE) return refused;
    const group = this.groups.get(req.groupId);
    if (group === undefined) return req.generationId < 0 ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
    if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (req.generationId < 0 && group.state === 'Empty') return ErrorCode.NONE;
    if (!group.members.has(req.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    // Members of the current generation may commit while a rebalance prepares (before they rejoin),
    // but not between the join and the sync.
    if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    const member = group.members.get(req.memberId);
    if (member !== undefined) this.scheduleSession(group, member);
    return ErrorCode.NONE;
  }

  /** Committed offsets of the requested partitions (-1 when none), or of every partition (null). */
  fetchOffsets(groupId: string, partitions: { topic: string; partition: number }[] | null): { errorCode: number; offsets: FetchedOffset[] } {
    const refused = this.coordinatorError(groupId);
    if (refused !== ErrorCode.NONE) return { errorCode: refused, offsets: [] };
    if (partitions === null) {
      return { errorCode: ErrorCode.NONE, offsets: this.store.all(groupId).map((o) => ({ ...o, errorCode: ErrorCode.NONE })) };
    }
    const offsets = partitions.map(({ topic, partition }) => {
      const o = this.store.get(groupId, topic, partition);
      return { topic, partition, offset: o?.offset ?? -1, leaderEpoch: o?.leaderEpoch ?? -1, metadata: o?.metadata ?? '', errorCode: ErrorCode.NONE };
    });
    return { errorCode: ErrorCode.NONE, offsets };
  }

  listGroups(): GroupListing[] {
    return [...this.groups.values()]
      .filter((g) => g.state !== 'Dead')
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }));
  }

  describeGroups(groupIds: string[]): GroupDescription[] {
    return groupIds.map((groupId) => {
      const refused = this.coordinatorError(groupId);
      if (refused !== ErrorCode.NONE) return { groupId, errorCode: refused, state: 'Dead', protocolType: '', protocolName: '', members: [] };
      const group = this.groups.get(groupId);
      if (group === undefined) return { groupId, errorCode: ErrorCode.NONE, state: 'Dead', protocolType: '', protocolName: '', members: [] };
      const stable = group.state === 'Stable';
      const protocol = stable ? (group.protocolName ?? '') : '';
      return {
        groupId,
        errorCode: ErrorCode.NONE,
        state: group.state,
        protocolType: group.protocolType ?? '',
        protocolName: protocol,
        members: [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          metadata: stable ? m.metadataFor(protocol) : EMPTY_BYTES,
          assignment: stable ? m.assignment : EMPTY_BYTES,
        })),
      };
    });
  }

  /** Deletes Empty groups with their committed offsets (tombstones); NON_EMPTY_GROUP while members exist. */
  async deleteGroups(groupIds: string[]): Promise<{ groupId: string; errorCode: number }[]> {
    const results: { groupId: string; errorCode: number }[] = [];
    for (const groupId of groupIds) results.push({ groupId, errorCode: await this.deleteGroup(groupId) });
    return results;
  }

  private async deleteGroup(groupId: string): Promise<number> {
    const refused = this.coordinatorError(groupId);
    if (refused !== ErrorCode.NONE) return refused;
    const group = this.groups.get(groupId);
    if (group === undefined || group.state === 'Dead') return ErrorCode.GROUP_ID_NOT_FOUND;
    if (group.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP;
    // Dead first, so that joins and commits arriving during the write see a dead group, not a live one.
    group.transitionTo('Dead', this.now());
    for (const timer of group.pendingMembers.values()) clearTimeout(timer);
    group.pendingMembers.clear();
    try {
      await this.store.deleteGroup(groupId, this.now());
    } catch (err) {
      this.logger.error('could not delete the group', { group: groupId, error: errorMessage(err) });
      group.state = 'Empty';
      return commitErrorCode(err);
    }
    this.groups.delete(groupId);
    this.logger.info('deleted group', { group: groupId });
    return ErrorCode.NONE;
  }

  /** Removes every group's committed offsets of a deleted topic. */
  async deleteTopicOffsets(topic: string): Promise<void> {
    const now = this.now();
    for (const groupId of this.store.groupIds()) {
      const doomed = this.store.all(groupId).filter((o) => o.topic === topic);
      if (doomed.length > 0) await this.store.deleteOffsets(groupId, doomed, now);
    }
  }
}

/** How a failed write to `__consumer_offsets` is answered (Kafka's mapping for OffsetCommit). */
function commitErrorCode(err: unknown): number {
  if (err instanceof KafkaError) {
    if (err.errorCode === ErrorCode.MESSAGE_TOO_LARGE || err.errorCode === ErrorCode.RECORD_LIST_TOO_LARGE) return ErrorCode.INVALID_COMMIT_OFFSET_SIZE;
    // Kafka's mapping: the leadership moved → find the coordinator again; too few replicas or a
    // replication timeout → COORDINATOR_NOT_AVAILABLE, which clients retry.
    if (err.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER) return ErrorCode.NOT_COORDINATOR;
  }
  return ErrorCode.COORDINATOR_NOT_AVAILABLE;
}
