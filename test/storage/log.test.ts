import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../src/common/index.js';
import { decodeRecordBatches, readBatchHeader, setBaseOffset } from '../../src/records/index.js';
import { batch, config, openLog, readAll, tempDir, until, withGatedLogDatasync } from './helpers.js';

/** Appends `n` batches of 3 records each (values b<i>-<j>), sequentially. */
async function fill(log: Awaited<ReturnType<typeof openLog>>, n: number, padding = 0): Promise<string[]> {
  const expected: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await log.append(await batch(`b${i}`, 3, undefined, padding));
    for (let j = 0; j < 3; j++) expected.push(`${res.baseOffset + j}:b${i}-${j}${'x'.repeat(padding)}`);
  }
  return expected;
}

function expectKafkaError(code: number): (err: unknown) => boolean {
  return (err) => err instanceof KafkaError && err.errorCode === code;
}

describe('Log append and read', () => {
  it('round-trips across several rolled segments and survives a reopen', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, { config: config({ segmentBytes: 1000, indexIntervalBytes: 200 }) });
    const expected = await fill(log, 40, 50);
    expect(log.logEndOffset).toBe(120);
    expect(log.highWatermark).toBe(120);
    const bases = log.segmentBaseOffsets();
    expect(bases.length).toBeGreaterThan(5);
    expect(bases[0]).toBe(0);
    for (const b of bases) expect(b % 3).toBe(0);
    expect(await readAll(log)).toEqual(expected);
    expect(await readAll(log, 0, 100)).toEqual(expected);
    await log.close();

    const reopened = await openLog(dir, { config: config({ segmentBytes: 1000, indexIntervalBytes: 200 }) });
    expect(reopened.segmentBaseOffsets()).toEqual(bases);
    expect(reopened.logEndOffset).toBe(120);
    expect(await readAll(reopened)).toEqual(expected);
    const more = await reopened.append(await batch('after', 2));
    expect(more).toMatchObject({ baseOffset: 120, lastOffset: 121 });
    await reopened.close();
  });

  it('returns the batch containing the fetch offset, from every offset of the log', async () => {
    const log = await openLog(await tempDir(), { config: config({ segmentBytes: 700, indexIntervalBytes: 100 }) });
    await fill(log, 20, 20);
    for (let offset = 0; offset < 60; offset++) {
      const res = await log.read(offset, 1);
      expect(res.records.length).toBe(1);
      const header = readBatchHeader(res.records[0]!);
      expect(header.baseOffset).toBe(offset - (offset % 3));
      expect(header.baseOffset + header.lastOffsetDelta).toBe(offset - (offset % 3) + 2);
      expect(res.size).toBe(12 + header.batchLength);
    }
    await log.close();
  });

  it('respects maxBytes with whole batches, but returns at least one batch', async () => {
    const log = await openLog(await tempDir());
    await fill(log, 10);
    const one = await log.read(0, 1);
    const size = one.size;
    expect(size).toBeGreaterThan(61);
    const batchSize = (await log.read(3, 1)).size;
    const two = await log.read(0, size + batchSize + 5);
    expect(two.size).toBe(size + batchSize);
    expect((await decodeRecordBatches(two.records[0]!)).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5]);
    const all = await log.read(0, 1 << 20);
    expect((await decodeRecordBatches(all.records[0]!)).length).toBe(30);
    expect(all).toMatchObject({ highWatermark: 30, logStartOffset: 0, logEndOffset: 30 });
    await log.close();
  });

  it('answers OFFSET_OUT_OF_RANGE outside [logStartOffset, logEndOffset] and nothing at the end', async () => {
    const log = await openLog(await tempDir());
    await fill(log, 2);
    await expect(log.read(7, 100)).rejects.toSatisfy(expectKafkaError(ErrorCode.OFFSET_OUT_OF_RANGE));
    await expect(log.read(-1, 100)).rejects.toSatisfy(expectKafkaError(ErrorCode.OFFSET_OUT_OF_RANGE));
    expect(await log.read(6, 100)).toEqual({ records: [], size: 0, highWatermark: 6, logStartOffset: 0, logEndOffset: 6 });
    // maxOffset stops before a batch that starts at it.
    const limited = await log.read(0, 1 << 20, 3);
    expect((await decodeRecordBatches(limited.records[0]!)).map((r) => r.offset)).toEqual([0, 1, 2]);
    await log.close();
  });

  it('rejects batches larger than max.message.bytes and malformed input', async () => {
    const log = await openLog(await tempDir(), { config: config({ maxMessageBytes: 200 }) });
    await expect(log.append(await batch('big', 1, undefined, 300))).rejects.toSatisfy(expectKafkaError(ErrorCode.MESSAGE_TOO_LARGE));
    await expect(log.append(Buffer.alloc(0))).rejects.toSatisfy(expectKafkaError(ErrorCode.CORRUPT_MESSAGE));
    const truncated = (await batch('t', 1)).subarray(0, 70);
    await expect(log.append(truncated)).rejects.toSatisfy(expectKafkaError(ErrorCode.CORRUPT_MESSAGE));
    expect(log.logEndOffset).toBe(0);
    await log.close();
  });

  it('stamps LogAppendTime and the leader epoch, and checkpoints the epochs', async () => {
    const dir = await tempDir();
    const log = await openLog(dir, { config: config({ messageTimestampType: 'LogAppendTime' }), now: () => 1_700_000_000_000 });
    const res = await log.append(await batch('a', 2, 5), { leaderEpoch: 3 });
    expect(res).toEqual({ baseOffset: 0, lastOffset: 1, logAppendTime: 1_700_000_000_000, logStartOffset: 0 });
    await log.append(await batch('b', 2, 5), { leaderEpoch: 5 });
    const read = await log.read(0, 1 << 20);
    const header = readBatchHeader(read.records[0]!);
    expect(header.timestampType).toBe('append');
    expect(header.maxTimestamp).toBe(1_700_000_000_000);
    expect(header.partitionLeaderEpoch).toBe(3);
    const records = await decodeRecordBatches(read.records[0]!);
    expect(records.map((r) => r.timestamp)).toEqual([1_700_000_000_000, 1_700_000_000_000, 1_700_000_000_000, 1_700_000_000_000]);
    expect(await readFile(join(dir, 'leader-epoch-checkpoint'), 'utf8')).toBe('0\n2\n3 0\n5 2\n');
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 2 });
    expect(log.endOffsetForEpoch(4)).toEqual({ epoch: 3, endOffset: 2 });
    expect(log.endOffsetForEpoch(5)).toEqual({ epoch: 5, endOffset: 4 });
    await log.close();
  });
});

describe('Log timestamps and deletion', () => {
  it('finds the first offset whose timestamp is >= a target', async () => {
    const log = await openLog(await tempDir(), { config: config({ segmentBytes: 400, indexIntervalBytes: 100 }) });
    // Batch i holds records with timestamps 1000*i + 0..2.
    for (let i = 1; i <= 12; i++) await log.append(await batch(`b${i}`, 3, 1000 * i));
    expect(log.segmentBaseOffsets().length).toBeGreaterThan(2);
    expect(await log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: 1000 });
    expect(await log.offsetForTimestamp(1000)).toEqual({ offset: 0, timestamp: 1000 });
    expect(await log.offsetForTimestamp(1001)).toEqual({ offset: 1, timestamp: 1001 });
    expect(await log.offsetForTimestamp(1003)).toEqual({ offset: 3, timestamp: 2000 });
    expect(await log.offsetForTimestamp(7002)).toEqual({ offset: 20, timestamp: 7002 });
    expect(await log.offsetForTimestamp(12_002)).toEqual({ offset: 35, timestamp: 12_002 });
    expect(await log.offsetForTimestamp(12_003)).toBeNull();
    await log.close();
  });

  it('deleteRecordsBefore raises logStartOffset and deletes whole segments below it', async () => {
    const log = await openLog(await tempDir(), { config: config({ segmentBytes: 300 }) });
    await fill(log, 12);
    const bases = log.segmentBaseOffsets();
    expect(await log.deleteRecordsBefore(10)).toBe(10);
    expect(log.logStartOffset).toBe(10);
    const remaining = log.segmentBaseOffsets();
    expect(remaining[0]).toBeLessThanOrEqual(10);
    expect(remaining).toEqual(bases.filter((_b, i) => (bases[i + 1] ?? Infinity) > 10));
    await expect(log.read(9, 100)).rejects.toSatisfy(expectKafkaError(ErrorCode.OFFSET_OUT_OF_RANGE));
    const first = await log.read(10, 1);
    expect(readBatchHeader(first.records[0]!).baseOffset).toBe(9);
    expect(await log.deleteRecordsBefore(5)).toBe(10);
    await expect(log.deleteRecordsBefore(37)).rejects.toSatisfy(expectKafkaError(ErrorCode.OFFSET_OUT_OF_RANGE));
    expect(await log.deleteRecordsBefore(36)).toBe(36);
    // The active segment is never deleted.
    expect(log.segmentBaseOffsets()).toEqual([bases[bases.length - 1]]);
    expect(await log.read(36, 100)).toMatchObject({ size: 0, logStartOffset: 36 });
    await log.close();
  });
});

describe('Log watchData', () => {
  it('calls back at once when already past, once per wake, never after cancel, and on close', async () => {
    const log = await openLog(await tempDir());
    await log.append(await batch('a', 2));
    const calls: string[] = [];
    log.watchData(1, () => calls.push('past'));
    expect(calls).toEqual(['past']);
    const cancel = log.watchData(2, () => calls.push('cancelled'));
    log.watchData(2, () => calls.push('hw'));
    log.watchData(3, () => calls.push('later'));
    log.watchData(2, () => calls.push('end'), { untilLogEnd: true });
    cancel();
    await log.append(await batch('b', 1));
    expect(calls).toEqual(['past', 'end', 'hw']);
    await log.append(await batch('c', 1));
    expect(calls).toEqual(['past', 'end', 'hw', 'later']);
    const pending = log.watchData(10, () => calls.push('closed'));
    await log.close();
    expect(calls).toEqual(['past', 'end', 'hw', 'later', 'closed']);
    pending(); // cancelling after the call is harmless
    log.watchData(0, () => calls.push('after close'));
    expect(calls.at(-1)).toBe('after close');
  });
});

describe('Log group commit', () => {
  it('gives concurrent appends distinct contiguous offsets with fewer writes and fsyncs than appends', async () => {
    const log = await openLog(await tempDir());
    const batches = await Promise.all(Array.from({ length: 200 }, (_, i) => batch(`c${i}`, 1 + (i % 4))));
    const results = await Promise.all(batches.map((b) => log.append(b)));
    for (const [i, r] of results.entries()) expect(r.lastOffset - r.baseOffset + 1).toBe(1 + (i % 4));
    const ranges = results.map((r) => [r.baseOffset, r.lastOffset] as const).sort((a, b) => a[0] - b[0]);
    let next = 0;
    for (const [base, last] of ranges) {
      expect(base).toBe(next);
      next = last + 1;
    }
    expect(log.logEndOffset).toBe(next);
    expect(log.stats.appends).toBe(200);
    expect(log.stats.fsyncs).toBeGreaterThan(0);
    expect(log.stats.fsyncs).toBeLessThan(200);
    expect(log.stats.writes).toBeLessThan(200);
    // Appends resolve in order with the contents they carried.
    const all = await readAll(log);
    expect(all.length).toBe(next);
    for (const [i, r] of results.entries()) expect(all[r.baseOffset]).toBe(`${r.baseOffset}:c${i}-0`);
    await log.close();
  });

  it('writes the next group while the previous one\'s fsync runs, and acknowledges both in order once fsyncs cover them', withGatedLogDatasync(async (gate) => {
    const log = await openLog(await tempDir());
    const acked: string[] = [];
    const a = log.append(await batch('a', 1)).then((r) => (acked.push('a'), r));
    await until(() => gate.held === 1); // a is written, its fsync held
    const b = log.append(await batch('b', 2)).then((r) => (acked.push('b'), r));
    // b is written while a's fsync runs (in the queue it waited for that fsync to finish first) ...
    await until(() => log.logEndOffset === 3);
    // ... but nothing is acknowledged, visible or counted durable before an fsync covers it.
    await new Promise((r) => setTimeout(r, 20));
    expect([acked, log.highWatermark, log.recoveryPoint, await readAll(log)]).toEqual([[], 0, 0, []]);
    gate.release();
    expect((await Promise.all([a, b])).map((r) => r.baseOffset)).toEqual([0, 1]);
    expect(acked).toEqual(['a', 'b']);
    // The second fsync started after b's write: one for a, one for b.
    expect([log.highWatermark, log.recoveryPoint, log.stats.fsyncs]).toEqual([3, 3, 2]);
    await log.close();
  }));

  it('runs a task (a truncation) only after the groups written before it are acknowledged', withGatedLogDatasync(async (gate) => {
    const log = await openLog(await tempDir());
    const done: string[] = [];
    const a = log.append(await batch('a', 1)).then(() => done.push('a'));
    await until(() => gate.held === 1);
    const b = log.append(await batch('b', 2)).then(() => done.push('b'));
    await until(() => log.logEndOffset === 3);
    const truncated = log.truncateTo(1).then(() => done.push('truncate'));
    await new Promise((r) => setTimeout(r, 20));
    expect([done, log.logEndOffset]).toEqual([[], 3]);
    gate.release();
    await Promise.all([a, b, truncated]);
    expect(done).toEqual(['a', 'b', 'truncate']);
    expect([log.logEndOffset, log.highWatermark, log.recoveryPoint]).toEqual([1, 1, 1]);
    await log.close();
  }));

  it('with flushIntervalMessages > 1 acknowledges before fsync and fsyncs every N messages or on flush()', async () => {
    const log = await openLog(await tempDir(), { flushPolicy: { flushIntervalMessages: 10, flushIntervalMs: 0 } });
    for (let i = 0; i < 4; i++) await log.append(await batch(`a${i}`, 2));
    expect(log.stats.fsyncs).toBe(0);
    expect(log.recoveryPoint).toBe(0);
    // The tenth message starts an fsync after the acknowledgement, beside the write queue.
    await log.append(await batch('a4', 2));
    await until(() => log.stats.fsyncs === 1);
    expect(log.recoveryPoint).toBe(10);
    await log.append(await batch('a5', 1));
    expect(log.stats.fsyncs).toBe(1);
    await log.flush();
    expect(log.stats.fsyncs).toBe(2);
    expect(log.recoveryPoint).toBe(11);
    await log.close();
  });

  it('keeps appending while the relaxed policy\'s fsync runs, and a truncation meanwhile keeps the recovery point down', withGatedLogDatasync(async (gate) => {
    const log = await openLog(await tempDir(), { flushPolicy: { flushIntervalMessages: 2, flushIntervalMs: 0 } });
    await log.append(await batch('a0', 1));
    await log.append(await batch('a1', 1)); // the second message starts an fsync that the gate holds
    await until(() => gate.held === 1);
    // Appends and reads go on while it is held (in the queue, they waited behind it).
    for (let i = 0; i < 3; i++) await log.append(await batch(`b${i}`, 1));
    expect(log.logEndOffset).toBe(5);
    expect(await readAll(log)).toHaveLength(5);
    expect(log.recoveryPoint).toBe(0);
    // A follower-style truncation below what the held fsync covers (offsets 0 and 1).
    await log.truncateTo(1);
    expect(log.logEndOffset).toBe(1);
    gate.release();
    // The held fsync (started at log end 2) must not raise it above the new log end; the one queued
    // behind it (for b1) starts after the truncation and covers offset 0.
    await until(() => log.stats.fsyncs === 2);
    expect(log.recoveryPoint).toBe(1);
    await log.close();
  }));

  it('does not count a roll as durable while the relaxed policy\'s fsync of the old segment still runs', withGatedLogDatasync(async (gate) => {
    const log = await openLog(await tempDir(), { config: config({ segmentBytes: 200 }), flushPolicy: { flushIntervalMessages: 2, flushIntervalMs: 0 } });
    await log.append(await batch('a0', 1));
    await log.append(await batch('a1', 1)); // starts the background fsync, held
    await until(() => gate.held === 1);
    let rolled = false;
    const rolling = log.append(await batch('b', 1, undefined, 100)).then(() => (rolled = true)); // rolls: seals the old segment
    await new Promise((r) => setTimeout(r, 50));
    expect([rolled, log.recoveryPoint]).toEqual([false, 0]);
    gate.release();
    await rolling;
    expect(log.segmentBaseOffsets()).toEqual([0, 2]);
    expect(log.recoveryPoint).toBe(2);
    await log.close();
  }));

  it('fsyncs on the flushIntervalMs timer', async () => {
    const log = await openLog(await tempDir(), { flushPolicy: { flushIntervalMessages: 1000, flushIntervalMs: 10 } });
    await log.append(await batch('a', 1));
    expect(log.stats.fsyncs).toBe(0);
    for (let i = 0; i < 100 && log.stats.fsyncs === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(log.stats.fsyncs).toBe(1);
    expect(log.recoveryPoint).toBe(1);
    await log.close();
  });
});

describe('Log reads beside appends', () => {
  it('a reader tailing the log while appends and rolls happen sees whole, contiguous, valid batches', async () => {
    const log = await openLog(await tempDir(), { config: config({ segmentBytes: 2000, indexIntervalBytes: 300 }) });
    const writers = (async () => {
      for (let i = 0; i < 50; i++) {
        await Promise.all([0, 1, 2, 3].map(async (j) => log.append(await batch(`w${i}.${j}`, 2))));
      }
    })();
    let offset = 0;
    const seen: number[] = [];
    while (offset < 400) {
      const res = await log.read(offset, 700);
      if (res.size === 0) {
        await new Promise<void>((resolve) => log.watchData(offset, resolve));
        continue;
      }
      const records = await decodeRecordBatches(res.records[0]!);
      for (const r of records) if (r.offset >= offset) seen.push(r.offset);
      offset = records[records.length - 1]!.offset + 1;
    }
    await writers;
    expect(seen).toEqual(Array.from({ length: 400 }, (_, i) => i));
    expect(log.segmentBaseOffsets().length).toBeGreaterThan(3);
    await log.close();
  });
});

describe('Log truncateTo', () => {
  it('removes whole batches from the one containing the offset, across segments', async () => {
    const log = await openLog(await tempDir(), { config: config({ segmentBytes: 300 }) });
    const expected = await fill(log, 12);
    await log.truncateTo(16);
    expect(log.logEndOffset).toBe(15);
    expect(log.highWatermark).toBe(15);
    expect(await readAll(log)).toEqual(expected.slice(0, 15));
    const res = await log.append(await batch('new', 1));
    expect(res.baseOffset).toBe(15);
    await log.close();
  });
});

describe('Log read verification', () => {
  /** Flips one bit of the record bytes (past the 61-byte header) of the batch at file position `at`. */
  async function flipOnDisk(dir: string, at: number): Promise<void> {
    const path = join(dir, `${'0'.repeat(20)}.log`);
    const bytes = await readFile(path);
    bytes[at + 70] = bytes[at + 70]! ^ 0x04;
    await writeFile(path, bytes);
  }

  it("checks a follower's batches on their first read, and a leader's own appends only after a reopen", async () => {
    const dir = await tempDir();
    const log = await openLog(dir);
    // A follower's batches are stored as fetched, CRC unchecked: the first read checks them.
    const good = await batch('f0', 2);
    const bad = await batch('f1', 2);
    setBaseOffset(bad, 0, 2);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 0x01;
    await log.appendAsFollower(Buffer.concat([good, bad]));
    expect(log.logEndOffset).toBe(4);
    const prefix = await log.read(0, 1 << 20);
    expect(prefix.size).toBe(good.length);
    await expect(log.read(2, 1 << 20)).rejects.toSatisfy(expectKafkaError(ErrorCode.KAFKA_STORAGE_ERROR));
    await log.truncateTo(2);

    // A leader append was validated by its caller: damage after the write is not looked for again in
    // this process (the records come back as they now are on disk)...
    const res = await log.append(await batch('l', 3));
    expect(res.baseOffset).toBe(2);
    await flipOnDisk(dir, good.length);
    const unchecked = await log.read(2, 1 << 20);
    expect(unchecked.size).toBeGreaterThan(0);
    await log.close();
    // ...but a reopened log finds it: here recovery, which rescans the active segment, cuts the log
    // there (a sealed segment below the recovery point is checked by its first read instead:
    // test/reliability/corruption.test.ts).
    const reopened = await openLog(dir);
    expect(reopened.logEndOffset).toBe(2);
    expect(await readAll(reopened)).toEqual(['0:f0-0', '1:f0-1']);
    await reopened.close();
  });
});
