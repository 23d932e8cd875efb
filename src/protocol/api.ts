// ApiCodec: the per-API entry point other modules use (broker handlers, client). Each messages/<api>.ts
// builds one with defineApi from its request and response descriptors; codec.ts does the byte work.
import { ProtocolError } from '../common/index.js';
import { decodeMessage, encodeMessage } from './codec.js';
import type { MessageSchema } from './schema.js';

export interface ApiCodec<Req, Res> {
  readonly apiKey: number;
  readonly name: string;
  /** The versions this codec can encode and decode. */
  readonly minVersion: number;
  readonly maxVersion: number;
  /** First flexible version (request header v2, response header v1), possibly above maxVersion. */
  readonly flexibleFrom: number;
  /** body = frame bytes after the request header. */
  decodeRequest(body: Buffer, version: number): Req;
  /** Body only, as chunks. */
  encodeRequest(req: Req, version: number): Buffer[];
  /** body = frame bytes after the response header. */
  decodeResponse(body: Buffer, version: number): Res;
  /** Body only, as chunks; records by reference. */
  encodeResponse(res: Res, version: number): Buffer[];
}

/** An ApiCodec that also exposes its descriptors (used by tests to build sample messages). */
export interface SchemaApiCodec<Req, Res> extends ApiCodec<Req, Res> {
  readonly request: MessageSchema;
  readonly response: MessageSchema;
}

export interface ApiDefinition {
  apiKey: number;
  name: string;
  minVersion: number;
  maxVersion: number;
  request: MessageSchema;
  response: MessageSchema;
}

export function defineApi<Req, Res>(def: ApiDefinition): SchemaApiCodec<Req, Res> {
  const { apiKey, name, minVersion, maxVersion, request, response } = def;
  const check = (version: number): void => {
    if (!Number.isInteger(version) || version < minVersion || version > maxVersion) {
      throw new ProtocolError(`${name} version ${version} is not supported (${minVersion}-${maxVersion})`);
    }
  };
  return {
    apiKey,
    name,
    minVersion,
    maxVersion,
    flexibleFrom: request.flexible?.min ?? Number.POSITIVE_INFINITY,
    request,
    response,
    // The casts are the one place where descriptor-shaped objects meet the hand-written interfaces;
    // the round-trip tests hold the two in agreement.
    decodeRequest(body, version) {
      check(version);
      return decodeMessage(request, body, version) as Req;
    },
    encodeRequest(req, version) {
      check(version);
      return encodeMessage(request, req as object, version, `${name}Request`);
    },
    decodeResponse(body, version) {
      check(version);
      return decodeMessage(response, body, version) as Res;
    },
    encodeResponse(res, version) {
      check(version);
      return encodeMessage(response, res as object, version, `${name}Response`);
    },
  };
}
