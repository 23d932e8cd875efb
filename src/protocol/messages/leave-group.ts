// LeaveGroup (key 13), versions 1-2 (v1 = v2; v1 adds throttleTimeMs). v3's batch leave is not in scope.
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { field, message } from '../schema.js';

export interface LeaveGroupRequest {
  groupId: string;
  memberId: string;
}

export interface LeaveGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
}

export const LeaveGroup = defineApi<LeaveGroupRequest, LeaveGroupResponse>({
  apiKey: ApiKey.LeaveGroup,
  name: 'LeaveGroup',
  minVersion: 1,
  maxVersion: 2,
  request: message('4+', [field('groupId', 'string'), field('memberId', 'string', { versions: '0-2' })]),
  response: message('4+', [field('throttleTimeMs', 'int32', { versions: '1+' }), field('errorCode', 'int16')]),
});
