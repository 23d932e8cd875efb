// AlterConfigs: replaces a topic's whole set of config overrides (configs absent from the request return
// to their defaults, as in Kafka's non-incremental AlterConfigs) and applies them to storage at once.
// Broker configs are static (the config file), so broker resources are refused.
import { ErrorCode } from '../../common/index.js';
import {
  AlterConfigs,
  type AlterConfigsRequest,
  type AlterConfigsResourceResponse,
  type AlterConfigsResponse,
} from '../../protocol/index.js';
import { toWireError } from '../to-error-code.js';
import { ConfigResourceType } from './config-resource.js';
import type { Handler } from './handler.js';

export const alterConfigsHandler: Handler<AlterConfigsRequest, AlterConfigsResponse> = {
  codec: AlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  async handle(request, _version, ctx) {
    const responses: AlterConfigsResourceResponse[] = [];
    for (const resource of request.resources) {
      const { resourceType, resourceName } = resource;
      if (resourceType !== ConfigResourceType.TOPIC) {
        const errorMessage =
          resourceType === ConfigResourceType.BROKER
            ? 'broker configs are static: change the broker config file and restart'
            : `resource type ${resourceType} is not supported`;
        responses.push({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage, resourceType, resourceName });
        continue;
      }
      try {
        const configs: Record<string, string | null> = {};
        for (const c of resource.configs) configs[c.name] = c.value;
        await ctx.broker.topics.alterConfigs(resourceName, configs, request.validateOnly);
        responses.push({ errorCode: 0, errorMessage: null, resourceType, resourceName });
      } catch (err) {
        const wire = toWireError(err, ctx.broker.logger, { api: 'AlterConfigs', topic: resourceName });
        responses.push({ ...wire, resourceType, resourceName });
      }
    }
    return { throttleTimeMs: 0, responses };
  },
};
