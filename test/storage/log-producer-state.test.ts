// Idempotent producers at the log level: checks inside the append queue, state rebuilt on reopen,
// follower appends recorded, truncation forgets what it removed.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/index.js';
import { buildRecordBatch } from '../../src/records/index.js';
import { openLog, readAll, tempDir } from './helpers.js';

function idempotentBatch(values: string[], producerId: bigint, producerEpoch: number, baseSequence: number): Promise<Buffer> {
  return buildRecordBatch(values.map((v) => ({ value: Buffer.from(v) })), { producerId, producerEpoch, baseSequence });
}

describe('log producer state', () => {
  it('appends in-order batches once, answers a retried one with its original offsets', async () => {
    const log = await openLog(await tempDir());
    expect((await log.append(await idempotentBatch(['a', 'b'], 11n, 0, 0))).baseOffset).toBe(0);
    expect((await log.append(await idempotentBatch(['c'], 11n, 0, 2))).baseOffset).toBe(2);
    const retry = await log.append(await idempotentBatch(['a', 'b'], 11n, 0, 0));
    expect(retry).toMatchObject({ baseOffset: 0, lastOffset: 1 });
    await expect(log.append(await idempotentBatch(['e'], 11n, 0, 5))).rejects.toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(log.logEndOffset).toBe(3);
    expect(await readAll(log)).toEqual(['0:a', '1:b', '2:c']);
    await log.close();
  });

  it('orders concurrent appends of one producer in the queue: a duplicate in the same group is not written', async () => {
    const log = await openLog(await tempDir());
    const first = await idempotentBatch(['x'], 4n, 1, 0);
    const results = await Promise.all([
      log.append(first),
      log.append(await idempotentBatch(['x'], 4n, 1, 0)),
      log.append(await idempotentBatch(['y'], 4n, 1, 1)),
    ]);
    expect(results.map((r) => r.baseOffset)).toEqual([0, 0, 1]);
    expect(await readAll(log)).toEqual(['0:x', '1:y']);
    await log.close();
  });

  it('rebuilds the state on reopen, so a batch retried after a restart is deduplicated', async () => {
    const dir = await tempDir();
    const log = await openLog(dir);
    await log.append(await idempotentBatch(['p0'], 21n, 0, 0));
    await log.append(await idempotentBatch(['q0'], 22n, 3, 0));
    await log.append(await idempotentBatch(['p1', 'p2'], 21n, 0, 1));
    await log.close();
    const reopened = await openLog(dir);
    expect(reopened.producers.entry(21n)?.batches.map((b) => [b.firstSeq, b.lastSeq, b.firstOffset, b.lastOffset])).toEqual([
      [0, 0, 0, 0],
      [1, 2, 2, 3],
    ]);
    expect((await reopened.append(await idempotentBatch(['p1', 'p2'], 21n, 0, 1))).baseOffset).toBe(2);
    await expect(reopened.append(await idempotentBatch(['q1'], 22n, 2, 1))).rejects.toMatchObject({ errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
    expect((await reopened.append(await idempotentBatch(['p3'], 21n, 0, 3))).baseOffset).toBe(4);
    expect(await readAll(reopened)).toEqual(['0:p0', '1:q0', '2:p1', '3:p2', '4:p3']);
    await reopened.close();
  });

  it('records follower appends without checking, and forgets truncated batches', async () => {
    const leader = await openLog(await tempDir());
    const follower = await openLog(await tempDir());
    for (let seq = 0; seq < 3; seq++) {
      const buf = await idempotentBatch([`v${seq}`], 8n, 0, seq);
      await leader.append(buf);
      await follower.appendAsFollower(buf);
    }
    expect(follower.producers.entry(8n)?.batches.map((b) => b.firstOffset)).toEqual([0, 1, 2]);
    // As the new leader, the follower deduplicates the producer's retry of its last batch.
    expect((await follower.append(await idempotentBatch(['v2'], 8n, 0, 2))).baseOffset).toBe(2);
    await follower.truncateTo(2);
    expect(follower.producers.entry(8n)?.batches.map((b) => b.firstOffset)).toEqual([0, 1]);
    expect((await follower.append(await idempotentBatch(['v2'], 8n, 0, 2))).baseOffset).toBe(2);
    await leader.close();
    await follower.close();
  });
});
