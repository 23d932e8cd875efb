// What `group describe` and `group list` show: a group's state and members joined with, per partition,
// the committed offset, the log end offset (high watermark) and the lag between them. The partitions
// are those the group has committed offsets for plus those assigned to its members.
import { GroupAdmin, type GroupDescription, type KafkaClient } from '../client/index.js';
import { ErrorCode, KafkaError } from '../common/index.js';

export interface GroupPartitionView {
  topic: string;
  partition: number;
  /** null: nothing committed yet. */
  committedOffset: number | null;
  /** null: the topic no longer exists. */
  logEndOffset: number | null;
  /** logEndOffset - committedOffset (never negative); null when either is unknown. */
  lag: number | null;
  /** The member the partition is assigned to, if any. */
  memberId: string | null;
}

export interface GroupMemberView {
  memberId: string;
  clientId: string;
  host: string;
  assignment: { topic: string; partitions: number[] }[];
}

export interface GroupView {
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: GroupMemberView[];
  partitions: GroupPartitionView[];
  totalLag: number;
}

function compareTopicPartition(a: { topic: string; partition: number }, b: { topic: string; partition: number }): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

/** Log end offsets by topic, null for topics that do not exist any more. */
async function logEndOffsets(client: KafkaClient, partitions: { topic: string; partition: number }[]): Promise<Map<string, Map<number, number> | null>> {
  const byTopic = new Map<string, number[]>();
  for (const { topic, partition } of partitions) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
  const out = new Map<string, Map<number, number> | null>();
  await Promise.all(
    [...byTopic].map(async ([topic, ids]) => {
      try {
        const found = await client.listOffsets(topic, ids, -1);
        out.set(topic, new Map([...found].map(([p, { offset }]) => [p, offset])));
      } catch (err: unknown) {
        if (err instanceof KafkaError && err.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) out.set(topic, null);
        else throw err;
      }
    }),
  );
  return out;
}

async function viewOf(client: KafkaClient, admin: GroupAdmin, group: GroupDescription): Promise<GroupView> {
  const committed = (await admin.fetchOffsets(group.groupId)).filter((o) => o.offset >= 0);
  const owner = new Map<string, string>();
  for (const m of group.members) for (const a of m.assignment) for (const p of a.partitions) owner.set(`${a.topic}\u0000${p}`, m.memberId);
  const keys = new Map<string, { topic: string; partition: number }>();
  for (const o of committed) keys.set(`${o.topic}\u0000${o.partition}`, { topic: o.topic, partition: o.partition });
  for (const m of group.members) for (const a of m.assignment) for (const p of a.partitions) keys.set(`${a.topic}\u0000${p}`, { topic: a.topic, partition: p });
  const list = [...keys.values()].sort(compareTopicPartition);
  const ends = await logEndOffsets(client, list);
  const partitions = list.map(({ topic, partition }) => {
    const committedOffset = committed.find((o) => o.topic === topic && o.partition === partition)?.offset ?? null;
    const topicEnds = ends.get(topic);
    const logEndOffset = topicEnds === null || topicEnds === undefined ? null : (topicEnds.get(partition) ?? null);
    const lag = committedOffset === null || logEndOffset === null ? null : Math.max(0, logEndOffset - committedOffset);
    return { topic, partition, committedOffset, logEndOffset, lag, memberId: owner.get(`${topic}\u0000${partition}`) ?? null };
  });
  return {
    groupId: group.groupId,
    state: group.state,
    protocolType: group.protocolType,
    protocol: group.protocol,
    members: group.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, host: m.clientHost, assignment: m.assignment })),
    partitions,
    totalLag: partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0),
  };
}

/** Views of the groups; a group with no members and no committed offsets does not exist (GROUP_ID_NOT_FOUND). */
export async function describeGroupViews(client: KafkaClient, groupIds: string[]): Promise<GroupView[]> {
  const admin = new GroupAdmin(client);
  const groups = await admin.describeGroups(groupIds);
  const views = await Promise.all(groups.map((g) => viewOf(client, admin, g)));
  const missing = views.find((v) => v.state === 'Dead' && v.partitions.length === 0);
  if (missing !== undefined) throw new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, `group '${missing.groupId}' does not exist`);
  return views;
}
