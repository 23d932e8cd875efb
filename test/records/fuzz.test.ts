// Property tests: hostile bytes must only ever produce CorruptRecordError (never RangeError, TypeError …).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../../src/common/errors.js';
import {
  BATCH_FIELD,
  buildRecordBatch,
  crc32c,
  decodeRecordBatches,
  decompress,
  scanBatches,
  validateBatches,
  type CompressionType,
} from '../../src/records/index.js';

function onlyCorrupt(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof CorruptRecordError)) throw err;
  }
}

async function onlyCorruptAsync(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof CorruptRecordError)) throw err;
  }
}

const bytes = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));
const codecs: CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** A valid batch header with random record bytes behind it and a correct CRC, so decoding gets past validation. */
const crcValidBatch = fc
  .record({
    body: fc.uint8Array({ maxLength: 200 }),
    codec: fc.integer({ min: 0, max: 4 }),
    count: fc.integer({ min: 0, max: 40 }),
  })
  .map(({ body, codec, count }) => {
    const batch = Buffer.alloc(61 + body.length);
    Buffer.from(body).copy(batch, 61);
    batch.writeInt32BE(batch.length - 12, BATCH_FIELD.batchLength);
    batch.writeInt8(2, BATCH_FIELD.magic);
    batch.writeInt16BE(codec, BATCH_FIELD.attributes);
    batch.writeInt32BE(Math.max(0, count - 1), BATCH_FIELD.lastOffsetDelta);
    batch.writeInt32BE(count, BATCH_FIELD.recordsCount);
    batch.writeUInt32BE(crc32c(batch.subarray(BATCH_FIELD.attributes)), BATCH_FIELD.crc);
    return batch;
  });

describe('hostile input', () => {
  it('validateBatches and scanBatches throw nothing but CorruptRecordError', () => {
    fc.assert(
      fc.property(bytes, (buf) => {
        onlyCorrupt(() => validateBatches(buf));
        const { validBytes } = scanBatches(buf);
        expect(validBytes).toBeGreaterThanOrEqual(0);
        expect(validBytes).toBeLessThanOrEqual(buf.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('decodeRecordBatches throws nothing but CorruptRecordError on random bytes and CRC-valid garbage', async () => {
    await fc.assert(fc.asyncProperty(bytes, (buf) => onlyCorruptAsync(() => decodeRecordBatches(buf))), { numRuns: 1000 });
    await fc.assert(
      fc.asyncProperty(crcValidBatch, (buf) => onlyCorruptAsync(() => decodeRecordBatches(buf, { maxDecompressedBytes: 1 << 20 }))),
      { numRuns: 2000 },
    );
  });

  it('decompress throws nothing but CorruptRecordError for any codec', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...codecs), bytes, (codec, buf) => onlyCorruptAsync(() => decompress(codec, buf, 1 << 20))),
      { numRuns: 2000 },
    );
  });

  it('single-byte mutations of real batches never escape as another error', async () => {
    const batches = await Promise.all(
      codecs.map((compression) =>
        buildRecordBatch(
          [
            { key: Buffer.from('key'), value: Buffer.from('value '.repeat(20)), headers: [{ key: 'h', value: null }], timestamp: 1 },
            { key: null, value: null, timestamp: 2 },
          ],
          { compression },
        ),
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...batches), fc.nat(), fc.integer({ min: 1, max: 255 }), async (batch, at, xor) => {
        const copy = Buffer.from(batch);
        copy[at % copy.length]! ^= xor;
        // Re-sign so the mutation reaches record decoding instead of stopping at the CRC.
        if (at % copy.length >= BATCH_FIELD.attributes) {
          copy.writeUInt32BE(crc32c(copy.subarray(BATCH_FIELD.attributes)), BATCH_FIELD.crc);
        }
        await onlyCorruptAsync(() => decodeRecordBatches(copy, { maxDecompressedBytes: 1 << 20 }));
      }),
      { numRuns: 3000 },
    );
  });
});
