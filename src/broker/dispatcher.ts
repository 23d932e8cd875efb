// Frame → request header → handler by apiKey → version check → handler. Anything that cannot be
// answered (undecodable header or body, unknown API, unsupported version) throws, which closes the
// connection as Kafka does, with one exception: an unsupported ApiVersions version is answered with
// a v0-format error body listing what we support, so that clients can step down (protocol.md §5).
import type { FrameHandler, ResponseChunks } from '../net/index.js';
import { ApiKey, ApiVersions, decodeRequestHeader, encodeResponseFrame } from '../protocol/index.js';
import { ErrorCode, ProtocolError } from '../common/index.js';
import type { BrokerContext } from './context.js';
import type { RegisteredHandler, RequestContext } from './handlers/handler.js';
import { RequestOrder } from './request-order.js';

export function createDispatcher(registry: ReadonlyMap<number, RegisteredHandler>, broker: BrokerContext): FrameHandler {
  const order = new RequestOrder();
  // Not async: a handler that may start at once starts in the tick its frame arrived.
  return (frame, connection) => {
    const { header, bodyOffset } = decodeRequestHeader(frame);
    const { apiKey, apiVersion, correlationId } = header;
    const handler = registry.get(apiKey);
    if (handler === undefined) throw new ProtocolError(`unsupported API key ${apiKey} (correlation id ${correlationId})`);
    if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      if (apiKey === ApiKey.ApiVersions) return Promise.resolve(unsupportedApiVersions(registry, correlationId));
      throw new ProtocolError(`unsupported ${handler.name} version ${apiVersion} (supported ${handler.minVersion}-${handler.maxVersion})`);
    }
    const ctx: RequestContext = { header, connection, broker };
    const startedAt = performance.now();
    const body = frame.subarray(bodyOffset);
    const produce = apiKey === ApiKey.Produce;
    return order
      .run(connection, produce, () => handler.run(body, apiVersion, ctx))
      .then((response) => {
        // A Produce request is answered once every append of it settled (written or refused): nothing
        // refers to its frame any more, so its memory can carry the next one. Frames of other APIs
        // are never given back (their decoded values may be views of the frame that live on, e.g.
        // SyncGroup assignments); nor is a frame whose handler threw.
        if (produce) broker.framePool.release(frame);
        broker.metrics?.requestDone(handler.name, startedAt);
        if (response === null) return null;
        const chunks: ResponseChunks = encodeResponseFrame(apiKey, apiVersion, correlationId, response);
        if (ctx.onWritten !== undefined) chunks.onWritten = ctx.onWritten;
        return chunks;
      });
  };
}

/** The advertised ranges, straight from the registry (ApiVersions must never be written by hand). */
export function advertisedApiKeys(registry: ReadonlyMap<number, RegisteredHandler>): { apiKey: number; minVersion: number; maxVersion: number }[] {
  return [...registry.values()]
    .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }))
    .sort((a, b) => a.apiKey - b.apiKey);
}

/** ApiVersions error 35 in the v0 body layout with a v0 response header, whatever version was asked. */
function unsupportedApiVersions(registry: ReadonlyMap<number, RegisteredHandler>, correlationId: number): Buffer[] {
  const body = ApiVersions.encodeResponse(
    {
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: advertisedApiKeys(registry),
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    },
    0,
  );
  return encodeResponseFrame(ApiKey.ApiVersions, 0, correlationId, body);
}
