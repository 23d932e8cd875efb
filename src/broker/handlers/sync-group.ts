// SyncGroup 1-2: the leader sends every member's assignment; every member (leader included) gets its own
// once the leader's has arrived.
import { SyncGroup, type SyncGroupRequest, type SyncGroupResponse } from '../../protocol/index.js';
import type { Handler } from './handler.js';

export const syncGroupHandler: Handler<SyncGroupRequest, SyncGroupResponse> = {
  codec: SyncGroup,
  minVersion: 1,
  maxVersion: 2,
  async handle(request, _version, ctx) {
    const result = await ctx.broker.groupCoordinator.sync({
      groupId: request.groupId,
      generationId: request.generationId,
      memberId: request.memberId,
      assignments: request.assignments.map((a) => ({ memberId: a.memberId, assignment: a.assignment })),
    });
    return { throttleTimeMs: 0, errorCode: result.errorCode, assignment: result.assignment };
  },
};
