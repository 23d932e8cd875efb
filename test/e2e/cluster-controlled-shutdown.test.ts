// Controlled shutdown in a real 3-broker cluster (RF 3, min.insync.replicas 2, acks=all): SIGTERM to the
// leader of a partition during continuous produce. The leadership moves before the old leader closes
// its listener, so the producer sees no failed send, and every acknowledged record is in the log. The
// stopped broker also leaves a replication-offset-checkpoint (high watermarks) behind.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Admin, Consumer, KafkaClient, Producer } from '../../src/client/index.js';
import { useCluster, waitFor } from '../helpers/cluster.js';

const cluster = useCluster(3, { 'min.insync.replicas': '2' });

async function leaderOf(topic: string, avoid = -1): Promise<{ leader: number; isr: number[] }> {
  return waitFor(`a leader for ${topic}-0`, async () => {
    const c = await KafkaClient.connect({ broker: [...cluster().brokers.entries()].find(([id]) => id !== avoid)![1].bootstrap });
    try {
      const p = (await c.metadata([topic])).topics[0]?.partitions.find((x) => x.partition === 0);
      if (p === undefined || p.leader < 0 || p.leader === avoid || !cluster().brokers.has(p.leader)) return undefined;
      return { leader: p.leader, isr: p.isr };
    } finally {
      await c.close();
    }
  });
}

describe('controlled shutdown', () => {
  it('SIGTERM to the leader moves leadership first: no failed send, every acknowledged record kept', async () => {
    const admin = new Admin(await cluster().client());
    await admin.createTopics([{ name: 'graceful', numPartitions: 1, replicationFactor: 3, configs: {} }]);
    await waitFor('a full ISR', async () => (await leaderOf('graceful')).isr.length === 3);
    const producer = new Producer(await cluster().client(), { acks: -1, lingerMs: 1, retries: 1000, retryBackoffMs: 100, requestTimeoutMs: 5000 });
    const acked = new Map<number, string>();
    const failed: string[] = [];
    let stop = false;
    let seq = 0;
    const writer = (async () => {
      while (!stop) {
        const batch = Array.from({ length: 5 }, () => `r${seq++}`);
        await Promise.all(
          batch.map((value) =>
            producer.send({ topic: 'graceful', partition: 0, value: Buffer.from(value) }).then(
              (m) => void acked.set(m.offset, value),
              (err: unknown) => void failed.push(`${value}: ${String(err)}`),
            ),
          ),
        );
      }
    })();
    await waitFor('some progress', async () => acked.size > 100);
    const { leader } = await leaderOf('graceful');
    const old = cluster().brokers.get(leader)!;
    // Asks the stopping broker itself who leads, until it stops answering: it must name the new leader.
    const direct = await KafkaClient.connect({ broker: old.bootstrap, requestTimeoutMs: 2000 });
    expect((await direct.metadata(['graceful'])).topics[0]?.partitions[0]?.leader).toBe(leader);
    const seenFromOld: number[] = [];
    let polling = true;
    const poll = (async () => {
      while (polling) {
        try {
          const p = (await direct.metadata(['graceful'])).topics[0]?.partitions[0];
          if (p !== undefined) seenFromOld.push(p.leader);
        } catch {
          return;
        }
        // Polled about every ms: between the leadership move and the listener's close lie only the
        // replica manager's last steps, a few ms (10 ms polls missed it in one full run).
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    const exit = await old.stop();
    polling = false;
    await poll;
    await direct.close().catch(() => undefined);
    cluster().brokers.delete(leader);
    expect(seenFromOld.some((id) => id >= 0 && id !== leader)).toBe(true);
    const logs = old.stderr();
    // The leadership moved while the old leader still listened: its wait ended with success, before it stopped.
    expect(logs).toContain('controlled shutdown: moving leaderships away');
    expect(logs).not.toContain('gave up waiting');
    const moved = logs.indexOf('controlled shutdown: leaderships moved');
    expect(moved).toBeGreaterThan(-1);
    expect(moved).toBeLessThan(logs.indexOf('broker stopped'));
    expect(exit).toBe(0);
    const next = await leaderOf('graceful', leader);
    expect(next.leader).not.toBe(leader);
    expect(next.isr).not.toContain(leader);

    const ackedAtStop = acked.size;
    await waitFor('progress after the shutdown', async () => acked.size > ackedAtStop + 100);
    stop = true;
    await writer;
    await producer.flush();
    expect(failed).toEqual([]);

    const client = await cluster().client();
    const end = (await client.listOffsets('graceful', [0], -1)).get(0)?.offset ?? 0;
    const log: { offset: number; value: string }[] = [];
    const consumer = new Consumer(client, { maxWaitMs: 200 });
    for await (const r of consumer.consume('graceful', new Map([[0, 0]]), { untilOffsets: new Map([[0, end]]) })) {
      log.push({ offset: r.offset, value: r.value?.toString() ?? '' });
    }
    for (const [offset, value] of acked) expect(log[offset]?.value).toBe(value);

    // The clean close checkpointed the high watermark of the stopped replica, at most its log end.
    const checkpoint = readFileSync(join(cluster().dataDirs.get(leader)!, 'replication-offset-checkpoint'), 'utf8');
    const entry = checkpoint.split('\n').find((l) => l.startsWith('graceful 0 '));
    expect(entry).toBeDefined();
    const hw = Number(entry!.split(' ')[2]);
    expect(hw).toBeGreaterThan(100);
    expect(hw).toBeLessThanOrEqual(end);

    // It comes back as a follower and rejoins the ISR.
    await cluster().start(leader);
    await waitFor('the stopped broker back in the ISR', async () => (await leaderOf('graceful')).isr.length === 3, 30_000);
  }, 90_000);
});
