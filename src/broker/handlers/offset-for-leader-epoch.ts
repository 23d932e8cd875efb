// OffsetForLeaderEpoch: the end offset of a leader epoch on this (leader's) log, from the leader-epoch
// cache: the start offset of the next newer epoch, or the log end offset for the latest one, with the
// largest epoch <= the one asked (KIP-101/279). A follower that just became follower truncates its log
// there, never at its high watermark alone. In a cluster only the current leader answers.
import { ErrorCode } from '../../common/index.js';
import {
  OffsetForLeaderEpoch,
  type EpochEndOffset,
  type OffsetForLeaderEpochRequest,
  type OffsetForLeaderEpochResponse,
  type OffsetForLeaderPartition,
} from '../../protocol/index.js';
import type { BrokerContext } from '../context.js';
import type { Handler } from './handler.js';

export const offsetForLeaderEpochHandler: Handler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse> = {
  codec: OffsetForLeaderEpoch,
  minVersion: 0,
  maxVersion: 3,
  handle(request, _version, ctx) {
    return Promise.resolve({
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => endOffset(ctx.broker, t.topic, p)) })),
    });
  },
};

function endOffset(broker: BrokerContext, topic: string, p: OffsetForLeaderPartition): EpochEndOffset {
  const fail = (errorCode: number): EpochEndOffset => ({ errorCode, partition: p.partition, leaderEpoch: -1, endOffset: -1n });
  let currentEpoch = -1;
  const cluster = broker.cluster;
  if (cluster !== null) {
    const leader = cluster.replicas.leader(topic, p.partition);
    if (leader === undefined || leader.fenced) {
      return fail(cluster.view.topics.has(topic) ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    }
    currentEpoch = leader.leaderEpoch;
    if (p.currentLeaderEpoch >= 0 && p.currentLeaderEpoch < currentEpoch) return fail(ErrorCode.FENCED_LEADER_EPOCH);
    if (p.currentLeaderEpoch > currentEpoch) return fail(ErrorCode.UNKNOWN_LEADER_EPOCH);
  }
  const log = broker.logs.getLog(topic, p.partition);
  if (log === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const found = log.endOffsetForEpoch(p.leaderEpoch);
  return { errorCode: 0, partition: p.partition, leaderEpoch: found.epoch, endOffset: BigInt(found.endOffset) };
}
