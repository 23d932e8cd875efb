// DeleteTopics (key 20), version 1 (v0 lacks throttleTimeMs; no target client sends it).
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { array, field, message } from '../schema.js';

export interface DeleteTopicsRequest {
  topicNames: string[];
  timeoutMs: number;
}

export interface DeletableTopicResult {
  name: string;
  errorCode: number;
}

export interface DeleteTopicsResponse {
  throttleTimeMs: number;
  responses: DeletableTopicResult[];
}

export const DeleteTopics = defineApi<DeleteTopicsRequest, DeleteTopicsResponse>({
  apiKey: ApiKey.DeleteTopics,
  name: 'DeleteTopics',
  minVersion: 1,
  maxVersion: 1,
  request: message('4+', [array('topicNames', 'string', { versions: '0-5' }), field('timeoutMs', 'int32')]),
  response: message('4+', [
    field('throttleTimeMs', 'int32', { versions: '1+' }),
    array('responses', [field('name', 'string'), field('errorCode', 'int16')]),
  ]),
});
