// ApiVersions (key 18), versions 0-3; v3 is flexible (KIP-511 client software name/version, feature
// tags) but its response header stays v0. Field layout: see the descriptors below (codec.ts encodes them
// in order; v3 adds compact lengths and tagged fields).
import { ErrorCode } from '../../common/index.js';
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { array, field, message } from '../schema.js';

export interface ApiVersionsRequest {
  clientSoftwareName: string;
  clientSoftwareVersion: string;
}

export interface ApiVersionsResponseKey {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export interface SupportedFeatureKey {
  name: string;
  minVersion: number;
  maxVersion: number;
}

export interface FinalizedFeatureKey {
  name: string;
  maxVersionLevel: number;
  minVersionLevel: number;
}

export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: ApiVersionsResponseKey[];
  throttleTimeMs: number;
  supportedFeatures: SupportedFeatureKey[];
  finalizedFeaturesEpoch: bigint;
  finalizedFeatures: FinalizedFeatureKey[];
  zkMigrationReady: boolean;
}

export const ApiVersions = defineApi<ApiVersionsRequest, ApiVersionsResponse>({
  apiKey: ApiKey.ApiVersions,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 3,
  request: message('3+', [
    field('clientSoftwareName', 'string', { versions: '3+' }),
    field('clientSoftwareVersion', 'string', { versions: '3+' }),
  ]),
  response: message('3+', [
    field('errorCode', 'int16'),
    array('apiKeys', [field('apiKey', 'int16'), field('minVersion', 'int16'), field('maxVersion', 'int16')]),
    field('throttleTimeMs', 'int32', { versions: '1+' }),
    array(
      'supportedFeatures',
      [field('name', 'string'), field('minVersion', 'int16'), field('maxVersion', 'int16')],
      { versions: '3+', tag: 0 },
    ),
    field('finalizedFeaturesEpoch', 'int64', { versions: '3+', tag: 1, default: -1n }),
    array(
      'finalizedFeatures',
      [field('name', 'string'), field('maxVersionLevel', 'int16'), field('minVersionLevel', 'int16')],
      { versions: '3+', tag: 2 },
    ),
    field('zkMigrationReady', 'bool', { versions: '3+', tag: 3 }),
  ]),
});

/**
 * The body to answer an ApiVersions request whose version we do not know: Kafka's v0 layout
 * (errorCode 35 UNSUPPORTED_VERSION, then the ApiVersions range) whatever version was asked, so that
 * every client can parse it and retry with a version we support. Frame it with response header v0.
 */
export function encodeApiVersionsUnsupportedResponse(): Buffer[] {
  return ApiVersions.encodeResponse(
    {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: [{ apiKey: ApiKey.ApiVersions, minVersion: ApiVersions.minVersion, maxVersion: ApiVersions.maxVersion }],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    },
    0,
  );
}
