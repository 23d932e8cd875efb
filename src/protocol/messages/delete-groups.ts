// DeleteGroups (key 42), versions 0-1 (identical on the wire).
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { array, field, message } from '../schema.js';

export interface DeleteGroupsRequest {
  groupsNames: string[];
}

export interface DeletableGroupResult {
  groupId: string;
  errorCode: number;
}

export interface DeleteGroupsResponse {
  throttleTimeMs: number;
  results: DeletableGroupResult[];
}

export const DeleteGroups = defineApi<DeleteGroupsRequest, DeleteGroupsResponse>({
  apiKey: ApiKey.DeleteGroups,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 1,
  request: message('2+', [array('groupsNames', 'string')]),
  response: message('2+', [field('throttleTimeMs', 'int32'), array('results', [field('groupId', 'string'), field('errorCode', 'int16')])]),
});
