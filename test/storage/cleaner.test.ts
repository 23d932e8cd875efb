// Log compaction (cleaner.ts) on real files: latest value per key, tombstones after
// delete.retention.ms, original offsets, reads and appends during a pass, compact,delete.
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { readBatchHeader } from '../../src/records/index.js';
import { DEFAULT_LOG_CONFIG, LogManager, type LogConfig } from '../../src/storage/index.js';
import { appendKeyed, expectedAfterCompaction, readCompacted, type Written } from './cleaner-helpers.js';
import { tempDir } from './helpers.js';
import { seededRandom } from '../helpers/seeded-random.js';

const COMPACT: LogConfig = { ...DEFAULT_LOG_CONFIG, cleanupPolicy: 'compact', segmentBytes: 64 * 1024, indexIntervalBytes: 1024 };

async function open(dataDir: string, now?: () => number): Promise<LogManager> {
  // Acknowledge before fsync: these tests are about compaction, and 100,000 fsyncs would take minutes.
  const flushPolicy = { flushIntervalMessages: 1_000_000, flushIntervalMs: 0 };
  return LogManager.open({ dataDir, defaultConfig: COMPACT, minCleanableDirtyRatio: 0, flushPolicy, ...(now !== undefined ? { now } : {}) });
}

function key(k: number): string {
  return `key-${String(k).padStart(4, '0')}`;
}

describe('LogCleaner', () => {
  it('compacts 1,000 keys written 100 times each to their latest values, keeping offsets', async () => {
    const dataDir = await tempDir();
    const manager = await open(dataDir);
    const log = await manager.createLog('c', 0, COMPACT);
    const random = seededRandom(7);
    const written: Written[] = [];
    // Rounds in shuffled key order, cut into batches of 7 so batches straddle rounds; odd batches gzip.
    const sequence: { key: string; value: string }[] = [];
    for (let round = 0; round < 100; round++) {
      const keys = Array.from({ length: 1000 }, (_, k) => k).sort(() => random() - 0.5);
      for (const k of keys) sequence.push({ key: key(k), value: `${key(k)}@${round}` });
    }
    for (let i = 0, n = 0; i < sequence.length; i += 7, n++) {
      written.push(...(await appendKeyed(log, sequence.slice(i, i + 7), n % 2 === 1 ? 'gzip' : 'none')));
    }
    await log.flush();
    const segmentsBefore = log.segmentBaseOffsets().length;
    const activeBase = log.segmentBaseOffsets().at(-1)!;
    const endBefore = log.logEndOffset;
    const started = performance.now();
    const pass = await manager.runCleaner();
    const ms = performance.now() - started;
    console.log(`compacted ${written.length} records (${segmentsBefore} segments) in ${ms.toFixed(0)} ms`, pass.get('c-0'));

    const expected = expectedAfterCompaction(written, activeBase, false);
    const after = await readCompacted(log);
    expect(after).toEqual(expected);
    const sealedKept = after.filter((w) => w.offset < activeBase);
    expect(new Set(sealedKept.map((w) => w.key)).size).toBe(sealedKept.length);
    // Every key's latest value is there, in the sealed part or the active segment.
    const lastOf = new Map(after.map((w) => [w.key, w.value]));
    expect(lastOf.size).toBe(1000);
    for (let k = 0; k < 1000; k++) expect(lastOf.get(key(k))).toBe(`${key(k)}@99`);
    expect(log.logStartOffset).toBe(0);
    expect(log.logEndOffset).toBe(endBefore);
    expect(log.segmentBaseOffsets()[0]).toBe(0);
    expect(log.segmentBaseOffsets().length).toBeLessThan(segmentsBefore);
    expect(pass.get('c-0')).toMatchObject({ recordsRead: activeBase, recordsKept: sealedKept.length });

    // Offsets are never reused: the next append continues the log.
    const more = await appendKeyed(log, [{ key: key(0), value: 'after' }]);
    expect(more[0]!.offset).toBe(endBefore);
    // The files on disk are exactly the new segment set: no leftover.
    const files = (await readdir(`${dataDir}/c-0`)).filter((f) => !f.startsWith('leader-epoch'));
    // Producer state snapshots (%020d.snapshot) are written on roll.
    expect(files.filter((f) => !/^\d{20}\.(log|index|timeindex|snapshot)$/.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.log')).length).toBe(log.segmentBaseOffsets().length);
    await manager.close();

    // Reopened (indexes loaded or rebuilt): the same records, at the same offsets.
    const reopened = await open(dataDir);
    const again = reopened.getLog('c', 0)!;
    expect(await readCompacted(again)).toEqual([...expected, { offset: endBefore, key: key(0), value: 'after' }]);
    // A second pass changes nothing readable.
    await reopened.runCleaner();
    expect(await readCompacted(again)).toEqual([...expected, { offset: endBefore, key: key(0), value: 'after' }]);
    // offsetForTimestamp and index lookups still land on the right records.
    for (const w of expected.filter((_, i) => i % 97 === 0)) {
      const res = await again.read(w.offset, 1);
      expect(readBatchHeader(res.records[0]!).baseOffset).toBeLessThanOrEqual(w.offset);
    }
    await reopened.close();
  }, 60_000);

  it('keeps each rewritten batch\'s codec, producer fields and the batch ranges it covers', async () => {
    const dataDir = await tempDir();
    const manager = await open(dataDir);
    const log = await manager.createLog('c', 0, { ...COMPACT, segmentBytes: 1000 });
    const written: Written[] = [];
    for (let i = 0; i < 30; i++) {
      written.push(...(await appendKeyed(log, [{ key: `k${i % 3}`, value: `v${i}-a` }, { key: `u${i}`, value: `v${i}-b` }], 'lz4')));
    }
    const activeBase = log.segmentBaseOffsets().at(-1)!;
    await manager.runCleaner();
    const res = await log.read(0, 1 << 20);
    const header = readBatchHeader(res.records[0]!);
    expect(header.baseOffset).toBe(0);
    expect(header.compression).toBe('lz4');
    expect(await readCompacted(log)).toEqual(expectedAfterCompaction(written, activeBase, false));
    await manager.close();
  });

  it('drops tombstones once delete.retention.ms has passed since their timestamp', async () => {
    const dataDir = await tempDir();
    let clock = 1_000_000;
    const manager = await open(dataDir, () => clock);
    const config = { ...COMPACT, segmentBytes: 300, deleteRetentionMs: 10_000 };
    const log = await manager.createLog('c', 0, config);
    const written: Written[] = [];
    written.push(...(await appendKeyed(log, [{ key: 'a', value: 'a1', timestamp: clock }, { key: 'b', value: 'b1', timestamp: clock }])));
    written.push(...(await appendKeyed(log, [{ key: 'a', value: null, timestamp: clock }])));
    for (let i = 0; i < 12; i++) written.push(...(await appendKeyed(log, [{ key: `f${i}`, value: 'x'.repeat(40), timestamp: clock }])));
    const activeBase = log.segmentBaseOffsets().at(-1)!;
    expect(activeBase).toBeGreaterThan(2);

    await manager.runCleaner();
    let after = await readCompacted(log);
    expect(after).toEqual(expectedAfterCompaction(written, activeBase, false));
    expect(after.find((w) => w.key === 'a')).toEqual({ offset: 2, key: 'a', value: null });

    clock += 9_999;
    expect((await manager.runCleaner()).size).toBe(0);
    expect((await readCompacted(log)).find((w) => w.key === 'a')).toEqual({ offset: 2, key: 'a', value: null });

    clock += 1;
    const pass = await manager.runCleaner();
    expect(pass.get('c-0')?.tombstonesDropped).toBe(1);
    after = await readCompacted(log);
    expect(after).toEqual(expectedAfterCompaction(written, activeBase, true));
    expect(after.some((w) => w.key === 'a')).toBe(false);
    expect(after[0]).toEqual({ offset: 1, key: 'b', value: 'b1' });
    await manager.close();
  });

  it('matches a model on random keys, tombstones and several passes between appends', async () => {
    const dataDir = await tempDir();
    const manager = await open(dataDir);
    const config = { ...COMPACT, segmentBytes: 2048, deleteRetentionMs: 0 };
    const log = await manager.createLog('c', 0, config);
    const random = seededRandom(42);
    const written: Written[] = [];
    for (let pass = 0; pass < 6; pass++) {
      for (let b = 0; b < 60; b++) {
        const n = 1 + Math.floor(random() * 5);
        const records = Array.from({ length: n }, () => {
          const k = `k${Math.floor(random() * 40)}`;
          return { key: k, value: random() < 0.15 ? null : `${k}=${written.length}-${Math.floor(random() * 1e6)}` };
        });
        written.push(...(await appendKeyed(log, records, b % 3 === 0 ? 'snappy' : 'none')));
      }
      const activeBase = log.segmentBaseOffsets().at(-1)!;
      await manager.runCleaner();
      // Tombstones expire at once (delete.retention.ms 0); what earlier passes dropped stays dropped.
      const model = expectedAfterCompaction(written, activeBase, true);
      expect(await readCompacted(log)).toEqual(model);
      expect(await readCompacted(log, 100)).toEqual(model);
    }
    await manager.close();
  });

  it('serves reads and takes appends while a pass runs; readers across the swap see a consistent log', async () => {
    const dataDir = await tempDir();
    const manager = await open(dataDir);
    const log = await manager.createLog('c', 0, { ...COMPACT, segmentBytes: 4096 });
    const written: Written[] = [];
    for (let i = 0; i < 400; i++) written.push(...(await appendKeyed(log, [{ key: `k${i % 50}`, value: `v${i}-${'y'.repeat(30)}` }])));
    const byOffset = new Map(written.map((w) => [w.offset, w]));
    const activeBase = log.segmentBaseOffsets().at(-1)!;
    let done = false;
    const readers = Array.from({ length: 4 }, async (_, r) => {
      let passes = 0;
      while (!done || passes === 0) {
        // A full consumer pass in small fetches: every record is the one written at its offset, offsets increase.
        const seen = await readCompacted(log, 200 + r * 150);
        let last = -1;
        for (const w of seen) {
          expect(w.offset).toBeGreaterThan(last);
          last = w.offset;
          if (byOffset.has(w.offset)) expect(w).toEqual(byOffset.get(w.offset));
        }
        const lastOf = new Map(seen.map((w) => [w.key, w.value]));
        for (let k = 0; k < 50; k++) expect(lastOf.get(`k${k}`)).toBe(written.filter((w) => w.key === `k${k}`).at(-1)!.value);
        passes++;
      }
      return passes;
    });
    const appends = (async () => {
      for (let i = 0; i < 50; i++) {
        const w = await appendKeyed(log, [{ key: `n${i}`, value: `late-${i}` }]);
        written.push(...w);
        for (const x of w) byOffset.set(x.offset, x);
      }
    })();
    const pass = await manager.runCleaner();
    await appends;
    done = true;
    expect(Math.min(...(await Promise.all(readers)))).toBeGreaterThan(0);
    console.log(pass.get('c-0'));
    expect(await readCompacted(log)).toEqual(expectedAfterCompaction(written, activeBase, false));
    await manager.close();
  });

  it('applies retention and compaction together with compact,delete, and leaves delete-only logs alone', async () => {
    const dataDir = await tempDir();
    let clock = 5_000_000;
    const manager = await open(dataDir, () => clock);
    const both = { ...COMPACT, cleanupPolicy: 'compact,delete' as const, segmentBytes: 300, retentionMs: 60_000 };
    const plain = { ...COMPACT, cleanupPolicy: 'delete' as const, segmentBytes: 300 };
    const log = await manager.createLog('both', 0, both);
    const other = await manager.createLog('plain', 0, plain);
    const written: Written[] = [];
    for (let i = 0; i < 20; i++) {
      written.push(...(await appendKeyed(log, [{ key: `k${i % 4}`, value: `old${i}-${'z'.repeat(30)}`, timestamp: clock - 120_000 }])));
      await appendKeyed(other, [{ key: `k${i % 4}`, value: `v${i}-${'z'.repeat(30)}`, timestamp: clock }]);
    }
    for (let i = 0; i < 20; i++) {
      written.push(...(await appendKeyed(log, [{ key: `k${i % 4}`, value: `new${i}-${'z'.repeat(30)}`, timestamp: clock }])));
    }
    const otherBefore = await readCompacted(other);
    const activeBase = log.segmentBaseOffsets().at(-1)!;
    await manager.runRetention();
    const start = log.logStartOffset;
    expect(start).toBeGreaterThan(0);
    const pass = await manager.runCleaner();
    expect(pass.has('plain-0')).toBe(false);
    expect(await readCompacted(other)).toEqual(otherBefore);
    const remaining = written.filter((w) => w.offset >= start);
    expect(await readCompacted(log)).toEqual(expectedAfterCompaction(remaining, activeBase, false));
    expect(log.logStartOffset).toBe(start);
    await manager.close();
  });
});
