import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, type Logger } from '../../src/common/index.js';
import { BATCH_FIELD } from '../../src/records/index.js';
import { segmentFileName } from '../../src/storage/index.js';
import { batch, config, openLog, readAll, tempDir } from './helpers.js';

const small = config({ segmentBytes: 600, indexIntervalBytes: 150 });

function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ level: 'debug', json: true, write: (l) => lines.push(l) }), lines };
}

interface Built {
  dir: string;
  expected: string[];
  /** Segment base offsets and, for the active segment, the byte boundaries and offsets of its batches. */
  bases: number[];
  activeBatches: { position: number; end: number; baseOffset: number; nextOffset: number }[];
  logEndOffset: number;
}

/** A closed log of 16 batches (2 records each, in several segments). */
async function build(): Promise<Built> {
  const dir = await tempDir();
  const log = await openLog(dir, { config: small });
  const expected: string[] = [];
  const appended: { baseOffset: number; size: number }[] = [];
  for (let i = 0; i < 16; i++) {
    const b = await batch(`r${i}`, 2, 1_000_000 + i * 10, 20);
    const res = await log.append(b);
    appended.push({ baseOffset: res.baseOffset, size: b.length });
    expected.push(`${res.baseOffset}:r${i}-0${'x'.repeat(20)}`, `${res.baseOffset + 1}:r${i}-1${'x'.repeat(20)}`);
  }
  const bases = log.segmentBaseOffsets();
  const activeBase = bases[bases.length - 1]!;
  let position = 0;
  const activeBatches = appended
    .filter((a) => a.baseOffset >= activeBase)
    .map((a) => {
      const entry = { position, end: position + a.size, baseOffset: a.baseOffset, nextOffset: a.baseOffset + 2 };
      position += a.size;
      return entry;
    });
  await log.close();
  return { dir, expected, bases, activeBatches, logEndOffset: 32 };
}

function segmentPath(dir: string, base: number, suffix = '.log'): string {
  return join(dir, segmentFileName(base, suffix));
}

describe('recovery', () => {
  it('truncating the active segment at every byte of its last 3 batches leaves the log at the last whole batch', async () => {
    const built = await build();
    const { dir, bases, activeBatches } = built;
    expect(activeBatches.length).toBeGreaterThanOrEqual(3);
    const activeBase = bases[bases.length - 1]!;
    const path = segmentPath(dir, activeBase);
    const original = await readFile(path);
    const lastThree = activeBatches.slice(-3);
    for (let cut = lastThree[0]!.position; cut < original.length; cut++) {
      await writeFile(path, original.subarray(0, cut));
      // The checkpoint claims everything was flushed: the active segment is scanned regardless.
      const log = await openLog(dir, { config: small, recoveryPoint: built.logEndOffset });
      const whole = activeBatches.filter((b) => b.end <= cut);
      const end = whole[whole.length - 1] ?? { end: 0, nextOffset: activeBase };
      expect(log.logEndOffset, `cut at ${cut}`).toBe(end.nextOffset);
      expect((await stat(path)).size, `cut at ${cut}`).toBe(end.end);
      expect(await readAll(log)).toEqual(built.expected.slice(0, end.nextOffset));
      expect(log.segmentBaseOffsets()).toEqual(bases);
      await log.close();
    }
    // A cut log accepts appends at the recovered end.
    await writeFile(path, original.subarray(0, lastThree[1]!.position + 5));
    const log = await openLog(dir, { config: small });
    expect((await log.append(await batch('new', 1))).baseOffset).toBe(lastThree[0]!.nextOffset);
    expect((await readAll(log)).slice(-2)).toEqual([
      built.expected[lastThree[0]!.nextOffset - 1],
      `${lastThree[0]!.nextOffset}:new-0`,
    ]);
    await log.close();
  });

  it('truncates at a bit flip and logs what was dropped', async () => {
    const { dir, bases, activeBatches, expected } = await build();
    const path = segmentPath(dir, bases[bases.length - 1]!);
    const bytes = await readFile(path);
    const victim = activeBatches[1]!;
    bytes[victim.position + 70]! ^= 0x10;
    await writeFile(path, bytes);
    const { logger, lines } = capture();
    const log = await openLog(dir, { config: small, logger });
    expect(log.logEndOffset).toBe(victim.baseOffset);
    expect(await readAll(log)).toEqual(expected.slice(0, victim.baseOffset));
    expect((await stat(path)).size).toBe(victim.position);
    const warning = lines.map((l) => JSON.parse(l) as { msg: string; droppedBytes?: number; reason?: string }).find((l) => l.msg.includes('truncated'));
    expect(warning?.droppedBytes).toBe(bytes.length - victim.position);
    expect(warning?.reason).toMatch(/CRC/);
    await log.close();
  });

  it('truncates where baseOffset is not continuous (the CRC does not cover it)', async () => {
    const { dir, bases, activeBatches, expected } = await build();
    const path = segmentPath(dir, bases[bases.length - 1]!);
    const bytes = await readFile(path);
    const victim = activeBatches[2]!;
    bytes.writeBigInt64BE(BigInt(victim.baseOffset + 5), victim.position + BATCH_FIELD.baseOffset);
    await writeFile(path, bytes);
    const log = await openLog(dir, { config: small });
    expect(log.logEndOffset).toBe(victim.baseOffset);
    expect(await readAll(log)).toEqual(expected.slice(0, victim.baseOffset));
    await log.close();
  });

  it('a corrupt batch in an older segment cuts the log there and deletes the later segments', async () => {
    const { dir, bases, expected } = await build();
    const path = segmentPath(dir, bases[1]!);
    const bytes = await readFile(path);
    bytes[bytes.length - 3]! ^= 0xff;
    await writeFile(path, bytes);
    const log = await openLog(dir, { config: small, recoveryPoint: 0 });
    expect(log.segmentBaseOffsets()).toEqual(bases.slice(0, 2));
    expect(log.logEndOffset).toBeLessThan(bases[2]!);
    expect(log.logEndOffset).toBeGreaterThan(bases[1]!);
    expect(await readAll(log)).toEqual(expected.slice(0, log.logEndOffset));
    const names = await readdir(dir);
    for (const later of bases.slice(2)) expect(names).not.toContain(segmentFileName(later, '.log'));
    await log.close();
  });

  it.each([
    ['missing', async (p: string) => writeFile(p, Buffer.alloc(0)).then(() => import('node:fs/promises')).then((fs) => fs.unlink(p))],
    ['garbage', async (p: string) => writeFile(p, Buffer.from('ffffffff00000001000000020000000300000004ffffff00', 'hex'))],
    ['wrong length', async (p: string) => writeFile(p, Buffer.concat([await readFile(p), Buffer.from([1, 2, 3])]))],
  ])('rebuilds a %s offset index of a trusted segment, and lookups stay correct', async (_name, damage) => {
    const { dir, bases, expected } = await build();
    const indexPath = segmentPath(dir, bases[0]!, '.index');
    const original = await readFile(indexPath);
    expect(original.length).toBeGreaterThan(0);
    await damage(indexPath);
    const { logger, lines } = capture();
    const log = await openLog(dir, { config: small, recoveryPoint: 32, logger });
    expect(lines.some((l) => l.includes('rebuilding index'))).toBe(true);
    for (let offset = 0; offset < 32; offset++) {
      const res = await log.read(offset, 1);
      const base = Number(res.records[0]!.readBigInt64BE(0));
      expect(base).toBe(offset - (offset % 2));
    }
    expect(await readAll(log)).toEqual(expected);
    await log.close();
    expect(await readFile(indexPath)).toEqual(original);
  });

  it('rebuilds a garbage time index so timestamp lookups stay correct', async () => {
    const { dir, bases } = await build();
    await writeFile(segmentPath(dir, bases[0]!, '.timeindex'), Buffer.alloc(24, 0xff));
    const log = await openLog(dir, { config: small, recoveryPoint: 32 });
    expect(await log.offsetForTimestamp(1_000_031)).toEqual({ offset: 7, timestamp: 1_000_031 });
    expect(await log.offsetForTimestamp(1_000_000)).toEqual({ offset: 0, timestamp: 1_000_000 });
    await log.close();
  });

  it('ignores a garbage leader-epoch checkpoint and rebuilds it from the batches', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, { config: small });
    await log.append(await batch('a', 2), { leaderEpoch: 1 });
    await log.append(await batch('b', 2), { leaderEpoch: 4 });
    await log.close();
    await writeFile(join(dir, 'leader-epoch-checkpoint'), 'not a checkpoint');
    const { logger, lines } = capture();
    const reopened = await openLog(dir, { config: small, logger, recoveryPoint: 4 });
    expect(lines.some((l) => l.includes('corrupt leader-epoch checkpoint'))).toBe(true);
    expect(reopened.leaderEpochs()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 4, startOffset: 2 },
    ]);
    expect(await readFile(join(dir, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n2\n1 0\n4 2\n');
    await reopened.close();
  });

  it('removes leftover temp, deleted, cleaned and orphan index files', async () => {
    const { dir, expected } = await build();
    const leftovers = [
      'leader-epoch-checkpoint.tmp',
      `${segmentFileName(0, '.log')}.deleted`,
      `${segmentFileName(0, '.index')}.deleted`,
      `${segmentFileName(3, '.log')}.cleaned`,
      `${segmentFileName(3, '.log')}.swap`,
      segmentFileName(999, '.index'),
      segmentFileName(999, '.timeindex'),
    ];
    for (const name of leftovers) await writeFile(join(dir, name), 'junk');
    const log = await openLog(dir, { config: small, recoveryPoint: 32 });
    const names = await readdir(dir);
    for (const name of leftovers) expect(names).not.toContain(name);
    expect(await readAll(log)).toEqual(expected);
    await log.close();
  });
});
