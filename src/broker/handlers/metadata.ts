// Metadata: brokers, controller and topics. v0: [] = all topics; v1+: null = all, [] = none (librdkafka's
// brokers-only probe). Topics are auto-created when the request allows it (v4+ flag; always before v4)
// and the broker's auto.create.topics.enable is on.
import { topicNameProblem, type TopicRecord } from '../../cluster/index.js';
import { ErrorCode } from '../../common/index.js';
import {
  Metadata,
  type MetadataRequest,
  type MetadataResponse,
  type MetadataResponseTopic,
} from '../../protocol/index.js';
import { toErrorCode } from '../to-error-code.js';
import type { Handler } from './handler.js';

export const metadataHandler: Handler<MetadataRequest, MetadataResponse> = {
  codec: Metadata,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, version, ctx) {
    const { broker } = ctx;
    const allTopics = request.topics === null || (version === 0 && request.topics.length === 0);
    const allowAutoCreate = version >= 4 ? request.allowAutoTopicCreation : true;
    let topics: MetadataResponseTopic[];
    if (allTopics) {
      topics = (await broker.metadata.listTopics()).map(describeTopic);
    } else {
      topics = [];
      for (const { name } of request.topics ?? []) {
        const problem = topicNameProblem(name);
        if (problem !== null) {
          topics.push(errorTopic(name, ErrorCode.INVALID_TOPIC_EXCEPTION));
          continue;
        }
        try {
          const topic = await broker.topics.ensure(name, allowAutoCreate);
          topics.push(topic === undefined ? errorTopic(name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) : describeTopic(topic));
        } catch (err) {
          topics.push(errorTopic(name, toErrorCode(err, broker.logger, { api: 'Metadata', topic: name })));
        }
      }
    }
    const brokers = await broker.metadata.listBrokers();
    return {
      throttleTimeMs: 0,
      brokers: brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
      clusterId: broker.metadata.clusterId,
      controllerId: broker.config.nodeId,
      topics,
      clusterAuthorizedOperations: -2147483648,
    };
  },
};

function describeTopic(topic: TopicRecord): MetadataResponseTopic {
  return {
    errorCode: 0,
    name: topic.name,
    isInternal: false,
    partitions: topic.assignments.map((replicas, partitionIndex) => ({
      errorCode: 0,
      partitionIndex,
      leaderId: replicas[0] ?? -1,
      leaderEpoch: 0,
      replicaNodes: [...replicas],
      isrNodes: [...replicas],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: -2147483648,
  };
}

function errorTopic(name: string, errorCode: number): MetadataResponseTopic {
  return { errorCode, name, isInternal: false, partitions: [], topicAuthorizedOperations: -2147483648 };
}
