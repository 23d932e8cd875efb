// Builds the bad-input corpus in this directory (reliability.md §6.4): one `.bin` file per input,
// each a complete byte sequence as sent on a fresh connection (size prefix included), and index.json
// mapping file → { api, version, expect, why }. `expect` is "close" (the broker drops the connection
// without answering) or "error <code>" (answered; the Produce partition's errorCode, or any errorCode
// in the response, is <code>), or "ok" (answered with error 0). The replay broker runs with
// socket.request.max.bytes=1048576 and message.max.bytes=65536 (test/reliability/corpus.test.ts).
// Regenerate with: LOGCTL_CORPUS_WRITE=1 npx vitest run test/reliability/corpus.test.ts
import { buildRecordBatch, compress, crc32c } from '../../src/records/index.js';
import { ApiVersions, Metadata, Produce } from '../../src/protocol/index.js';
import { requestFrame } from '../reliability/raw-wire.js';

export const CORPUS_SOCKET_REQUEST_MAX_BYTES = 1_048_576;
export const CORPUS_MESSAGE_MAX_BYTES = 65_536;
export const CORPUS_TOPIC = 'corpus';

export interface CorpusCase {
  file: string;
  api: number;
  version: number;
  expect: string;
  why: string;
  bytes: Buffer;
}

const CRC_AT = 17;
const ATTRIBUTES_AT = 21;

function size(n: number, extra: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n | 0);
  return Buffer.concat([b, extra]);
}

function recrc(batch: Buffer): Buffer {
  batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES_AT)), CRC_AT);
  return batch;
}

function produce(records: Buffer | null, version = 7): Buffer {
  return requestFrame(Produce, version, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: CORPUS_TOPIC, partitionData: [{ index: 0, records }] }],
  });
}

/** A fixed frame with its size prefix recomputed after an edit. */
function resized(frame: Buffer): Buffer {
  frame.writeInt32BE(frame.length - 4, 0);
  return frame;
}

function metadata(): Buffer {
  return requestFrame(Metadata, 1, { topics: [{ name: CORPUS_TOPIC }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
}

/** Byte position of the first byte after the request header (v1: size, key, version, correlation, client id). */
function bodyStart(frame: Buffer): number {
  return 4 + 8 + 2 + frame.readInt16BE(12);
}

async function threeRecords(): Promise<Buffer> {
  return buildRecordBatch(['one', 'two', 'three'].map((v) => ({ key: null, value: Buffer.from(v), timestamp: 1_700_000_000_000 })));
}

/** A zstd batch whose one record decompresses to 512 MiB of zeros; small on the wire. */
async function zstdBomb(): Promise<Buffer> {
  const blob = await compress('zstd', Buffer.alloc(512 * 1024 * 1024));
  const batch = Buffer.alloc(61 + blob.length);
  batch.writeBigInt64BE(0n, 0);
  batch.writeInt32BE(batch.length - 12, 8);
  batch.writeInt32BE(-1, 12);
  batch.writeInt8(2, 16);
  batch.writeInt16BE(4, 21); // zstd
  batch.writeInt32BE(0, 23);
  batch.writeBigInt64BE(1_700_000_000_000n, 27);
  batch.writeBigInt64BE(1_700_000_000_000n, 35);
  batch.writeBigInt64BE(-1n, 43);
  batch.writeInt16BE(-1, 51);
  batch.writeInt32BE(-1, 53);
  batch.writeInt32BE(1, 57);
  blob.copy(batch, 61);
  return recrc(batch);
}

export async function buildCorpus(): Promise<CorpusCase[]> {
  const cases: CorpusCase[] = [];
  const add = (file: string, api: number, version: number, expect: string, why: string, bytes: Buffer): void => {
    cases.push({ file, api, version, expect, why, bytes });
  };
  // 1. Frame lengths.
  add('frame-size-minus-1.bin', -1, -1, 'close', 'size prefix -1', size(-1));
  add('frame-size-zero.bin', -1, -1, 'close', 'size prefix 0', size(0));
  add('frame-size-one.bin', -1, -1, 'close', 'a 1-byte frame cannot hold a request header', size(1, Buffer.from([0])));
  add('frame-size-three.bin', -1, -1, 'close', 'a 3-byte frame cannot hold a request header', size(3, Buffer.from([0, 3, 0])));
  add('frame-size-over-limit.bin', -1, -1, 'close', 'socket.request.max.bytes + 1', size(CORPUS_SOCKET_REQUEST_MAX_BYTES + 1));
  add('frame-size-int32-max.bin', -1, -1, 'close', 'size prefix 2^31-1', size(0x7fffffff));
  add('frame-size-int32-min.bin', -1, -1, 'close', 'size prefix -2^31', size(-0x80000000));
  const valid = produce(await threeRecords());
  add('produce-header-only.bin', 0, 7, 'close', 'request header without a body', resized(Buffer.from(valid.subarray(0, bodyStart(valid)))));
  for (const fraction of [0.25, 0.5, 0.9]) {
    const cut = Math.floor(valid.length * fraction);
    add(`produce-body-cut-at-${cut}.bin`, 0, 7, 'close', `body truncated at byte ${cut}`, resized(Buffer.from(valid.subarray(0, cut))));
  }
  // 2. Header.
  const unknownKey = Buffer.from(metadata());
  unknownKey.writeInt16BE(32767, 4);
  add('header-api-key-32767.bin', 32767, 1, 'close', 'unknown api key', unknownKey);
  const negativeKey = Buffer.from(metadata());
  negativeKey.writeInt16BE(-1, 4);
  add('header-api-key-minus-1.bin', -1, 1, 'close', 'negative api key', negativeKey);
  const negativeVersion = Buffer.from(metadata());
  negativeVersion.writeInt16BE(-1, 6);
  add('header-metadata-version-minus-1.bin', 3, -1, 'close', 'api version -1', negativeVersion);
  const highVersion = Buffer.from(valid);
  highVersion.writeInt16BE(99, 6);
  add('header-produce-version-99.bin', 0, 99, 'close', 'api version above the supported maximum', highVersion);
  const clientId = Buffer.from(metadata());
  clientId.writeInt16BE(0x7fff, 12);
  add('header-client-id-length-32767.bin', 3, 1, 'close', 'client id longer than the frame', clientId);
  const clientIdNegative = Buffer.from(metadata());
  clientIdNegative.writeInt16BE(-2, 12);
  add('header-client-id-length-minus-2.bin', 3, 1, 'close', 'client id length -2', clientIdNegative);
  // ApiVersions v3 has a flexible header: its tagged-field count is an unsigned varint.
  const flexible = requestFrame(ApiVersions, 3, { clientSoftwareName: 'corpus', clientSoftwareVersion: '1' });
  const tagsAt = bodyStart(flexible);
  const hugeTags = resized(Buffer.concat([flexible.subarray(0, tagsAt), Buffer.from([0x80, 0xad, 0xe2, 0x04])]));
  add('header-tagged-field-count-10-million.bin', 18, 3, 'close', '10^7 tagged fields in a flexible header', hugeTags);
  const overlong = resized(Buffer.concat([flexible.subarray(0, tagsAt), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01])]));
  add('header-varint-6-bytes.bin', 18, 3, 'close', 'an unsigned varint of 6 bytes', overlong);
  // 3. Arrays and strings.
  const md = metadata();
  const mdBody = bodyStart(md);
  for (const [name, count] of [['int32-max', 0x7fffffff], ['minus-2', -2], ['1000', 1000]] as const) {
    const f = Buffer.from(md);
    f.writeInt32BE(count, mdBody);
    add(`metadata-topic-count-${name}.bin`, 3, 1, 'close', `topics array count ${count} beyond the frame`, f);
  }
  const nameLength = Buffer.from(md);
  nameLength.writeInt16BE(-5, mdBody + 4);
  add('metadata-topic-name-length-minus-5.bin', 3, 1, 'close', 'string length -5', nameLength);
  const pBody = bodyStart(valid);
  // Produce v7 body: transactionalId (int16 -1), acks int16, timeoutMs int32, topics array int32.
  const topicCount = Buffer.from(valid);
  topicCount.writeInt32BE(1_000_000, pBody + 2 + 2 + 4);
  add('produce-topic-count-1-million.bin', 0, 7, 'close', 'topics array sized to allocate beyond the frame', topicCount);
  const recordsAt = valid.length - (await threeRecords()).length - 4;
  const recordsLength = Buffer.from(valid);
  recordsLength.writeInt32BE(0x7fffffff, recordsAt);
  add('produce-records-length-int32-max.bin', 0, 7, 'close', 'records field longer than the frame', recordsLength);
  // 5. RecordBatch.
  const batchCase = async (file: string, expect: string, why: string, edit: (b: Buffer) => Buffer | void): Promise<void> => {
    const batch = await threeRecords();
    add(file, 0, 7, expect, why, produce(edit(batch) ?? batch));
  };
  await batchCase('batch-crc-mismatch.bin', 'error 2', 'one bit flipped in a record: CRC mismatch', (b) => void (b[b.length - 2]! ^= 0x01));
  await batchCase('batch-magic-1.bin', 'error 2', 'magic 1', (b) => void b.writeInt8(1, 16));
  await batchCase('batch-magic-255.bin', 'error 2', 'magic 255', (b) => void b.writeUInt8(255, 16));
  await batchCase('batch-length-48.bin', 'error 2', 'batchLength below the 49-byte minimum', (b) => void b.writeInt32BE(48, 8));
  await batchCase('batch-length-beyond-records.bin', 'error 2', 'batchLength larger than the records field', (b) => void b.writeInt32BE(b.length, 8));
  await batchCase('batch-records-count-minus-1.bin', 'error 2', 'recordsCount -1', (b) => recrc(writeInt32(b, 57, -1)));
  await batchCase('batch-records-count-int32-max.bin', 'error 2', 'recordsCount 2^31-1', (b) => recrc(writeInt32(b, 57, 0x7fffffff)));
  await batchCase('batch-records-count-lies-low.bin', 'error 2', 'recordsCount 2 for 3 records (valid CRC)', (b) => recrc(writeInt32(b, 57, 2)));
  await batchCase('batch-records-count-lies-high.bin', 'error 2', 'recordsCount 4 for 3 records, lastOffsetDelta 3 (valid CRC)', (b) =>
    recrc(writeInt32(writeInt32(b, 57, 4), 23, 3)),
  );
  await batchCase('batch-record-length-beyond-batch.bin', 'error 2', 'first record length varint 63 beyond the batch (valid CRC)', (b) => {
    b[61] = 0x7e; // zigzag 63
    return recrc(b);
  });
  await batchCase('batch-unknown-codec-5.bin', 'error 2', 'attributes codec 5', (b) => recrc(writeInt16(b, 21, 5)));
  await batchCase('batch-last-offset-delta-minus-1.bin', 'error 2', 'lastOffsetDelta -1 (valid CRC)', (b) => recrc(writeInt32(b, 23, -1)));
  add('batch-too-large.bin', 0, 7, `error 10`, 'batch above message.max.bytes', produce(await buildRecordBatch([{ value: Buffer.alloc(CORPUS_MESSAGE_MAX_BYTES + 100, 7) }])));
  add('produce-null-records.bin', 0, 7, 'error 2', 'records null', produce(null));
  add('produce-empty-records.bin', 0, 7, 'error 2', 'records of 0 bytes', produce(Buffer.alloc(0)));
  // 6. Compression: stored verbatim, never decompressed by the broker.
  add('batch-zstd-bomb-512MiB.bin', 0, 7, 'ok', 'zstd record of 512 MiB of zeros: stored as is; consumers stop at their decompression cap', produce(await zstdBomb()));
  return cases;
}

function writeInt32(b: Buffer, at: number, v: number): Buffer {
  b.writeInt32BE(v, at);
  return b;
}

function writeInt16(b: Buffer, at: number, v: number): Buffer {
  b.writeInt16BE(v, at);
  return b;
}
