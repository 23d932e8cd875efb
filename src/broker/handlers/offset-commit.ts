// OffsetCommit 2-4 (the same request at every version; the retention time is ignored, committed offsets
// live until their group is deleted). Partitions of unknown topics are refused one by one; the rest are
// committed together and answered only once durable (in a cluster: once the in-sync replicas of the
// offsets partition have it). generationId -1 = a commit without membership. In a cluster the
// coordinator need not hold a replica of the committed topic: topics are checked in the cluster view.
import { ErrorCode } from '../../common/index.js';
import type { OffsetCommitEntry } from '../../coordinator/index.js';
import {
  OffsetCommit,
  type OffsetCommitRequest,
  type OffsetCommitResponse,
  type OffsetCommitResponseTopic,
} from '../../protocol/index.js';
import type { Handler } from './handler.js';

export const offsetCommitHandler: Handler<OffsetCommitRequest, OffsetCommitResponse> = {
  codec: OffsetCommit,
  minVersion: 2,
  maxVersion: 4,
  async handle(request, _version, ctx) {
    const { logs, groupCoordinator, cluster } = ctx.broker;
    const exists =
      cluster === null
        ? (topic: string, partition: number) => logs.getLog(topic, partition) !== undefined
        : (topic: string, partition: number) => partition >= 0 && partition < (cluster.view.topics.get(topic)?.partitions ?? 0);
    const known: OffsetCommitEntry[] = [];
    const codes = new Map<string, number>();
    for (const topic of request.topics) {
      for (const p of topic.partitions) {
        if (!exists(topic.name, p.partitionIndex)) {
          codes.set(key(topic.name, p.partitionIndex), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        } else {
          known.push({ topic: topic.name, partition: p.partitionIndex, offset: Number(p.committedOffset), metadata: p.committedMetadata });
        }
      }
    }
    const results = await groupCoordinator.commitOffsets({
      groupId: request.groupId,
      generationId: request.generationIdOrMemberEpoch,
      memberId: request.memberId,
      offsets: known,
    });
    for (const r of results) codes.set(key(r.topic, r.partition), r.errorCode);
    const topics: OffsetCommitResponseTopic[] = request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: codes.get(key(topic.name, p.partitionIndex)) ?? ErrorCode.NONE })),
    }));
    return { throttleTimeMs: 0, topics };
  },
};

function key(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
