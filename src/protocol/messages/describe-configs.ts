// DescribeConfigs (key 32), versions 1-2 (v1 = v2 on the wire). v1 adds
// includeSynonyms, configSource and synonyms (which replace v0's isDefault, not modelled here).
// resourceType: 2 = topic, 4 = broker. configurationKeys null = all.
import { defineApi } from '../api.js';
import { ApiKey } from '../api-keys.js';
import { array, field, message } from '../schema.js';

export interface DescribeConfigsResource {
  resourceType: number;
  resourceName: string;
  configurationKeys: string[] | null;
}

export interface DescribeConfigsRequest {
  resources: DescribeConfigsResource[];
  includeSynonyms: boolean;
}

export interface DescribeConfigsSynonym {
  name: string;
  value: string | null;
  source: number;
}

export interface DescribeConfigsResourceResult {
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  isSensitive: boolean;
  synonyms: DescribeConfigsSynonym[];
}

export interface DescribeConfigsResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  configs: DescribeConfigsResourceResult[];
}

export interface DescribeConfigsResponse {
  throttleTimeMs: number;
  results: DescribeConfigsResult[];
}

export const DescribeConfigs = defineApi<DescribeConfigsRequest, DescribeConfigsResponse>({
  apiKey: ApiKey.DescribeConfigs,
  name: 'DescribeConfigs',
  minVersion: 1,
  maxVersion: 2,
  request: message('4+', [
    array('resources', [
      field('resourceType', 'int8'),
      field('resourceName', 'string'),
      array('configurationKeys', 'string', { nullable: '0+' }),
    ]),
    field('includeSynonyms', 'bool', { versions: '1+' }),
  ]),
  response: message('4+', [
    field('throttleTimeMs', 'int32'),
    array('results', [
      field('errorCode', 'int16'),
      field('errorMessage', 'string', { nullable: '0+' }),
      field('resourceType', 'int8'),
      field('resourceName', 'string'),
      array('configs', [
        field('name', 'string'),
        field('value', 'string', { nullable: '0+' }),
        field('readOnly', 'bool'),
        field('configSource', 'int8', { versions: '1+', default: -1 }),
        field('isSensitive', 'bool'),
        array('synonyms', [field('name', 'string'), field('value', 'string', { nullable: '0+' }), field('source', 'int8')], {
          versions: '1+',
        }),
      ]),
    ]),
  ]),
});
