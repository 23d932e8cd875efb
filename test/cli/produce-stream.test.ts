import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ProducerRecord, RecordMetadata } from '../../src/client/index.js';
import { KafkaError, UsageError } from '../../src/common/index.js';
import { createAckReporter, failureMessage, produceStream, type RecordSender } from '../../src/cli/produce-stream.js';

/** Acknowledges records asynchronously with consecutive offsets per partition; fails those `fail` picks. */
class FakeSender implements RecordSender {
  sent: ProducerRecord[] = [];
  maxInFlight = 0;
  private inFlight = 0;
  private next = new Map<number, number>();
  constructor(private readonly fail: (r: ProducerRecord) => boolean = () => false) {}
  produce(record: ProducerRecord, onDelivery: (error: Error | null, metadata: RecordMetadata | null) => void): undefined {
    this.sent.push(record);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    setImmediate(() => {
      this.inFlight--;
      if (this.fail(record)) return onDelivery(new KafkaError('MESSAGE_TOO_LARGE'), null);
      const partition = record.partition ?? 0;
      const offset = this.next.get(partition) ?? 0;
      this.next.set(partition, offset + 1);
      onDelivery(null, { topic: record.topic, partition, offset, timestamp: record.timestamp ?? 0 });
    });
    return undefined;
  }
  async flush(): Promise<void> {}
}

const stdin = (text: string): Readable => Readable.from([Buffer.from(text)]);
const base = { input: 'text' as const, delimiter: Buffer.from('\n') };

describe('produceStream', () => {
  it('sends one record per line with headers, key and partition overrides', async () => {
    const sender = new FakeSender();
    const summary = await produceStream(sender, stdin('1\n2\n3'), {
      ...base, topic: 't', key: Buffer.from('k'), partition: 2, headers: [{ key: 'h', value: Buffer.from('v') }],
    });
    expect(summary).toEqual({ total: 3, acknowledged: 3, failed: 0 });
    expect(sender.sent.map((r) => [r.topic, r.partition, r.key?.toString(), r.value?.toString(), r.headers?.length])).toEqual([
      ['t', 2, 'k', '1', 1], ['t', 2, 'k', '2', 1], ['t', 2, 'k', '3', 1],
    ]);
  });

  it('splits key and value at the first key delimiter; no delimiter means no key', async () => {
    const sender = new FakeSender();
    await produceStream(sender, stdin('a:b:c\nnokey\n'), { ...base, topic: 't', keyDelimiter: Buffer.from(':') });
    expect(sender.sent.map((r) => [r.key?.toString() ?? null, r.value?.toString()])).toEqual([['a', 'b:c'], [null, 'nokey']]);
  });

  it('reads --input json with partitions and timestamps, the command topic winning', async () => {
    const sender = new FakeSender();
    const input = '{"topic":"src","partition":1,"timestamp":5,"key":"k","value":{"a":1},"headers":[{"key":"h","value":"x"}]}\n';
    await produceStream(sender, stdin(input), { ...base, input: 'json', topic: 'dst' });
    expect(sender.sent).toEqual([{
      topic: 'dst', partition: 1, timestamp: 5, key: Buffer.from('k'), value: Buffer.from('{"a":1}'), headers: [{ key: 'h', value: Buffer.from('x') }],
    }]);
  });

  it('bounds the records in flight (backpressure)', async () => {
    const sender = new FakeSender();
    const lines = Array.from({ length: 1000 }, (_, i) => String(i)).join('\n');
    const summary = await produceStream(sender, stdin(lines), { ...base, topic: 't', maxInFlight: 10 });
    expect(summary.acknowledged).toBe(1000);
    expect(sender.maxInFlight).toBeLessThanOrEqual(10);
  });

  it('counts failures and keeps the first reason', async () => {
    const sender = new FakeSender((r) => r.value?.toString() === 'big' );
    const summary = await produceStream(sender, stdin('a\nbig\nb\nbig\n'), { ...base, topic: 't' });
    expect(summary.total).toBe(4);
    expect(summary.acknowledged).toBe(2);
    expect(summary.failed).toBe(2);
    expect(failureMessage(summary)).toBe('2 of 4 records were not acknowledged: MESSAGE_TOO_LARGE');
  });

  it('stops at a bad JSON line with a usage error after delivering what was sent', async () => {
    const sender = new FakeSender();
    await expect(produceStream(sender, stdin('{"value":1}\n{"value":\n'), { ...base, input: 'json', topic: 't' })).rejects.toThrow(UsageError);
    expect(sender.sent).toHaveLength(1);
  });
});

describe('createAckReporter', () => {
  it('prints one line per run of consecutive offsets acknowledged together', async () => {
    const lines: string[] = [];
    const reporter = createAckReporter((l) => lines.push(l));
    for (const offset of [0, 1, 2, 7]) reporter.onAck({ topic: 't', partition: 0, offset, timestamp: 0 });
    reporter.onAck({ topic: 't', partition: 1, offset: 4, timestamp: 0 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { topic: 't', partition: 0, baseOffset: 0, lastOffset: 2, count: 3 },
      { topic: 't', partition: 0, baseOffset: 7, lastOffset: 7, count: 1 },
      { topic: 't', partition: 1, baseOffset: 4, lastOffset: 4, count: 1 },
    ]);
  });
});
