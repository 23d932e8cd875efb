// ListOffsets (key 2), versions 0-3 (1-3 advertised; kafka-python sends 1). v0 asks for up to
// maxNumOffsets offsets and answers oldStyleOffsets; v1+ answer one timestamp/offset pair; v2 adds
// isolationLevel and throttleTimeMs. Timestamp -1 = latest, -2 = earliest.
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { array, field, message } from '../schema.js';

export interface ListOffsetsRequestPartition {
  partitionIndex: number;
  timestamp: bigint;
  maxNumOffsets: number;
}

export interface ListOffsetsRequestTopic {
  name: string;
  partitions: ListOffsetsRequestPartition[];
}

export interface ListOffsetsRequest {
  replicaId: number;
  isolationLevel: number;
  topics: ListOffsetsRequestTopic[];
}

export interface ListOffsetsResponsePartition {
  partitionIndex: number;
  errorCode: number;
  oldStyleOffsets: bigint[];
  timestamp: bigint;
  offset: bigint;
}

export interface ListOffsetsResponseTopic {
  name: string;
  partitions: ListOffsetsResponsePartition[];
}

export interface ListOffsetsResponse {
  throttleTimeMs: number;
  topics: ListOffsetsResponseTopic[];
}

export const ListOffsets = defineApi<ListOffsetsRequest, ListOffsetsResponse>({
  apiKey: ApiKey.ListOffsets,
  name: 'ListOffsets',
  minVersion: 0,
  maxVersion: 3,
  request: message('6+', [
    field('replicaId', 'int32'),
    field('isolationLevel', 'int8', { versions: '2+' }),
    array('topics', [
      field('name', 'string'),
      array('partitions', [
        field('partitionIndex', 'int32'),
        field('timestamp', 'int64'),
        field('maxNumOffsets', 'int32', { versions: '0', default: 1 }),
      ]),
    ]),
  ]),
  response: message('6+', [
    field('throttleTimeMs', 'int32', { versions: '2+' }),
    array('topics', [
      field('name', 'string'),
      array('partitions', [
        field('partitionIndex', 'int32'),
        field('errorCode', 'int16'),
        array('oldStyleOffsets', 'int64', { versions: '0' }),
        field('timestamp', 'int64', { versions: '1+', default: -1n }),
        field('offset', 'int64', { versions: '1+', default: -1n }),
      ]),
    ]),
  ]),
});
