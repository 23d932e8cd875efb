// JoinGroup 2-4: the request waits until the rebalance completes (or, at v4, a first join is answered
// MEMBER_ID_REQUIRED with the id to join again with). The v2-v4 request and response are the same.
import { JoinGroup, type JoinGroupRequest, type JoinGroupResponse } from '../../protocol/index.js';
import { clientHostOf, clientIdOf } from './group-client.js';
import type { Handler } from './handler.js';

export const joinGroupHandler: Handler<JoinGroupRequest, JoinGroupResponse> = {
  codec: JoinGroup,
  minVersion: 2,
  maxVersion: 4,
  async handle(request, version, ctx) {
    const result = await ctx.broker.groupCoordinator.join({
      groupId: request.groupId,
      memberId: request.memberId,
      clientId: clientIdOf(ctx),
      clientHost: clientHostOf(ctx),
      sessionTimeoutMs: request.sessionTimeoutMs,
      rebalanceTimeoutMs: request.rebalanceTimeoutMs,
      protocolType: request.protocolType,
      protocols: request.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
      requireKnownMemberId: version >= 4,
    });
    return { throttleTimeMs: 0, ...result };
  },
};
