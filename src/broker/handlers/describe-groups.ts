// DescribeGroups 0-2: state, protocol and members; member metadata and assignments only while Stable,
// and an unknown group is described as Dead without an error, as Kafka does.
import { DescribeGroups, type DescribeGroupsRequest, type DescribeGroupsResponse } from '../../protocol/index.js';
import type { Handler } from './handler.js';

export const describeGroupsHandler: Handler<DescribeGroupsRequest, DescribeGroupsResponse> = {
  codec: DescribeGroups,
  minVersion: 0,
  maxVersion: 2,
  async handle(request, _version, ctx) {
    const groups = ctx.broker.groupCoordinator.describeGroups(request.groups).map((g) => ({
      errorCode: g.errorCode,
      groupId: g.groupId,
      groupState: g.state,
      protocolType: g.protocolType,
      protocolData: g.protocolName,
      members: g.members.map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: m.metadata,
        memberAssignment: m.assignment,
      })),
    }));
    return { throttleTimeMs: 0, groups };
  },
};
