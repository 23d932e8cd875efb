// CreateTopics: numPartitions/replicationFactor -1 = broker defaults at every version (kafkajs sends -1
// at v3); explicit assignments must place every replica on this broker; validateOnly checks only.
import { ErrorCode, KafkaError } from '../../common/index.js';
import {
  CreateTopics,
  type CreatableTopic,
  type CreatableTopicResult,
  type CreateTopicsRequest,
  type CreateTopicsResponse,
} from '../../protocol/index.js';
import type { BrokerContext } from '../context.js';
import { toWireError } from '../to-error-code.js';
import type { Handler } from './handler.js';

export const createTopicsHandler: Handler<CreateTopicsRequest, CreateTopicsResponse> = {
  codec: CreateTopics,
  minVersion: 2,
  maxVersion: 4,
  async handle(request, _version, ctx) {
    const counts = new Map<string, number>();
    for (const t of request.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const topics: CreatableTopicResult[] = [];
    for (const topic of request.topics) {
      if ((counts.get(topic.name) ?? 0) > 1) {
        topics.push({ name: topic.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `topic "${topic.name}" appears more than once in the request` });
        continue;
      }
      topics.push(await createOne(ctx.broker, topic, request.validateOnly));
    }
    return { throttleTimeMs: 0, topics };
  },
};

async function createOne(broker: BrokerContext, topic: CreatableTopic, validateOnly: boolean): Promise<CreatableTopicResult> {
  try {
    let { numPartitions, replicationFactor } = topic;
    if (topic.assignments.length > 0) {
      if (numPartitions !== -1 || replicationFactor !== -1) {
        throw new KafkaError(ErrorCode.INVALID_REQUEST, 'give either replica assignments or numPartitions/replicationFactor, not both');
      }
      const ok = topic.assignments.every((a, i) => a.partitionIndex === i && a.brokerIds.length === 1 && a.brokerIds[0] === broker.config.nodeId);
      if (!ok) throw new KafkaError(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `every partition must have exactly one replica, on broker ${broker.config.nodeId}`);
      numPartitions = topic.assignments.length;
      replicationFactor = 1;
    }
    const configs: Record<string, string | null> = {};
    for (const c of topic.configs) configs[c.name] = c.value;
    await broker.topics.create({ name: topic.name, numPartitions, replicationFactor, configs }, validateOnly);
    return { name: topic.name, errorCode: 0, errorMessage: null };
  } catch (err) {
    const { errorCode, errorMessage } = toWireError(err, broker.logger, { api: 'CreateTopics', topic: topic.name });
    return { name: topic.name, errorCode, errorMessage };
  }
}
