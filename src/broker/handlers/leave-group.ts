// LeaveGroup 1-2 (one member per request): removes the member and rebalances the rest at once,
// instead of waiting for its session to expire.
import { LeaveGroup, type LeaveGroupRequest, type LeaveGroupResponse } from '../../protocol/index.js';
import type { Handler } from './handler.js';

export const leaveGroupHandler: Handler<LeaveGroupRequest, LeaveGroupResponse> = {
  codec: LeaveGroup,
  minVersion: 1,
  maxVersion: 2,
  async handle(request, _version, ctx) {
    return { throttleTimeMs: 0, errorCode: ctx.broker.groupCoordinator.leave(request.groupId, request.memberId) };
  },
};
