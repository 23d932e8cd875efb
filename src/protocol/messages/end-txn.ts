// EndTxn (key 26), versions 0-1 (identical on the wire). committed false = abort.
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { field, message } from '../schema.js';

export interface EndTxnRequest {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  committed: boolean;
}

export interface EndTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
}

export const EndTxn = defineApi<EndTxnRequest, EndTxnResponse>({
  apiKey: ApiKey.EndTxn,
  name: 'EndTxn',
  minVersion: 0,
  maxVersion: 1,
  request: message('3+', [
    field('transactionalId', 'string'),
    field('producerId', 'int64'),
    field('producerEpoch', 'int16'),
    field('committed', 'bool'),
  ]),
  response: message('3+', [field('throttleTimeMs', 'int32'), field('errorCode', 'int16')]),
});
