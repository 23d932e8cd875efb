// GroupConsumer: reads one topic as a member of a consumer group. Each generation it fetches the
// partitions the group assigned it, starting at the group's committed offsets (or where `resetOffsets`
// says, for partitions with no committed offset inside the log), and commits its positions as it goes
// (every autoCommitIntervalMs or autoCommitEveryRecords), before giving partitions up in a rebalance,
// and when it stops. It stops when the signal aborts, when the caller stops iterating, or when every
// assigned partition reached its stop offset (`stopOffsets`, e.g. the log end at start); then it
// commits and leaves the group so the remaining members rebalance at once.
//
// A record counts as consumed once it has been handed to the caller: the caller asks for the next one
// (or stops) only after processing it, so a commit never skips an unprocessed record, and records are
// delivered again only if a commit is lost (a member fenced out of its generation): at least once.
import { ConnectionError, KafkaError, errorMessage, silentLogger, type Logger } from '../common/index.js';
import type { KafkaClient } from './client.js';
import { Consumer, type ConsumedRecord, type ConsumerOptions } from './consumer.js';
import { GroupAdmin } from './group-admin.js';
import { GroupMembership, type GroupMembershipOptions } from './group-membership.js';

export interface GroupConsumerOptions extends ConsumerOptions, Omit<GroupMembershipOptions, 'topics' | 'logger'> {
  /** Commit at most this often while records flow (default 5000 ms). */
  autoCommitIntervalMs?: number;
  /** Also commit after this many records (default 0: by time only). */
  autoCommitEveryRecords?: number;
  logger?: Logger;
}

export interface GroupConsumeOptions {
  signal?: AbortSignal;
  /** Start offsets for assigned partitions without a usable committed offset. */
  resetOffsets: (partitions: number[]) => Promise<Map<number, number>>;
  /** Per partition, the offset to stop before; the consumer finishes when all assigned partitions reach theirs. */
  stopOffsets?: Map<number, number>;
  /** Called after each (re)assignment with this member's partitions of the topic. */
  onAssign?: (partitions: number[], generationId: number) => void;
}

export class GroupConsumer {
  private readonly client: KafkaClient;
  private readonly options: GroupConsumerOptions;
  private readonly logger: Logger;

  constructor(client: KafkaClient, options: GroupConsumerOptions) {
    this.client = client;
    this.options = options;
    this.logger = options.logger ?? silentLogger;
  }

  async *consume(topic: string, options: GroupConsumeOptions): AsyncGenerator<ConsumedRecord> {
    const { signal, stopOffsets } = options;
    const membership = new GroupMembership(this.client, { ...this.options, topics: [topic], logger: this.logger });
    const consumer = new Consumer(this.client, this.options);
    const intervalMs = this.options.autoCommitIntervalMs ?? 5000;
    const everyRecords = this.options.autoCommitEveryRecords ?? 0;
    const positions = new Map<number, number>();
    const committed = new Map<number, number>();
    let stopHeartbeats = (): void => undefined;
    const commit = async (): Promise<boolean> => {
      const offsets = [...positions].filter(([p, o]) => committed.get(p) !== o).map(([partition, offset]) => ({ topic, partition, offset }));
      if (offsets.length === 0) return true;
      try {
        await membership.commit(offsets);
        for (const o of offsets) committed.set(o.partition, o.offset);
        return true;
      } catch (err: unknown) {
        if (!(err instanceof KafkaError || err instanceof ConnectionError)) throw err;
        this.logger.warn('offset commit failed; records since the last commit may be delivered again', { group: membership.groupId, error: errorMessage(err) });
        return false;
      }
    };
    try {
      while (signal?.aborted !== true) {
        let generation;
        try {
          generation = await membership.join(signal);
        } catch (err: unknown) {
          if (signal?.aborted) return;
          throw err;
        }
        const partitions = [...(generation.assignment.get(topic) ?? [])].sort((a, b) => a - b);
        positions.clear();
        committed.clear();
        options.onAssign?.(partitions, generation.generationId);
        const start = await this.startOffsets(membership.groupId, topic, partitions, options.resetOffsets);
        for (const [p, o] of start) positions.set(p, o);
        const rebalance = new AbortController();
        const onAbort = (): void => rebalance.abort();
        signal?.addEventListener('abort', onAbort, { once: true });
        stopHeartbeats = membership.startHeartbeats(() => rebalance.abort());
        const active = new Map([...start].filter(([p, o]) => stopOffsets === undefined || o < (stopOffsets.get(p) ?? Infinity)));
        try {
          if (active.size === 0 && stopOffsets !== undefined) return;
          if (active.size === 0) {
            // Nothing assigned (more members than partitions): stay a member until the next rebalance.
            await new Promise<void>((resolve) => rebalance.signal.addEventListener('abort', () => resolve(), { once: true }));
          } else {
            const until = stopOffsets === undefined ? undefined : new Map([...active.keys()].map((p) => [p, stopOffsets.get(p) ?? Infinity]));
            let lastCommit = Date.now();
            let sinceCommit = 0;
            const consumeOptions = until === undefined ? { signal: rebalance.signal } : { signal: rebalance.signal, untilOffsets: until };
            for await (const record of consumer.consume(topic, active, consumeOptions)) {
              positions.set(record.partition, record.offset + 1);
              yield record;
              sinceCommit++;
              if (Date.now() - lastCommit >= intervalMs || (everyRecords > 0 && sinceCommit >= everyRecords)) {
                if (!(await commit())) rebalance.abort();
                lastCommit = Date.now();
                sinceCommit = 0;
              }
            }
            // The fetch loop also ends when every partition reached its stop offset: then we are done.
            if (!rebalance.signal.aborted) return;
          }
        } finally {
          stopHeartbeats();
          signal?.removeEventListener('abort', onAbort);
        }
        // Commit before giving the partitions up, so the next owner starts where this member stopped.
        await commit();
      }
    } finally {
      stopHeartbeats();
      if (membership.generationId >= 0) await commit();
      await membership.leave();
    }
  }

  /** Committed offsets inside [logStartOffset, logEndOffset]; the others from resetOffsets. */
  private async startOffsets(
    groupId: string,
    topic: string,
    partitions: number[],
    resetOffsets: (partitions: number[]) => Promise<Map<number, number>>,
  ): Promise<Map<number, number>> {
    if (partitions.length === 0) return new Map();
    const [committed, earliest, latest] = await Promise.all([
      new GroupAdmin(this.client).fetchOffsets(groupId, [{ topic, partitions }]),
      this.client.listOffsets(topic, partitions, -2),
      this.client.listOffsets(topic, partitions, -1),
    ]);
    const start = new Map<number, number>();
    for (const c of committed) {
      const lo = earliest.get(c.partition)?.offset ?? 0;
      const hi = latest.get(c.partition)?.offset ?? 0;
      if (c.topic === topic && c.offset >= lo && c.offset <= hi) start.set(c.partition, c.offset);
    }
    const missing = partitions.filter((p) => !start.has(p));
    if (missing.length > 0) {
      const reset = await resetOffsets(missing);
      for (const p of missing) start.set(p, reset.get(p) ?? earliest.get(p)?.offset ?? 0);
    }
    return new Map(partitions.map((p) => [p, start.get(p) ?? 0]));
  }
}
