// SyncGroup (key 14), versions 1-2 (v1 = v2). The leader sends every member's
// assignment; each member gets its own back.
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { array, field, message } from '../schema.js';

export interface SyncGroupRequestAssignment {
  memberId: string;
  assignment: Buffer;
}

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  assignments: SyncGroupRequestAssignment[];
}

export interface SyncGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  assignment: Buffer;
}

export const SyncGroup = defineApi<SyncGroupRequest, SyncGroupResponse>({
  apiKey: ApiKey.SyncGroup,
  name: 'SyncGroup',
  minVersion: 1,
  maxVersion: 2,
  request: message('4+', [
    field('groupId', 'string'),
    field('generationId', 'int32'),
    field('memberId', 'string'),
    array('assignments', [field('memberId', 'string'), field('assignment', 'bytes')]),
  ]),
  response: message('4+', [
    field('throttleTimeMs', 'int32', { versions: '1+' }),
    field('errorCode', 'int16'),
    field('assignment', 'bytes'),
  ]),
});
