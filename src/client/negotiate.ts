// The ApiVersions handshake run on every new connection: its result (the broker's version ranges) picks
// the version of each later request on that connection (versions.ts).
import { ErrorCode } from '../common/index.js';
import { ApiVersions } from '../protocol/index.js';
import type { KafkaConnection } from './connection.js';
import { kafkaError } from './kafka-errors.js';
import { API_VERSIONS_FIRST, apiVersionsRetryVersion, toVersionTable, type ApiVersionTable } from './versions.js';

/** Sent as KIP-511 ClientSoftwareVersion. */
const CLIENT_SOFTWARE_VERSION = '0.1.0';

/**
 * ApiVersions handshake. Tries v3 first; a broker that does not know that version answers with a v0
 * body carrying UNSUPPORTED_VERSION and (usually) its own ApiVersions range, which picks the retry.
 */
export async function negotiateApiVersions(conn: KafkaConnection): Promise<ApiVersionTable> {
  let version: number | null = Math.min(API_VERSIONS_FIRST, ApiVersions.maxVersion);
  while (version !== null) {
    const request = { clientSoftwareName: 'logctl', clientSoftwareVersion: CLIENT_SOFTWARE_VERSION };
    const body = await conn.sendRaw(ApiVersions.apiKey, version, ApiVersions.encodeRequest(request, version), ApiVersions.name);
    // errorCode is the first field at every version, and the header is never flexible for ApiVersions.
    const errorCode = body.length >= 2 ? body.readInt16BE(0) : ErrorCode.UNKNOWN_SERVER_ERROR;
    if (errorCode === ErrorCode.UNSUPPORTED_VERSION) {
      let brokerMax: number | undefined;
      try {
        brokerMax = ApiVersions.decodeResponse(body, 0).apiKeys.find((k) => k.apiKey === ApiVersions.apiKey)?.maxVersion;
      } catch {
        brokerMax = undefined;
      }
      version = apiVersionsRetryVersion(version, brokerMax);
      continue;
    }
    const res = ApiVersions.decodeResponse(body, version);
    if (res.errorCode !== ErrorCode.NONE) throw kafkaError(res.errorCode, `ApiVersions with ${conn.label}`);
    return toVersionTable(res.apiKeys);
  }
  throw kafkaError(ErrorCode.UNSUPPORTED_VERSION, `ApiVersions with ${conn.label}: the broker accepts no version logctl can send`);
}
