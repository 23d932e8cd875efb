// Compaction crash safety: a pass runs on CrashableFileSystem and the disk loses power after its 1st,
// 2nd, … file operation (writing `.cleaned` files, renames to `.swap`, deletions, final renames).
// Every crash image (unsynced state dropped, and random partial outcomes) is reopened by the real
// recovery: no leftover remains, every record read is the one written at its offset (nothing
// duplicated, batches tile the offsets), the latest value of every key is there, and once the pass
// completed the log is exactly the compacted one.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LOG_CONFIG, LogManager, setStorageFileSystem, type Log, type LogConfig } from '../../src/storage/index.js';
import { CrashableFileSystem } from '../helpers/crashable-fs.js';
import { appendKeyed, expectedAfterCompaction, readCompacted, type Written } from './cleaner-helpers.js';
import { seededRandom } from '../helpers/seeded-random.js';

const DIR = '/data/c-0';
const RANDOM_IMAGES = 2;

let restore: (() => void) | null = null;
afterEach(() => {
  restore?.();
  restore = null;
});

async function openLog(fs: CrashableFileSystem, config: LogConfig): Promise<{ manager: LogManager; log: Log }> {
  restore?.();
  restore = setStorageFileSystem(fs);
  const manager = await LogManager.open({ dataDir: '/data', defaultConfig: config, minCleanableDirtyRatio: 0 });
  return { manager, log: await manager.createLog('c', 0, config) };
}

async function baseState(config: LogConfig, count: number): Promise<{ base: CrashableFileSystem; written: Written[]; activeBase: number }> {
  const fs = new CrashableFileSystem();
  fs.mkdirDurable('/data');
  const { manager, log } = await openLog(fs, config);
  const random = seededRandom(3);
  const written: Written[] = [];
  for (let i = 0; i < count; i++) {
    const k = `k${Math.floor(random() * 6)}`;
    written.push(...(await appendKeyed(log, [{ key: k, value: random() < 0.2 ? null : `${k}-${i}-${'p'.repeat(20)}` }])));
  }
  const activeBase = log.segmentBaseOffsets().at(-1)!;
  await manager.close();
  return { base: fs.snapshot(), written, activeBase };
}

async function everyCrashPoint(config: LogConfig, count: number, dropTombstones: boolean): Promise<number> {
  const { base, written, activeBase } = await baseState(config, count);
  const byOffset = new Map(written.map((w) => [w.offset, w]));
  const latest = new Map(written.map((w) => [w.key, w]));
  const compacted = expectedAfterCompaction(written, activeBase, dropTombstones);
  const end = written.at(-1)!.offset + 1;
  for (let step = 0; ; step++) {
    const fs = base.snapshot();
    const { manager, log } = await openLog(fs, config);
    expect(log.segmentBaseOffsets().length).toBeGreaterThan(3);
    fs.crashAfter(step);
    // A crash makes the cleaner give up (before the swap) or the log go offline (during it).
    await manager.runCleaner();
    const completed = !fs.isFrozen;
    const random = seededRandom(step + 1);
    const images = [fs.crash('drop-unsynced'), ...Array.from({ length: RANDOM_IMAGES }, () => fs.crash('random', random))];
    for (const [i, image] of images.entries()) {
      const reopened = await openLog(image, config);
      try {
        const leftovers = image.list(DIR).filter((n) => /\.(deleted|tmp|swap|cleaned)$/.test(n));
        expect(leftovers, `leftovers after crash at step ${step}`).toEqual([]);
        expect(reopened.log.logEndOffset, `step ${step}`).toBe(end);
        expect(reopened.log.logStartOffset, `step ${step}`).toBe(0);
        const after = await readCompacted(reopened.log);
        for (const w of after) expect(w, `step ${step}`).toEqual(byOffset.get(w.offset));
        const lastOf = new Map(after.map((w) => [w.key, w]));
        for (const [k, w] of latest) {
          if (w.value === null && dropTombstones) expect(lastOf.get(k)?.value ?? null, `step ${step}: ${k}`).toBeNull();
          else expect(lastOf.get(k), `step ${step}: ${k}`).toEqual(w);
        }
        if (completed) expect(after, `step ${step}`).toEqual(compacted);
        if (i === 0) {
          // The recovered log compacts like any other.
          await reopened.manager.runCleaner();
          expect(await readCompacted(reopened.log), `step ${step}`).toEqual(compacted);
        }
      } finally {
        await reopened.manager.close();
      }
    }
    if (completed) return step;
  }
}

describe('compaction: crash at every step', () => {
  it('loses and duplicates nothing (tombstones kept)', async () => {
    const config = { ...DEFAULT_LOG_CONFIG, cleanupPolicy: 'compact' as const, segmentBytes: 400, indexIntervalBytes: 64 };
    const steps = await everyCrashPoint(config, 40, false);
    expect(steps).toBeGreaterThan(20);
  }, 60_000);

  it('loses and duplicates nothing (tombstones dropped, merged segments)', async () => {
    const config = { ...DEFAULT_LOG_CONFIG, cleanupPolicy: 'compact' as const, segmentBytes: 250, indexIntervalBytes: 64, deleteRetentionMs: 0 };
    const steps = await everyCrashPoint(config, 40, true);
    expect(steps).toBeGreaterThan(20);
  }, 60_000);
});
