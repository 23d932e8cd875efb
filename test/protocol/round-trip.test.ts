import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADVERTISED_VERSIONS, codecs, FLEXIBLE_FROM, type SchemaApiCodec } from '../../src/protocol/index.js';
import { arbitrary, expected, sample } from './samples.js';

type Codec = SchemaApiCodec<unknown, unknown>;
const all = [...codecs.values()] as Codec[];

function versions(codec: Codec): number[] {
  const out: number[] = [];
  for (let v = codec.minVersion; v <= codec.maxVersion; v++) out.push(v);
  return out;
}

function roundTrip(codec: Codec, side: 'request' | 'response', obj: object, version: number): void {
  const schema = side === 'request' ? codec.request : codec.response;
  const encode = (x: unknown): Buffer =>
    Buffer.concat(side === 'request' ? codec.encodeRequest(x, version) : codec.encodeResponse(x, version));
  const decode = (b: Buffer): unknown => (side === 'request' ? codec.decodeRequest(b, version) : codec.decodeResponse(b, version));
  const bytes = encode(obj);
  const decoded = decode(bytes);
  expect(decoded).toEqual(expected(schema, obj as Record<string, unknown>, version));
  // Re-encoding what was decoded gives the same bytes.
  expect(encode(decoded).equals(bytes)).toBe(true);
}

describe('registry', () => {
  it('has a codec for every advertised API, covering the advertised range', () => {
    expect([...ADVERTISED_VERSIONS.keys()].sort((a, b) => a - b)).toEqual([...codecs.keys()].sort((a, b) => a - b));
    for (const [apiKey, range] of ADVERTISED_VERSIONS) {
      const codec = codecs.get(apiKey);
      expect(codec && codec.minVersion <= range.minVersion && codec.maxVersion >= range.maxVersion).toBe(true);
    }
    expect(codecs.get(3)?.maxVersion).toBe(8);
    expect(codecs.size).toBe(27);
  });
});

describe('every API and version round-trips', () => {
  for (const codec of all) {
    describe(codec.name, () => {
      it('knows its first flexible version', () => {
        expect(codec.flexibleFrom).toBe(FLEXIBLE_FROM.get(codec.apiKey));
        expect(codec.response.flexible?.min).toBe(codec.flexibleFrom);
      });
      for (const version of versions(codec)) {
        it(`v${version} request and response with sample values`, () => {
          roundTrip(codec, 'request', sample(codec.request, version), version);
          roundTrip(codec, 'response', sample(codec.response, version), version);
        });
        it(`v${version} request and response with random values`, () => {
          fc.assert(fc.property(arbitrary(codec.request, version), (x) => roundTrip(codec, 'request', x, version)), { numRuns: 30 });
          fc.assert(fc.property(arbitrary(codec.response, version), (x) => roundTrip(codec, 'response', x, version)), { numRuns: 30 });
        });
      }
    });
  }
});
