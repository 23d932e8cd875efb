import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyRetention, segmentFileName } from '../../src/storage/index.js';
import { batch, config, openLog, readAll, tempDir } from './helpers.js';

const T0 = 1_700_000_000_000;

/** 12 batches of 2 records, batch i stamped T0 + 1000 * i, about 4 batches per segment. */
async function build(overrides: Parameters<typeof config>[0]) {
  const dir = await tempDir();
  const log = await openLog(dir, { config: config({ segmentBytes: 600, ...overrides }), now: () => T0 + 20_000 });
  for (let i = 0; i < 12; i++) await log.append(await batch(`b${i}`, 2, T0 + 1000 * i, 20));
  return { dir, log };
}

describe('retention', () => {
  it('deletes whole segments older than retention.ms by their largest timestamp and advances logStartOffset', async () => {
    const { dir, log } = await build({ retentionMs: 10_000 });
    expect(log.segmentBaseOffsets()).toEqual([0, 8, 16]);
    // Segment 0 holds timestamps up to T0+3001, segment 8 up to T0+7001.
    expect(await applyRetention(log, T0 + 13_001)).toBe(0);
    expect(await applyRetention(log, T0 + 13_002)).toBe(1);
    expect(log.segmentBaseOffsets()).toEqual([8, 16]);
    expect(log.logStartOffset).toBe(8);
    expect((await readAll(log))[0]).toBe(`8:b4-0${'x'.repeat(20)}`);
    expect(await readdir(dir)).not.toContain(segmentFileName(0, '.log'));
    // Much later (but before segment.ms rolls the active segment): everything but the active segment goes.
    expect(await applyRetention(log, T0 + 1_000_000)).toBe(1);
    expect(log.segmentBaseOffsets()).toEqual([16]);
    expect(log.logStartOffset).toBe(16);
    expect(log.logEndOffset).toBe(24);
    expect((await readAll(log)).map((r) => r.split(':')[0])).toEqual(['16', '17', '18', '19', '20', '21', '22', '23']);
    await log.close();
  });

  it('deletes the oldest segments while the log is larger than retention.bytes, never the active one', async () => {
    const { dir, log } = await build({ retentionBytes: 700 });
    const sizes = await Promise.all([0, 8, 16].map(async (b) => (await stat(join(dir, segmentFileName(b, '.log')))).size));
    expect(log.size).toBe(sizes[0]! + sizes[1]! + sizes[2]!);
    // Deleting segment 0 still leaves more than 700 bytes; deleting 8 too leaves less: only 0 may go.
    expect(sizes[1]! + sizes[2]!).toBeGreaterThan(700);
    expect(await applyRetention(log, T0)).toBe(1);
    expect(log.segmentBaseOffsets()).toEqual([8, 16]);
    expect(log.logStartOffset).toBe(8);
    const tiny = await build({ retentionBytes: 0 });
    expect(await applyRetention(tiny.log, T0)).toBe(2);
    expect(tiny.log.segmentBaseOffsets()).toEqual([16]);
    await log.close();
    await tiny.log.close();
  });

  it('keeps everything with cleanup.policy=compact or retention -1', async () => {
    const compact = await build({ retentionMs: 1, retentionBytes: 0, cleanupPolicy: 'compact' });
    expect(await applyRetention(compact.log, T0 + 1e6)).toBe(0);
    const forever = await build({ retentionMs: -1, retentionBytes: -1 });
    expect(await applyRetention(forever.log, T0 + 1e6)).toBe(0);
    expect(forever.log.segmentBaseOffsets()).toEqual([0, 8, 16]);
    await compact.log.close();
    await forever.log.close();
  });

  it('rolls a non-empty active segment once segment.ms has passed since it was created', async () => {
    let now = T0;
    const log = await openLog(await tempDir(), { config: config({ segmentMs: 60_000, retentionMs: -1 }), now: () => now });
    expect(await applyRetention(log, T0 + 120_000)).toBe(0);
    expect(log.segmentBaseOffsets()).toEqual([0]); // empty: nothing to roll
    await log.append(await batch('a', 2));
    await applyRetention(log, T0 + 59_999);
    expect(log.segmentBaseOffsets()).toEqual([0]);
    await applyRetention(log, T0 + 60_000);
    expect(log.segmentBaseOffsets()).toEqual([0, 2]);
    now = T0 + 60_000;
    expect((await log.append(await batch('b', 1))).baseOffset).toBe(2);
    expect(await readAll(log)).toEqual(['0:a-0', '1:a-1', '2:b-0']);
    await log.close();
  });

  it('rolls on append when batch timestamps run segment.ms past the first batch', async () => {
    const log = await openLog(await tempDir(), { config: config({ segmentMs: 10_000 }) });
    await log.append(await batch('a', 1, T0));
    await log.append(await batch('b', 1, T0 + 9_999));
    expect(log.segmentBaseOffsets()).toEqual([0]);
    await log.append(await batch('c', 1, T0 + 10_000));
    expect(log.segmentBaseOffsets()).toEqual([0, 2]);
    await log.close();
  });
});
