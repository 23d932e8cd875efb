// `logctl replay`: reads a bounded, half-open slice [from, to) of each selected partition and either
// prints it as NDJSON (the record shape of `consume`) or re-produces it into another topic. Re-producing
// goes through exactly the path of `consume | produce --input json` (recordToJson, then produceStream),
// which the record format guarantees lossless: keys, values, headers and timestamps arrive unchanged,
// and partitions are kept when both topics have the same number of partitions (otherwise the
// destination's partitioner places records by key).
//
// Pacing: `max` sends as fast as possible; `original` keeps the gaps between record timestamps, and
// `Nx` divides them by N. Each record is released at start + (timestamp - first timestamp) / N, in the
// order records are read (offset order within a partition), so a record older than one already sent
// goes out at once.
import type { ConsumedRecord, KafkaClient } from '../client/index.js';
import { Consumer } from '../client/index.js';
import { UsageError } from '../common/index.js';
import { listOffsetLookups, topicPartitions } from './consume-stream.js';
import { resolveOffsetSpec, type OffsetPosition } from './offset-spec.js';
import { produceStream, type ProduceSummary, type RecordSender } from './produce-stream.js';
import { recordToJson } from './record-format.js';

/** null = as fast as possible; else timestamps gaps are divided by this factor. */
export type ReplaySpeed = number | null;

export function parseReplaySpeed(text: string): ReplaySpeed {
  if (text === 'max') return null;
  if (text === 'original') return 1;
  const m = /^(\d+(?:\.\d+)?)x$/.exec(text);
  const factor = m?.[1] === undefined ? NaN : Number(m[1]);
  if (!(factor > 0)) throw new UsageError(`invalid --speed '${text}': expected max, original, or a factor like 2x or 0.5x`);
  return factor;
}

export interface ReplaySlice {
  partitions: number[];
  start: Map<number, number>;
  /** Exclusive end offset per partition. */
  end: Map<number, number>;
  /** Offsets in the slice (an upper bound: a compacted log may hold fewer records). */
  total: number;
}

/** Resolves --from/--to per partition; without --to the slice ends at the log end offset at start. */
export async function resolveReplaySlice(client: KafkaClient, topic: string, selected: number[], from: OffsetPosition, to: OffsetPosition | undefined): Promise<ReplaySlice> {
  const all = await topicPartitions(client, topic);
  for (const p of selected) {
    if (!all.includes(p)) throw new UsageError(`partition ${p} does not exist in topic '${topic}' (partitions: 0-${all.length - 1})`);
  }
  const partitions = selected.length > 0 ? [...new Set(selected)].sort((a, b) => a - b) : all;
  const range = await resolveOffsetSpec({ start: from, end: to ?? { kind: 'end' } }, partitions, listOffsetLookups(client, topic));
  const end = range.end ?? new Map<number, number>();
  let total = 0;
  for (const p of partitions) total += Math.max(0, (end.get(p) ?? 0) - (range.start.get(p) ?? 0));
  return { partitions, start: range.start, end, total };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The slice's records, released at the pace of `speed`; ends early (quietly) when `signal` aborts. */
export async function* readSlice(client: KafkaClient, topic: string, slice: ReplaySlice, speed: ReplaySpeed, signal: AbortSignal): AsyncGenerator<ConsumedRecord> {
  const start = new Map([...slice.start].filter(([p, o]) => o < (slice.end.get(p) ?? 0)));
  if (start.size === 0 || signal.aborted) return;
  const until = new Map([...start.keys()].map((p) => [p, slice.end.get(p) ?? 0]));
  let first: { timestamp: number; wall: number } | null = null;
  try {
    for await (const record of new Consumer(client, {}).consume(topic, start, { untilOffsets: until, signal })) {
      if (speed !== null) {
        first ??= { timestamp: record.timestamp, wall: Date.now() };
        await sleep(first.wall + (record.timestamp - first.timestamp) / speed - Date.now(), signal);
      }
      if (signal.aborted) return;
      yield record;
    }
  } catch (err: unknown) {
    if (!signal.aborted) throw err;
  }
}

/**
 * Re-produces records into `toTopic`. `keepPartitions`: the source partition is kept (same partition
 * counts); otherwise the destination's partitioner decides.
 */
export async function reproduce(
  records: AsyncIterable<ConsumedRecord>,
  sender: RecordSender,
  toTopic: string,
  keepPartitions: boolean,
  onRecord?: () => void,
): Promise<ProduceSummary> {
  async function* lines(): AsyncGenerator<string> {
    for await (const record of records) {
      const { topic: _topic, offset: _offset, partition, ...rest } = recordToJson(record);
      onRecord?.();
      yield JSON.stringify(keepPartitions ? { partition, ...rest } : rest) + '\n';
    }
  }
  return produceStream(sender, lines(), { topic: toTopic, input: 'json', delimiter: Buffer.from('\n') });
}
