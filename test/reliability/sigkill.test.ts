// SIGKILL loop (reliability.md R1 on one node): a real `logctl broker start` process is killed with
// SIGKILL while several producers (acks=all, not idempotent, no retries: nothing is ever sent twice) write to
// several partitions, then restarted on the same data dir, LOGCTL_RELIABILITY_KILLS times
// (scripts/reliability.sh: 200). Afterwards every acknowledged record is read back exactly once, at
// the offset it was acknowledged with; offsets are dense; each producer's records keep their order;
// and the broker started every time.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Admin, Consumer, KafkaClient, Producer } from '../../src/client/index.js';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';
import { envInt } from './storage-helpers.js';
import { seededRandom } from '../helpers/seeded-random.js';

const KILLS = envInt('LOGCTL_RELIABILITY_KILLS', 12);
const SEED = envInt('LOGCTL_RELIABILITY_SEED', Date.now() % 1_000_000);
const PARTITIONS = 4;
const PRODUCERS = 3;
const IN_FLIGHT = 16;
const TOPIC = 'kills';

const dataDir = mkdtempSync(join(tmpdir(), 'logctl-sigkill-'));
let broker: BrokerProcess | null = null;
afterAll(async () => {
  await broker?.kill();
  broker?.cleanup();
});

/** Produces from `PRODUCERS` clients until stopped; returns the acknowledged records. */
async function produceUntilKilled(
  bootstrap: string,
  cycle: number,
  random: () => number,
  kill: Promise<void>,
): Promise<{ partition: number; offset: number; value: string }[]> {
  const acked: { partition: number; offset: number; value: string }[] = [];
  let stopped = false;
  void kill.then(() => (stopped = true));
  await Promise.all(
    Array.from({ length: PRODUCERS }, async (_, p) => {
      let client: KafkaClient;
      try {
        client = await KafkaClient.connect({ broker: bootstrap, clientId: `killer-${p}`, requestTimeoutMs: 5000 });
      } catch {
        return; // killed before we connected
      }
      const producer = new Producer(client, { acks: -1, retries: 0, lingerMs: 1, idempotent: false });
      let seq = 0;
      const inFlight = new Set<Promise<void>>();
      while (!stopped) {
        const value = `c${cycle}-p${p}-s${seq++}`;
        const partition = Math.floor(random() * PARTITIONS);
        const sent = producer
          .send({ topic: TOPIC, partition, value: Buffer.from(value) })
          .then((meta) => void acked.push({ partition: meta.partition, offset: meta.offset, value }))
          .catch(() => undefined); // unacknowledged: may or may not be on disk
        inFlight.add(sent);
        void sent.then(() => inFlight.delete(sent));
        if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      await Promise.race([producer.close().catch(() => undefined), new Promise((r) => setTimeout(r, 200))]);
      await client.close().catch(() => undefined);
    }),
  );
  return acked;
}

describe('SIGKILL loop', () => {
  it(`every acknowledged record survives ${KILLS} SIGKILLs exactly once and in order`, async () => {
    const random = seededRandom(SEED);
    const acked = Array.from({ length: PARTITIONS }, () => new Map<number, string>());
    let total = 0;
    for (let cycle = 0; cycle <= KILLS; cycle++) {
      broker = await startBrokerProcess({ dataDir });
      if (cycle === 0) {
        const client = await KafkaClient.connect({ broker: broker.bootstrap });
        const [created] = await new Admin(client).createTopics([{ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1, configs: { 'segment.bytes': '65536' } }]);
        expect(created?.errorCode).toBe(0);
        await client.close();
      }
      if (cycle === KILLS) break;
      const victim = broker;
      const kill = new Promise<void>((resolve) => setTimeout(resolve, 150 + random() * 500)).then(() => victim.kill());
      const records = await produceUntilKilled(victim.bootstrap, cycle, random, kill);
      await kill;
      for (const r of records) {
        const previous = acked[r.partition]!.get(r.offset);
        expect(previous, `offset ${r.partition}/${r.offset} acknowledged twice`).toBeUndefined();
        acked[r.partition]!.set(r.offset, r.value);
      }
      total += records.length;
    }
    // The final broker (started after the last kill) serves everything.
    const client = await KafkaClient.connect({ broker: broker!.bootstrap });
    const ends = await client.listOffsets(TOPIC, [...Array(PARTITIONS).keys()], -1);
    const start = new Map([...Array(PARTITIONS).keys()].map((p) => [p, 0]));
    const until = new Map([...ends].map(([p, e]) => [p, e.offset]));
    const read = Array.from({ length: PARTITIONS }, () => [] as { offset: number; value: string }[]);
    for await (const r of new Consumer(client).consume(TOPIC, start, { untilOffsets: until })) {
      read[r.partition]!.push({ offset: r.offset, value: r.value!.toString() });
    }
    await client.close();
    for (let p = 0; p < PARTITIONS; p++) {
      const records = read[p]!;
      expect(records.map((r) => r.offset), `partition ${p}: dense offsets`).toEqual([...Array(until.get(p)).keys()]);
      expect(new Set(records.map((r) => r.value)).size, `partition ${p}: duplicates`).toBe(records.length);
      for (const [offset, value] of acked[p]!) expect(records[offset]?.value, `partition ${p} offset ${offset}`).toBe(value);
      // Per producer and cycle, sequence numbers only grow along the offsets.
      const last = new Map<string, number>();
      for (const r of records) {
        const [cycleProducer, seq] = [r.value.slice(0, r.value.lastIndexOf('-s')), Number(r.value.slice(r.value.lastIndexOf('-s') + 2))];
        expect(seq, `partition ${p}: ${r.value} after seq ${last.get(cycleProducer)}`).toBeGreaterThan(last.get(cycleProducer) ?? -1);
        last.set(cycleProducer, seq);
      }
    }
    console.log(`SIGKILL loop: ${KILLS} kills survived, ${total} acknowledged records verified (seed ${SEED})`);
    expect(total).toBeGreaterThan(KILLS);
  }, Math.max(600_000, KILLS * 10_000));
});
