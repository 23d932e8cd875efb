import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../src/common/index.js';
import { ApiVersions, Fetch, Metadata, Reader, Writer, RECORDS_BY_REFERENCE } from '../../src/protocol/index.js';

const bytes = (...b: number[]): Buffer => Buffer.from(b);
const concat = (chunks: Buffer[]): Buffer => Buffer.concat(chunks);

describe('Reader', () => {
  it('reads big-endian integers, bool, float64 and uuid', () => {
    const buf = concat([
      bytes(0xff, 0x80, 0x00, 0xff, 0xfe, 0x00, 0x00, 0x01, 0x00, 0x02),
      bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe),
      Buffer.from('400c000000000000', 'hex'),
      Buffer.alloc(16, 7),
    ]);
    const r = new Reader(buf);
    expect(r.bool()).toBe(true);
    expect(r.int8()).toBe(-128);
    expect(r.int16()).toBe(255);
    expect(r.uint16()).toBe(0xfe00);
    expect(r.int32()).toBe(0x10002);
    expect(r.int64()).toBe(-2n);
    expect(r.float64()).toBe(3.5);
    expect(r.uuid()).toEqual(Buffer.alloc(16, 7));
    expect(r.remaining).toBe(0);
  });

  it('reads classic and compact strings, nulls and unsigned varints', () => {
    const r = new Reader(concat([bytes(0, 3), Buffer.from('hé'), bytes(0xff, 0xff), bytes(4), Buffer.from('abc'), bytes(0), bytes(0xac, 0x02)]));
    expect(r.string(false, false)).toBe('h\u00e9');
    expect(r.string(false, true)).toBeNull();
    expect(r.string(true, false)).toBe('abc');
    expect(r.string(true, true)).toBeNull();
    expect(r.uvarint()).toBe(300);
  });

  it('rejects truncation, bad lengths and non-nullable nulls with ProtocolError', () => {
    expect(() => new Reader(bytes(0, 0, 1)).int32()).toThrow(ProtocolError);
    expect(() => new Reader(bytes(0xff, 0xfe)).string(false, true)).toThrow(/negative string length -2/);
    expect(() => new Reader(bytes(0xff, 0xff)).string(false, false)).toThrow(/not nullable/);
    expect(() => new Reader(bytes(0, 5, 0x61)).string(false, false)).toThrow(/exceeds/);
    expect(() => new Reader(bytes(0x80, 0x80)).uvarint()).toThrow(ProtocolError);
    expect(() => new Reader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0x01)).uvarint()).toThrow(ProtocolError);
    expect(() => new Reader(bytes(0, 0, 0, 9, 1)).bytes(false, false, true)).toThrow(ProtocolError);
  });

  it('rejects an array count the remaining bytes cannot hold before allocating', () => {
    const r = new Reader(bytes(0x7f, 0xff, 0xff, 0xff, 1, 2, 3, 4));
    expect(() => r.arrayLength(false, false, 1)).toThrow(/array of 2147483647 elements/);
    expect(new Reader(bytes(0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8)).arrayLength(false, false, 4)).toBe(2);
    expect(() => new Reader(bytes(0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8)).arrayLength(false, false, 4)).toThrow(ProtocolError);
    expect(new Reader(bytes(0xff, 0xff, 0xff, 0xff)).arrayLength(false, true, 1)).toBe(-1);
    expect(() => new Reader(bytes(0xff, 0xff, 0xff, 0xfe)).arrayLength(false, true, 1)).toThrow(/negative array length/);
    // A whole Metadata request claiming 2^31-1 topics fails fast.
    expect(() => Metadata.decodeRequest(bytes(0x7f, 0xff, 0xff, 0xff, 0, 1, 0x61), 1)).toThrow(ProtocolError);
  });

  it('returns records as a zero-copy view and bytes as a copy', () => {
    const buf = bytes(0, 0, 0, 2, 9, 8);
    const view = new Reader(buf).bytes(false, false, false);
    buf[4] = 1;
    expect(view).toEqual(bytes(1, 8));
    const copy = new Reader(buf).bytes(false, false, true);
    buf[4] = 2;
    expect(copy).toEqual(bytes(1, 8));
  });
});

describe('Writer', () => {
  it('writes every primitive big-endian, compact and classic', () => {
    const w = new Writer();
    w.bool(true);
    w.int8(-1);
    w.int16(258);
    w.uint16(65535);
    w.int32(-2);
    w.int64(1n);
    w.uvarint(300);
    w.string('ab', false);
    w.string(null, false);
    w.string('ab', true);
    w.string(null, true);
    w.bytes(bytes(5), false, false);
    w.bytes(null, true, false);
    expect(concat(w.finish()).toString('hex')).toBe(
      '01' + 'ff' + '0102' + 'ffff' + 'fffffffe' + '0000000000000001' + 'ac02' + '00026162' + 'ffff' + '036162' + '00' + '0000000105' + '00',
    );
  });

  it('rejects out-of-range values with ProtocolError', () => {
    expect(() => new Writer().int16(40000)).toThrow(ProtocolError);
    expect(() => new Writer().int32(1.5)).toThrow(ProtocolError);
    expect(() => new Writer().int64(2n ** 63n)).toThrow(ProtocolError);
    expect(() => new Writer().string('x'.repeat(40000), false)).toThrow(ProtocolError);
  });

  it('grows past its scratch buffer without losing bytes', () => {
    const w = new Writer();
    for (let i = 0; i < 5000; i++) w.int32(i);
    const out = concat(w.finish());
    expect(out.length).toBe(20000);
    expect(out.readInt32BE(4 * 4321)).toBe(4321);
  });

  it('passes large records by reference and copies small ones', () => {
    const big = Buffer.alloc(RECORDS_BY_REFERENCE + 1, 3);
    const small = Buffer.alloc(10, 4);
    const w = new Writer();
    w.int32(7);
    w.bytes(big, false, true);
    w.bytes(small, false, true);
    const chunks = w.finish();
    expect(chunks.length).toBe(3);
    expect(chunks[1]).toBe(big);
    expect(chunks.includes(small)).toBe(false);
    expect(concat(chunks).length).toBe(4 + 4 + big.length + 4 + 10);
  });

  it('fetch responses carry segment buffers by reference', () => {
    const segment = Buffer.alloc(4096, 1);
    const chunks = Fetch.encodeResponse(
      {
        throttleTimeMs: 0,
        errorCode: 0,
        sessionId: 0,
        responses: [
          {
            topic: 't',
            partitions: [
              {
                partitionIndex: 0,
                errorCode: 0,
                highWatermark: 10n,
                lastStableOffset: 10n,
                logStartOffset: 0n,
                abortedTransactions: [],
                preferredReadReplica: -1,
                records: segment,
              },
            ],
          },
        ],
      },
      11,
    );
    expect(chunks.includes(segment)).toBe(true);
    const decoded = Fetch.decodeResponse(concat(chunks), 11);
    expect(decoded.responses[0]?.partitions[0]?.records).toEqual(segment);
  });
});

describe('tagged fields', () => {
  const base = {
    errorCode: 0,
    apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }],
    throttleTimeMs: 5,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  };

  it('omits tagged fields at their defaults', () => {
    const body = concat(ApiVersions.encodeResponse(base, 3));
    // errorCode, compact array of 1 (0x02), key 18 0..3, element tags, throttle 5, message tags
    expect(body.toString('hex')).toBe('0000' + '02' + '0012' + '0000' + '0003' + '00' + '00000005' + '00');
  });

  it('writes non-default tagged fields in tag order and reads them back', () => {
    const res = { ...base, finalizedFeaturesEpoch: 7n, zkMigrationReady: true };
    const body = concat(ApiVersions.encodeResponse(res, 3));
    expect(body.subarray(body.length - 14).toString('hex')).toBe('02' + '01' + '08' + '0000000000000007' + '03' + '01' + '01');
    expect(ApiVersions.decodeResponse(body, 3)).toEqual(res);
  });

  it('skips unknown tags and rejects trailing bytes in flexible bodies', () => {
    // ApiVersions v3 request: name "a", version "b", then one unknown tag 9 of 3 bytes.
    const body = bytes(2, 0x61, 2, 0x62, 1, 9, 3, 1, 2, 3);
    expect(ApiVersions.decodeRequest(body, 3)).toEqual({ clientSoftwareName: 'a', clientSoftwareVersion: 'b' });
    expect(() => ApiVersions.decodeRequest(concat([body, bytes(0)]), 3)).toThrow(/unexpected bytes/);
    expect(() => ApiVersions.decodeRequest(bytes(2, 0x61, 2, 0x62, 1, 9, 5, 1), 3)).toThrow(ProtocolError);
    // Non-flexible bodies may carry trailing bytes.
    expect(ApiVersions.decodeRequest(bytes(1, 2, 3), 2)).toEqual({ clientSoftwareName: '', clientSoftwareVersion: '' });
  });
});
