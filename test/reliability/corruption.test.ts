// Torn and corrupted data end to end (reliability.md D1-D6): a broker process wrote 30 batches of 10
// records over several segments to one topic per case and stopped; each case damages its topic in a
// copy of that data dir (two copies: checkpoints intact, and checkpoints garbage), a broker starts on
// it and reads everything back with CRC-validating fetches. The broker always starts,
// serves exactly the valid prefix (or everything, when only rebuildable files were damaged), never a
// corrupt record, and its log says what it dropped.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fetch, decodeResponseHeader } from '../../src/protocol/index.js';
import { decodeRecordBatches } from '../../src/records/index.js';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { exchange, requestFrame } from './raw-wire.js';
import { produceRequest } from './seeds.js';
import { fetchRequest } from '../helpers/fetch-request.js';

const BATCHES = 30;
const PER_BATCH = 10;

/** One damage case: a topic of its own in the shared data dir, damaged before the broker starts. */
interface Case {
  name: string;
  /** Damages `partitionDir` (the case's topic) or the data dir; returns the first offset not served. */
  damage(partitionDir: string, dataDir: string): number;
  /** Expected fetch error after the served prefix (0 = none, the prefix ends at the high watermark). */
  errorCode: number;
  /** A line the broker must log. */
  logs: string;
}

const ALL = BATCHES * PER_BATCH;

function segmentsOf(partitionDir: string): string[] {
  return readdirSync(partitionDir).filter((n) => n.endsWith('.log')).sort();
}

/** Byte positions of the batches in a segment file. */
function batchPositions(file: string): number[] {
  const buf = readFileSync(file);
  const out: number[] = [];
  for (let p = 0; p + 12 <= buf.length; p += 12 + buf.readInt32BE(p + 8)) out.push(p);
  return out;
}

function patch(file: string, position: number, edit: (b: Buffer) => void): void {
  const buf = readFileSync(file);
  edit(buf.subarray(position));
  writeFileSync(file, buf);
}

/** Damages the second-to-last batch of the active segment; returns its base offset. */
function damageTail(partitionDir: string, edit: (b: Buffer, size: number) => void): number {
  const segments = segmentsOf(partitionDir);
  const last = join(partitionDir, segments[segments.length - 1]!);
  const positions = batchPositions(last);
  const victim = positions[positions.length - 2]!;
  const base = Number(readFileSync(last).readBigInt64BE(victim));
  patch(last, victim, (b) => edit(b, positions[positions.length - 1]! - victim));
  return base;
}

/** Damages the second batch of the second (sealed) segment; returns its base offset. */
function damageSealed(partitionDir: string, edit: (b: Buffer) => void): number {
  const sealed = join(partitionDir, segmentsOf(partitionDir)[1]!);
  const victim = batchPositions(sealed)[1]!;
  const base = Number(readFileSync(sealed).readBigInt64BE(victim));
  patch(sealed, victim, edit);
  return base;
}

// Run 1: checkpoints intact, so sealed segments are trusted on open and only reads can catch them.
const TRUSTING: Case[] = [
  { name: 'undamaged', damage: () => ALL, errorCode: 0, logs: 'broker started' },
  {
    name: 'torn tail: the active segment cut inside its last batch',
    damage: (dir) => {
      const segments = segmentsOf(dir);
      const last = join(dir, segments[segments.length - 1]!);
      const positions = batchPositions(last);
      truncateSync(last, positions[positions.length - 1]! + 30);
      return ALL - PER_BATCH;
    },
    errorCode: 0,
    logs: 'truncated log segment at its first invalid batch',
  },
  { name: 'sealed segment: a bit flip in a record', damage: (dir) => damageSealed(dir, (b) => void (b[100]! ^= 0x04)), errorCode: 56, logs: 'corrupt batch on disk: not serving it' },
  { name: 'sealed segment: a changed batchLength', damage: (dir) => damageSealed(dir, (b) => b.writeInt32BE(b.readInt32BE(8) + 9, 8)), errorCode: 56, logs: 'corrupt batch' },
  { name: 'sealed segment: a changed baseOffset', damage: (dir) => damageSealed(dir, (b) => b.writeBigInt64BE(b.readBigInt64BE(0) + 3n, 0)), errorCode: 56, logs: 'corrupt batch' },
  {
    name: 'garbage and missing index files',
    damage: (dir) => {
      for (const name of readdirSync(dir)) {
        if (name.endsWith('.index')) writeFileSync(join(dir, name), Buffer.from('garbage, not index entries!!'));
        if (name.endsWith('.timeindex')) rmSync(join(dir, name));
      }
      return ALL;
    },
    errorCode: 0,
    logs: 'rebuilding index of log segment',
  },
  {
    name: 'leftovers of an interrupted roll, segment delete and topic delete',
    damage: (dir, dataDir) => {
      writeFileSync(join(dir, '00000000000099999999.log.deleted'), 'old');
      writeFileSync(join(dir, '00000000000099999999.index.deleted'), 'old');
      writeFileSync(join(dir, '00000000000088888888.index'), ''); // roll interrupted before its .log
      writeFileSync(join(dir, '00000000000088888888.timeindex'), '');
      writeFileSync(join(dataDir, 'recovery-point-offset-checkpoint.tmp'), '0\n1\nx 0 9');
      mkdirSync(join(dataDir, 'gone-0.0123456789abcdef-delete'));
      writeFileSync(join(dataDir, 'gone-0.0123456789abcdef-delete', '00000000000000000000.log'), 'x');
      return ALL;
    },
    errorCode: 0,
    logs: 'removing leftover file of an interrupted operation',
  },
];

// Run 2: garbage root checkpoints, so every segment is scanned on open and recovery cuts the log.
const SCANNING: Case[] = [
  { name: 'tail: a bit flip in a record', damage: (dir) => damageTail(dir, (b, size) => void (b[size - 3]! ^= 0x20)), errorCode: 0, logs: 'truncated log segment' },
  { name: 'tail: a changed baseOffset (not covered by the CRC)', damage: (dir) => damageTail(dir, (b) => b.writeBigInt64BE(b.readBigInt64BE(0) + 5n, 0)), errorCode: 0, logs: 'truncated log segment' },
  { name: 'tail: a changed batchLength (not covered by the CRC)', damage: (dir) => damageTail(dir, (b) => b.writeInt32BE(b.readInt32BE(8) - 7, 8)), errorCode: 0, logs: 'truncated log segment' },
  {
    name: 'garbage leader-epoch and root checkpoints',
    damage: (dir, dataDir) => {
      writeFileSync(join(dataDir, 'recovery-point-offset-checkpoint'), '0\n7\nnot a checkpoint\n');
      writeFileSync(join(dataDir, 'log-start-offset-checkpoint'), Buffer.from([0xff, 0xfe, 0, 1]));
      writeFileSync(join(dir, 'leader-epoch-checkpoint'), '1\n1\n0 0\n');
      return ALL;
    },
    errorCode: 0,
    logs: 'ignoring corrupt leader-epoch checkpoint',
  },
];

const topicOf = (i: number): string => `damaged${i}`;
let pristine: string;

beforeAll(async () => {
  const broker = await startBrokerProcess({ set: { 'log.segment.bytes': '4096', 'num.partitions': '1' } });
  const topics = Math.max(TRUSTING.length, SCANNING.length);
  await Promise.all(
    Array.from({ length: topics }, async (_, t) => {
      for (let b = 0; b < BATCHES; b++) {
        const values = Array.from({ length: PER_BATCH }, (_, i) => `r${b * PER_BATCH + i}-${'p'.repeat(40)}`);
        const result = await exchange({ host: broker.host, port: broker.port }, await produceRequest(topicOf(t), 7, values, -1), { timeoutMs: 5000 });
        expect(result.outcome).toBe('answered');
      }
    }),
  );
  expect(await broker.stop()).toBe(0);
  pristine = broker.dataDir;
}, 60_000);

afterAll(() => rmSync(pristine, { recursive: true, force: true }));

/** Fetches from offset 0 with CRC-validating decodes until the end or an error; every value read. */
async function readBack(broker: BrokerProcess, topic: string): Promise<{ values: string[]; errorCode: number }> {
  const values: string[] = [];
  let offset = 0n;
  for (;;) {
    const frame = requestFrame(Fetch, 11, fetchRequest(topic, 0, offset, { maxBytes: 1 << 20, isolationLevel: 0 }));
    const result = await exchange({ host: broker.host, port: broker.port }, frame, { timeoutMs: 5000 });
    expect(result.outcome).toBe('answered');
    const { bodyOffset } = decodeResponseHeader(result.response!, 1, 11);
    const p = Fetch.decodeResponse(result.response!.subarray(bodyOffset), 11).responses[0]!.partitions[0]!;
    if (p.errorCode !== 0) return { values, errorCode: p.errorCode };
    if (offset >= p.highWatermark) return { values, errorCode: 0 };
    // Throws on any CRC or structure error: a corrupt record must never come back.
    const records = await decodeRecordBatches(p.records ?? Buffer.alloc(0));
    for (const r of records) {
      if (BigInt(r.offset) < offset) continue;
      expect(BigInt(r.offset)).toBe(offset);
      values.push(r.value!.toString().split('-')[0]!);
      offset++;
    }
    if (records.length === 0) return { values, errorCode: -1 };
  }
}

function expected(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `r${i}`);
}

function runCases(title: string, cases: Case[]): void {
  it(title, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logctl-damaged-'));
    cpSync(pristine, dir, { recursive: true });
    const ends = cases.map((c, i) => c.damage(join(dir, `${topicOf(i)}-0`), dir));
    const broker = await startBrokerProcess({ dataDir: dir });
    try {
      for (const [i, c] of cases.entries()) {
        const { values, errorCode } = await readBack(broker, topicOf(i));
        expect(values, c.name).toEqual(expected(ends[i]!));
        expect(errorCode, c.name).toBe(c.errorCode);
        expect(broker.stderr(), c.name).toContain(c.logs);
      }
      // Every leftover is gone.
      for (const [i] of cases.entries()) {
        expect(readdirSync(join(dir, `${topicOf(i)}-0`)).filter((n) => /deleted|swap|88888888/.test(n))).toEqual([]);
      }
      expect(readdirSync(dir).filter((n) => n.endsWith('.tmp') || n.endsWith('-delete'))).toEqual([]);
    } finally {
      await broker.stop();
      broker.cleanup();
    }
  }, 60_000);
}

describe('torn and corrupted data', () => {
  runCases(`checkpoints intact (${TRUSTING.map((c) => c.name).join('; ')})`, TRUSTING);
  runCases(`every segment scanned (${SCANNING.map((c) => c.name).join('; ')})`, SCANNING);
});
