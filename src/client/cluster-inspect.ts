// What `logctl cluster inspect` shows: the brokers, the controller, every topic's partitions (leader,
// replicas, ISR, log start, high watermark, log end), each group's total lag, and a health verdict.
//
// Sources, all over the Kafka protocol (no broker internals):
//   - Metadata (all topics) from the broker the user pointed at: brokers, controller, leaders, replicas,
//     ISR, and the leader epoch when the broker answers Metadata v7+ (null otherwise).
//   - ListOffsets earliest/latest, one request of each per leader: logStartOffset and highWatermark.
//   - OffsetForLeaderEpoch for epoch INT32_MAX, per leader: the end offset of the newest epoch in the
//     leader's log, i.e. its log end offset (which runs ahead of the high watermark while followers catch
//     up). A log with no epoch entry yet has written nothing since its start: its end is the high watermark.
//   - DescribeConfigs: min.insync.replicas per topic.
//   - ListGroups + OffsetFetch: committed offsets, lag = highWatermark - committed.
// A partition whose leader cannot be reached keeps null offsets instead of failing the whole inspection,
// so a degraded cluster can still be inspected.
import { ErrorCode, KafkaError } from '../common/index.js';
import { ListOffsets, Metadata, OffsetForLeaderEpoch } from '../protocol/index.js';
import { Admin } from './admin.js';
import type { KafkaClient } from './client.js';
import { clusterHealth, type ClusterHealth } from './cluster-health.js';
import { GroupAdmin } from './group-admin.js';

const NEWEST_EPOCH = 2 ** 31 - 1;
const EARLIEST = -2n;
const LATEST = -1n;

export interface InspectedBroker {
  id: number;
  /** host:port as registered; null for a replica that is not registered (down). */
  address: string | null;
  /** Registered in the cluster metadata (its session is live); replicas missing from it are not alive. */
  alive: boolean;
  controller: boolean;
}

export interface InspectedPartition {
  partition: number;
  /** -1: no leader. */
  leader: number;
  /** null when the broker does not report it (Metadata before v7). */
  leaderEpoch: number | null;
  replicas: number[];
  isr: number[];
  /** null when the leader could not answer. */
  logStartOffset: number | null;
  highWatermark: number | null;
  logEndOffset: number | null;
}

export interface InspectedTopic {
  name: string;
  internal: boolean;
  /** The topic's effective min.insync.replicas; null if DescribeConfigs did not give it. */
  minInsyncReplicas: number | null;
  partitions: InspectedPartition[];
}

export interface InspectedGroup {
  groupId: string;
  /** Sum over committed partitions of highWatermark - committed (never negative); null if unknown. */
  totalLag: number | null;
}

export interface ClusterInspection {
  clusterId: string | null;
  brokers: InspectedBroker[];
  /** The controller's broker id; null when there is none (a cluster between controllers). */
  controller: number | null;
  topics: InspectedTopic[];
  health: ClusterHealth;
  groups: InspectedGroup[];
}

type Offsets = { logStartOffset: number | null; highWatermark: number | null; logEndOffset: number | null };
const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** Inspects the cluster through `client`; internal topics are listed only with includeInternal (health always covers them). */
export async function inspectCluster(client: KafkaClient, options: { includeInternal?: boolean } = {}): Promise<ClusterInspection> {
  const md = await client.request(await client.bootstrapConnection(), Metadata, {
    topics: null,
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  });
  const controller = md.controllerId >= 0 ? md.controllerId : null;
  const topicsMd = md.topics.filter((t) => t.errorCode === ErrorCode.NONE).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const [offsets, minIsr] = await Promise.all([partitionOffsets(client, topicsMd), minInsyncReplicas(client, topicsMd.map((t) => t.name))]);

  const registered = new Map(md.brokers.map((b) => [b.nodeId, `${b.host}:${b.port}`]));
  const ids = new Set([...registered.keys()]);
  for (const t of topicsMd) for (const p of t.partitions) for (const r of p.replicaNodes) ids.add(r);
  const brokers = [...ids]
    .sort((a, b) => a - b)
    .map((id) => ({ id, address: registered.get(id) ?? null, alive: registered.has(id), controller: id === controller }));

  const all: InspectedTopic[] = topicsMd.map((t) => ({
    name: t.name,
    internal: t.isInternal,
    minInsyncReplicas: minIsr.get(t.name) ?? null,
    partitions: [...t.partitions]
      .sort((a, b) => a.partitionIndex - b.partitionIndex)
      .map((p) => ({
        partition: p.partitionIndex,
        leader: p.leaderId,
        leaderEpoch: p.leaderEpoch >= 0 ? p.leaderEpoch : null,
        replicas: [...p.replicaNodes],
        isr: [...p.isrNodes],
        ...(offsets.get(key(t.name, p.partitionIndex)) ?? { logStartOffset: null, highWatermark: null, logEndOffset: null }),
      })),
  }));
  const { groups, problem } = await groupLags(client, offsets);
  const health = clusterHealth({ controller, topics: all });
  if (problem !== null) health.problems.push(problem);
  health.healthy = health.problems.length === 0;
  return {
    clusterId: md.clusterId,
    brokers,
    controller,
    topics: options.includeInternal ? all : all.filter((t) => !t.internal),
    health,
    groups,
  };
}

/** Offsets of every partition with a leader, asked from each leader in one request per kind. */
async function partitionOffsets(
  client: KafkaClient,
  topics: { name: string; partitions: { partitionIndex: number; leaderId: number }[] }[],
): Promise<Map<string, Offsets>> {
  const byLeader = new Map<number, Map<string, number[]>>();
  for (const t of topics) {
    for (const p of t.partitions) {
      if (p.leaderId < 0) continue;
      const perTopic = byLeader.get(p.leaderId) ?? new Map<string, number[]>();
      perTopic.set(t.name, [...(perTopic.get(t.name) ?? []), p.partitionIndex]);
      byLeader.set(p.leaderId, perTopic);
    }
  }
  const out = new Map<string, Offsets>();
  await Promise.all([...byLeader].map(([leader, perTopic]) => leaderOffsets(client, leader, perTopic, out)));
  return out;
}

async function leaderOffsets(client: KafkaClient, leader: number, perTopic: Map<string, number[]>, out: Map<string, Offsets>): Promise<void> {
  let conn;
  try {
    conn = await client.connectionFor(leader);
  } catch {
    return; // An unreachable leader: its partitions keep null offsets (and the leader shows up in health).
  }
  const listAt = (timestamp: bigint) =>
    client.request(conn, ListOffsets, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [...perTopic].map(([name, ids]) => ({ name, partitions: ids.map((partitionIndex) => ({ partitionIndex, timestamp, maxNumOffsets: 1 })) })),
    });
  const [earliest, latest, ends] = await Promise.all([
    listAt(EARLIEST),
    listAt(LATEST),
    client.request(conn, OffsetForLeaderEpoch, {
      replicaId: -1,
      topics: [...perTopic].map(([topic, ids]) => ({ topic, partitions: ids.map((partition) => ({ partition, currentLeaderEpoch: -1, leaderEpoch: NEWEST_EPOCH })) })),
    }),
  ]);
  const found = (res: typeof earliest, topic: string, partition: number): number | null => {
    const p = res.topics.find((t) => t.name === topic)?.partitions.find((x) => x.partitionIndex === partition);
    return p !== undefined && p.errorCode === ErrorCode.NONE ? Number(p.offset) : null;
  };
  for (const [topic, ids] of perTopic) {
    for (const partition of ids) {
      const highWatermark = found(latest, topic, partition);
      const end = ends.topics.find((t) => t.topic === topic)?.partitions.find((x) => x.partition === partition);
      const leo = end !== undefined && end.errorCode === ErrorCode.NONE && end.endOffset >= 0n ? Number(end.endOffset) : null;
      out.set(key(topic, partition), {
        logStartOffset: found(earliest, topic, partition),
        highWatermark,
        logEndOffset: leo !== null && (highWatermark === null || leo >= highWatermark) ? leo : highWatermark,
      });
    }
  }
}

/** min.insync.replicas of each topic (its override or the broker default). */
async function minInsyncReplicas(client: KafkaClient, topics: string[]): Promise<Map<string, number>> {
  const admin = new Admin(client);
  const out = new Map<string, number>();
  await Promise.all(
    topics.map(async (topic) => {
      try {
        const value = (await admin.describeConfigs(topic)).find((c) => c.name === 'min.insync.replicas')?.value;
        if (value !== undefined && value !== null && /^\d+$/.test(value)) out.set(topic, Number(value));
      } catch (err: unknown) {
        // Deleted between Metadata and DescribeConfigs: nothing to check.
        if (!(err instanceof KafkaError && err.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)) throw err;
      }
    }),
  );
  return out;
}

/** Total lag per group; a group listing that fails is a health problem rather than a failed inspection. */
async function groupLags(client: KafkaClient, offsets: Map<string, Offsets>): Promise<{ groups: InspectedGroup[]; problem: string | null }> {
  const admin = new GroupAdmin(client);
  let listed;
  try {
    listed = await admin.listGroups();
  } catch (err: unknown) {
    return { groups: [], problem: `cannot list consumer groups: ${err instanceof Error ? err.message : String(err)}` };
  }
  const groups = await Promise.all(
    listed.map(async ({ groupId }) => {
      try {
        const committed = (await admin.fetchOffsets(groupId)).filter((o) => o.offset >= 0);
        let totalLag = 0;
        for (const o of committed) {
          const hw = offsets.get(key(o.topic, o.partition))?.highWatermark;
          if (hw !== undefined && hw !== null) totalLag += Math.max(0, hw - o.offset);
        }
        return { groupId, totalLag };
      } catch {
        return { groupId, totalLag: null };
      }
    }),
  );
  return { groups, problem: null };
}
