// DeleteGroups 0-1: deletes Empty groups and their committed offsets; NON_EMPTY_GROUP while members
// exist, GROUP_ID_NOT_FOUND for unknown groups.
import { DeleteGroups, type DeleteGroupsRequest, type DeleteGroupsResponse } from '../../protocol/index.js';
import type { Handler } from './handler.js';

export const deleteGroupsHandler: Handler<DeleteGroupsRequest, DeleteGroupsResponse> = {
  codec: DeleteGroups,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, _version, ctx) {
    return { throttleTimeMs: 0, results: await ctx.broker.groupCoordinator.deleteGroups(request.groupsNames) };
  },
};
