// Replays the checked-in bad-input corpus (test/corpus/, built by test/corpus/build-corpus.ts) against
// a broker process, each input on a fresh connection: the outcome must be the one index.json records.
// The zstd bomb is also checked to be stored byte for byte (the broker never decompresses it) and to
// be refused by a consumer at its decompression cap.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fetch, codecs, decodeResponseHeader } from '../../src/protocol/index.js';
import { decodeRecordBatches } from '../../src/records/index.js';
import {
  CORPUS_MESSAGE_MAX_BYTES,
  CORPUS_SOCKET_REQUEST_MAX_BYTES,
  CORPUS_TOPIC,
  buildCorpus,
} from '../corpus/build-corpus.js';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { exchange, requestFrame, rssBytes, type Address } from './raw-wire.js';
import { fetchRequest } from '../helpers/fetch-request.js';

const CORPUS_DIR = resolve(import.meta.dirname, '../corpus');

interface IndexEntry {
  api: number;
  version: number;
  expect: string;
  why: string;
}

if (process.env.LOGCTL_CORPUS_WRITE === '1') {
  const cases = await buildCorpus();
  mkdirSync(CORPUS_DIR, { recursive: true });
  const index: Record<string, IndexEntry> = {};
  for (const c of cases) {
    writeFileSync(join(CORPUS_DIR, c.file), c.bytes);
    index[c.file] = { api: c.api, version: c.version, expect: c.expect, why: c.why };
  }
  writeFileSync(join(CORPUS_DIR, 'index.json'), JSON.stringify(index, null, 2) + '\n');
}

const index = JSON.parse(readFileSync(join(CORPUS_DIR, 'index.json'), 'utf8')) as Record<string, IndexEntry>;

let broker: BrokerProcess;
let tcp: Address;

beforeAll(async () => {
  broker = await startBrokerProcess({
    socket: true,
    set: {
      'socket.request.max.bytes': String(CORPUS_SOCKET_REQUEST_MAX_BYTES),
      'message.max.bytes': String(CORPUS_MESSAGE_MAX_BYTES),
      'num.partitions': '1',
    },
  });
  tcp = { host: broker.host, port: broker.port };
}, 30_000);

afterAll(async () => {
  await broker.stop();
  broker.cleanup();
});

/** Every errorCode in a decoded response object. */
function errorCodes(value: unknown, out: number[] = []): number[] {
  if (Array.isArray(value)) for (const v of value) errorCodes(v, out);
  else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'errorCode' && typeof v === 'number') out.push(v);
      else errorCodes(v, out);
    }
  }
  return out;
}

describe('bad-input corpus', () => {
  it('has the documented inputs', () => {
    expect(Object.keys(index).length).toBeGreaterThanOrEqual(35);
  });

  for (const [file, entry] of Object.entries(index)) {
    it(`${file}: ${entry.why} → ${entry.expect}`, async () => {
      const bytes = readFileSync(join(CORPUS_DIR, file));
      for (const address of [tcp, { path: broker.socketPath! }]) {
        const result = await exchange(address, bytes, { end: true, timeoutMs: 2000 });
        if (entry.expect === 'close') {
          expect(result.outcome).toBe('closed');
          continue;
        }
        expect(result.outcome).toBe('answered');
        const frame = result.response!;
        const codec = codecs.get(entry.api)!;
        const { bodyOffset } = decodeResponseHeader(frame, entry.api, entry.version);
        const codes = errorCodes(codec.decodeResponse(frame.subarray(bodyOffset), entry.version));
        const want = entry.expect === 'ok' ? 0 : Number(entry.expect.split(' ')[1]);
        expect(codes).toEqual([want]);
      }
      expect(broker.proc.exitCode).toBeNull();
    });
  }

  it('the decompression bomb is stored verbatim without being decompressed, and a consumer stops at its cap', async () => {
    const bomb = readFileSync(join(CORPUS_DIR, 'batch-zstd-bomb-512MiB.bin'));
    const before = rssBytes(broker.proc.pid!);
    const sent = await exchange(tcp, bomb, { end: true });
    expect(sent.outcome).toBe('answered');
    expect(rssBytes(broker.proc.pid!) - before).toBeLessThan(64 * 1024 * 1024);
    const fetch = requestFrame(Fetch, 11, fetchRequest(CORPUS_TOPIC, 0, 0, { maxBytes: 1 << 20, isolationLevel: 0 }));
    const fetched = await exchange(tcp, fetch, { end: true });
    const { bodyOffset } = decodeResponseHeader(fetched.response!, 1, 11);
    const response = Fetch.decodeResponse(fetched.response!.subarray(bodyOffset), 11);
    const records = response.responses[0]!.partitions[0]!.records!;
    // Stored byte for byte from the CRC on (the broker assigns baseOffset and the leader epoch only).
    const sentBatch = bomb.subarray(bomb.length - bombBatchLength(bomb));
    const storedBomb = records.subarray(records.length - sentBatch.length);
    expect(storedBomb.subarray(17)).toEqual(sentBatch.subarray(17));
    await expect(decodeRecordBatches(storedBomb, { maxDecompressedBytes: 16 * 1024 * 1024 })).rejects.toThrow();
  });
});

/** Length of the record batch at the end of a Produce v7 frame (its batchLength + 12). */
function bombBatchLength(frame: Buffer): number {
  // The batch is the last field of the frame; find it through its own batchLength at the end.
  for (let start = frame.length - 61; start > 0; start--) {
    if (frame.readInt32BE(start + 8) + 12 === frame.length - start && frame.readInt8(start + 16) === 2) return frame.length - start;
  }
  throw new Error('no batch found');
}
