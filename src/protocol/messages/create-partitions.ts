// CreatePartitions (key 37), versions 0-1 (identical on the wire). `count` is the new total partition
// count; assignments null = let the broker place them.
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { array, field, message } from '../schema.js';

export interface CreatePartitionsAssignment {
  brokerIds: number[];
}

export interface CreatePartitionsTopic {
  name: string;
  count: number;
  assignments: CreatePartitionsAssignment[] | null;
}

export interface CreatePartitionsRequest {
  topics: CreatePartitionsTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreatePartitionsTopicResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
}

export interface CreatePartitionsResponse {
  throttleTimeMs: number;
  results: CreatePartitionsTopicResult[];
}

export const CreatePartitions = defineApi<CreatePartitionsRequest, CreatePartitionsResponse>({
  apiKey: ApiKey.CreatePartitions,
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 1,
  request: message('2+', [
    array('topics', [
      field('name', 'string'),
      field('count', 'int32'),
      array('assignments', [array('brokerIds', 'int32')], { nullable: '0+' }),
    ]),
    field('timeoutMs', 'int32'),
    field('validateOnly', 'bool'),
  ]),
  response: message('2+', [
    field('throttleTimeMs', 'int32'),
    array('results', [
      field('name', 'string'),
      field('errorCode', 'int16'),
      field('errorMessage', 'string', { nullable: '0+', default: null }),
    ]),
  ]),
});
