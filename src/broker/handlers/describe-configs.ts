// DescribeConfigs: a topic resource lists every supported topic config with its effective value and
// source (override or default); a broker resource lists the broker's main settings (read-only).
import { ErrorCode } from '../../common/index.js';
import {
  DescribeConfigs,
  type DescribeConfigsRequest,
  type DescribeConfigsResponse,
  type DescribeConfigsResult,
} from '../../protocol/index.js';
import type { BrokerContext } from '../context.js';
import { describeBrokerConfigs, describeTopicConfigs, type ConfigEntry } from '../topic-configs.js';
import { ConfigResourceType } from './config-resource.js';
import type { Handler } from './handler.js';

export const describeConfigsHandler: Handler<DescribeConfigsRequest, DescribeConfigsResponse> = {
  codec: DescribeConfigs,
  minVersion: 1,
  maxVersion: 2,
  async handle(request, _version, ctx) {
    const results: DescribeConfigsResult[] = [];
    for (const resource of request.resources) {
      const { resourceType, resourceName } = resource;
      const fail = (errorCode: number, errorMessage: string): DescribeConfigsResult => ({ errorCode, errorMessage, resourceType, resourceName, configs: [] });
      const entries = await entriesOf(ctx.broker, resourceType, resourceName);
      if (typeof entries === 'string') {
        results.push(fail(resourceType === ConfigResourceType.TOPIC ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_REQUEST, entries));
        continue;
      }
      const keys = resource.configurationKeys === null ? null : new Set(resource.configurationKeys);
      const readOnly = resourceType === ConfigResourceType.BROKER;
      results.push({
        errorCode: 0,
        errorMessage: null,
        resourceType,
        resourceName,
        configs: entries
          .filter((e) => keys === null || keys.has(e.name))
          .map((e) => ({
            name: e.name,
            value: e.value,
            readOnly,
            configSource: e.configSource,
            isSensitive: false,
            synonyms: request.includeSynonyms ? [{ name: e.name, value: e.value, source: e.configSource }] : [],
          })),
      });
    }
    return { throttleTimeMs: 0, results };
  },
};

/** The entries of a resource, or the reason it cannot be described. */
async function entriesOf(broker: BrokerContext, type: number, name: string): Promise<ConfigEntry[] | string> {
  if (type === ConfigResourceType.TOPIC) {
    const topic = await broker.metadata.getTopic(name);
    return topic === undefined ? `topic "${name}" does not exist` : describeTopicConfigs(broker.config, topic.configs);
  }
  if (type === ConfigResourceType.BROKER) {
    if (name !== '' && name !== String(broker.config.nodeId)) return `this is broker ${broker.config.nodeId}, not "${name}"`;
    return describeBrokerConfigs(broker.config, broker.advertised);
  }
  return `resource type ${type} is not supported (2 = topic, 4 = broker)`;
}
