// Produce (key 0), versions 0-7. v0-2 carry legacy message sets (the broker advertises but rejects them,
// see protocol.md §2); v3 adds transactionalId and magic-v2 batches. Responses gain throttleTimeMs at v1,
// logAppendTimeMs at v2, logStartOffset at v5. `records` is a zero-copy view of the request frame.
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { array, field, message } from '../schema.js';

export interface ProduceRequestPartition {
  index: number;
  records: Buffer | null;
}

export interface ProduceRequestTopic {
  name: string;
  partitionData: ProduceRequestPartition[];
}

export interface ProduceRequest {
  transactionalId: string | null;
  /** 0 = no response is sent, 1 = leader, -1 = all in-sync replicas. */
  acks: number;
  timeoutMs: number;
  topicData: ProduceRequestTopic[];
}

export interface ProduceResponsePartition {
  index: number;
  errorCode: number;
  baseOffset: bigint;
  logAppendTimeMs: bigint;
  logStartOffset: bigint;
}

export interface ProduceResponseTopic {
  name: string;
  partitionResponses: ProduceResponsePartition[];
}

export interface ProduceResponse {
  responses: ProduceResponseTopic[];
  throttleTimeMs: number;
}

export const Produce = defineApi<ProduceRequest, ProduceResponse>({
  apiKey: ApiKey.Produce,
  name: 'Produce',
  minVersion: 0,
  maxVersion: 7,
  request: message('9+', [
    field('transactionalId', 'string', { versions: '3+', nullable: '3+', default: null }),
    field('acks', 'int16'),
    field('timeoutMs', 'int32'),
    array('topicData', [
      field('name', 'string'),
      array('partitionData', [field('index', 'int32'), field('records', 'records', { nullable: '0+' })]),
    ]),
  ]),
  response: message('9+', [
    array('responses', [
      field('name', 'string'),
      array('partitionResponses', [
        field('index', 'int32'),
        field('errorCode', 'int16'),
        field('baseOffset', 'int64'),
        field('logAppendTimeMs', 'int64', { versions: '2+', default: -1n }),
        field('logStartOffset', 'int64', { versions: '5+', default: -1n }),
      ]),
    ]),
    field('throttleTimeMs', 'int32', { versions: '1+' }),
  ]),
});
