// Producer state snapshots (`%020d.snapshot`): written on roll and clean close, loaded on open with the
// batches after them replayed, skipped when corrupt, deleted above a truncation point, the newest 2 kept.
import { readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, createLogger } from '../../src/common/index.js';
import { buildRecordBatch } from '../../src/records/index.js';
import type { Log } from '../../src/storage/index.js';
import { decodeProducerSnapshot, encodeProducerSnapshot, snapshotFileName } from '../../src/storage/producer-snapshot.js';
import { config, openLog, readAll, tempDir } from './helpers.js';

function idempotentBatch(values: string[], producerId: bigint, producerEpoch: number, baseSequence: number): Promise<Buffer> {
  // Padded so that every batch fills a 300-byte segment: one segment per batch.
  return buildRecordBatch(values.map((v) => ({ value: Buffer.from(v.padEnd(200, '.')) })), { producerId, producerEpoch, baseSequence });
}

const small = { config: config({ segmentBytes: 300 }) };

async function snapshots(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith('.snapshot')).sort();
}

function warnings(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ level: 'warn', json: true, write: (l) => lines.push(l) }), lines };
}

/** Producer 7 writes offset 0 (segment 0), producer 9 offsets 1 and 2 (segments 1 and 2). */
async function writeTwoProducers(dir: string): Promise<Log> {
  const log = await openLog(dir, small);
  await log.append(await idempotentBatch(['a'], 7n, 2, 0));
  await log.append(await idempotentBatch(['b'], 9n, 0, 0));
  await log.append(await idempotentBatch(['c'], 9n, 0, 1));
  return log;
}

describe('producer state snapshots', () => {
  it('encodes the documented layout and decodes it back', () => {
    const entries = [{ producerId: 5n, epoch: 3, batches: [{ firstSeq: 0, lastSeq: 4, firstOffset: 10, lastOffset: 14, timestamp: 1_700_000_000_000 }] }];
    const buf = encodeProducerSnapshot(15, entries);
    expect(buf.length).toBe(18 + 14 + 32);
    expect(buf.readInt16BE(0)).toBe(1);
    expect(buf.readBigInt64BE(6)).toBe(15n);
    expect(buf.readInt32BE(14)).toBe(1);
    expect(buf.readBigInt64BE(18)).toBe(5n);
    expect(buf.readInt32BE(28)).toBe(1);
    expect(buf.readBigInt64BE(32 + 8)).toBe(10n);
    expect(decodeProducerSnapshot(buf, 15)).toEqual(entries);
    expect(() => decodeProducerSnapshot(buf, 16)).toThrow(/offset 15/);
    const flipped = Buffer.from(buf);
    flipped[40] = (flipped[40] ?? 0) ^ 1;
    expect(() => decodeProducerSnapshot(flipped, 15)).toThrow(/CRC/);
  });

  it('knows a producer whose last batch is in an older segment after rolls and a clean reopen', async () => {
    const dir = await tempDir();
    const log = await writeTwoProducers(dir);
    // Rolls at offsets 1 and 2 wrote snapshots; only the newest 2 are kept, then close adds offset 3.
    expect(await snapshots(dir)).toEqual([snapshotFileName(1), snapshotFileName(2)]);
    await log.close();
    expect(await snapshots(dir)).toEqual([snapshotFileName(2), snapshotFileName(3)]);

    // As after a clean shutdown: the recovery point is the log end, so recovery scans no old segment.
    const reopened = await openLog(dir, { ...small, recoveryPoint: 3 });
    expect(reopened.producers.entry(7n)).toMatchObject({ epoch: 2, batches: [{ firstSeq: 0, lastSeq: 0, firstOffset: 0, lastOffset: 0 }] });
    expect(reopened.producers.entry(9n)?.batches.map((b) => b.firstOffset)).toEqual([1, 2]);
    // Producer 7's next sequence is accepted, its retry deduplicated.
    expect((await reopened.append(await idempotentBatch(['a'], 7n, 2, 0))).baseOffset).toBe(0);
    expect((await reopened.append(await idempotentBatch(['d'], 7n, 2, 1))).baseOffset).toBe(3);
    await reopened.close();
  });

  it('replays the batches after the roll snapshot when there is no close snapshot', async () => {
    const dir = await tempDir();
    const log = await writeTwoProducers(dir);
    await log.close();
    await unlink(join(dir, snapshotFileName(3)));
    // The snapshot of offset 2 knows producer 7 and 9's first batch; offset 2 comes from the segment.
    const reopened = await openLog(dir, { ...small, recoveryPoint: 3 });
    expect(reopened.producers.entry(7n)?.batches.map((b) => b.firstOffset)).toEqual([0]);
    expect(reopened.producers.entry(9n)?.batches.map((b) => [b.firstSeq, b.firstOffset])).toEqual([
      [0, 1],
      [1, 2],
    ]);
    await reopened.close();
  });

  it('ignores a corrupt snapshot with a warning and falls back to scanning', async () => {
    const dir = await tempDir();
    const log = await writeTwoProducers(dir);
    await log.close();
    for (const name of await snapshots(dir)) {
      const buf = await readFile(join(dir, name));
      buf[buf.length - 1] = (buf[buf.length - 1] ?? 0) ^ 0xff;
      await writeFile(join(dir, name), buf);
    }
    const { logger, lines } = warnings();
    const reopened = await openLog(dir, { ...small, recoveryPoint: 3, logger });
    expect(lines.filter((l) => l.includes('ignoring unreadable producer state snapshot')).length).toBe(2);
    expect(lines.some((l) => l.includes('CRC mismatch'))).toBe(true);
    expect(reopened.producers.entry(7n)?.batches.map((b) => b.firstOffset)).toEqual([0]);
    expect(reopened.producers.entry(9n)?.batches.map((b) => b.firstOffset)).toEqual([1, 2]);
    expect((await reopened.append(await idempotentBatch(['d'], 7n, 2, 1))).baseOffset).toBe(3);
    await reopened.close();
  });

  it('deletes snapshots above a truncation point, and the reopened state has no truncated batch', async () => {
    const dir = await tempDir();
    const log = await writeTwoProducers(dir);
    await log.append(await idempotentBatch(['e'], 9n, 0, 2));
    expect(await snapshots(dir)).toEqual([snapshotFileName(2), snapshotFileName(3)]);
    await log.truncateTo(2);
    expect(await snapshots(dir)).toEqual([snapshotFileName(2)]);
    expect(log.producers.entry(9n)?.batches.map((b) => b.firstOffset)).toEqual([1]);
    await log.close();
    const reopened = await openLog(dir, { ...small, recoveryPoint: 2 });
    expect(reopened.producers.entry(9n)?.batches.map((b) => b.firstOffset)).toEqual([1]);
    // Sequence 1 is expected again (its first copy was truncated); 2 would leave a gap.
    await expect(reopened.append(await idempotentBatch(['x'], 9n, 0, 2))).rejects.toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect((await reopened.append(await idempotentBatch(['c2'], 9n, 0, 1))).baseOffset).toBe(2);
    expect((await readAll(reopened)).map((r) => r.slice(0, 4))).toEqual(['0:a.', '1:b.', '2:c2']);
    await reopened.close();
  });

  it('deletes snapshots above the log end on open (left by a crash that lost the tail)', async () => {
    const dir = await tempDir();
    const log = await writeTwoProducers(dir);
    await log.close();
    await writeFile(join(dir, snapshotFileName(50)), encodeProducerSnapshot(50, [{ producerId: 99n, epoch: 0, batches: [{ firstSeq: 0, lastSeq: 0, firstOffset: 49, lastOffset: 49, timestamp: 0 }] }]));
    const reopened = await openLog(dir, { ...small, recoveryPoint: 3 });
    expect(reopened.producers.entry(99n)).toBeUndefined();
    expect(await snapshots(dir)).toEqual([snapshotFileName(2), snapshotFileName(3)]);
    await reopened.close();
  });
});
