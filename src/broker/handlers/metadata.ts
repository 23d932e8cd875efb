// Metadata: brokers, controller and topics. v0: [] = all topics; v1+: null = all, [] = none (librdkafka's
// brokers-only probe). Topics are auto-created when the request allows it (v4+ flag; always before v4)
// and the broker's auto.create.topics.enable is on.
import { RESERVED_TOPIC_NAMES, topicNameProblem, type TopicRecord } from '../../cluster/index.js';
import { ErrorCode } from '../../common/index.js';
import {
  Metadata,
  type MetadataRequest,
  type MetadataResponse,
  type MetadataResponseTopic,
} from '../../protocol/index.js';
import type { ClusterRuntime } from '../context.js';
import { toErrorCode } from '../to-error-code.js';
import type { Handler } from './handler.js';

export const metadataHandler: Handler<MetadataRequest, MetadataResponse> = {
  codec: Metadata,
  minVersion: 0,
  maxVersion: 4,
  async handle(request, version, ctx) {
    const { broker } = ctx;
    const cluster = broker.cluster;
    const describe = cluster === null ? describeTopic : (t: TopicRecord) => describeClusterTopic(cluster, t);
    const allTopics = request.topics === null || (version === 0 && request.topics.length === 0);
    const allowAutoCreate = version >= 4 ? request.allowAutoTopicCreation : true;
    let topics: MetadataResponseTopic[];
    if (allTopics) {
      topics = (cluster === null ? await broker.metadata.listTopics() : [...cluster.view.topics.values()]).map(describe);
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
          topics.push(topic === undefined ? errorTopic(name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) : describe(topic));
        } catch (err) {
          topics.push(errorTopic(name, toErrorCode(err, broker.logger, { api: 'Metadata', topic: name })));
        }
      }
    }
    const brokers = cluster === null ? await broker.metadata.listBrokers() : [...cluster.view.brokers.values()].sort((a, b) => a.nodeId - b.nodeId);
    return {
      throttleTimeMs: 0,
      brokers: brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
      clusterId: broker.metadata.clusterId,
      controllerId: cluster === null ? broker.config.nodeId : (cluster.view.controller?.nodeId ?? -1),
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

/** Cluster: leader, leader epoch, replicas and ISR from the partition states in etcd (via the view). */
function describeClusterTopic(cluster: ClusterRuntime, topic: TopicRecord): MetadataResponseTopic {
  const live = cluster.view.brokers;
  return {
    errorCode: 0,
    name: topic.name,
    isInternal: RESERVED_TOPIC_NAMES.has(topic.name),
    partitions: topic.assignments.map((replicas, partitionIndex) => {
      const state = cluster.view.partition(topic.name, partitionIndex);
      const current = state !== undefined && state.topicId === topic.topicId ? state : undefined;
      const leaderId = current?.leader ?? -1;
      return {
        errorCode: leaderId < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : 0,
        partitionIndex,
        leaderId,
        leaderEpoch: current?.leaderEpoch ?? -1,
        replicaNodes: [...(current?.replicas ?? replicas)],
        isrNodes: [...(current?.isr ?? [])],
        offlineReplicas: (current?.replicas ?? replicas).filter((id) => !live.has(id)),
      };
    }),
    topicAuthorizedOperations: -2147483648,
  };
}

function errorTopic(name: string, errorCode: number): MetadataResponseTopic {
  return { errorCode, name, isInternal: false, partitions: [], topicAuthorizedOperations: -2147483648 };
}
