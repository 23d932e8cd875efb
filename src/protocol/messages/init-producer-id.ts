// InitProducerId (key 22), versions 0-1 (identical on the wire). transactionalId null = idempotent
// producer only.
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { field, message } from '../schema.js';

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
}

export interface InitProducerIdResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}

export const InitProducerId = defineApi<InitProducerIdRequest, InitProducerIdResponse>({
  apiKey: ApiKey.InitProducerId,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 1,
  request: message('2+', [field('transactionalId', 'string', { nullable: '0+' }), field('transactionTimeoutMs', 'int32')]),
  response: message('2+', [
    field('throttleTimeMs', 'int32'),
    field('errorCode', 'int16'),
    field('producerId', 'int64', { default: -1n }),
    field('producerEpoch', 'int16'),
  ]),
});
