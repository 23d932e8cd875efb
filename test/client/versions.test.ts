import { describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../src/common/index.js';
import { apiVersionsRetryVersion, ourRange, pickVersion, toVersionTable } from '../../src/client/versions.js';

const fetchCodec = { apiKey: 1, name: 'Fetch', minVersion: 0, maxVersion: 11 };
const produceCodec = { apiKey: 0, name: 'Produce', minVersion: 0, maxVersion: 7 };

describe('version negotiation', () => {
  it('sends min(our max, broker max) when the ranges overlap', () => {
    const table = toVersionTable([
      { apiKey: 1, minVersion: 4, maxVersion: 11 },
      { apiKey: 0, minVersion: 0, maxVersion: 9 },
    ]);
    expect(pickVersion(fetchCodec, table)).toBe(11);
    expect(pickVersion(produceCodec, table)).toBe(7);
    expect(pickVersion(fetchCodec, toVersionTable([{ apiKey: 1, minVersion: 0, maxVersion: 6 }]))).toBe(6);
  });

  it('clips our range to what the client logic handles', () => {
    // Produce below 3 and Fetch below 4 predate RecordBatch v2.
    expect(ourRange(produceCodec)).toEqual({ minVersion: 3, maxVersion: 7 });
    expect(ourRange(fetchCodec)).toEqual({ minVersion: 4, maxVersion: 11 });
    expect(ourRange({ apiKey: 999, name: 'X', minVersion: 1, maxVersion: 2 })).toEqual({ minVersion: 1, maxVersion: 2 });
  });

  it('fails with UNSUPPORTED_VERSION and both ranges when they do not overlap', () => {
    const table = toVersionTable([{ apiKey: 1, minVersion: 0, maxVersion: 3 }]);
    let caught: unknown;
    try {
      pickVersion(fetchCodec, table);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(KafkaError);
    expect((caught as KafkaError).errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect((caught as Error).message).toBe('no common version of Fetch: the broker supports 0-3, logctl supports 4-11');
  });

  it('fails when the broker lacks the API', () => {
    expect(() => pickVersion(fetchCodec, new Map())).toThrow('the broker does not support Fetch (api key 1)');
  });

  it('retries ApiVersions at the broker max, else one lower, and gives up below 0', () => {
    expect(apiVersionsRetryVersion(3, 2)).toBe(2);
    expect(apiVersionsRetryVersion(3, undefined)).toBe(2);
    expect(apiVersionsRetryVersion(3, 0)).toBe(0);
    expect(apiVersionsRetryVersion(2, 5)).toBe(1);
    expect(apiVersionsRetryVersion(0, undefined)).toBeNull();
  });
});
