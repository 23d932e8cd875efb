// The handler registry: one entry per API. ApiVersions advertises exactly these ranges.
import { alterConfigsHandler } from './alter-configs.js';
import { apiVersionsHandler } from './api-versions.js';
import { createPartitionsHandler } from './create-partitions.js';
import { createTopicsHandler } from './create-topics.js';
import { deleteRecordsHandler } from './delete-records.js';
import { deleteTopicsHandler } from './delete-topics.js';
import { describeConfigsHandler } from './describe-configs.js';
import { fetchHandler } from './fetch.js';
import { findCoordinatorHandler } from './find-coordinator.js';
import { joinGroupHandler } from './join-group.js';
import { syncGroupHandler } from './sync-group.js';
import { heartbeatHandler } from './heartbeat.js';
import { initProducerIdHandler } from './init-producer-id.js';
import { leaveGroupHandler } from './leave-group.js';
import { offsetCommitHandler } from './offset-commit.js';
import { offsetFetchHandler } from './offset-fetch.js';
import { listGroupsHandler } from './list-groups.js';
import { describeGroupsHandler } from './describe-groups.js';
import { deleteGroupsHandler } from './delete-groups.js';
import { registerHandler, type RegisteredHandler } from './handler.js';
import { listOffsetsHandler } from './list-offsets.js';
import { metadataHandler } from './metadata.js';
import { offsetForLeaderEpochHandler } from './offset-for-leader-epoch.js';
import { produceHandler } from './produce.js';
import { countFetched } from '../metrics/fetch-counting.js';

export function createHandlerRegistry(): ReadonlyMap<number, RegisteredHandler> {
  const handlers = [
    registerHandler(produceHandler),
    registerHandler(countFetched(fetchHandler)),
    registerHandler(listOffsetsHandler),
    registerHandler(metadataHandler),
    registerHandler(apiVersionsHandler),
    registerHandler(createTopicsHandler),
    registerHandler(deleteTopicsHandler),
    registerHandler(deleteRecordsHandler),
    registerHandler(describeConfigsHandler),
    registerHandler(alterConfigsHandler),
    registerHandler(createPartitionsHandler),
    registerHandler(findCoordinatorHandler),
    registerHandler(joinGroupHandler),
    registerHandler(syncGroupHandler),
    registerHandler(heartbeatHandler),
    registerHandler(leaveGroupHandler),
    registerHandler(offsetCommitHandler),
    registerHandler(offsetFetchHandler),
    registerHandler(listGroupsHandler),
    registerHandler(describeGroupsHandler),
    registerHandler(deleteGroupsHandler),
    registerHandler(offsetForLeaderEpochHandler),
    registerHandler(initProducerIdHandler),
  ];
  return new Map(handlers.map((h) => [h.apiKey, h]));
}

export type { Handler, RegisteredHandler, RequestContext } from './handler.js';
