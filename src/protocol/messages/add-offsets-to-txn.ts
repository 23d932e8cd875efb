// AddOffsetsToTxn (key 25), versions 0-1 (identical on the wire).
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { field, message } from '../schema.js';

export interface AddOffsetsToTxnRequest {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  groupId: string;
}

export interface AddOffsetsToTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
}

export const AddOffsetsToTxn = defineApi<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse>({
  apiKey: ApiKey.AddOffsetsToTxn,
  name: 'AddOffsetsToTxn',
  minVersion: 0,
  maxVersion: 1,
  request: message('3+', [
    field('transactionalId', 'string'),
    field('producerId', 'int64'),
    field('producerEpoch', 'int16'),
    field('groupId', 'string'),
  ]),
  response: message('3+', [field('throttleTimeMs', 'int32'), field('errorCode', 'int16')]),
});
