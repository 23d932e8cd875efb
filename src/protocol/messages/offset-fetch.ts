// OffsetFetch (key 9), versions 1-4. v2 adds the top-level errorCode and null topics = all committed
// topics; v3 adds throttleTimeMs (v3 = v4). committedOffset -1 = nothing committed.
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { array, field, message } from '../schema.js';

export interface OffsetFetchRequestTopic {
  name: string;
  partitionIndexes: number[];
}

export interface OffsetFetchRequest {
  groupId: string;
  topics: OffsetFetchRequestTopic[] | null;
}

export interface OffsetFetchResponsePartition {
  partitionIndex: number;
  committedOffset: bigint;
  metadata: string | null;
  errorCode: number;
}

export interface OffsetFetchResponseTopic {
  name: string;
  partitions: OffsetFetchResponsePartition[];
}

export interface OffsetFetchResponse {
  throttleTimeMs: number;
  topics: OffsetFetchResponseTopic[];
  errorCode: number;
}

export const OffsetFetch = defineApi<OffsetFetchRequest, OffsetFetchResponse>({
  apiKey: ApiKey.OffsetFetch,
  name: 'OffsetFetch',
  minVersion: 1,
  maxVersion: 4,
  request: message('6+', [
    field('groupId', 'string', { versions: '0-7' }),
    array('topics', [field('name', 'string'), array('partitionIndexes', 'int32')], { versions: '0-7', nullable: '2-7' }),
  ]),
  response: message('6+', [
    field('throttleTimeMs', 'int32', { versions: '3+' }),
    array(
      'topics',
      [
        field('name', 'string'),
        array('partitions', [
          field('partitionIndex', 'int32'),
          field('committedOffset', 'int64'),
          field('metadata', 'string', { nullable: '0-7' }),
          field('errorCode', 'int16'),
        ]),
      ],
      { versions: '0-7' },
    ),
    field('errorCode', 'int16', { versions: '2-7' }),
  ]),
});
