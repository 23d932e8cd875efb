// Metadata (key 3), versions 0-8 (0-4 advertised). v0: an empty topic list means all topics; v1+: null
// means all. v1 adds rack, controllerId, isInternal; v2 clusterId; v3 throttleTimeMs; v4
// allowAutoTopicCreation; v5 offlineReplicas; v7 leaderEpoch; v8 authorized operations.
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { array, field, message } from '../schema.js';

export interface MetadataRequestTopic {
  name: string;
}

export interface MetadataRequest {
  /** null = all topics (v1+); at v0 an empty list means all topics. */
  topics: MetadataRequestTopic[] | null;
  allowAutoTopicCreation: boolean;
  includeClusterAuthorizedOperations: boolean;
  includeTopicAuthorizedOperations: boolean;
}

export interface MetadataResponseBroker {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface MetadataResponsePartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
}

export interface MetadataResponseTopic {
  errorCode: number;
  name: string;
  isInternal: boolean;
  partitions: MetadataResponsePartition[];
  topicAuthorizedOperations: number;
}

export interface MetadataResponse {
  throttleTimeMs: number;
  brokers: MetadataResponseBroker[];
  clusterId: string | null;
  controllerId: number;
  topics: MetadataResponseTopic[];
  clusterAuthorizedOperations: number;
}

const UNKNOWN_OPERATIONS = -2147483648;

export const Metadata = defineApi<MetadataRequest, MetadataResponse>({
  apiKey: ApiKey.Metadata,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 8,
  request: message('9+', [
    array('topics', [field('name', 'string')], { nullable: '1+' }),
    field('allowAutoTopicCreation', 'bool', { versions: '4+', default: true }),
    field('includeClusterAuthorizedOperations', 'bool', { versions: '8-10' }),
    field('includeTopicAuthorizedOperations', 'bool', { versions: '8+' }),
  ]),
  response: message('9+', [
    field('throttleTimeMs', 'int32', { versions: '3+' }),
    array('brokers', [
      field('nodeId', 'int32'),
      field('host', 'string'),
      field('port', 'int32'),
      field('rack', 'string', { versions: '1+', nullable: '1+', default: null }),
    ]),
    field('clusterId', 'string', { versions: '2+', nullable: '2+', default: null }),
    field('controllerId', 'int32', { versions: '1+', default: -1 }),
    array('topics', [
      field('errorCode', 'int16'),
      field('name', 'string'),
      field('isInternal', 'bool', { versions: '1+' }),
      array('partitions', [
        field('errorCode', 'int16'),
        field('partitionIndex', 'int32'),
        field('leaderId', 'int32'),
        field('leaderEpoch', 'int32', { versions: '7+', default: -1 }),
        array('replicaNodes', 'int32'),
        array('isrNodes', 'int32'),
        array('offlineReplicas', 'int32', { versions: '5+' }),
      ]),
      field('topicAuthorizedOperations', 'int32', { versions: '8+', default: UNKNOWN_OPERATIONS }),
    ]),
    field('clusterAuthorizedOperations', 'int32', { versions: '8-10', default: UNKNOWN_OPERATIONS }),
  ]),
});
