// Client-side partition assignors of the classic group protocol: the group leader runs one over every
// member's subscription and sends the result through SyncGroup. Both follow Kafka's Java assignors,
// so a logctl leader assigns exactly as a Java or librdkafka leader would:
//
//   range       per topic, members subscribed to it sorted by member id; with P partitions and C
//               members, member i gets a contiguous run of floor(P/C) partitions, one more for the
//               first P mod C members. 4 partitions, 3 members: a → 0,1  b → 2  c → 3.
//   roundrobin  all subscribed topic-partitions sorted by (topic, partition), dealt one at a time to
//               the members in member-id order, skipping members not subscribed to that topic.
//               4 partitions, 3 members: a → 0,3  b → 1  c → 2.
//
// The protocol names are the ones Java and librdkafka use ("range", "roundrobin"). kafkajs offers only
// "RoundRobinAssigner", so (as in Kafka) kafkajs consumers cannot share a group with logctl consumers:
// the coordinator finds no common protocol and answers INCONSISTENT_GROUP_PROTOCOL.
import type { TopicPartitions } from './consumer-protocol.js';

export interface AssignorMember {
  memberId: string;
  /** Subscribed topics. */
  topics: string[];
}

export interface Assignor {
  /** The JoinGroup protocol name. */
  readonly name: string;
  /** partitions: every subscribed topic's partition ids. Returns an entry for every member. */
  assign(members: readonly AssignorMember[], partitions: ReadonlyMap<string, readonly number[]>): Map<string, TopicPartitions>;
}

export type AssignorName = 'range' | 'roundrobin';

function byMemberId(a: AssignorMember, b: AssignorMember): number {
  return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0;
}

function emptyResult(members: readonly AssignorMember[]): Map<string, TopicPartitions> {
  return new Map(members.map((m) => [m.memberId, new Map()]));
}

function give(result: Map<string, TopicPartitions>, memberId: string, topic: string, partition: number): void {
  const topics = result.get(memberId);
  if (topics === undefined) return;
  const list = topics.get(topic);
  if (list === undefined) topics.set(topic, [partition]);
  else list.push(partition);
}

function sortedTopics(members: readonly AssignorMember[], partitions: ReadonlyMap<string, readonly number[]>): string[] {
  return [...new Set(members.flatMap((m) => m.topics))].filter((t) => partitions.has(t)).sort();
}

export const rangeAssignor: Assignor = {
  name: 'range',
  assign(members, partitions) {
    const result = emptyResult(members);
    for (const topic of sortedTopics(members, partitions)) {
      const consumers = members.filter((m) => m.topics.includes(topic)).sort(byMemberId);
      const ids = [...(partitions.get(topic) ?? [])].sort((a, b) => a - b);
      const per = Math.floor(ids.length / consumers.length);
      const extra = ids.length % consumers.length;
      consumers.forEach((m, i) => {
        const start = per * i + Math.min(i, extra);
        const length = per + (i < extra ? 1 : 0);
        for (const p of ids.slice(start, start + length)) give(result, m.memberId, topic, p);
      });
    }
    return result;
  },
};

export const roundRobinAssignor: Assignor = {
  name: 'roundrobin',
  assign(members, partitions) {
    const result = emptyResult(members);
    const consumers = [...members].sort(byMemberId);
    if (consumers.length === 0) return result;
    let next = 0;
    for (const topic of sortedTopics(members, partitions)) {
      for (const p of [...(partitions.get(topic) ?? [])].sort((a, b) => a - b)) {
        // Some member is subscribed to every topic listed, so this loop always ends.
        while (!consumers[next % consumers.length]?.topics.includes(topic)) next++;
        const m = consumers[next % consumers.length];
        if (m !== undefined) give(result, m.memberId, topic, p);
        next++;
      }
    }
    return result;
  },
};

export const ASSIGNORS: Readonly<Record<AssignorName, Assignor>> = { range: rangeAssignor, roundrobin: roundRobinAssignor };
