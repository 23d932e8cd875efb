// FindCoordinator (key 10), versions 0-2 (v1 = v2). keyType 0 = group, 1 = transaction (v1+).
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { field, message } from '../schema.js';

export interface FindCoordinatorRequest {
  key: string;
  keyType: number;
}

export interface FindCoordinatorResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

export const FindCoordinator = defineApi<FindCoordinatorRequest, FindCoordinatorResponse>({
  apiKey: ApiKey.FindCoordinator,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 2,
  request: message('3+', [field('key', 'string', { versions: '0-3' }), field('keyType', 'int8', { versions: '1+' })]),
  response: message('3+', [
    field('throttleTimeMs', 'int32', { versions: '1+' }),
    field('errorCode', 'int16', { versions: '0-3' }),
    field('errorMessage', 'string', { versions: '1-3', nullable: '1-3' }),
    field('nodeId', 'int32', { versions: '0-3' }),
    field('host', 'string', { versions: '0-3' }),
    field('port', 'int32', { versions: '0-3' }),
  ]),
});
