// Which I/O goes through the synchronous calls (sync-io.ts): small appends, and small reads of what was
// just appended; everything else, and everything for a while after a slow synchronous call, through the
// thread pool.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeRecordBatches } from '../../src/records/index.js';
import type { Log } from '../../src/storage/index.js';
import { resumeSyncIo, SYNC_IO_SLOW_MS } from '../../src/storage/sync-io.js';
import { batch, openLog, readAll, tempDir, tracedLogFiles } from './helpers.js';

let traced: ReturnType<typeof tracedLogFiles>;
beforeEach(() => {
  traced = tracedLogFiles();
});
afterEach(() => {
  traced.restore();
  resumeSyncIo();
});

/** The calls made on `.log` files by `fn`, as "method=count" sorted by method. */
async function callsDuring(fn: () => Promise<unknown>): Promise<string[]> {
  traced.calls.clear();
  await fn();
  return [...traced.calls].filter(([m]) => ['read', 'readSync', 'writev', 'writevSync'].includes(m)).map(([m, n]) => `${m}=${n}`).sort();
}

async function valuesAt(log: Log, offset: number, maxBytes: number): Promise<string[]> {
  const res = await log.read(offset, maxBytes);
  return (await decodeRecordBatches(Buffer.concat(res.records))).map((r) => `${r.offset}:${r.value!.toString().slice(0, 12)}`);
}

describe('synchronous I/O at the tail', () => {
  it('writes a small group with one synchronous call and a group over 64 KiB through the thread pool', async () => {
    const log = await openLog(await tempDir());
    expect(await callsDuring(async () => log.append(await batch('small', 3)))).toEqual(['writevSync=1']);
    expect(await callsDuring(async () => log.append(await batch('large', 2, undefined, 40 * 1024)))).toEqual(['writev=1']);
    expect(await readAll(log)).toEqual(['0:small-0', '1:small-1', '2:small-2', `3:large-0${'x'.repeat(40 * 1024)}`, `4:large-1${'x'.repeat(40 * 1024)}`]);
    await log.close();
  });

  it('reads a small range of the last MiB appended synchronously, older or larger ranges through the thread pool', async () => {
    const log = await openLog(await tempDir());
    // 24 batches of ~60 KiB (each written synchronously): 1.4 MiB, so offset 0 is more than 1 MiB back.
    for (let i = 0; i < 24; i++) await log.append(await batch(`b${String(i).padStart(2, '0')}`, 1, undefined, 60 * 1024));
    // The last batch alone (~60 KiB) is at the tail.
    expect(await callsDuring(async () => expect(await valuesAt(log, 23, 64 * 1024)).toEqual(['23:b23-0xxxxxxx']))).toEqual(['readSync=1']);
    // The first batch is 1.4 MiB back: it may have left the page cache, so neither the read that finds
    // its position (a batch header walk) nor the read of its bytes may block.
    expect(await callsDuring(async () => expect(await valuesAt(log, 0, 64 * 1024)).toEqual(['0:b00-0xxxxxxx']))).toEqual(['read=2']);
    // Two batches at the tail are ~120 KiB: too much to copy on the event loop.
    expect(await callsDuring(async () => expect(await valuesAt(log, 22, 1 << 20)).toEqual(['22:b22-0xxxxxxx', '23:b23-0xxxxxxx']))).toEqual(['read=1']);
    await log.close();
  });

  it('goes back to the thread pool for a while once a synchronous call was slow (a stalled disk must not stall every append)', async () => {
    const log = await openLog(await tempDir());
    traced.slowNextSyncCall(SYNC_IO_SLOW_MS + 5);
    expect(await callsDuring(async () => log.append(await batch('slow', 1)))).toEqual(['writevSync=1']);
    expect(await callsDuring(async () => log.append(await batch('next', 1)))).toEqual(['writev=1']);
    expect(await callsDuring(async () => expect(await valuesAt(log, 1, 1024)).toEqual(['1:next-0']))).toEqual(['read=1']);
    resumeSyncIo(); // the back-off is 30 s; the test ends it
    expect(await callsDuring(async () => log.append(await batch('later', 1)))).toEqual(['writevSync=1']);
    expect(await readAll(log)).toEqual(['0:slow-0', '1:next-0', '2:later-0']);
    await log.close();
  });
});
