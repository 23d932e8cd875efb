// ApiVersions: the advertised ranges come from the handler registry (BrokerContext.advertisedApis).
import { ApiVersions, type ApiVersionsRequest, type ApiVersionsResponse } from '../../protocol/index.js';
import type { Handler } from './handler.js';

export const apiVersionsHandler: Handler<ApiVersionsRequest, ApiVersionsResponse> = {
  codec: ApiVersions,
  minVersion: 0,
  maxVersion: 3,
  async handle(_request, _version, ctx) {
    return {
      errorCode: 0,
      apiKeys: ctx.broker.advertisedApis.map((a) => ({ ...a })),
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    };
  },
};
