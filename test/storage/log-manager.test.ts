import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError, createLogger } from '../../src/common/index.js';
import { buildRecordBatch } from '../../src/records/index.js';
import { LogManager } from '../../src/storage/index.js';
import { batch, config, readAll, tempDir } from './helpers.js';

describe('LogManager', () => {
  it('creates logs in <dataDir>/<topic>-<partition>, reopens them and checkpoints on close', async () => {
    const dataDir = await tempDir();
    const manager = await LogManager.open({ dataDir });
    const p0 = await manager.createLog('or-ders', 0, config());
    const p1 = await manager.createLog('or-ders', 1, config());
    expect(await manager.createLog('or-ders', 0, config())).toBe(p0);
    await p0.append(await batch('a', 3));
    await p1.append(await batch('b', 1));
    await manager.close();
    expect((await readdir(dataDir)).sort()).toEqual([
      'log-start-offset-checkpoint',
      'or-ders-0',
      'or-ders-1',
      'recovery-point-offset-checkpoint',
    ]);
    const recovery = await readFile(join(dataDir, 'recovery-point-offset-checkpoint'), 'utf8');
    expect(recovery.split('\n').slice(2).sort()).toEqual(['', 'or-ders 0 3', 'or-ders 1 1']);

    const again = await LogManager.open({ dataDir });
    expect(again.logs().map((l) => `${l.topic}/${l.partition}`).sort()).toEqual(['or-ders/0', 'or-ders/1']);
    expect(await readAll(again.getLog('or-ders', 0)!)).toEqual(['0:a-0', '1:a-1', '2:a-2']);
    expect(again.getLog('or-ders', 1)!.logEndOffset).toBe(1);
    expect(again.getLog('nope', 0)).toBeUndefined();
    await again.close();
  });

  it('rejects illegal topic names', async () => {
    const manager = await LogManager.open({ dataDir: await tempDir() });
    await expect(manager.createLog('../x', 0, config())).rejects.toSatisfy(
      (e: unknown) => e instanceof KafkaError && e.errorCode === ErrorCode.INVALID_TOPIC_EXCEPTION,
    );
    await manager.close();
  });

  it('deletes topics by renaming to -delete first, and removes such leftovers on open', async () => {
    const dataDir = await tempDir();
    const manager = await LogManager.open({ dataDir });
    await manager.createLog('gone', 0, config());
    await manager.createLog('kept', 0, config());
    await manager.deleteTopic('gone');
    expect(manager.getLog('gone', 0)).toBeUndefined();
    expect(await readdir(dataDir)).not.toContain('gone-0');
    await manager.close();
    await mkdir(join(dataDir, 'old-0.0123456789abcdef-delete'));
    await writeFile(join(dataDir, 'old-0.0123456789abcdef-delete', '00000000000000000000.log'), 'x');
    const again = await LogManager.open({ dataDir });
    expect((await readdir(dataDir)).filter((n) => !n.includes('checkpoint'))).toEqual(['kept-0']);
    expect(again.logs().map((l) => l.topic)).toEqual(['kept']);
    await again.close();
  });

  it('ignores garbage root checkpoints with a warning and recovers the logs fully', async () => {
    const dataDir = await tempDir();
    const manager = await LogManager.open({ dataDir });
    const log = await manager.createLog('t', 0, config());
    await log.append(await batch('a', 2));
    await manager.close();
    await writeFile(join(dataDir, 'recovery-point-offset-checkpoint'), 'garbage\n\n');
    await writeFile(join(dataDir, 'log-start-offset-checkpoint'), '0\n5\n');
    const lines: string[] = [];
    const again = await LogManager.open({ dataDir, logger: createLogger({ json: true, write: (l) => lines.push(l) }) });
    expect(lines.filter((l) => l.includes('ignoring corrupt checkpoint')).length).toBe(2);
    expect(await readAll(again.getLog('t', 0)!)).toEqual(['0:a-0', '1:a-1']);
    await again.close();
    expect(await readFile(join(dataDir, 'recovery-point-offset-checkpoint'), 'utf8')).toBe('0\n1\nt 0 2\n');
  });

  it('runs retention over every log and checkpoints the new log start offsets', async () => {
    const dataDir = await tempDir();
    const T0 = 1_700_000_000_000;
    let now = T0;
    const manager = await LogManager.open({ dataDir, now: () => now });
    const cfg = config({ segmentBytes: 300, retentionMs: 1000 });
    const log = await manager.createLog('r', 0, cfg);
    for (let i = 0; i < 6; i++) await log.append(await batch(`b${i}`, 2, T0 + i));
    const before = log.segmentBaseOffsets();
    expect(before.length).toBeGreaterThan(1);
    now = T0 + 10_000;
    await manager.runRetention();
    expect(log.segmentBaseOffsets()).toEqual([before[before.length - 1]]);
    expect(await readFile(join(dataDir, 'log-start-offset-checkpoint'), 'utf8')).toBe(`0\n1\nr 0 ${log.logStartOffset}\n`);
    manager.setConfig('r', { ...cfg, retentionMs: -1 });
    expect(log.config.retentionMs).toBe(-1);
    manager.startRetention(5);
    await manager.close();
    const again = await LogManager.open({ dataDir });
    expect(again.getLog('r', 0)!.logStartOffset).toBe(before[before.length - 1]);
    await again.close();
  });

  it('forgets idempotent producers idle longer than producer.id.expiration.ms in a retention pass', async () => {
    const dataDir = await tempDir();
    const T0 = 1_700_000_000_000;
    let now = T0;
    const manager = await LogManager.open({ dataDir, now: () => now });
    manager.startRetention(60_000, 5_000);
    const log = await manager.createLog('p', 0, config());
    const append = async (producerId: bigint, baseSequence: number, timestamp: number): Promise<void> => {
      const records = [{ value: Buffer.from(`${producerId}-${baseSequence}`), timestamp }];
      await log.append(await buildRecordBatch(records, { producerId, producerEpoch: 0, baseSequence }));
    };
    await append(1n, 0, T0);
    await append(2n, 0, T0 + 4_000);
    now = T0 + 6_000; // producer 1 idle for 6 s, producer 2 for 2 s
    await manager.runRetention();
    expect(log.producers.entry(1n)).toBeUndefined();
    expect(log.producers.entry(2n)?.batches.map((b) => b.firstSeq)).toEqual([0]);
    // The forgotten producer is a new one now: it must start again at sequence 0.
    await expect(append(1n, 1, now)).rejects.toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    await append(2n, 1, now);
    await manager.close();
  });

  it('checkpoints logStartOffset after deleteRecordsBefore', async () => {
    const dataDir = await tempDir();
    const manager = await LogManager.open({ dataDir });
    const log = await manager.createLog('d', 0, config());
    await log.append(await batch('a', 5));
    expect(await log.deleteRecordsBefore(3)).toBe(3);
    expect(await readFile(join(dataDir, 'log-start-offset-checkpoint'), 'utf8')).toBe('0\n1\nd 0 3\n');
    await manager.close();
    const again = await LogManager.open({ dataDir });
    expect(again.getLog('d', 0)!.logStartOffset).toBe(3);
    await again.close();
  });
});

describe('LogManager createLog while opening and closing', () => {
  it('opens a partition once for concurrent calls, and close() waits for an open in progress', async () => {
    const dataDir = await tempDir();
    const manager = await LogManager.open({ dataDir });
    const [a, b] = await Promise.all([manager.createLog('c', 0, config()), manager.createLog('c', 0, config())]);
    expect(a).toBe(b);
    // Started just before close(): it finishes and is closed with the rest, nothing is written later.
    const late = manager.createLog('c', 1, config());
    await manager.close();
    const log = await late;
    await expect(log.append(await batch('x'))).rejects.toSatisfy((err: unknown) => err instanceof KafkaError && err.errorCode === ErrorCode.KAFKA_STORAGE_ERROR);
    await expect(manager.createLog('c', 2, config())).rejects.toThrow(/closed/);
    expect((await readdir(dataDir)).filter((n) => n.startsWith('c-')).sort()).toEqual(['c-0', 'c-1']);
  });
});
