// kafkajs, a real independent client, against a real `logctl broker start` process: produce with every
// codec and acks setting, read back with logctl's own client, admin calls, timestamps, restart after
// SIGKILL, garbage on the wire, and the Unix socket.
import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { KafkaClient, Consumer, type ConsumedRecord } from '../../src/client/index.js';
import { startBrokerProcess, useBrokerProcess } from '../helpers/broker-process.js';
import { CompressionTypes, kafkajsClient } from '../helpers/kafkajs.js';

const broker = useBrokerProcess({ socket: true });

/** Reads every partition of `topic` from offset 0 up to its current end with logctl's client. */
async function readAll(bootstrap: string, topic: string): Promise<ConsumedRecord[]> {
  const client = await KafkaClient.connect({ broker: bootstrap });
  try {
    const meta = await client.metadata([topic], false);
    const partitions = meta.topics[0]!.partitions.map((p) => p.partition);
    const ends = await client.listOffsets(topic, partitions, -1);
    const start = new Map(partitions.map((p) => [p, 0]));
    const until = new Map(partitions.map((p) => [p, ends.get(p)!.offset]));
    const out: ConsumedRecord[] = [];
    for await (const r of new Consumer(client, {}).consume(topic, start, { untilOffsets: until })) out.push(r);
    return out;
  } finally {
    await client.close();
  }
}

const CODECS = [
  ['none', CompressionTypes.None],
  ['gzip', CompressionTypes.GZIP],
  ['snappy', CompressionTypes.Snappy],
  ['lz4', CompressionTypes.LZ4],
  ['zstd', CompressionTypes.ZSTD],
] as const;

describe('kafkajs producer → logctl broker → logctl consumer', () => {
  it('stores 100,000 records over 6 partitions from every codec and acks setting, each read back exactly', async () => {
    const kafka = kafkajsClient({ bootstrap: broker().bootstrap });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'kjs-100k', numPartitions: 6 }] });
    await admin.disconnect();

    const producer = kafka.producer();
    await producer.connect();
    const perCombo = 10_000;
    const expected = new Map<string, { value: string; header: string }>();
    let n = 0;
    for (const acks of [1, -1]) {
      for (const [name, codec] of CODECS) {
        for (let chunk = 0; chunk < perCombo; chunk += 1000) {
          const messages = [];
          for (let i = 0; i < 1000; i++, n++) {
            const key = `key-${n}`;
            const value = `value-${n}-${name}-acks${acks}-${'x'.repeat(n % 50)}`;
            const header = `h-${n}`;
            expected.set(key, { value, header });
            messages.push({ key, value, headers: { trace: header } });
          }
          const result = await producer.send({ topic: 'kjs-100k', acks, compression: codec, messages });
          for (const r of result) expect(r.errorCode).toBe(0);
        }
      }
    }
    await producer.disconnect();
    expect(n).toBe(100_000);

    const records = await readAll(broker().bootstrap, 'kjs-100k');
    expect(records.length).toBe(100_000);
    const seen = new Set<string>();
    const lastOffset = new Map<number, number>();
    for (const r of records) {
      const key = r.key!.toString();
      const want = expected.get(key);
      expect(want, `unexpected key ${key}`).toBeDefined();
      expect(r.value!.toString()).toBe(want!.value);
      expect(r.headers).toEqual([{ key: 'trace', value: Buffer.from(want!.header) }]);
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      // offsets are dense and in order within each partition
      expect(r.offset).toBe((lastOffset.get(r.partition) ?? -1) + 1);
      lastOffset.set(r.partition, r.offset);
    }
    expect(seen.size).toBe(100_000);
    expect([...lastOffset.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('kafkajs consumer-less reads: fetchTopicOffsets and fetchTopicOffsetsByTimestamp', async () => {
    const kafka = kafkajsClient({ bootstrap: broker().bootstrap });
    const producer = kafka.producer();
    await producer.connect();
    const base = Date.now() - 100_000;
    for (let i = 0; i < 10; i++) {
      await producer.send({ topic: 'kjs-times', messages: [{ value: `m${i}`, timestamp: String(base + i * 1000) }] });
    }
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.fetchTopicOffsets('kjs-times')).toEqual([
      { partition: 0, offset: '10', high: '10', low: '0' },
    ]);
    expect(await admin.fetchTopicOffsetsByTimestamp('kjs-times', base + 4500)).toEqual([{ partition: 0, offset: '5' }]);
    expect(await admin.fetchTopicOffsetsByTimestamp('kjs-times', base)).toEqual([{ partition: 0, offset: '0' }]);
    // after the last timestamp: the end offset, as Kafka's admin answers (-1 from the broker)
    expect(await admin.fetchTopicOffsetsByTimestamp('kjs-times', base + 60_000)).toEqual([{ partition: 0, offset: '10' }]);
    await admin.disconnect();
  });

  it('kafkajs admin: create, list, describe configs, alter configs, add partitions, delete records, delete', async () => {
    const kafka = kafkajsClient({ bootstrap: broker().bootstrap });
    const admin = kafka.admin();
    await admin.connect();
    expect(
      await admin.createTopics({
        topics: [{ topic: 'kjs-admin', numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '3600000' }] }],
      }),
    ).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'kjs-admin' }] })).toBe(false);
    expect(await admin.listTopics()).toContain('kjs-admin');

    const described = await admin.describeConfigs({
      resources: [{ type: 2, name: 'kjs-admin', configNames: ['retention.ms', 'cleanup.policy'] }],
      includeSynonyms: false,
    });
    const entries = described.resources[0]!.configEntries;
    expect(entries.find((e) => e.configName === 'retention.ms')?.configValue).toBe('3600000');
    expect(entries.find((e) => e.configName === 'cleanup.policy')?.configValue).toBe('delete');

    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: 2, name: 'kjs-admin', configEntries: [{ name: 'retention.ms', value: '7200000' }] }],
    });
    const after = await admin.describeConfigs({
      resources: [{ type: 2, name: 'kjs-admin', configNames: ['retention.ms'] }],
      includeSynonyms: false,
    });
    expect(after.resources[0]!.configEntries[0]!.configValue).toBe('7200000');

    await admin.createPartitions({ topicPartitions: [{ topic: 'kjs-admin', count: 4 }] });
    const meta = await admin.fetchTopicMetadata({ topics: ['kjs-admin'] });
    expect(meta.topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3]);

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'kjs-admin', messages: Array.from({ length: 20 }, (_, i) => ({ value: `r${i}`, partition: 0 })) });
    await producer.disconnect();
    await admin.deleteTopicRecords({ topic: 'kjs-admin', partitions: [{ partition: 0, offset: '15' }] });
    const offsets = await admin.fetchTopicOffsets('kjs-admin');
    expect(offsets.find((o) => o.partition === 0)).toEqual({ partition: 0, offset: '20', high: '20', low: '15' });

    await admin.deleteTopics({ topics: ['kjs-admin'] });
    expect(await admin.listTopics()).not.toContain('kjs-admin');
    await admin.disconnect();
  });

  it('works over the Unix socket', async () => {
    const kafka = kafkajsClient({ socketPath: broker().socketPath! });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'kjs-unix', messages: [{ key: 'a', value: 'over unix' }] });
    await producer.disconnect();
    const records = await readAll(broker().bootstrap, 'kjs-unix');
    expect(records.map((r) => r.value!.toString())).toEqual(['over unix']);
  });

  it('1,000 garbage frames do not stop the broker serving other clients', async () => {
    const garbage = [
      Buffer.from([0, 0, 0, 4, 0xde, 0xad, 0xbe, 0xef]),
      Buffer.from([0xff, 0xff, 0xff, 0xff]),
      Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]),
      Buffer.from([0, 0, 0, 12, 0, 3, 0, 99, 0, 0, 0, 1, 0xff, 0xff, 0, 0]),
      Buffer.from([0, 0, 0, 10, 0x12, 0x34, 0, 0, 0, 0, 0, 1, 0, 0]),
    ];
    const sends: Promise<void>[] = [];
    for (let i = 0; i < 1000; i++) {
      sends.push(
        new Promise<void>((res) => {
          const s = createConnection(broker().port, '127.0.0.1', () => s.end(garbage[i % garbage.length]!));
          s.on('error', () => res());
          s.on('close', () => res());
          s.resume();
        }),
      );
      if (sends.length >= 100) await Promise.all(sends.splice(0));
    }
    await Promise.all(sends);
    expect(broker().proc.exitCode).toBe(null);
    const kafka = kafkajsClient({ bootstrap: broker().bootstrap });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'kjs-after-garbage', messages: [{ value: 'still here' }] });
    await producer.disconnect();
    const records = await readAll(broker().bootstrap, 'kjs-after-garbage');
    expect(records.map((r) => r.value!.toString())).toEqual(['still here']);
  });
});

describe('restart', () => {
  it('keeps every acknowledged record through SIGKILL and restart on the same data dir', async () => {
    const first = await startBrokerProcess();
    const kafka = kafkajsClient({ bootstrap: first.bootstrap });
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 20; i++) {
      await producer.send({ topic: 'durable', acks: -1, messages: Array.from({ length: 500 }, (_, j) => ({ value: `d-${i * 500 + j}` })) });
    }
    await producer.disconnect();
    await first.kill();
    const second = await startBrokerProcess({ dataDir: first.dataDir });
    try {
      const records = await readAll(second.bootstrap, 'durable');
      expect(records.length).toBe(10_000);
      expect(records.map((r) => r.value!.toString())).toEqual(Array.from({ length: 10_000 }, (_, i) => `d-${i}`));
    } finally {
      await second.stop();
      second.cleanup();
    }
  });
});
