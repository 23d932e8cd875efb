// kill -9 while the cleaner compacts, with a real broker process: a topic with cleanup.policy=compact
// and tiny segments gets values for the same keys while the cleaner runs every 20 ms; the broker is
// SIGKILLed in the middle of a pass (at a random file step of it, three times), restarted on the same data dir,
// and every key still has its latest acknowledged value (or the one in flight at the kill), with each
// key's values in the order they were written (nothing duplicated or reordered).
import { watch } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KafkaClient, Consumer, type ConsumedRecord } from '../../src/client/index.js';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { kafkajsClient } from '../helpers/kafkajs.js';
import { seededRandom } from '../helpers/seeded-random.js';

const TOPIC = 'compacted';
const KEYS = 50;
const SET = { 'log.cleaner.backoff.ms': '20', 'log.level': 'info' };

const started: BrokerProcess[] = [];
afterAll(async () => {
  for (const b of started) await b.kill().catch(() => undefined);
  started[0]?.cleanup();
});

async function start(dataDir?: string): Promise<BrokerProcess> {
  const broker = await startBrokerProcess({ set: SET, ...(dataDir !== undefined ? { dataDir } : {}) });
  started.push(broker);
  return broker;
}

async function readAll(bootstrap: string): Promise<ConsumedRecord[]> {
  const client = await KafkaClient.connect({ broker: bootstrap });
  try {
    const end = (await client.listOffsets(TOPIC, [0], -1)).get(0)!.offset;
    const out: ConsumedRecord[] = [];
    for await (const r of new Consumer(client, {}).consume(TOPIC, new Map([[0, 0]]), { untilOffsets: new Map([[0, end]]) })) out.push(r);
    return out;
  } finally {
    await client.close();
  }
}

/** Each key's values must have increasing sequence numbers; returns each key's last value. */
function latestByKey(records: ConsumedRecord[]): Map<string, number> {
  const latest = new Map<string, number>();
  for (const r of records) {
    const key = r.key!.toString();
    const seq = Number(r.value!.toString().split('@')[1]);
    const before = latest.get(key);
    if (before !== undefined) expect(seq, `${key} at offset ${r.offset}`).toBeGreaterThan(before);
    latest.set(key, seq);
  }
  return latest;
}

describe('compaction survives kill -9', () => {
  it('keeps the latest value of every key through SIGKILLs during cleaning', async () => {
    let broker = await start();
    const admin = kafkajsClient({ bootstrap: broker.bootstrap }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic: TOPIC,
          numPartitions: 1,
          configEntries: [
            { name: 'cleanup.policy', value: 'compact' },
            { name: 'segment.bytes', value: '2048' },
          ],
        },
      ],
    });
    await admin.disconnect();
    const random = seededRandom(11);
    const acked = new Map<string, number>();
    let seq = 0;
    let produced = 0;
    for (let cycle = 0; cycle < 3; cycle++) {
      const producer = kafkajsClient({ bootstrap: broker.bootstrap }).producer({ allowAutoTopicCreation: false });
      await producer.connect();
      // SIGKILL at the n-th file event of a pass (`.cleaned` written, renamed to `.swap`, old segment
      // renamed to `.deleted`, …): inotify reports it within a millisecond, while the pass goes on.
      const target = 1 + Math.floor(random() * 12);
      let events = 0;
      let onKill: () => void = () => undefined;
      const killed = new Promise<'killed'>((resolve) => (onKill = () => resolve('killed')));
      const victim = broker;
      const watcher = watch(join(victim.dataDir, `${TOPIC}-0`), (_event, name) => {
        if (name !== null && /\.(cleaned|swap|deleted)$/.test(name) && ++events === target) {
          victim.proc.kill('SIGKILL');
          onKill();
        }
      });
      let inFlight = new Map<string, number>();
      for (let n = 0; ; n++) {
        if (n > 2000) throw new Error(`no compaction pass reached file event ${target}`);
        const messages = Array.from({ length: 5 }, () => {
          const key = `key-${Math.floor(random() * KEYS)}`;
          seq++;
          return { key, value: `${key}@${seq}` };
        });
        inFlight = new Map(messages.map((m) => [m.key, Number(m.value.split('@')[1])]));
        const send = producer.send({ topic: TOPIC, acks: -1, messages });
        // After the kill this send's records may or may not have been written.
        if ((await Promise.race([send, killed])) === 'killed') {
          send.catch(() => undefined);
          break;
        }
        produced += messages.length;
        for (const [k, v] of inFlight) acked.set(k, v);
      }
      watcher.close();
      await victim.kill();
      void producer.disconnect().catch(() => undefined);

      broker = await start(started[0]!.dataDir);
      // For the report: whether this kill interrupted a pass (recovery removed or completed its files).
      const interrupted = broker.stderr().split('\n').filter((l) => /cleaned|\.swap|interrupted compaction/.test(l));
      console.log(`cycle ${cycle}: recovery found ${interrupted.length} compaction leftovers`);
      const records = await readAll(broker.bootstrap);
      const latest = latestByKey(records);
      for (const [key, value] of acked) {
        const found = latest.get(key);
        const allowed = [value, inFlight.get(key)].filter((v) => v !== undefined);
        expect(allowed, `latest value of ${key}`).toContain(found);
      }
      for (const [k, v] of latest) acked.set(k, Math.max(acked.get(k) ?? -1, v));
    }
    // The restarted broker compacts what the killed passes left and what comes next: far fewer
    // records than produced.
    const producer = kafkajsClient({ bootstrap: broker.bootstrap }).producer({ allowAutoTopicCreation: false });
    await producer.connect();
    for (let n = 0; n < 150; n++) {
      const messages = Array.from({ length: 5 }, () => {
        const key = `key-${Math.floor(random() * KEYS)}`;
        return { key, value: `${key}@${++seq}` };
      });
      await producer.send({ topic: TOPIC, acks: -1, messages });
      produced += messages.length;
      for (const m of messages) acked.set(m.key, Number(m.value.split('@')[1]));
    }
    await producer.disconnect();
    let records = await readAll(broker.bootstrap);
    for (let i = 0; i < 100 && records.length >= produced / 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      records = await readAll(broker.bootstrap);
    }
    expect(records.length).toBeLessThan(produced / 2);
    for (const [key, value] of latestByKey(records)) expect(value).toBe(acked.get(key));
    await broker.stop();
  }, 120_000);
});
