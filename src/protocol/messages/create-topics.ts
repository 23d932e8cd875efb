// CreateTopics (key 19), versions 2-4 (v2 = v3 = v4 on the wire; v4 only changes semantics). Clients may
// send numPartitions/replicationFactor -1 for the broker default.
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { array, field, message } from '../schema.js';

export interface CreatableReplicaAssignment {
  partitionIndex: number;
  brokerIds: number[];
}

export interface CreatableTopicConfig {
  name: string;
  value: string | null;
}

export interface CreatableTopic {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: CreatableReplicaAssignment[];
  configs: CreatableTopicConfig[];
}

export interface CreateTopicsRequest {
  topics: CreatableTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreatableTopicResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
}

export interface CreateTopicsResponse {
  throttleTimeMs: number;
  topics: CreatableTopicResult[];
}

export const CreateTopics = defineApi<CreateTopicsRequest, CreateTopicsResponse>({
  apiKey: ApiKey.CreateTopics,
  name: 'CreateTopics',
  minVersion: 2,
  maxVersion: 4,
  request: message('5+', [
    array('topics', [
      field('name', 'string'),
      field('numPartitions', 'int32'),
      field('replicationFactor', 'int16'),
      array('assignments', [field('partitionIndex', 'int32'), array('brokerIds', 'int32')]),
      array('configs', [field('name', 'string'), field('value', 'string', { nullable: '0+' })]),
    ]),
    field('timeoutMs', 'int32', { default: 60000 }),
    field('validateOnly', 'bool', { versions: '1+' }),
  ]),
  response: message('5+', [
    field('throttleTimeMs', 'int32', { versions: '2+' }),
    array('topics', [
      field('name', 'string'),
      field('errorCode', 'int16'),
      field('errorMessage', 'string', { versions: '1+', nullable: '0+' }),
    ]),
  ]),
});
