// OffsetForLeaderEpoch (key 23), versions 0-3 (the non-flexible ones). A follower that became follower
// (or a consumer after a leader change) asks the leader for the end offset of a leader epoch: the start
// offset of the next newer epoch, or the log end offset for the current one (KIP-101). v1 adds the
// epoch actually found, v2 currentLeaderEpoch (fencing) and throttleTimeMs, v3 replicaId.
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { array, field, message } from '../schema.js';

export interface OffsetForLeaderPartition {
  partition: number;
  currentLeaderEpoch: number;
  leaderEpoch: number;
}

export interface OffsetForLeaderTopic {
  topic: string;
  partitions: OffsetForLeaderPartition[];
}

export interface OffsetForLeaderEpochRequest {
  replicaId: number;
  topics: OffsetForLeaderTopic[];
}

export interface EpochEndOffset {
  errorCode: number;
  partition: number;
  leaderEpoch: number;
  endOffset: bigint;
}

export interface OffsetForLeaderTopicResult {
  topic: string;
  partitions: EpochEndOffset[];
}

export interface OffsetForLeaderEpochResponse {
  throttleTimeMs: number;
  topics: OffsetForLeaderTopicResult[];
}

export const OffsetForLeaderEpoch = defineApi<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>({
  apiKey: ApiKey.OffsetForLeaderEpoch,
  name: 'OffsetForLeaderEpoch',
  minVersion: 0,
  maxVersion: 3,
  request: message('4+', [
    field('replicaId', 'int32', { versions: '3+', default: -2 }),
    array('topics', [
      field('topic', 'string'),
      array('partitions', [
        field('partition', 'int32'),
        field('currentLeaderEpoch', 'int32', { versions: '2+', default: -1 }),
        field('leaderEpoch', 'int32'),
      ]),
    ]),
  ]),
  response: message('4+', [
    field('throttleTimeMs', 'int32', { versions: '2+' }),
    array('topics', [
      field('topic', 'string'),
      array('partitions', [
        field('errorCode', 'int16'),
        field('partition', 'int32'),
        field('leaderEpoch', 'int32', { versions: '1+', default: -1 }),
        field('endOffset', 'int64', { default: -1n }),
      ]),
    ]),
  ]),
});
