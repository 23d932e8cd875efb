import { describe, expect, it } from 'vitest';
import { ErrorCode, KafkaError } from '../../src/common/index.js';
import { lastSequenceOf, ProducerStateManager, type ProducerBatchHeader } from '../../src/storage/producer-state.js';

const h = (producerId: bigint, producerEpoch: number, baseSequence: number, records = 1): ProducerBatchHeader => ({
  producerId,
  producerEpoch,
  baseSequence,
  lastOffsetDelta: records - 1,
});

function codeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (err instanceof KafkaError) return err.errorCode;
    throw err;
  }
  return 0;
}

/** Checks and records batches of `records` records like the leader does; returns their base offsets. */
function appendAll(state: ProducerStateManager, headers: ProducerBatchHeader[], start = 0): number[] {
  let next = start;
  return headers.map((header) => {
    expect(state.check(header)).toBeNull();
    state.update(header, next, 1000 + next);
    const base = next;
    next += header.lastOffsetDelta + 1;
    return base;
  });
}

describe('producer state', () => {
  it('accepts sequences in order and remembers the last 5 batches', () => {
    const state = new ProducerStateManager();
    appendAll(state, [h(7n, 0, 0, 3), h(7n, 0, 3, 2), h(7n, 0, 5, 1), h(7n, 0, 6, 4), h(7n, 0, 10, 1), h(7n, 0, 11, 1)]);
    const entry = state.entry(7n)!;
    expect(entry.epoch).toBe(0);
    expect(entry.batches.map((b) => [b.firstSeq, b.lastSeq, b.firstOffset, b.lastOffset])).toEqual([
      [3, 4, 3, 4],
      [5, 5, 5, 5],
      [6, 9, 6, 9],
      [10, 10, 10, 10],
      [11, 11, 11, 11],
    ]);
    expect(state.check(h(7n, 0, 12))).toBeNull();
  });

  it('answers a duplicate of each of the last 5 batches with its original offsets, older ones are out of order', () => {
    const state = new ProducerStateManager();
    const headers = [h(1n, 2, 0, 2), h(1n, 2, 2, 2), h(1n, 2, 4, 2), h(1n, 2, 6, 2), h(1n, 2, 8, 2), h(1n, 2, 10, 2)];
    const offsets = appendAll(state, headers, 100);
    expect(offsets).toEqual([100, 102, 104, 106, 108, 110]);
    for (let i = 1; i < 6; i++) {
      const dup = state.check(headers[i]!);
      expect(dup).toMatchObject({ firstOffset: offsets[i], lastOffset: offsets[i]! + 1, firstSeq: i * 2, lastSeq: i * 2 + 1 });
    }
    // The first batch fell out of the window of 5.
    expect(codeOf(() => state.check(headers[0]!))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    // Same start, different length: not a duplicate.
    expect(codeOf(() => state.check(h(1n, 2, 10, 1)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  it('refuses a gap and a new producer not starting at 0', () => {
    const state = new ProducerStateManager();
    appendAll(state, [h(3n, 0, 0, 5)]);
    expect(codeOf(() => state.check(h(3n, 0, 6)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(codeOf(() => state.check(h(4n, 0, 1)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(state.check(h(4n, 0, 0))).toBeNull();
  });

  it('fences an older epoch and restarts sequences with a newer one', () => {
    const state = new ProducerStateManager();
    appendAll(state, [h(9n, 3, 0), h(9n, 3, 1)]);
    expect(codeOf(() => state.check(h(9n, 2, 2)))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(codeOf(() => state.check(h(9n, 4, 2)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    appendAll(state, [h(9n, 4, 0)], 2);
    expect(state.entry(9n)).toEqual({ producerId: 9n, epoch: 4, batches: [{ firstSeq: 0, lastSeq: 0, firstOffset: 2, lastOffset: 2, timestamp: 1002 }] });
    expect(codeOf(() => state.check(h(9n, 3, 2)))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it('never checks producer id -1, including kafkajs non-idempotent batches (epoch 0, baseSequence 0)', () => {
    const state = new ProducerStateManager();
    for (let i = 0; i < 3; i++) {
      expect(state.check(h(-1n, 0, 0, 10))).toBeNull();
      state.update(h(-1n, 0, 0, 10), i * 10, 0);
    }
    expect(state.check(h(-1n, -1, -1))).toBeNull();
    expect(state.check(h(-1n, 0, 77))).toBeNull();
    expect(state.size).toBe(0);
  });

  it('wraps sequences past int32 max to 0', () => {
    expect(lastSequenceOf(0x7ffffffe, 3)).toBe(1);
    const state = new ProducerStateManager();
    state.update(h(5n, 0, 0x7ffffffd, 3), 0, 0);
    expect(state.entry(5n)?.batches[0]?.lastSeq).toBe(0x7fffffff);
    expect(state.check(h(5n, 0, 0, 2))).toBeNull();
    state.update(h(5n, 0, 0, 2), 3, 0);
    expect(state.check(h(5n, 0, 2))).toBeNull();
  });

  it('checks the batches of one append together', () => {
    const state = new ProducerStateManager();
    appendAll(state, [h(2n, 0, 0, 2)]);
    expect(state.checkAppend([h(2n, 0, 2, 2), h(2n, 0, 4, 1), h(-1n, 0, 0)])).toBeNull();
    expect(codeOf(() => state.checkAppend([h(2n, 0, 2, 2), h(2n, 0, 5)]))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(state.checkAppend([h(2n, 0, 0, 2)])).toMatchObject({ firstOffset: 0, lastOffset: 1 });
  });

  it('forgets truncated batches, and producers left without any', () => {
    const state = new ProducerStateManager();
    appendAll(state, [h(1n, 0, 0, 2), h(2n, 0, 0, 2), h(1n, 0, 2, 2)]);
    state.truncateFrom(2);
    expect(state.entry(2n)).toBeUndefined();
    expect(state.entry(1n)?.batches.map((b) => b.lastOffset)).toEqual([1]);
    expect(state.check(h(1n, 0, 2, 2))).toBeNull();
  });

  it('expires the producers whose newest batch is older than the cutoff', () => {
    const state = new ProducerStateManager();
    appendAll(state, [h(1n, 0, 0), h(2n, 0, 0)]); // timestamps 1000 and 1001
    appendAll(state, [h(1n, 0, 1)], 10); // producer 1's newest batch: 1010
    expect(state.expire(1005)).toBe(1);
    expect(state.entry(2n)).toBeUndefined();
    expect(state.entry(1n)?.batches.length).toBe(2);
    expect(state.expire(1005)).toBe(0);
  });
});
