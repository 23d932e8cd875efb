import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  readLeaderEpochCheckpoint,
  readOffsetCheckpoint,
  writeLeaderEpochCheckpoint,
  writeOffsetCheckpoint,
} from '../../src/storage/index.js';
import { tempDir } from './helpers.js';

describe('checkpoint files', () => {
  it('writes Kafka-format offset checkpoints atomically and reads them back', async () => {
    const dir = await tempDir();
    const path = join(dir, 'recovery-point-offset-checkpoint');
    await writeOffsetCheckpoint(path, [
      { topic: 'orders', partition: 0, offset: 42 },
      { topic: 'a-b.c', partition: 12, offset: 0 },
    ]);
    expect(await readFile(path, 'utf8')).toBe('0\n2\norders 0 42\na-b.c 12 0\n');
    expect(await readdir(dir)).toEqual(['recovery-point-offset-checkpoint']);
    expect(await readOffsetCheckpoint(path)).toEqual([
      { topic: 'orders', partition: 0, offset: 42 },
      { topic: 'a-b.c', partition: 12, offset: 0 },
    ]);
    await writeOffsetCheckpoint(path, []);
    expect(await readFile(path, 'utf8')).toBe('0\n0\n');
    expect(await readOffsetCheckpoint(join(dir, 'missing'))).toEqual([]);
  });

  it('writes leader-epoch checkpoints', async () => {
    const path = join(await tempDir(), 'leader-epoch-checkpoint');
    await writeLeaderEpochCheckpoint(path, [
      { epoch: 0, startOffset: 0 },
      { epoch: 3, startOffset: 120 },
    ]);
    expect(await readFile(path, 'utf8')).toBe('0\n2\n0 0\n3 120\n');
    expect(await readLeaderEpochCheckpoint(path)).toEqual([
      { epoch: 0, startOffset: 0 },
      { epoch: 3, startOffset: 120 },
    ]);
  });

  it.each([
    ['wrong version', '1\n0\n'],
    ['count mismatch', '0\n2\nt 0 1\n'],
    ['non-numeric offset', '0\n1\nt 0 x\n'],
    ['too few fields', '0\n1\nt 0\n'],
    ['garbage', '\u0000\u0001garbage'],
    ['empty', ''],
  ])('reports a corrupt offset checkpoint (%s)', async (_name, content) => {
    const path = join(await tempDir(), 'cp');
    await writeFile(path, content);
    await expect(readOffsetCheckpoint(path)).rejects.toThrow();
  });

  it('reports leader-epoch entries out of order', async () => {
    const path = join(await tempDir(), 'leader-epoch-checkpoint');
    await writeFile(path, '0\n2\n3 100\n2 120\n');
    await expect(readLeaderEpochCheckpoint(path)).rejects.toThrow(/increasing/);
  });
});
