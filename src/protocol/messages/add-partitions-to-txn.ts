// AddPartitionsToTxn (key 24), versions 0-1 (identical on the wire). Field names keep Kafka's
// "V3AndBelow" prefixes (v4 moved to batched transactions).
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { array, field, message } from '../schema.js';

export interface AddPartitionsToTxnTopic {
  name: string;
  partitions: number[];
}

export interface AddPartitionsToTxnRequest {
  v3AndBelowTransactionalId: string;
  v3AndBelowProducerId: bigint;
  v3AndBelowProducerEpoch: number;
  v3AndBelowTopics: AddPartitionsToTxnTopic[];
}

export interface AddPartitionsToTxnPartitionResult {
  partitionIndex: number;
  partitionErrorCode: number;
}

export interface AddPartitionsToTxnTopicResult {
  name: string;
  resultsByPartition: AddPartitionsToTxnPartitionResult[];
}

export interface AddPartitionsToTxnResponse {
  throttleTimeMs: number;
  resultsByTopicV3AndBelow: AddPartitionsToTxnTopicResult[];
}

export const AddPartitionsToTxn = defineApi<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse>({
  apiKey: ApiKey.AddPartitionsToTxn,
  name: 'AddPartitionsToTxn',
  minVersion: 0,
  maxVersion: 1,
  request: message('3+', [
    field('v3AndBelowTransactionalId', 'string', { versions: '0-3' }),
    field('v3AndBelowProducerId', 'int64', { versions: '0-3' }),
    field('v3AndBelowProducerEpoch', 'int16', { versions: '0-3' }),
    array('v3AndBelowTopics', [field('name', 'string'), array('partitions', 'int32')], { versions: '0-3' }),
  ]),
  response: message('3+', [
    field('throttleTimeMs', 'int32'),
    array(
      'resultsByTopicV3AndBelow',
      [field('name', 'string'), array('resultsByPartition', [field('partitionIndex', 'int32'), field('partitionErrorCode', 'int16')])],
      { versions: '0-3' },
    ),
  ]),
});
