// ApiVersions negotiation, as pure functions: which version of each API the client sends to a broker.
// The client speaks the intersection of three ranges: what its own logic handles (CLIENT_VERSIONS),
// what the protocol codec can encode (codec.minVersion..maxVersion) and what the broker advertises.
// It always sends the highest version in that intersection (as librdkafka and kafkajs do).
import { ErrorCode, KafkaError } from '../common/index.js';

export interface VersionRange {
  minVersion: number;
  maxVersion: number;
}

/** Broker-advertised ranges by apiKey, from an ApiVersions response. */
export type ApiVersionTable = ReadonlyMap<number, VersionRange>;

/** The parts of an ApiCodec that negotiation needs (so tests can use plain objects). */
export interface CodecRange extends VersionRange {
  apiKey: number;
  name: string;
}

/**
 * Versions the client's own logic handles, by apiKey. Lower bounds exist where older versions lack
 * something we rely on: Produce >= 3 and Fetch >= 4 carry RecordBatch v2 (magic 2); ListOffsets >= 1
 * returns one offset with its timestamp; Metadata >= 1 means "null = all topics". Upper bounds stop
 * before layout changes the client does not fill in (DeleteTopics v6 topic ids, Metadata v10 topic ids).
 */
export const CLIENT_VERSIONS: ReadonlyMap<number, VersionRange> = new Map([
  [0, { minVersion: 3, maxVersion: 7 }], // Produce
  [1, { minVersion: 4, maxVersion: 11 }], // Fetch
  [2, { minVersion: 1, maxVersion: 5 }], // ListOffsets
  [3, { minVersion: 1, maxVersion: 8 }], // Metadata
  [18, { minVersion: 0, maxVersion: 3 }], // ApiVersions
  [19, { minVersion: 0, maxVersion: 4 }], // CreateTopics
  [20, { minVersion: 0, maxVersion: 5 }], // DeleteTopics
  [21, { minVersion: 0, maxVersion: 2 }], // DeleteRecords
  [32, { minVersion: 0, maxVersion: 4 }], // DescribeConfigs
  [33, { minVersion: 0, maxVersion: 2 }], // AlterConfigs
  [37, { minVersion: 0, maxVersion: 3 }], // CreatePartitions
]);

/** The ApiVersions version tried first: v3 (flexible, KIP-511), then lower ones on UNSUPPORTED_VERSION. */
export const API_VERSIONS_FIRST = 3;

/**
 * The version to send for `codec` to a broker advertising `table`. Throws KafkaError(UNSUPPORTED_VERSION)
 * with both ranges in the message when the broker does not have the API or the ranges do not overlap.
 */
export function pickVersion(codec: CodecRange, table: ApiVersionTable): number {
  const ours = ourRange(codec);
  const broker = table.get(codec.apiKey);
  if (broker === undefined) {
    throw new KafkaError(
      ErrorCode.UNSUPPORTED_VERSION,
      `the broker does not support ${codec.name} (api key ${codec.apiKey})`,
    );
  }
  const low = Math.max(ours.minVersion, broker.minVersion);
  const high = Math.min(ours.maxVersion, broker.maxVersion);
  if (high < low) {
    throw new KafkaError(
      ErrorCode.UNSUPPORTED_VERSION,
      `no common version of ${codec.name}: the broker supports ${broker.minVersion}-${broker.maxVersion}, ` +
        `logctl supports ${ours.minVersion}-${ours.maxVersion}`,
    );
  }
  return high;
}

/** Our side of the negotiation: the client logic's range clipped to the codec's. */
export function ourRange(codec: CodecRange): VersionRange {
  const logic = CLIENT_VERSIONS.get(codec.apiKey) ?? { minVersion: 0, maxVersion: Number.MAX_SAFE_INTEGER };
  return {
    minVersion: Math.max(logic.minVersion, codec.minVersion),
    maxVersion: Math.min(logic.maxVersion, codec.maxVersion),
  };
}

/**
 * After an ApiVersions request at `tried` failed with UNSUPPORTED_VERSION, the version to retry with:
 * the broker's advertised maximum for ApiVersions (key 18) when its error body listed one, else
 * tried - 1. Returns null when there is nothing lower left to try.
 */
export function apiVersionsRetryVersion(tried: number, brokerMax: number | undefined): number | null {
  const next = brokerMax !== undefined && brokerMax < tried ? brokerMax : tried - 1;
  return next >= 0 ? next : null;
}

/** Builds the lookup table from an ApiVersions response's apiKeys array. */
export function toVersionTable(apiKeys: readonly { apiKey: number; minVersion: number; maxVersion: number }[]): ApiVersionTable {
  return new Map(apiKeys.map((k) => [k.apiKey, { minVersion: k.minVersion, maxVersion: k.maxVersion }]));
}
