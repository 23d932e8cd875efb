import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/common/index.js';
import { OffsetIndex, TimeIndex } from '../../src/storage/index.js';
import { tempDir } from './helpers.js';

describe('OffsetIndex', () => {
  it('looks up the largest entry <= target, exact hits, and the segment start when empty or before all', async () => {
    const path = join(await tempDir(), '00000000000000000100.index');
    const index = await OffsetIndex.create(path, 100);
    expect(index.lookup(150)).toEqual({ offset: 100, position: 0 });
    index.append(110, 4100);
    index.append(120, 8300);
    index.append(135, 12500);
    expect(index.lookup(100)).toEqual({ offset: 100, position: 0 });
    expect(index.lookup(109)).toEqual({ offset: 100, position: 0 });
    expect(index.lookup(110)).toEqual({ offset: 110, position: 4100 });
    expect(index.lookup(119)).toEqual({ offset: 110, position: 4100 });
    expect(index.lookup(120)).toEqual({ offset: 120, position: 8300 });
    expect(index.lookup(134)).toEqual({ offset: 120, position: 8300 });
    expect(index.lookup(135)).toEqual({ offset: 135, position: 12500 });
    expect(index.lookup(10_000)).toEqual({ offset: 135, position: 12500 });
    await index.flush(true);
    await index.close();
    // 8 bytes per entry: int32 relative offset, int32 position.
    const bytes = await readFile(path);
    expect(bytes.toString('hex')).toBe('0000000a00001004' + '000000140000206c' + '00000023000030d4');
    const reopened = await OffsetIndex.load(path, 100, 20_000);
    expect(reopened.entries).toBe(3);
    expect(reopened.lookup(125)).toEqual({ offset: 120, position: 8300 });
    await reopened.truncateTo(120);
    expect(reopened.entries).toBe(1);
    expect((await stat(path)).size).toBe(8);
    await reopened.close();
  });

  it('rejects entries that do not increase', async () => {
    const index = await OffsetIndex.create(join(await tempDir(), 'x.index'), 0);
    index.append(5, 100);
    expect(() => index.append(5, 200)).toThrow(StorageError);
    expect(() => index.append(6, 100)).toThrow(StorageError);
    await index.close();
  });

  it('refuses to load torn or inconsistent files', async () => {
    const dir = await tempDir();
    const torn = join(dir, 'torn.index');
    await writeFile(torn, Buffer.alloc(12));
    await expect(OffsetIndex.load(torn, 0, 1000)).rejects.toThrow(/multiple of the 8-byte/);
    const backwards = join(dir, 'back.index');
    await writeFile(backwards, Buffer.from('0000000a000010040000000500002000', 'hex'));
    await expect(OffsetIndex.load(backwards, 0, 100_000)).rejects.toThrow(/does not increase/);
    const beyond = join(dir, 'beyond.index');
    await writeFile(beyond, Buffer.from('0000000a00001004', 'hex'));
    await expect(OffsetIndex.load(beyond, 0, 4000)).rejects.toThrow(/beyond the segment/);
  });
});

describe('TimeIndex', () => {
  it('keeps strictly increasing timestamps and looks up the largest entry <= target', async () => {
    const path = join(await tempDir(), '00000000000000000050.timeindex');
    const index = await TimeIndex.create(path, 50);
    expect(index.lookup(1_000)).toBeUndefined();
    index.maybeAppend(1_000, 50);
    index.maybeAppend(1_000, 55); // not larger: ignored
    index.maybeAppend(900, 56); // smaller: ignored
    index.maybeAppend(2_000, 60);
    index.maybeAppend(3_000, 70);
    expect(index.entries).toBe(3);
    expect(index.lookup(999)).toBeUndefined();
    expect(index.lookup(1_000)).toEqual({ timestamp: 1_000, offset: 50 });
    expect(index.lookup(2_500)).toEqual({ timestamp: 2_000, offset: 60 });
    expect(index.lookup(9_999)).toEqual({ timestamp: 3_000, offset: 70 });
    expect(index.last()).toEqual({ timestamp: 3_000, offset: 70 });
    await index.flush(false);
    await index.close();
    // 12 bytes per entry: int64 timestamp, int32 relative offset.
    const bytes = await readFile(path);
    expect(bytes.length).toBe(36);
    expect(bytes.subarray(12, 24).toString('hex')).toBe('00000000000007d0' + '0000000a');
    const reopened = await TimeIndex.load(path, 50);
    expect(reopened.lookup(2_000)).toEqual({ timestamp: 2_000, offset: 60 });
    await reopened.truncateTo(60);
    expect(reopened.last()).toEqual({ timestamp: 1_000, offset: 50 });
    await reopened.close();
  });

  it('refuses to load files with decreasing timestamps or a torn tail', async () => {
    const dir = await tempDir();
    const bad = join(dir, 'bad.timeindex');
    await writeFile(bad, Buffer.from('00000000000007d000000001' + '00000000000003e800000002', 'hex'));
    await expect(TimeIndex.load(bad, 0)).rejects.toThrow(/does not increase/);
    const torn = join(dir, 'torn.timeindex');
    await writeFile(torn, Buffer.alloc(13));
    await expect(TimeIndex.load(torn, 0)).rejects.toThrow(/multiple of the 12-byte/);
  });
});
