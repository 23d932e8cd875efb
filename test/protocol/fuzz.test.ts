// Hostile bytes: every decoder must fail with ProtocolError only (never RangeError/TypeError), and must
// not allocate more than the input could justify.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/common/index.js';
import { codecs, decodeRequestHeader, decodeResponseHeader, type SchemaApiCodec } from '../../src/protocol/index.js';
import { sample } from './samples.js';

type Codec = SchemaApiCodec<unknown, unknown>;
const all = [...codecs.values()] as Codec[];

function onlyProtocolErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
  }
}

function decoders(codec: Codec, version: number): ((b: Buffer) => unknown)[] {
  return [(b) => codec.decodeRequest(b, version), (b) => codec.decodeResponse(b, version)];
}

const randomBytes = fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a));

describe('decoding random bytes', () => {
  it('request and response headers throw only ProtocolError', () => {
    fc.assert(
      fc.property(randomBytes, fc.integer({ min: 0, max: 20 }), (buf, version) => {
        onlyProtocolErrors(() => decodeRequestHeader(buf));
        onlyProtocolErrors(() => decodeResponseHeader(buf, 1, version));
      }),
      { numRuns: 500 },
    );
  });

  for (const codec of all) {
    it(`${codec.name} requests and responses throw only ProtocolError at every version`, () => {
      for (let version = codec.minVersion; version <= codec.maxVersion; version++) {
        fc.assert(
          fc.property(randomBytes, (buf) => {
            for (const decode of decoders(codec, version)) onlyProtocolErrors(() => decode(buf));
          }),
          { numRuns: 60 },
        );
        // Truncations and single-byte corruptions of a valid body reach deeper into the structure.
        for (const encode of [
          () => Buffer.concat(codec.encodeRequest(sample(codec.request, version), version)),
          () => Buffer.concat(codec.encodeResponse(sample(codec.response, version), version)),
        ]) {
          const valid = encode();
          fc.assert(
            fc.property(fc.nat(valid.length), fc.nat(valid.length), fc.integer({ min: 0, max: 255 }), (cut, pos, value) => {
              const corrupt = Buffer.from(valid.subarray(0, Math.max(cut, pos + 1)));
              if (pos < corrupt.length) corrupt[pos] = value;
              for (const decode of decoders(codec, version)) {
                onlyProtocolErrors(() => decode(corrupt));
                onlyProtocolErrors(() => decode(valid.subarray(0, cut)));
              }
            }),
            { numRuns: 60 },
          );
        }
      }
    });
  }

  it('an array count of 2^31-1 in a small buffer fails fast', () => {
    const huge = Buffer.from('7fffffff00000000', 'hex');
    for (const codec of all) {
      for (let version = codec.minVersion; version <= codec.maxVersion; version++) {
        for (const decode of decoders(codec, version)) onlyProtocolErrors(() => decode(huge));
      }
    }
    const metadata = codecs.get(3) as Codec;
    expect(() => metadata.decodeRequest(huge, 4)).toThrow(/2147483647 elements/);
    // Compact arrays too: uvarint 0xfffffffe = count 2^32-2.
    const apiVersions = codecs.get(18) as Codec;
    expect(() => apiVersions.decodeResponse(Buffer.from('0000feffffff0f', 'hex'), 3)).toThrow(ProtocolError);
  });
});
