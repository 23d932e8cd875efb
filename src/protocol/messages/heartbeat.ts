// Heartbeat (key 12), versions 1-2 (v1 = v2; v1 adds throttleTimeMs).
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { field, message } from '../schema.js';

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
}

export interface HeartbeatResponse {
  throttleTimeMs: number;
  errorCode: number;
}

export const Heartbeat = defineApi<HeartbeatRequest, HeartbeatResponse>({
  apiKey: ApiKey.Heartbeat,
  name: 'Heartbeat',
  minVersion: 1,
  maxVersion: 2,
  request: message('4+', [field('groupId', 'string'), field('generationId', 'int32'), field('memberId', 'string')]),
  response: message('4+', [field('throttleTimeMs', 'int32', { versions: '1+' }), field('errorCode', 'int16')]),
});
