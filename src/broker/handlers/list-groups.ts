// ListGroups 0-2: every group this broker coordinates (all of them on a single node), Empty ones included.
import { ListGroups, type ListGroupsRequest, type ListGroupsResponse } from '../../protocol/index.js';
import type { Handler } from './handler.js';

export const listGroupsHandler: Handler<ListGroupsRequest, ListGroupsResponse> = {
  codec: ListGroups,
  minVersion: 0,
  maxVersion: 2,
  async handle(_request, _version, ctx) {
    const groups = ctx.broker.groupCoordinator.listGroups().map((g) => ({ groupId: g.groupId, protocolType: g.protocolType }));
    return { throttleTimeMs: 0, errorCode: 0, groups };
  },
};
