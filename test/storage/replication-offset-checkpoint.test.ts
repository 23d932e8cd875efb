// The high-watermark checkpoint (replication-offset-checkpoint): written only in cluster mode, on close
// and periodically; on reopen in cluster mode a log's high watermark is min(checkpointed, logEndOffset).
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogManager, REPLICATION_OFFSET_CHECKPOINT } from '../../src/storage/index.js';
import { batch, config, tempDir } from './helpers.js';

/** A data dir with logs t-0 (5 records, high watermark 2) and t-1 (3 records, high watermark 3). */
async function replicatedDir(): Promise<string> {
  const dataDir = await tempDir();
  const manager = await LogManager.open({ dataDir });
  await manager.useReplicatedHighWatermarks(60_000);
  const p0 = await manager.createLog('t', 0, config());
  const p1 = await manager.createLog('t', 1, config());
  p0.setExternalHighWatermark(true);
  p1.setExternalHighWatermark(true);
  await p0.append(await batch('a', 5));
  await p1.append(await batch('b', 3));
  p0.updateHighWatermark(2);
  p1.updateHighWatermark(3);
  await manager.close();
  return dataDir;
}

describe('replication-offset-checkpoint', () => {
  it('is written on close in cluster mode, byte for byte in the checkpoint text format', async () => {
    const dataDir = await replicatedDir();
    const bytes = await readFile(join(dataDir, REPLICATION_OFFSET_CHECKPOINT));
    const lines = bytes.toString('latin1').split('\n');
    expect(lines.slice(0, 2)).toEqual(['0', '2']);
    expect(lines.slice(2).sort()).toEqual(['', 't 0 2', 't 1 3']);
    expect(bytes.length).toBe('0\n2\nt 0 2\nt 1 3\n'.length);
    expect((await readdir(dataDir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('restores high watermark = min(checkpointed, logEndOffset) when reopened in cluster mode', async () => {
    const dataDir = await replicatedDir();
    // t-1's checkpoint claims more than its log holds (its tail was lost): capped at logEndOffset.
    await writeFile(join(dataDir, REPLICATION_OFFSET_CHECKPOINT), '0\n2\nt 0 2\nt 1 9\n');
    const manager = await LogManager.open({ dataDir });
    expect(manager.getLog('t', 0)!.highWatermark).toBe(5); // not applied before cluster mode is chosen
    await manager.useReplicatedHighWatermarks(60_000);
    expect(manager.getLog('t', 0)!.logEndOffset).toBe(5);
    expect(manager.getLog('t', 0)!.highWatermark).toBe(2);
    expect(manager.getLog('t', 1)!.highWatermark).toBe(3);
    // The replica manager moves it from there; appends do not.
    await manager.getLog('t', 0)!.append(await batch('c', 1));
    expect(manager.getLog('t', 0)!.highWatermark).toBe(2);
    manager.getLog('t', 0)!.updateHighWatermark(6);
    await manager.close();
    expect((await readFile(join(dataDir, REPLICATION_OFFSET_CHECKPOINT), 'utf8')).split('\n').slice(2).sort()).toEqual(['', 't 0 6', 't 1 3']);
  });

  it('single-broker mode keeps high watermark = logEndOffset and never writes the file', async () => {
    const dataDir = await replicatedDir();
    const manager = await LogManager.open({ dataDir });
    expect(manager.getLog('t', 0)!.highWatermark).toBe(5);
    await manager.close();
    const fresh = await tempDir();
    const single = await LogManager.open({ dataDir: fresh });
    await (await single.createLog('s', 0, config())).append(await batch('x', 2));
    await single.close();
    expect(await readdir(fresh)).not.toContain(REPLICATION_OFFSET_CHECKPOINT);
  });

  it('is rewritten periodically, and a corrupt or missing entry falls back to logEndOffset', async () => {
    const dataDir = await replicatedDir();
    await writeFile(join(dataDir, REPLICATION_OFFSET_CHECKPOINT), '0\n7\ngarbage\n');
    const manager = await LogManager.open({ dataDir });
    await manager.useReplicatedHighWatermarks(50);
    expect(manager.getLog('t', 0)!.highWatermark).toBe(5);
    manager.getLog('t', 1)!.updateHighWatermark(1);
    const deadline = Date.now() + 5000;
    let text = '';
    while (Date.now() < deadline) {
      text = await readFile(join(dataDir, REPLICATION_OFFSET_CHECKPOINT), 'utf8').catch(() => '');
      if (text.includes('t 1 1')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(text.split('\n').slice(2).sort()).toEqual(['', 't 0 5', 't 1 1']);
    await manager.close();
  });
});
