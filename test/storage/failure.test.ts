import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, KafkaError } from '../../src/common/index.js';
import { batch, openLog, readAll, tempDir, tracedLogFiles } from './helpers.js';

/** The prototype of node:fs/promises FileHandle, to inject I/O errors into real files. */
async function fileHandlePrototype(): Promise<{ datasync(): Promise<void> }> {
  const fh = await open(join(await tempDir(), 'probe'), 'w');
  const proto = Object.getPrototypeOf(fh) as { datasync(): Promise<void> };
  await fh.close();
  return proto;
}

const isStorageError = (e: unknown): boolean => e instanceof KafkaError && e.errorCode === ErrorCode.KAFKA_STORAGE_ERROR;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('I/O failures', () => {
  it('a failed fsync rejects the append with KAFKA_STORAGE_ERROR and takes the log offline for good', async () => {
    const dir = await tempDir();
    const log = await openLog(dir);
    await log.append(await batch('ok', 1));
    const proto = await fileHandlePrototype();
    const spy = vi.spyOn(proto, 'datasync').mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
    await expect(log.append(await batch('lost', 1))).rejects.toSatisfy(isStorageError);
    spy.mockRestore();
    expect(log.isOffline).toBe(true);
    // Never retried into success: later appends, reads and flushes fail too; the high watermark did not move.
    await expect(log.append(await batch('after', 1))).rejects.toSatisfy(isStorageError);
    await expect(log.read(0, 100)).rejects.toSatisfy(isStorageError);
    expect(log.highWatermark).toBe(1);
    await log.close();
    // After a restart the log is what the disk holds.
    const reopened = await openLog(dir);
    expect((await readAll(reopened))[0]).toBe('0:ok-0');
    await reopened.close();
  });

  it('a failed fsync also rejects the groups written while it ran', async () => {
    const log = await openLog(await tempDir());
    const proto = await fileHandlePrototype();
    let fail: () => void = () => {};
    const failing = new Promise<void>((resolve) => (fail = resolve));
    let started = false;
    vi.spyOn(proto, 'datasync').mockImplementationOnce(async () => {
      started = true;
      await failing;
      throw Object.assign(new Error('EIO: i/o error'), { code: 'EIO' });
    });
    const first = log.append(await batch('first', 1));
    for (let i = 0; i < 100 && !started; i++) await new Promise((r) => setTimeout(r, 5));
    const second = log.append(await batch('second', 1));
    for (let i = 0; i < 100 && log.logEndOffset < 2; i++) await new Promise((r) => setTimeout(r, 5));
    expect(log.logEndOffset).toBe(2); // written behind the fsync that is about to fail
    fail();
    const results = await Promise.allSettled([first, second]);
    expect(results.map((r) => r.status === 'rejected' && isStorageError(r.reason))).toEqual([true, true]);
    expect([log.isOffline, log.highWatermark]).toEqual([true, 0]);
    await log.close();
  });

  // Small batches are written with the synchronous call, batches of 70 KiB with the promise form
  // (segment.ts SYNC_IO_MAX_BYTES): either failure must reach every append queued with it.
  it.each([
    ['small', 0, 'writevSync'],
    ['large', 70 * 1024, 'writev'],
  ])('a failed write rejects every append of the group (%s group)', async (_size, padding, method) => {
    const traced = tracedLogFiles();
    try {
      const log = await openLog(await tempDir());
      const batches = await Promise.all([1, 2, 3].map((i) => batch(`x${i}`, 1, undefined, padding)));
      traced.failNextWrite();
      const results = await Promise.allSettled(batches.map((b) => log.append(b)));
      for (const r of results) {
        expect(r.status).toBe('rejected');
        if (r.status === 'rejected') expect(isStorageError(r.reason)).toBe(true);
      }
      expect(traced.calls.get(method)).toBe(1);
      expect(log.highWatermark).toBe(0);
      await log.close();
    } finally {
      traced.restore();
    }
  });
});
