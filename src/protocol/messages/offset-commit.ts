// OffsetCommit (key 8), versions 2-4 (identical requests with retentionTimeMs, -1 = broker default;
// responses gain throttleTimeMs at v3). generationIdOrMemberEpoch -1 / memberId '' = simple commit.
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { array, field, message } from '../schema.js';

export interface OffsetCommitRequestPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedMetadata: string | null;
}

export interface OffsetCommitRequestTopic {
  name: string;
  partitions: OffsetCommitRequestPartition[];
}

export interface OffsetCommitRequest {
  groupId: string;
  generationIdOrMemberEpoch: number;
  memberId: string;
  retentionTimeMs: bigint;
  topics: OffsetCommitRequestTopic[];
}

export interface OffsetCommitResponsePartition {
  partitionIndex: number;
  errorCode: number;
}

export interface OffsetCommitResponseTopic {
  name: string;
  partitions: OffsetCommitResponsePartition[];
}

export interface OffsetCommitResponse {
  throttleTimeMs: number;
  topics: OffsetCommitResponseTopic[];
}

export const OffsetCommit = defineApi<OffsetCommitRequest, OffsetCommitResponse>({
  apiKey: ApiKey.OffsetCommit,
  name: 'OffsetCommit',
  minVersion: 2,
  maxVersion: 4,
  request: message('8+', [
    field('groupId', 'string'),
    field('generationIdOrMemberEpoch', 'int32', { versions: '1+', default: -1 }),
    field('memberId', 'string', { versions: '1+' }),
    field('retentionTimeMs', 'int64', { versions: '2-4', default: -1n }),
    array('topics', [
      field('name', 'string'),
      array('partitions', [
        field('partitionIndex', 'int32'),
        field('committedOffset', 'int64'),
        field('committedMetadata', 'string', { nullable: '0+' }),
      ]),
    ]),
  ]),
  response: message('8+', [
    field('throttleTimeMs', 'int32', { versions: '3+' }),
    array('topics', [field('name', 'string'), array('partitions', [field('partitionIndex', 'int32'), field('errorCode', 'int16')])]),
  ]),
});
