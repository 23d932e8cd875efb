// GroupAdmin: the consumer-group admin calls (what Kafka's AdminClient calls listConsumerGroups,
// describeConsumerGroups, listConsumerGroupOffsets, alterConsumerGroupOffsets, deleteConsumerGroups).
// Every call but listGroups goes to the group's coordinator (FindCoordinator first); ListGroups is sent
// to every broker, since each lists only the groups it coordinates.
import { ErrorCode } from '../common/index.js';
import { DeleteGroups, DescribeGroups, ListGroups, OffsetCommit, OffsetFetch } from '../protocol/index.js';
import type { KafkaClient } from './client.js';
import { CONSUMER_PROTOCOL_TYPE, decodeAssignment, decodeSubscription } from './consumer-protocol.js';
import { onGroupCoordinator } from './group-coordinator-lookup.js';
import { kafkaError, throwIfError } from './kafka-errors.js';

export interface GroupListing {
  groupId: string;
  /** "consumer" for consumer groups; "" for groups that only hold committed offsets. */
  protocolType: string;
}

export interface TopicPartitionList {
  topic: string;
  partitions: number[];
}

export interface GroupMemberDescription {
  memberId: string;
  clientId: string;
  clientHost: string;
  /** Subscribed topics (consumer groups, Stable state only; [] otherwise). */
  subscription: string[];
  /** Assigned partitions, decoded from the consumer protocol (Stable state only; [] otherwise). */
  assignment: TopicPartitionList[];
}

export interface GroupDescription {
  groupId: string;
  /** Empty, PreparingRebalance, CompletingRebalance, Stable or Dead (= no such group). */
  state: string;
  protocolType: string;
  /** The assignor the group agreed on ("range", "roundrobin", "RoundRobinAssigner"), '' unless Stable. */
  protocol: string;
  members: GroupMemberDescription[];
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  /** -1 when nothing is committed. */
  offset: number;
  metadata: string | null;
}

export interface OffsetToCommit {
  topic: string;
  partition: number;
  offset: number;
  metadata?: string | null;
}

export class GroupAdmin {
  private readonly client: KafkaClient;

  constructor(client: KafkaClient) {
    this.client = client;
  }

  /** Every group of every broker, sorted by id. */
  async listGroups(): Promise<GroupListing[]> {
    const { brokers } = await this.client.metadata([]);
    const lists = await Promise.all(
      brokers.map(async (b) => {
        const res = await this.client.request(await this.client.connectionFor(b.nodeId), ListGroups, {});
        throwIfError(res.errorCode, `list groups of broker ${b.nodeId}`);
        return res.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType }));
      }),
    );
    const byId = new Map(lists.flat().map((g) => [g.groupId, g]));
    return [...byId.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }

  /** Describes each group (a group that does not exist is described with state Dead). */
  async describeGroups(groupIds: string[]): Promise<GroupDescription[]> {
    return Promise.all(groupIds.map((id) => this.describeGroup(id)));
  }

  private async describeGroup(groupId: string): Promise<GroupDescription> {
    const { errorCode, result } = await onGroupCoordinator(this.client, groupId, async (conn) => {
      const res = await this.client.request(conn, DescribeGroups, { groups: [groupId] });
      const g = res.groups.find((x) => x.groupId === groupId) ?? res.groups[0];
      return { errorCode: g?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, result: g };
    });
    if (result === undefined) throw kafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, `describe group "${groupId}": no answer for the group`);
    throwIfError(errorCode, `describe group "${groupId}"`);
    const consumer = result.protocolType === CONSUMER_PROTOCOL_TYPE;
    return {
      groupId,
      state: result.groupState,
      protocolType: result.protocolType,
      protocol: result.protocolData,
      members: result.members.map((m) => {
        // Another client's bytes may not follow the consumer protocol: show the member without them.
        let subscription: string[] = [];
        let assignment: TopicPartitionList[] = [];
        if (consumer) {
          try {
            if (m.memberMetadata.length > 0) subscription = decodeSubscription(m.memberMetadata).topics;
            assignment = [...decodeAssignment(m.memberAssignment).assignment]
              .map(([topic, partitions]) => ({ topic, partitions: [...partitions].sort((a, b) => a - b) }))
              .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
          } catch {
            // left empty
          }
        }
        return { memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, subscription, assignment };
      }),
    };
  }

  /** Committed offsets of a group: of the given partitions (-1 where none), or all of them (null). */
  async fetchOffsets(groupId: string, partitions: TopicPartitionList[] | null = null): Promise<CommittedOffset[]> {
    const { errorCode, result } = await onGroupCoordinator(this.client, groupId, async (conn) => {
      const res = await this.client.request(conn, OffsetFetch, {
        groupId,
        topics: partitions === null ? null : partitions.map((t) => ({ name: t.topic, partitionIndexes: t.partitions })),
      });
      const firstPartitionError = res.topics.flatMap((t) => t.partitions).find((p) => p.errorCode !== ErrorCode.NONE)?.errorCode;
      return { errorCode: res.errorCode !== ErrorCode.NONE ? res.errorCode : (firstPartitionError ?? ErrorCode.NONE), result: res };
    });
    throwIfError(errorCode, `fetch committed offsets of group "${groupId}"`);
    return result.topics
      .flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: Number(p.committedOffset), metadata: p.metadata })))
      .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
  }

  /**
   * Commits offsets outside group membership (generation -1, no member id), which the coordinator
   * accepts only while the group has no members (state Empty, or no group yet). Throws the first
   * partition error (UNKNOWN_MEMBER_ID when the group has active members).
   */
  async commitOffsets(groupId: string, offsets: OffsetToCommit[]): Promise<void> {
    const byTopic = new Map<string, OffsetToCommit[]>();
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
    const { errorCode } = await onGroupCoordinator(this.client, groupId, async (conn) => {
      const res = await this.client.request(conn, OffsetCommit, {
        groupId,
        generationIdOrMemberEpoch: -1,
        memberId: '',
        retentionTimeMs: -1n,
        topics: [...byTopic].map(([name, list]) => ({
          name,
          partitions: list.map((o) => ({ partitionIndex: o.partition, committedOffset: BigInt(o.offset), committedMetadata: o.metadata ?? null })),
        })),
      });
      const bad = res.topics.flatMap((t) => t.partitions).find((p) => p.errorCode !== ErrorCode.NONE);
      return { errorCode: bad?.errorCode ?? ErrorCode.NONE, result: undefined };
    });
    throwIfError(errorCode, `commit offsets of group "${groupId}"`);
  }

  /** Deletes groups (and their committed offsets); per-group outcomes (NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND). */
  async deleteGroups(groupIds: string[]): Promise<{ groupId: string; errorCode: number }[]> {
    return Promise.all(
      groupIds.map(async (groupId) => {
        const { errorCode } = await onGroupCoordinator(this.client, groupId, async (conn) => {
          const res = await this.client.request(conn, DeleteGroups, { groupsNames: [groupId] });
          const r = res.results.find((x) => x.groupId === groupId);
          return { errorCode: r?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR, result: undefined };
        });
        return { groupId, errorCode };
      }),
    );
  }
}
