// KafkaClient: the bootstrap connection, ApiVersions negotiation per connection, a metadata cache
// (brokers, topics, partition leaders) and one connection per (broker node, purpose), so requests go to
// each partition's leader. Producer, Consumer and Admin are built on it.
import { ErrorCode, KafkaError, silentLogger, type Logger } from '../common/index.js';
import { ListOffsets, Metadata, type ApiCodec } from '../protocol/index.js';
import { formatBrokerAddress, parseBrokerAddress, type BrokerAddress } from './address.js';
import { KafkaConnection, type RequestOptions } from './connection.js';
import { kafkaError, needsMetadataRefresh, sleep } from './kafka-errors.js';
import { negotiateApiVersions } from './negotiate.js';
import { pickVersion } from './versions.js';

export interface ClientOptions {
  broker: string | BrokerAddress;
  clientId?: string;
  /** Connect deadline, and the time allowed for a new topic's leaders to appear. */
  timeoutMs?: number;
  requestTimeoutMs?: number;
  /** Cached topic metadata older than this is fetched again. */
  metadataMaxAgeMs?: number;
  logger?: Logger;
}

export interface BrokerNode {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionMetadata {
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  errorCode: number;
}

export interface TopicMetadata {
  name: string;
  partitions: PartitionMetadata[];
  errorCode: number;
  isInternal: boolean;
}

export interface ClusterMetadata {
  brokers: BrokerNode[];
  controllerId: number;
  clusterId: string | null;
  topics: TopicMetadata[];
}

/** Separate connections keep a consumer's long-poll fetch from delaying produce and admin responses. */
export type ConnectionPurpose = 'default' | 'fetch';

const RETRY_BACKOFF_MS = 100;

export class KafkaClient {
  readonly bootstrapAddress: BrokerAddress;
  readonly clientId: string;
  readonly logger: Logger;
  readonly timeoutMs: number;
  readonly requestTimeoutMs: number;
  private readonly metadataMaxAgeMs: number;
  private bootstrap: Promise<KafkaConnection>;
  private readonly brokers = new Map<number, BrokerNode>();
  private controllerId = -1;
  /** The node the bootstrap address points at, when it can be told (see learnBrokers). */
  private bootstrapNodeId: number | null = null;
  private readonly connections = new Map<string, Promise<KafkaConnection>>();
  private readonly topicCache = new Map<string, { metadata: TopicMetadata; fetchedAt: number }>();
  private closed = false;

  static async connect(options: ClientOptions): Promise<KafkaClient> {
    const client = new KafkaClient(options);
    await client.bootstrap;
    return client;
  }

  private constructor(options: ClientOptions) {
    this.bootstrapAddress = typeof options.broker === 'string' ? parseBrokerAddress(options.broker) : options.broker;
    this.clientId = options.clientId ?? 'logctl';
    this.logger = options.logger ?? silentLogger;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.metadataMaxAgeMs = options.metadataMaxAgeMs ?? 300_000;
    this.bootstrap = this.openConnection(this.bootstrapAddress);
  }

  /** Opens a connection and negotiates API versions on it. */
  async openConnection(address: BrokerAddress): Promise<KafkaConnection> {
    const conn = await KafkaConnection.open(address, {
      clientId: this.clientId,
      connectTimeoutMs: this.timeoutMs,
      requestTimeoutMs: this.requestTimeoutMs,
      logger: this.logger,
    });
    try {
      conn.versions = await negotiateApiVersions(conn);
    } catch (err) {
      await conn.close();
      throw err;
    }
    return conn;
  }

  /** The connection to the bootstrap address, reopened if it was lost. */
  async bootstrapConnection(): Promise<KafkaConnection> {
    this.checkOpen();
    const current = await this.bootstrap.catch(() => null);
    if (current !== null && !current.isClosed) return current;
    this.bootstrap = this.openConnection(this.bootstrapAddress);
    return this.bootstrap;
  }

  /**
   * The bootstrap broker, or when it cannot be reached any other broker learned from metadata, so a
   * client of a cluster survives the loss of the broker it bootstrapped from.
   */
  private async metadataConnection(): Promise<KafkaConnection> {
    try {
      return await this.bootstrapConnection();
    } catch (err) {
      for (const nodeId of [...this.brokers.keys()]) {
        if (nodeId === this.bootstrapNodeId) continue;
        const conn = await this.connectionFor(nodeId).catch(() => null);
        if (conn !== null) return conn;
      }
      throw err;
    }
  }

  /** A connection to broker `nodeId` (opened on first use, reopened after loss). */
  async connectionFor(nodeId: number, purpose: ConnectionPurpose = 'default'): Promise<KafkaConnection> {
    this.checkOpen();
    if (this.brokers.size === 0 || (!this.brokers.has(nodeId) && nodeId !== this.bootstrapNodeId)) await this.metadata([]);
    if (nodeId === this.bootstrapNodeId && purpose === 'default') return this.bootstrapConnection();
    const key = `${nodeId}/${purpose}`;
    const existing = this.connections.get(key);
    if (existing !== undefined) {
      const conn = await existing.catch(() => null);
      if (conn !== null && !conn.isClosed) return conn;
    }
    const opening = this.openConnection(this.addressOf(nodeId));
    this.connections.set(key, opening);
    opening.catch(() => this.connections.delete(key));
    return opening;
  }

  /** Connection to the controller (admin requests), falling back to the bootstrap broker. */
  async controllerConnection(): Promise<KafkaConnection> {
    if (this.controllerId < 0) await this.metadata([]);
    return this.controllerId >= 0 ? this.connectionFor(this.controllerId) : this.bootstrapConnection();
  }

  /** The version this client sends for `codec` on `conn`. */
  versionFor(conn: KafkaConnection, codec: ApiCodec<unknown, unknown>): number {
    return pickVersion(codec, conn.versions);
  }

  /** Sends `request` at the negotiated version. */
  request<Req, Res>(conn: KafkaConnection, codec: ApiCodec<Req, Res>, request: Req, options?: RequestOptions): Promise<Res> {
    return conn.send(codec, pickVersion(codec, conn.versions), request, options);
  }

  /**
   * Metadata for `topics` (null = all topics, [] = brokers only). Updates the broker list and the topic
   * cache. Per-topic errors are returned in errorCode, not thrown.
   */
  async metadata(topics: string[] | null, allowAutoTopicCreation = false): Promise<ClusterMetadata> {
    const conn = await this.metadataConnection();
    const res = await this.request(conn, Metadata, {
      topics: topics === null ? null : topics.map((name) => ({ name })),
      allowAutoTopicCreation,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    });
    const brokers = res.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }));
    this.learnBrokers(brokers, res.controllerId);
    const now = Date.now();
    const result: TopicMetadata[] = res.topics.map((t) => ({
      name: t.name,
      errorCode: t.errorCode,
      isInternal: t.isInternal,
      partitions: t.partitions
        .map((p) => ({
          partition: p.partitionIndex,
          leader: p.leaderId,
          replicas: [...p.replicaNodes],
          isr: [...p.isrNodes],
          errorCode: p.errorCode,
        }))
        .sort((a, b) => a.partition - b.partition),
    }));
    for (const t of result) {
      if (t.errorCode === ErrorCode.NONE) this.topicCache.set(t.name, { metadata: t, fetchedAt: now });
      else this.topicCache.delete(t.name);
    }
    return { brokers, controllerId: res.controllerId, clusterId: res.clusterId, topics: result };
  }

  /**
   * Metadata of one topic, from the cache when fresh. Waits (up to timeoutMs) while the topic or its
   * leaders are not available yet (just auto-created); throws KafkaError when it does not exist.
   */
  async topicMetadata(topic: string, options: { autoCreate?: boolean; refresh?: boolean } = {}): Promise<TopicMetadata> {
    const cached = this.topicCache.get(topic);
    if (!options.refresh && cached !== undefined && Date.now() - cached.fetchedAt < this.metadataMaxAgeMs) {
      return cached.metadata;
    }
    const deadline = Date.now() + this.timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const res = await this.metadata([topic], options.autoCreate ?? false);
      const t = res.topics.find((x) => x.name === topic) ?? res.topics[0];
      const errorCode = t === undefined ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : t.errorCode;
      const waiting =
        errorCode === ErrorCode.LEADER_NOT_AVAILABLE ||
        // A broker creating the topic answers LEADER_NOT_AVAILABLE; UNKNOWN_TOPIC_OR_PARTITION despite
        // allowAutoTopicCreation usually means auto-creation is off, so it is retried only briefly.
        (errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && options.autoCreate === true && attempt < 2) ||
        (t !== undefined && errorCode === ErrorCode.NONE && t.partitions.some((p) => p.leader < 0));
      if (t !== undefined && errorCode === ErrorCode.NONE && !waiting) return t;
      if (!waiting || Date.now() >= deadline) {
        if (errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
          throw kafkaError(errorCode, `topic "${topic}" does not exist`);
        }
        throw kafkaError(errorCode === ErrorCode.NONE ? ErrorCode.LEADER_NOT_AVAILABLE : errorCode, `topic "${topic}"`);
      }
      await sleep(Math.min(RETRY_BACKOFF_MS * 2 ** attempt, 1000));
    }
  }

  /** Forgets a topic's cached metadata (after leader errors, topic deletion, partition changes). */
  invalidateTopic(topic: string): void {
    this.topicCache.delete(topic);
  }

  /** The leader of a partition; throws KafkaError(UNKNOWN_TOPIC_OR_PARTITION) if the partition does not exist. */
  async leaderFor(topic: string, partition: number, refresh = false): Promise<number> {
    const t = await this.topicMetadata(topic, { refresh });
    const p = t.partitions.find((x) => x.partition === partition);
    if (p === undefined) {
      throw kafkaError(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        `topic "${topic}" has no partition ${partition} (it has ${t.partitions.length})`,
      );
    }
    return p.leader;
  }

  /**
   * ListOffsets: for each partition the offset for `timestamp` (-2 earliest, -1 latest, else the first
   * offset whose timestamp is >= it). A timestamp lookup with no such record gives offset -1.
   */
  async listOffsets(topic: string, partitions: number[], timestamp: number): Promise<Map<number, { offset: number; timestamp: number }>> {
    const result = new Map<number, { offset: number; timestamp: number }>();
    let remaining = [...partitions];
    for (let attempt = 0; remaining.length > 0; attempt++) {
      const byLeader = new Map<number, number[]>();
      for (const p of remaining) {
        const leader = await this.leaderFor(topic, p, attempt > 0);
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), p]);
      }
      const retry: number[] = [];
      let lastError: KafkaError | null = null;
      await Promise.all(
        [...byLeader].map(async ([leader, parts]) => {
          const conn = await this.connectionFor(leader);
          const res = await this.request(conn, ListOffsets, {
            replicaId: -1,
            isolationLevel: 0,
            topics: [
              {
                name: topic,
                partitions: parts.map((p) => ({
                  partitionIndex: p,
                  timestamp: BigInt(timestamp),
                  maxNumOffsets: 1,
                })),
              },
            ],
          });
          for (const t of res.topics) {
            for (const p of t.partitions) {
              if (p.errorCode === ErrorCode.NONE) {
                result.set(p.partitionIndex, { offset: Number(p.offset), timestamp: Number(p.timestamp) });
              } else {
                lastError = kafkaError(p.errorCode, `list offsets of ${topic}/${p.partitionIndex}`);
                if (!needsMetadataRefresh(p.errorCode)) throw lastError;
                retry.push(p.partitionIndex);
              }
            }
          }
        }),
      );
      if (retry.length > 0) {
        if (attempt >= 3 && lastError !== null) throw lastError;
        this.invalidateTopic(topic);
        await sleep(RETRY_BACKOFF_MS * 2 ** attempt);
      }
      remaining = retry;
    }
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = [this.bootstrap, ...this.connections.values()];
    this.connections.clear();
    await Promise.all(all.map(async (p) => (await p.catch(() => null))?.close()));
  }

  private checkOpen(): void {
    if (this.closed) throw new KafkaError(ErrorCode.NETWORK_EXCEPTION, 'the client is closed');
  }

  /** Where to reach broker `nodeId` (the bootstrap address for the bootstrap broker). */
  async brokerAddress(nodeId: number): Promise<BrokerAddress> {
    if (!this.brokers.has(nodeId) && nodeId !== this.bootstrapNodeId) await this.metadata([]);
    return this.addressOf(nodeId);
  }

  private addressOf(nodeId: number): BrokerAddress {
    if (nodeId === this.bootstrapNodeId) return this.bootstrapAddress;
    const node = this.brokers.get(nodeId);
    if (node === undefined) {
      throw kafkaError(ErrorCode.BROKER_NOT_AVAILABLE, `broker ${nodeId} is not in the cluster metadata from ${formatBrokerAddress(this.bootstrapAddress)}`);
    }
    return { host: node.host, port: node.port };
  }

  /**
   * Remembers the brokers. The bootstrap address is tied to a node id when it matches an advertised
   * host:port, or when there is a single broker: then that node is reached through the bootstrap address
   * itself, which matters for a Unix socket (the advertised address is TCP and may not be reachable).
   */
  private learnBrokers(brokers: BrokerNode[], controllerId: number): void {
    if (brokers.length > 0) {
      this.brokers.clear();
      for (const b of brokers) this.brokers.set(b.nodeId, b);
    }
    this.controllerId = controllerId;
    const boot = this.bootstrapAddress;
    const match = 'path' in boot ? undefined : brokers.find((b) => b.host === boot.host && b.port === boot.port);
    if (match !== undefined) this.bootstrapNodeId = match.nodeId;
    else if (brokers.length === 1) this.bootstrapNodeId = brokers[0]?.nodeId ?? null;
    // A cluster broker that re-registered elsewhere is no longer the one behind the bootstrap address.
    else if (!('path' in boot) && brokers.length > 1) this.bootstrapNodeId = null;
  }
}
