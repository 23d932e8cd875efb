// Producer sequence numbers (the batch header's baseSequence, records/record-batch.ts): one per record,
// int32, wrapping from 2^31 - 1 to 0 as in Kafka. The idempotent producer (client/) assigns them and
// the broker (storage/producer-state.ts) checks them with the same arithmetic.
const INT32_MAX = 0x7fffffff;

/** `sequence` advanced by `count` records, wrapping past int32 max to 0. */
export function advanceSequence(sequence: number, count: number): number {
  return sequence > INT32_MAX - count ? sequence + count - INT32_MAX - 1 : sequence + count;
}
