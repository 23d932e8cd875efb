// ListOffsets: -2 = earliest (logStartOffset), -1 = latest (high watermark; LSO = HW until transactions
// exist), otherwise the first offset whose batch has a timestamp >= the given one; none → -1/-1.
import { ErrorCode } from '../../common/index.js';
import {
  ListOffsets,
  type ListOffsetsRequest,
  type ListOffsetsResponse,
  type ListOffsetsResponsePartition,
} from '../../protocol/index.js';
import type { BrokerContext } from '../context.js';
import { toErrorCode } from '../to-error-code.js';
import type { Handler } from './handler.js';

const LATEST = -1n;
const EARLIEST = -2n;

export const listOffsetsHandler: Handler<ListOffsetsRequest, ListOffsetsResponse> = {
  codec: ListOffsets,
  minVersion: ListOffsets.minVersion,
  maxVersion: 3,
  async handle(request, version, ctx) {
    const topics = [];
    for (const topic of request.topics) {
      const partitions = [];
      for (const p of topic.partitions) {
        const answer = await lookup(ctx.broker, topic.name, p.partitionIndex, p.timestamp);
        // v0 answers a list of offsets instead of one offset and timestamp.
        partitions.push(version === 0 ? { ...answer, oldStyleOffsets: answer.offset >= 0n ? [answer.offset] : [] } : answer);
      }
      topics.push({ name: topic.name, partitions });
    }
    return { throttleTimeMs: 0, topics };
  },
};

async function lookup(broker: BrokerContext, topic: string, partition: number, timestamp: bigint): Promise<ListOffsetsResponsePartition> {
  const answer = (errorCode: number, offset: number, ts: number): ListOffsetsResponsePartition => ({
    partitionIndex: partition,
    errorCode,
    oldStyleOffsets: [],
    timestamp: BigInt(ts),
    offset: BigInt(offset),
  });
  const log = broker.logs.getLog(topic, partition);
  if (log === undefined) return answer(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, -1);
  try {
    if (timestamp === EARLIEST) return answer(0, log.logStartOffset, -1);
    if (timestamp === LATEST) return answer(0, log.highWatermark, -1);
    if (timestamp < 0n) return answer(ErrorCode.INVALID_REQUEST, -1, -1);
    const found = await log.offsetForTimestamp(Number(timestamp));
    return found === null ? answer(0, -1, -1) : answer(0, found.offset, found.timestamp);
  } catch (err) {
    return answer(toErrorCode(err, broker.logger, { api: 'ListOffsets', topic, partition }), -1, -1);
  }
}
