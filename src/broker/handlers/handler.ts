// What a request handler is: the API it answers, the versions it supports, and a function from the
// decoded request to the response object. The registry (handlers/index.ts) is the single source of
// the versions ApiVersions advertises.
import type { ConnectionContext } from '../../net/index.js';
import type { ApiCodec, RequestHeader } from '../../protocol/index.js';
import type { BrokerContext } from '../context.js';

export interface RequestContext {
  header: RequestHeader;
  connection: ConnectionContext;
  broker: BrokerContext;
  /** Set by a handler whose response references pooled memory: runs once the response was written. */
  onWritten?: () => void;
}

export interface Handler<Req, Res> {
  codec: ApiCodec<Req, Res>;
  /** Versions answered normally. */
  minVersion: number;
  maxVersion: number;
  /**
   * Versions below minVersion that are advertised anyway and answered with an error response built by
   * `refuse` (librdkafka checks Produce v0 for compression support, protocol.md §2.1).
   */
  advertisedMinVersion?: number;
  refuse?: (request: Req, version: number) => Res;
  /** Returns the response, or null for none (Produce with acks=0). */
  handle(request: Req, version: number, ctx: RequestContext): Promise<Res | null>;
}

/** A handler with its types erased, as the dispatcher sees it. */
export interface RegisteredHandler {
  apiKey: number;
  name: string;
  /** The advertised range. */
  minVersion: number;
  maxVersion: number;
  /** Decodes the body, runs the handler, encodes the response body (null = no response). */
  run(body: Buffer, version: number, ctx: RequestContext): Promise<Buffer[] | null>;
}

export function registerHandler<Req, Res>(h: Handler<Req, Res>): RegisteredHandler {
  const advertisedMin = h.advertisedMinVersion ?? h.minVersion;
  if (advertisedMin < h.codec.minVersion || h.maxVersion > h.codec.maxVersion) {
    throw new Error(`${h.codec.name} handler versions ${advertisedMin}-${h.maxVersion} exceed the codec's ${h.codec.minVersion}-${h.codec.maxVersion}`);
  }
  const refuse = h.refuse;
  if (advertisedMin < h.minVersion && refuse === undefined) {
    throw new Error(`${h.codec.name} handler advertises versions below ${h.minVersion} without a refuse() answer`);
  }
  return {
    apiKey: h.codec.apiKey,
    name: h.codec.name,
    minVersion: advertisedMin,
    maxVersion: h.maxVersion,
    // Not async on purpose: decoding and the synchronous start of the handler run in the same tick
    // as the frame's arrival, so requests on one connection reach storage in arrival order.
    run(body, version, ctx) {
      const request = h.codec.decodeRequest(body, version);
      if (version < h.minVersion && refuse !== undefined) {
        return Promise.resolve(h.codec.encodeResponse(refuse(request, version), version));
      }
      return h.handle(request, version, ctx).then((res) => (res === null ? null : h.codec.encodeResponse(res, version)));
    },
  };
}
