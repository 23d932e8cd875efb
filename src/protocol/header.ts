// Request and response headers and framing (Kafka RequestHeader/ResponseHeader).
//   frame            int32 size (bytes after itself), header, body
//   request  v1      int16 apiKey | int16 apiVersion | int32 correlationId | int16-length string clientId (-1 = null)
//   request  v2      v1 + tagged fields (uvarint count, then tag/size/value each). clientId stays an
//                    int16-length string: RequestHeader's clientId is never compact.
//   response v0      int32 correlationId
//   response v1      v0 + tagged fields (a single 0x00 when empty)
// The request header is v2 iff (apiKey, apiVersion) is flexible; ApiVersions ≥ 3 counts as flexible even
// for versions we do not know, and unknown apiKeys are read as v1 so the broker can still answer them.
// Responses are v1 when flexible, except ApiVersions, whose response header is always v0 (clients parse
// its body before they know which versions the broker speaks).
import { ProtocolError } from '../common/index.js';
import { ApiKey, isFlexible } from './api-keys.js';
import { Reader } from './reader.js';
import { Writer, chunksLength } from './writer.js';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** Skips a tagged-field section: headers define no tags we need. */
function skipTaggedFields(r: Reader): void {
  const count = r.uvarint();
  if (count * 2 > r.remaining) throw new ProtocolError(`${count} header tagged fields cannot fit in ${r.remaining} bytes`);
  for (let i = 0; i < count; i++) {
    r.uvarint();
    r.skip(r.uvarint());
  }
}

/** Parses the request header of a whole frame (without the size prefix). */
export function decodeRequestHeader(frame: Buffer): { header: RequestHeader; bodyOffset: number } {
  const r = new Reader(frame);
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const clientId = r.string(false, true);
  if (isFlexible(apiKey, apiVersion)) skipTaggedFields(r);
  return { header: { apiKey, apiVersion, correlationId, clientId }, bodyOffset: r.offset };
}

/** [int32 size][request header v1 or v2][body chunks]. */
export function encodeRequestFrame(header: RequestHeader, body: Buffer[]): Buffer[] {
  const w = new Writer();
  w.int32(0);
  w.int16(header.apiKey);
  w.int16(header.apiVersion);
  w.int32(header.correlationId);
  w.string(header.clientId, false);
  if (isFlexible(header.apiKey, header.apiVersion)) w.uvarint(0);
  return withSize(Buffer.concat(w.finish()), body);
}

function responseHeaderHasTags(apiKey: number, apiVersion: number): boolean {
  return apiKey !== ApiKey.ApiVersions && isFlexible(apiKey, apiVersion);
}

/** [int32 size][correlationId][tag byte if flexible and not ApiVersions][body chunks]. */
export function encodeResponseFrame(apiKey: number, apiVersion: number, correlationId: number, body: Buffer[]): Buffer[] {
  const tags = responseHeaderHasTags(apiKey, apiVersion);
  const head = Buffer.alloc(tags ? 9 : 8);
  head.writeInt32BE(correlationId, 4);
  return withSize(head, body);
}

/** Fills the first 4 bytes of `head` with the frame size. */
function withSize(head: Buffer, body: Buffer[]): Buffer[] {
  head.writeInt32BE(head.length - 4 + chunksLength(body), 0);
  return [head, ...body];
}

/** Parses a response header from a whole frame (without the size prefix). */
export function decodeResponseHeader(frame: Buffer, apiKey: number, apiVersion: number): { correlationId: number; bodyOffset: number } {
  const r = new Reader(frame);
  const correlationId = r.int32();
  if (responseHeaderHasTags(apiKey, apiVersion)) skipTaggedFields(r);
  return { correlationId, bodyOffset: r.offset };
}
