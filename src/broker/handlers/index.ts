// The handler registry: one entry per API. ApiVersions advertises exactly these ranges.
import { alterConfigsHandler } from './alter-configs.js';
import { apiVersionsHandler } from './api-versions.js';
import { createPartitionsHandler } from './create-partitions.js';
import { createTopicsHandler } from './create-topics.js';
import { deleteRecordsHandler } from './delete-records.js';
import { deleteTopicsHandler } from './delete-topics.js';
import { describeConfigsHandler } from './describe-configs.js';
import { fetchHandler } from './fetch.js';
import { registerHandler, type RegisteredHandler } from './handler.js';
import { listOffsetsHandler } from './list-offsets.js';
import { metadataHandler } from './metadata.js';
import { produceHandler } from './produce.js';

export function createHandlerRegistry(): ReadonlyMap<number, RegisteredHandler> {
  const handlers = [
    registerHandler(produceHandler),
    registerHandler(fetchHandler),
    registerHandler(listOffsetsHandler),
    registerHandler(metadataHandler),
    registerHandler(apiVersionsHandler),
    registerHandler(createTopicsHandler),
    registerHandler(deleteTopicsHandler),
    registerHandler(deleteRecordsHandler),
    registerHandler(describeConfigsHandler),
    registerHandler(alterConfigsHandler),
    registerHandler(createPartitionsHandler),
  ];
  return new Map(handlers.map((h) => [h.apiKey, h]));
}

export type { Handler, RegisteredHandler, RequestContext } from './handler.js';
