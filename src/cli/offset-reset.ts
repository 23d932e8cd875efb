// `logctl offset-reset`: plans new committed offsets for a group (Kafka's kafka-consumer-groups
// --reset-offsets), then applies them with a commit outside group membership, which the coordinator
// accepts only while the group has no members. Every strategy but --shift-by is an offset-spec
// position resolved per partition; all new offsets are clamped into [logStartOffset, logEndOffset].
import { GroupAdmin, type KafkaClient } from '../client/index.js';
import { LogctlError, UsageError } from '../common/index.js';
import { topicPartitions, listOffsetLookups } from './consume-stream.js';
import { parseOffsetPosition, parseOffsetSpec, resolveOffsetSpec, type OffsetPosition } from './offset-spec.js';

export type ResetStrategy = { kind: 'position'; position: OffsetPosition } | { kind: 'shift'; by: number };

export interface TopicSelector {
  topic: string;
  /** undefined: every partition of the topic. */
  partitions?: number[];
}

export interface ResetPlanEntry {
  topic: string;
  partition: number;
  /** null: the group has no committed offset for the partition. */
  currentOffset: number | null;
  newOffset: number;
}

/** The group has members: its offsets belong to them (exit 1). */
export class GroupNotInactiveError extends LogctlError {
  readonly code = 'GROUP_NOT_INACTIVE';
}

/** `T` or `T:P,P,...` (partitions are non-negative integers). */
export function parseTopicSelector(text: string): TopicSelector {
  const at = text.lastIndexOf(':');
  if (at < 0) {
    if (text === '') throw new UsageError('--topic needs a topic name');
    return { topic: text };
  }
  const topic = text.slice(0, at);
  const list = text.slice(at + 1).split(',');
  if (topic === '' || list.some((p) => !/^\d+$/.test(p))) {
    throw new UsageError(`invalid --topic '${text}': expected TOPIC or TOPIC:PARTITION[,PARTITION...]`);
  }
  return { topic, partitions: [...new Set(list.map(Number))].sort((a, b) => a - b) };
}

const ISO_DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** --by-duration: `2h`, `1h30m`, `-7d` (our grammar) or ISO 8601 `PT2H`, `P1DT12H`; always into the past. */
export function parseResetDuration(text: string): number {
  const iso = ISO_DURATION.exec(text);
  if (iso !== null && text !== 'P' && !text.endsWith('T')) {
    const [, d, h, m, s] = iso;
    return Number(d ?? 0) * 86_400_000 + Number(h ?? 0) * 3_600_000 + Number(m ?? 0) * 60_000 + Math.round(Number(s ?? 0) * 1000);
  }
  const body = text.startsWith('-') ? text.slice(1) : text;
  let position: OffsetPosition;
  try {
    position = parseOffsetPosition(`@-${body}`);
  } catch {
    throw new UsageError(`invalid --by-duration '${text}': expected a duration like 2h, 1h30m, 7d or ISO 8601 PT2H`);
  }
  if (position.kind !== 'relativeTime') throw new UsageError(`invalid --by-duration '${text}': expected a duration like 2h, 1h30m, 7d or ISO 8601 PT2H`);
  return position.agoMs;
}

/** --to-datetime: RFC 3339 with a zone, or epoch milliseconds. */
export function parseResetDatetime(text: string): OffsetPosition {
  let position: OffsetPosition | undefined;
  try {
    position = parseOffsetPosition(`@${text}`);
  } catch {
    position = undefined;
  }
  if (position?.kind !== 'timestamp') {
    throw new UsageError(`invalid --to-datetime '${text}': expected RFC 3339 with a zone (2024-05-01T12:00:00Z) or epoch milliseconds`);
  }
  return position;
}

/** --to SPEC: a single position of the offset grammar (no range). */
export function parseResetSpec(text: string): OffsetPosition {
  const spec = parseOffsetSpec(text);
  if (spec.end !== undefined) throw new UsageError(`invalid --to '${text}': give one position, not a range`);
  return spec.start;
}

/** Fails unless the group has no members (Kafka refuses to reset the offsets of an active group). */
export async function assertGroupInactive(client: KafkaClient, groupId: string): Promise<void> {
  const [group] = await new GroupAdmin(client).describeGroups([groupId]);
  if (group !== undefined && (group.members.length > 0 || (group.state !== 'Empty' && group.state !== 'Dead'))) {
    throw new GroupNotInactiveError(
      `group '${groupId}' has ${group.members.length} active member(s) (state ${group.state}): ` +
        'offsets can only be reset while no consumer is in the group; stop its consumers first',
    );
  }
}

/** The partitions to reset: the selected ones, or every partition the group has committed offsets for. */
async function selectPartitions(client: KafkaClient, committed: Map<string, Map<number, number>>, selectors: TopicSelector[], groupId: string): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  if (selectors.length === 0) {
    for (const [topic, byPartition] of committed) out.set(topic, [...byPartition.keys()].sort((a, b) => a - b));
    if (out.size === 0) throw new UsageError(`group '${groupId}' has no committed offsets: name the partitions to reset with --topic`);
    return out;
  }
  for (const s of selectors) {
    const all = await topicPartitions(client, s.topic);
    for (const p of s.partitions ?? []) {
      if (!all.includes(p)) throw new UsageError(`partition ${p} does not exist in topic '${s.topic}' (partitions: 0-${all.length - 1})`);
    }
    out.set(s.topic, [...new Set([...(out.get(s.topic) ?? []), ...(s.partitions ?? all)])].sort((a, b) => a - b));
  }
  return out;
}

/** Current and new offset of every selected partition, sorted by topic and partition. */
export async function planOffsetReset(
  client: KafkaClient,
  groupId: string,
  selectors: TopicSelector[],
  strategy: ResetStrategy,
  now: number = Date.now(),
): Promise<ResetPlanEntry[]> {
  const committed = new Map<string, Map<number, number>>();
  for (const o of await new GroupAdmin(client).fetchOffsets(groupId)) {
    if (o.offset < 0) continue;
    if (!committed.has(o.topic)) committed.set(o.topic, new Map());
    committed.get(o.topic)?.set(o.partition, o.offset);
  }
  const selected = await selectPartitions(client, committed, selectors, groupId);
  const plan: ResetPlanEntry[] = [];
  for (const [topic, partitions] of [...selected].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const lookups = listOffsetLookups(client, topic);
    const current = committed.get(topic) ?? new Map<number, number>();
    let target: Map<number, number>;
    if (strategy.kind === 'position') {
      target = (await resolveOffsetSpec({ start: strategy.position }, partitions, lookups, now)).start;
    } else {
      const [earliest, latest] = await Promise.all([lookups.earliest(partitions), lookups.latest(partitions)]);
      target = new Map();
      for (const p of partitions) {
        const from = current.get(p);
        if (from === undefined) throw new UsageError(`--shift-by: group '${groupId}' has no committed offset for ${topic}:${p} to shift`);
        const lo = earliest.get(p) ?? 0;
        target.set(p, Math.min(Math.max(lo, latest.get(p) ?? lo), Math.max(lo, from + strategy.by)));
      }
    }
    for (const p of partitions) plan.push({ topic, partition: p, currentOffset: current.get(p) ?? null, newOffset: target.get(p) ?? 0 });
  }
  return plan;
}

/** Commits the plan's new offsets (the group must be inactive; checked again by the coordinator). */
export async function applyOffsetReset(client: KafkaClient, groupId: string, plan: ResetPlanEntry[]): Promise<void> {
  await new GroupAdmin(client).commitOffsets(groupId, plan.map((e) => ({ topic: e.topic, partition: e.partition, offset: e.newOffset })));
}
