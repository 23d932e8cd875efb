// CreatePartitions: raises a topic's partition count; explicit assignments must use this broker only.
import { ErrorCode, KafkaError } from '../../common/index.js';
import {
  CreatePartitions,
  type CreatePartitionsRequest,
  type CreatePartitionsResponse,
  type CreatePartitionsTopicResult,
} from '../../protocol/index.js';
import { toWireError } from '../to-error-code.js';
import type { Handler } from './handler.js';

export const createPartitionsHandler: Handler<CreatePartitionsRequest, CreatePartitionsResponse> = {
  codec: CreatePartitions,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, _version, ctx) {
    const { broker } = ctx;
    const results: CreatePartitionsTopicResult[] = [];
    for (const topic of request.topics) {
      try {
        const foreign = (topic.assignments ?? []).some((a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== broker.config.nodeId);
        if (foreign) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `every partition must have exactly one replica, on broker ${broker.config.nodeId}`);
        await broker.topics.createPartitions(topic.name, topic.count, request.validateOnly);
        results.push({ name: topic.name, errorCode: 0, errorMessage: null });
      } catch (err) {
        const { errorCode, errorMessage } = toWireError(err, broker.logger, { api: 'CreatePartitions', topic: topic.name });
        results.push({ name: topic.name, errorCode, errorMessage });
      }
    }
    return { throttleTimeMs: 0, results };
  },
};
