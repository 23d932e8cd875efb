// JoinGroup (key 11), versions 2-4 (identical on the wire; v4 lets the broker answer
// MEMBER_ID_REQUIRED). Protocol metadata is opaque bytes (ConsumerProtocolSubscription for consumers).
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { array, field, message } from '../schema.js';

export interface JoinGroupRequestProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  protocolType: string;
  protocols: JoinGroupRequestProtocol[];
}

export interface JoinGroupResponseMember {
  memberId: string;
  metadata: Buffer;
}

export interface JoinGroupResponse {
  throttleTimeMs: number;
  errorCode: number;
  generationId: number;
  protocolName: string;
  leader: string;
  memberId: string;
  members: JoinGroupResponseMember[];
}

export const JoinGroup = defineApi<JoinGroupRequest, JoinGroupResponse>({
  apiKey: ApiKey.JoinGroup,
  name: 'JoinGroup',
  minVersion: 2,
  maxVersion: 4,
  request: message('6+', [
    field('groupId', 'string'),
    field('sessionTimeoutMs', 'int32'),
    field('rebalanceTimeoutMs', 'int32', { versions: '1+', default: -1 }),
    field('memberId', 'string'),
    field('protocolType', 'string'),
    array('protocols', [field('name', 'string'), field('metadata', 'bytes')]),
  ]),
  response: message('6+', [
    field('throttleTimeMs', 'int32', { versions: '2+' }),
    field('errorCode', 'int16'),
    field('generationId', 'int32', { default: -1 }),
    field('protocolName', 'string'),
    field('leader', 'string'),
    field('memberId', 'string'),
    array('members', [field('memberId', 'string'), field('metadata', 'bytes')]),
  ]),
});
