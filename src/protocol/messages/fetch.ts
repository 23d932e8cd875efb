// Fetch (key 1), versions 4-11. v4 isolationLevel, lastStableOffset, abortedTransactions; v5
// logStartOffset; v7 fetch sessions (sessionId/sessionEpoch, forgottenTopicsData, top-level errorCode);
// v9 currentLeaderEpoch; v11 rackId and preferredReadReplica. Response `records` are encoded by
// reference (segment bytes are never copied) and decoded as views of the frame.
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { array, field, message } from '../schema.js';

export interface FetchRequestPartition {
  partition: number;
  currentLeaderEpoch: number;
  fetchOffset: bigint;
  logStartOffset: bigint;
  partitionMaxBytes: number;
}

export interface FetchRequestTopic {
  topic: string;
  partitions: FetchRequestPartition[];
}

export interface FetchRequestForgottenTopic {
  topic: string;
  partitions: number[];
}

export interface FetchRequest {
  replicaId: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  /** 0 = read_uncommitted, 1 = read_committed. */
  isolationLevel: number;
  sessionId: number;
  sessionEpoch: number;
  topics: FetchRequestTopic[];
  forgottenTopicsData: FetchRequestForgottenTopic[];
  rackId: string;
}

export interface FetchResponseAbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

export interface FetchResponsePartition {
  partitionIndex: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  abortedTransactions: FetchResponseAbortedTransaction[] | null;
  preferredReadReplica: number;
  records: Buffer | null;
}

export interface FetchResponseTopic {
  topic: string;
  partitions: FetchResponsePartition[];
}

export interface FetchResponse {
  throttleTimeMs: number;
  errorCode: number;
  sessionId: number;
  responses: FetchResponseTopic[];
}

export const Fetch = defineApi<FetchRequest, FetchResponse>({
  apiKey: ApiKey.Fetch,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 11,
  request: message('12+', [
    field('replicaId', 'int32', { default: -1 }),
    field('maxWaitMs', 'int32'),
    field('minBytes', 'int32'),
    field('maxBytes', 'int32', { versions: '3+', default: 0x7fffffff }),
    field('isolationLevel', 'int8', { versions: '4+' }),
    field('sessionId', 'int32', { versions: '7+' }),
    field('sessionEpoch', 'int32', { versions: '7+', default: -1 }),
    array('topics', [
      field('topic', 'string'),
      array('partitions', [
        field('partition', 'int32'),
        field('currentLeaderEpoch', 'int32', { versions: '9+', default: -1 }),
        field('fetchOffset', 'int64'),
        field('logStartOffset', 'int64', { versions: '5+', default: -1n }),
        field('partitionMaxBytes', 'int32'),
      ]),
    ]),
    array('forgottenTopicsData', [field('topic', 'string'), array('partitions', 'int32')], { versions: '7+' }),
    field('rackId', 'string', { versions: '11+' }),
  ]),
  response: message('12+', [
    field('throttleTimeMs', 'int32', { versions: '1+' }),
    field('errorCode', 'int16', { versions: '7+' }),
    field('sessionId', 'int32', { versions: '7+' }),
    array('responses', [
      field('topic', 'string'),
      array('partitions', [
        field('partitionIndex', 'int32'),
        field('errorCode', 'int16'),
        field('highWatermark', 'int64'),
        field('lastStableOffset', 'int64', { versions: '4+', default: -1n }),
        field('logStartOffset', 'int64', { versions: '5+', default: -1n }),
        array('abortedTransactions', [field('producerId', 'int64'), field('firstOffset', 'int64')], {
          versions: '4+',
          nullable: '4+',
        }),
        field('preferredReadReplica', 'int32', { versions: '11+', default: -1 }),
        field('records', 'records', { nullable: '0+' }),
      ]),
    ]),
  ]),
});
