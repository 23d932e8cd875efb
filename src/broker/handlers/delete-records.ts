// DeleteRecords: raises a partition's logStartOffset to the given offset (-1 = the high watermark);
// answers the new low watermark.
import { ErrorCode, KafkaError } from '../../common/index.js';
import {
  DeleteRecords,
  type DeleteRecordsPartitionResult,
  type DeleteRecordsRequest,
  type DeleteRecordsResponse,
} from '../../protocol/index.js';
import type { BrokerContext } from '../context.js';
import { toErrorCode } from '../to-error-code.js';
import type { Handler } from './handler.js';

export const deleteRecordsHandler: Handler<DeleteRecordsRequest, DeleteRecordsResponse> = {
  codec: DeleteRecords,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, _version, ctx) {
    const topics = [];
    for (const topic of request.topics) {
      const partitions: DeleteRecordsPartitionResult[] = [];
      for (const p of topic.partitions) partitions.push(await deleteBefore(ctx.broker, topic.name, p.partitionIndex, p.offset));
      topics.push({ name: topic.name, partitions });
    }
    return { throttleTimeMs: 0, topics };
  },
};

async function deleteBefore(broker: BrokerContext, topic: string, partition: number, offset: bigint): Promise<DeleteRecordsPartitionResult> {
  const log = broker.logs.getLog(topic, partition);
  if (log === undefined) return { partitionIndex: partition, lowWatermark: -1n, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  try {
    const target = offset === -1n ? log.highWatermark : Number(offset);
    if (target < 0 || target > log.highWatermark) {
      throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${offset} is outside 0..${log.highWatermark}`);
    }
    const lowWatermark = await log.deleteRecordsBefore(target);
    return { partitionIndex: partition, lowWatermark: BigInt(lowWatermark), errorCode: 0 };
  } catch (err) {
    return { partitionIndex: partition, lowWatermark: -1n, errorCode: toErrorCode(err, broker.logger, { api: 'DeleteRecords', topic, partition }) };
  }
}
