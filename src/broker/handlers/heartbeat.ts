// Heartbeat 1-2: keeps the member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
import { Heartbeat, type HeartbeatRequest, type HeartbeatResponse } from '../../protocol/index.js';
import type { Handler } from './handler.js';

export const heartbeatHandler: Handler<HeartbeatRequest, HeartbeatResponse> = {
  codec: Heartbeat,
  minVersion: 1,
  maxVersion: 2,
  async handle(request, _version, ctx) {
    const errorCode = ctx.broker.groupCoordinator.heartbeat({ groupId: request.groupId, generationId: request.generationId, memberId: request.memberId });
    return { throttleTimeMs: 0, errorCode };
  },
};
