// MetadataStore for a cluster: topics, brokers and per-partition replication state in etcd (key layout
// and value encoding in etcd-keys.ts). Every change is a transaction guarded by a compare on what the
// writer read (key version or mod revision), so concurrent writers never lose each other's updates and
// a stale writer is refused. Partition-state writes are additionally fenced: by the controller key and
// controller epoch for controller decisions, by the leader's own live registration for ISR proposals.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Etcd3, IKeyValue, Namespace } from 'etcd3';
import { ErrorCode, KafkaError, UsageError, errorMessage, silentLogger, type Logger } from '../common/index.js';
import { assignReplicas, defaultReplicationFactor } from './assignment.js';
import { decodeBroker, decodeTopic, encodeBroker, encodeTopic, KEY, namespaceFor } from './etcd-keys.js';
import { EtcdPartitions } from './etcd-partitions.js';
import { EtcdSession } from './etcd-session.js';
import { snapshotOf, watchCluster, type ClusterSnapshot, type ClusterWatch, type ClusterWatchListener } from './etcd-watch.js';
import type { BrokerRecord, MetadataStore, NewTopic, TopicRecord } from './metadata-store.js';
import { initialPartitionState } from './partition-state.js';

export interface EtcdMetadataStoreOptions {
  /** etcd client endpoints, "host:port" (as in `--cluster etcd://h1:2379,h2:2379`). */
  endpoints: string[];
  /** Key namespace: everything lives under `/logctl/<clusterName>/`. Default "default". */
  clusterName?: string;
  /** Session lease TTL: a dead broker (or controller) disappears this long after its last keepalive. */
  sessionTtlSeconds?: number;
  /** Deadline of each unary etcd call, so an unreachable etcd fails calls instead of hanging them. */
  callTimeoutMs?: number;
  logger?: Logger;
}

export const DEFAULT_SESSION_TTL_SECONDS = 10;
const DEFAULT_CALL_TIMEOUT_MS = 5000;
const REGISTRATION_RETRY_MS = 500;
const OPTIMISTIC_RETRIES = 10;

export class EtcdMetadataStore implements MetadataStore {
  readonly clusterId: string;
  readonly clusterName: string;
  readonly session: EtcdSession;
  /** Partition-state reads and fenced writes. */
  readonly partitions: EtcdPartitions;
  private registered: BrokerRecord | null = null;
  private readonly watches = new Set<ClusterWatch>();
  private closed = false;

  private constructor(
    private readonly client: Etcd3,
    /** The cluster's namespace (keys relative to `/logctl/<clusterName>/`); the controller writes through it. */
    readonly namespace: Namespace,
    clusterName: string,
    clusterId: string,
    private readonly logger: Logger,
    ttlSeconds: number,
    readonly callTimeoutMs: number,
  ) {
    this.clusterName = clusterName;
    this.clusterId = clusterId;
    this.session = new EtcdSession(namespace, ttlSeconds, logger, callTimeoutMs);
    this.partitions = new EtcdPartitions(namespace, this.session, () => this.registered?.nodeId ?? null);
    this.session.onLost(() => void this.reregister());
  }

  /** Connects, and creates the cluster id on first use. Throws if etcd does not answer in time. */
  static async open(options: EtcdMetadataStoreOptions): Promise<EtcdMetadataStore> {
    const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    // Loaded only in cluster mode: the etcd client pulls in gRPC and protobufjs, which would otherwise
    // weigh on every single-broker start and every CLI call.
    const { Etcd3 } = await import('etcd3');
    const client = new Etcd3({
      hosts: options.endpoints.map((e) => (e.includes('://') ? e : `http://${e}`)),
      dialTimeout: callTimeoutMs,
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: new Date(Date.now() + callTimeoutMs) }),
    });
    const clusterName = options.clusterName ?? 'default';
    const ns = client.namespace(namespaceFor(clusterName));
    try {
      const fresh = randomBytes(16).toString('base64url');
      const res = await ns.if(KEY.clusterId, 'Create', '==', 0).then(ns.put(KEY.clusterId).value(fresh)).else(ns.get(KEY.clusterId)).commit();
      const existing = res.succeeded ? fresh : res.responses[0]?.response_range.kvs[0]?.value.toString();
      if (existing === undefined || existing === '') throw new Error('no cluster id');
      const logger = (options.logger ?? silentLogger).child({ component: 'etcd' });
      return new EtcdMetadataStore(client, ns, clusterName, existing, logger, options.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS, callTimeoutMs);
    } catch (err) {
      client.close();
      throw new UsageError(`cannot reach etcd at ${options.endpoints.join(',')}: ${errorMessage(err)}`, { cause: err });
    }
  }

  async getTopic(name: string): Promise<TopicRecord | undefined> {
    const kv = await this.topicKv(name);
    return kv === undefined ? undefined : topicOf(kv);
  }

  async listTopics(): Promise<TopicRecord[]> {
    const res = await this.namespace.getAll().prefix(KEY.topics).exec();
    return res.kvs.map(topicOf).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Writes the topic and the initial state of each partition (first replica leads, ISR = replicas). */
  async createTopic(topic: NewTopic): Promise<TopicRecord> {
    if (topic.assignments.length !== topic.partitions) {
      throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `expected ${topic.partitions} assignments, got ${topic.assignments.length}`);
    }
    const record = { ...structuredClone(topic), topicId: randomUUID() };
    const controllerEpoch = await this.controllerEpoch();
    const states = record.assignments.map((replicas, p) => initialPartitionState(record.name, record.topicId, p, replicas, controllerEpoch));
    const ok = await this.partitions.createWithTopic(KEY.topic(record.name), encodeTopic(record), states);
    if (!ok) throw new KafkaError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic "${topic.name}" already exists`);
    return { ...record, version: 1 };
  }

  /**
   * Topic creation in a cluster (CreateTopics, auto-creation, `__consumer_offsets`): replicas assigned
   * round-robin over the live brokers; replicationFactor -1 means min(3, live brokers).
   */
  async createTopicOnLiveBrokers(spec: { name: string; partitions: number; replicationFactor: number; configs: Record<string, string> }): Promise<TopicRecord> {
    const live = (await this.listBrokers()).map((b) => b.nodeId);
    if (live.length === 0) throw new KafkaError(ErrorCode.BROKER_NOT_AVAILABLE, 'no live brokers to place replicas on');
    const replicationFactor = spec.replicationFactor === -1 ? defaultReplicationFactor(live.length) : spec.replicationFactor;
    const assignments = assignReplicas(live, spec.partitions, replicationFactor);
    return this.createTopic({ ...spec, replicationFactor, assignments });
  }

  async deleteTopic(name: string, expectedVersion?: number): Promise<void> {
    await this.guardedTopicChange(name, expectedVersion, (_t, kv) =>
      this.namespace
        .if(KEY.topic(name), 'Mod', '==', kv.mod_revision)
        .then(this.namespace.delete().key(KEY.topic(name)), this.namespace.delete().prefix(KEY.topicPartitions(name)))
        .commit(),
    );
  }

  async updateConfigs(name: string, configs: Record<string, string>, expectedVersion?: number): Promise<TopicRecord> {
    let updated: TopicRecord | undefined;
    await this.guardedTopicChange(name, expectedVersion, (t, kv) => {
      updated = { ...t, configs: { ...configs }, version: t.version + 1 };
      return this.namespace.if(KEY.topic(name), 'Mod', '==', kv.mod_revision).then(this.namespace.put(KEY.topic(name)).value(encodeTopic(updated))).commit();
    });
    return updated as TopicRecord;
  }

  async addPartitions(name: string, partitions: number, newAssignments: number[][], expectedVersion?: number): Promise<TopicRecord> {
    let updated: TopicRecord | undefined;
    const controllerEpoch = await this.controllerEpoch();
    await this.guardedTopicChange(name, expectedVersion, async (t, kv) => {
      if (partitions <= t.partitions) throw new KafkaError(ErrorCode.INVALID_PARTITIONS, `topic "${name}" already has ${t.partitions} partitions`);
      if (newAssignments.length !== partitions - t.partitions) {
        throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `expected ${partitions - t.partitions} new assignments`);
      }
      updated = { ...t, partitions, assignments: [...t.assignments, ...newAssignments.map((a) => [...a])], version: t.version + 1 };
      const states = newAssignments.map((replicas, i) => initialPartitionState(name, t.topicId, t.partitions + i, replicas, controllerEpoch));
      const ok = await this.partitions.createWithTopic(KEY.topic(name), encodeTopic(updated), states, kv.mod_revision);
      return { succeeded: ok };
    });
    return updated as TopicRecord;
  }

  /**
   * Registers this broker under its session lease (and again after every lease loss). A node id held by
   * another live session is waited for up to the TTL plus 2 s (a restarted broker's previous lease may
   * still be running out), then refused with UsageError.
   */
  async registerBroker(broker: BrokerRecord): Promise<void> {
    this.registered = { ...broker };
    const deadline = Date.now() + this.session.ttlSeconds * 1000 + 2000;
    for (;;) {
      const holder = await this.tryRegister(broker);
      if (holder === null) return;
      if (Date.now() >= deadline) {
        throw new UsageError(`node id ${broker.nodeId} is already registered by a live broker at ${holder.host}:${holder.port}`);
      }
      await sleep(REGISTRATION_RETRY_MS);
    }
  }

  async listBrokers(): Promise<BrokerRecord[]> {
    const res = await this.namespace.getAll().prefix(KEY.brokers).exec();
    return res.kvs.map((kv) => decodeBroker(kv.key.toString(), kv.value.toString())).sort((a, b) => a.nodeId - b.nodeId);
  }

  /** The current controller epoch (0 before the first controller was ever elected). */
  async controllerEpoch(): Promise<number> {
    const text = await this.namespace.get(KEY.controllerEpoch).string();
    return text === null ? 0 : Number(text);
  }

  /** Brokers, controller, topics and partition states at one etcd revision. */
  async snapshot(): Promise<ClusterSnapshot> {
    return snapshotOf(await this.namespace.getAll().exec());
  }

  /** Delivers every change after `fromRevision` (default: from now), one batch per etcd transaction. */
  async watch(listener: ClusterWatchListener, fromRevision?: string): Promise<ClusterWatch> {
    const w = await watchCluster(this.namespace, listener, fromRevision, this.logger);
    this.watches.add(w);
    return {
      cancel: async () => {
        this.watches.delete(w);
        await w.cancel();
      },
    };
  }

  /**
   * Controlled shutdown, step 1: marks this broker as stopping (`shutting_down/<id>`, on its session
   * lease, so the mark vanishes with the broker). The controller then moves its leaderships to other
   * ISR members and takes it out of every ISR; the broker waits for that before closing its listeners.
   */
  async beginControlledShutdown(): Promise<void> {
    if (this.registered === null) return;
    const leaseId = await this.session.leaseId();
    await this.namespace.put(KEY.shuttingDownBroker(this.registered.nodeId)).value(JSON.stringify({ nodeId: this.registered.nodeId })).lease(leaseId);
  }

  /** Clean shutdown: cancels watches and revokes the session (registration and controller key vanish now). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.watches].map((w) => w.cancel().catch(() => undefined)));
    this.watches.clear();
    await this.session.close();
    this.client.close();
  }

  /** Put-if-absent (or refresh our own key); null on success, else the live broker holding the id. */
  private async tryRegister(broker: BrokerRecord): Promise<BrokerRecord | null> {
    const leaseId = await this.session.leaseId();
    const key = KEY.broker(broker.nodeId);
    const put = this.namespace.put(key).value(encodeBroker(broker)).lease(leaseId);
    const created = await this.namespace.if(key, 'Create', '==', 0).then(put).commit();
    if (created.succeeded) return null;
    const refreshed = await this.namespace.if(key, 'Lease', '==', leaseId).then(put).else(this.namespace.get(key)).commit();
    if (refreshed.succeeded) return null;
    const kv = refreshed.responses[0]?.response_range.kvs[0];
    return kv === undefined ? broker : decodeBroker(key, kv.value.toString());
  }

  /** After a lease loss: register again under a new lease until it works or the store closes. */
  private async reregister(): Promise<void> {
    while (!this.closed && this.registered !== null) {
      try {
        await this.registerBroker(this.registered);
        this.logger.info('re-registered broker after session loss', { nodeId: this.registered.nodeId });
        return;
      } catch (err) {
        this.logger.warn('broker re-registration failed', { error: errorMessage(err) });
        await sleep(REGISTRATION_RETRY_MS);
      }
    }
  }

  private async topicKv(name: string): Promise<IKeyValue | undefined> {
    const res = await this.namespace.get(KEY.topic(name)).exec();
    return res.kvs[0];
  }

  /** Read-check-write with CAS; retried on a lost race unless the caller pinned a version. */
  private async guardedTopicChange(
    name: string,
    expectedVersion: number | undefined,
    write: (topic: TopicRecord, kv: IKeyValue) => Promise<{ succeeded: boolean }>,
  ): Promise<void> {
    for (let attempt = 0; attempt < OPTIMISTIC_RETRIES; attempt++) {
      const kv = await this.topicKv(name);
      if (kv === undefined) throw new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic "${name}" does not exist`);
      const topic = topicOf(kv);
      if (expectedVersion !== undefined && topic.version !== expectedVersion) {
        throw new KafkaError(ErrorCode.INVALID_UPDATE_VERSION, `topic "${name}" is at version ${topic.version}, not ${expectedVersion}`);
      }
      if ((await write(topic, kv)).succeeded) return;
    }
    throw new KafkaError(ErrorCode.INVALID_UPDATE_VERSION, `topic "${name}" kept changing; gave up after ${OPTIMISTIC_RETRIES} attempts`);
  }
}

function topicOf(kv: IKeyValue): TopicRecord {
  return decodeTopic(kv.key.toString(), kv.value.toString(), Number(kv.version));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
