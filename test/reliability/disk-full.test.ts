// Disk full (reliability.md D9): the broker's data dir is an 8 MiB tmpfs. Producers (acks=all, no
// retries) write until the disk is full: every send either gets an acknowledgement for data that is
// really stored, or an error; the broker process stays up and keeps answering. Then space returns
// (remount at 64 MiB) and the broker is restarted (a partition whose write failed stays offline
// until then, like Kafka's offline log dir): every acknowledged record is there exactly once, in
// order, and producing works again. Needs root for mount; skipped with a message otherwise.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Admin, Consumer, KafkaClient, Producer } from '../../src/client/index.js';
import { startBrokerProcess, type BrokerProcess } from '../helpers/broker-process.js';

const mountPoint = mkdtempSync(join(tmpdir(), 'logctl-full-'));
let mounted = false;
let mountError = '';
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint], { stdio: 'pipe' });
  mounted = true;
} catch (err) {
  mountError = String(err).split('\n')[0]!;
  console.warn(`disk-full test skipped: cannot mount a tmpfs at ${mountPoint} (${mountError}); run as root to enable it`);
}

let broker: BrokerProcess | null = null;
afterAll(async () => {
  await broker?.kill();
  if (mounted) execFileSync('umount', ['-l', mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

const TOPIC = 'full';
const PARTITIONS = 2;
const VALUE = 'v'.repeat(64 * 1024);

describe.skipIf(!mounted)('disk full', () => {
  it('never acknowledges what it could not store, stays up, and carries on once space returns', async () => {
    const dataDir = join(mountPoint, 'data');
    broker = await startBrokerProcess({ dataDir, set: { 'log.segment.bytes': '1048576' } });
    let client = await KafkaClient.connect({ broker: broker.bootstrap });
    const [created] = await new Admin(client).createTopics([{ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1, configs: {} }]);
    expect(created?.errorCode).toBe(0);
    const producer = new Producer(client, { acks: -1, retries: 0, lingerMs: 0 });
    const acked = Array.from({ length: PARTITIONS }, () => new Map<number, string>());
    const errors: string[] = [];
    for (let i = 0; i < 400 && errors.length < 20; i++) {
      const partition = i % PARTITIONS;
      const value = `${i}:${VALUE}`;
      try {
        const meta = await producer.send({ topic: TOPIC, partition, value: Buffer.from(value) });
        acked[partition]!.set(meta.offset, value);
      } catch (err) {
        errors.push(String(err));
      }
    }
    const total = acked[0]!.size + acked[1]!.size;
    console.log(`disk full: ${total} records acknowledged, then ${errors.length} errors, first: ${errors[0]}`);
    expect(errors.length).toBeGreaterThan(0);
    expect(total).toBeGreaterThan(10);
    expect(total * VALUE.length).toBeLessThan(8 * 1024 * 1024);
    // Still up, still answering.
    expect(broker.proc.exitCode).toBeNull();
    await client.metadata([TOPIC]);
    await producer.close().catch(() => undefined);
    await client.close();
    expect(broker.stderr()).toMatch(/ENOSPC|no space/i);

    // Space returns; restart on the same data dir.
    execFileSync('mount', ['-o', 'remount,size=64m', mountPoint]);
    await broker.stop();
    broker = await startBrokerProcess({ dataDir });
    client = await KafkaClient.connect({ broker: broker.bootstrap });
    const ends = await client.listOffsets(TOPIC, [0, 1], -1);
    const read = Array.from({ length: PARTITIONS }, () => [] as { offset: number; value: string }[]);
    const until = new Map([...ends].map(([p, e]) => [p, e.offset]));
    for await (const r of new Consumer(client).consume(TOPIC, new Map([[0, 0], [1, 0]]), { untilOffsets: until })) {
      read[r.partition]!.push({ offset: r.offset, value: r.value!.toString() });
    }
    for (let p = 0; p < PARTITIONS; p++) {
      expect(read[p]!.map((r) => r.offset)).toEqual([...Array(until.get(p)).keys()]);
      for (const [offset, value] of acked[p]!) expect(read[p]![offset]?.value.slice(0, 8), `${p}/${offset}`).toBe(value.slice(0, 8));
      expect(new Set(read[p]!.map((r) => r.value.split(':')[0])).size).toBe(read[p]!.length);
    }
    const again = new Producer(client, { acks: -1, retries: 0 });
    const meta = await again.send({ topic: TOPIC, partition: 0, value: Buffer.from('after') });
    expect(meta.offset).toBe(until.get(0));
    await again.close();
    await client.close();
  }, 120_000);
});
