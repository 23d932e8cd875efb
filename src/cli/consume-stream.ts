// `logctl consume`: resolves the offset spec per partition, then streams records to a writer until the
// stop condition: --until-end (the end offsets each partition had when the command started), the end
// of a range spec `A:B`, --count N, or the abort signal (SIGINT/SIGTERM). Without any of them it follows
// new records forever, like `tail -f`.
//
// With a group (`--group G`) the partitions are the ones the group assigns this member, each starting at
// the group's committed offset (the spec only applies to partitions the group has no offset for), and
// positions are committed as records are written, before a rebalance takes partitions away, and on exit.
import { ASSIGNORS, Consumer, GroupConsumer, type AssignorName, type ConsumedRecord, type KafkaClient } from '../client/index.js';
import { ErrorCode, KafkaError, UsageError } from '../common/index.js';
import { resolveOffsetSpec, type OffsetLookups, type OffsetSpec } from './offset-spec.js';

export interface ConsumeTopicOptions {
  topic: string;
  /** Partitions to read; all of the topic's partitions when empty or absent. */
  partitions?: number[];
  spec: OffsetSpec;
  untilEnd: boolean;
  count?: number | undefined;
  signal: AbortSignal;
  /** Called with the next records (in order per partition, never empty): a fetched chunk at a time
   *  without a group, one record at a time with one. Awaiting it is the backpressure. */
  write: (records: ConsumedRecord[]) => Promise<void>;
  /** Consume as a member of this consumer group. */
  group?: string | undefined;
  /** Assignors offered when joining the group, preferred first (default range, roundrobin). */
  assignors?: AssignorName[];
  /** How often a group member commits while records flow (default 5000 ms). */
  commitIntervalMs?: number | undefined;
  /** Called after each group (re)assignment. */
  onAssign?: (partitions: number[], generationId: number) => void;
}

/** ListOffsets for one topic, shaped for the offset-spec resolver. */
export function listOffsetLookups(client: KafkaClient, topic: string): OffsetLookups {
  const offsets = async (partitions: number[], timestamp: number): Promise<Map<number, number>> => {
    const found = await client.listOffsets(topic, partitions, timestamp);
    return new Map([...found].map(([p, { offset }]) => [p, offset]));
  };
  return {
    earliest: (partitions) => offsets(partitions, -2),
    latest: (partitions) => offsets(partitions, -1),
    forTimestamp: (partitions, ts) => offsets(partitions, ts),
  };
}

/** The topic's partition numbers; never auto-creates the topic. */
export async function topicPartitions(client: KafkaClient, topic: string): Promise<number[]> {
  let metadata;
  try {
    metadata = await client.metadata([topic], false);
  } catch (err: unknown) {
    if (err instanceof KafkaError && err.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw missingTopic(topic);
    throw err;
  }
  const found = metadata.topics.find((t) => t.name === topic);
  if (!found || found.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw missingTopic(topic);
  if (found.errorCode !== ErrorCode.NONE) throw new KafkaError(found.errorCode, `cannot read metadata of topic '${topic}'`);
  return found.partitions.map((p) => p.partition).sort((a, b) => a - b);
}

function missingTopic(topic: string): KafkaError {
  return new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${topic}' does not exist`);
}

/** Streams the selected records to options.write; returns how many were written. */
export async function consumeTopic(client: KafkaClient, options: ConsumeTopicOptions): Promise<number> {
  if (options.group !== undefined) return consumeGroup(client, options.group, options);
  const all = await topicPartitions(client, options.topic);
  const partitions = options.partitions?.length ? [...new Set(options.partitions)] : all;
  for (const p of partitions) {
    if (!all.includes(p)) {
      throw new UsageError(`partition ${p} does not exist in topic '${options.topic}' (partitions: 0-${all.length - 1})`);
    }
  }
  const lookups = listOffsetLookups(client, options.topic);
  const range = await resolveOffsetSpec(options.spec, partitions, lookups);
  let until: Map<number, number> | undefined = range.end;
  if (options.untilEnd) {
    const latest = await lookups.latest(partitions);
    until = new Map(partitions.map((p) => [p, Math.min(latest.get(p) ?? 0, range.end?.get(p) ?? Infinity)]));
  }
  // Partitions already at their stop offset have nothing to give: leave them out of the fetch.
  const start = new Map([...range.start].filter(([p, offset]) => until === undefined || offset < (until.get(p) ?? 0)));
  if (start.size === 0 || options.count === 0) return 0;
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal.addEventListener('abort', onAbort, { once: true });
  if (options.signal.aborted) return 0;
  let written = 0;
  try {
    const consumer = new Consumer(client, {});
    const consumeOptions: { signal: AbortSignal; untilOffsets?: Map<number, number> } = { signal: stop.signal };
    if (until) consumeOptions.untilOffsets = new Map([...until].filter(([p]) => start.has(p)));
    // A fetched chunk is written at once (one write to stdout instead of one per record).
    for await (const batch of consumer.consumeBatches(options.topic, start, consumeOptions)) {
      const stopAt = until?.get(batch[0]!.partition);
      let records = stopAt === undefined ? batch : batch.filter((r) => r.offset < stopAt);
      if (options.count !== undefined) records = records.slice(0, options.count - written);
      if (records.length > 0) await options.write(records);
      written += records.length;
      if (options.count !== undefined && written >= options.count) break;
      if (stop.signal.aborted) break;
    }
  } catch (err: unknown) {
    // An interrupt ends the stream; whatever the consumer throws on abort is not a failure.
    if (!stop.signal.aborted) throw err;
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    stop.abort();
  }
  return written;
}

/** consumeTopic as a member of `group`: the group picks the partitions and remembers the positions. */
async function consumeGroup(client: KafkaClient, group: string, options: ConsumeTopicOptions): Promise<number> {
  if (options.partitions?.length) throw new UsageError('--partition cannot be used with --group: the group assigns the partitions');
  if (options.spec.end !== undefined) throw new UsageError('--group takes a start position, not a range: a group member reads on from its committed offsets');
  if (group === '') throw new UsageError('--group needs a non-empty group id');
  const all = await topicPartitions(client, options.topic);
  const lookups = listOffsetLookups(client, options.topic);
  const stopOffsets = options.untilEnd ? await lookups.latest(all) : undefined;
  if (options.count === 0 || options.signal.aborted) return 0;
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal.addEventListener('abort', onAbort, { once: true });
  const consumer = new GroupConsumer(client, {
    groupId: group,
    ...(options.assignors ? { assignors: options.assignors.map((name) => ASSIGNORS[name]) } : {}),
    ...(options.commitIntervalMs !== undefined ? { autoCommitIntervalMs: options.commitIntervalMs } : {}),
    logger: client.logger,
  });
  let written = 0;
  try {
    const records = consumer.consume(options.topic, {
      signal: stop.signal,
      resetOffsets: async (partitions) => (await resolveOffsetSpec(options.spec, partitions, lookups)).start,
      ...(stopOffsets ? { stopOffsets } : {}),
      ...(options.onAssign ? { onAssign: options.onAssign } : {}),
    });
    for await (const record of records) {
      await options.write([record]);
      written++;
      if (options.count !== undefined && written >= options.count) break;
    }
  } catch (err: unknown) {
    if (!stop.signal.aborted) throw err;
  } finally {
    options.signal.removeEventListener('abort', onAbort);
  }
  return written;
}
