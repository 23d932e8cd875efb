// Crash at every step (reliability.md D7, D8): one operation (segment roll, retention delete,
// DeleteRecords, topic delete, checkpoint replace) runs on CrashableFileSystem and the disk loses
// power after its 1st, 2nd, … file operation, until the operation completes. Each crash image (all
// unsynced state dropped, and several random partial outcomes) is reopened by the real recovery:
// every file is the old or the new version, no leftover of the operation remains, and every record
// acknowledged before is intact.
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_LOG_CONFIG,
  LogManager,
  readOffsetCheckpoint,
  setStorageFileSystem,
  writeLeaderEpochCheckpoint,
  writeOffsetCheckpoint,
  type Log,
} from '../../src/storage/index.js';
import { CrashableFileSystem } from '../helpers/crashable-fs.js';
import { readLog, valuesBatch } from './storage-helpers.js';
import { seededRandom } from '../helpers/seeded-random.js';

const CONFIG = { ...DEFAULT_LOG_CONFIG, segmentBytes: 400, indexIntervalBytes: 64 };
const DIR = '/data/t-0';
const RANDOM_IMAGES = 4;

let restore: (() => void) | null = null;
afterEach(() => {
  restore?.();
  restore = null;
});

function use(fs: CrashableFileSystem): void {
  restore?.();
  restore = setStorageFileSystem(fs);
}

async function openLog(fs: CrashableFileSystem): Promise<{ manager: LogManager; log: Log }> {
  use(fs);
  const manager = await LogManager.open({ dataDir: '/data', defaultConfig: CONFIG });
  return { manager, log: await manager.createLog('t', 0, CONFIG) };
}

/** A durable base: topic t-0 with `batches` batches of 3 records (several segments), closed cleanly. */
async function baseState(batches: number): Promise<{ fs: CrashableFileSystem; records: [number, string][] }> {
  const fs = new CrashableFileSystem();
  fs.mkdirDurable('/data');
  const { manager, log } = await openLog(fs);
  for (let i = 0; i < batches; i++) await log.append(await valuesBatch([`b${i}-0`, `b${i}-1`, `b${i}-2`]));
  const records = await readLog(log);
  await manager.close();
  return { fs: fs.snapshot(), records };
}

/** The crash images of `fs` frozen mid-operation: nothing unsynced, then random partial outcomes. */
function* crashImages(fs: CrashableFileSystem, seed: number): Generator<CrashableFileSystem> {
  yield fs.crash('drop-unsynced');
  const random = seededRandom(seed);
  for (let i = 0; i < RANDOM_IMAGES; i++) yield fs.crash('random', random);
}

/** Runs `operation` on copies of `base`, crashing after 0, 1, 2, … file operations, and checks each image. */
async function everyCrashPoint(
  base: CrashableFileSystem,
  operation: (log: Log, manager: LogManager) => Promise<void>,
  check: (log: Log, image: CrashableFileSystem, completed: boolean, step: number) => Promise<void>,
): Promise<number> {
  for (let step = 0; ; step++) {
    const fs = base.snapshot();
    const { manager, log } = await openLog(fs);
    fs.crashAfter(step);
    let completed = true;
    try {
      await operation(log, manager);
    } catch (err) {
      if (!fs.isFrozen) throw err;
      completed = false;
    }
    for (const image of crashImages(fs, step)) {
      const reopened = await openLog(image);
      try {
        const leftovers = image.list(DIR).filter((n) => /\.(deleted|tmp|swap|cleaned)$/.test(n));
        expect(leftovers, `leftovers after crash at step ${step}`).toEqual([]);
        const names = image.list(DIR);
        for (const name of names.filter((n) => n.endsWith('.log'))) {
          expect(names, `indexes of ${name} after crash at step ${step}`).toContain(name.replace(/\.log$/, '.index'));
        }
        await check(reopened.log, image, completed, step);
      } finally {
        await reopened.manager.close();
      }
    }
    if (completed) return step;
  }
}

describe('crash at every step', () => {
  it('segment roll: the old segment is intact, the new one exists whole or not at all', async () => {
    const { fs: base, records } = await baseState(2);
    const oldSegments = base.list(DIR).filter((n) => n.endsWith('.log'));
    const steps = await everyCrashPoint(
      base,
      async (log) => {
        // Larger than what is left of segment.bytes: rolls first.
        await log.append(await valuesBatch(['new-0', 'new-1', 'new-2'].map((v) => v + 'x'.repeat(60))));
      },
      async (log, image, completed, step) => {
        const after = await readLog(log);
        expect(after.slice(0, records.length), `step ${step}`).toEqual(records);
        const extra = after.slice(records.length).map(([, v]) => v.slice(0, 5));
        if (completed) expect(extra, `step ${step}`).toEqual(['new-0', 'new-1', 'new-2']);
        else expect([[], ['new-0', 'new-1', 'new-2']], `step ${step}`).toContainEqual(extra);
        for (const name of oldSegments) expect(image.peek(`${DIR}/${name}`), name).toEqual(base.peek(`${DIR}/${name}`));
      },
    );
    expect(steps).toBeGreaterThan(5);
  });

  it('retention delete: each segment is there whole or gone, and the records above the start are intact', async () => {
    const { fs: base, records } = await baseState(20);
    const starts = base
      .list(DIR)
      .filter((n) => n.endsWith('.log'))
      .map((n) => Number(n.slice(0, 20)));
    expect(starts.length).toBeGreaterThan(3);
    await everyCrashPoint(
      base,
      async (log, manager) => {
        log.config = { ...CONFIG, retentionBytes: 0 };
        await manager.runRetention();
      },
      async (log, _image, completed, step) => {
        expect(starts, `step ${step}: log start ${log.logStartOffset}`).toContain(log.logStartOffset);
        // Retention never deletes the active segment.
        if (completed) expect(log.logStartOffset).toBe(starts[starts.length - 1]);
        expect(await readLog(log), `step ${step}`).toEqual(records.filter(([o]) => o >= log.logStartOffset));
      },
    );
  });

  it('DeleteRecords: once acknowledged, the new log start offset survives the crash', async () => {
    const { fs: base, records } = await baseState(8);
    const target = records[records.length - 5]![0];
    await everyCrashPoint(
      base,
      async (log) => {
        await log.deleteRecordsBefore(target);
      },
      async (log, _image, completed, step) => {
        if (completed) expect(log.logStartOffset, `step ${step}`).toBe(target);
        expect(await readLog(log), `step ${step}`).toEqual(records.filter(([o]) => o >= log.logStartOffset));
      },
    );
  });

  it('checkpoint replace: the file holds the old or the new content, never a mix', async () => {
    const oldEntries = [{ topic: 'a', partition: 0, offset: 11 }, { topic: 'b', partition: 1, offset: 22 }];
    const newEntries = [{ topic: 'a', partition: 0, offset: 333 }, { topic: 'b', partition: 1, offset: 4444 }, { topic: 'c', partition: 0, offset: 5 }];
    const path = '/data/recovery-point-offset-checkpoint';
    const epochPath = '/data/leader-epoch-checkpoint';
    const setup = new CrashableFileSystem();
    setup.mkdirDurable('/data');
    use(setup);
    await writeOffsetCheckpoint(path, oldEntries);
    await writeLeaderEpochCheckpoint(epochPath, [{ epoch: 0, startOffset: 0 }]);
    const base = setup.snapshot();
    const oldBytes = base.peek(path)!;
    const oldEpochBytes = base.peek(epochPath)!;
    let step = 0;
    for (; ; step++) {
      const fs = base.snapshot();
      use(fs);
      fs.crashAfter(step);
      let completed = true;
      try {
        await writeOffsetCheckpoint(path, newEntries);
        await writeLeaderEpochCheckpoint(epochPath, [{ epoch: 0, startOffset: 0 }, { epoch: 3, startOffset: 120 }]);
      } catch (err) {
        if (!fs.isFrozen) throw err;
        completed = false;
      }
      use(base); // keep the write above from being the fs under test for the reads below
      for (const image of crashImages(fs, step)) {
        use(image);
        const bytes = image.peek(path)!;
        const epochBytes = image.peek(epochPath)!;
        if (completed) {
          expect(await readOffsetCheckpoint(path)).toEqual(newEntries);
          expect(epochBytes.toString()).toBe('0\n2\n0 0\n3 120\n');
        } else {
          expect([oldBytes.toString(), '0\n3\na 0 333\nb 1 4444\nc 0 5\n'], `step ${step}`).toContain(bytes.toString());
          expect([oldEpochBytes.toString(), '0\n2\n0 0\n3 120\n'], `step ${step}`).toContain(epochBytes.toString());
        }
      }
      if (completed) break;
    }
    // tmp create, write, fsync, rename, dir fsync for each of the two files.
    expect(step).toBe(10);
  });

  it('topic delete: the partition is there whole or gone', async () => {
    const { fs: base, records } = await baseState(4);
    for (let step = 0; ; step++) {
      const fs = base.snapshot();
      const { manager } = await openLog(fs);
      fs.crashAfter(step);
      let completed = true;
      try {
        await manager.deleteTopic('t');
      } catch (err) {
        if (!fs.isFrozen) throw err;
        completed = false;
      }
      for (const image of crashImages(fs, step)) {
        use(image);
        const reopened = await LogManager.open({ dataDir: '/data', defaultConfig: CONFIG });
        const log = reopened.getLog('t', 0);
        if (completed) expect(log, `step ${step}`).toBeUndefined();
        if (log !== undefined) expect(await readLog(log), `step ${step}`).toEqual(records);
        expect(image.list('/data').filter((n) => n.endsWith('-delete')), `step ${step}`).toEqual([]);
        await reopened.close();
      }
      if (completed) break;
    }
  });

  it('a segment deleted by recovery (after a corrupt sealed segment) does not come back after the next crash', async () => {
    const { fs: base } = await baseState(20);
    const segments = base.list(DIR).filter((n) => n.endsWith('.log'));
    expect(segments.length).toBeGreaterThan(3);
    const victim = `${DIR}/${segments[1]!}`;
    const bytes = Buffer.from(base.peek(victim)!);
    bytes[bytes.length - 3]! ^= 0x10; // inside the last batch's records: its CRC fails
    base.poke(victim, bytes);
    // A garbage recovery-point checkpoint makes recovery scan every segment (it trusts none).
    base.poke('/data/recovery-point-offset-checkpoint', Buffer.from('0\n1\ngarbage\n'));
    const fs = base.snapshot();
    const { manager, log } = await openLog(fs);
    const before = await readLog(log);
    // Recovery cut the log inside segment 1 and deleted every later segment.
    expect(log.segmentBaseOffsets()).toEqual(segments.slice(0, 2).map((n) => Number(n.slice(0, 20))));
    const result = await log.append(await valuesBatch(['after-0', 'after-1']));
    expect(result.baseOffset).toBe(before.length);
    void manager;
    for (const image of crashImages(fs, 7)) {
      const reopened = await openLog(image);
      const after = await readLog(reopened.log);
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after.slice(before.length)).toEqual([
        [before.length, 'after-0'],
        [before.length + 1, 'after-1'],
      ]);
      await reopened.manager.close();
    }
  });
});
