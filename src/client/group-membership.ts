// GroupMembership: one member of a consumer group under the classic rebalance protocol.
//
//   join()       FindCoordinator → JoinGroup (v4: MEMBER_ID_REQUIRED hands out the member id, join again
//                with it) → the leader runs the assignor over every member's subscription → SyncGroup
//                → this member's assignment. Rejoins by itself on REBALANCE_IN_PROGRESS and
//                ILLEGAL_GENERATION, starts over with no member id on UNKNOWN_MEMBER_ID, and looks the
//                coordinator up again on NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE / lost connections.
//   heartbeats   every heartbeatIntervalMs while the generation lasts; REBALANCE_IN_PROGRESS (another
//                member joined or left), a fenced generation or a lost coordinator call `onRejoin`, after
//                which the owner commits what it consumed, stops fetching and calls join() again.
//   commit()     OffsetCommit with this generation and member id.
//   leave()      LeaveGroup, so the others rebalance at once instead of after the session timeout.
//
// The coordinator connection is this member's own: a JoinGroup can wait a whole rebalance and the
// broker answers a connection's requests in order, so sharing it would stall unrelated requests.
// Not safe for concurrent join() calls; heartbeats and commits may overlap (they are pipelined).
import { ConnectionError, ErrorCode, KafkaError, silentLogger, errorMessage, type Logger } from '../common/index.js';
import { Heartbeat, JoinGroup, LeaveGroup, OffsetCommit, SyncGroup, type JoinGroupResponse } from '../protocol/index.js';
import { rangeAssignor, roundRobinAssignor, type Assignor } from './assignors.js';
import type { KafkaClient } from './client.js';
import type { KafkaConnection } from './connection.js';
import { CONSUMER_PROTOCOL_TYPE, decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, type TopicPartitions } from './consumer-protocol.js';
import type { OffsetToCommit } from './group-admin.js';
import { findGroupCoordinator, isCoordinatorError } from './group-coordinator-lookup.js';
import { kafkaError, sleep } from './kafka-errors.js';

export interface GroupMembershipOptions {
  groupId: string;
  topics: string[];
  /** Offered in preference order; the coordinator picks one every member offers. Default range, roundrobin. */
  assignors?: Assignor[];
  /** Without a heartbeat for this long the coordinator removes the member (broker bounds: 6 s to 30 min). */
  sessionTimeoutMs?: number;
  /** How long the coordinator waits for every member to rejoin during a rebalance. */
  rebalanceTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  logger?: Logger;
}

export interface Generation {
  generationId: number;
  memberId: string;
  isLeader: boolean;
  /** The assignor the group agreed on. */
  protocol: string;
  assignment: TopicPartitions;
}

const BACKOFF_MS = 200;
const MAX_JOIN_FAILURES = 10;

export class GroupMembership {
  readonly groupId: string;
  memberId = '';
  generationId = -1;
  private readonly client: KafkaClient;
  private readonly topics: string[];
  private readonly assignors: Assignor[];
  private readonly sessionTimeoutMs: number;
  private readonly rebalanceTimeoutMs: number;
  private readonly heartbeatIntervalMs: number;
  private readonly logger: Logger;
  private conn: Promise<KafkaConnection> | null = null;

  constructor(client: KafkaClient, options: GroupMembershipOptions) {
    this.client = client;
    this.groupId = options.groupId;
    this.topics = [...options.topics];
    this.assignors = options.assignors ?? [rangeAssignor, roundRobinAssignor];
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 10_000;
    this.rebalanceTimeoutMs = options.rebalanceTimeoutMs ?? 30_000;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? Math.min(1000, Math.floor(this.sessionTimeoutMs / 3));
    this.logger = options.logger ?? silentLogger;
  }

  /** Joins (or rejoins) the group and returns this member's assignment. Rejects when `signal` aborts. */
  async join(signal?: AbortSignal): Promise<Generation> {
    let failures = 0;
    for (;;) {
      if (signal?.aborted) throw new ConnectionError(`joining group "${this.groupId}" was interrupted`);
      try {
        const generation = await this.joinOnce(signal);
        if (generation !== null) return generation;
      } catch (err: unknown) {
        // A join interrupted mid-request leaves the reply pending on the connection: never reuse it.
        this.dropConnection();
        if (signal?.aborted || !(err instanceof ConnectionError) || ++failures > MAX_JOIN_FAILURES) throw err;
        this.logger.warn('lost the group coordinator while joining, retrying', { group: this.groupId, error: errorMessage(err) });
      }
      await sleep(BACKOFF_MS, signal);
    }
  }

  /** One JoinGroup + SyncGroup round; null = try again (the error said how). */
  private async joinOnce(signal: AbortSignal | undefined): Promise<Generation | null> {
    const conn = await this.coordinator();
    const timeoutMs = this.rebalanceTimeoutMs + this.client.requestTimeoutMs;
    const options = signal ? { timeoutMs, signal } : { timeoutMs };
    const join = await this.client.request(conn, JoinGroup, {
      groupId: this.groupId,
      sessionTimeoutMs: this.sessionTimeoutMs,
      rebalanceTimeoutMs: this.rebalanceTimeoutMs,
      memberId: this.memberId,
      protocolType: CONSUMER_PROTOCOL_TYPE,
      protocols: this.assignors.map((a) => ({ name: a.name, metadata: encodeSubscription(this.topics) })),
    }, options);
    if (join.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      this.memberId = join.memberId;
      return null;
    }
    if (!this.retriable(join.errorCode)) throw kafkaError(join.errorCode, `join group "${this.groupId}"`);
    if (join.errorCode !== ErrorCode.NONE) return null;
    this.memberId = join.memberId;
    this.generationId = join.generationId;
    const isLeader = join.leader === join.memberId;
    const assignments = isLeader ? await this.assign(join) : [];
    const sync = await this.client.request(conn, SyncGroup, {
      groupId: this.groupId,
      generationId: this.generationId,
      memberId: this.memberId,
      assignments,
    }, options);
    if (!this.retriable(sync.errorCode)) throw kafkaError(sync.errorCode, `sync group "${this.groupId}"`);
    if (sync.errorCode !== ErrorCode.NONE) return null;
    const { assignment } = decodeAssignment(sync.assignment);
    this.logger.debug('joined the group', { group: this.groupId, generation: this.generationId, member: this.memberId, leader: isLeader });
    return { generationId: this.generationId, memberId: this.memberId, isLeader, protocol: join.protocolName, assignment };
  }

  /** Error codes after which joining again may succeed; resets what the error invalidated. */
  private retriable(errorCode: number): boolean {
    if (errorCode === ErrorCode.NONE || errorCode === ErrorCode.REBALANCE_IN_PROGRESS || errorCode === ErrorCode.ILLEGAL_GENERATION) return true;
    if (errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
      this.memberId = '';
      return true;
    }
    if (isCoordinatorError(errorCode)) {
      this.dropConnection();
      return true;
    }
    return false;
  }

  /** The leader's part: run the agreed assignor over every member's subscription. */
  private async assign(join: JoinGroupResponse): Promise<{ memberId: string; assignment: Buffer }[]> {
    const assignor = this.assignors.find((a) => a.name === join.protocolName);
    if (assignor === undefined) throw kafkaError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, `group "${this.groupId}" chose unknown assignor "${join.protocolName}"`);
    const members = join.members.map((m) => ({ memberId: m.memberId, topics: decodeSubscription(m.metadata).topics }));
    const partitions = new Map<string, number[]>();
    for (const topic of new Set(members.flatMap((m) => m.topics))) {
      try {
        const meta = await this.client.topicMetadata(topic, { refresh: true });
        partitions.set(topic, meta.partitions.map((p) => p.partition));
      } catch (err: unknown) {
        // A subscribed topic that does not exist (yet) gets no partitions, as in Kafka.
        if (!(err instanceof KafkaError)) throw err;
      }
    }
    const result = assignor.assign(members, partitions);
    return [...result].map(([memberId, topics]) => ({ memberId, assignment: encodeAssignment(topics) }));
  }

  /**
   * Heartbeats for the current generation until the returned stop function is called. `onRejoin` is
   * called once when the member must rejoin (the heartbeats stop then).
   */
  startHeartbeats(onRejoin: (reason: string) => void): () => void {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const generationId = this.generationId;
    const beat = async (): Promise<void> => {
      let reason: string | null = null;
      try {
        const conn = await this.coordinator();
        const res = await this.client.request(conn, Heartbeat, { groupId: this.groupId, generationId, memberId: this.memberId });
        if (res.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) this.memberId = '';
        if (isCoordinatorError(res.errorCode)) this.dropConnection();
        if (res.errorCode !== ErrorCode.NONE) reason = kafkaError(res.errorCode, 'heartbeat').message;
      } catch (err: unknown) {
        this.dropConnection();
        reason = errorMessage(err);
      }
      if (stopped) return;
      if (reason !== null) {
        stopped = true;
        this.logger.debug('rejoining the group', { group: this.groupId, reason });
        onRejoin(reason);
        return;
      }
      timer = setTimeout(() => void beat(), this.heartbeatIntervalMs);
    };
    timer = setTimeout(() => void beat(), this.heartbeatIntervalMs);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  /** Commits offsets for this generation; throws a KafkaError (e.g. REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION). */
  async commit(offsets: OffsetToCommit[]): Promise<void> {
    if (offsets.length === 0) return;
    const byTopic = new Map<string, OffsetToCommit[]>();
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
    const conn = await this.coordinator();
    const res = await this.client.request(conn, OffsetCommit, {
      groupId: this.groupId,
      generationIdOrMemberEpoch: this.generationId,
      memberId: this.memberId,
      retentionTimeMs: -1n,
      topics: [...byTopic].map(([name, list]) => ({
        name,
        partitions: list.map((o) => ({ partitionIndex: o.partition, committedOffset: BigInt(o.offset), committedMetadata: o.metadata ?? null })),
      })),
    });
    const bad = res.topics.flatMap((t) => t.partitions).find((p) => p.errorCode !== ErrorCode.NONE);
    if (bad !== undefined) {
      if (isCoordinatorError(bad.errorCode)) this.dropConnection();
      throw kafkaError(bad.errorCode, `commit offsets of group "${this.groupId}"`);
    }
  }

  /** Leaves the group (best effort: a failure only means the coordinator waits for the session timeout). */
  async leave(): Promise<void> {
    if (this.memberId === '') return this.close();
    try {
      const conn = await this.coordinator();
      await this.client.request(conn, LeaveGroup, { groupId: this.groupId, memberId: this.memberId }, { timeoutMs: 5000 });
    } catch (err: unknown) {
      this.logger.warn('could not leave the group', { group: this.groupId, error: errorMessage(err) });
    }
    this.memberId = '';
    this.generationId = -1;
    await this.close();
  }

  async close(): Promise<void> {
    const conn = this.conn;
    this.conn = null;
    await (await conn?.catch(() => null))?.close();
  }

  private dropConnection(): void {
    const conn = this.conn;
    this.conn = null;
    void conn?.then((c) => c.destroy(), () => undefined);
  }

  /** The coordinator connection, opened once even when a heartbeat and a commit ask at the same time. */
  private async coordinator(): Promise<KafkaConnection> {
    const current = this.conn;
    if (current !== null) {
      const conn = await current.catch(() => null);
      if (conn !== null && !conn.isClosed) return conn;
      if (this.conn === current) this.conn = null;
    }
    if (this.conn === null) {
      const opening = (async () => {
        const nodeId = await findGroupCoordinator(this.client, this.groupId);
        return this.client.openConnection(await this.client.brokerAddress(nodeId));
      })();
      this.conn = opening;
      opening.catch(() => {
        if (this.conn === opening) this.conn = null;
      });
    }
    return this.conn;
  }
}
