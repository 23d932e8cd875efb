import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/common/index.js';
import {
  ApiKey,
  ApiVersions,
  decodeRequestHeader,
  decodeResponseHeader,
  encodeApiVersionsUnsupportedResponse,
  encodeRequestFrame,
  encodeResponseFrame,
  isFlexible,
} from '../../src/protocol/index.js';

const hex = (chunks: Buffer[]): string => Buffer.concat(chunks).toString('hex');

describe('request header', () => {
  it('encodes v1 for non-flexible versions and decodes it back', () => {
    const frame = encodeRequestFrame({ apiKey: 0, apiVersion: 7, correlationId: 5, clientId: 'ab' }, [Buffer.from([9, 9])]);
    // size 14 | key 0 | version 7 | correlation 5 | clientId "ab" | body
    expect(hex(frame)).toBe('0000000e' + '0000' + '0007' + '00000005' + '00026162' + '0909');
    const whole = Buffer.concat(frame).subarray(4);
    expect(decodeRequestHeader(whole)).toEqual({
      header: { apiKey: 0, apiVersion: 7, correlationId: 5, clientId: 'ab' },
      bodyOffset: 12,
    });
  });

  it('handles a null clientId', () => {
    const frame = Buffer.concat(encodeRequestFrame({ apiKey: 3, apiVersion: 1, correlationId: -1, clientId: null }, []));
    expect(frame.toString('hex')).toBe('0000000a' + '0003' + '0001' + 'ffffffff' + 'ffff');
    expect(decodeRequestHeader(frame.subarray(4)).header.clientId).toBeNull();
  });

  it('reads header v2 tags for flexible versions, keeping clientId an int16 string', () => {
    // ApiVersions v3 from librdkafka, with a tagged field in the header (tag 5, 2 bytes).
    const frame = Buffer.from('0012' + '0003' + '00000001' + '0009' + Buffer.from('rdkafka-1').toString('hex') + '01' + '05' + '02' + 'abcd' + '0a', 'hex');
    const { header, bodyOffset } = decodeRequestHeader(frame);
    expect(header).toEqual({ apiKey: 18, apiVersion: 3, correlationId: 1, clientId: 'rdkafka-1' });
    expect(frame.subarray(bodyOffset)).toEqual(Buffer.from([0x0a]));
    // The encoder writes an empty tag section for v2.
    const encoded = Buffer.concat(encodeRequestFrame(header, []));
    expect(encoded.subarray(4 + 4 + 4 + 2 + 9).toString('hex')).toBe('00');
  });

  it('treats unknown ApiVersions versions as flexible and unknown keys as v1', () => {
    expect(isFlexible(ApiKey.ApiVersions, 9)).toBe(true);
    expect(isFlexible(ApiKey.ApiVersions, 2)).toBe(false);
    expect(isFlexible(ApiKey.Fetch, 11)).toBe(false);
    expect(isFlexible(ApiKey.Fetch, 12)).toBe(true);
    expect(isFlexible(999, 50)).toBe(false);
    const v4 = Buffer.from('0012' + '0004' + '00000002' + 'ffff' + '00' + '77', 'hex');
    expect(decodeRequestHeader(v4).bodyOffset).toBe(11);
    const unknown = Buffer.from('03e7' + '0032' + '00000002' + 'ffff' + '77', 'hex');
    expect(decodeRequestHeader(unknown)).toEqual({
      header: { apiKey: 999, apiVersion: 50, correlationId: 2, clientId: null },
      bodyOffset: 10,
    });
  });

  it('throws ProtocolError on truncated headers', () => {
    expect(() => decodeRequestHeader(Buffer.from('001200', 'hex'))).toThrow(ProtocolError);
    expect(() => decodeRequestHeader(Buffer.from('0012000300000001ffff', 'hex'))).toThrow(ProtocolError);
    expect(() => decodeRequestHeader(Buffer.from('0012000300000001ffff7f', 'hex'))).toThrow(ProtocolError);
  });
});

describe('response header', () => {
  it('is v0 for non-flexible responses', () => {
    const frame = encodeResponseFrame(ApiKey.Metadata, 4, 7, [Buffer.from([1, 2])]);
    expect(hex(frame)).toBe('00000006' + '00000007' + '0102');
    expect(decodeResponseHeader(Buffer.concat(frame).subarray(4), ApiKey.Metadata, 4)).toEqual({ correlationId: 7, bodyOffset: 4 });
  });

  it('is v1 (a tag byte) for flexible responses', () => {
    const frame = encodeResponseFrame(ApiKey.Fetch, 12, 8, [Buffer.from([1])]);
    expect(hex(frame)).toBe('00000006' + '00000008' + '00' + '01');
    expect(decodeResponseHeader(Buffer.concat(frame).subarray(4), ApiKey.Fetch, 12)).toEqual({ correlationId: 8, bodyOffset: 5 });
  });

  it('stays v0 for ApiVersions v3', () => {
    const frame = encodeResponseFrame(ApiKey.ApiVersions, 3, 1, [Buffer.from([1])]);
    expect(hex(frame)).toBe('00000005' + '00000001' + '01');
    expect(decodeResponseHeader(Buffer.concat(frame).subarray(4), ApiKey.ApiVersions, 3).bodyOffset).toBe(4);
  });
});

describe('ApiVersions unsupported-version answer', () => {
  it('is a v0 body with error 35 and the ApiVersions range', () => {
    const body = Buffer.concat(encodeApiVersionsUnsupportedResponse());
    expect(body.toString('hex')).toBe('0023' + '00000001' + '0012' + '0000' + '0003');
    expect(ApiVersions.decodeResponse(body, 0)).toEqual({
      errorCode: 35,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    });
  });
});
