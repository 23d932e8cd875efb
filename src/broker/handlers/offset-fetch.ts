// OffsetFetch 1-4: committed offsets of the requested partitions (-1 and no error when none is
// committed); from v2 topics = null asks for every committed offset of the group, and a group-level
// error goes in the top-level ErrorCode (v1 has none, so it is repeated on every partition).
import {
  OffsetFetch,
  type OffsetFetchRequest,
  type OffsetFetchResponse,
  type OffsetFetchResponseTopic,
} from '../../protocol/index.js';
import type { Handler } from './handler.js';

export const offsetFetchHandler: Handler<OffsetFetchRequest, OffsetFetchResponse> = {
  codec: OffsetFetch,
  minVersion: 1,
  maxVersion: 4,
  async handle(request, version, ctx) {
    const requested = request.topics === null ? null : request.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
    const { errorCode, offsets } = ctx.broker.groupCoordinator.fetchOffsets(request.groupId, requested);
    if (errorCode !== 0 && version >= 2) return { throttleTimeMs: 0, topics: [], errorCode };
    // v1 has no top-level error: a group-level error is repeated on every requested partition.
    const entries = errorCode !== 0 ? (requested ?? []).map((r) => ({ ...r, offset: -1, metadata: '', errorCode })) : offsets;
    // Answered in request order (or the store's topic/partition order for null), one entry per topic.
    const byTopic = new Map<string, OffsetFetchResponseTopic>();
    for (const o of entries) {
      let topic = byTopic.get(o.topic);
      if (topic === undefined) byTopic.set(o.topic, (topic = { name: o.topic, partitions: [] }));
      topic.partitions.push({
        partitionIndex: o.partition,
        committedOffset: BigInt(o.offset),
        metadata: o.metadata,
        errorCode: o.errorCode,
      });
    }
    return { throttleTimeMs: 0, topics: [...byTopic.values()], errorCode: 0 };
  },
};
