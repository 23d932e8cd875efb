// `logctl produce`: turns stdin into ProducerRecords and sends them with a bounded number in flight, so
// input of any size streams through with backpressure (stdin is read only while fewer than maxInFlight
// records await their acknowledgement). Failures are counted, never fatal mid-stream: the summary says
// how many of how many records were not acknowledged, and why (the first failure).
import type { ProducerRecord, RecordMetadata } from '../client/index.js';
import { LogctlError, UsageError, errorMessage, KafkaError } from '../common/index.js';
import type { RecordHeader } from '../records/index.js';
import { recordFromJson } from './record-format.js';
import { readDelimitedBatches, readJsonObjectBatches } from './stdin.js';

/** What produceStream needs of a producer (the client's Producer, or a fake in unit tests). */
export interface RecordSender {
  /**
   * Takes one record and reports its outcome exactly once through `onDelivery` (no promise per record:
   * this is the hot loop of `logctl produce`). Returns a promise to await before the next record when
   * the sender wants the caller to wait (backpressure), else undefined.
   */
  produce(record: ProducerRecord, onDelivery: (error: Error | null, metadata: RecordMetadata | null) => void): Promise<void> | undefined;
  flush(): Promise<void>;
}

export interface ProduceStreamOptions {
  /** Topic from the command line; with --input json it overrides each object's "topic". */
  topic?: string | undefined;
  input: 'text' | 'json';
  delimiter: Buffer;
  keyDelimiter?: Buffer | undefined;
  key?: Buffer | undefined;
  headers?: RecordHeader[];
  partition?: number | undefined;
  maxInFlight?: number;
  onAck?: (metadata: RecordMetadata) => void;
}

export interface ProduceSummary {
  total: number;
  acknowledged: number;
  failed: number;
  firstError?: unknown;
}

/** Some records were not acknowledged: exit 1 with the count and the first reason. */
export class ProduceFailedError extends LogctlError {
  readonly code = 'PRODUCE_FAILED';
}

export function failureMessage(summary: ProduceSummary): string {
  const err = summary.firstError;
  const reason = err instanceof KafkaError && !errorMessage(err).includes(err.code) ? `${errorMessage(err)} (${err.code})` : errorMessage(err);
  return `${summary.failed} of ${summary.total} records were not acknowledged: ${reason}`;
}

/** The records of each input chunk, as one array (see readDelimitedBatches). */
async function* textRecords(source: AsyncIterable<Buffer | string>, o: ProduceStreamOptions): AsyncGenerator<ProducerRecord[]> {
  const topic = o.topic;
  if (topic === undefined) throw new UsageError('missing topic: give TOPIC or --topic');
  for await (const batch of readDelimitedBatches(source, o.delimiter)) {
    yield batch.map(({ bytes }) => {
      let key: Buffer | null = o.key ?? null;
      let value = bytes;
      if (o.keyDelimiter) {
        const at = bytes.indexOf(o.keyDelimiter);
        // kcat semantics: no key delimiter in the record means the whole record is the value, key null.
        if (at >= 0) {
          key = bytes.subarray(0, at);
          value = bytes.subarray(at + o.keyDelimiter.length);
        }
      }
      return withOverrides({ topic, key, value, headers: [...(o.headers ?? [])] }, o);
    });
  }
}

/** The records of each input chunk's objects, as one array; a bad object ends the stream after the
 *  records before it were handed out. */
async function* jsonRecords(source: AsyncIterable<Buffer | string>, o: ProduceStreamOptions): AsyncGenerator<ProducerRecord[]> {
  for await (const objects of readJsonObjectBatches(source)) {
    const records: ProducerRecord[] = [];
    try {
      for (const { value, line } of objects) {
        const parsed = recordFromJson(value, `line ${line}`);
        const topic = o.topic ?? parsed.topic;
        if (topic === undefined) throw new UsageError(`line ${line}: no "topic" in the object and no TOPIC argument`);
        const record: ProducerRecord = { topic, key: o.key ?? parsed.key, value: parsed.value, headers: [...parsed.headers, ...(o.headers ?? [])] };
        if (parsed.partition !== undefined) record.partition = parsed.partition;
        if (parsed.timestamp !== undefined) record.timestamp = parsed.timestamp;
        records.push(withOverrides(record, o));
      }
    } finally {
      if (records.length > 0) yield records;
    }
  }
}

function withOverrides(record: ProducerRecord, o: ProduceStreamOptions): ProducerRecord {
  if (o.partition !== undefined) record.partition = o.partition;
  return record;
}

/** Reads every record of `source`, sends it, waits for every acknowledgement, and reports the counts. */
export async function produceStream(
  sender: RecordSender,
  source: AsyncIterable<Buffer | string>,
  options: ProduceStreamOptions,
): Promise<ProduceSummary> {
  const maxInFlight = options.maxInFlight ?? 10_000;
  const summary: ProduceSummary = { total: 0, acknowledged: 0, failed: 0 };
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const settled = (): void => {
    inFlight--;
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onDelivery = (error: Error | null, metadata: RecordMetadata | null): void => {
    if (error === null && metadata !== null) {
      summary.acknowledged++;
      options.onAck?.(metadata);
    } else {
      summary.failed++;
      summary.firstError ??= error;
    }
    settled();
  };
  const records = options.input === 'json' ? jsonRecords(source, options) : textRecords(source, options);
  try {
    for await (const batch of records) {
      for (const record of batch) {
        while (inFlight >= maxInFlight) await new Promise<void>((resolve) => (wake = resolve));
        summary.total++;
        inFlight++;
        const admitted = sender.produce(record, onDelivery);
        if (admitted !== undefined) await admitted;
      }
    }
  } finally {
    // Even when the input turns out bad halfway, what was already sent is delivered, not dropped.
    await sender.flush().catch((err: unknown) => {
      summary.firstError ??= err;
    });
    while (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
  }
  return summary;
}

/**
 * `--report`: groups acknowledgements that arrive together (one produce response) into runs of
 * consecutive offsets per partition, and prints one JSON line per run:
 *   {"topic":"demo","partition":0,"baseOffset":0,"lastOffset":99,"count":100}
 */
export function createAckReporter(write: (line: string) => void): { onAck: (m: RecordMetadata) => void; flush: () => void } {
  let pending: RecordMetadata[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const acks = pending;
    pending = [];
    const runs: { topic: string; partition: number; baseOffset: number; lastOffset: number; count: number }[] = [];
    const open = new Map<string, (typeof runs)[number]>();
    for (const m of acks) {
      const id = `${m.topic}\0${m.partition}`;
      const run = open.get(id);
      if (run && m.offset === run.lastOffset + 1) {
        run.lastOffset = m.offset;
        run.count++;
      } else {
        const next = { topic: m.topic, partition: m.partition, baseOffset: m.offset, lastOffset: m.offset, count: 1 };
        runs.push(next);
        open.set(id, next);
      }
    }
    for (const run of runs) write(JSON.stringify(run) + '\n');
  };
  return {
    onAck: (m) => {
      pending.push(m);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
